import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { isComplexScalar } from "./complex.js";
import {
  allocStorage,
  assertDType,
  storageLength,
  type Complex,
  type DType,
  type ScalarOf,
  type StorageOf,
} from "./dtype.js";
import { formatShape, resolveReshape, rowMajorStrides, shapeSize, validateShape, type Shape } from "./shape.js";

/**
 * A dense tensor: a dtype, a shape and contiguous row-major (C order) storage.
 *
 * `data` is the storage itself (no copy): complex tensors interleave (re, im), as numpy does.
 * Library operations never modify their inputs; `reshape` returns a tensor that shares
 * `data`, every other operation returns fresh storage.
 *
 * @example
 * ```ts
 * const t = Tensor.fromArray([[1, 2, 3], [4, 5, 6]]);
 * console.assert(t.shape[0] === 2 && t.shape[1] === 3 && t.get(1, 2) === 6);
 * const z = Tensor.fromArray([{ re: 0, im: 1 }]);
 * console.assert(z.dtype === "c128" && z.get(0).im === 1);
 * ```
 */
export class Tensor<D extends DType = DType> {
  /** Element type. */
  readonly dtype: D;
  /** Dimensions, row-major. */
  readonly shape: Shape;
  /** Number of elements (product of `shape`). */
  readonly size: number;
  /** Contiguous storage: `size` words, or `2·size` interleaved (re, im) for `c128`. */
  readonly data: StorageOf<D>;

  /**
   * Wraps `data` (not copied) or allocates zeros.
   * @throws {@link ShapeError} if the shape is invalid or `data` has the wrong length.
   * @throws {@link DTypeError} if the dtype is unknown or `data` is the wrong typed array.
   */
  constructor(dtype: D, shape: ArrayLike<number>, data?: StorageOf<D>) {
    assertDType(dtype);
    this.dtype = dtype;
    this.shape = validateShape(shape);
    this.size = shapeSize(this.shape);
    if (data === undefined) {
      this.data = allocStorage(dtype, this.size);
    } else {
      const want = dtype === "f32" ? Float32Array : Float64Array;
      if (!(data instanceof want)) {
        throw new DTypeError(`a ${dtype} tensor needs a ${want.name}, got ${Object.prototype.toString.call(data)}`);
      }
      const n = storageLength(dtype, this.size);
      if (data.length !== n) {
        throw new ShapeError(
          `a ${dtype} tensor of shape ${formatShape(this.shape)} needs ${n} storage words, got ${data.length}`,
        );
      }
      this.data = data;
    }
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** A zero tensor. */
  static zeros<D extends DType = "f64">(shape: ArrayLike<number>, dtype: D = "f64" as D): Tensor<D> {
    return new Tensor(dtype, shape);
  }

  /** A tensor with every element equal to `value` (real for real dtypes). */
  static full<D extends DType = "f64">(shape: ArrayLike<number>, value: number | Complex, dtype?: D): Tensor<D> {
    const dt = (dtype ?? (typeof value === "number" ? "f64" : "c128")) as D;
    const t = new Tensor(dt, shape);
    if (dt === "c128") {
      const z = typeof value === "number" ? { re: value, im: 0 } : value;
      for (let i = 0; i < t.size; i++) {
        t.data[2 * i] = z.re;
        t.data[2 * i + 1] = z.im;
      }
    } else {
      if (typeof value !== "number") throw new DTypeError(`cannot fill a ${dt} tensor with a complex value`);
      t.data.fill(value);
    }
    return t;
  }

  /** The n×n identity (or n×m with ones on the main diagonal). */
  static eye<D extends DType = "f64">(n: number, m: number = n, dtype: D = "f64" as D): Tensor<D> {
    const t = new Tensor(dtype, [n, m]);
    const w = dtype === "c128" ? 2 : 1;
    for (let i = 0; i < Math.min(n, m); i++) t.data[w * (i * m + i)] = 1;
    return t;
  }

  /**
   * A tensor from nested arrays of numbers or `{ re, im }` scalars, or from a flat typed array
   * or number array with an explicit `shape`. Data is copied. The dtype defaults to `c128` when
   * any element is complex, else `f64`.
   */
  static fromArray<D extends DType>(values: unknown, options: { dtype: D; shape?: ArrayLike<number> }): Tensor<D>;
  // Without an explicit dtype the result's dtype is only known at run time: typing it as
  // Tensor (not a generic D) keeps TypeScript from inferring D from the surrounding context.
  static fromArray(values: unknown, options?: { shape?: ArrayLike<number> }): Tensor;
  static fromArray<D extends DType>(
    values: unknown,
    options: { dtype?: D; shape?: ArrayLike<number> } = {},
  ): Tensor<D> {
    const flat: Array<number | Complex> = [];
    let shape: number[];
    if (ArrayBuffer.isView(values) || (options.shape !== undefined && Array.isArray(values) && !values.some(Array.isArray))) {
      const arr = values as ArrayLike<number | Complex>;
      for (let i = 0; i < arr.length; i++) flat.push(arr[i]!);
      shape = options.shape !== undefined ? Array.from(options.shape) : [arr.length];
    } else {
      shape = inferNestedShape(values);
      flattenNested(values, shape, 0, flat);
      if (options.shape !== undefined) {
        const want = Array.from(options.shape);
        if (shapeSize(want) !== flat.length) {
          throw new ShapeError(`fromArray: nested data of shape ${formatShape(shape)} does not fit shape ${formatShape(want)}`);
        }
        shape = want;
      }
    }
    const anyComplex = flat.some((v) => typeof v !== "number");
    const dtype = (options.dtype ?? (anyComplex ? "c128" : "f64")) as D;
    assertDType(dtype);
    const t = new Tensor(dtype, shape);
    if (flat.length !== t.size) {
      throw new ShapeError(`fromArray: ${flat.length} values do not fill shape ${formatShape(t.shape)}`);
    }
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i]!;
      if (typeof v === "number") {
        if (dtype === "c128") {
          t.data[2 * i] = v;
          t.data[2 * i + 1] = 0;
        } else t.data[i] = v;
      } else if (isComplexScalar(v)) {
        if (dtype !== "c128") {
          throw new DTypeError(`fromArray: element ${i} is complex but the dtype is ${dtype}`);
        }
        t.data[2 * i] = v.re;
        t.data[2 * i + 1] = v.im;
      } else {
        throw new ArgumentError(`fromArray: element ${i} is ${JSON.stringify(v)}, not a number or { re, im }`);
      }
    }
    return t;
  }

  /** A complex tensor from separate real and imaginary parts of the same shape. */
  static fromParts(re: Tensor<"f64"> | Tensor<"f32">, im?: Tensor<"f64"> | Tensor<"f32">): Tensor<"c128"> {
    if (im !== undefined && (im.size !== re.size || im.ndim !== re.ndim || im.shape.some((d, i) => d !== re.shape[i]))) {
      throw new ShapeError(`fromParts: real part ${formatShape(re.shape)} and imaginary part ${formatShape(im.shape)} differ`);
    }
    const t = new Tensor("c128", re.shape);
    for (let i = 0; i < re.size; i++) {
      t.data[2 * i] = re.data[i]!;
      t.data[2 * i + 1] = im === undefined ? 0 : im.data[i]!;
    }
    return t;
  }

  /** Flat (row-major) position of a multi-index, validated. */
  offsetOf(index: readonly number[]): number {
    if (index.length !== this.shape.length) {
      throw new ShapeError(`index [${index.join(", ")}] has ${index.length} entries for a tensor of shape ${formatShape(this.shape)}`);
    }
    let off = 0;
    for (let i = 0; i < index.length; i++) {
      const k = index[i]!;
      const d = this.shape[i]!;
      if (!Number.isInteger(k) || k < 0 || k >= d) {
        throw new ShapeError(`index [${index.join(", ")}] is out of bounds for shape ${formatShape(this.shape)} (axis ${i})`);
      }
      off = off * d + k;
    }
    return off;
  }

  /** The element at a multi-index: a number, or `{ re, im }` for `c128`. */
  get(...index: number[]): ScalarOf<D> {
    const off = this.offsetOf(index);
    if (this.dtype === "c128") return { re: this.data[2 * off]!, im: this.data[2 * off + 1]! } as ScalarOf<D>;
    return this.data[off] as ScalarOf<D>;
  }

  /** Writes one element (in place). A complex value needs a `c128` tensor. */
  set(index: readonly number[], value: number | Complex): void {
    const off = this.offsetOf(index);
    if (this.dtype === "c128") {
      const z = typeof value === "number" ? { re: value, im: 0 } : value;
      this.data[2 * off] = z.re;
      this.data[2 * off + 1] = z.im;
    } else {
      if (typeof value !== "number") throw new DTypeError(`cannot store a complex value in a ${this.dtype} tensor`);
      this.data[off] = value;
    }
  }

  /** Same data, new shape (one dimension may be -1). Shares storage. */
  reshape(shape: readonly number[]): Tensor<D> {
    return new Tensor(this.dtype, resolveReshape(shape, this.size, this.shape), this.data);
  }

  /** A deep copy. */
  clone(): Tensor<D> {
    return new Tensor(this.dtype, this.shape, this.data.slice() as StorageOf<D>);
  }

  /**
   * Converts to another dtype (always a copy). Complex to real requires every imaginary part to
   * be zero; use `real()` to drop them deliberately.
   */
  astype<E extends DType>(dtype: E): Tensor<E> {
    assertDType(dtype);
    const out = new Tensor(dtype, this.shape);
    const src = this.data;
    const dst = out.data;
    if (this.dtype === "c128" && dtype !== "c128") {
      for (let i = 0; i < this.size; i++) {
        if (src[2 * i + 1] !== 0) {
          throw new DTypeError(`astype(${dtype}): element ${i} has imaginary part ${src[2 * i + 1]}; use real() to drop it`);
        }
        dst[i] = src[2 * i]!;
      }
    } else if (this.dtype !== "c128" && dtype === "c128") {
      for (let i = 0; i < this.size; i++) dst[2 * i] = src[i]!;
    } else {
      dst.set(src);
    }
    return out;
  }

  /** Nested arrays of numbers (or `{ re, im }` for `c128`). */
  toArray(): unknown {
    const strides = rowMajorStrides(this.shape);
    const build = (axis: number, off: number): unknown => {
      if (axis === this.shape.length) {
        return this.dtype === "c128" ? { re: this.data[2 * off], im: this.data[2 * off + 1] } : this.data[off];
      }
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(build(axis + 1, off + i * strides[axis]!));
      return out;
    };
    return build(0, 0);
  }

  /** A short description such as `Tensor<f64>[2, 3]`. */
  toString(): string {
    return `Tensor<${this.dtype}>${formatShape(this.shape)}`;
  }
}

function inferNestedShape(values: unknown): number[] {
  const shape: number[] = [];
  let v = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flattenNested(values: unknown, shape: number[], axis: number, out: Array<number | Complex>): void {
  if (axis === shape.length) {
    if (Array.isArray(values)) throw new ShapeError(`fromArray: ragged nested array (too deep at axis ${axis})`);
    out.push(values as number | Complex);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[axis]) {
    throw new ShapeError(`fromArray: ragged nested array: expected length ${shape[axis]} at axis ${axis}`);
  }
  for (const v of values) flattenNested(v, shape, axis + 1, out);
}

/**
 * A zero tensor (`Tensor.zeros` as a function).
 *
 * @example
 * ```ts
 * const z = zeros([2, 3], "c128");
 * console.assert(z.size === 6 && z.data.length === 12 && norm(z) === 0);
 * ```
 */
export function zeros<D extends DType = "f64">(shape: ArrayLike<number>, dtype: D = "f64" as D): Tensor<D> {
  return Tensor.zeros(shape, dtype);
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * console.assert(norm(ones([4])) === 2);
 * ```
 */
export function ones<D extends DType = "f64">(shape: ArrayLike<number>, dtype: D = "f64" as D): Tensor<D> {
  return Tensor.full(shape, 1, dtype);
}

/**
 * The identity matrix (`Tensor.eye` as a function).
 *
 * @example
 * ```ts
 * const a = randn([3, 3], 1);
 * console.assert(distance(matmul(eye(3), a), a) === 0);
 * ```
 */
export function eye<D extends DType = "f64">(n: number, m: number = n, dtype: D = "f64" as D): Tensor<D> {
  return Tensor.eye(n, m, dtype);
}

/**
 * A tensor from nested arrays (`Tensor.fromArray` as a function).
 *
 * @example
 * ```ts
 * const t = tensor([[1, 2], [3, 4]]);
 * console.assert(t.shape.join() === "2,2" && t.get(1, 0) === 3);
 * ```
 */
export function tensor<D extends DType>(values: unknown, options: { dtype: D; shape?: ArrayLike<number> }): Tensor<D>;
export function tensor(values: unknown, options?: { shape?: ArrayLike<number> }): Tensor;
export function tensor(values: unknown, options: { dtype?: DType; shape?: ArrayLike<number> } = {}): Tensor {
  return Tensor.fromArray(values, options as { dtype: DType });
}
