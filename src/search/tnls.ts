/**
 * TNLS (Li, Zeng, Tao & Zhao, "Permutation search of tensor network structures via local
 * sampling", ICML 2022), the baseline TnALE is measured against: each generation samples
 * structures around the centre — every searched edge's rank (ring, train, fully connected or a
 * template graph, as in TnALE) moved by a rounded N(0, σ_R) step, the
 * placement of modes changed by one random transposition with probability p_P — evaluates them,
 * and moves the centre to the best sample when it is no worse; σ_R and p_P shrink geometrically
 * (factors 0.9 and 0.94, as in the authors' code). Objective and evaluations as in TnALE; each
 * generation's samples are drawn first and fitted as one batch on the worker pool.
 * @module
 */
import type { TaskRunner } from "../backend/pool/pool.js";
import { ArgumentError } from "../errors.js";
import { Rng, type Seed } from "../linalg/random.js";
import type { Tensor } from "../linalg/tensor.js";
import type { FitOptions } from "./fit/als.js";
import type { SearchFitMethod } from "./evaluate-task.js";
import { evaluationsToReach, numericSeed, structureEvaluator, type SearchResult } from "./evaluator.js";
import { SearchSpace, type SearchTopology, type SpacePoint } from "./search-space.js";

/** Options of {@link tnlsSearch}. */
export interface TnlsOptions {
  /** The graph whose ranks are searched (as in TnALE; default "ring"). */
  topology?: SearchTopology;
  /** Ranks of the starting point (default 2) and the largest allowed (default 7, the code's 1…Rmax−1). */
  initialRank?: number;
  maxRank?: number;
  /** Samples per generation (default 60) and generations (default 20). */
  samples?: number;
  generations?: number;
  /** Stop after this many evaluations (default 1200). */
  maxEvaluations?: number;
  /** Stop when the best objective is at most this (default: never). */
  targetObjective?: number;
  /** Search the placement of modes too (default true, false for "fctn"). */
  permutations?: boolean;
  lambda?: number;
  restarts?: number;
  fitSweeps?: number;
  /** Escapes from local minima per start (default 3; see {@link FitOptions.escapes}). */
  escapes?: number;
  /** How candidates are fitted: `"als"` (default) or `"lm"` for loopy graphs (see {@link SearchFitMethod}). */
  fitMethod?: SearchFitMethod;
  /** Threads that fit a generation's samples at once (default 1); the result is the same for any number. */
  workers?: number;
  /** Runs the fits instead of the local threads (e.g. a `QueueRunner`: remote workers); the result is the same. */
  runner?: TaskRunner;
  seed?: Seed;
  /** Called after every generation with the best so far. */
  onGeneration?: (progress: { generation: number; objective: number; evaluations: number }) => void;
}

/** The result of {@link tnlsSearch}. */
export interface TnlsResult extends SearchResult {
  /** Best objective after each generation. */
  history: number[];
  /** Evaluations after each generation. */
  evaluationsHistory: number[];
}

// A standard normal draw (Box–Muller on the generator's uniforms).
function gaussian(rng: Rng): number {
  const u = Math.max(rng.nextFloat64(), Number.MIN_VALUE), v = rng.nextFloat64();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Searches the ranks and mode placement of a graph (a tensor ring by default) for a full target by TNLS.
 *
 * @throws {@link ArgumentError} for invalid options or too few modes for the topology.
 * @example
 * ```ts
 * const planted = NetworkStructure.tensorRing([3, 3, 3], 2);
 * const x = contractNetwork(TensorNetwork.random(planted, 3));
 * const found = tnlsSearch(x, { samples: 6, generations: 4, maxRank: 3, seed: 1 });
 * console.assert(found.evaluations <= 25 && found.history.length <= 4 && Number.isFinite(found.objective));
 * ```
 */
export function tnlsSearch(target: Tensor, options: TnlsOptions = {}): TnlsResult {
  const { topology = "ring", initialRank = 2, maxRank = 7, samples = 60, generations = 20, maxEvaluations = 1200, targetObjective = -Infinity, lambda = 200, restarts = 2, fitSweeps = 150, escapes = 3, fitMethod = "als", workers = 1, seed = 1, onGeneration } = options;
  const permutations = options.permutations ?? topology !== "fctn";
  const ok = (x: number, lo: number): boolean => Number.isSafeInteger(x) && x >= lo;
  if (!ok(initialRank, 1) || !ok(maxRank, initialRank) || !ok(samples, 1) || !ok(generations, 1) || !ok(maxEvaluations, 1) || !(lambda > 0) || !ok(restarts, 1) || !ok(fitSweeps, 1) || !ok(escapes, 0) || !ok(workers, 1)) {
    throw new ArgumentError(`tnlsSearch: need 1 ≤ initialRank ≤ maxRank, λ > 0 and positive whole counts`);
  }
  if (fitMethod !== "als" && fitMethod !== "lm") throw new ArgumentError(`tnlsSearch: fitMethod must be "als" or "lm", got ${JSON.stringify(fitMethod)}`);
  let space: SearchSpace;
  try {
    space = new SearchSpace(target.shape, topology);
  } catch (e) {
    throw new ArgumentError(`tnlsSearch: ${(e as Error).message.replace(/^search space: /, "")}`);
  }
  const rng = new Rng(seed);
  const evaluator = structureEvaluator(target, { lambda, restarts, fitSweeps, escapes, seed: numericSeed(seed), workers, runner: options.runner, fitMethod });
  let centre: SpacePoint = space.start(initialRank);
  let centreValue = evaluator.evaluate(space.structureOf(centre));
  let best = centreValue;
  const improvements: [number, number][] = [[evaluator.count, best.objective]];
  const history: number[] = [], evaluationsHistory: number[] = [];
  const legs = space.legVertices;
  for (let g = 0; g < generations && evaluator.count < maxEvaluations && best.objective > targetObjective; g++) {
    const sigma = 0.9 ** g, swap = 0.94 ** g;
    const points: SpacePoint[] = [];
    for (let s = 0; s < samples; s++) {
      const ranks = centre.ranks.map((r) => {
        const z = sigma * gaussian(rng);
        let step = Math.sign(z) * Math.min(4, Math.round(Math.abs(z)));
        if (r >= maxRank && step > 0) step = -step;
        if (r <= 1 && step < 0) step = -step;
        return Math.min(maxRank, Math.max(1, r + step));
      });
      let point: SpacePoint = { ranks, perm: centre.perm };
      if (permutations && legs.length > 1 && rng.nextFloat64() < swap) {
        const a = Math.floor(rng.nextFloat64() * legs.length);
        let b = Math.floor(rng.nextFloat64() * (legs.length - 1));
        if (b >= a) b++;
        point = space.withSwap(point, legs[a]!, legs[b]!);
      }
      points.push(point);
    }
    const values = evaluator.evaluateAll(points.map((p) => space.structureOf(p)), maxEvaluations - evaluator.count);
    let generationBest: { point: SpacePoint; value: typeof centreValue } | undefined;
    points.forEach((point, i) => {
      const value = values[i];
      if (value === undefined) return;
      if (generationBest === undefined || value.objective < generationBest.value.objective) generationBest = { point, value };
      if (value.objective < best.objective) {
        best = value;
        improvements.push([evaluator.count, best.objective]);
      }
    });
    if (generationBest !== undefined && generationBest.value.objective <= centreValue.objective) {
      centre = generationBest.point;
      centreValue = generationBest.value;
    }
    history.push(best.objective);
    evaluationsHistory.push(evaluator.count);
    onGeneration?.({ generation: g + 1, objective: best.objective, evaluations: evaluator.count });
  }
  return { structure: best.structure, network: best.network, rse: best.rse, parameters: best.structure.numParameters(), objective: best.objective, evaluations: evaluator.count, evaluationsToBest: evaluationsToReach(improvements, best.objective), history, evaluationsHistory };
}
