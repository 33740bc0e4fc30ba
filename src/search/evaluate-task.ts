/**
 * The structure-search evaluation as a task any thread can run: fit one structure to the target
 * from `restarts` seeded ALS starts and return the best fit's cores and error. Registered under
 * a name so that worker threads, which import this module, can run it (see the worker pool).
 * @module
 */
import type { PortableTask } from "../backend/pool/pool.js";
import { compiledModuleUrl } from "../backend/pool/module-url.js";
import { registerTask } from "../backend/pool/registry.js";
import { Rng } from "../linalg/random.js";
import type { Tensor } from "../linalg/tensor.js";
import { fitNetwork } from "./fit/als.js";
import { LM_MAX_PARAMETERS } from "./fit/lm.js";
import { NetworkStructure } from "./network/structure.js";

/** Input of one evaluation: the structure as plain data, the target, the fit settings. */
export interface EvaluationPayload {
  dims: number[];
  ranks: number[][];
  perm: number[];
  target: Tensor;
  restarts: number;
  fitSweeps: number;
  /** Escapes from local minima per start (see the fit's `escapes`). */
  escapes: number;
  /** Seed of the starts (drawn from one generator seeded with it). */
  seed: number;
  /** How each start is fitted (default "als"; see {@link SearchFitMethod}). */
  fitMethod?: SearchFitMethod;
}

/**
 * How a search fits its candidates: `"als"` (default) or `"lm"`, Levenberg–Marquardt over all
 * cores with fresh starts as escapes, which fits loopy graphs (fully connected, grids) where ALS
 * stalls near 1e-2 (docs/search.md). Candidates above `LM_MAX_PARAMETERS` (2000) parameters are
 * fitted by ALS under `"lm"` too: LM's dense normal equations grow as the square of them.
 */
export type SearchFitMethod = "als" | "lm";

/** Output of one evaluation: the best start's cores and relative error. */
export interface EvaluationOutput {
  cores: Tensor<"f64">[];
  rse: number;
}

/**
 * A fit stops at this error: λ·RSE² is then below 1e-9 for the papers' λ ≤ 200, far below the
 * objective's smallest step (one parameter ÷ entries), so fitting further would not change a
 * ranking.
 */
export const FIT_TARGET_RSE = 1e-6;

/** Fits the payload's structure from its seeded starts and keeps the best. */
export function runEvaluation(p: EvaluationPayload): EvaluationOutput {
  const structure = new NetworkStructure(p.dims, p.ranks, p.perm);
  const rng = new Rng(p.seed);
  let best: EvaluationOutput | undefined;
  const method = p.fitMethod === "lm" && structure.numParameters() <= LM_MAX_PARAMETERS ? "lm" : "als";
  for (let k = 0; k < p.restarts; k++) {
    const fit = fitNetwork(structure, p.target, { method, maxSweeps: p.fitSweeps, targetRse: FIT_TARGET_RSE, escapes: p.escapes, seed: Math.floor(rng.nextFloat64() * 2 ** 31) });
    if (best === undefined || fit.rse < best.rse) best = { cores: fit.network.cores.slice() as Tensor<"f64">[], rse: fit.rse };
  }
  return best!;
}

const NAME = "search/evaluate";
registerTask(NAME, runEvaluation as never);

// Workers import this module by URL: from TypeScript sources that is the compiled copy, which
// exists only after a build, so it is resolved on first use with workers.
let moduleUrl: string | undefined;

/** One evaluation as a task for a runner of `threads` threads; `cost` orders the claims. */
export function evaluationTask(payload: EvaluationPayload, threads: number, cost?: number): PortableTask {
  const module = threads > 1 ? (moduleUrl ??= compiledModuleUrl(import.meta.url, "./evaluate-task.js")) : "";
  return { module, name: NAME, payload, ...(cost !== undefined ? { cost } : {}) };
}
