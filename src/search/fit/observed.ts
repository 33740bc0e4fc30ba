/**
 * Observed entries of a tensor as a coordinate list: the data of tensor completion, and of
 * fitting a network where only some entries are known. The list is validated once when built
 * ({@link observedEntries}) and again, cheaply, by every fit that takes one, since the type is a
 * plain interface that callers may also fill by hand.
 * @module
 */
import { ArgumentError, ShapeError } from "../../errors.js";
import { Rng, type Seed } from "../../linalg/random.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";
import { networkEntries } from "../network/entries.js";
import type { TensorNetwork } from "../network/network.js";

/**
 * m observed entries of a real tensor of shape `shape` (d modes): sample s has the 0-based
 * multi-index `indices[s·d … s·d + d − 1]` and the value `values[s]`. No coordinate appears
 * twice. Build one with {@link observedEntries}, {@link observedFromTensor} or
 * {@link sampleObserved}.
 */
export interface ObservedEntries {
  /** Mode sizes of the tensor the entries come from. */
  readonly shape: readonly number[];
  /** The m multi-indices, m×d row-major, 0-based. */
  readonly indices: Int32Array;
  /** The m values. */
  readonly values: Float64Array;
}

/**
 * A validated, copied coordinate list (so later changes to the arguments do not reach it).
 *
 * @param shape mode sizes (positive integers).
 * @param indices m×d row-major multi-indices, or an array of m index arrays.
 * @param values the m values.
 * @throws {@link ShapeError} for a bad shape, a multi-index of the wrong length, an index out of
 * range, or m values for another number of multi-indices; {@link ArgumentError} for a non-finite
 * value or a coordinate listed twice. Each message names the offending sample.
 * @example
 * ```ts
 * const obs = observedEntries([2, 3], [[0, 1], [1, 2]], [0.5, -1]);
 * console.assert(obs.values.length === 2 && obs.indices[3] === 2);
 * let caught: unknown;
 * try { observedEntries([2, 3], [[0, 1], [0, 1]], [1, 2]); } catch (e) { caught = e; }
 * console.assert(caught instanceof ArgumentError && /samples 0 and 1/.test((caught as Error).message));
 * ```
 */
export function observedEntries(
  shape: readonly number[], indices: Int32Array | readonly (readonly number[])[], values: ArrayLike<number>,
): ObservedEntries {
  const dims = checkShape(shape, "observedEntries");
  const d = dims.length;
  let idx: Int32Array;
  if (indices instanceof Int32Array) idx = indices.slice();
  else {
    if (!Array.isArray(indices)) throw new ShapeError("observedEntries: indices must be an Int32Array (m×d, row-major) or an array of multi-indices");
    idx = new Int32Array(indices.length * d);
    indices.forEach((row, s) => {
      if (!Array.isArray(row) || row.length !== d) {
        throw new ShapeError(`observedEntries: sample ${s} has a multi-index of ${Array.isArray(row) ? row.length : "no"} entries for ${d} modes`);
      }
      for (let k = 0; k < d; k++) {
        const i = row[k]!;
        // Checked here because an Int32Array would silently wrap or truncate it.
        if (!Number.isInteger(i) || i < 0 || i >= dims[k]!) throw outOfRange("observedEntries", s, k, i, dims);
        idx[s * d + k] = i;
      }
    });
  }
  if (values === null || typeof values !== "object" || typeof values.length !== "number") {
    throw new ShapeError("observedEntries: values must be an array or a Float64Array");
  }
  const obs = { shape: Object.freeze(dims), indices: idx, values: Float64Array.from(values) };
  checkObserved(obs, dims, "observedEntries");
  return Object.freeze(obs);
}

/**
 * Checks a coordinate list against mode sizes `dims`: lengths, index ranges, finite values and
 * distinct coordinates, in O(m·d). Returns m. Internal to src/search (the fits call it on
 * their inputs).
 */
export function checkObserved(obs: ObservedEntries, dims: readonly number[], where: string): number {
  if (obs === null || typeof obs !== "object" || !(obs.indices instanceof Int32Array) || !(obs.values instanceof Float64Array) || !Array.isArray(obs.shape)) {
    throw new ArgumentError(`${where}: expected observed entries { shape, indices: Int32Array, values: Float64Array } (see observedEntries)`);
  }
  const d = dims.length;
  if (obs.shape.length !== d || obs.shape.some((n, k) => n !== dims[k])) {
    throw new ShapeError(`${where}: observed entries of a tensor of shape ${formatShape(obs.shape)}, expected ${formatShape(dims)}`);
  }
  const m = obs.values.length;
  if (obs.indices.length !== m * d) {
    throw new ShapeError(`${where}: ${m} values but ${obs.indices.length} indices; ${d}-mode multi-indices need ${m * d}`);
  }
  for (let s = 0; s < m; s++) {
    const x = obs.values[s]!;
    if (!Number.isFinite(x)) throw new ArgumentError(`${where}: sample ${s} has the non-finite value ${x}`);
    for (let k = 0; k < d; k++) {
      const i = obs.indices[s * d + k]!;
      if (i < 0 || i >= dims[k]!) throw outOfRange(where, s, k, i, dims);
    }
  }
  const seen = new Map<number | string, number>();
  // Row-major offsets identify coordinates exactly only below 2^53; beyond, a text key does.
  const exact = dims.reduce((p, n) => p * n, 1) <= Number.MAX_SAFE_INTEGER;
  for (let s = 0; s < m; s++) {
    const row = obs.indices.subarray(s * d, s * d + d);
    let key: number | string;
    if (exact) {
      let off = 0;
      for (let k = 0; k < d; k++) off = off * dims[k]! + row[k]!;
      key = off;
    } else key = row.join(",");
    const first = seen.get(key);
    if (first !== undefined) throw new ArgumentError(`${where}: samples ${first} and ${s} both observe the entry (${row.join(", ")}); coordinates must be distinct`);
    seen.set(key, s);
  }
  return m;
}

/** Options of {@link splitObserved}. */
export interface ObservedSplitOptions {
  /**
   * Modes along which entries are held out together: samples whose indices agree on every
   * other mode form one group, and `fraction` counts groups. An image's channel mode makes
   * whole pixels go to one side, as the missing pixels of an image completion task do; with
   * single channels held out, the validation error only measures how well a pixel's other
   * channels predict it. Default: none (every sample its own group).
   */
  groupModes?: readonly number[];
}

/**
 * Splits observed entries at random into a training and a validation part: `fraction` of the
 * samples (rounded, at least one, and leaving at least one) go to validation — of the groups,
 * with `groupModes`. The choice is a seeded shuffle, and each part keeps the samples in their
 * original order.
 *
 * @param fraction the share held out for validation, in (0, 1); default 0.1.
 * @param seed seed of the shuffle; default 1.
 * @throws {@link ArgumentError} for fewer than 2 samples (groups), a fraction outside (0, 1),
 * or group modes that are not distinct modes of the tensor.
 * @example
 * ```ts
 * const obs = sampleObserved(randn([4, 4, 4], 1), 0.5, 2);
 * const { train, validation } = splitObserved(obs, 0.25, 3);
 * console.assert(train.values.length + validation.values.length === 32 && validation.values.length === 8);
 * // Whole fibres along mode 2: a held-out (i, j) keeps none of its entries in training.
 * const full = observedFromTensor(randn([4, 4, 3], 1));
 * const byFibre = splitObserved(full, 0.25, 3, { groupModes: [2] });
 * console.assert(byFibre.validation.values.length === 4 * 3);
 * ```
 */
export function splitObserved(obs: ObservedEntries, fraction = 0.1, seed: Seed = 1, options: ObservedSplitOptions = {}): { train: ObservedEntries; validation: ObservedEntries } {
  const m = checkObserved(obs, obs?.shape ?? [], "splitObserved");
  if (!(typeof fraction === "number" && fraction > 0 && fraction < 1)) throw new ArgumentError(`splitObserved: fraction must lie in (0, 1), got ${fraction}`);
  const { group, groups } = sampleGroups(obs, m, options?.groupModes ?? [], "splitObserved");
  if (groups < 2) throw new ArgumentError(`splitObserved: ${groups} ${group === null ? "sample" : "group"}${groups === 1 ? "" : "s"} cannot be split into two non-empty parts`);
  const held = Math.min(groups - 1, Math.max(1, Math.round(fraction * groups)));
  const order = Int32Array.from({ length: groups }, (_, s) => s);
  const rng = new Rng(seed);
  // Partial Fisher–Yates: the first `held` positions become a uniform random subset.
  for (let k = 0; k < held; k++) {
    const r = k + Math.floor(rng.nextFloat64() * (groups - k));
    const t = order[k]!;
    order[k] = order[r]!;
    order[r] = t;
  }
  const heldGroup = new Uint8Array(groups);
  for (let k = 0; k < held; k++) heldGroup[order[k]!] = 1;
  const inValidation = group === null ? heldGroup : Uint8Array.from(group, (g) => heldGroup[g]!);
  return { train: subset(obs, inValidation, 0), validation: subset(obs, inValidation, 1) };
}

// The group of every sample (numbered by first appearance) when some modes are grouped; null
// (every sample its own group, numbered by position) when none are.
function sampleGroups(obs: ObservedEntries, m: number, groupModes: readonly number[], where: string): { group: Int32Array | null; groups: number } {
  const d = obs.shape.length;
  if (!Array.isArray(groupModes) || groupModes.some((k) => !Number.isSafeInteger(k) || k < 0 || k >= d) || new Set(groupModes).size !== groupModes.length) {
    throw new ArgumentError(`${where}: groupModes must be distinct modes in 0…${d - 1}, got ${JSON.stringify(groupModes)}`);
  }
  if (groupModes.length === 0) return { group: null, groups: m };
  const keyModes = [...obs.shape.keys()].filter((k) => !groupModes.includes(k));
  const exact = keyModes.reduce((p, k) => p * obs.shape[k]!, 1) <= Number.MAX_SAFE_INTEGER;
  const ids = new Map<number | string, number>();
  const group = new Int32Array(m);
  for (let s = 0; s < m; s++) {
    let key: number | string;
    if (exact) {
      key = 0;
      for (const k of keyModes) key = key * obs.shape[k]! + obs.indices[s * d + k]!;
    } else key = keyModes.map((k) => obs.indices[s * d + k]).join(",");
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    group[s] = id;
  }
  return { group, groups: ids.size };
}

/**
 * The entries of a full real tensor where `mask` is set (non-zero or true, read in row-major
 * order: a tensor of the same shape, or an array of `tensor.size` flags), or all of them.
 *
 * @throws {@link ArgumentError} for a complex or non-finite tensor; {@link ShapeError} for a
 * mask of another size.
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 4]]);
 * const obs = observedFromTensor(x, [1, 0, 0, 1]);
 * console.assert(obs.values.join() === "1,4" && obs.indices.join() === "0,0,1,1");
 * ```
 */
export function observedFromTensor(tensor: Tensor, mask?: Tensor | ArrayLike<number | boolean>): ObservedEntries {
  if (tensor.dtype !== "f64" && tensor.dtype !== "f32") throw new ArgumentError(`observedFromTensor: the tensor must be real, got ${tensor.dtype}`);
  let flags: ArrayLike<number | boolean> | undefined, width = 1;
  if (mask !== undefined) {
    if (mask instanceof Tensor) {
      flags = mask.data;
      width = mask.dtype === "c128" ? 2 : 1;
    } else flags = mask;
    if (flags.length !== width * tensor.size) throw new ShapeError(`observedFromTensor: a mask of ${flags.length / width} entries for a tensor of ${tensor.size}`);
  }
  const keep: number[] = [];
  for (let p = 0; p < tensor.size; p++) {
    if (flags === undefined || Boolean(flags[width * p]) || (width === 2 && Boolean(flags[2 * p + 1]))) keep.push(p);
  }
  return fromOffsets(tensor, keep, "observedFromTensor");
}

/**
 * `round(fraction · size)` entries of a full real tensor chosen uniformly at random (seeded),
 * listed in row-major order: the observations of a completion experiment.
 *
 * @throws {@link ArgumentError} for a fraction outside (0, 1] or a complex tensor.
 * @example
 * ```ts
 * const x = randn([5, 5, 5], 1);
 * const a = sampleObserved(x, 0.3, 7), b = sampleObserved(x, 0.3, 7);
 * console.assert(a.values.length === 38 && a.indices.join() === b.indices.join());
 * ```
 */
export function sampleObserved(tensor: Tensor, fraction: number, seed: Seed = 1): ObservedEntries {
  if (tensor.dtype !== "f64" && tensor.dtype !== "f32") throw new ArgumentError(`sampleObserved: the tensor must be real, got ${tensor.dtype}`);
  if (!(typeof fraction === "number" && fraction > 0 && fraction <= 1)) throw new ArgumentError(`sampleObserved: fraction must lie in (0, 1], got ${fraction}`);
  const size = tensor.size;
  const count = Math.round(fraction * size);
  const order = Int32Array.from({ length: size }, (_, p) => p);
  const rng = new Rng(seed);
  for (let k = 0; k < count; k++) {
    const r = k + Math.floor(rng.nextFloat64() * (size - k));
    const t = order[k]!;
    order[k] = order[r]!;
    order[r] = t;
  }
  return fromOffsets(tensor, Array.from(order.subarray(0, count)).sort((a, b) => a - b), "sampleObserved");
}

/**
 * The relative error ‖y − x‖/‖x‖ of a network's entries y at the observed coordinates against
 * the observed values x.
 *
 * @throws {@link ArgumentError} if the observed values are all zero or the network is complex;
 * {@link ShapeError} if the entries are of a tensor of another shape.
 * @example
 * ```ts
 * const net = TensorNetwork.random(NetworkStructure.tensorTrain([3, 3, 3], 2), 1);
 * const obs = sampleObserved(net.toFull(), 0.5, 2);
 * console.assert(observedRse(net, obs) < 1e-14);
 * ```
 */
export function observedRse(net: TensorNetwork, obs: ObservedEntries): number {
  if (net.dtype !== "f64") throw new ArgumentError(`observedRse: the network must be real (f64), got ${net.dtype}`);
  const m = checkObserved(obs, net.structure.dims, "observedRse");
  const y = networkEntries(net, obs.indices).data;
  let num = 0, den = 0;
  for (let s = 0; s < m; s++) {
    const x = obs.values[s]!;
    num += (y[s]! - x) ** 2;
    den += x * x;
  }
  if (den === 0) throw new ArgumentError("observedRse: the observed values are all zero; a relative error is undefined");
  return Math.sqrt(num / den);
}

function checkShape(shape: readonly number[], where: string): number[] {
  if (!Array.isArray(shape) || shape.length === 0) throw new ShapeError(`${where}: shape must be a non-empty array of mode sizes`);
  shape.forEach((n, k) => {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 2 ** 31 - 1) throw new ShapeError(`${where}: mode ${k} has size ${n}; sizes must be positive integers`);
  });
  return shape.slice();
}

function outOfRange(where: string, s: number, k: number, i: number, dims: readonly number[]): ShapeError {
  return new ShapeError(`${where}: sample ${s} has index ${i} for mode ${k} of size ${dims[k]} (shape ${formatShape(dims)})`);
}

function subset(obs: ObservedEntries, part: Uint8Array, which: number): ObservedEntries {
  const d = obs.shape.length;
  let count = 0;
  for (let s = 0; s < part.length; s++) if (part[s] === which) count++;
  const indices = new Int32Array(count * d), values = new Float64Array(count);
  let t = 0;
  for (let s = 0; s < part.length; s++) {
    if (part[s] !== which) continue;
    indices.set(obs.indices.subarray(s * d, s * d + d), t * d);
    values[t++] = obs.values[s]!;
  }
  return Object.freeze({ shape: Object.freeze(obs.shape.slice()), indices, values });
}

function fromOffsets(tensor: Tensor, offsets: readonly number[], where: string): ObservedEntries {
  const dims = tensor.shape, d = dims.length;
  if (d === 0) throw new ShapeError(`${where}: a scalar has no modes to index`);
  const indices = new Int32Array(offsets.length * d), values = new Float64Array(offsets.length);
  offsets.forEach((p, s) => {
    const x = tensor.data[p]!;
    if (!Number.isFinite(x)) throw new ArgumentError(`${where}: the tensor has the non-finite value ${x} at row-major offset ${p}`);
    values[s] = x;
    let rest = p;
    for (let k = d - 1; k >= 0; k--) {
      indices[s * d + k] = rest % dims[k]!;
      rest = Math.floor(rest / dims[k]!);
    }
  });
  return Object.freeze({ shape: Object.freeze(Array.from(dims)), indices, values });
}
