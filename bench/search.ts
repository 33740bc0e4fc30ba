/**
 * The "search" benchmark suite: what tensor-network structure search costs in arbor.
 *
 * 1. Time per fit: one ALS fit (`fitNetwork`) of the planted structure of tensor rings of
 *    order 4, 5 and 6 (6⁴, 5⁵, 4⁶, ranks 2–4, modes hidden by a random permutation), from a
 *    given random start, at most 50 sweeps with no early stop before a sweep stops lowering the
 *    error — and the same ALS in numpy (bench/numpy_search.py) from the same start (.npy
 *    files), for as many sweeps as arbor ran, at each thread count of the run. The errors after
 *    every sweep must agree (`history_diff`): the same-work check.
 * 2. Time per evaluation: one "evaluation" as TnALE and TNLS do it (`structureEvaluator`: best
 *    of 2 starts, ≤ 150 sweeps, 3 escapes, stop at RSE 1e-6), of the planted structure and of an
 *    under-ranked one (a bond one lower, which cannot fit exactly), against the ≈12 s per
 *    evaluation of the authors' TensorFlow code (full-batch Adam, order-4 demo, GPU).
 * 3. Searches to success: TnALE, TNLS (stopping at the planted objective, with an evaluation
 *    cap) and greedy (target RSE 1e-4) on the TnALE/TNLS demo ring (3⁶, 126 parameters; read
 *    from ../shared/data, skipped with a note when absent) and a planted order-5 ring with
 *    hidden modes: evaluations, wall time, parameters found, RSE, success (parameters ≤ the
 *    planted structure's and RSE ≤ 1e-4).
 * 4. Worker speedup: TnALE on each search task with 1 and 2 worker threads (twice each, in the
 *    order 1, 2, 2, 1, best time kept); the found structure must be the same (recorded), and the
 *    wall times, their ratio and the share of fits done by the worker thread are reported.
 *
 * Searches run arbor's kernels on one thread (their own worker threads as recorded), whatever
 * the run's thread counts. `--quick` keeps part 1, times one evaluation and searches a tiny 4⁴
 * ring. A full run takes about 10 minutes on 2 shared cores, mostly the demo ring's searches.
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { closeWorkerPools, workerPool } from "../src/backend/pool/pool.js";
import { getNumThreads, setNumThreads } from "../src/backend/cpu/threads.js";
import { readNpy, writeNpy } from "../src/linalg/io/npy.js";
import type { Tensor } from "../src/linalg/tensor.js";
import { structureEvaluator } from "../src/search/evaluator.js";
import { fitNetwork, type FitResult } from "../src/search/fit/als.js";
import { greedySearch } from "../src/search/greedy.js";
import { TensorNetwork } from "../src/search/network/network.js";
import { NetworkStructure } from "../src/search/network/structure.js";
import { plantedNetwork } from "../src/search/planted.js";
import { tnaleSearch } from "../src/search/tnale.js";
import { tnlsSearch } from "../src/search/tnls.js";
import { bestOfMs, fmt3, formatTable, timingOptions, type Column, type SuiteOutput, type SuiteRunOptions, type TimingOptions } from "./harness.js";
import { runNumpy } from "./numpy.js";

// ---- records ----

/** Part 1: one ALS fit in arbor and in numpy (snake_case fields: the file is read by Python too). */
export interface FitRecord {
  kind: "fit";
  task: string;
  order: number;
  /** Target shape (the planted ring's mode sizes, in the target's hidden order). */
  dims: number[];
  /** Ring bond ranks, vertex k to k+1. */
  ranks: number[];
  parameters: number;
  entries: number;
  threads: number;
  /** Sweeps run (both sides): at most the cap, fewer when a sweep stopped lowering the error. */
  sweeps: number;
  arbor_ms: number;
  numpy_ms: number | null;
  /** arbor_ms / numpy_ms; above 1 means arbor is slower. */
  ratio: number | null;
  arbor_ms_per_sweep: number;
  numpy_ms_per_sweep: number | null;
  /** Relative error after the last sweep, arbor's and numpy's. */
  rse: number;
  numpy_rse: number | null;
  /** max over sweeps of |arbor's − numpy's error after the sweep| (the same-work check; ≲ 1e-8). */
  history_diff: number | null;
}

/** Part 2: one evaluation of the sampling searches (arbor only), against the authors' time. */
export interface EvaluationRecord {
  kind: "evaluation";
  task: string;
  order: number;
  /** "planted": the planted structure; "under-ranked": its largest bond one lower (no exact fit: the starts end stalled, after their escapes). */
  structure: "planted" | "under-ranked";
  parameters: number;
  restarts: number;
  fit_sweeps: number;
  escapes: number;
  threads: number;
  arbor_ms: number;
  rse: number;
  /** The authors' time per evaluation (s) and how many times longer it is than arbor's. */
  authors_s: number;
  authors_over_arbor: number;
}

/** Part 3: one search run to success (or to its cap). */
export interface SearchRunRecord {
  kind: "search";
  task: string;
  method: "tnale" | "tnls" | "greedy";
  /** The options given (besides the target). */
  settings: string;
  workers: number;
  /** Distinct structures fitted (TnALE, TNLS: evaluations of 2 starts each; greedy: its count of fits, most of them 2-sweep candidate scorings). */
  evaluations: number;
  evaluation_cap: number | null;
  wall_s: number;
  ms_per_evaluation: number;
  parameters: number;
  planted_parameters: number;
  rse: number;
  /** parameters/entries + λ·RSE² (λ = 200); null for greedy, which does not use it. */
  objective: number | null;
  /** parameters ≤ planted_parameters and rse ≤ 1e-4. */
  success: boolean;
  /** The found structure's key. */
  structure: string;
  /** evaluations × the authors' ≈12 s (TnALE, TNLS): what the same count costs there. */
  authors_equivalent_s: number | null;
}

/** Part 4: TnALE with 1 and 2 worker threads. */
export interface SpeedupRecord {
  kind: "speedup";
  task: string;
  method: "tnale";
  evaluations: number;
  /** Runs per worker count (2 in a full run, order 1, 2, 2, 1; 1 with --quick). */
  runs: number;
  /** Best wall time with 1 and with 2 workers (s). */
  wall_s_1: number;
  wall_s_2: number;
  /** wall_s_1 / wall_s_2. */
  speedup: number;
  /** Whether both found the same structure (and the same error, bit for bit). */
  same_result: boolean;
  structure: string;
  /** Share of the 2-worker run's fits done by the worker thread (the rest by the calling thread). */
  worker_share: number;
}

export type SearchBenchRecord = FitRecord | EvaluationRecord | SearchRunRecord | SpeedupRecord;

// ---- the plan ----

/** A planted tensor ring: mode sizes, bond ranks (vertex k to k+1), seed, modes hidden or not. */
export interface RingTask {
  name: string;
  dims: number[];
  ranks: number[];
  seed: number;
  hidden: boolean;
}

/** A search target: a planted ring, or the TnALE/TNLS demo file. */
export type SearchTarget = { kind: "ring"; ring: RingTask } | { kind: "demo" };

/** What one search task runs. */
export interface SearchTask {
  target: SearchTarget;
  tnale?: { maxEvaluations: number };
  tnls?: { maxEvaluations: number; samples?: number };
  greedy?: boolean;
  /** Also run TnALE with 2 workers and record the speedup. */
  speedup?: boolean;
}

/** Everything a run measures; {@link searchPlan} gives the suite's, tests pass tiny ones. */
export interface SearchPlan {
  fits: RingTask[];
  /** Largest number of sweeps of a timed fit. */
  fitSweeps: number;
  /** Rings whose evaluation is timed (first thread count only). */
  evaluations: RingTask[];
  evaluationStructures: ("planted" | "under-ranked")[];
  searches: SearchTask[];
}

/** The evaluation settings of TnALE and TNLS (their defaults). */
export const EVALUATION = { lambda: 200, restarts: 2, fitSweeps: 150, escapes: 3 } as const;

/**
 * The authors' time per evaluation: ≈12–13 s in the TNGA demo log (minogame/icml2020-TNGA
 * `sim_data_30_20_a200.log`: order-4 2×2×2×2 target, best of 2 restarts × 10⁴ full-batch Adam
 * steps in TensorFlow 1, one GPU agent; 13 evaluations in 172 s); TNLS and TnALE use the same
 * evaluation code with up to 2·10⁴ and 4·10⁴ steps.
 */
export const AUTHORS_S_PER_EVALUATION = 12;

/** Success: the found structure has at most the planted parameters at RSE ≤ this. */
export const SUCCESS_RSE = 1e-4;

const RINGS: RingTask[] = [
  { name: "ring 6^4", dims: [6, 6, 6, 6], ranks: [3, 4, 3, 2], seed: 1, hidden: true },
  { name: "ring 5^5", dims: [5, 5, 5, 5, 5], ranks: [2, 3, 4, 3, 2], seed: 1, hidden: true },
  { name: "ring 4^6", dims: [4, 4, 4, 4, 4, 4], ranks: [2, 3, 4, 3, 2, 3], seed: 1, hidden: true },
];

/** The suite's plan: full, or `quick` (fits and one evaluation of the planted structure; searches on a tiny ring). */
export function searchPlan(quick: boolean): SearchPlan {
  if (quick) {
    const tiny: RingTask = { name: "ring 4^4", dims: [4, 4, 4, 4], ranks: [2, 3, 2, 2], seed: 1, hidden: true };
    return {
      fits: RINGS,
      fitSweeps: 50,
      evaluations: RINGS.slice(0, 1),
      evaluationStructures: ["planted"],
      searches: [{ target: { kind: "ring", ring: tiny }, tnale: { maxEvaluations: 60 }, tnls: { maxEvaluations: 48, samples: 12 }, greedy: true, speedup: true }],
    };
  }
  return {
    fits: RINGS,
    fitSweeps: 50,
    evaluations: RINGS,
    evaluationStructures: ["planted", "under-ranked"],
    searches: [
      { target: { kind: "demo" }, tnale: { maxEvaluations: 400 }, tnls: { maxEvaluations: 400 }, greedy: true, speedup: true },
      { target: { kind: "ring", ring: { name: "ring 4^5", dims: [4, 4, 4, 4, 4], ranks: [2, 3, 2, 3, 2], seed: 1, hidden: true } }, tnale: { maxEvaluations: 400 }, tnls: { maxEvaluations: 400 }, greedy: true, speedup: true },
    ],
  };
}

// ---- targets ----

/** A planted ring's target and structure (the planted structure in the target's labels). */
export function ringTarget(task: RingTask): { tensor: Tensor<"f64">; structure: NetworkStructure } {
  const planted = plantedNetwork(NetworkStructure.tensorRing(task.dims, task.ranks), task.seed, task.hidden ? { permutation: "random" } : {});
  return { tensor: planted.tensor, structure: planted.structure };
}

const DEMO_FILE = "tnale-demo-ring-3x6.goal.npy";
/** The demo ring's planted parameters (shared/data/README.md). */
export const DEMO_PARAMETERS = 126;

/** Where the demo target is: `../shared/data` beside the repository (from bench/ or dist/bench/), or undefined. */
export function demoTargetPath(): string | undefined {
  for (const rel of [`../../shared/data/${DEMO_FILE}`, `../../../shared/data/${DEMO_FILE}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** A search target: name, tensor and planted parameter count; undefined when the demo file is missing. */
export function searchTarget(target: SearchTarget): { name: string; tensor: Tensor; plantedParameters: number } | undefined {
  if (target.kind === "demo") {
    const path = demoTargetPath();
    return path === undefined ? undefined : { name: "TnALE demo ring 3^6", tensor: readNpy(path), plantedParameters: DEMO_PARAMETERS };
  }
  const { tensor, structure } = ringTarget(target.ring);
  return { name: target.ring.name, tensor, plantedParameters: structure.numParameters() };
}

// ---- part 1: one fit, arbor and numpy ----

/** The fit as timed: from `start`, at most `sweeps` sweeps, stopping only when a sweep no longer lowers the error. */
export function arborFit(structure: NetworkStructure, target: Tensor, start: TensorNetwork<"f64">, sweeps: number): FitResult {
  return fitNetwork(structure, target, { start, maxSweeps: sweeps, targetRse: 0, stallTolerance: 0 });
}

/** A ring's fit case: target, structure and the random start (seed 1, the fit's default start). */
export function fitCase(task: RingTask): { tensor: Tensor<"f64">; structure: NetworkStructure; start: TensorNetwork<"f64"> } {
  const { tensor, structure } = ringTarget(task);
  return { tensor, structure, start: TensorNetwork.random(structure, 1) };
}

/** The folder name of a case in the numpy exchange directory. */
function caseFolder(task: RingTask): string {
  return task.name.replace(/[^A-Za-z0-9]+/g, "_");
}

/** Writes X.npy and core<v>.npy of a case into `dir/<case>/` for numpy_search.py. */
export function writeFitCase(dir: string, task: RingTask, c: { tensor: Tensor; start: TensorNetwork<"f64"> }): void {
  const folder = join(dir, caseFolder(task));
  mkdirSync(folder, { recursive: true });
  writeNpy(join(folder, "X.npy"), c.tensor);
  c.start.cores.forEach((core, v) => writeNpy(join(folder, `core${v}.npy`), core));
}

/** The numpy script's description of a case. */
export function numpyFitCase(task: RingTask, structure: NetworkStructure, sweeps: number) {
  return { name: caseFolder(task), dims: structure.dims.slice(), perm: structure.perm.slice(), sweeps };
}

/** What numpy_search.py reports per case besides its time. */
export interface NumpyFitValues {
  rse: number | null;
  history: number[];
}

/** Largest |a_k − b_k| over two error histories, or null when their lengths differ. */
export function historyDiff(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) return null;
  let d = 0;
  a.forEach((x, k) => (d = Math.max(d, Math.abs(x - b[k]!))));
  return d;
}

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const round3s = (x: number): number => Number(x.toFixed(3));

/**
 * The timing rule of the fits (both sides): the harness's, with more calls in a full run —
 * fits take 10–300 ms, and on shared cores the best of a few is still noise.
 */
export function fitTiming(quick: boolean): TimingOptions {
  return quick ? timingOptions(true) : { warmup: 2, minReps: 10, maxReps: 1000, minTotalMs: 1000 };
}

function runFits(plan: SearchPlan, options: SuiteRunOptions, dir: string, notes: Set<string>): FitRecord[] {
  const timing = fitTiming(options.quick);
  const cases = plan.fits.map((task) => ({ task, ...fitCase(task) }));
  // JIT warm-up: the first few fits of a process run unoptimised code (measured: 3–5× slower),
  // which would fall on the first thread count only.
  const warmUntil = performance.now() + (options.quick ? 300 : 3000);
  do for (const c of cases) arborFit(c.structure, c.tensor, c.start, plan.fitSweeps);
  while (performance.now() < warmUntil);
  cases.forEach((c) => writeFitCase(dir, c.task, c));
  const records: FitRecord[] = [];
  let numpyFailed = false;
  for (const t of options.threads) {
    setNumThreads(t);
    // The sweeps and errors come from one untimed fit per case; numpy runs exactly as many sweeps.
    const fits = cases.map((c) => arborFit(c.structure, c.tensor, c.start, plan.fitSweeps));
    const arborMs = cases.map((c, i) => {
      const ms = bestOfMs(() => arborFit(c.structure, c.tensor, c.start, plan.fitSweeps), timing);
      options.progress.line(`  arbor  ALS fit ${c.task.name.padEnd(10)} ${String(fits[i]!.sweeps).padStart(3)} sweeps ${ms.toFixed(2).padStart(10)} ms  (${t} thread${t > 1 ? "s" : ""})`);
      return ms;
    });
    let numpy: { ms: number; values: NumpyFitValues }[] | undefined;
    if (!numpyFailed) {
      const r = runNumpy("numpy_search.py", { dir, timing, progress: options.progress.enabled, cases: cases.map((c, i) => numpyFitCase(c.task, c.structure, fits[i]!.sweeps)) }, t);
      const values = r.ok ? (r.output as unknown as { values?: NumpyFitValues[] }).values : undefined;
      if (r.ok && r.output.times_ms.length === cases.length && values?.length === cases.length) {
        numpy = cases.map((_, i) => ({ ms: r.output.times_ms[i]!, values: values[i]! }));
        notes.add(r.output.info);
      } else {
        numpyFailed = true;
        options.warn(`${r.ok ? "numpy_search.py returned the wrong number of results" : r.reason}; numpy_ms and ratio are recorded as null`);
      }
    }
    cases.forEach((c, i) => {
      const fit = fits[i]!;
      const n = numpy?.[i];
      const arbor_ms = round4(arborMs[i]!);
      const numpy_ms = n === undefined ? null : round4(n.ms);
      records.push({
        kind: "fit", task: c.task.name, order: c.task.dims.length, dims: c.structure.dims.slice(), ranks: c.task.ranks.slice(),
        parameters: c.structure.numParameters(), entries: c.tensor.data.length, threads: t, sweeps: fit.sweeps,
        arbor_ms, numpy_ms, ratio: numpy_ms === null || numpy_ms <= 0 ? null : arbor_ms / numpy_ms,
        arbor_ms_per_sweep: round4(arbor_ms / Math.max(1, fit.sweeps)), numpy_ms_per_sweep: numpy_ms === null ? null : round4(numpy_ms / Math.max(1, fit.sweeps)),
        rse: fit.history[fit.history.length - 1] ?? fit.rse, numpy_rse: n?.values.rse ?? null, history_diff: n === undefined ? null : historyDiff(fit.history, n.values.history),
      });
    });
  }
  return records;
}

// ---- part 2: one evaluation ----

/** The planted ring with its largest bond one lower (still ≥ 2, so the graph stays a ring). */
export function underRanked(structure: NetworkStructure): NetworkStructure {
  const ranks = structure.ranks();
  let best: [number, number] | undefined;
  for (const { u, v, rank } of structure.edges()) if (rank > 2 && (best === undefined || rank > ranks[best[0]]![best[1]]!)) best = [u, v];
  if (best === undefined) throw new Error("underRanked: no bond above rank 2");
  const [u, v] = best;
  ranks[u]![v] = ranks[v]![u] = ranks[u]![v]! - 1;
  return new NetworkStructure(structure.dims, ranks, structure.perm);
}

/** One evaluation as the searches do it, with a fresh evaluator (nothing cached). */
export function evaluateOnce(target: Tensor, structure: NetworkStructure, seed = 1): { rse: number } {
  const ev = structureEvaluator(target, { ...EVALUATION, seed, workers: 1 });
  return { rse: ev.evaluate(structure).rse };
}

function runEvaluations(plan: SearchPlan, options: SuiteRunOptions): EvaluationRecord[] {
  const t = options.threads[0]!;
  setNumThreads(t);
  // Evaluations take 0.02–1 s: a warm-up call and the best of 3 (one call with --quick).
  const timing: TimingOptions = options.quick ? { warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 } : { warmup: 1, minReps: 3, maxReps: 3, minTotalMs: 0 };
  const records: EvaluationRecord[] = [];
  for (const task of plan.evaluations) {
    const { tensor, structure: planted } = ringTarget(task);
    for (const which of plan.evaluationStructures) {
      const structure = which === "planted" ? planted : underRanked(planted);
      const { rse } = evaluateOnce(tensor, structure);
      const ms = bestOfMs(() => evaluateOnce(tensor, structure), timing);
      options.progress.line(`  arbor  evaluation ${task.name.padEnd(10)} ${which.padEnd(12)} ${ms.toFixed(1).padStart(10)} ms  RSE ${rse.toExponential(2)}`);
      const arbor_ms = round4(ms);
      records.push({
        kind: "evaluation", task: task.name, order: task.dims.length, structure: which, parameters: structure.numParameters(),
        restarts: EVALUATION.restarts, fit_sweeps: EVALUATION.fitSweeps, escapes: EVALUATION.escapes, threads: t, arbor_ms, rse,
        authors_s: AUTHORS_S_PER_EVALUATION, authors_over_arbor: Math.round((AUTHORS_S_PER_EVALUATION * 1000) / arbor_ms),
      });
    }
  }
  return records;
}

// ---- parts 3 and 4: searches ----

/** The objective of the planted structure at RSE = SUCCESS_RSE: TnALE and TNLS stop once they reach it. */
export function plantedObjective(plantedParameters: number, entries: number): number {
  return plantedParameters / entries + EVALUATION.lambda * SUCCESS_RSE ** 2;
}

function timed<T>(fn: () => T): { result: T; s: number } {
  const t0 = performance.now();
  const result = fn();
  return { result, s: (performance.now() - t0) / 1000 };
}

function searchRecord(
  task: string, method: SearchRunRecord["method"], settings: string, workers: number, cap: number | null, s: number,
  r: { evaluations: number; parameters: number; rse: number; objective?: number; structure: NetworkStructure }, plantedParameters: number,
): SearchRunRecord {
  return {
    kind: "search", task, method, settings, workers, evaluations: r.evaluations, evaluation_cap: cap, wall_s: round3s(s),
    ms_per_evaluation: Math.round((1000 * s) / Math.max(1, r.evaluations) * 10) / 10,
    parameters: r.parameters, planted_parameters: plantedParameters, rse: r.rse, objective: r.objective ?? null,
    success: r.parameters <= plantedParameters && r.rse <= SUCCESS_RSE, structure: r.structure.key(),
    authors_equivalent_s: method === "greedy" ? null : r.evaluations * AUTHORS_S_PER_EVALUATION,
  };
}

function runSearches(plan: SearchPlan, options: SuiteRunOptions, notes: Set<string>): (SearchRunRecord | SpeedupRecord)[] {
  setNumThreads(1);
  const records: (SearchRunRecord | SpeedupRecord)[] = [];
  const show = (r: SearchRunRecord): void =>
    options.progress.line(`  ${r.method.padEnd(6)} ${r.task} workers=${r.workers}: ${r.evaluations} evaluations, ${r.wall_s.toFixed(1)} s, ${r.parameters} parameters (planted ${r.planted_parameters}), RSE ${r.rse.toExponential(2)}${r.success ? "" : " — not reached"}`);
  for (const task of plan.searches) {
    const target = searchTarget(task.target);
    if (target === undefined) {
      notes.add(`the TnALE demo target (shared/data/${DEMO_FILE}) was not found beside the repository: its searches were skipped`);
      options.warn(`shared/data/${DEMO_FILE} not found; the demo searches are skipped`);
      continue;
    }
    const { name, tensor, plantedParameters } = target;
    const targetObjective = plantedObjective(plantedParameters, tensor.data.length);
    if (task.tnale !== undefined) {
      const tnale = { seed: 1, targetObjective, maxEvaluations: task.tnale.maxEvaluations };
      const settings = `seed 1, ring, defaults (initial rank 2, max rank 8, radius 1, initial radius 2, λ 200, 2 starts × ≤150 sweeps, 3 escapes), stop at objective ${targetObjective.toPrecision(6)} or ${tnale.maxEvaluations} evaluations`;
      const one = timed(() => tnaleSearch(tensor, { ...tnale, workers: 1 }));
      const rec = searchRecord(name, "tnale", settings, 1, tnale.maxEvaluations, one.s, one.result, plantedParameters);
      records.push(rec);
      show(rec);
      if (task.speedup) {
        const pool = workerPool(2).counts, before = { ...pool };
        const two = timed(() => tnaleSearch(tensor, { ...tnale, workers: 2 }));
        const onWorkers = pool.workers - before.workers, total = onWorkers + pool.calling - before.calling;
        const rec2 = searchRecord(name, "tnale", settings, 2, tnale.maxEvaluations, two.s, two.result, plantedParameters);
        records.push(rec2);
        show(rec2);
        // A full run repeats the pair in the opposite order (1, 2, 2, 1 workers) and keeps each
        // count's best time, so that drift in the machine's load and JIT warm-up cancel.
        const runs = [{ workers: 1, ...one }, { workers: 2, ...two }];
        if (!options.quick) for (const workers of [2, 1]) runs.push({ workers, ...timed(() => tnaleSearch(tensor, { ...tnale, workers })) });
        const same = runs.every((r) => r.result.structure.key() === one.result.structure.key() && r.result.rse === one.result.rse && r.result.evaluations === one.result.evaluations);
        const best = (w: number): number => Math.min(...runs.filter((r) => r.workers === w).map((r) => r.s));
        records.push({
          kind: "speedup", task: name, method: "tnale", evaluations: one.result.evaluations, runs: runs.length / 2, wall_s_1: round3s(best(1)), wall_s_2: round3s(best(2)),
          speedup: Math.round((best(1) / best(2)) * 1000) / 1000, same_result: same, structure: one.result.structure.key(), worker_share: total > 0 ? Math.round((onWorkers / total) * 1000) / 1000 : 0,
        });
        if (!same) options.warn(`TnALE on ${name} found different results with 1 and 2 workers`);
      }
    }
    if (task.tnls !== undefined) {
      const tnls = { seed: 1, targetObjective, maxEvaluations: task.tnls.maxEvaluations, ...(task.tnls.samples !== undefined ? { samples: task.tnls.samples } : {}) };
      const settings = `seed 1, ring, defaults (${tnls.samples ?? 60} samples per generation, 20 generations, initial rank 2, max rank 7, λ 200, 2 starts × ≤150 sweeps, 3 escapes), stop at objective ${targetObjective.toPrecision(6)} or ${tnls.maxEvaluations} evaluations`;
      const run = timed(() => tnlsSearch(tensor, { ...tnls, workers: 1 }));
      const rec = searchRecord(name, "tnls", settings, 1, tnls.maxEvaluations, run.s, run.result, plantedParameters);
      records.push(rec);
      show(rec);
    }
    if (task.greedy) {
      const settings = `seed 1, target RSE ${SUCCESS_RSE}, other options default (fully connected graph, rank-one start, 2-sweep candidate scoring, 50-sweep refits)`;
      const run = timed(() => greedySearch(tensor, { seed: 1, targetRse: SUCCESS_RSE }));
      const rec = searchRecord(name, "greedy", settings, 1, null, run.s, run.result, plantedParameters);
      records.push(rec);
      show(rec);
    }
  }
  return records;
}

// ---- the suite ----

/**
 * Runs the plan (the suite's by default): fits against numpy at every thread count, then the
 * evaluations and searches (arbor's kernels on one thread; the searches' own worker threads as
 * recorded). Restores arbor's thread count and closes the worker pools.
 */
export function runSearchBench(options: SuiteRunOptions, plan: SearchPlan = searchPlan(options.quick)): SuiteOutput<SearchBenchRecord> {
  const notes = new Set<string>();
  const saved = getNumThreads();
  const dir = mkdtempSync(join(tmpdir(), "arbor-bench-search-"));
  const records: SearchBenchRecord[] = [];
  const load = (): string => loadavg()[0]!.toFixed(1);
  const loadAtStart = load();
  try {
    options.progress.line("ALS fit of the planted ring, arbor and numpy");
    records.push(...runFits(plan, options, dir, notes));
    options.progress.line("one evaluation (best of 2 starts, ≤150 sweeps, 3 escapes)");
    records.push(...runEvaluations(plan, options));
    options.progress.line("searches to success");
    records.push(...runSearches(plan, options, notes));
  } finally {
    setNumThreads(saved);
    rmSync(dir, { recursive: true, force: true });
    void closeWorkerPools();
  }
  notes.add(`load average ${loadAtStart} at the start, ${load()} at the end (other work on the machine slows arbor and numpy alike, worker threads more)`);
  return { records, notes: [...notes] };
}

// ---- tables ----

const exp2 = (x: number | null): string => (x === null || !Number.isFinite(x) ? "-" : x.toExponential(1));

const FIT_COLUMNS: Column<FitRecord>[] = [
  { header: "fit (ALS)", cell: (r) => r.task, align: "left" },
  { header: "ranks", cell: (r) => r.ranks.join(","), align: "left" },
  { header: "params", cell: (r) => String(r.parameters) },
  { header: "threads", cell: (r) => String(r.threads) },
  { header: "sweeps", cell: (r) => String(r.sweeps) },
  { header: "arbor ms", cell: (r) => fmt3(r.arbor_ms) },
  { header: "numpy ms", cell: (r) => fmt3(r.numpy_ms) },
  { header: "ratio", cell: (r) => fmt3(r.ratio) },
  { header: "arbor ms/sweep", cell: (r) => fmt3(r.arbor_ms_per_sweep) },
  { header: "numpy ms/sweep", cell: (r) => fmt3(r.numpy_ms_per_sweep) },
  { header: "RSE", cell: (r) => exp2(r.rse) },
  { header: "max |ΔRSE| vs numpy", cell: (r) => exp2(r.history_diff) },
];

const EVALUATION_COLUMNS: Column<EvaluationRecord>[] = [
  { header: "evaluation", cell: (r) => r.task, align: "left" },
  { header: "structure", cell: (r) => r.structure, align: "left" },
  { header: "params", cell: (r) => String(r.parameters) },
  { header: "threads", cell: (r) => String(r.threads) },
  { header: "arbor ms", cell: (r) => fmt3(r.arbor_ms) },
  { header: "RSE", cell: (r) => exp2(r.rse) },
  { header: "authors s", cell: (r) => `≈${r.authors_s}` },
  { header: "authors/arbor", cell: (r) => `${r.authors_over_arbor}×` },
];

const SEARCH_COLUMNS: Column<SearchRunRecord>[] = [
  { header: "search", cell: (r) => r.task, align: "left" },
  { header: "method", cell: (r) => r.method, align: "left" },
  { header: "workers", cell: (r) => String(r.workers) },
  { header: "evaluations", cell: (r) => `${r.evaluations}${r.evaluation_cap === null ? "" : ` (cap ${r.evaluation_cap})`}` },
  { header: "wall s", cell: (r) => fmt3(r.wall_s) },
  { header: "ms/eval", cell: (r) => fmt3(r.ms_per_evaluation) },
  { header: "params", cell: (r) => String(r.parameters) },
  { header: "planted", cell: (r) => String(r.planted_parameters) },
  { header: "RSE", cell: (r) => exp2(r.rse) },
  { header: "success", cell: (r) => (r.success ? "yes" : "no"), align: "left" },
  { header: "authors' time", cell: (r) => (r.authors_equivalent_s === null ? "-" : `≈${fmt3(r.authors_equivalent_s / 60)} min`) },
];

const SPEEDUP_COLUMNS: Column<SpeedupRecord>[] = [
  { header: "workers", cell: (r) => `${r.method} on ${r.task}`, align: "left" },
  { header: "evaluations", cell: (r) => String(r.evaluations) },
  { header: "runs", cell: (r) => String(r.runs) },
  { header: "1 worker s", cell: (r) => fmt3(r.wall_s_1) },
  { header: "2 workers s", cell: (r) => fmt3(r.wall_s_2) },
  { header: "speedup", cell: (r) => fmt3(r.speedup) },
  { header: "same result", cell: (r) => (r.same_result ? "yes" : "NO"), align: "left" },
  { header: "fits on worker", cell: (r) => `${Math.round(100 * r.worker_share)}%` },
  { header: "structure", cell: (r) => r.structure, align: "left" },
];

/** The four tables, each with its footnotes. */
export function searchTable(records: readonly SearchBenchRecord[]): string {
  const fits = records.filter((r): r is FitRecord => r.kind === "fit");
  const evaluations = records.filter((r): r is EvaluationRecord => r.kind === "evaluation");
  const searches = records.filter((r): r is SearchRunRecord => r.kind === "search");
  const speedups = records.filter((r): r is SpeedupRecord => r.kind === "speedup");
  const parts: string[] = [];
  if (fits.length > 0) {
    parts.push(formatTable(FIT_COLUMNS, fits), "fit: planted ring (hidden mode order) from a random start, ALS until a sweep stops lowering the error (≤ 50 sweeps); numpy (bench/numpy_search.py) runs the same ALS from the same start for the same sweeps; ΔRSE = largest difference of the errors after each sweep; an RSE far above 0 means this start stayed on a plateau for all its sweeps (what the searches' escapes are for)");
  }
  if (evaluations.length > 0) {
    parts.push("", formatTable(EVALUATION_COLUMNS, evaluations), `evaluation: as TnALE/TNLS fit a structure (best of ${EVALUATION.restarts} ALS starts, ≤ ${EVALUATION.fitSweeps} sweeps, ${EVALUATION.escapes} escapes, stop at RSE 1e-6); under-ranked = the largest bond one lower (no exact fit: each start ends when it stalls after its escapes). authors ≈${AUTHORS_S_PER_EVALUATION} s: TNGA/TNLS/TnALE code, 2 restarts × 10⁴ Adam steps, order-4 demo, GPU (TNGA demo log)`);
  }
  if (searches.length > 0) {
    parts.push("", formatTable(SEARCH_COLUMNS, searches), `search: success = parameters ≤ planted and RSE ≤ ${SUCCESS_RSE}; TnALE and TNLS stop at the planted structure's objective (parameters/entries + 200·1e-8); greedy counts its 2-sweep candidate scorings as evaluations; authors' time = evaluations × ≈${AUTHORS_S_PER_EVALUATION} s (published counts: TnALE ≈49 evaluations per round on order-6 rings, TNLS 60 per generation, budget 1200)`);
  }
  if (speedups.length > 0) {
    parts.push("", formatTable(SPEEDUP_COLUMNS, speedups), "workers: TnALE with 1 and 2 worker threads (each neighbourhood one batch; single evaluations stay on the calling thread); speedup = best 1-worker wall time / best 2-worker wall time (full run: 2 runs each, order 1, 2, 2, 1); the result must not depend on the count");
  }
  return parts.join("\n");
}
