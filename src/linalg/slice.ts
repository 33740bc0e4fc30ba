import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { allocStorage, type DType, type StorageOf } from "./dtype.js";
import { formatShape, normalizeAxis, rowMajorStrides, shapesEqual } from "./shape.js";
import { Tensor } from "./tensor.js";

/**
 * How to index one axis in {@link slice}: a number picks one index and drops the axis,
 * `[start, end]` keeps the half-open range (negative values count from the end), `null`
 * (or a missing entry) keeps the whole axis.
 */
export type AxisSlice = number | readonly [number, number] | null | undefined;

interface Range {
  start: number;
  length: number;
  keep: boolean;
}

function resolveRanges(shape: readonly number[], spec: readonly AxisSlice[]): Range[] {
  if (spec.length > shape.length) {
    throw new ShapeError(`slice has ${spec.length} entries for a tensor of shape ${formatShape(shape)}`);
  }
  return shape.map((dim, axis) => {
    const s = spec[axis];
    if (s === null || s === undefined) return { start: 0, length: dim, keep: true };
    if (typeof s === "number") {
      const i = s < 0 ? s + dim : s;
      if (!Number.isInteger(s) || i < 0 || i >= dim) {
        throw new ShapeError(`slice: index ${s} is out of range for axis ${axis} of shape ${formatShape(shape)}`);
      }
      return { start: i, length: 1, keep: false };
    }
    const [a, b] = s;
    const start = a < 0 ? a + dim : a;
    const end = b < 0 ? b + dim : b;
    if (!Number.isInteger(a) || !Number.isInteger(b) || start < 0 || end > dim || start > end) {
      throw new ShapeError(`slice: range [${a}, ${b}) is invalid for axis ${axis} of shape ${formatShape(shape)}`);
    }
    return { start, length: end - start, keep: true };
  });
}

// Calls `visit(srcOffset, dstOffset, runLength)` for each contiguous run of the sliced region.
function forEachRun(shape: readonly number[], ranges: Range[], visit: (src: number, dst: number, run: number) => void): void {
  const n = shape.length;
  if (n === 0) {
    visit(0, 0, 1);
    return;
  }
  const strides = rowMajorStrides(shape);
  const run = ranges[n - 1]!.length;
  const counter = new Array<number>(n).fill(0);
  let total = 1;
  for (const r of ranges) total *= r.length;
  if (total === 0) return;
  let dst = 0;
  for (;;) {
    let src = 0;
    for (let ax = 0; ax < n; ax++) src += (ranges[ax]!.start + counter[ax]!) * strides[ax]!;
    visit(src, dst, run);
    dst += run;
    let ax = n - 2;
    for (; ax >= 0; ax--) {
      counter[ax]!++;
      if (counter[ax]! < ranges[ax]!.length) break;
      counter[ax] = 0;
    }
    if (ax < 0) return;
  }
}

/**
 * A copy of a sub-block. See {@link AxisSlice} for the per-axis forms.
 *
 * @example
 * ```ts
 * const t = tensor([[1, 2, 3], [4, 5, 6]]);
 * console.assert(slice(t, [1, [0, 2]]).get(1) === 5);
 * ```
 */
export function slice<D extends DType>(t: Tensor<D>, spec: readonly AxisSlice[]): Tensor<D> {
  const ranges = resolveRanges(t.shape, spec);
  const shape = ranges.filter((r) => r.keep).map((r) => r.length);
  const w = t.dtype === "c128" ? 2 : 1;
  const out = new Tensor(t.dtype, shape);
  const src = t.data;
  const dst = out.data;
  forEachRun(t.shape, ranges, (s, d, run) => {
    dst.set(src.subarray(w * s, w * (s + run)), w * d);
  });
  return out;
}

/**
 * Writes `source` into the sub-block of `target` selected by `spec`, in place. The block's shape
 * (after dropping indexed axes) must equal `source.shape`; dtypes must match.
 *
 * @example
 * ```ts
 * const t = zeros([3, 3]);
 * assignSlice(t, [[0, 2], 1], ones([2]));
 * console.assert(t.get(1, 1) === 1 && t.get(2, 1) === 0);
 * ```
 */
export function assignSlice(target: Tensor, spec: readonly AxisSlice[], source: Tensor): void {
  if (target.dtype !== source.dtype) {
    throw new DTypeError(`assignSlice: target is ${target.dtype}, source is ${source.dtype}`);
  }
  const ranges = resolveRanges(target.shape, spec);
  const shape = ranges.filter((r) => r.keep).map((r) => r.length);
  if (!shapesEqual(shape, source.shape)) {
    throw new ShapeError(`assignSlice: block of shape ${formatShape(shape)} cannot take a source of shape ${formatShape(source.shape)}`);
  }
  const w = target.dtype === "c128" ? 2 : 1;
  const dst = target.data;
  const src = source.data;
  forEachRun(target.shape, ranges, (s, d, run) => {
    dst.set(src.subarray(w * d, w * (d + run)), w * s);
  });
}

/**
 * Joins tensors along an existing axis; all other dimensions and the dtype must agree.
 *
 * @example
 * ```ts
 * const c = concat([zeros([2, 1]), ones([2, 2])], 1);
 * console.assert(c.shape[1] === 3 && c.get(0, 2) === 1);
 * ```
 */
export function concat<D extends DType>(tensors: readonly Tensor<D>[], axis: number): Tensor<D> {
  if (tensors.length === 0) throw new ArgumentError("concat needs at least one tensor");
  const first = tensors[0]!;
  const ax = normalizeAxis(axis, first.ndim);
  for (const t of tensors) {
    if (t.dtype !== first.dtype) throw new DTypeError(`concat: dtypes ${first.dtype} and ${t.dtype} differ`);
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(`concat along axis ${ax}: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} do not fit`);
    }
  }
  const shape = first.shape.slice();
  shape[ax] = tensors.reduce((s, t) => s + t.shape[ax]!, 0);
  const w = first.dtype === "c128" ? 2 : 1;
  const outer = first.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = first.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const out = allocStorage(first.dtype, shape.reduce((p, d) => p * d, 1)) as StorageOf<D>;
  const outRow = shape[ax]! * inner * w;
  let offset = 0;
  for (const t of tensors) {
    const row = t.shape[ax]! * inner * w;
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * row, (o + 1) * row), o * outRow + offset);
    offset += row;
  }
  return new Tensor(first.dtype, shape, out);
}

/**
 * `t` placed at the origin of a zero tensor of `shape` (every axis at least as long): zero
 * padding into larger bases. Returns `t` itself when the shapes agree. Internal helper.
 */
export function padTo<D extends DType>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
  if (t.shape.every((n, i) => n === shape[i])) return t;
  const out = new Tensor(t.dtype, shape) as Tensor<D>;
  assignSlice(out, t.shape.map((n) => [0, n] as const), t);
  return out;
}
