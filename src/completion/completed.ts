/**
 * The completed tensor from a fitted network: entries on demand (any size of tensor), or the
 * dense tensor when the caller asks for it, with the observed entries put back.
 * @module
 */
import { ArgumentError } from "../errors.js";
import type { Tensor } from "../linalg/tensor.js";
import { checkObserved, type ObservedEntries } from "../search/fit/observed.js";
import { networkEntries } from "../search/network/entries.js";
import { TensorNetwork } from "../search/network/network.js";
import type { CompletionResult } from "./complete.js";

/** Options of {@link completedTensor}. */
export interface CompletedTensorOptions {
  /**
   * Put the observed values back at their coordinates (default true), as image-completion
   * papers do before measuring PSNR; false gives the pure model output.
   */
  restoreObserved?: boolean;
}

/** Largest dense output (2^27 entries, 1 GiB of doubles); beyond, ask for entries. */
const MAX_DENSE = 2 ** 27;

/**
 * The completed tensor's entries at m multi-indices (an m×N row-major `Int32Array`, or an
 * array of index arrays): the fitted network's values there, without building the tensor.
 *
 * @param source a {@link CompletionResult} or a real network.
 * @throws {@link ShapeError} for an index out of range or of the wrong length;
 * {@link ArgumentError} for a complex network.
 * @example
 * ```ts
 * const net = TensorNetwork.random(NetworkStructure.tensorTrain([4, 4, 4], 2), 1);
 * const y = completedEntries(net, [[0, 1, 2], [3, 3, 3]]);
 * console.assert(y.length === 2 && Math.abs(y[1] - (net.toFull().get(3, 3, 3) as number)) < 1e-12);
 * ```
 */
export function completedEntries(source: CompletionResult | TensorNetwork, indices: Int32Array | readonly (readonly number[])[]): Float64Array {
  const net = networkOf(source, "completedEntries");
  return Float64Array.from(networkEntries(net, indices).data);
}

/**
 * The completed tensor, dense: the fitted network contracted in full, with the observed
 * entries restored unless `restoreObserved: false`. Memory grows with the number of entries,
 * so it is refused beyond 2^27; use {@link completedEntries} for larger tensors.
 *
 * @param source a {@link CompletionResult} or a real network.
 * @param observed the observed entries to restore (all of them, validation included); needed
 * unless `restoreObserved` is false.
 * @throws {@link ArgumentError} for a missing `observed` when restoring, a tensor beyond 2^27
 * entries or a complex network; {@link ShapeError} for entries of a tensor of another shape.
 * @example
 * ```ts
 * const net = TensorNetwork.random(NetworkStructure.tensorTrain([3, 3], 2), 1);
 * const observed = observedEntries([3, 3], [[0, 0], [2, 1]], [5, -5]);
 * const full = completedTensor(net, observed);
 * console.assert(full.get(0, 0) === 5 && full.get(2, 1) === -5);
 * const model = completedTensor(net, observed, { restoreObserved: false });
 * console.assert(model.get(1, 1) === full.get(1, 1) && model.get(0, 0) !== 5);
 * ```
 */
export function completedTensor(source: CompletionResult | TensorNetwork, observed?: ObservedEntries, options: CompletedTensorOptions = {}): Tensor<"f64"> {
  const where = "completedTensor";
  const net = networkOf(source, where);
  const { restoreObserved = true } = options;
  if (typeof restoreObserved !== "boolean") throw new ArgumentError(`${where}: restoreObserved must be true or false, got ${String(restoreObserved)}`);
  const dims = net.structure.dims;
  if (restoreObserved && observed === undefined) {
    throw new ArgumentError(`${where}: the observed entries are needed to restore them; pass them, or { restoreObserved: false } for the model output`);
  }
  const m = observed === undefined ? 0 : checkObserved(observed, dims, where);
  const size = net.structure.numEntries();
  if (size > MAX_DENSE) {
    throw new ArgumentError(`${where}: the tensor has ${size} entries, more than the ${MAX_DENSE} a dense result may have; use completedEntries for the entries you need`);
  }
  const full = net.toFull();
  if (restoreObserved && observed !== undefined) {
    const N = dims.length, data = full.data;
    for (let s = 0; s < m; s++) {
      let off = 0;
      for (let k = 0; k < N; k++) off = off * dims[k]! + observed.indices[s * N + k]!;
      data[off] = observed.values[s]!;
    }
  }
  return full;
}

function networkOf(source: CompletionResult | TensorNetwork, where: string): TensorNetwork<"f64"> {
  const net = source instanceof TensorNetwork ? source : (source as CompletionResult | null)?.network;
  if (!(net instanceof TensorNetwork)) throw new ArgumentError(`${where}: expected a completion result or a tensor network`);
  if (net.dtype !== "f64") throw new ArgumentError(`${where}: the network must be real (f64), got ${net.dtype}`);
  return net as TensorNetwork<"f64">;
}
