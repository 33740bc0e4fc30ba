/**
 * Greedy rank growth (Hashemizadeh, Liu, Miller & Rabusseau, "Adaptive learning of tensor
 * network structures", arXiv 2008.05437): start from the rank-one network over all modes; at
 * each step try raising every pair's rank by one — the old cores kept, the new slices small
 * random numbers (weight transfer) — score each candidate by a few ALS sweeps, keep the best,
 * refit it, and stop at the target error, the parameter budget or the step limit.
 * @module
 */
import { ArgumentError } from "../errors.js";
import { Rng, randn, type Seed } from "../linalg/random.js";
import { assignSlice } from "../linalg/slice.js";
import { Tensor } from "../linalg/tensor.js";
import { fitNetwork, type FitResult } from "./fit/als.js";
import { TensorNetwork } from "./network/network.js";
import { NetworkStructure } from "./network/structure.js";

/** Options of {@link greedySearch}. */
export interface GreedyOptions {
  /** Stop when the relative error reaches this (default 1e-4). */
  targetRse?: number;
  /** Never exceed this many parameters (default: the number of entries of the target). */
  maxParameters?: number;
  /** Largest number of rank increments (default 50). */
  maxSteps?: number;
  /** ALS sweeps that score a candidate (default 2), and that refit the chosen one (default 50). */
  scoringSweeps?: number;
  refitSweeps?: number;
  /**
   * How a candidate is ranked: `"loss"` (lowest error, the paper's default) or
   * `"loss-per-parameter"` (largest fall of the squared error per added parameter).
   */
  criterion?: "loss" | "loss-per-parameter";
  /** Standard deviation of the new slices (default 1e-2, as in the paper). */
  noise?: number;
  seed?: Seed;
  /** Called after every accepted step. */
  onStep?: (step: GreedyStep) => void;
}

/** One accepted step of the search. */
export interface GreedyStep {
  /** The pair of vertices whose rank was raised. */
  edge: [number, number];
  rse: number;
  parameters: number;
  /** Fits run so far (candidates scored and refits). */
  evaluations: number;
  structure: string;
}

/** The result of {@link greedySearch}. */
export interface GreedyResult {
  structure: NetworkStructure;
  network: TensorNetwork<"f64">;
  rse: number;
  parameters: number;
  steps: GreedyStep[];
  evaluations: number;
  stop: "target" | "budget" | "max-steps";
}

// The cores of `to` (= `from` with one pair's rank raised) that reproduce `from`'s tensor plus
// small random slices on the new bond.
function transferWeights(from: TensorNetwork<"f64">, to: NetworkStructure, noise: number, rng: Rng): TensorNetwork<"f64"> {
  const cores = from.cores.map((core, v) => {
    const oldShape = from.structure.coreShape(v), newShape = to.coreShape(v);
    const same = oldShape.length === newShape.length && oldShape.every((d, i) => d === newShape[i]);
    if (same) return core;
    // Align the old axes with the new ones: a new neighbour adds an axis of size 1.
    const oldNeighbours = from.structure.neighbors(v), newNeighbours = to.neighbors(v);
    const aligned = core.reshape([oldShape[0]!, ...newNeighbours.map((u) => (oldNeighbours.includes(u) ? from.structure.rank(v, u) : 1))]);
    const out = new Tensor("f64", newShape, randn(newShape, rng).data.map((x) => noise * x));
    assignSlice(out, aligned.shape.map((d) => [0, d] as const), aligned);
    return out;
  });
  return new TensorNetwork(to, cores);
}

/**
 * Learns a network structure for a full target by greedy rank growth over all pairs of modes.
 * Each candidate evaluation is one short ALS fit (counted in `evaluations`); deterministic for
 * a seed.
 *
 * @throws {@link ArgumentError} for invalid options (and whatever {@link fitNetwork} refuses).
 * @example
 * ```ts
 * // A tensor train target: the search finds an error below 1e-6 with few parameters.
 * const planted = NetworkStructure.tensorTrain([3, 3, 3, 3], 2);
 * const x = contractNetwork(TensorNetwork.random(planted, 4));
 * const found = greedySearch(x, { targetRse: 1e-6, seed: 1 });
 * console.assert(found.rse < 1e-6 && found.parameters <= 81);
 * ```
 */
export function greedySearch(target: Tensor, options: GreedyOptions = {}): GreedyResult {
  const entries = target.data.length / (target.dtype === "c128" ? 2 : 1);
  const { targetRse = 1e-4, maxParameters = entries, maxSteps = 50, scoringSweeps = 2, refitSweeps = 50, noise = 1e-2, seed = 1, onStep, criterion = "loss" } = options;
  if (criterion !== "loss" && criterion !== "loss-per-parameter") throw new ArgumentError(`greedySearch: criterion must be "loss" or "loss-per-parameter", got ${JSON.stringify(criterion)}`);
  if (!(targetRse >= 0) || !(maxParameters > 0) || !Number.isSafeInteger(maxSteps) || maxSteps < 0 || !Number.isSafeInteger(scoringSweeps) || scoringSweeps < 1 || !Number.isSafeInteger(refitSweeps) || refitSweeps < 1 || !(noise > 0)) {
    throw new ArgumentError(`greedySearch: need targetRse ≥ 0, maxParameters > 0, maxSteps ≥ 0, scoringSweeps and refitSweeps ≥ 1, noise > 0`);
  }
  const rng = new Rng(seed);
  let evaluations = 1;
  let current: FitResult = fitNetwork(NetworkStructure.fullyConnected(target.shape, 1), target, { maxSweeps: refitSweeps, seed, targetRse });
  const steps: GreedyStep[] = [];
  let stop: GreedyResult["stop"] = "max-steps";
  for (let step = 0; step < maxSteps; step++) {
    if (current.rse <= targetRse) {
      stop = "target";
      break;
    }
    const s = current.network.structure;
    let best: { fit: FitResult; edge: [number, number]; score: number } | undefined;
    for (let u = 0; u < s.numVertices; u++)
      for (let v = u + 1; v < s.numVertices; v++) {
        const candidate = s.withRank(u, v, s.rank(u, v) + 1);
        if (candidate.numParameters() > maxParameters) continue;
        const fit = fitNetwork(candidate, target, { start: transferWeights(current.network, candidate, noise, rng), maxSweeps: scoringSweeps, stallTolerance: 0 });
        evaluations++;
        const score = criterion === "loss" ? fit.rse : -(current.rse ** 2 - fit.rse ** 2) / (candidate.numParameters() - s.numParameters());
        if (best === undefined || score < best.score) best = { fit, edge: [u, v], score };
      }
    if (best === undefined) {
      stop = "budget";
      break;
    }
    current = fitNetwork(best.fit.network.structure, target, { start: best.fit.network, maxSweeps: refitSweeps, targetRse });
    evaluations++;
    const record: GreedyStep = { edge: best.edge, rse: current.rse, parameters: current.parameters, evaluations, structure: current.network.structure.key() };
    steps.push(record);
    onStep?.(record);
  }
  if (current.rse <= targetRse) stop = "target";
  return { structure: current.network.structure, network: current.network, rse: current.rse, parameters: current.parameters, steps, evaluations, stop };
}
