import { getArena, paddedLd } from "../backend/cpu/arena.js";
import { countFlops } from "../backend/cpu/flops.js";
import { dgemmArena, sgemmArena, zgemmArena, type Op } from "../backend/cpu/gemm.js";
import { DTypeError, ShapeError } from "../errors.js";
import { allocStorage, promoteTypes, type DType, type StorageOf } from "./dtype.js";
import { asDType } from "./elementwise.js";
import { permuteStorage } from "./permute.js";
import { formatShape } from "./shape.js";
import { Tensor } from "./tensor.js";

export type { Op } from "../backend/cpu/gemm.js";

// Below this many multiply-adds, copying operands into kernel memory costs more than the
// product itself, so plain loops run instead. Measured (square f64/c128 products): the kernel
// path costs about 1.2 µs fixed and wins from n = 8 (512 MACs: 1.4 µs against 2.0 µs in
// loops); at n = 4 (64 MACs) the loops win, 0.85 µs against 1.2 µs.
const SMALL_MACS = 256;

function smallRealGemm(opA: Op, opB: Op, m: number, n: number, k: number,
  a: ArrayLike<number>, lda: number, b: ArrayLike<number>, ldb: number, c: Float64Array | Float32Array): void {
  const sai = opA === 0 ? lda : 1, sap = opA === 0 ? 1 : lda;
  const sbp = opB === 0 ? ldb : 1, sbj = opB === 0 ? 1 : ldb;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0, ia = i * sai, ib = j * sbj; p < k; p++, ia += sap, ib += sbp) s += a[ia]! * b[ib]!;
      c[i * n + j] = s;
    }
  }
}

function smallComplexGemm(opA: Op, opB: Op, m: number, n: number, k: number,
  a: Float64Array, lda: number, b: Float64Array, ldb: number, c: Float64Array): void {
  const sai = opA === 0 ? lda : 1, sap = opA === 0 ? 1 : lda;
  const sbp = opB === 0 ? ldb : 1, sbj = opB === 0 ? 1 : ldb;
  const ca = opA === 2 ? -1 : 1, cb = opB === 2 ? -1 : 1;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sr = 0, si = 0;
      for (let p = 0, ia = i * sai, ib = j * sbj; p < k; p++, ia += sap, ib += sbp) {
        const ar = a[2 * ia]!, ai = ca * a[2 * ia + 1]!, br = b[2 * ib]!, bi = cb * b[2 * ib + 1]!;
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      c[2 * (i * n + j)] = sr;
      c[2 * (i * n + j) + 1] = si;
    }
  }
}

// Copies `rows` rows of `len` elements (w words each) into kernel memory with another stride.
function copyRows(dst: Float64Array | Float32Array, src: Float64Array | Float32Array, rows: number, len: number, at: number, ld: number, w: number): void {
  if (ld === len) {
    dst.set(src.subarray(0, w * rows * len), at);
    return;
  }
  for (let i = 0; i < rows; i++) dst.set(src.subarray(w * i * len, w * (i + 1) * len), at + w * i * ld);
}

function copyRowsOut(src: Float64Array | Float32Array, at: number, ld: number, dst: Float64Array | Float32Array, rows: number, len: number, w: number): void {
  if (ld === len) {
    dst.set(src.subarray(at, at + w * rows * len));
    return;
  }
  for (let i = 0; i < rows; i++) dst.set(src.subarray(at + w * i * ld, at + w * (i * ld + len)), w * i * len);
}

/**
 * An operand of {@link gemmOperands}: row-major storage used as stored (`op`, row length `ld`),
 * or storage of a tensor of `shape` whose axes are first reordered by `axes` (numpy's
 * transpose) — that permutation is written straight into kernel memory, so contractions whose
 * operands need one do not allocate a permuted copy.
 */
export type GemmOperand<D extends DType> =
  | { data: StorageOf<D>; op: Op; ld: number }
  | { data: StorageOf<D>; shape: readonly number[]; axes: readonly number[] };

/**
 * `op(A)·op(B)` for row-major storage arrays of one dtype: `A` holds an (m×k, or k×m when
 * transposed) matrix with row length `lda`, likewise `B`. Returns fresh m×n storage.
 * This is the single entry point through which contractions reach the kernels.
 */
export function gemmStorage<D extends DType>(
  dtype: D, opA: Op, opB: Op, m: number, n: number, k: number,
  A: StorageOf<D>, lda: number, B: StorageOf<D>, ldb: number,
): StorageOf<D> {
  return gemmOperands(dtype, m, n, k, { data: A, op: opA, ld: lda }, { data: B, op: opB, ld: ldb });
}

/**
 * {@link gemmStorage} with operands that may be permuted on their way into kernel memory.
 */
export function gemmOperands<D extends DType>(dtype: D, m: number, n: number, k: number, A: GemmOperand<D>, B: GemmOperand<D>): StorageOf<D> {
  const C = allocStorage(dtype, m * n);
  if (m === 0 || n === 0 || k === 0) return C;
  const w = dtype === "c128" ? 2 : 1;
  if (m * n * k <= SMALL_MACS) {
    const a = plainOperand(dtype, A, w, k), b = plainOperand(dtype, B, w, n);
    countFlops((dtype === "c128" ? 8 : 2) * m * n * k);
    if (dtype === "c128") smallComplexGemm(a.op, b.op, m, n, k, a.data as Float64Array, a.ld, b.data as Float64Array, b.ld, C as Float64Array);
    else smallRealGemm(a.op, b.op, m, n, k, a.data, a.ld, b.data, b.ld, C);
    return C;
  }
  const arena = getArena();
  const opA = "op" in A ? A.op : 0, opB = "op" in B ? B.op : 0;
  const rowsA = opA === 0 ? m : k, rowsB = opB === 0 ? k : n;
  const colsA = opA === 0 ? k : m, colsB = opB === 0 ? n : k;
  arena.scope(() => {
    if (dtype === "f32") {
      // Floats: pad by the same byte rule as doubles (half the words per element).
      const la = "op" in A ? 2 * paddedLd(Math.ceil(A.ld / 2)) : colsA, lb = "op" in B ? 2 * paddedLd(Math.ceil(B.ld / 2)) : colsB, lc = 2 * paddedLd(Math.ceil(n / 2));
      const pa = arena.allocF32(rowsA * la), pb = arena.allocF32(rowsB * lb), pc = arena.allocF32(m * lc);
      placeOperand(arena.f32, A, rowsA, pa, la, 1);
      placeOperand(arena.f32, B, rowsB, pb, lb, 1);
      sgemmArena(opA, opB, m, n, k, 1, pa, la, pb, lb, 0, pc, lc);
      copyRowsOut(arena.f32, pc, lc, C, m, n, 1);
      return;
    }
    // Permuted operands keep their natural row length (they are written once, unpadded).
    const la = "op" in A ? paddedLd(A.ld, w) : colsA, lb = "op" in B ? paddedLd(B.ld, w) : colsB, lc = paddedLd(n, w);
    const pa = arena.allocF64(w * rowsA * la), pb = arena.allocF64(w * rowsB * lb), pc = arena.allocF64(w * m * lc);
    placeOperand(arena.f64, A, rowsA, pa, la, w);
    placeOperand(arena.f64, B, rowsB, pb, lb, w);
    if (dtype === "c128") zgemmArena(opA, opB, m, n, k, { re: 1, im: 0 }, pa, la, pb, lb, { re: 0, im: 0 }, pc, lc);
    else dgemmArena(opA, opB, m, n, k, 1, pa, la, pb, lb, 0, pc, lc);
    copyRowsOut(arena.f64, pc, lc, C, m, n, w);
  });
  return C;
}

function placeOperand<D extends DType>(dst: Float64Array | Float32Array, x: GemmOperand<D>, rows: number, at: number, ld: number, w: number): void {
  if ("op" in x) copyRows(dst, x.data, rows, x.ld, at, ld, w);
  else permuteStorage(x.data as Float64Array, x.shape, x.axes, w, dst.subarray(at, at + w * rows * ld) as Float64Array);
}

// A permuted operand as plain storage (small products only), `cols` elements per row.
function plainOperand<D extends DType>(dtype: D, x: GemmOperand<D>, w: number, cols: number): { data: StorageOf<D>; op: Op; ld: number } {
  if ("op" in x) return x;
  const data = allocStorage(dtype, x.shape.reduce((p, d) => p * d, 1));
  permuteStorage(x.data as Float64Array, x.shape, x.axes, w, data as Float64Array);
  return { data, op: 0, ld: cols };
}

/** Options of {@link matmul}: apply a transpose or conjugate transpose to either operand. */
export interface MatmulOptions {
  /** Use Aᵀ (or Aᴴ with `adjointA`). */
  transposeA?: boolean;
  /** Use Bᵀ (or Bᴴ with `adjointB`). */
  transposeB?: boolean;
  /** Use Aᴴ (conjugate transpose). */
  adjointA?: boolean;
  /** Use Bᴴ (conjugate transpose). */
  adjointB?: boolean;
}

function opOf(transpose?: boolean, adjoint?: boolean): Op {
  if (adjoint) return 2;
  return transpose ? 1 : 0;
}

/**
 * Matrix product `op(A)·op(B)` of 2-D tensors (a 1-D operand is a row vector on the left or
 * a column vector on the right, and that axis is dropped from the result, as in numpy).
 * Mixed dtypes are promoted (`f64·c128 → c128`). Runs on the SIMD kernels, on
 * `getNumThreads()` threads for large products.
 *
 * @example
 * ```ts
 * const a = tensor([[1, 2], [3, 4]]);
 * const p = matmul(a, eye(2));
 * console.assert(p.get(1, 0) === 3);
 * console.assert(matmul(a, a, { transposeA: true }).get(0, 0) === 10); // 1·1 + 3·3
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  if (a.ndim < 1 || a.ndim > 2 || b.ndim < 1 || b.ndim > 2) {
    throw new ShapeError(`matmul needs 1-D or 2-D operands, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const opA = opOf(options.transposeA, options.adjointA);
  const opB = opOf(options.transposeB, options.adjointB);
  if (a.ndim === 1 && opA !== 0) throw new ShapeError("matmul: a 1-D left operand cannot be transposed");
  if (b.ndim === 1 && opB !== 0) throw new ShapeError("matmul: a 1-D right operand cannot be transposed");
  const [ar, ac] = a.ndim === 2 ? [a.shape[0]!, a.shape[1]!] : [1, a.shape[0]!];
  const [br, bc] = b.ndim === 2 ? [b.shape[0]!, b.shape[1]!] : [b.shape[0]!, 1];
  const m = opA === 0 ? ar : ac, k = opA === 0 ? ac : ar;
  const kb = opB === 0 ? br : bc, n = opB === 0 ? bc : br;
  if (k !== kb) {
    const desc = (s: readonly number[], op: Op) => `${formatShape(s)}${op === 0 ? "" : op === 1 ? "ᵀ" : "ᴴ"}`;
    throw new ShapeError(`matmul: inner dimensions differ: ${desc(a.shape, opA)} · ${desc(b.shape, opB)} (${k} ≠ ${kb})`);
  }
  const dtype = promoteTypes(a.dtype, b.dtype);
  const A = asDType(a, dtype), B = asDType(b, dtype);
  const C = gemmStorage(dtype, opA, opB, m, n, k, A.data, ac, B.data, bc);
  const shape = a.ndim === 1 ? (b.ndim === 1 ? [] : [n]) : b.ndim === 1 ? [m] : [m, n];
  return new Tensor(dtype, shape, C);
}

/** Throws unless `t` is a square matrix. */
export function assertSquare(t: Tensor, operation: string): number {
  if (t.ndim !== 2 || t.shape[0] !== t.shape[1]) {
    throw new ShapeError(`${operation}: needs a square matrix, got shape ${formatShape(t.shape)}`);
  }
  return t.shape[0]!;
}

/** Throws unless `t` has a floating dtype the decompositions accept. */
export function assertDecomposable(t: Tensor, operation: string): void {
  if (t.dtype !== "f64" && t.dtype !== "c128" && t.dtype !== "f32") {
    throw new DTypeError(`${operation}: unsupported dtype ${String(t.dtype)}`);
  }
}
