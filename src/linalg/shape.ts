import { ArgumentError, ShapeError } from "../errors.js";

/** A tensor shape: non-negative integer dimensions, row-major (C order). */
export type Shape = readonly number[];

/**
 * `[2, 3]` style text for messages.
 *
 * @example
 * ```ts
 * console.assert(formatShape([2, 3]) === "[2, 3]");
 * ```
 */
export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Checks that every dimension is a non-negative safe integer and returns a frozen copy.
 * @throws {@link ShapeError} naming the offending dimension.
 */
export function validateShape(shape: ArrayLike<number>, what = "shape"): readonly number[] {
  if (shape === null || typeof shape !== "object" || typeof shape.length !== "number") {
    throw new ShapeError(`${what} must be an array of dimensions, got ${String(shape)}`);
  }
  const out: number[] = [];
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(
        `${what} ${formatShape(Array.from(shape))}: dimension ${i} is ${String(d)}, expected a non-negative integer`,
      );
    }
    size *= d;
    out.push(d);
  }
  if (!Number.isSafeInteger(size)) {
    throw new ShapeError(`${what} ${formatShape(out)} has more elements than can be indexed`);
  }
  return Object.freeze(out);
}

/** Product of the dimensions (1 for a scalar shape `[]`). */
export function shapeSize(shape: Shape): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}

/** Row-major strides in elements. */
export function rowMajorStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Whether two shapes are equal. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Resolves a possibly negative axis against `ndim`. */
export function normalizeAxis(axis: number, ndim: number, what = "axis"): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new ShapeError(`${what} ${axis} is out of range for a tensor with ${ndim} axes`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Checks that `axes` is a permutation of 0..ndim-1 (negative axes allowed) and returns it normalised. */
export function validatePermutation(axes: readonly number[], ndim: number): number[] {
  if (!Array.isArray(axes) || axes.length !== ndim) {
    throw new ShapeError(`permutation ${JSON.stringify(axes)} must list all ${ndim} axes exactly once`);
  }
  const seen = new Array<boolean>(ndim).fill(false);
  const out = axes.map((a) => normalizeAxis(a, ndim, "permutation axis"));
  for (const a of out) {
    if (seen[a]) throw new ShapeError(`permutation ${JSON.stringify(axes)} repeats axis ${a}`);
    seen[a] = true;
  }
  return out;
}

/** Resolves a shape that may contain one `-1` (inferred) for `size` elements. */
export function resolveReshape(shape: readonly number[], size: number, from: Shape): readonly number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === -1) {
      if (infer >= 0) throw new ShapeError(`reshape to ${formatShape(shape)}: only one dimension may be -1`);
      infer = i;
    } else {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new ShapeError(`reshape to ${formatShape(shape)}: dimension ${i} is ${d}`);
      }
      known *= d;
    }
  }
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(shape)}`);
    }
    out[infer] = size / known;
  } else if (known !== size) {
    throw new ShapeError(`cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(shape)}`);
  }
  return Object.freeze(out);
}

/** Throws an {@link ArgumentError} unless `value` is a positive safe integer (or zero when allowed). */
export function assertCount(value: unknown, what: string, allowZero = true): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ArgumentError(`${what} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${String(value)}`);
  }
  return value;
}
