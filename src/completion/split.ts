/**
 * The training/validation split of a completion run: the observed entries put in canonical
 * (sorted) order first, so that neither the split nor the fit depends on the order they were
 * listed in, then a seeded share held out — of single entries, or of whole fibres along
 * `groupModes` (an image's pixels). Shared by {@link completeTensor} and {@link completeGreedy}.
 * @module
 */
import { ArgumentError } from "../errors.js";
import type { Seed } from "../linalg/random.js";
import { sortedSamples } from "../search/fit/als-observed.js";
import { splitObserved, type ObservedEntries } from "../search/fit/observed.js";
import type { NetworkStructure } from "../search/network/structure.js";

/** Observed entries in canonical order, and the part held out (null without a split). */
export interface CompletionSplit {
  train: ObservedEntries;
  validation: ObservedEntries | null;
}

/**
 * Sorts the observed entries (validating them against `structure`) and holds out
 * `fraction` of them, or of the fibres along `groupModes`.
 *
 * @throws {@link ArgumentError} for group modes that are not distinct modes (or are all of
 * them), or a single entry to split; as `observedEntries` for entries that do not fit.
 * @example
 * ```ts
 * const s = NetworkStructure.tensorTrain([4, 4, 3], 2);
 * const obs = sampleObserved(TensorNetwork.random(s, 1).toFull(), 0.5, 2);
 * const { train, validation } = completionSplit(s, obs, 0.2, [2], 3, "example");
 * console.assert(train.values.length + validation!.values.length === obs.values.length);
 * ```
 */
export function completionSplit(structure: NetworkStructure, observed: ObservedEntries, fraction: number, groupModes: readonly number[], seed: Seed, where: string): CompletionSplit {
  const d = structure.dims.length;
  if (!Array.isArray(groupModes) || groupModes.some((k) => !Number.isSafeInteger(k) || k < 0 || k >= d) || new Set(groupModes).size !== groupModes.length || groupModes.length === d) {
    throw new ArgumentError(`${where}: validationGroupModes must be distinct modes in 0…${d - 1}, not all of them, got ${JSON.stringify(groupModes)}`);
  }
  const all = sortedSamples(structure, observed, where);
  const sorted: ObservedEntries = Object.freeze({ shape: Object.freeze(structure.dims.slice()), indices: all.idx, values: all.values });
  if (!(fraction > 0)) return { train: sorted, validation: null };
  if (all.m < 2) throw new ArgumentError(`${where}: ${all.m} observed entry cannot be split for validation; pass validationFraction: 0`);
  const split = splitObserved(sorted, fraction, seed, { groupModes });
  return { train: split.train, validation: split.validation };
}
