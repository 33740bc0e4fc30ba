// Test problems of the matrix DLRA tests (dlra notes §3.1, §3.6) and the naive factor-ODE
// integrator used as the negative control of the robustness test.
import { qr } from "../../../src/linalg/decomp/qr.js";
import { solve } from "../../../src/linalg/decomp/lu.js";
import { diag } from "../../../src/linalg/diag.js";
import { add, combine, scale } from "../../../src/linalg/elementwise.js";
import { expm } from "../../../src/linalg/expm/expm.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { norm } from "../../../src/linalg/norms.js";
import { adjoint, transpose } from "../../../src/linalg/permute.js";
import { randn } from "../../../src/linalg/random.js";
import { Tensor, eye } from "../../../src/linalg/tensor.js";
import type { DataRhs } from "../../../src/integrators/matrix/rhs.js";
import { lowRankFromDense, type LowRankMatrix } from "../../../src/integrators/matrix/state.js";

/** A random skew-symmetric N×N matrix with ‖W‖_F = 1. */
export function skew(N: number, seed: number): Tensor {
  const X = randn([N, N], seed);
  const W = combine(1, X, -1, transpose(X));
  return scale(W, 1 / norm(W));
}

/** A random N×N orthogonal matrix. */
export function orthogonal(N: number, seed: number): Tensor {
  return qr(randn([N, N], seed)).Q!;
}

/** The singular values of the Koch–Lubich matrix: 2^{−j} for j < r, then σ_min·2^{−(j−r)}. */
export function kochLubichSingularValues(N: number, r: number, sigmaMin: number): number[] {
  return Array.from({ length: N }, (_, i) => (i + 1 < r ? 2 ** -(i + 1) : sigmaMin * 2 ** -(i + 1 - r)));
}

/**
 * A(t) = e^{tW1}·e^t·D·e^{tW2}ᵀ with D = Q1·diag(d)·Q2ᵀ (dlra notes §3.1): singular values
 * e^t·d_j at all times, so the best rank-r error is e^t·‖d_{r+1:}‖ and the r-th singular value
 * is e^t·σ_min.
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
  const rhs: DataRhs = { kind: "data", A };
  return { A, dA, rhs, Y0: lowRankFromDense(A(0), { maxRank: r }) as LowRankMatrix, bestError: (t: number) => Math.exp(t) * tail };
}

/**
 * The naive integrator of the factor ODEs (Koch & Lubich 2007) for F = Ȧ:
 * U̇ = (I − UUᵀ)·F·V·S⁻¹, V̇ = (I − VVᵀ)·Fᵀ·U·S⁻ᵀ, Ṡ = Uᵀ·F·V, by classic RK4 with step h.
 * S⁻¹ makes it as stiff as 1/σ_min: the negative control of the robustness test. Returns
 * the error ‖Y_N − A(t_N)‖, Infinity when the iteration blew up (overflow or singular S).
 */
export function naiveFactorError(Y0: LowRankMatrix, F: (t: number) => Tensor, h: number, steps: number, exact: Tensor): number {
  try {
    const Y = naiveFactorIntegrator(Y0, F, h, steps);
    const e = norm(combine(1, naiveDense(Y), -1, exact));
    return Number.isFinite(e) ? e : Infinity;
  } catch {
    return Infinity;
  }
}

function naiveFactorIntegrator(Y0: LowRankMatrix, F: (t: number) => Tensor, h: number, steps: number): LowRankMatrix {
  const rhs = (t: number, Y: LowRankMatrix): LowRankMatrix => {
    const Ft = F(t);
    const { U, S, V } = Y;
    const FV = matmul(Ft, V), FtU = matmul(Ft, U, { transposeA: true });
    const projU = combine(1, FV, -1, matmul(U, matmul(U, FV, { transposeA: true })));
    const projV = combine(1, FtU, -1, matmul(V, matmul(V, FtU, { transposeA: true })));
    // X·S⁻¹ = (S⁻ᵀ·Xᵀ)ᵀ
    const dU = transpose(solve(transpose(S), transpose(projU)));
    const dV = transpose(solve(S, transpose(projV)));
    return { U: dU, S: matmul(U, FV, { transposeA: true }), V: dV };
  };
  const axpy = (Y: LowRankMatrix, c: number, D: LowRankMatrix): LowRankMatrix => ({
    U: combine(1, Y.U, c, D.U), S: combine(1, Y.S, c, D.S), V: combine(1, Y.V, c, D.V),
  });
  let Y = Y0;
  for (let i = 0; i < steps; i++) {
    const t = i * h;
    const k1 = rhs(t, Y), k2 = rhs(t + h / 2, axpy(Y, h / 2, k1)), k3 = rhs(t + h / 2, axpy(Y, h / 2, k2)), k4 = rhs(t + h, axpy(Y, h, k3));
    Y = axpy(axpy(axpy(axpy(Y, h / 6, k1), h / 3, k2), h / 3, k3), h / 6, k4);
  }
  return Y;
}

/** Dense U·S·Vᵀ of a naive state (its bases are not kept orthonormal). */
function naiveDense(Y: LowRankMatrix): Tensor {
  return matmul(matmul(Y.U, Y.S), Y.V, { transposeB: true });
}

/**
 * The discrete Schrödinger matrix problem (Ceruti–Kusch–Lubich 2022 §6.1, dlra notes §3.6):
 * H(Y) = ½(D·Y + Y·Dᴴ) + V·Y·Vᴴ, D = tridiag(−1, 2, −1), V = diag(1 − cos(2πj/n)),
 * j = −n/2 … n/2 − 1; Ẏ = −i·H(Y). Y0 = U0·diag(10^{−i})·V0ᵀ (random orthogonal U0, V0),
 * normalised, truncated to rank r.
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
  const terms = [{ coeff: 0.5, A: D }, { coeff: 0.5, B: D }, { A: V, B: V }];
  const H = (Y: Tensor): Tensor => add(scale(add(matmul(D, Y), matmul(Y, adjoint(D))), 0.5), matmul(matmul(V, Y), adjoint(V)));
  return { D, V, Y0, terms, H, eye: eye(n) };
}
