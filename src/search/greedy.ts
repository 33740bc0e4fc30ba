/**
 * Greedy rank growth (Hashemizadeh, Liu, Miller & Rabusseau, "Adaptive learning of tensor
 * network structures", arXiv 2008.05437), followed by a refinement that undoes its myopia.
 *
 * Growth, as in the paper: start from the rank-one network over all modes; at each step raise
 * every pair's rank by one in turn, score each candidate by fitting only its new slices to the
 * residual (the paper's `rank_one` heuristic), keep the best, refit all cores, and stop at the
 * target error, the parameter budget or the step limit.
 *
 * Growth only adds, and it looks one raise ahead: on the TnALE demo ring the best single raise
 * at the fifth step — even judged by full refits from several starts — is the chord 3–5, where
 * the ring has 0–5, and growth reaches the target at 150–186 parameters against the planted
 * 126. A smaller structure is then only reached by first removing something. So once the
 * target is reached the search refines, each change it keeps ending at the target error:
 *
 * - pruning: lower one bond's rank (the largest saving first; the two cores cut by a truncated
 *   SVD of the bond, then refitted) while the error stays at the target;
 * - regrowth: lower one bond's rank, grow again greedily (that bond excluded) up to the target,
 *   prune, and keep the result when it has fewer parameters — this trades the chord for the
 *   ring's edge. Every bond is tried, the best result kept, and rounds repeat while one helps.
 *
 * Fits are ALS with extrapolation (which leaves the swamps where plain ALS creeps for hundreds
 * of sweeps); growth refits that end above the target get random restarts; fits that only test
 * whether a smaller structure still reaches the target give up when their rate of fall cannot
 * get there in the sweeps left.
 * @module
 */
import { ArgumentError } from "../errors.js";
import { Rng, type Seed } from "../linalg/random.js";
import type { Tensor } from "../linalg/tensor.js";
import { fullTargetData, type GreedyData, type ScoredFit } from "./greedy-data.js";
import { lowerBond, raiseWithFittedSlices } from "./greedy-moves.js";
import { TensorNetwork } from "./network/network.js";
import { NetworkStructure } from "./network/structure.js";

/** Options of {@link greedySearch}. */
export interface GreedyOptions {
  /** The error to reach: growth stops at it, refinement never leaves it (default 1e-4). */
  targetRse?: number;
  /** Never exceed this many parameters (default: the number of entries of the target). */
  maxParameters?: number;
  /** Largest number of rank increments of the growth (default 50). */
  maxSteps?: number;
  /**
   * ALS sweeps over a candidate's two new slices, fitted to the residual, that score it
   * (default 2, the paper's `iter_rank_one`), and sweeps over all cores that refit the chosen
   * one or test a smaller structure (default 50).
   */
  scoringSweeps?: number;
  refitSweeps?: number;
  /**
   * How a candidate is ranked: `"loss-per-parameter"` (default: largest fall of the squared
   * error per added parameter) or `"loss"` (lowest error, the paper's rule). The paper's rule
   * raises bonds at hub vertices whose cores are already large: on the TnALE demo ring it ends
   * at 558 parameters where the default ends at 126.
   */
  criterion?: "loss" | "loss-per-parameter";
  /** Standard deviation of the new slices before they are fitted (default 1e-2, as in the paper). */
  noise?: number;
  seed?: Seed;
  /** Called after every accepted step. */
  onStep?: (step: GreedyStep) => void;
  /**
   * Random restarts of a growth refit that ends above the target, the best fit kept (default
   * 2): a warm start sometimes sits in a worse basin than a fresh one.
   */
  restarts?: number;
  /** Prune once the target is reached (default true). */
  prune?: boolean;
  /** Refine by lowering and regrowing once the target is reached (default true). */
  regrow?: boolean;
  /**
   * The pairs of vertices whose rank may be raised (default: all pairs, as in the paper): the
   * bonds of a ring, say, to learn a ring's ranks. Each as [u, v] with u < v.
   */
  candidates?: readonly (readonly [number, number])[];
  /**
   * Growth steps in a row that do not lower the error before the growth ends (`"no-gain"`),
   * returning the best network seen (default: unlimited). With a validation error — greedy
   * completion — this is the early stop: raises keep lowering the training error after they
   * stop helping on unseen entries.
   */
  patience?: number;
  /** The relative fall of the error that counts as a gain for `patience` (default 0). */
  minGain?: number;
}

/** One accepted step of the search. */
export interface GreedyStep {
  /** `"growth"`: a step of the greedy growth; `"refinement"`: part of a pruning or a regrowth that was kept. */
  phase: "growth" | "refinement";
  /** Whether the rank of `edge` was raised or lowered by one. */
  change: "raise" | "lower";
  /** The pair of vertices whose rank changed. */
  edge: [number, number];
  /**
   * Relative error after the change (a regrowth passes above the target on its way): on the
   * target, or on the validation entries when completing.
   */
  rse: number;
  parameters: number;
  /** Fits run when the change was made (candidates scored, refits and restarts). */
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
  /** All fits run: candidates scored, refits, restarts, and the fits of the refinement. */
  evaluations: number;
  /** Why the growth ended (refinement runs only after `"target"`). */
  stop: "target" | "budget" | "max-steps" | "no-gain";
}

// A fit that tests whether a smaller structure still reaches the target may run this many times
// refitSweeps: cutting a bond of a loop can leave a slow but steady descent (a 5^4 FCTN at
// 1e-6: 106 sweeps), which the early give-up tells from a plateau.
const PATIENCE = 4;
// Raises a regrowth may make before it gives up.
const REGROW_STEPS = 4;

type Change = { change: GreedyStep["change"]; edge: [number, number]; fit: ScoredFit; evaluations: number };

/**
 * Learns a network structure for a full target by greedy rank growth over all pairs of modes,
 * then prunes and regrows at the target error (see the module notes). Deterministic for a seed.
 *
 * @throws {@link ArgumentError} for invalid options (and whatever {@link fitNetwork} refuses).
 * @example
 * ```ts
 * // A tensor train target: the search recovers its 36 parameters at an error below 1e-6.
 * const planted = NetworkStructure.tensorTrain([3, 3, 3, 3], 2);
 * const x = contractNetwork(TensorNetwork.random(planted, 4));
 * const found = greedySearch(x, { targetRse: 1e-6, seed: 1 });
 * console.assert(found.rse < 1e-6 && found.parameters <= planted.numParameters());
 * ```
 */
export function greedySearch(target: Tensor, options: GreedyOptions = {}): GreedyResult {
  return greedyGrowth(fullTargetData(target), options);
}

/**
 * {@link greedySearch} on any {@link GreedyData}: a full target, or observed entries judged on
 * a validation split (greedy completion). Internal to src/search and src/completion.
 */
export function greedyGrowth(data: GreedyData, options: GreedyOptions = {}): GreedyResult {
  const { targetRse = 1e-4, maxParameters = data.entries, maxSteps = 50, scoringSweeps = 2, refitSweeps = 50, noise = 1e-2, seed = 1, onStep, criterion = "loss-per-parameter" } = options;
  const { restarts = 2, prune = true, regrow = true, candidates, patience = Infinity, minGain = 0 } = options;
  if (criterion !== "loss" && criterion !== "loss-per-parameter") throw new ArgumentError(`greedySearch: criterion must be "loss" or "loss-per-parameter", got ${JSON.stringify(criterion)}`);
  if (!(targetRse >= 0) || !(maxParameters > 0) || !Number.isSafeInteger(maxSteps) || maxSteps < 0 || !Number.isSafeInteger(scoringSweeps) || scoringSweeps < 1 || !Number.isSafeInteger(refitSweeps) || refitSweeps < 1 || !(noise > 0) || !Number.isSafeInteger(restarts) || restarts < 0) {
    throw new ArgumentError(`greedySearch: need targetRse ≥ 0, maxParameters > 0, maxSteps ≥ 0, scoringSweeps and refitSweeps ≥ 1, noise > 0, restarts a whole number ≥ 0`);
  }
  if (!(patience === Infinity || (Number.isSafeInteger(patience) && patience >= 1))) throw new ArgumentError(`greedySearch: patience must be a whole number ≥ 1, got ${String(patience)}`);
  if (!(typeof minGain === "number" && minGain >= 0 && minGain < 1)) throw new ArgumentError(`greedySearch: minGain must lie in [0, 1), got ${String(minGain)}`);
  const vertices = data.shape.length;
  const allowed = candidatePairs(candidates, vertices);
  const rng = new Rng(seed);
  let evaluations = 0;
  const steps: GreedyStep[] = [];
  const record = (phase: GreedyStep["phase"], changes: Change[]): void => {
    for (const c of changes) {
      const step: GreedyStep = { phase, change: c.change, edge: c.edge, rse: c.fit.score, parameters: c.fit.fit.parameters, evaluations: c.evaluations, structure: c.fit.fit.network.structure.key() };
      steps.push(step);
      onStep?.(step);
    }
  };

  // A growth refit: from the warm start, then from `restarts` random starts while above the
  // target, the best kept.
  const refit = (start: TensorNetwork<"f64">): ScoredFit => {
    let best = data.refit(start, { maxSweeps: refitSweeps, targetRse });
    evaluations++;
    for (let k = 0; k < restarts && best.score > targetRse; k++) {
      const fresh = data.refit(TensorNetwork.random(start.structure, rng.integer(0, 2 ** 31)), { maxSweeps: refitSweeps, targetRse, fresh: true });
      evaluations++;
      if (fresh.score < best.score) best = fresh;
    }
    return best;
  };
  // Whether `start`'s (smaller) structure still reaches the target. Most tested structures do
  // not, so the fit gives up as soon as its rate of fall cannot get there, and has no restarts
  // (measured on planted trains, rings, triangles and FCTNs: no smaller results, twice the time).
  const test = (start: TensorNetwork<"f64">): ScoredFit => {
    evaluations++;
    return data.refit(start, { maxSweeps: PATIENCE * refitSweeps, targetRse, giveUp: true });
  };

  // Greedy growth from `from` until the target, the budget, `limit` raises or `patience` raises
  // without gain; `tabu` is never raised. Returns the best fit seen.
  const grow = (from: ScoredFit, limit: number, tabu?: [number, number]): { fit: ScoredFit; changes: Change[]; stop: "target" | "budget" | "max-steps" | "no-gain" } => {
    const changes: Change[] = [];
    let fit = from, best = from, bestChanges = 0, sinceBest = 0;
    const result = (stop: "target" | "budget" | "max-steps" | "no-gain") => ({ fit: best, changes: changes.slice(0, bestChanges), stop });
    for (let k = 0; k < limit && fit.score > targetRse; k++) {
      const s = fit.fit.network.structure;
      const fitCore = data.residualFit(fit.fit.network);
      let chosen: { net: TensorNetwork<"f64">; edge: [number, number]; score: number } | undefined;
      for (const [u, v] of allowed) {
        if (tabu !== undefined && tabu[0] === u && tabu[1] === v) continue;
        const added = s.withRank(u, v, s.rank(u, v) + 1).numParameters() - s.numParameters();
        if (s.numParameters() + added > maxParameters) continue;
        const net = raiseWithFittedSlices(fit.fit.network, fitCore, u, v, scoringSweeps, noise, rng);
        evaluations++;
        const rse = data.score(net);
        const score = criterion === "loss" ? rse : -(fit.score ** 2 - rse ** 2) / added;
        if (chosen === undefined || score < chosen.score) chosen = { net, edge: [u, v], score };
      }
      if (chosen === undefined) return result("budget");
      fit = refit(chosen.net);
      changes.push({ change: "raise", edge: chosen.edge, fit, evaluations });
      // With unlimited patience the last fit is the result, as the paper's search has it.
      if (patience === Infinity || fit.score < best.score * (1 - minGain)) {
        best = fit;
        bestChanges = changes.length;
        sinceBest = 0;
      } else if (++sinceBest >= patience) return result("no-gain");
    }
    return result(best.score <= targetRse ? "target" : "max-steps");
  };

  // Lowers one bond after another, the largest saving first, while the error stays at the target.
  const pruneFrom = (from: ScoredFit): { fit: ScoredFit; changes: Change[] } => {
    const changes: Change[] = [];
    let fit = from;
    for (let lowered = true; lowered; ) {
      lowered = false;
      const s = fit.fit.network.structure;
      const edges = s.edges().slice().sort((a, b) => saving(s, b.u, b.v) - saving(s, a.u, a.v));
      for (const e of edges) {
        const next = test(lowerBond(fit.fit.network, e.u, e.v, e.rank - 1));
        if (next.score <= targetRse) {
          fit = next;
          changes.push({ change: "lower", edge: [e.u, e.v], fit, evaluations });
          lowered = true;
          break;
        }
      }
    }
    return { fit, changes };
  };

  const start = data.firstFit(NetworkStructure.fullyConnected(data.shape, 1), seed, { maxSweeps: refitSweeps, targetRse });
  evaluations++;
  const growth = grow(start, maxSteps);
  record("growth", growth.changes);
  let current = growth.fit;
  const stop: GreedyResult["stop"] = growth.stop;
  if (stop === "target" && prune) {
    const p = pruneFrom(current);
    record("refinement", p.changes);
    current = p.fit;
  }
  for (let improved = stop === "target" && regrow; improved; ) {
    improved = false;
    let best: { fit: ScoredFit; changes: Change[] } | undefined;
    for (const e of current.fit.network.structure.edges()) {
      const lowered = test(lowerBond(current.fit.network, e.u, e.v, e.rank - 1));
      const first: Change = { change: "lower", edge: [e.u, e.v], fit: lowered, evaluations };
      const g = grow(lowered, REGROW_STEPS, [e.u, e.v]);
      if (g.fit.score > targetRse) continue;
      const p = pruneFrom(g.fit);
      if (p.fit.fit.parameters < (best?.fit.fit.parameters ?? current.fit.parameters)) best = { fit: p.fit, changes: [first, ...g.changes, ...p.changes] };
    }
    if (best !== undefined) {
      record("refinement", best.changes);
      current = best.fit;
      improved = true;
    }
  }
  const net = current.fit.network;
  return { structure: net.structure, network: net, rse: current.score, parameters: current.fit.parameters, steps, evaluations, stop };
}

// The pairs a growth may raise: all pairs of vertices, or the given ones (checked).
function candidatePairs(candidates: GreedyOptions["candidates"], vertices: number): [number, number][] {
  if (candidates === undefined) {
    const all: [number, number][] = [];
    for (let u = 0; u < vertices; u++) for (let v = u + 1; v < vertices; v++) all.push([u, v]);
    return all;
  }
  if (!Array.isArray(candidates) || candidates.length === 0) throw new ArgumentError(`greedySearch: candidates must be a non-empty list of vertex pairs [u, v]`);
  const seen = new Set<string>();
  return candidates.map((pair) => {
    const ok = Array.isArray(pair) && pair.length === 2 && pair.every((w) => Number.isSafeInteger(w) && w >= 0 && w < vertices) && pair[0]! < pair[1]!;
    if (!ok) throw new ArgumentError(`greedySearch: candidate ${JSON.stringify(pair)} is not a pair [u, v] of vertices with 0 ≤ u < v < ${vertices}`);
    const key = `${pair[0]},${pair[1]}`;
    if (seen.has(key)) throw new ArgumentError(`greedySearch: candidate [${key}] is listed twice`);
    seen.add(key);
    return [pair[0]!, pair[1]!];
  });
}

// Parameters saved by lowering the rank of (u, v) by one.
function saving(s: NetworkStructure, u: number, v: number): number {
  return s.numParameters() - s.withRank(u, v, s.rank(u, v) - 1).numParameters();
}
