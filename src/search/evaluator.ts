/**
 * One "evaluation" of the sampling search methods (TnALE, TNLS): fit a structure to the target
 * by ALS from a few seeded starts, keep the best, and score it by the papers' objective
 * parameters/entries + λ·RSE². Evaluations are cached by the structure's canonical key and counted.
 *
 * Evaluations are independent, so a batch of them runs on the worker pool. The starts of a
 * structure are seeded from the search's seed and the structure's key alone, never from the
 * order in which structures are met, so a search gives the same result, bit for bit, on any
 * number of threads.
 * @module
 */
import { workerPool, type TaskRunner } from "../backend/pool/pool.js";
import { Rng, type Seed } from "../linalg/random.js";
import type { Tensor } from "../linalg/tensor.js";
import { evaluationTask, type EvaluationPayload, type SearchFitMethod } from "./evaluate-task.js";
import { TensorNetwork } from "./network/network.js";
import type { NetworkStructure } from "./network/structure.js";

/** What the sampling searches return. */
export interface SearchResult {
  structure: NetworkStructure;
  network: TensorNetwork<"f64">;
  /** Relative error ‖X − Y‖/‖X‖ of the best structure's fit. */
  rse: number;
  parameters: number;
  /** parameters/entries + λ·RSE². */
  objective: number;
  /** Distinct structures fitted. */
  evaluations: number;
  /**
   * Structures fitted when the objective first came within {@link OBJECTIVE_SLACK} of the final
   * best (counted after the batch that reached it): later gains of that size are refits of the
   * same structure to a few more digits, not a better structure.
   */
  evaluationsToBest: number;
}

/** A scored structure. */
export interface Evaluation {
  structure: NetworkStructure;
  network: TensorNetwork<"f64">;
  rse: number;
  objective: number;
}

/** Settings of an evaluator. */
export interface EvaluatorSettings {
  lambda: number;
  restarts: number;
  fitSweeps: number;
  /** Escapes from local minima per start (default 3; see the fit's `escapes`). */
  escapes?: number;
  /** How candidates are fitted (default "als"). */
  fitMethod?: SearchFitMethod;
  /** The search's seed, mixed with each structure's key into the seeds of its starts. */
  seed: number;
  /** Threads that fit structures at once (default 1: the calling thread only). */
  workers?: number;
  /**
   * Runs the fits instead of the local pool of `workers` threads (a queue of remote workers,
   * say); the result is the same.
   */
  runner?: TaskRunner;
}

/** A cached, counted evaluator for one target. */
export interface StructureEvaluator {
  /** Distinct structures fitted so far. */
  readonly count: number;
  /** Whether `structure` was fitted already (evaluating it again is free). */
  has(structure: NetworkStructure): boolean;
  evaluate(structure: NetworkStructure): Evaluation;
  /**
   * Evaluates a batch at once (on the worker pool when there are workers). With `budget`, at most
   * that many new structures are fitted, the first in the batch's order; the rest come back
   * `undefined`.
   */
  evaluateAll(structures: readonly NetworkStructure[], budget?: number): (Evaluation | undefined)[];
}

/**
 * Objective differences below this count as equal (λ·RSE² for λ = 200 at RSE 7e-5).
 *
 * @example
 * ```ts
 * console.assert(200 * 7e-5 ** 2 < OBJECTIVE_SLACK && OBJECTIVE_SLACK < 1 / 729); // below one parameter of a 3⁶ tensor
 * ```
 */
export const OBJECTIVE_SLACK = 1e-6;

/**
 * The evaluation count at which a search's best objective first came within `slack` of
 * `objective`, from its improvements as [evaluations, best objective] pairs in order.
 *
 * @example
 * ```ts
 * console.assert(evaluationsToReach([[1, 0.5], [9, 0.2], [30, 0.2 - 1e-9]], 0.2 - 1e-9) === 9);
 * ```
 */
export function evaluationsToReach(improvements: readonly (readonly [number, number])[], objective: number, slack = OBJECTIVE_SLACK): number {
  for (const [count, value] of improvements) if (value <= objective + slack) return count;
  return improvements[improvements.length - 1]![0];
}

/**
 * The evaluator's whole-number seed for a search's seed (of any {@link Seed} form).
 *
 * @example
 * ```ts
 * console.assert(numericSeed(1) === numericSeed(1) && Number.isInteger(numericSeed(2n)));
 * ```
 */
export function numericSeed(seed: Seed): number {
  return Math.floor(new Rng(seed).nextFloat64() * 2 ** 31);
}

/**
 * A 31-bit seed from the search's seed and a structure's key (FNV-1a).
 *
 * @example
 * ```ts
 * const s = structureSeed(7, "ring");
 * console.assert(s === structureSeed(7, "ring") && s !== structureSeed(8, "ring") && s < 2 ** 31);
 * ```
 */
export function structureSeed(seed: number, key: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}|${key}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 2 ** 31;
}

/**
 * A cached, counted evaluator for one target.
 *
 * @example
 * ```ts
 * // A train target (loop-free graphs fit reliably; small rings are ALS swamps, see docs/search.md).
 * const x = contractNetwork(TensorNetwork.random(NetworkStructure.tensorTrain([3, 4, 3], 2), 1));
 * const ev = structureEvaluator(x, { lambda: 200, restarts: 2, fitSweeps: 100, seed: 1 });
 * const [a, b] = ev.evaluateAll([NetworkStructure.tensorTrain([3, 4, 3], 2), NetworkStructure.tensorTrain([3, 4, 3], 1)]);
 * console.assert(a!.rse <= 1e-6 && b!.rse > 1e-3 && ev.count === 2);
 * console.assert(ev.evaluate(NetworkStructure.tensorTrain([3, 4, 3], 2)) === a && ev.count === 2);
 * ```
 */
export function structureEvaluator(target: Tensor, settings: EvaluatorSettings): StructureEvaluator {
  const entries = target.data.length;
  const cache = new Map<string, Evaluation>();
  const runner: TaskRunner = settings.runner ?? workerPool(settings.workers ?? 1);
  const threads = runner.threads;
  const evaluateAll = (structures: readonly NetworkStructure[], budget = Infinity): (Evaluation | undefined)[] => {
    const fresh: NetworkStructure[] = [];
    const freshKeys = new Set<string>();
    for (const s of structures) {
      const key = s.key();
      if (cache.has(key) || freshKeys.has(key) || fresh.length >= budget) continue;
      freshKeys.add(key);
      fresh.push(s);
    }
    const payloads = fresh.map((s): EvaluationPayload => ({
      dims: s.dims.slice(), ranks: s.ranks(), perm: s.perm.slice(), target,
      restarts: settings.restarts, fitSweeps: settings.fitSweeps, escapes: settings.escapes ?? 3, seed: structureSeed(settings.seed, s.key()),
      // Left out for ALS, so that the payloads (and queue job ids) of ALS searches are as before.
      ...(settings.fitMethod === "lm" ? { fitMethod: "lm" as const } : {}),
    }));
    const results = runner.run(payloads.map((p, i) => evaluationTask(p, threads, fresh[i]!.numParameters())), { minBatchBytes: 0 }) as { cores: Tensor<"f64">[]; rse: number }[];
    fresh.forEach((s, i) => {
      const { cores, rse } = results[i]!;
      cache.set(s.key(), { structure: s, network: new TensorNetwork(s, cores), rse, objective: s.numParameters() / entries + settings.lambda * rse ** 2 });
    });
    return structures.map((s) => cache.get(s.key()));
  };
  return {
    get count() {
      return cache.size;
    },
    has: (structure) => cache.has(structure.key()),
    evaluate: (structure) => evaluateAll([structure])[0]!,
    evaluateAll,
  };
}
