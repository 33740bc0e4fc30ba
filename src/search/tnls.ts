/**
 * TNLS (Li, Zeng, Tao & Zhao, "Permutation search of tensor network structures via local
 * sampling", ICML 2022), the baseline TnALE is measured against: each generation samples
 * structures around the centre — every ring rank moved by a rounded N(0, σ_R) step, the
 * placement of modes changed by one random transposition with probability p_P — evaluates them,
 * and moves the centre to the best sample when it is no worse; σ_R and p_P shrink geometrically
 * (factors 0.9 and 0.94, as in the authors' code). Objective and evaluations as in TnALE.
 * @module
 */
import { ArgumentError } from "../errors.js";
import { Rng, type Seed } from "../linalg/random.js";
import type { Tensor } from "../linalg/tensor.js";
import { structureEvaluator, type SearchResult } from "./evaluator.js";
import { NetworkStructure } from "./network/structure.js";

/** Options of {@link tnlsSearch}. */
export interface TnlsOptions {
  /** Ranks of the starting ring (default 2) and the largest allowed (default 7, the code's 1…Rmax−1). */
  initialRank?: number;
  maxRank?: number;
  /** Samples per generation (default 60) and generations (default 20). */
  samples?: number;
  generations?: number;
  /** Stop after this many evaluations (default 1200). */
  maxEvaluations?: number;
  /** Stop when the best objective is at most this (default: never). */
  targetObjective?: number;
  lambda?: number;
  restarts?: number;
  fitSweeps?: number;
  seed?: Seed;
}

/** The result of {@link tnlsSearch}. */
export interface TnlsResult extends SearchResult {
  /** Best objective after each generation. */
  history: number[];
}

// A standard normal draw (Box–Muller on the generator's uniforms).
function gaussian(rng: Rng): number {
  const u = Math.max(rng.nextFloat64(), Number.MIN_VALUE), v = rng.nextFloat64();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Searches the ranks and mode placement of a tensor ring for a full target by TNLS.
 *
 * @throws {@link ArgumentError} for invalid options or fewer than 3 modes.
 * @example
 * ```ts
 * const planted = NetworkStructure.tensorRing([3, 3, 3], 2);
 * const x = contractNetwork(TensorNetwork.random(planted, 3));
 * const found = tnlsSearch(x, { samples: 6, generations: 4, maxRank: 3, seed: 1 });
 * console.assert(found.evaluations <= 24 && found.history.length <= 4 && Number.isFinite(found.objective));
 * ```
 */
export function tnlsSearch(target: Tensor, options: TnlsOptions = {}): TnlsResult {
  const { initialRank = 2, maxRank = 7, samples = 60, generations = 20, maxEvaluations = 1200, targetObjective = -Infinity, lambda = 200, restarts = 2, fitSweeps = 150, seed = 1 } = options;
  const N = target.ndim;
  const ok = (x: number, lo: number): boolean => Number.isSafeInteger(x) && x >= lo;
  if (N < 3) throw new ArgumentError(`tnlsSearch: a ring needs at least 3 modes, got ${N}`);
  if (!ok(initialRank, 1) || !ok(maxRank, initialRank) || !ok(samples, 1) || !ok(generations, 1) || !ok(maxEvaluations, 1) || !(lambda > 0) || !ok(restarts, 1) || !ok(fitSweeps, 1)) {
    throw new ArgumentError(`tnlsSearch: need 1 ≤ initialRank ≤ maxRank, λ > 0 and positive whole counts`);
  }
  const rng = new Rng(seed);
  const evaluator = structureEvaluator(target, { lambda, restarts, fitSweeps }, rng);
  const evaluate = (ranks: number[], perm: number[]) => evaluator.evaluate(NetworkStructure.tensorRing(target.shape, ranks, perm));
  let centre = { ranks: new Array<number>(N).fill(initialRank), perm: Array.from({ length: N }, (_, v) => v) };
  let centreValue = evaluate(centre.ranks, centre.perm);
  let best = centreValue;
  const history: number[] = [];
  for (let g = 0; g < generations && evaluator.count < maxEvaluations && best.objective > targetObjective; g++) {
    const sigma = 0.9 ** g, swap = 0.94 ** g;
    let generationBest: { ranks: number[]; perm: number[]; value: typeof centreValue } | undefined;
    for (let s = 0; s < samples && evaluator.count < maxEvaluations; s++) {
      const ranks = centre.ranks.map((r) => {
        const z = sigma * gaussian(rng);
        let step = Math.sign(z) * Math.min(4, Math.round(Math.abs(z)));
        if (r >= maxRank && step > 0) step = -step;
        if (r <= 1 && step < 0) step = -step;
        return Math.min(maxRank, Math.max(1, r + step));
      });
      const perm = centre.perm.slice();
      if (rng.nextFloat64() < swap) {
        const a = Math.floor(rng.nextFloat64() * N);
        let b = Math.floor(rng.nextFloat64() * (N - 1));
        if (b >= a) b++;
        [perm[a], perm[b]] = [perm[b]!, perm[a]!];
      }
      const value = evaluate(ranks, perm);
      if (generationBest === undefined || value.objective < generationBest.value.objective) generationBest = { ranks, perm, value };
      if (value.objective < best.objective) best = value;
    }
    if (generationBest !== undefined && generationBest.value.objective <= centreValue.objective) {
      centre = { ranks: generationBest.ranks, perm: generationBest.perm };
      centreValue = generationBest.value;
    }
    history.push(best.objective);
  }
  return { structure: best.structure, network: best.network, rse: best.rse, parameters: best.structure.numParameters(), objective: best.objective, evaluations: evaluator.count, history };
}
