import { ArborError, ArgumentError, ShapeError } from "../../errors.js";
import { promoteTypes } from "../dtype.js";
import { asDType, assertFinite, combine } from "../elementwise.js";
import { matmul } from "../matmul.js";
import { normOfWords } from "../norms.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { qr } from "./qr.js";
import { svd } from "./svd.js";

/** Options of {@link lstsq}. */
export interface LstsqOptions {
  /**
   * `"svd"` (default): minimum-norm solution for any shape and rank, singular values below
   * `rcond·σ_max` treated as zero (numpy's `lstsq`). `"qr"`: Householder QR, faster, for
   * full-column-rank systems with m ≥ n; rank deficiency is reported as an error.
   */
  method?: "svd" | "qr";
  /** Relative cut-off for small singular values (default ε·max(m, n)). */
  rcond?: number;
}

/** Result of {@link lstsq}. */
export interface LstsqResult {
  /** The solution (n, or n×k for a matrix right-hand side). */
  x: Tensor;
  /** ‖A·x − b‖₂ for each right-hand side column. */
  residualNorms: Float64Array;
  /** Numerical rank of A used for the solution. */
  rank: number;
  /** Singular values of A (method "svd"; empty for "qr"). */
  s: Float64Array;
}

const EPS = 2 ** -52;

/**
 * Least squares: x minimising ‖A·x − b‖₂, with the minimum ‖x‖ among minimisers when A is
 * rank deficient (method "svd"). `b` may be a vector or a matrix of right-hand sides.
 *
 * @throws {@link ShapeError} when b's length differs from A's rows; {@link NonFiniteError} for
 * NaN/Inf; an `E_RANK` {@link ArborError} for a rank-deficient A with method "qr".
 * @example
 * ```ts
 * // Fit y = a + b·t through (0, 1), (1, 3), (2, 5): exact, a = 1, b = 2.
 * const { x } = lstsq(tensor([[1, 0], [1, 1], [1, 2]]), tensor([1, 3, 5]));
 * console.assert(Math.abs((x.get(1) as number) - 2) < 1e-14);
 * ```
 */
export function lstsq(A: Tensor, b: Tensor, options: LstsqOptions = {}): LstsqResult {
  for (const key of Object.keys(options)) {
    if (key !== "method" && key !== "rcond") throw new ArgumentError(`lstsq: unknown option "${key}"`);
  }
  const method = options.method ?? "svd";
  if (method !== "svd" && method !== "qr") throw new ArgumentError(`lstsq: unknown method ${JSON.stringify(method)}; expected "svd" or "qr"`);
  if (A.ndim !== 2) throw new ShapeError(`lstsq: A must be a matrix, got shape ${formatShape(A.shape)}`);
  const [m, n] = [A.shape[0]!, A.shape[1]!];
  if ((b.ndim !== 1 && b.ndim !== 2) || b.shape[0] !== m) {
    throw new ShapeError(`lstsq: right-hand side of shape ${formatShape(b.shape)} does not fit A of shape ${formatShape(A.shape)} (needs ${m} rows)`);
  }
  assertFinite(A, "lstsq");
  assertFinite(b, "lstsq");
  const rcond = options.rcond ?? EPS * Math.max(m, n);
  if (!(rcond >= 0)) throw new ArgumentError(`lstsq: rcond must be ≥ 0, got ${options.rcond}`);
  const dtype = promoteTypes(promoteTypes(A.dtype, b.dtype), "f64");
  const Af = asDType(A, dtype);
  const B = asDType(b, dtype).reshape(b.ndim === 1 ? [m, 1] : [m, b.shape[1]!]);
  const solved = method === "svd" ? solveSvd(Af, B, rcond) : solveQr(Af, B, rcond);
  const residual = combine(1, matmul(Af, solved.x), -1, B);
  const k = B.shape[1]!;
  const residualNorms = new Float64Array(k);
  const w = dtype === "c128" ? 2 : 1;
  for (let j = 0; j < k; j++) {
    const col = new Float64Array(w * m);
    for (let i = 0; i < m; i++) for (let q = 0; q < w; q++) col[w * i + q] = residual.data[w * (i * k + j) + q]!;
    residualNorms[j] = normOfWords(col);
  }
  const x = b.ndim === 1 ? solved.x.reshape([n]) : solved.x;
  return { x, residualNorms, rank: solved.rank, s: solved.s };
}

function solveSvd(A: Tensor, B: Tensor, rcond: number): { x: Tensor; rank: number; s: Float64Array } {
  const { U, s, Vh } = svd(A);
  const cut = rcond * (s.length > 0 ? s[0]! : 0);
  let rank = 0;
  while (rank < s.length && s[rank]! > cut) rank++;
  // x = V·diag(1/σ)·Uᴴ·b over the first `rank` singular triplets.
  const UhB = matmul(U, B, { adjointA: true });
  const k = B.shape[1]!;
  const w = A.dtype === "c128" ? 2 : 1;
  const scaled = new Tensor(UhB.dtype, UhB.shape);
  for (let i = 0; i < rank; i++)
    for (let j = 0; j < k; j++) for (let q = 0; q < w; q++) scaled.data[w * (i * k + j) + q] = UhB.data[w * (i * k + j) + q]! / s[i]!;
  return { x: matmul(Vh, scaled, { adjointA: true }), rank, s };
}

function solveQr(A: Tensor, B: Tensor, rcond: number): { x: Tensor; rank: number; s: Float64Array } {
  const [m, n] = [A.shape[0]!, A.shape[1]!];
  if (m < n) throw new ShapeError(`lstsq: method "qr" needs at least as many rows as columns, got ${formatShape(A.shape)}; use method "svd"`);
  const { Q, R } = qr(A);
  const w = A.dtype === "c128" ? 2 : 1;
  let rmax = 0;
  for (let i = 0; i < n; i++) rmax = Math.max(rmax, Math.hypot(R.data[w * (i * n + i)]!, w === 2 ? R.data[w * (i * n + i) + 1]! : 0));
  for (let i = 0; i < n; i++) {
    const rii = Math.hypot(R.data[w * (i * n + i)]!, w === 2 ? R.data[w * (i * n + i) + 1]! : 0);
    if (rii <= rcond * rmax) {
      throw new ArborError("E_RANK", `lstsq: A (${formatShape(A.shape)}) is rank deficient (|R[${i}][${i}]| = ${rii.toExponential(3)} ≤ rcond·max|R_jj|); use method "svd"`);
    }
  }
  const y = matmul(Q!, B, { adjointA: true });
  return { x: backSubstitute(R, y), rank: n, s: new Float64Array(0) };
}

// Solves R·X = Y for upper triangular R (n×n), column by column.
function backSubstitute(R: Tensor, Y: Tensor): Tensor {
  const n = R.shape[0]!;
  const k = Y.shape[1]!;
  const X = Y.clone();
  const r = R.data, x = X.data;
  if (R.dtype !== "c128") {
    for (let j = 0; j < k; j++)
      for (let i = n - 1; i >= 0; i--) {
        let s = x[i * k + j]!;
        for (let c = i + 1; c < n; c++) s -= r[i * n + c]! * x[c * k + j]!;
        x[i * k + j] = s / r[i * n + i]!;
      }
    return X;
  }
  for (let j = 0; j < k; j++)
    for (let i = n - 1; i >= 0; i--) {
      let sr = x[2 * (i * k + j)]!, si = x[2 * (i * k + j) + 1]!;
      for (let c = i + 1; c < n; c++) {
        const ar = r[2 * (i * n + c)]!, ai = r[2 * (i * n + c) + 1]!, br = x[2 * (c * k + j)]!, bi = x[2 * (c * k + j) + 1]!;
        sr -= ar * br - ai * bi;
        si -= ar * bi + ai * br;
      }
      const dr = r[2 * (i * n + i)]!, di = r[2 * (i * n + i) + 1]!;
      const den = dr * dr + di * di;
      x[2 * (i * k + j)] = (sr * dr + si * di) / den;
      x[2 * (i * k + j) + 1] = (si * dr - sr * di) / den;
    }
  return X;
}
