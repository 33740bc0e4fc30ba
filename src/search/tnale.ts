/**
 * TnALE (Li, Zeng, Li, Caiafa & Zhao, "Alternating local enumeration (TnALE): solving tensor
 * network structure search with fewer evaluations", ICML 2023): coordinate-wise search over the
 * structure variables — one rank per edge of a fixed graph (ring, train, fully connected, or any
 * template such as a tree), plus the placement of modes on vertices — sweeping them forward then
 * backward and, for each, evaluating every candidate in its neighbourhood (ranks r−L…r+L, window
 * shifted at the bounds; the placement and all its single transpositions), keeping the best by the
 * objective parameters/entries + λ·RSE². A first sweep with a larger radius evaluates only three
 * ranks per edge and interpolates the error of the others; a round without gain jumps randomly
 * inside the neighbourhood. Evaluations (ALS fits, best of a few starts) are cached by structure;
 * each neighbourhood is one batch, fitted on the worker pool, and the best of a batch (the first
 * on ties) is kept, so the result does not depend on the number of threads.
 * @module
 */
import type { TaskRunner } from "../backend/pool/pool.js";
import { ArgumentError } from "../errors.js";
import { Rng, type Seed } from "../linalg/random.js";
import type { Tensor } from "../linalg/tensor.js";
import type { FitOptions } from "./fit/als.js";
import type { SearchFitMethod } from "./evaluate-task.js";
import { evaluationsToReach, numericSeed, structureEvaluator, type Evaluation, type SearchResult } from "./evaluator.js";
import { SearchSpace, type SearchTopology, type SpacePoint } from "./search-space.js";

/** Options of {@link tnaleSearch}. */
export interface TnaleOptions {
  /**
   * The graph whose ranks are searched: "ring" (default), "train", "fctn" (every pair of modes),
   * or a {@link NetworkStructure} whose edges are searched and whose placement of modes starts.
   */
  topology?: SearchTopology;
  /** Starting rank of every edge (default 2) and the largest allowed (default 8). */
  initialRank?: number;
  maxRank?: number;
  /** Neighbourhood radius of the main sweeps (default 1) and of the first, interpolated sweep (default 2; 0 skips it). */
  radius?: number;
  initialRadius?: number;
  /** Weight λ of RSE² in the objective (default 200, the papers' value for synthetic data). */
  lambda?: number;
  /** Search the placement of modes too (default true, false for "fctn", where it only relabels edges). */
  permutations?: boolean;
  /** Stop after this many evaluations (default 400) or this many rounds (default 20). */
  maxEvaluations?: number;
  maxRounds?: number;
  /** Stop once the objective is at most this (default: never). */
  targetObjective?: number;
  /** Random jumps allowed after rounds without gain before stopping (default 2). */
  jumps?: number;
  /** ALS starts per evaluation (default 2) and sweeps per start (default 150). */
  restarts?: number;
  fitSweeps?: number;
  /** Escapes from local minima per start (default 3; see {@link FitOptions.escapes}). */
  escapes?: number;
  /** How candidates are fitted: `"als"` (default) or `"lm"` for loopy graphs (see {@link SearchFitMethod}). */
  fitMethod?: SearchFitMethod;
  /** Threads that fit the candidates of a neighbourhood at once (default 1); the result is the same for any number. */
  workers?: number;
  /** Runs the fits instead of the local threads (e.g. a `QueueRunner`: remote workers); the result is the same. */
  runner?: TaskRunner;
  seed?: Seed;
  /** Called after every round with the best so far. */
  onRound?: (round: TnaleRound) => void;
}

/** Progress after a round. */
export interface TnaleRound {
  round: number;
  objective: number;
  rse: number;
  parameters: number;
  evaluations: number;
  structure: string;
}

/** The result of {@link tnaleSearch}. */
export interface TnaleResult extends SearchResult {
  rounds: TnaleRound[];
}

/**
 * Searches the ranks (and the placement of modes) of a graph for a full target by TnALE.
 *
 * @throws {@link ArgumentError} for invalid options.
 * @example
 * ```ts
 * // A ring with the modes placed 0, 2, 1, 3: TnALE finds a structure as small as the planted one.
 * const planted = NetworkStructure.tensorRing([3, 3, 3, 3], 2, [0, 2, 1, 3]);
 * const x = contractNetwork(TensorNetwork.random(planted, 1));
 * const found = tnaleSearch(x, { initialRank: 1, maxRank: 3, seed: 1 });
 * console.assert(found.rse < 1e-3 && found.parameters <= planted.numParameters());
 * ```
 */
export function tnaleSearch(target: Tensor, options: TnaleOptions = {}): TnaleResult {
  const {
    topology = "ring", initialRank = 2, maxRank = 8, radius = 1, initialRadius = 2, lambda = 200,
    maxEvaluations = 400, maxRounds = 20, targetObjective = -Infinity, jumps = 2, restarts = 2, fitSweeps = 150, escapes = 3, fitMethod = "als", workers = 1, seed = 1, onRound,
  } = options;
  const permutations = options.permutations ?? topology !== "fctn";
  const ok = (x: number, lo: number): boolean => Number.isSafeInteger(x) && x >= lo;
  if (!ok(initialRank, 1) || !ok(maxRank, initialRank) || !ok(radius, 1) || !ok(initialRadius, 0) || !(lambda > 0) || !ok(maxEvaluations, 1) || !ok(maxRounds, 1) || !ok(jumps, 0) || !ok(restarts, 1) || !ok(fitSweeps, 1) || !ok(escapes, 0) || !ok(workers, 1)) {
    throw new ArgumentError(`tnaleSearch: need 1 ≤ initialRank ≤ maxRank, radius ≥ 1, initialRadius ≥ 0, λ > 0 and positive whole counts`);
  }
  if (fitMethod !== "als" && fitMethod !== "lm") throw new ArgumentError(`tnaleSearch: fitMethod must be "als" or "lm", got ${JSON.stringify(fitMethod)}`);
  let space: SearchSpace;
  try {
    space = new SearchSpace(target.shape, topology);
  } catch (e) {
    throw new ArgumentError(`tnaleSearch: ${(e as Error).message.replace(/^search space: /, "")}`);
  }
  const entries = target.data.length;
  const edges = space.edges.length;
  const rng = new Rng(seed);
  const evaluator = structureEvaluator(target, { lambda, restarts, fitSweeps, escapes, seed: numericSeed(seed), workers, runner: options.runner, fitMethod });
  const evaluate = (c: SpacePoint): Evaluation => evaluator.evaluate(space.structureOf(c));
  let centre: SpacePoint = space.start(initialRank);
  let centreValue = evaluate(centre);
  let best = centreValue;
  const improvements: [number, number][] = [[evaluator.count, best.objective]];
  const done = (): boolean => evaluator.count >= maxEvaluations || best.objective <= targetObjective;
  const window = (r: number, L: number): number[] => {
    let lo = r - L, hi = r + L;
    if (lo < 1) { hi += 1 - lo; lo = 1; }
    if (hi > maxRank) { lo = Math.max(1, lo - (hi - maxRank)); hi = maxRank; }
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  };
  // One neighbourhood = one batch: fitted together, then the best (first on ties) may move the centre.
  const consider = (candidates: SpacePoint[]): void => {
    if (done()) return;
    const values = evaluator.evaluateAll(candidates.map((c) => space.structureOf(c)), maxEvaluations - evaluator.count);
    candidates.forEach((c, i) => {
      const e = values[i];
      if (e === undefined) return;
      if (e.objective < centreValue.objective) {
        centre = c;
        centreValue = e;
      }
      if (e.objective < best.objective) {
        best = e;
        improvements.push([evaluator.count, best.objective]);
      }
    });
  };
  // The first sweep: radius initialRadius, three evaluated ranks per edge, the rest interpolated.
  if (initialRadius > 1) {
    for (let k = 0; k < edges && !done(); k++) {
      const ranks = window(centre.ranks[k]!, initialRadius);
      const probes = [...new Set([ranks[0]!, centre.ranks[k]!, ranks[ranks.length - 1]!])].sort((a, b) => a - b);
      const values = evaluator.evaluateAll(probes.map((r) => space.structureOf(space.withRank(centre, k, r))), maxEvaluations - evaluator.count);
      if (values.some((v) => v === undefined)) break;
      const rse = new Map(probes.map((r, i) => [r, values[i]!.rse] as const));
      let pick = centre.ranks[k]!, pickValue = Infinity;
      for (const r of ranks) {
        const lo = probes.filter((p) => p <= r).pop()!, hi = probes.find((p) => p >= r)!;
        const e = lo === hi ? rse.get(lo)! : rse.get(lo)! + ((rse.get(hi)! - rse.get(lo)!) * (r - lo)) / (hi - lo);
        const value = space.structureOf(space.withRank(centre, k, r)).numParameters() / entries + lambda * e ** 2;
        if (value < pickValue) [pick, pickValue] = [r, value];
      }
      consider([space.withRank(centre, k, pick)]);
    }
  }
  const rounds: TnaleRound[] = [];
  let jumpsLeft = jumps;
  for (let round = 1; round <= maxRounds && !done(); round++) {
    const before = centreValue.objective;
    const order = [...Array.from({ length: edges }, (_, k) => k), ...(permutations && space.legVertices.length > 1 ? [-1] : [])];
    for (const k of [...order, ...order.slice(0, -1).reverse()]) {
      if (k === -1) consider(space.transpositions(centre));
      else consider(window(centre.ranks[k]!, radius).filter((r) => r !== centre.ranks[k]).map((r) => space.withRank(centre, k, r)));
    }
    rounds.push({ round, objective: best.objective, rse: best.rse, parameters: best.structure.numParameters(), evaluations: evaluator.count, structure: best.structure.key() });
    onRound?.(rounds[rounds.length - 1]!);
    if (centreValue.objective < before) continue;
    if (jumpsLeft-- <= 0 || done()) break;
    // No gain: move the centre to a random point of its neighbourhood — every rank to a random
    // value of its window and, when placements are searched, one random transposition — and
    // sweep again. (Moving one rank only left TnALE on an exact train with the wrong placement
    // on planted 4⁵ rings, 224 parameters for 112: leaving it needs ranks and placement at once.)
    let jumped: SpacePoint = { ranks: centre.ranks.map((r) => { const w = window(r, radius); return w[Math.floor(rng.nextFloat64() * w.length)]!; }), perm: centre.perm };
    const legs = space.legVertices;
    if (permutations && legs.length > 1) {
      const a = Math.floor(rng.nextFloat64() * legs.length);
      let b = Math.floor(rng.nextFloat64() * (legs.length - 1));
      if (b >= a) b++;
      jumped = space.withSwap(jumped, legs[a]!, legs[b]!);
    }
    centre = jumped;
    centreValue = evaluate(centre);
    if (centreValue.objective < best.objective) {
      best = centreValue;
      improvements.push([evaluator.count, best.objective]);
    }
  }
  return { structure: best.structure, network: best.network, rse: best.rse, parameters: best.structure.numParameters(), objective: best.objective, evaluations: evaluator.count, evaluationsToBest: evaluationsToReach(improvements, best.objective), rounds };
}
