/**
 * Completion with a learned structure: the greedy rank growth of the structure search
 * ({@link greedySearch}; Hashemizadeh, Liu, Miller & Rabusseau, "Adaptive learning of tensor
 * network structures") run on observed entries. From rank one on every candidate bond, each
 * step raises every candidate by one with its new slices fitted to the training residual, keeps
 * the raise that lowers the validation error most (per added parameter, by default), and refits
 * all cores by ALS over the training entries with early stopping on validation. Growth ends
 * when `patience` steps in a row have not lowered the validation error, and the network with
 * the lowest validation error is returned: the ranks — and, over all pairs, the graph — are
 * chosen by entries the fits never saw.
 * @module
 */
import { ArgumentError } from "../errors.js";
import type { Seed } from "../linalg/random.js";
import { samplesRse, sortedSamples } from "../search/fit/als-observed.js";
import type { ObservedEntries } from "../search/fit/observed.js";
import { observedEntriesData } from "../search/greedy-data.js";
import { greedyGrowth, type GreedyOptions, type GreedyStep } from "../search/greedy.js";
import type { TensorNetwork } from "../search/network/network.js";
import { NetworkStructure } from "../search/network/structure.js";
import { completionSplit, type CompletionSplit } from "./split.js";

/** Which bonds the growth may raise. */
export type GreedyCandidates = "all-pairs" | "ring" | "train" | readonly (readonly [number, number])[];

/** Options of {@link completeGreedy}. */
export interface GreedyCompletionOptions {
  /** Share of the observed entries held out for validation, in (0, 1) (default 0.1): the growth is judged on them. */
  validationFraction?: number;
  /** Hold out whole fibres along these modes (an image's channel mode); see {@link completeTensor}. */
  validationGroupModes?: readonly number[];
  /** Seed of the split, the starts and the new slices (default 1). */
  seed?: Seed;
  /**
   * The bonds that may grow: `"all-pairs"` (default, the paper's search over all graphs),
   * `"ring"` (the bonds of a ring in mode order: a tensor ring with learned ranks), `"train"`,
   * or a list of mode pairs [u, v], u < v.
   */
  candidates?: GreedyCandidates;
  /** Growth steps without a lower validation error before the growth ends (default 3). */
  patience?: number;
  /** The relative fall of the validation error that counts as lower for `patience` (default 0.01). */
  minGain?: number;
  /** End the growth once the validation error is at most this (default 1e-8: the data are completed to round-off of the fits). */
  targetRse?: number;
  /**
   * Random starts of every refit besides the warm one, the lowest validation error kept
   * (default 1): a warm start from the previous ranks often sits in a basin it cannot leave —
   * a train 6⁴ of ranks (2, 3, 2) from 40 % of its entries: 2.6e-4 after 300 sweeps from the
   * warm start, 1.1e-9 from a random one.
   */
  restarts?: number;
  /** Never exceed this many parameters (default: the number of training entries). */
  maxParameters?: number;
  /** Largest number of rank increments (default 50). */
  maxSteps?: number;
  /** ALS sweeps of the new slices that score a candidate (default 2) and of a refit (default 100). */
  scoringSweeps?: number;
  refitSweeps?: number;
  /** Ridge of the least-squares updates, relative to each slice's Gram diagonal (default 1e-10). */
  ridge?: number;
  /** The ranking rule of a step (default `"loss-per-parameter"`; see {@link GreedyOptions}). */
  criterion?: GreedyOptions["criterion"];
  /** Called after every accepted step. */
  onStep?: (step: GreedyStep) => void;
}

/** The result of {@link completeGreedy}. */
export interface GreedyCompletionResult {
  /** The network with the lowest validation error of the growth. */
  network: TensorNetwork<"f64">;
  structure: NetworkStructure;
  parameters: number;
  /** Errors of `network` on the training and the validation entries. */
  trainRse: number;
  validationRse: number;
  /** Every raise of the growth, with its validation error (`rse`). */
  steps: GreedyStep[];
  /** Why the growth ended: `"no-gain"` (patience ran out), `"budget"`, `"max-steps"` or `"target"`. */
  stop: "target" | "budget" | "max-steps" | "no-gain";
  /** Fits run: candidates scored and refits. */
  evaluations: number;
  /** The split of the observed entries, each part in canonical (sorted) order. */
  split: CompletionSplit & { validation: ObservedEntries };
  /** Wall time in seconds. */
  seconds: number;
}

/**
 * Completes a tensor from observed entries, learning the network's ranks (and graph) on a
 * validation split by greedy rank growth; see the module notes. Deterministic for a seed and
 * independent of the order the entries are listed in.
 *
 * @throws {@link ArgumentError} for bad options or entries (see {@link observedEntries}).
 * @example
 * ```ts
 * // A rank-(2, 3, 2) train from 40 % of its entries: the growth finds ranks that complete it.
 * const s = NetworkStructure.tensorTrain([6, 6, 6, 6], [2, 3, 2]);
 * const x = TensorNetwork.random(s, 1).toFull();
 * const r = completeGreedy(sampleObserved(x, 0.4, 2), { candidates: "train", seed: 1 });
 * console.assert(r.validationRse < 1e-6 && r.parameters <= s.numParameters());
 * ```
 */
export function completeGreedy(observed: ObservedEntries, options: GreedyCompletionOptions = {}): GreedyCompletionResult {
  const where = "completeGreedy";
  const t0 = performance.now();
  if (observed === null || typeof observed !== "object" || !Array.isArray(observed.shape)) {
    throw new ArgumentError(`${where}: expected observed entries { shape, indices, values } (see observedEntries)`);
  }
  if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: options must be an object`);
  const known = new Set(["validationFraction", "validationGroupModes", "seed", "candidates", "patience", "minGain", "targetRse", "restarts", "maxParameters", "maxSteps", "scoringSweeps", "refitSweeps", "ridge", "criterion", "onStep"]);
  for (const key of Object.keys(options)) if (!known.has(key)) throw new ArgumentError(`${where}: unknown option ${JSON.stringify(key)}`);
  const { validationFraction = 0.1, validationGroupModes = [], seed = 1, candidates = "all-pairs", patience = 3, minGain = 0.01, targetRse = 1e-8, restarts = 1, maxSteps = 50, scoringSweeps = 2, refitSweeps = 100, ridge = 1e-10, criterion, onStep } = options;
  if (!(typeof validationFraction === "number" && validationFraction > 0 && validationFraction < 1)) {
    throw new ArgumentError(`${where}: validationFraction must lie in (0, 1) — the growth is judged on the validation entries — got ${String(validationFraction)}`);
  }
  if (!(typeof ridge === "number" && Number.isFinite(ridge) && ridge >= 0)) throw new ArgumentError(`${where}: ridge must be a finite number ≥ 0, got ${String(ridge)}`);
  const shape = observed.shape;
  const split = completionSplit(NetworkStructure.fullyConnected(shape, 1), observed, validationFraction, validationGroupModes, seed, where);
  const validation = split.validation!;
  const { maxParameters = split.train.values.length } = options;
  const data = observedEntriesData(split.train, validation, { ridge });
  const result = greedyGrowth(data, {
    targetRse, maxParameters, maxSteps, scoringSweeps, refitSweeps, seed, patience, minGain, restarts, prune: false, regrow: false,
    ...(candidates === "all-pairs" ? {} : { candidates: candidatePairs(candidates, shape.length, where) }), ...(criterion !== undefined ? { criterion } : {}), ...(onStep !== undefined ? { onStep } : {}),
  });
  const trainSamples = sortedSamples(result.structure, split.train, where);
  return {
    network: result.network,
    structure: result.structure,
    parameters: result.parameters,
    trainRse: samplesRse(result.network, trainSamples),
    validationRse: result.rse,
    steps: result.steps,
    stop: result.stop,
    evaluations: result.evaluations,
    split: { train: split.train, validation },
    seconds: (performance.now() - t0) / 1000,
  };
}

// The mode pairs a growth may raise other than all of them: a ring's, a train's, or a list
// (checked by the search).
function candidatePairs(candidates: Exclude<GreedyCandidates, "all-pairs">, d: number, where: string): readonly (readonly [number, number])[] {
  if (Array.isArray(candidates)) return candidates;
  const chain = Array.from({ length: d - 1 }, (_, k): [number, number] => [k, k + 1]);
  if (candidates === "train") return chain;
  if (candidates === "ring") return d > 2 ? [...chain, [0, d - 1]] : chain;
  throw new ArgumentError(`${where}: candidates must be "all-pairs", "ring", "train" or a list of mode pairs, got ${JSON.stringify(candidates)}`);
}
