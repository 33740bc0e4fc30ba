import { ArgumentError } from "../../errors.js";
import { Tensor } from "../tensor.js";
import { slice } from "../slice.js";
import { bidiagonalP, bidiagonalQ, gebrd } from "./bidiagonal.js";
import { bidiagonalSvd } from "./bidiagonal-svd.js";
import {
  at,
  checkMatrix,
  loadAdjointColMajor,
  loadColMajor,
  matrixTensor,
  paddedLd,
  storeAdjointRowMajor,
  storeRowMajor,
} from "./colmajor.js";
import { fieldFor, type Field } from "./field.js";
import { geqrf, orgqr, qr } from "./qr.js";
import { resolveTruncation, truncationRank, type TruncationInfo, type TruncationOptions } from "./truncation.js";

// Tall matrices are first reduced by QR: bidiagonalising R (n×n) instead of A (m×n) saves
// work once m exceeds about 1.6 n (LAPACK's crossover for xGESVD).
const QR_FIRST_RATIO = 1.6;

interface ArenaSvd {
  s: Float64Array;
  /** m×n column-major (leading dimension ldu), when vectors were asked for */
  U: number;
  ldu: number;
  /** n×n column-major (leading dimension ldv): V, not Vᴴ */
  V: number;
  ldv: number;
}

/** SVD of the m×n (m ≥ n) column-major block at `a` (ld = m), destroying it. */
function svdTall(F: Field, m: number, n: number, a: number, vectors: boolean): ArenaSvd {
  if (m >= QR_FIRST_RATIO * n && n > 0) {
    const taus = geqrf(F, m, n, a, m);
    const R = F.arena.zerosF64(F.w * n * n);
    const f = F.arena.f64;
    for (let j = 0; j < n; j++) {
      const src = at(F, a, m, 0, j);
      f.copyWithin(at(F, R, n, 0, j), src, src + F.w * (j + 1));
    }
    const inner = svdTall(F, n, n, R, vectors);
    if (!vectors) return { s: inner.s, U: -1, ldu: 0, V: -1, ldv: 0 };
    const Q = orgqr(F, m, n, a, m, taus);
    const U = F.arena.allocF64(F.w * m * n);
    F.gemm(0, 0, m, n, n, { re: 1, im: 0 }, Q, m, inner.U, inner.ldu, { re: 0, im: 0 }, U, m);
    return { s: inner.s, U, ldu: m, V: inner.V, ldv: inner.ldv };
  }
  const b = gebrd(F, m, n, a, m);
  if (!vectors) {
    bidiagonalSvd(F.arena, n, b.d, b.e);
    return { s: b.d, U: -1, ldu: 0, V: -1, ldv: 0 };
  }
  const ldu = paddedLd(m, F.w), ldv = paddedLd(n, F.w);
  const U = bidiagonalQ(F, m, n, a, m, b, ldu);
  const V = bidiagonalP(F, n, a, m, b, ldv);
  bidiagonalSvd(F.arena, n, b.d, b.e, { ptr: U, rows: m, ld: ldu, w: F.w }, { ptr: V, rows: n, ld: ldv, w: F.w });
  return { s: b.d, U, ldu, V, ldv };
}

/** Options of {@link svd}. */
export interface SvdOptions {
  /** Compute singular vectors (default true); without them only `s` is returned. */
  vectors?: boolean;
  /** Return square U (m×m) and Vh (n×n), as numpy's `full_matrices=True` (default false: thin). */
  full?: boolean;
}

/** Result of {@link svd}: A = U·diag(s)·Vh, s decreasing and non-negative. */
export interface SvdResult {
  /** m×k with orthonormal columns (k = min(m, n); m×m when `full`). */
  U: Tensor;
  /** The k singular values, decreasing. */
  s: Float64Array;
  /** k×n with orthonormal rows (n×n when `full`). */
  Vh: Tensor;
}

/**
 * Singular value decomposition of a real or complex matrix: Householder bidiagonalisation
 * (after a QR step for tall matrices) and implicit QR on the bidiagonal (Demmel–Kahan), so
 * small singular values come out with high relative accuracy for graded matrices.
 * f32 input is decomposed in f64.
 *
 * @throws {@link NonFiniteError} for NaN or infinite input; {@link ShapeError} unless 2-D;
 * {@link ConvergenceError} in the (never observed) case the QR iteration stalls.
 * @example
 * ```ts
 * const A = randn([5, 3], 1);
 * const { U, s, Vh } = svd(A);
 * const US = matmul(U, diag(tensor(Array.from(s))));
 * console.assert(distance(matmul(US, Vh), A) < 1e-13);
 * ```
 */
export function svd(A: Tensor, options: SvdOptions = {}): SvdResult {
  for (const key of Object.keys(options)) {
    if (key !== "vectors" && key !== "full") throw new ArgumentError(`svd: unknown option "${key}"`);
  }
  const [m, n] = checkMatrix(A, "svd");
  const F = fieldFor(A.dtype === "c128");
  const k = Math.min(m, n);
  const vectors = options.vectors ?? true;
  const empty = matrixTensor(F, new Float64Array(0), 0, 0);
  // A tall problem's (U, V) are A's; a wide one decomposes Aᴴ = U′·S·V′ᴴ, so A = V′·S·U′ᴴ.
  const pack = (r: ArenaSvd, left: [number, number], right: [number, number]): SvdResult =>
    vectors
      ? {
          U: matrixTensor(F, storeRowMajor(F, left[0], m, k, left[1]), m, k),
          s: r.s,
          Vh: matrixTensor(F, storeAdjointRowMajor(F, right[0], n, k, right[1]), k, n),
        }
      : { U: empty, s: r.s, Vh: empty };
  const thin = F.arena.scope((): SvdResult => {
    if (m >= n) {
      const r = svdTall(F, m, n, loadColMajor(F, A), vectors);
      return pack(r, [r.U, r.ldu], [r.V, r.ldv]);
    }
    const r = svdTall(F, n, m, loadAdjointColMajor(F, A), vectors);
    return pack(r, [r.V, r.ldv], [r.U, r.ldu]);
  });
  if (!vectors || !options.full) return thin;
  return { U: completeColumns(thin.U), s: thin.s, Vh: completeColumns(thin.Vh.reshape([k, n]), true) };
}

// Extends orthonormal columns (or rows, when `rows`) to a square unitary matrix: the extra
// vectors are the trailing columns of the complete QR factor of the given ones.
function completeColumns(M: Tensor, rows = false): Tensor {
  const B = rows ? adjointOf(M) : M;
  const [m, k] = [B.shape[0]!, B.shape[1]!];
  let full: Tensor;
  if (m === k) full = B;
  else {
    const { Q } = qr(B, { mode: "complete" });
    full = Q!.clone();
    const w = B.dtype === "c128" ? 2 : 1;
    for (let i = 0; i < m; i++) full.data.set(B.data.subarray(w * i * k, w * (i + 1) * k), w * i * m);
  }
  return rows ? adjointOf(full) : full;
}

function adjointOf(M: Tensor): Tensor {
  const [r, c] = [M.shape[0]!, M.shape[1]!];
  const w = M.dtype === "c128" ? 2 : 1;
  const out = new Tensor(M.dtype === "c128" ? "c128" : "f64", [c, r]);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      out.data[w * (j * r + i)] = M.data[w * (i * c + j)]!;
      if (w === 2) out.data[2 * (j * r + i) + 1] = -M.data[2 * (i * c + j) + 1]!;
    }
  return out;
}

/**
 * Singular values only (decreasing), without forming vectors: about a third of the work.
 *
 * @example
 * ```ts
 * const s = singularValues(tensor([[3, 0], [0, -4]]));
 * console.assert(s[0] === 4 && s[1] === 3);
 * ```
 */
export function singularValues(A: Tensor): Float64Array {
  return svd(A, { vectors: false }).s;
}

/** Result of {@link truncatedSvd}: the kept factors and what the truncation discarded. */
export interface TruncatedSvdResult extends SvdResult {
  info: TruncationInfo;
}

/**
 * SVD truncated by tolerance and/or rank (see {@link TruncationOptions} for the modes and
 * their defaults): U is m×r, s has r values, Vh is r×n, and `info` reports the discarded
 * weight. With `renormalize`, the kept s are rescaled to the original Frobenius norm.
 *
 * @example
 * ```ts
 * const A = randn([20, 12], 3);
 * const t = truncatedSvd(A, { maxRank: 4 });
 * const err = distance(matmul(matmul(t.U, diag(tensor(Array.from(t.s)))), t.Vh), A);
 * console.assert(Math.abs(err - t.info.discardedNorm) < 1e-12); // Eckart–Young
 * ```
 */
export function truncatedSvd(A: Tensor, options: TruncationOptions = {}): TruncatedSvdResult {
  const o = resolveTruncation(options);
  const full = svd(A);
  const info = truncationRank(full.s, options);
  const r = info.rank;
  const s = full.s.slice(0, r);
  if (o.renormalize && r > 0) {
    let kept = 0;
    for (const v of s) kept += v * v;
    if (kept > 0) {
      const f = Math.sqrt(info.totalWeight / kept);
      for (let i = 0; i < r; i++) s[i] = s[i]! * f;
    }
  }
  return { U: slice(full.U, [null, [0, r]]), s, Vh: slice(full.Vh, [[0, r], null]), info };
}
