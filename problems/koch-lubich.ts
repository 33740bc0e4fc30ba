/**
 * The Koch–Lubich matrix with small singular values: the robustness test of matrix DLRA
 * integrators (after O. Koch & C. Lubich, "Dynamical low-rank approximation", SIMAX 29 (2007);
 * used with small singular values by Kieri, Lubich & Walach, SINUM 54 (2016), and by Ceruti &
 * Lubich, "An unconventional robust integrator for dynamical low-rank approximation", BIT 62
 * (2022); dlra notes §3.1):
 *   A(t) = e^{t·W1} · e^t·D · e^{t·W2}ᵀ,   t ∈ [0, 1],
 * W1, W2 random skew-symmetric with ‖W‖_F = 1, D = Q1·diag(d)·Q2ᵀ with random orthogonal Q1, Q2
 * (all from the run's seed). The singular values of A(t) are e^t·d_j with
 *   d_j = 2^{−j} (j < r),   d_r = σ_min,   d_j = σ_min·2^{−(j−r)} (j > r),
 * so the rank-r approximation holds a singular value as small as σ_min and its best
 * approximation error is e^t·‖(d_{r+1}, …, d_N)‖ ≈ e^t·σ_min/√3. The right-hand side is the data
 * F = Ȧ: every K-, L- and S-step is the exact increment A(t1) − A(t0) projected, so no sub-step
 * solver error enters. Expected: the BUG integrators' error ≈ the best-approximation error
 * (+ O(h) for parallel BUG without its step rejection), independent of σ_min, while integrating
 * the factor ODEs directly blows up as σ_min → 0 (the negative control in
 * test/integrators/matrix/claims.test.ts).
 */
import {
  ArgumentError, add, defineProblem, diag, expm, lowRankFromDense, matmul, norm, qr, randn, scale, sub, transpose,
  type DataRhs, type LowRankMatrix, type Tensor,
} from "../src/index.js";

/** A random skew-symmetric N×N matrix with ‖W‖_F = 1. */
export function skew(N: number, seed: number): Tensor {
  const X = randn([N, N], seed);
  const W = sub(X, transpose(X));
  return scale(W, 1 / norm(W));
}

/** A random N×N orthogonal matrix (the Q of a Gaussian matrix). */
export function orthogonal(N: number, seed: number): Tensor {
  return qr(randn([N, N], seed)).Q!;
}

/** The singular values of D: 2^{−j} for j < r, then σ_min·2^{−(j−r)} (j = 1 … N). */
export function kochLubichSingularValues(N: number, r: number, sigmaMin: number): number[] {
  return Array.from({ length: N }, (_, i) => (i + 1 < r ? 2 ** -(i + 1) : sigmaMin * 2 ** -(i + 1 - r)));
}

/**
 * The Koch–Lubich matrix: A(t), Ȧ(t), the data right-hand side, the rank-r start Y0 (the best
 * rank-r approximation of A(0)) and the best rank-r error e^t·‖d_{r+1:}‖ at time t. Seeds
 * seed, seed + 1 (W1, W2) and seed + 2, seed + 3 (Q1, Q2).
 */
export function kochLubich(N: number, r: number, sigmaMin: number, seed = 1) {
  const W1 = skew(N, seed), W2 = skew(N, seed + 1);
  const d = kochLubichSingularValues(N, r, sigmaMin);
  const D = matmul(matmul(orthogonal(N, seed + 2), diag(d)), orthogonal(N, seed + 3), { transposeB: true });
  const A = (t: number): Tensor => scale(matmul(matmul(expm(scale(W1, t)), D), expm(scale(W2, t)), { transposeB: true }), Math.exp(t));
  const dA = (t: number): Tensor => {
    const a = A(t);
    return add(add(matmul(W1, a), a), matmul(a, W2, { transposeB: true }));
  };
  const tail = Math.sqrt(d.slice(r).reduce((s, x) => s + x * x, 0));
  const total = Math.sqrt(d.reduce((s, x) => s + x * x, 0));
  // Only A: the pointwise F that parallel BUG's η and midpoint BUG's augmentation need is then
  // the step's difference quotient ΔA/h (dA is there for the naive factor ODEs).
  const rhs: DataRhs = { kind: "data", A };
  return {
    A, dA, rhs, d,
    Y0: lowRankFromDense(A(0), { maxRank: r }) as LowRankMatrix,
    bestError: (t: number) => Math.exp(t) * tail,
    norm: (t: number) => Math.exp(t) * total,
  };
}

export default defineProblem({
  name: "koch-lubich",
  description: "Koch–Lubich matrix A(t) = e^{tW1}·e^t·D·e^{tW2}ᵀ with singular values down to σ_min; F = dA/dt as data",
  source: "Koch & Lubich, SIMAX 29 (2007); Kieri, Lubich & Walach, SINUM 54 (2016); Ceruti & Lubich, BIT 62 (2022)",
  parameters: {
    N: { type: "integer", default: 100, min: 2, max: 2000, description: "matrix size N×N" },
    rank: { type: "integer", default: 10, min: 1, max: 2000, description: "approximation rank r of the start Y0 (and where σ_min sits: d_r = σ_min), at most N" },
    sigmaMin: { type: "number", default: 1e-10, min: 0, max: 1, minInclusive: false, description: "the r-th singular value d_r of D, at most d_{r−1} = 2^{−(r−1)}; the ones below it are σ_min·2^{−k}" },
  },
  presets: {
    // The σ_min sweep of the robustness test: the BUG error must not change.
    "sigma-1e-6": { sigmaMin: 1e-6 },
    "sigma-1e-14": { sigmaMin: 1e-14 },
    // The notes' second rank (r ∈ {10, 20}).
    "rank-20": { rank: 20 },
  },
  // Fixed-rank BUG keeps the start's rank r. With bug-adaptive, ϑ decides the rank (it settles
  // where e^t·d_j ≈ ϑ; --max-rank r for the rank-r comparison).
  defaults: { integrator: "bug", h: 0.02, tf: 1, theta: 1e-12 },
  setup(p, { seed }) {
    if (p.rank > p.N) throw new ArgumentError(`problem koch-lubich: rank ${p.rank} exceeds the matrix size N = ${p.N}`);
    // d must decrease for d_r to be the r-th singular value (and the best-error formula to hold).
    if (p.rank >= 2 && p.sigmaMin > 2 ** -(p.rank - 1)) {
      throw new ArgumentError(`problem koch-lubich: sigmaMin ${p.sigmaMin} must be ≤ d_{r−1} = 2^−${p.rank - 1} = ${2 ** -(p.rank - 1)} for rank ${p.rank}`);
    }
    const k = kochLubich(p.N, p.rank, p.sigmaMin, seed);
    return {
      kind: "matrix",
      initial: k.Y0,
      rhs: k.rhs,
      observables: {
        // ‖Y‖_F = ‖S‖_F (U and V orthonormal); exact: e^t·‖d‖.
        norm: (_t, y) => norm(y.S),
        // Not a function of the state: the best rank-r error of A(t), to read next to the state error.
        bestError: (t) => k.bestError(t),
      },
      reference: {
        description: `exact: A(t) (N = ${p.N}); best rank-${p.rank} error e^t·${k.bestError(0).toExponential(2)}`,
        solve: (times) => ({
          states: times.map((t) => k.A(t)),
          observables: { norm: times.map((t) => k.norm(t)) },
        }),
      },
    };
  },
});
