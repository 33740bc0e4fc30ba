/**
 * Observed entries from arrays: the dense forms users bring (values with NaN where missing;
 * values with a 0/1 mask) and a coordinate list held as two arrays, in memory or as `.npy`
 * files. The result is always the coordinate list {@link ObservedEntries}: the mask is read once
 * and never turned into anything larger than the dense values already are.
 * @module
 */
import { ArgumentError, DTypeError, FormatError, ShapeError } from "../../errors.js";
import { readNpy } from "../../linalg/io/npy.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";
import { observedEntries, type ObservedEntries } from "../../search/fit/observed.js";

/** Options of {@link readObservedNpy}. */
export interface ObservedNpyOptions {
  /**
   * Path of a mask `.npy` of the same shape (bool, integer or float, every entry 0 or 1): the
   * entries where it is 1 are observed. Without it, NaN marks the missing entries.
   */
  mask?: string;
}

/** Options of {@link observedFromCoordinateArrays} and {@link readCoordinateNpy}. */
export interface CoordinateArrayOptions {
  /** Mode sizes; default: the largest index of each mode, plus one for 0-based indices. */
  shape?: readonly number[];
  /** Whether the indices start at 1 (as in MATLAB); default false. */
  oneBased?: boolean;
}

/**
 * The entries of a real tensor that are not NaN. ±Infinity is not a way to say "missing" and is
 * refused.
 *
 * @throws {@link DTypeError} for a complex tensor; {@link ShapeError} for a scalar or a tensor
 * with an empty mode; {@link ArgumentError} for an infinite entry (naming its multi-index).
 * @example
 * ```ts
 * const obs = observedFromNaN(tensor([[1, NaN], [NaN, 4]]));
 * console.assert(obs.values.join() === "1,4" && obs.indices.join() === "0,0,1,1");
 * ```
 */
export function observedFromNaN(values: Tensor): ObservedEntries {
  const dims = checkDense(values, "observedFromNaN");
  const data = values.data;
  let count = 0;
  for (let p = 0; p < values.size; p++) {
    const x = data[p]!;
    if (x === x) {
      if (x === Infinity || x === -Infinity) throw new ArgumentError(`observedFromNaN: the entry at (${multiIndex(p, dims).join(", ")}) is ${x}; only NaN marks a missing entry, and observed values must be finite`);
      count++;
    }
  }
  return gather(values, dims, count, (p) => data[p]! === data[p]!);
}

/**
 * The entries of a real tensor where `mask` is 1: a tensor of the same shape, or `values.size`
 * flags in row-major order (booleans, or numbers 0 and 1). The mask is not copied.
 *
 * @throws {@link DTypeError} for a complex tensor or mask; {@link ShapeError} for a mask of
 * another shape or size; {@link ArgumentError} for a mask entry other than 0/1/true/false, or a
 * non-finite observed value (naming its multi-index).
 * @example
 * ```ts
 * const obs = observedFromMask(tensor([[1, 2], [3, 4]]), tensor([[0, 1], [1, 0]]));
 * console.assert(obs.values.join() === "2,3" && obs.indices.join() === "0,1,1,0");
 * const same = observedFromMask(tensor([[1, 2], [3, 4]]), [false, true, true, false]);
 * console.assert(same.values.join() === "2,3");
 * ```
 */
export function observedFromMask(values: Tensor, mask: Tensor | ArrayLike<number | boolean>): ObservedEntries {
  const dims = checkDense(values, "observedFromMask");
  let flags: ArrayLike<number | boolean>;
  if (mask instanceof Tensor) {
    if (mask.dtype === "c128") throw new DTypeError("observedFromMask: the mask must be real (bool, integer or float 0/1), got c128");
    if (mask.shape.length !== dims.length || mask.shape.some((n, k) => n !== dims[k])) {
      throw new ShapeError(`observedFromMask: a mask of shape ${formatShape(mask.shape)} for values of shape ${formatShape(dims)}`);
    }
    flags = mask.data;
  } else {
    if (mask === null || typeof mask !== "object" || typeof mask.length !== "number") {
      throw new ArgumentError("observedFromMask: the mask must be a tensor or an array of 0/1 flags");
    }
    if (mask.length !== values.size) throw new ShapeError(`observedFromMask: a mask of ${mask.length} flags for ${values.size} entries`);
    flags = mask;
  }
  const data = values.data;
  let count = 0;
  for (let p = 0; p < values.size; p++) {
    const f = flags[p];
    if (f === 1 || f === true) {
      const x = data[p]!;
      if (!Number.isFinite(x)) throw new ArgumentError(`observedFromMask: the observed entry at (${multiIndex(p, dims).join(", ")}) is ${x}; observed values must be finite`);
      count++;
    } else if (!(f === 0 || f === false)) {
      throw new ArgumentError(`observedFromMask: the mask entry at (${multiIndex(p, dims).join(", ")}) is ${String(f)}; a mask holds 0/1 or booleans`);
    }
  }
  return gather(values, dims, count, (p) => flags[p] === 1 || flags[p] === true);
}

/**
 * Reads observed entries from a dense `.npy` file: its non-NaN entries, or, with a `mask`
 * file, the entries where the mask is 1 (missing entries may then hold anything, NaN included).
 *
 * @throws {@link FormatError} for a file that is not a valid `.npy`; otherwise as
 * {@link observedFromNaN} and {@link observedFromMask}, messages starting with the path.
 * @example
 * ```ts
 * writeNpy("/tmp/arbor-dense.npy", tensor([[1, NaN, 3]]));
 * const obs = readObservedNpy("/tmp/arbor-dense.npy");
 * console.assert(obs.values.join() === "1,3" && obs.shape.join() === "1,3");
 * writeNpy("/tmp/arbor-mask.npy", tensor([[0, 0, 1]]));
 * console.assert(readObservedNpy("/tmp/arbor-dense.npy", { mask: "/tmp/arbor-mask.npy" }).values.join() === "3");
 * ```
 */
export function readObservedNpy(path: string, options: ObservedNpyOptions = {}): ObservedEntries {
  if (options === null || typeof options !== "object") throw new ArgumentError("readObservedNpy: options must be an object");
  const unknown = Object.keys(options).filter((k) => k !== "mask");
  if (unknown.length > 0) throw new ArgumentError(`readObservedNpy: unknown option '${unknown[0]}' (known: mask)`);
  const values = readNpy(path);
  if (options.mask === undefined) return withPath(path, () => observedFromNaN(values));
  const mask = readNpy(options.mask);
  return withPath(`${path} with mask ${options.mask}`, () => observedFromMask(values, mask));
}

/**
 * Observed entries from a coordinate list held as arrays: `indices` of shape [m, d] (integer
 * values in any real dtype, as `.npy` integer files are read) and `values` of shape [m].
 *
 * @throws {@link ShapeError} for arrays of other shapes or an index outside a given shape;
 * {@link ArgumentError} for a non-integer or negative index (below 1 when `oneBased`), a
 * non-finite value or a coordinate given twice; {@link DTypeError} for complex arrays.
 * @example
 * ```ts
 * const obs = observedFromCoordinateArrays(tensor([[1, 1], [2, 3]]), tensor([0.5, 2]), { oneBased: true });
 * console.assert(obs.shape.join() === "2,3" && obs.indices.join() === "0,0,1,2");
 * ```
 */
export function observedFromCoordinateArrays(indices: Tensor, values: Tensor, options: CoordinateArrayOptions = {}): ObservedEntries {
  const where = "observedFromCoordinateArrays";
  if (!(indices instanceof Tensor) || !(values instanceof Tensor)) throw new ArgumentError(`${where}: indices and values must be tensors`);
  if (indices.dtype === "c128" || values.dtype === "c128") throw new DTypeError(`${where}: indices and values must be real`);
  if (indices.ndim !== 2) throw new ShapeError(`${where}: indices must have shape [m, d], got ${formatShape(indices.shape)}`);
  const [m, d] = indices.shape as [number, number];
  if (values.ndim !== 1 || values.shape[0] !== m) throw new ShapeError(`${where}: values of shape ${formatShape(values.shape)} for ${m} multi-indices; expected [${m}]`);
  if (d === 0) throw new ShapeError(`${where}: multi-indices of 0 modes`);
  const { shape, oneBased = false } = options;
  const base = oneBased ? 1 : 0;
  const idx = new Int32Array(m * d);
  const largest = new Array<number>(d).fill(0);
  for (let s = 0; s < m; s++) {
    for (let k = 0; k < d; k++) {
      const i = indices.data[s * d + k]! - base;
      // Checked before the Int32Array store, which would wrap or truncate silently.
      if (!Number.isInteger(i) || i < 0 || i > 2 ** 31 - 2) {
        throw new ArgumentError(`${where}: sample ${s} has index ${i + base} for mode ${k}; indices must be integers from ${base} up to 2^31 − ${2 - base}`);
      }
      idx[s * d + k] = i;
      if (i + 1 > largest[k]!) largest[k] = i + 1;
    }
  }
  if (shape === undefined && m === 0) throw new ShapeError(`${where}: no entries, and no shape to give an empty list of observed entries`);
  return observedEntries(shape ?? largest, idx, values.data);
}

/**
 * Reads a coordinate list from two `.npy` files: the [m, d] indices (any integer or real dtype)
 * and the m values ({@link observedFromCoordinateArrays}).
 *
 * @throws {@link FormatError} for a file that is not a valid `.npy`; otherwise as
 * {@link observedFromCoordinateArrays}, messages starting with the paths.
 * @example
 * ```ts
 * writeNpy("/tmp/arbor-idx.npy", tensor([[0, 2], [1, 0]]));
 * writeNpy("/tmp/arbor-val.npy", tensor([5, 6]));
 * const obs = readCoordinateNpy("/tmp/arbor-idx.npy", "/tmp/arbor-val.npy", { shape: [2, 4] });
 * console.assert(obs.shape.join() === "2,4" && obs.values.join() === "5,6");
 * ```
 */
export function readCoordinateNpy(indicesPath: string, valuesPath: string, options: CoordinateArrayOptions = {}): ObservedEntries {
  const indices = readNpy(indicesPath), values = readNpy(valuesPath);
  return withPath(`${indicesPath} and ${valuesPath}`, () => observedFromCoordinateArrays(indices, values, options));
}

function checkDense(values: Tensor, where: string): readonly number[] {
  if (!(values instanceof Tensor)) throw new ArgumentError(`${where}: values must be a tensor`);
  if (values.dtype === "c128") throw new DTypeError(`${where}: the values must be real, got c128`);
  if (values.ndim === 0) throw new ShapeError(`${where}: a scalar has no modes to index`);
  if (values.size === 0) throw new ShapeError(`${where}: the values of shape ${formatShape(values.shape)} have an empty mode`);
  if (values.shape.some((n) => n > 2 ** 31 - 1)) throw new ShapeError(`${where}: a mode of shape ${formatShape(values.shape)} is beyond 2^31 − 1`);
  return values.shape;
}

/** The `count` entries whose row-major offset passes `keep`, with their multi-indices. */
function gather(values: Tensor, dims: readonly number[], count: number, keep: (p: number) => boolean): ObservedEntries {
  const d = dims.length;
  const indices = new Int32Array(count * d), out = new Float64Array(count);
  // An odometer over the multi-index: O(1) amortised per entry, no division.
  const idx = new Int32Array(d);
  let s = 0;
  for (let p = 0; p < values.size; p++) {
    if (keep(p)) {
      indices.set(idx, s * d);
      out[s++] = values.data[p]!;
    }
    for (let k = d - 1; k >= 0; k--) {
      if (++idx[k]! < dims[k]!) break;
      idx[k] = 0;
    }
  }
  return Object.freeze({ shape: Object.freeze(dims.slice()), indices, values: out });
}

function multiIndex(p: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) {
    out[k] = p % dims[k]!;
    p = Math.floor(p / dims[k]!);
  }
  return out;
}

function withPath<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ShapeError) throw new ShapeError(`${path}: ${e.message}`);
    if (e instanceof ArgumentError) throw new ArgumentError(`${path}: ${e.message}`);
    if (e instanceof DTypeError) throw new DTypeError(`${path}: ${e.message}`);
    if (e instanceof FormatError) throw new FormatError(`${path}: ${e.message}`);
    throw e;
  }
}
