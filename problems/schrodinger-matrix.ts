/**
 * The discrete Schrödinger matrix test of Ceruti, Kusch & Lubich, "A rank-adaptive robust
 * integrator for dynamical low-rank approximation", BIT 62 (2022), §6.1 (reproduced in
 * C. Mendl's DLRA code):
 *   i·Ẏ = H(Y) = ½(D·Y + Y·Dᴴ) + V·Y·Vᴴ,   D = tridiag(−1, 2, −1),   V = diag(1 − cos(2πj/n)),
 * j = −n/2 … n/2 − 1, for an n×n matrix Y. H is self-adjoint in the Frobenius inner product,
 * so ‖Y‖ and the energy ⟨Y, H(Y)⟩ are conserved. Y(0) = U0·S0·V0ᵀ with random orthogonal
 * U0, V0 (from the run's seed; the reproduction in Mendl's code uses 42), S0 = diag(10^{−i}),
 * i = 1 … n, normalised in Frobenius and cut to rank r. The right-hand side is linear,
 * F(Y) = −i·H(Y), given in factored form (three terms c·A·Y·Bᵀ), so every sub-step is a
 * Lanczos exponential. Reference: the Lanczos exponential of the full n×n matrix (H applied
 * matrix-free) from the same rank-r start.
 * Paper settings: n = 100, start rank 12 (here `rank`), T = 1, rank-adaptive BUG with the
 * tolerance 1e-5 relative and scaled by h (here ϑ = 1e-5 per unit time, ‖Y‖ = 1), 10 … 1000
 * steps; the default here is 20 steps.
 */
import {
  add, ArgumentError, defineProblem, diag, expmv, lowRankFromDense, lowRankToDense, matmul, norm, qr, randn, scale, Tensor, adjoint,
  type LinearTerm, type LowRankMatrix,
} from "../src/index.js";

/** A random n×n orthogonal matrix (the Q of a Gaussian matrix). */
function orthogonal(n: number, seed: number): Tensor {
  return qr(randn([n, n], seed)).Q!;
}

/**
 * The problem's pieces: D, V, the rank-r start Y0, the linear terms of H (for a `linear`
 * right-hand side; scale −i) and H itself on dense n×n matrices. Seeds seed (U0), seed + 1 (V0).
 */
export function schrodingerMatrix(n: number, r: number, seed = 42) {
  const D = new Tensor("f64", [n, n]);
  for (let i = 0; i < n; i++) {
    D.set([i, i], 2);
    if (i > 0) D.set([i, i - 1], -1);
    if (i + 1 < n) D.set([i, i + 1], -1);
  }
  const v = Array.from({ length: n }, (_, i) => 1 - Math.cos((2 * Math.PI * (i - n / 2)) / n));
  const V = diag(v);
  const s = Array.from({ length: n }, (_, i) => 10 ** -(i + 1));
  const sNorm = Math.hypot(...s);
  const full = matmul(matmul(orthogonal(n, seed), diag(s.map((x) => x / sNorm))), orthogonal(n, seed + 1), { transposeB: true });
  const Y0 = lowRankFromDense(full, { maxRank: r }) as LowRankMatrix;
  // Y·Dᴴ = Y·(D̄)ᵀ and V·Y·Vᴴ = V·Y·(V̄)ᵀ: both B factors are the real D and V themselves.
  const terms: LinearTerm[] = [{ coeff: 0.5, A: D }, { coeff: 0.5, B: D }, { A: V, B: V }];
  const H = (Y: Tensor): Tensor => add(scale(add(matmul(D, Y), matmul(Y, adjoint(D))), 0.5), matmul(matmul(V, Y), adjoint(V)));
  return { D, V, v, Y0, terms, H, applyH: (Y: Tensor) => applyH(Y, v) };
}

/**
 * H(Y) without matrices, O(n²): (D·Y + Y·D)/2 is the 5-point stencil 2Y_ij − ½(Y_{i±1,j} + Y_{i,j±1})
 * (zero outside), and V·Y·V multiplies Y_ij by v_i·v_j. Y real or complex (c128).
 */
function applyH(Y: Tensor, v: readonly number[]): Tensor {
  const n = v.length;
  const c = Y.dtype === "c128" ? 2 : 1;
  const y = Y.data, out = new Tensor(Y.dtype === "c128" ? "c128" : "f64", [n, n]);
  const o = out.data;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < c; p++) {
        const at = (i * n + j) * c + p;
        let h = (2 + v[i]! * v[j]!) * y[at]!;
        if (i > 0) h -= 0.5 * y[at - n * c]!;
        if (i + 1 < n) h -= 0.5 * y[at + n * c]!;
        if (j > 0) h -= 0.5 * y[at - c]!;
        if (j + 1 < n) h -= 0.5 * y[at + c]!;
        o[at] = h;
      }
  return out;
}

const MINUS_I = { re: 0, im: -1 };

/** Re ⟨Y, H(Y)⟩ for a dense Y (real or complex). */
function energyOf(H: (Y: Tensor) => Tensor, Y: Tensor): number {
  const HY = H(Y);
  const a = Y.data, b = HY.data;
  let e = 0;
  if (Y.dtype === "c128") for (let k = 0; k < a.length; k += 2) e += a[k]! * b[k]! + a[k + 1]! * b[k + 1]!;
  else for (let k = 0; k < a.length; k++) e += a[k]! * b[k]!;
  return e;
}

export default defineProblem({
  name: "schrodinger-matrix",
  description: "discrete Schrödinger matrix test i·Y' = ½(DY + YDᴴ) + VYVᴴ (CKL 2022 §6.1), linear factored right-hand side",
  source: "Ceruti, Kusch, Lubich, BIT 62 (2022), §6.1",
  parameters: {
    n: { type: "integer", default: 100, min: 2, max: 2000, description: "matrix size n×n (lattice sites per particle)" },
    rank: { type: "integer", default: 12, min: 1, max: 2000, description: "rank r of the start Y0 (the truncation of U0·S0·V0ᵀ), at most n" },
  },
  // The paper's tolerance: 1e-5 relative, scaled by h (‖Y‖ = 1, so 1e-5 per unit time);
  // 20 steps, the paper's second-coarsest run (its step counts: 10 … 1000).
  defaults: { integrator: "bug-adaptive", h: 0.05, tf: 1, theta: 1e-5, thetaMode: "per-unit-time", substep: { tol: 1e-12 } },
  setup(p, { seed }) {
    if (p.rank > p.n) throw new ArgumentError(`problem schrodinger-matrix: rank ${p.rank} exceeds the matrix size n = ${p.n}`);
    const s = schrodingerMatrix(p.n, p.rank, seed);
    const dense = (y: LowRankMatrix): Tensor => lowRankToDense(y);
    return {
      kind: "matrix",
      initial: s.Y0,
      rhs: { kind: "linear", terms: s.terms, scale: MINUS_I, hermitian: true },
      observables: {
        norm: (_t, y) => norm(y.S),
        energy: (_t, y) => energyOf(s.applyH, dense(y)),
      },
      reference: {
        description: `exact: Lanczos exponential of the full ${p.n}×${p.n} matrix from the same rank-${p.rank} start (tol 1e-14)`,
        solve: (times) => {
          const states: Tensor[] = [];
          let y = lowRankToDense(s.Y0);
          let t = 0;
          for (const tk of times) {
            if (tk > t) {
              y = expmv(s.applyH, y, { re: 0, im: -(tk - t) }, { hermitian: true, tol: 1e-14 }).y;
              t = tk;
            }
            states.push(y);
          }
          return { states, observables: { norm: states.map((x) => norm(x)), energy: states.map((x) => energyOf(s.applyH, x)) } };
        },
      },
    };
  },
});
