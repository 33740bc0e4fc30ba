/**
 * The factored low-rank matrix Y = U·S·Vᴴ that the matrix DLRA integrators evolve.
 *
 * @module
 */
import { as, workDType } from "../dtypes.js";
import { ArgumentError, ShapeError } from "../../errors.js";
import { truncatedSvd } from "../../linalg/decomp/svd.js";
import type { TruncationOptions } from "../../linalg/decomp/truncation.js";
import { diag } from "../../linalg/diag.js";
import { assertFinite } from "../../linalg/elementwise.js";
import { matmul } from "../../linalg/matmul.js";
import { adjoint } from "../../linalg/permute.js";
import { formatShape } from "../../linalg/shape.js";
import { assignSlice } from "../../linalg/slice.js";
import { Tensor } from "../../linalg/tensor.js";

/**
 * A factorisation Y = U·S·Vᴴ of an m×n matrix: U (m×k) and V (n×l) with orthonormal columns,
 * S (k×l) invertible or not, not necessarily diagonal. States after a (truncated) step are
 * square, k = l = r; the untruncated augmented state of a rank-adaptive step may have k ≠ l.
 * All three share one dtype (f64 or c128). The integrators never modify a state; they return
 * new ones.
 */
export interface LowRankMatrix {
  U: Tensor;
  S: Tensor;
  V: Tensor;
}

// Orthonormality is checked to this (loose) level: the integrators keep it to rounding, and a
// user-built state that is off by more than this is a bug, not rounding.
const ORTHONORMAL_TOL = 1e-8;

export { as, workDType };

/** Builds a state without checks, promoting the factors to their common dtype. */
export function makeState(U: Tensor, S: Tensor, V: Tensor): LowRankMatrix {
  const d = workDType(U, S, V);
  return { U: as(U, d), S: as(S, d), V: as(V, d) };
}

/** Sizes of a state: Y is m×n, U is m×k, S is k×l, V is n×l. */
export interface StateDims {
  m: number;
  n: number;
  k: number;
  l: number;
}

/**
 * Throws unless the factors are finite matrices with consistent shapes. S may be rectangular
 * (k×l): the augmented bases of an untruncated step need not have equal sizes.
 */
export function checkState(Y: LowRankMatrix, what = "state"): StateDims {
  if (Y === null || typeof Y !== "object" || !(Y.U instanceof Tensor) || !(Y.S instanceof Tensor) || !(Y.V instanceof Tensor)) {
    throw new ArgumentError(`${what}: a low-rank matrix is { U, S, V } with three Tensors`);
  }
  const { U, S, V } = Y;
  if (U.ndim !== 2 || S.ndim !== 2 || V.ndim !== 2) {
    throw new ShapeError(`${what}: U, S, V must be matrices, got ${formatShape(U.shape)}, ${formatShape(S.shape)}, ${formatShape(V.shape)}`);
  }
  const [m, k] = [U.shape[0]!, U.shape[1]!];
  const [n, l] = [V.shape[0]!, V.shape[1]!];
  if (S.shape[0] !== k || S.shape[1] !== l) {
    throw new ShapeError(`${what}: U ${formatShape(U.shape)}, S ${formatShape(S.shape)} and V ${formatShape(V.shape)} do not fit U·S·Vᴴ (S must be ${k}×${l})`);
  }
  for (const [name, t] of [["U", U], ["S", S], ["V", V]] as const) assertFinite(t, `${what} (${name})`);
  return { m, n, k, l };
}

/** The rank of a state's parametrisation, min(k, l) (r for the square r×r core). */
export function stateRank(Y: LowRankMatrix): number {
  return Math.min(Y.S.shape[0]!, Y.S.shape[1]!);
}

/** ‖XᴴX − I‖_F for a matrix with (supposedly) orthonormal columns. */
export function orthonormalityDefect(X: Tensor): number {
  const G = matmul(X, X, { adjointA: true });
  const k = G.shape[0]!;
  const w = G.dtype === "c128" ? 2 : 1;
  let s = 0;
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const re = G.data[w * (i * k + j)]! - (i === j ? 1 : 0);
      const im = w === 2 ? G.data[w * (i * k + j) + 1]! : 0;
      s += re * re + im * im;
    }
  return Math.sqrt(s);
}

/**
 * A validated low-rank matrix: shapes U (m×k), S (k×l), V (n×l) (k = l = r usually), finite
 * values, orthonormal columns of U and V (to 1e-8), k, l ≥ 1. The factors are promoted to a
 * common dtype (f32 → f64).
 *
 * @throws {@link ShapeError} for inconsistent shapes; {@link NonFiniteError} for NaN/Inf;
 * {@link ArgumentError} for rank 0 or non-orthonormal U or V.
 * @example
 * ```ts
 * const Y = lowRankMatrix(eye(4, 2), tensor([[2, 1], [0, 3]]), eye(3, 2));
 * console.assert(lowRankToDense(Y).get(0, 1) === 1 && Y.S.shape[0] === 2);
 * ```
 */
export function lowRankMatrix(U: Tensor, S: Tensor, V: Tensor): LowRankMatrix {
  const Y = makeState(U.dtype === "f32" ? U.astype("f64") : U, S.dtype === "f32" ? S.astype("f64") : S, V.dtype === "f32" ? V.astype("f64") : V);
  assertOrthonormalState(Y, "lowRankMatrix");
  return Y;
}

/** Full validation of a user-supplied state (shapes, finiteness, r ≥ 1, orthonormal bases). */
export function assertOrthonormalState(Y: LowRankMatrix, what: string): StateDims {
  const dims = checkState(Y, what);
  if (dims.k < 1 || dims.l < 1) throw new ArgumentError(`${what}: rank 0 is not a state the integrators can grow from; use rank 1 with S = 0`);
  for (const [name, X] of [["U", Y.U], ["V", Y.V]] as const) {
    const d = orthonormalityDefect(X);
    if (!(d <= ORTHONORMAL_TOL)) throw new ArgumentError(`${what}: ${name} does not have orthonormal columns (‖${name}ᴴ${name} − I‖_F = ${d.toExponential(2)})`);
  }
  return dims;
}

/**
 * The dense matrix U·S·Vᴴ (m×n).
 *
 * @example
 * ```ts
 * const A = randn([6, 5], 1);
 * const Y = lowRankFromDense(A, { maxRank: 5 });
 * console.assert(distance(lowRankToDense(Y), A) < 1e-13);
 * ```
 */
export function lowRankToDense(Y: LowRankMatrix): Tensor {
  return matmul(matmul(Y.U, Y.S), Y.V, { adjointB: true });
}

/**
 * The best approximation of a dense matrix at the rank chosen by `options` (truncated SVD:
 * U = left singular vectors, S = diag(σ), V = right singular vectors), with the Frobenius norm
 * of what was discarded. The default keeps every non-zero singular value.
 *
 * @example
 * ```ts
 * const A = randn([8, 6], 2);
 * const Y = lowRankFromDense(A, { maxRank: 3 });
 * console.assert(Y.S.shape[0] === 3 && Math.abs(distance(lowRankToDense(Y), A) - Y.discardedNorm) < 1e-12);
 * ```
 */
export function lowRankFromDense(A: Tensor, options: TruncationOptions = {}): LowRankMatrix & { discardedNorm: number } {
  if (A.ndim !== 2) throw new ShapeError(`lowRankFromDense: needs a matrix, got shape ${formatShape(A.shape)}`);
  const { U, s, Vh, info } = truncatedSvd(A.dtype === "f32" ? A.astype("f64") : A, { mode: "norm", ...options });
  const S = diag(Array.from(s));
  return { ...makeState(U, S, adjoint(Vh)), discardedNorm: info.discardedNorm };
}

/**
 * Y in larger bases whose first columns are Y's: U′ = [U, …] (m×k′), V′ = [V, …] (n×l′), and S
 * zero-padded to k′×l′. The matrix is unchanged; this is the "augmented Y0" from which a
 * rejected parallel-BUG step restarts, and the Galerkin start M̂·S0·N̂ᴴ of the BUG steps.
 *
 * @throws {@link ShapeError} unless U′ and V′ have Y's row counts and at least r columns.
 * @example
 * ```ts
 * const Y = lowRankFromDense(randn([5, 4], 3), { maxRank: 2 });
 * const Z = lowRankPad(Y, eye(5, 3), eye(4, 4));
 * console.assert(Z.S.shape.join() === "3,4" && Z.S.get(2, 3) === 0 && Z.S.get(0, 0) === Y.S.get(0, 0));
 * ```
 */
export function lowRankPad(Y: LowRankMatrix, U: Tensor, V: Tensor): LowRankMatrix {
  const { k, l } = checkState(Y, "lowRankPad");
  if (U.ndim !== 2 || V.ndim !== 2 || U.shape[0] !== Y.U.shape[0] || V.shape[0] !== Y.V.shape[0] || U.shape[1]! < k || V.shape[1]! < l) {
    throw new ShapeError(`lowRankPad: bases ${formatShape(U.shape)} and ${formatShape(V.shape)} cannot extend the state with U ${formatShape(Y.U.shape)}, V ${formatShape(Y.V.shape)}`);
  }
  return makeState(U, padCore(Y.S, U.shape[1]!, V.shape[1]!), V);
}

/** S zero-padded to rows×cols (top-left block S). */
export function padCore(S: Tensor, rows: number, cols: number): Tensor {
  if (rows === S.shape[0] && cols === S.shape[1]) return S;
  const out = new Tensor(S.dtype === "c128" ? "c128" : "f64", [rows, cols]);
  assignSlice(out, [[0, S.shape[0]!], [0, S.shape[1]!]], S.dtype === "f32" ? S.astype("f64") : S);
  return out;
}
