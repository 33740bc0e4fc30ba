import { DTypeError, NonFiniteError, ShapeError } from "../errors.js";
import { toComplex } from "./complex.js";
import { promoteTypes, type Complex, type DType } from "./dtype.js";
import { formatShape, shapesEqual } from "./shape.js";
import { Tensor } from "./tensor.js";

/** `t` converted to `dtype` only when it differs (no copy otherwise). */
export function asDType<E extends DType>(t: Tensor, dtype: E): Tensor<E> {
  return (t.dtype === dtype ? t : t.astype(dtype)) as Tensor<E>;
}

function sameShape(a: Tensor, b: Tensor, op: string): void {
  if (!shapesEqual(a.shape, b.shape)) {
    throw new ShapeError(`${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} differ`);
  }
}

/**
 * `alpha·x + beta·y` for tensors of the same shape (a new tensor; the dtype is promoted).
 *
 * @example
 * ```ts
 * const z = combine(2, tensor([1, 2]), -1, tensor([1, 1]));
 * console.assert(z.get(0) === 1 && z.get(1) === 3);
 * ```
 */
export function combine(alpha: number | Complex, x: Tensor, beta: number | Complex, y: Tensor): Tensor {
  sameShape(x, y, "combine");
  const complexScalars = typeof alpha !== "number" || typeof beta !== "number";
  const dtype = complexScalars ? "c128" : promoteTypes(x.dtype, y.dtype);
  const xa = asDType(x, dtype);
  const ya = asDType(y, dtype);
  const out = new Tensor(dtype, x.shape);
  const o = out.data;
  const xd = xa.data;
  const yd = ya.data;
  if (dtype === "c128") {
    const a = toComplex(alpha);
    const b = toComplex(beta);
    for (let i = 0; i < out.size; i++) {
      const xr = xd[2 * i]!, xi = xd[2 * i + 1]!, yr = yd[2 * i]!, yi = yd[2 * i + 1]!;
      o[2 * i] = a.re * xr - a.im * xi + b.re * yr - b.im * yi;
      o[2 * i + 1] = a.re * xi + a.im * xr + b.re * yi + b.im * yr;
    }
  } else {
    const a = alpha as number;
    const b = beta as number;
    for (let i = 0; i < out.size; i++) o[i] = a * xd[i]! + b * yd[i]!;
  }
  return out;
}

/**
 * `a + b` elementwise (same shape; dtype promoted).
 *
 * @example
 * ```ts
 * console.assert(add(tensor([1, 2]), tensor([3, 4])).get(1) === 6);
 * ```
 */
export function add(a: Tensor, b: Tensor): Tensor {
  return combine(1, a, 1, b);
}

/**
 * `a − b` elementwise (same shape; dtype promoted).
 *
 * @example
 * ```ts
 * const a = randn([3], 1);
 * console.assert(norm(sub(a, a)) === 0);
 * ```
 */
export function sub(a: Tensor, b: Tensor): Tensor {
  return combine(1, a, -1, b);
}

/**
 * `alpha·t`; a complex `alpha` makes the result complex.
 *
 * @example
 * ```ts
 * const z = scale(tensor([2]), { re: 0, im: 1 });
 * console.assert(z.dtype === "c128" && (z.get(0) as Complex).im === 2);
 * ```
 */
export function scale(t: Tensor, alpha: number | Complex): Tensor {
  const dtype: DType = typeof alpha === "number" ? t.dtype : "c128";
  const src = asDType(t, dtype);
  const out = new Tensor(dtype, t.shape);
  const o = out.data;
  const s = src.data;
  if (dtype === "c128") {
    const a = toComplex(alpha);
    for (let i = 0; i < out.size; i++) {
      const xr = s[2 * i]!, xi = s[2 * i + 1]!;
      o[2 * i] = a.re * xr - a.im * xi;
      o[2 * i + 1] = a.re * xi + a.im * xr;
    }
  } else {
    const a = alpha as number;
    for (let i = 0; i < s.length; i++) o[i] = a * s[i]!;
  }
  return out;
}

/**
 * Elementwise (Hadamard) product of tensors of the same shape.
 *
 * @example
 * ```ts
 * console.assert(mul(tensor([2, 3]), tensor([4, 5])).get(1) === 15);
 * ```
 */
export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape(a, b, "mul");
  const dtype = promoteTypes(a.dtype, b.dtype);
  const x = asDType(a, dtype).data;
  const y = asDType(b, dtype).data;
  const out = new Tensor(dtype, a.shape);
  const o = out.data;
  if (dtype === "c128") {
    for (let i = 0; i < out.size; i++) {
      const xr = x[2 * i]!, xi = x[2 * i + 1]!, yr = y[2 * i]!, yi = y[2 * i + 1]!;
      o[2 * i] = xr * yr - xi * yi;
      o[2 * i + 1] = xr * yi + xi * yr;
    }
  } else {
    for (let i = 0; i < o.length; i++) o[i] = x[i]! * y[i]!;
  }
  return out;
}

/**
 * Complex conjugate (a copy; real tensors are copied unchanged).
 *
 * @example
 * ```ts
 * console.assert((conj(tensor([{ re: 1, im: 2 }])).get(0) as Complex).im === -2);
 * ```
 */
export function conj<D extends DType>(t: Tensor<D>): Tensor<D> {
  const out = t.clone();
  if (t.dtype === "c128") for (let i = 1; i < out.data.length; i += 2) out.data[i] = -out.data[i]!;
  return out;
}

function part(t: Tensor, offset: 0 | 1): Tensor<"f64"> {
  const out = new Tensor("f64", t.shape);
  if (t.dtype === "c128") for (let i = 0; i < t.size; i++) out.data[i] = t.data[2 * i + offset]!;
  else if (offset === 0) for (let i = 0; i < t.size; i++) out.data[i] = t.data[i]!;
  return out;
}

/**
 * Real part as an f64 tensor.
 *
 * @example
 * ```ts
 * console.assert(real(tensor([{ re: 1, im: 2 }])).get(0) === 1);
 * ```
 */
export function real(t: Tensor): Tensor<"f64"> {
  return part(t, 0);
}

/**
 * Imaginary part as an f64 tensor (zeros for real tensors).
 *
 * @example
 * ```ts
 * console.assert(imag(tensor([{ re: 1, im: 2 }])).get(0) === 2 && imag(tensor([5])).get(0) === 0);
 * ```
 */
export function imag(t: Tensor): Tensor<"f64"> {
  return part(t, 1);
}

/**
 * Elementwise modulus as an f64 tensor.
 *
 * @example
 * ```ts
 * console.assert(abs(tensor([{ re: 3, im: -4 }])).get(0) === 5);
 * ```
 */
export function abs(t: Tensor): Tensor<"f64"> {
  const out = new Tensor("f64", t.shape);
  if (t.dtype === "c128") for (let i = 0; i < t.size; i++) out.data[i] = Math.hypot(t.data[2 * i]!, t.data[2 * i + 1]!);
  else for (let i = 0; i < t.size; i++) out.data[i] = Math.abs(t.data[i]!);
  return out;
}

/**
 * Whether every stored number is finite.
 *
 * @example
 * ```ts
 * console.assert(allFinite(tensor([1, 2])) && !allFinite(tensor([1, Infinity])));
 * ```
 */
export function allFinite(t: Tensor): boolean {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) return false;
  }
  return true;
}

/**
 * Throws a {@link NonFiniteError} naming the operation, the tensor's shape and the first
 * offending element if `t` holds NaN or ±Infinity.
 *
 * @example
 * ```ts
 * let message = "";
 * try { assertFinite(tensor([0, NaN]), "myOp"); } catch (e) { message = (e as Error).message; }
 * console.assert(message.includes("myOp") && message.includes("flat index 1"));
 * ```
 */
export function assertFinite(t: Tensor, operation: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) {
      const element = t.dtype === "c128" ? i >> 1 : i;
      throw new NonFiniteError(
        `${operation}: input ${t.dtype} tensor of shape ${formatShape(t.shape)} has a non-finite value (${v}) at flat index ${element}`,
      );
    }
  }
}

/** Throws unless `t` has exactly `ndim` axes. */
export function assertRank(t: Tensor, ndim: number, operation: string): void {
  if (t.ndim !== ndim) {
    throw new ShapeError(`${operation}: expected a ${ndim}-dimensional tensor, got shape ${formatShape(t.shape)}`);
  }
}

/** Throws unless `t` is real (f64 or f32). */
export function assertReal(t: Tensor, operation: string): asserts t is Tensor<"f64" | "f32"> {
  if (t.dtype === "c128") throw new DTypeError(`${operation}: needs a real tensor, got c128`);
}
