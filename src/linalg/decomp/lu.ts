/**
 * LU factorisation with partial pivoting, and the dense solves built on it: {@link solve},
 * {@link det}, {@link inv}.
 *
 * The factorisation is the classical unblocked right-looking Gaussian elimination (LAPACK's
 * xGETF2), O(n³) in plain loops: it serves the Padé denominators of `expm` and other small or
 * medium systems, where a blocked GEMM-based variant would not pay off. Factors are kept
 * row-major, packed as in LAPACK: the unit lower triangle L below the diagonal, U on and
 * above it.
 *
 * @module
 */
import { ArborError, NonFiniteError, ShapeError } from "../../errors.js";
import type { Complex } from "../dtype.js";
import { assertFinite } from "../elementwise.js";
import { assertDecomposable, assertSquare } from "../matmul.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

const EPS = 2 ** -52;

// The 1-norm estimator stops after this many power-method sweeps, as LAPACK's xLACON does: in
// practice it has converged after two or three.
const ESTIMATOR_SWEEPS = 5;

/**
 * A matrix that is exactly singular (a zero pivot) or numerically singular (reciprocal
 * condition number below machine epsilon), so a solve would return noise. Code `"E_SINGULAR"`.
 *
 * @example
 * ```ts
 * try { solve(tensor([[1, 2], [2, 4]]), tensor([1, 1])); }
 * catch (e) { console.assert(e instanceof SingularMatrixError && e.code === "E_SINGULAR" && e.size === 2); }
 * ```
 */
export class SingularMatrixError extends ArborError {
  /** Order of the matrix. */
  readonly size: number;
  /** The reciprocal 1-norm condition estimate (0 for an exactly singular matrix). */
  readonly rcond: number;
  constructor(message: string, size: number, rcond: number) {
    super("E_SINGULAR", message);
    this.size = size;
    this.rcond = rcond;
  }
}

/** Result of {@link lu}: P·A = L·U with the factors packed in one matrix. */
export interface LuResult {
  /** L (unit lower triangle, diagonal not stored) below the diagonal and U on and above it. */
  LU: Tensor<"f64" | "c128">;
  /**
   * Row interchanges, 0-based: at step k rows k and `pivots[k]` were swapped (LAPACK's ipiv
   * minus one). P applies them in order k = 0, 1, …, n−1.
   */
  pivots: Int32Array;
  /** det(P) = (−1)^(number of actual interchanges). */
  sign: 1 | -1;
  /**
   * Estimate of the reciprocal condition number 1/(‖A‖₁·‖A⁻¹‖₁), from Hager's 1-norm estimator
   * in Higham's form (ACM TOMS 14(4), 1988): a lower bound of ‖A⁻¹‖₁ that is almost always
   * within a factor 3 of it, so `rcond` is at most a small factor too large.
   */
  rcond: number;
}

interface Factorisation {
  n: number;
  w: 1 | 2;
  a: Float64Array;
  pivots: Int32Array;
  sign: 1 | -1;
  /** Index of the first exactly zero pivot, or −1. Elimination stops there. */
  zeroPivot: number;
}

/** Row-major f64 or interleaved c128 copy of a validated square matrix (f32 promoted). */
function workingCopy(A: Tensor, operation: string): { n: number; w: 1 | 2; a: Float64Array } {
  const n = assertSquare(A, operation);
  assertDecomposable(A, operation);
  assertFinite(A, operation);
  return { n, w: A.dtype === "c128" ? 2 : 1, a: Float64Array.from(A.data) };
}

function swapRows(a: Float64Array, rowWords: number, i: number, j: number): void {
  for (let c = 0, p = i * rowWords, q = j * rowWords; c < rowWords; c++, p++, q++) {
    const t = a[p]!;
    a[p] = a[q]!;
    a[q] = t;
  }
}

// Pivot choice by |re| + |im| in the complex case (as LAPACK's izamax): as good a growth
// control as the modulus and free of square roots.
function pivotRow(a: Float64Array, n: number, w: 1 | 2, k: number): [number, number] {
  let p = k, best = -1;
  for (let i = k; i < n; i++) {
    const o = w * (i * n + k);
    const v = w === 1 ? Math.abs(a[o]!) : Math.abs(a[o]!) + Math.abs(a[o + 1]!);
    if (v > best) {
      best = v;
      p = i;
    }
  }
  return [p, best];
}

function eliminateReal(a: Float64Array, n: number, k: number): void {
  const pivot = a[k * n + k]!;
  for (let i = k + 1; i < n; i++) {
    const l = a[i * n + k]! / pivot;
    a[i * n + k] = l;
    if (l === 0) continue;
    for (let j = k + 1, p = i * n + j, q = k * n + j; j < n; j++, p++, q++) a[p] = a[p]! - l * a[q]!;
  }
}

function eliminateComplex(a: Float64Array, n: number, k: number): void {
  const pr = a[2 * (k * n + k)]!, pi = a[2 * (k * n + k) + 1]!;
  for (let i = k + 1; i < n; i++) {
    const o = 2 * (i * n + k);
    const l = divide(a[o]!, a[o + 1]!, pr, pi);
    a[o] = l.re;
    a[o + 1] = l.im;
    if (l.re === 0 && l.im === 0) continue;
    for (let j = k + 1; j < n; j++) {
      const p = 2 * (i * n + j), q = 2 * (k * n + j);
      const ur = a[q]!, ui = a[q + 1]!;
      a[p] = a[p]! - (l.re * ur - l.im * ui);
      a[p + 1] = a[p + 1]! - (l.re * ui + l.im * ur);
    }
  }
}

// Smith's algorithm: no spurious overflow or underflow for pivots of extreme magnitude.
function divide(ar: number, ai: number, br: number, bi: number): Complex {
  if (Math.abs(br) >= Math.abs(bi)) {
    const r = bi / br, d = br + bi * r;
    return { re: (ar + ai * r) / d, im: (ai - ar * r) / d };
  }
  const r = br / bi, d = br * r + bi;
  return { re: (ar * r + ai) / d, im: (ai * r - ar) / d };
}

/** Gaussian elimination with partial pivoting on a working copy; stops at a zero pivot. */
function factorise(A: Tensor, operation: string): Factorisation {
  const { n, w, a } = workingCopy(A, operation);
  const pivots = new Int32Array(n);
  let sign: 1 | -1 = 1;
  for (let k = 0; k < n; k++) {
    const [p, best] = pivotRow(a, n, w, k);
    pivots[k] = p;
    if (best === 0) return { n, w, a, pivots, sign, zeroPivot: k };
    if (p !== k) {
      swapRows(a, w * n, k, p);
      sign = -sign as 1 | -1;
    }
    if (w === 1) eliminateReal(a, n, k);
    else eliminateComplex(a, n, k);
  }
  return { n, w, a, pivots, sign, zeroPivot: -1 };
}

/**
 * LU factorisation with partial (row) pivoting, P·A = L·U, of a square real or complex matrix
 * (f32 input is factorised in f64). Unblocked O(n³) elimination in plain loops (about
 * (2/3)·n³ flops real, four times that complex): meant for small and medium matrices.
 *
 * Singularity: an exactly zero pivot, or a reciprocal condition estimate
 * `rcond = 1/(‖A‖₁·est(‖A⁻¹‖₁)) < ε` (ε = 2⁻⁵²; Hager–Higham 1-norm estimator, a handful of
 * O(n²) triangular solves), throws a {@link SingularMatrixError}. Below that threshold a
 * solve with these factors would carry no correct digit.
 *
 * @param A square matrix, f64, c128 or f32.
 * @returns the packed factors, the pivots, det(P) and the condition estimate.
 * @throws {@link SingularMatrixError} (code `"E_SINGULAR"`) for a singular or numerically singular matrix.
 * @throws {@link NonFiniteError} for NaN or infinite entries; {@link ShapeError} unless square.
 * @example
 * ```ts
 * const A = tensor([[0, 2], [3, 4]]);
 * const { LU, pivots, sign } = lu(A);
 * console.assert(pivots[0] === 1 && sign === -1); // row 1 has the larger first entry
 * console.assert(LU.get(0, 0) === 3 && LU.get(1, 1) === 2); // U = [[3, 4], [0, 2]]
 * ```
 */
export function lu(A: Tensor): LuResult {
  const f = factorise(A, "lu");
  const size = `${f.n}×${f.n}`;
  if (f.zeroPivot >= 0) {
    throw new SingularMatrixError(`lu: the ${size} matrix is singular (zero pivot in column ${f.zeroPivot})`, f.n, 0);
  }
  if (!f.a.every(Number.isFinite)) {
    throw new NonFiniteError(`lu: elimination overflowed double precision on the ${size} matrix (element growth)`);
  }
  const rcond = f.n === 0 ? Infinity : 1 / (normOne(A) * estimateInverseNormOne(f));
  if (!(rcond >= EPS)) {
    throw new SingularMatrixError(
      `lu: the ${size} matrix is numerically singular (reciprocal condition estimate ${rcond.toExponential(2)} < ε = ${EPS.toExponential(2)})`,
      f.n,
      rcond,
    );
  }
  return { LU: new Tensor(f.w === 2 ? "c128" : "f64", [f.n, f.n], f.a), pivots: f.pivots, sign: f.sign, rcond };
}

/** Maximum absolute column sum. */
function normOne(A: Tensor): number {
  const n = A.shape[1]!;
  const w = A.dtype === "c128" ? 2 : 1;
  const sums = new Float64Array(n);
  for (let i = 0; i < A.shape[0]!; i++)
    for (let j = 0; j < n; j++) {
      const o = w * (i * n + j);
      sums[j] = sums[j]! + (w === 1 ? Math.abs(A.data[o]!) : Math.hypot(A.data[o]!, A.data[o + 1]!));
    }
  return sums.reduce((m, s) => Math.max(m, s), 0);
}

function vectorNormOne(x: Float64Array, w: 1 | 2): number {
  let s = 0;
  if (w === 1) for (let i = 0; i < x.length; i++) s += Math.abs(x[i]!);
  else for (let i = 0; i < x.length; i += 2) s += Math.hypot(x[i]!, x[i + 1]!);
  return s;
}

/**
 * Hager's estimate of ‖A⁻¹‖₁ (Higham 1988, Algorithm 4.1, with the alternating-sign extra
 * vector of LAPACK's xLACON): a power method on the convex function x ↦ ‖A⁻¹x‖₁ over the unit
 * 1-ball, each sweep one solve with A and one with Aᴴ.
 */
function estimateInverseNormOne(f: Factorisation): number {
  const { n, w } = f;
  let x = new Float64Array(w * n);
  for (let i = 0; i < n; i++) x[w * i] = 1 / n;
  let est = 0;
  for (let sweep = 0; sweep < ESTIMATOR_SWEEPS; sweep++) {
    const y = x.slice();
    solveInPlace(f, y, 1);
    est = Math.max(est, vectorNormOne(y, w));
    const z = signOf(y, w);
    solveAdjointVectorInPlace(f, z);
    const [j, zMax] = largestEntry(z, w);
    let zx = 0;
    for (let i = 0; i < x.length; i++) zx += z[i]! * x[i]!; // Re(zᴴx) in both fields
    if (sweep > 0 && zMax <= zx) break;
    x = new Float64Array(w * n);
    x[w * j] = 1;
  }
  // Catches the matrices built to fool the power method (Higham 1988, §4).
  const alt = new Float64Array(w * n);
  for (let i = 0; i < n; i++) alt[w * i] = (i % 2 === 0 ? 1 : -1) * (1 + (n > 1 ? i / (n - 1) : 0));
  solveInPlace(f, alt, 1);
  return Math.max(est, (2 * vectorNormOne(alt, w)) / (3 * n));
}

function signOf(y: Float64Array, w: 1 | 2): Float64Array {
  const s = new Float64Array(y.length);
  if (w === 1) for (let i = 0; i < y.length; i++) s[i] = y[i]! >= 0 ? 1 : -1;
  else
    for (let i = 0; i < y.length; i += 2) {
      const m = Math.hypot(y[i]!, y[i + 1]!);
      s[i] = m === 0 ? 1 : y[i]! / m;
      s[i + 1] = m === 0 ? 0 : y[i + 1]! / m;
    }
  return s;
}

function largestEntry(z: Float64Array, w: 1 | 2): [number, number] {
  let j = 0, m = -1;
  for (let i = 0; i < z.length / w; i++) {
    const v = w === 1 ? Math.abs(z[i]!) : Math.hypot(z[2 * i]!, z[2 * i + 1]!);
    if (v > m) {
      m = v;
      j = i;
    }
  }
  return [j, m];
}

/** Overwrites the n×k row-major block `b` (same field as the factors) with A⁻¹·b. */
function solveInPlace(f: Factorisation, b: Float64Array, k: number): void {
  const rowWords = f.w * k;
  for (let i = 0; i < f.n; i++) if (f.pivots[i] !== i) swapRows(b, rowWords, i, f.pivots[i]!);
  if (f.w === 1) {
    forwardUnitLowerReal(f.a, f.n, b, k);
    backwardUpperReal(f.a, f.n, b, k);
  } else {
    forwardUnitLowerComplex(f.a, f.n, b, k);
    backwardUpperComplex(f.a, f.n, b, k);
  }
}

// Row-oriented substitutions: row i of the right-hand side is updated by whole earlier rows,
// so the inner loops run over contiguous memory.
function forwardUnitLowerReal(a: Float64Array, n: number, b: Float64Array, k: number): void {
  for (let i = 1; i < n; i++)
    for (let j = 0; j < i; j++) {
      const l = a[i * n + j]!;
      if (l === 0) continue;
      for (let c = 0, p = i * k, q = j * k; c < k; c++, p++, q++) b[p] = b[p]! - l * b[q]!;
    }
}

function backwardUpperReal(a: Float64Array, n: number, b: Float64Array, k: number): void {
  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + 1; j < n; j++) {
      const u = a[i * n + j]!;
      if (u === 0) continue;
      for (let c = 0, p = i * k, q = j * k; c < k; c++, p++, q++) b[p] = b[p]! - u * b[q]!;
    }
    const d = a[i * n + i]!;
    for (let c = 0, p = i * k; c < k; c++, p++) b[p] = b[p]! / d;
  }
}

function forwardUnitLowerComplex(a: Float64Array, n: number, b: Float64Array, k: number): void {
  for (let i = 1; i < n; i++)
    for (let j = 0; j < i; j++) {
      const lr = a[2 * (i * n + j)]!, li = a[2 * (i * n + j) + 1]!;
      if (lr === 0 && li === 0) continue;
      subtractScaledRow(b, i, j, k, lr, li);
    }
}

function backwardUpperComplex(a: Float64Array, n: number, b: Float64Array, k: number): void {
  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + 1; j < n; j++) {
      const ur = a[2 * (i * n + j)]!, ui = a[2 * (i * n + j) + 1]!;
      if (ur === 0 && ui === 0) continue;
      subtractScaledRow(b, i, j, k, ur, ui);
    }
    const dr = a[2 * (i * n + i)]!, di = a[2 * (i * n + i) + 1]!;
    for (let c = 0; c < k; c++) {
      const p = 2 * (i * k + c);
      const q = divide(b[p]!, b[p + 1]!, dr, di);
      b[p] = q.re;
      b[p + 1] = q.im;
    }
  }
}

/** Row i of the complex block b −= (sr + i·si)·row j. */
function subtractScaledRow(b: Float64Array, i: number, j: number, k: number, sr: number, si: number): void {
  for (let c = 0, p = 2 * i * k, q = 2 * j * k; c < k; c++, p += 2, q += 2) {
    const xr = b[q]!, xi = b[q + 1]!;
    b[p] = b[p]! - (sr * xr - si * xi);
    b[p + 1] = b[p + 1]! - (sr * xi + si * xr);
  }
}

/**
 * Overwrites the vector x with A⁻ᴴ·x (A⁻ᵀ·x when real). Since A = Pᵀ·L·U, Aᴴ = Uᴴ·Lᴴ·P: a
 * forward solve with Uᴴ, a backward solve with Lᴴ, then the interchanges undone in reverse.
 */
function solveAdjointVectorInPlace(f: Factorisation, x: Float64Array): void {
  const { n, w, a } = f;
  const s = w === 2 ? -1 : 1; // conjugation of the factors' entries
  for (let j = 0; j < n; j++) {
    const q = divide(x[w * j]!, w === 2 ? x[w * j + 1]! : 0, a[w * (j * n + j)]!, w === 2 ? s * a[w * (j * n + j) + 1]! : 0);
    x[w * j] = q.re;
    if (w === 2) x[w * j + 1] = q.im;
    for (let i = j + 1; i < n; i++) axpyEntry(x, i, j, a, w * (j * n + i), w, s);
  }
  for (let j = n - 1; j >= 0; j--) for (let i = 0; i < j; i++) axpyEntry(x, i, j, a, w * (j * n + i), w, s);
  for (let k = n - 1; k >= 0; k--) if (f.pivots[k] !== k) swapRows(x, w, k, f.pivots[k]!);
}

/** x_i −= conj?(a[o])·x_j for one entry. */
function axpyEntry(x: Float64Array, i: number, j: number, a: Float64Array, o: number, w: 1 | 2, s: number): void {
  if (w === 1) {
    x[i] = x[i]! - a[o]! * x[j]!;
    return;
  }
  const cr = a[o]!, ci = s * a[o + 1]!, xr = x[2 * j]!, xi = x[2 * j + 1]!;
  x[2 * i] = x[2 * i]! - (cr * xr - ci * xi);
  x[2 * i + 1] = x[2 * i + 1]! - (cr * xi + ci * xr);
}

/**
 * Solves A·X = B given the factors of A from {@link lu}. B is a vector of length n or an n×k
 * matrix; the result has B's shape and the promoted dtype (c128 if either is complex, else f64).
 *
 * @param factors the result of {@link lu} for A.
 * @param B right-hand side(s).
 * @returns X = A⁻¹·B.
 * @throws {@link ShapeError} if B's leading dimension is not n; {@link NonFiniteError} for non-finite B.
 * @example
 * ```ts
 * const A = tensor([[4, 1], [2, 3]]);
 * const x = luSolve(lu(A), tensor([1, 2]));
 * console.assert(distance(matmul(A, x), tensor([1, 2])) < 1e-15);
 * ```
 */
export function luSolve(factors: LuResult, B: Tensor): Tensor {
  const n = factors.LU.shape[0]!;
  if ((B.ndim !== 1 && B.ndim !== 2) || B.shape[0] !== n) {
    throw new ShapeError(`solve: right-hand side of shape ${formatShape(B.shape)} does not fit a ${n}×${n} matrix`);
  }
  assertFinite(B, "solve");
  const complex = factors.LU.dtype === "c128" || B.dtype === "c128";
  const w: 1 | 2 = complex ? 2 : 1;
  const LU = complex ? factors.LU.astype("c128") : factors.LU;
  const b = complex ? B.astype("c128").data : Float64Array.from(B.data);
  const f: Factorisation = { n, w, a: LU.data, pivots: factors.pivots, sign: factors.sign, zeroPivot: -1 };
  solveInPlace(f, b, B.ndim === 2 ? B.shape[1]! : 1);
  return new Tensor(complex ? "c128" : "f64", B.shape, b);
}

/**
 * Solves the square system A·X = B by LU with partial pivoting ({@link lu} then
 * {@link luSolve}). The result is backward stable in practice: ‖A·X − B‖ ≲ c·n·ε·‖A‖·‖X‖.
 * Dtypes promote as in `matmul` (f64 with c128 gives c128); f32 is computed and returned in f64.
 *
 * @param A square coefficient matrix.
 * @param B a vector of length n or an n×k matrix.
 * @returns X with B's shape.
 * @throws {@link SingularMatrixError} (code `"E_SINGULAR"`) for a singular or numerically singular A.
 * @throws {@link ShapeError}, {@link NonFiniteError} for bad shapes or non-finite input.
 * @example
 * ```ts
 * const A = tensor([[0, 1], [1, 0]]); // needs pivoting
 * const x = solve(A, tensor([2, 3]));
 * console.assert(x.get(0) === 3 && x.get(1) === 2);
 * ```
 */
export function solve(A: Tensor, B: Tensor): Tensor {
  const factors = lu(A);
  return luSolve(factors, B);
}

/**
 * Determinant from the LU factors: det(A) = det(P)·Π U_ii. Singular matrices are not an error
 * here: an exactly zero pivot gives 0, and a numerically singular matrix gives its (tiny,
 * inaccurate) determinant. The product may overflow or underflow for large n even when the
 * determinant is representable. A 0×0 matrix has determinant 1.
 *
 * @param A square matrix.
 * @returns a number for real A, `{ re, im }` for complex A.
 * @throws {@link NonFiniteError} for non-finite input; {@link ShapeError} unless square.
 * @example
 * ```ts
 * console.assert(det(tensor([[2, 5], [0, 3]])) === 6);
 * console.assert(det(tensor([[0, 1], [1, 0]])) === -1);
 * ```
 */
export function det(A: Tensor<"f64" | "f32">): number;
export function det(A: Tensor): number | Complex;
export function det(A: Tensor): number | Complex {
  const f = factorise(A, "det");
  const complex = f.w === 2;
  if (f.zeroPivot >= 0) return complex ? { re: 0, im: 0 } : 0;
  let re: number = f.sign, im = 0;
  for (let i = 0; i < f.n; i++) {
    const o = f.w * (i * f.n + i);
    if (!complex) re *= f.a[o]!;
    else {
      const dr = f.a[o]!, di = f.a[o + 1]!;
      [re, im] = [re * dr - im * di, re * di + im * dr];
    }
  }
  return complex ? { re, im } : re;
}

/**
 * Matrix inverse by LU: solves A·X = I. Prefer {@link solve} to forming the inverse when the
 * goal is A⁻¹·B (cheaper and more accurate).
 *
 * @param A square, non-singular matrix.
 * @returns A⁻¹ (f64 or c128).
 * @throws {@link SingularMatrixError} (code `"E_SINGULAR"`) for a singular or numerically singular A.
 * @throws {@link NonFiniteError}, {@link ShapeError} for bad input.
 * @example
 * ```ts
 * const A = tensor([[2, 1], [1, 1]]);
 * console.assert(distance(matmul(inv(A), A), eye(2)) < 1e-15);
 * ```
 */
export function inv(A: Tensor): Tensor {
  const factors = lu(A);
  const n = factors.LU.shape[0]!;
  return luSolve(factors, Tensor.eye(n, n, factors.LU.dtype));
}
