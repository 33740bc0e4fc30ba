// Test problems of the matrix DLRA tests (dlra notes §3.1, §3.6) and the naive factor-ODE
// integrator used as the negative control of the robustness test. The problems themselves are
// built by the built-in problem modules (problems/koch-lubich.ts, problems/schrodinger-matrix.ts).
import { solve } from "../../../src/linalg/decomp/lu.js";
import { combine } from "../../../src/linalg/elementwise.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { norm } from "../../../src/linalg/norms.js";
import { transpose } from "../../../src/linalg/permute.js";
import type { Tensor } from "../../../src/linalg/tensor.js";
import type { LowRankMatrix } from "../../../src/integrators/matrix/state.js";

export { kochLubich, kochLubichSingularValues, orthogonal, skew } from "../../../problems/koch-lubich.js";
export { schrodingerMatrix } from "../../../problems/schrodinger-matrix.js";

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
