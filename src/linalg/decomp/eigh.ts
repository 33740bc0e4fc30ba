import { ArgumentError, ShapeError } from "../../errors.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkMatrix, loadColMajor, matrixTensor, paddedLd, storeRowMajor } from "./colmajor.js";
import { fieldFor } from "./field.js";
import { tridiagonalEig } from "./tridiagonal-eig.js";
import { hetrd, tridiagonalQ } from "./tridiagonal.js";

/** Options of {@link eigh}. */
export interface EighOptions {
  /** Compute eigenvectors (default true). */
  vectors?: boolean;
  /**
   * Largest accepted max|A − Aᴴ| relative to max|A| (default 1e-10). The lower triangle is
   * what is decomposed; this check catches matrices that are not Hermitian at all.
   * Set to Infinity to skip it.
   */
  hermitianTol?: number;
}

/** Result of {@link eigh}: A = V·diag(values)·Vᴴ with V unitary. */
export interface EighResult {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as columns (n×n); an empty tensor when `vectors: false`. */
  vectors: Tensor;
}

function hermitianDefect(A: Tensor, n: number): { defect: number; scale: number } {
  const w = A.dtype === "c128" ? 2 : 1;
  const d = A.data;
  let defect = 0, scale = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const p = w * (i * n + j), q = w * (j * n + i);
      const re = d[p]! - d[q]!;
      const im = w === 2 ? d[p + 1]! + d[q + 1]! : 0;
      defect = Math.max(defect, Math.hypot(re, im));
      scale = Math.max(scale, Math.abs(d[p]!), w === 2 ? Math.abs(d[p + 1]!) : 0);
    }
  return { defect, scale };
}

/**
 * Eigen-decomposition of a real symmetric or complex Hermitian matrix: Householder
 * tridiagonalisation, then implicit QL/QR with Wilkinson shifts (the algorithms of LAPACK's
 * xHETRD and xSTEQR). Eigenvalues are accurate to O(n·ε·‖A‖), eigenvectors orthonormal to
 * O(n·ε). f32 input is decomposed in f64.
 *
 * @throws {@link ArgumentError} if A is not Hermitian within `hermitianTol`;
 * {@link NonFiniteError} for NaN or infinite input; {@link ShapeError} unless square.
 * @example
 * ```ts
 * const { values, vectors } = eigh(tensor([[2, 1], [1, 2]]));
 * console.assert(Math.abs(values[0]! - 1) < 1e-15 && Math.abs(values[1]! - 3) < 1e-15);
 * console.assert(vectors.shape[0] === 2);
 * ```
 */
export function eigh(A: Tensor, options: EighOptions = {}): EighResult {
  for (const key of Object.keys(options)) {
    if (key !== "vectors" && key !== "hermitianTol") throw new ArgumentError(`eigh: unknown option "${key}"`);
  }
  const [n, m] = checkMatrix(A, "eigh");
  if (n !== m) throw new ShapeError(`eigh: needs a square matrix, got shape ${formatShape(A.shape)}`);
  const tol = options.hermitianTol ?? 1e-10;
  const { defect, scale } = hermitianDefect(A, n);
  if (defect > tol * scale) {
    throw new ArgumentError(`eigh: the ${n}×${n} matrix is not Hermitian: max|A − Aᴴ| = ${defect.toExponential(3)} (max|A| = ${scale.toExponential(3)}, tolerance ${tol})`);
  }
  const F = fieldFor(A.dtype === "c128");
  const vectors = options.vectors ?? true;
  return F.arena.scope(() => {
    const a = loadColMajor(F, A);
    const t = hetrd(F, n, a, n);
    if (!vectors) {
      tridiagonalEig(F.arena, n, t.d, t.e);
      return { values: t.d, vectors: matrixTensor(F, new Float64Array(0), 0, 0) };
    }
    const ldq = paddedLd(n, F.w);
    const Q = tridiagonalQ(F, n, a, n, t, ldq);
    tridiagonalEig(F.arena, n, t.d, t.e, { ptr: Q, rows: n, ld: ldq, w: F.w });
    return { values: t.d, vectors: matrixTensor(F, storeRowMajor(F, Q, n, n, ldq), n, n) };
  });
}

/**
 * Eigenvalues only (ascending) of a Hermitian matrix.
 *
 * @example
 * ```ts
 * const v = eigvalsh(tensor([[0, 1], [1, 0]]));
 * console.assert(v[0] === -1 && v[1] === 1);
 * ```
 */
export function eigvalsh(A: Tensor, options: Omit<EighOptions, "vectors"> = {}): Float64Array {
  return eigh(A, { ...options, vectors: false }).values;
}
