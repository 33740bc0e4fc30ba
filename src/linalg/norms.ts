import { ShapeError } from "../errors.js";
import type { Complex, DType } from "./dtype.js";
import { asDType } from "./elementwise.js";
import { promoteTypes } from "./dtype.js";
import { formatShape } from "./shape.js";
import type { Tensor } from "./tensor.js";

// Outside [TINY², HUGE²] a plain sum of squares may underflow or overflow.
const TINY = 2 ** -500;
const HUGE = 2 ** 500;

/** Euclidean norm of the stored words (for complex: √Σ|z|²), without spurious over/underflow. */
export function normOfWords(d: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    s += v * v;
  }
  if (s > TINY * TINY && s < HUGE * HUGE) return Math.sqrt(s);
  if (s !== s) return NaN;
  let m = 0;
  for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]!));
  if (m === 0 || m === Infinity) return m;
  let t = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]! / m;
    t += v * v;
  }
  return m * Math.sqrt(t);
}

/**
 * Frobenius norm √(Σ|t_i|²), exact to rounding without overflow for large or tiny entries.
 *
 * @example
 * ```ts
 * console.assert(norm(tensor([3, 4])) === 5);
 * console.assert(Math.abs(norm(tensor([3e200, 4e200])) / 5e200 - 1) < 1e-15); // no overflow
 * ```
 */
export function norm(t: Tensor): number {
  return normOfWords(t.data);
}

/**
 * Largest modulus of any element (0 for an empty tensor).
 *
 * @example
 * ```ts
 * console.assert(maxAbs(tensor([1, -7, 3])) === 7);
 * ```
 */
export function maxAbs(t: Tensor): number {
  let m = 0;
  const d = t.data;
  if (t.dtype === "c128") for (let i = 0; i < t.size; i++) m = Math.max(m, Math.hypot(d[2 * i]!, d[2 * i + 1]!));
  else for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]!));
  return m;
}

function pairCheck(a: Tensor, b: Tensor, op: string): DType {
  if (a.size !== b.size) throw new ShapeError(`${op}: sizes differ (${formatShape(a.shape)} vs ${formatShape(b.shape)})`);
  return promoteTypes(a.dtype, b.dtype);
}

function sumProducts(a: Tensor, b: Tensor, conjugateA: boolean, op: string): number | Complex {
  const dtype = pairCheck(a, b, op);
  if (dtype !== "c128") {
    let s = 0;
    const x = a.data, y = b.data;
    for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
    return s;
  }
  const x = asDType(a, "c128").data, y = asDType(b, "c128").data;
  const sign = conjugateA ? -1 : 1;
  let re = 0, im = 0;
  for (let i = 0; i < x.length; i += 2) {
    const xr = x[i]!, xi = sign * x[i + 1]!, yr = y[i]!, yi = y[i + 1]!;
    re += xr * yr - xi * yi;
    im += xr * yi + xi * yr;
  }
  return { re, im };
}

/**
 * Inner product Σ conj(a_i)·b_i over all elements (tensors of equal size, flattened row-major).
 * Returns a number when both are real, `{ re, im }` otherwise.
 *
 * @example
 * ```ts
 * const z = tensor([{ re: 0, im: 1 }]);
 * console.assert((vdot(z, z) as Complex).re === 1); // ⟨i, i⟩ = 1
 * ```
 */
export function vdot(a: Tensor<"f64" | "f32">, b: Tensor<"f64" | "f32">): number;
export function vdot(a: Tensor, b: Tensor): number | Complex;
export function vdot(a: Tensor, b: Tensor): number | Complex {
  return sumProducts(a, b, true, "vdot");
}

/**
 * Σ a_i·b_i without conjugation (the bilinear form).
 *
 * @example
 * ```ts
 * const z = tensor([{ re: 0, im: 1 }]);
 * console.assert((dotAll(z, z) as Complex).re === -1); // i·i, where vdot gives +1
 * ```
 */
export function dotAll(a: Tensor<"f64" | "f32">, b: Tensor<"f64" | "f32">): number;
export function dotAll(a: Tensor, b: Tensor): number | Complex;
export function dotAll(a: Tensor, b: Tensor): number | Complex {
  return sumProducts(a, b, false, "dotAll");
}

/**
 * ‖a − b‖_F for tensors of equal size.
 *
 * @example
 * ```ts
 * console.assert(distance(tensor([0, 0]), tensor([3, 4])) === 5);
 * ```
 */
export function distance(a: Tensor, b: Tensor): number {
  const dtype = pairCheck(a, b, "distance");
  const x = asDType(a, dtype).data, y = asDType(b, dtype).data;
  const diff = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) diff[i] = x[i]! - y[i]!;
  return normOfWords(diff);
}
