import { DTypeError } from "../../errors.js";
import { assertFinite, assertRank } from "../elementwise.js";
import { transposeInto } from "../permute.js";
import { Tensor } from "../tensor.js";
import type { Field } from "./field.js";

export { paddedLd } from "../../backend/cpu/arena.js";

/**
 * Moving matrices between row-major tensors and the column-major arena layout that the
 * LAPACK-style algorithms use (columns contiguous, as in LAPACK).
 */

/** Checks a decomposition's input: a finite 2-D tensor; returns its dimensions. */
export function checkMatrix(t: Tensor, operation: string): [number, number] {
  assertRank(t, 2, operation);
  if (t.dtype !== "f64" && t.dtype !== "c128" && t.dtype !== "f32") throw new DTypeError(`${operation}: unsupported dtype ${t.dtype}`);
  assertFinite(t, operation);
  return [t.shape[0]!, t.shape[1]!];
}

/** Copies row-major `t` (m×n) into the arena as a column-major m×n matrix (ld = m). */
export function loadColMajor(F: Field, t: Tensor): number {
  const [m, n] = [t.shape[0]!, t.shape[1]!];
  const p = F.arena.allocF64(F.w * m * n);
  const src = t.dtype === "f32" ? Float64Array.from(t.data) : (t.data as Float64Array);
  transposeInto(src, 0, n, m, n, F.w, F.arena.f64, p / F.w, m);
  return p;
}

/**
 * Copies row-major `t` (m×n) into the arena as the column-major n×m matrix tᴴ (ld = n):
 * no transpose is needed, since row-major t is column-major tᵀ.
 */
export function loadAdjointColMajor(F: Field, t: Tensor): number {
  const p = F.arena.allocF64(F.w * t.size);
  const f = F.arena.f64;
  const src = t.data;
  if (F.w === 1) for (let i = 0; i < t.size; i++) f[p + i] = src[i]!;
  else for (let i = 0; i < t.size; i++) {
    f[p + 2 * i] = src[2 * i]!;
    f[p + 2 * i + 1] = -src[2 * i + 1]!;
  }
  return p;
}

/** Row-major copy (rows×cols) of the column-major arena block at `p` with leading dimension `ld`. */
export function storeRowMajor(F: Field, p: number, rows: number, cols: number, ld: number): Float64Array {
  const out = new Float64Array(F.w * rows * cols);
  transposeInto(F.arena.f64, p / F.w, ld, cols, rows, F.w, out, 0, cols);
  return out;
}

/**
 * Row-major copy of the adjoint (cols×rows) of the column-major arena block at `p`:
 * column j of the block becomes row j of the result, conjugated.
 */
export function storeAdjointRowMajor(F: Field, p: number, rows: number, cols: number, ld: number): Float64Array {
  const out = new Float64Array(F.w * rows * cols);
  const f = F.arena.f64;
  for (let j = 0; j < cols; j++) {
    const src = p + F.w * j * ld;
    const dst = F.w * j * rows;
    if (F.w === 1) out.set(f.subarray(src, src + rows), dst);
    else for (let i = 0; i < rows; i++) {
      out[dst + 2 * i] = f[src + 2 * i]!;
      out[dst + 2 * i + 1] = -f[src + 2 * i + 1]!;
    }
  }
  return out;
}

/** Wraps row-major storage as a tensor of the field's dtype. */
export function matrixTensor(F: Field, data: Float64Array, rows: number, cols: number): Tensor<"f64" | "c128"> {
  return new Tensor(F.complex ? "c128" : "f64", [rows, cols], data);
}

/** Pointer to element (i, j) of a column-major block. */
export function at(F: Field, p: number, ld: number, i: number, j: number): number {
  return p + F.w * (i + j * ld);
}
