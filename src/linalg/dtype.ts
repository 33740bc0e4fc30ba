import { DTypeError } from "../errors.js";

/**
 * Element types of arbor tensors.
 * - `f64`: IEEE double, stored in a `Float64Array`.
 * - `c128`: complex double, stored interleaved (re, im) in a `Float64Array` of twice the size,
 *   the layout numpy's `complex128` uses, so `.npy` files map one to one.
 * - `f32`: IEEE single, stored in a `Float32Array` (for the GPU path; decompositions promote it).
 *
 * @example
 * ```ts
 * console.assert(DTYPES.includes("c128") && DTYPES.length === 3);
 * ```
 */
export const DTYPES = ["f64", "c128", "f32"] as const;

/** One of {@link DTYPES}. */
export type DType = (typeof DTYPES)[number];

/** The typed array that stores a tensor of dtype `D`. */
export type StorageOf<D extends DType> = D extends "f32" ? Float32Array : Float64Array;

/** A complex scalar. */
export interface Complex {
  re: number;
  im: number;
}

/** The scalar type of an element of dtype `D`: `Complex` for `c128`, `number` otherwise. */
export type ScalarOf<D extends DType> = D extends "c128" ? Complex : number;

/** Throws a {@link DTypeError} unless `value` names a dtype. */
export function assertDType(value: unknown, what = "dtype"): asserts value is DType {
  if (typeof value !== "string" || !(DTYPES as readonly string[]).includes(value)) {
    throw new DTypeError(`unknown ${what} ${JSON.stringify(value)}: expected one of ${DTYPES.join(", ")}`);
  }
}

/**
 * Whether `dtype` is complex.
 *
 * @example
 * ```ts
 * console.assert(isComplex("c128") && !isComplex("f64"));
 * ```
 */
export function isComplex(dtype: DType): dtype is "c128" {
  return dtype === "c128";
}

/** Number of storage words (doubles or floats) that hold `size` elements of `dtype`. */
export function storageLength(dtype: DType, size: number): number {
  return dtype === "c128" ? 2 * size : size;
}

/** A zero-filled typed array for `size` elements of `dtype`. */
export function allocStorage<D extends DType>(dtype: D, size: number): StorageOf<D> {
  const n = storageLength(dtype, size);
  return (dtype === "f32" ? new Float32Array(n) : new Float64Array(n)) as StorageOf<D>;
}

/**
 * The dtype of a binary operation's result: complex wins, then double precision.
 * `f32 ⊕ f32 = f32`, `f32 ⊕ f64 = f64`, anything with `c128` is `c128`.
 *
 * @example
 * ```ts
 * console.assert(promoteTypes("f32", "f64") === "f64" && promoteTypes("f64", "c128") === "c128");
 * ```
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === "c128" || b === "c128") return "c128";
  if (a === "f64" || b === "f64") return "f64";
  return "f32";
}
