/**
 * The "completion" benchmark suite: what ALS tensor completion (`completeTensor`, the chain
 * solver with cached interfaces) costs in arbor, against the numpy reference of the same
 * algorithm (test/fixtures/completion/als_reference.py, imported by bench/numpy_completion.py
 * and run unchanged).
 *
 * 1. Recovery: the issue's task — a rank-4 tensor train of shape 8⁶ (planted with
 *    `TensorNetwork.random(…, 1)`), 95 % of its entries missing (`sampleObserved(…, 0.05, 3)`),
 *    from a random start (seed 2), 30 sweeps on the default ridge path (10 → 1e-12, ×0.7 per
 *    sweep, ×0.2 once the error tracks the ridge), no validation split, no early stop. numpy runs
 *    the same sweeps from the same start on the same entries (binary files in a temp dir).
 *    Recorded: sweeps per second on both sides (best wall time of the whole call, by the
 *    harness's timing rule), their ratio, the RSE on all 262,144 entries after every sweep, the
 *    sweeps and seconds to RSE ≤ 1e-4 (the best timed run's clock at the end of that sweep, set-up
 *    included), the final RSE, and the largest difference of the two sides' training errors
 *    after each sweep (the same-work check).
 * 2. Scale: a rank-4 train of shape 16¹⁰ (1.1·10¹² entries, never materialised) from 10⁶
 *    observed entries (distinct, seeded), a few sweeps of plain ALS; the error on 10⁵ other
 *    sampled entries held out; seconds per sweep; the process's resident memory before the run
 *    and its peak during it (sampled every 5 ms by a worker thread, which runs while the fit
 *    blocks the main thread) and the JS heap and array buffers at every sweep. numpy runs the
 *    same sweeps (fewer: its reference recomputes every environment by einsum, ≈ 2 min per
 *    sweep here) from the same start, in its own process, with its peak RSS (`ru_maxrss`).
 *
 *    The planted train of the scale task has core slices 𝟙𝟙ᵀ/r plus N(0, 0.15²) noise
 *    (entries ≈ 1 ± 0.4, light-tailed), and the start is the same kind of train from another
 *    seed: a "mean" start. A train with zero-mean Gaussian cores, and a zero-mean random start,
 *    do not work at this sampling ratio (10⁻⁶): the start's overlap with the planted tensor is
 *    far below the sampling noise of 10⁶ entries, and ALS stays at RSE ≈ 0.93 (measured: 25
 *    ridge-path sweeps; order-10 Gaussian trains are also heavy-tailed, 1 % of the entries
 *    carrying half the energy). With 0.6 % (16⁶) or 5 % (8⁶) of the entries observed, random
 *    starts recover.
 *
 * Arbor's completion kernels are single-threaded; the recovery task runs at each thread count
 * of the run (numpy's BLAS pinned to it), the scale task at the first. `--quick` keeps the
 * recovery task and shrinks the scale task to 5·10⁴ observed entries (the shape stays 16¹⁰).
 * A full run takes about 7 minutes on 2 shared cores, mostly numpy's scale sweeps.
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { freemem, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import { getNumThreads, setNumThreads } from "../src/backend/cpu/threads.js";
import { ChainAls } from "../src/completion/chain-als.js";
import { completeTensor, type CompletionOptions, type CompletionResult } from "../src/completion/complete.js";
import { runSweeps } from "../src/completion/run-sweeps.js";
import { completionSplit } from "../src/completion/split.js";
import type { SweepSolver, TrainingSamples } from "../src/completion/sweep-solver.js";
import { distance, norm } from "../src/linalg/norms.js";
import { Rng } from "../src/linalg/random.js";
import { Tensor } from "../src/linalg/tensor.js";
import { sampleObserved, type ObservedEntries } from "../src/search/fit/observed.js";
import { networkEntries } from "../src/search/network/entries.js";
import { TensorNetwork } from "../src/search/network/network.js";
import { NetworkStructure } from "../src/search/network/structure.js";
import { fmt3, formatTable, timingOptions, type Column, type SuiteOutput, type SuiteRunOptions, type TimingOptions } from "./harness.js";
import { runNumpy } from "./numpy.js";

// ---- records (snake_case fields: the file is read by Python too) ----

/** Part 1: recovery of the planted 8⁶ train, arbor and numpy. */
export interface RecoveryRecord {
  kind: "recovery";
  task: string;
  dims: number[];
  /** Bond ranks of the train. */
  ranks: number[];
  parameters: number;
  entries: number;
  observed: number;
  /** Share of the entries not observed. */
  missing: number;
  threads: number;
  /** Sweeps run by both sides (no early stop). */
  sweeps: number;
  /** Best wall time of the whole run (set-up and every sweep), arbor's and numpy's. */
  arbor_ms: number;
  numpy_ms: number | null;
  /** arbor_ms / numpy_ms; above 1 means arbor is slower. */
  ratio: number | null;
  arbor_sweeps_per_s: number;
  numpy_sweeps_per_s: number | null;
  target_rse: number;
  /** First sweep after which the RSE on all entries is ≤ target_rse (null: not reached). */
  arbor_sweeps_to_target: number | null;
  numpy_sweeps_to_target: number | null;
  /** Seconds from the call to the end of that sweep, in the best timed run. */
  arbor_s_to_target: number | null;
  numpy_s_to_target: number | null;
  /** RSE on all entries after the last sweep. */
  arbor_rse: number;
  numpy_rse: number | null;
  /** RSE on all entries after each sweep. */
  arbor_rse_history: number[];
  numpy_rse_history: number[] | null;
  /** max over sweeps of |arbor's − numpy's training error after the sweep| (the same-work check). */
  history_diff: number | null;
}

/** Part 2: a few sweeps on a tensor of ≥ 10¹² entries from 10⁶ observed ones. */
export interface ScaleRecord {
  kind: "scale";
  task: string;
  dims: number[];
  ranks: number[];
  parameters: number;
  /** ∏ dims (never materialised). */
  entries: number;
  observed: number;
  /** Sampled entries held out (distinct from the observed ones), for the test error. */
  held_out: number;
  threads: number;
  /** The ridge of the first sweep (the floor is 1e-12; equal: plain ALS). */
  ridge_start: number;
  /** Seconds to draw the coordinates and evaluate the planted train there. */
  data_s: number;
  /** arbor: sweeps run, set-up time of completeTensor (validation, sort, solver), seconds per sweep. */
  sweeps: number;
  setup_s: number;
  arbor_s_per_sweep: number;
  /** Training error after each sweep, and the error on the held-out entries at the end. */
  train_rse_history: number[];
  train_rse: number;
  test_rse: number;
  /** Resident set size before the run (data generated) and its peak during the run, MB. */
  rss_baseline_mb: number;
  rss_peak_mb: number;
  /** V8 heap used and array-buffer memory (typed arrays) before the run and their peaks at the sweeps, MB. */
  heap_baseline_mb: number;
  heap_peak_mb: number;
  array_buffers_baseline_mb: number;
  array_buffers_peak_mb: number;
  /** numpy: sweeps run (fewer), seconds per sweep, errors, memory of its process (null when not run). */
  numpy_sweeps: number;
  numpy_s_per_sweep: number | null;
  /** arbor_s_per_sweep / numpy_s_per_sweep. */
  ratio: number | null;
  numpy_train_rse_history: number[] | null;
  numpy_test_rse: number | null;
  numpy_rss_baseline_mb: number | null;
  numpy_rss_peak_mb: number | null;
  /** max |arbor's − numpy's training error| over numpy's sweeps. */
  history_diff: number | null;
  /** Why numpy has no numbers, when it has none. */
  numpy_note: string | null;
}

export type CompletionBenchRecord = RecoveryRecord | ScaleRecord;

// ---- the plan ----

/** The recovery task: a planted random train, a seeded share observed, a random start. */
export interface RecoveryTask {
  name: string;
  dims: number[];
  rank: number;
  /** Share of the entries observed. */
  fraction: number;
  /** Seeds of the planted train (`TensorNetwork.random`), the sample and the start. */
  dataSeed: number;
  sampleSeed: number;
  startSeed: number;
  sweeps: number;
  targetRse: number;
}

/** The scale task: a planted "mean" train, distinct sampled coordinates, a mean start. */
export interface ScaleTask {
  name: string;
  dims: number[];
  rank: number;
  observed: number;
  heldOut: number;
  /** Noise of the planted cores around 𝟙𝟙ᵀ/r, and its seed. */
  sigma: number;
  dataSeed: number;
  sampleSeed: number;
  /** The start: the same kind of train with this noise and seed. */
  startSigma: number;
  startSeed: number;
  /** The ridge of the first sweep (1e-12: plain ALS). */
  ridgeStart: number;
  sweeps: number;
  /** numpy's sweeps (0: numpy is not run). */
  numpySweeps: number;
}

/** Everything a run measures; {@link completionPlan} gives the suite's, tests pass tiny ones. */
export interface CompletionPlan {
  recovery: RecoveryTask[];
  scale: ScaleTask[];
}

/** The issue's task: rank-4 train 8⁶, 95 % missing. */
export const RECOVERY_86: RecoveryTask = {
  name: "tt 8^6 r4, 95% missing", dims: [8, 8, 8, 8, 8, 8], rank: 4, fraction: 0.05, dataSeed: 1, sampleSeed: 3, startSeed: 2, sweeps: 30, targetRse: 1e-4,
};

const SCALE_16_10: ScaleTask = {
  name: "tt 16^10 r4", dims: [16, 16, 16, 16, 16, 16, 16, 16, 16, 16], rank: 4, observed: 1_000_000, heldOut: 100_000,
  sigma: 0.15, dataSeed: 1, sampleSeed: 7, startSigma: 0.15, startSeed: 2, ridgeStart: 1e-12, sweeps: 6, numpySweeps: 2,
};

/** The suite's plan: full, or `quick` (the same recovery task; 5·10⁴ observed entries of the 16¹⁰ train). */
export function completionPlan(quick: boolean): CompletionPlan {
  if (quick) return { recovery: [RECOVERY_86], scale: [{ ...SCALE_16_10, observed: 50_000, heldOut: 10_000, sweeps: 3, numpySweeps: 1 }] };
  return { recovery: [RECOVERY_86], scale: [SCALE_16_10] };
}

// ---- shared pieces ----

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;

/** Largest |a_k − b_k| over the common length of two error histories (null if either is empty). */
export function historyDiff(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  if (n === 0) return null;
  let d = 0;
  for (let k = 0; k < n; k++) d = Math.max(d, Math.abs(a[k]! - b[k]!));
  return d;
}

/** The first sweep (1-based) whose error is ≤ target, or null. */
export function sweepsToTarget(history: readonly number[], target: number): number | null {
  const k = history.findIndex((e) => e <= target);
  return k < 0 ? null : k + 1;
}

/**
 * `fn` under the harness's timing rule (warm-up calls, then until minReps calls and minTotalMs,
 * or maxReps), returning the best time and that call's value.
 */
export function bestRun<T>(fn: () => T, options: TimingOptions): { ms: number; value: T } {
  for (let i = 0; i < options.warmup; i++) fn();
  let best: { ms: number; value: T } | undefined;
  let total = 0, reps = 0;
  while (reps < options.maxReps && (reps < options.minReps || total < options.minTotalMs)) {
    const t0 = performance.now();
    const value = fn();
    const ms = performance.now() - t0;
    total += ms;
    reps++;
    if (best === undefined || ms < best.ms) best = { ms, value };
  }
  return best!;
}

/** The cores of a tensor train as numpy's reference holds them: (left bond, mode, right bond), row-major. */
export function referenceCores(net: TensorNetwork<"f64">): { shape: [number, number, number]; data: Float64Array }[] {
  const s = net.structure, N = s.numModes;
  return net.cores.map((core, k) => {
    const n = s.dims[k]!, rl = k > 0 ? s.rank(k, k - 1) : 1, rr = k + 1 < N ? s.rank(k, k + 1) : 1;
    // The network core is (mode, left, right) here: a train's bonds in increasing neighbour order.
    const src = core.data as Float64Array, out = new Float64Array(n * rl * rr);
    for (let j = 0; j < n; j++) for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) out[(a * n + j) * rr + b] = src[(j * rl + a) * rr + b]!;
    return { shape: [rl, n, rr], data: out };
  });
}

function writeBinary(path: string, data: Float64Array | Int32Array): void {
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Writes the files a numpy case reads: `idx.bin` (int32 m×d), `y.bin`, `start<k>.bin` (and extras). */
function writeCase(dir: string, name: string, obs: ObservedEntries, start: TensorNetwork<"f64">, extra: Record<string, Float64Array | Int32Array> = {}): { folder: string; coreShapes: number[][] } {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeBinary(join(folder, "idx.bin"), obs.indices);
  writeBinary(join(folder, "y.bin"), obs.values);
  const cores = referenceCores(start);
  cores.forEach((c, k) => writeBinary(join(folder, `start${k}.bin`), c.data));
  for (const [file, data] of Object.entries(extra)) writeBinary(join(folder, file), data);
  return { folder, coreShapes: cores.map((c) => c.shape) };
}

/** What numpy_completion.py reports per case besides its best time. */
export interface NumpyCompletionValues {
  /** Training error after each sweep (of the last run; all runs are the same computation). */
  history: number[];
  /** Seconds from the call to the end of each sweep, in the best timed run. */
  sweep_s: number[];
  /** Recovery: RSE on all entries after each sweep. Scale: error on the held-out entries after each sweep. */
  rse_history: number[];
  rss_baseline_bytes: number;
  rss_peak_bytes: number;
}

/** The ridge path of both sides' recovery runs (completeTensor's defaults). */
const RIDGE = { ridge: 1e-12, ridgeStart: 10, ridgeDecay: 0.7 } as const;

// ---- part 1: recovery ----

/** The planted train, its full tensor, the observed entries and the start of a recovery task. */
export function recoveryCase(task: RecoveryTask): { structure: NetworkStructure; truth: Tensor<"f64">; observed: ObservedEntries; start: TensorNetwork<"f64"> } {
  const structure = NetworkStructure.tensorTrain(task.dims, task.rank);
  const truth = TensorNetwork.random(structure, task.dataSeed).toFull() as Tensor<"f64">;
  return { structure, truth, observed: sampleObserved(truth, task.fraction, task.sampleSeed), start: TensorNetwork.random(structure, task.startSeed) };
}

/** The timed recovery run: `sweeps` sweeps from the start, no split, no early stop. */
export function recoveryOptions(task: RecoveryTask, structure: NetworkStructure, start: TensorNetwork<"f64">): CompletionOptions {
  return { structure, start, validationFraction: 0, maxSweeps: task.sweeps, targetRse: 0, patience: task.sweeps + 1, restarts: 0, ...RIDGE };
}

/**
 * The same sweeps as {@link completeTensor} with {@link recoveryOptions}, replayed through its
 * parts (the sorted entries scaled to unit RMS, the chain solver, the sweep loop), so that the
 * network after every sweep can be scored on all entries; the timed runs never pay for that.
 * Returns the training errors (they must equal the timed run's) and `score` of each network.
 */
export function replayRecovery(task: RecoveryTask, structure: NetworkStructure, observed: ObservedEntries, start: TensorNetwork<"f64">, score: (net: TensorNetwork<"f64">) => number): { trainRse: number[]; scores: number[] } {
  const { train: sorted } = completionSplit(structure, observed, 0, [], 1, "replayRecovery");
  let sq = 0;
  for (const x of sorted.values) sq += x * x;
  const unit = Math.sqrt(sq / sorted.values.length);
  const train: TrainingSamples = { idx: sorted.indices, values: sorted.values.map((x) => x / unit), m: sorted.values.length };
  const scaledCore = (net: TensorNetwork<"f64">, f: number): TensorNetwork<"f64"> =>
    net.withCores(new Map([[0, new Tensor("f64", net.cores[0]!.shape.slice(), (net.cores[0]!.data as Float64Array).map((x) => x * f))]]));
  const inner = new ChainAls(structure, scaledCore(start, 1 / unit), train);
  let last: TensorNetwork<"f64"> | undefined;
  const solver: SweepSolver = { sweep: (r) => inner.sweep(r), network: () => (last = inner.network()), underdetermined: () => inner.underdetermined() };
  const scores: number[] = [];
  const outcome = runSweeps(() => solver, train, undefined, structure.edges().map((e) => e.rank), {
    maxSweeps: task.sweeps, targetRse: 0, patience: task.sweeps + 1, stallTolerance: 1e-4, restarts: 0, ...RIDGE,
    onSweep: () => scores.push(score(scaledCore(last!, unit))),
  });
  return { trainRse: outcome.records.map((r) => r.trainRse), scores };
}

function runRecovery(plan: CompletionPlan, options: SuiteRunOptions, dir: string, notes: Set<string>): RecoveryRecord[] {
  const timing = timingOptions(options.quick);
  const records: RecoveryRecord[] = [];
  let numpyFailed = false;
  for (const task of plan.recovery) {
    const { structure, truth, observed, start } = recoveryCase(task);
    const truthNorm = norm(truth);
    const replay = replayRecovery(task, structure, observed, start, (net) => distance(net.toFull(), truth) / truthNorm);
    const folder = task.name.replace(/[^A-Za-z0-9]+/g, "_");
    const truthCores = referenceCores(TensorNetwork.random(structure, task.dataSeed));
    const { coreShapes } = writeCase(dir, folder, observed, start, Object.fromEntries(truthCores.map((c, k) => [`truth${k}.bin`, c.data])));
    const m = observed.values.length;
    for (const t of options.threads) {
      setNumThreads(t);
      const opts = recoveryOptions(task, structure, start);
      const run = bestRun(() => completeTensor(observed, opts), timing);
      const result: CompletionResult = run.value;
      const trainRse = result.records.map((r) => r.trainRse);
      const replayDiff = historyDiff(trainRse, replay.trainRse);
      if (replayDiff === null || replayDiff > 1e-12 * Math.max(1, ...trainRse) || trainRse.length !== replay.trainRse.length) {
        options.warn(`${task.name}: the replay for the per-sweep RSE differs from completeTensor's run (max |Δ| ${replayDiff}); arbor_rse_history may be off`);
      }
      const setupS = run.ms / 1000 - result.records.at(-1)!.seconds;
      const arborSweeps = sweepsToTarget(replay.scores, task.targetRse);
      options.progress.line(`  arbor  ${task.name}: ${task.sweeps} sweeps ${run.ms.toFixed(1)} ms, RSE ${replay.scores.at(-1)!.toExponential(2)}  (${t} thread${t > 1 ? "s" : ""})`);
      let numpy: { ms: number; values: NumpyCompletionValues } | undefined;
      if (!numpyFailed) {
        const payload = {
          dir, progress: options.progress.enabled,
          cases: [{ name: folder, kind: "recovery", dims: task.dims, m, coreShapes, sweeps: task.sweeps, ...RIDGE, timing }],
        };
        const r = runNumpy("numpy_completion.py", payload, t);
        const values = r.ok ? (r.output as unknown as { values?: NumpyCompletionValues[] }).values : undefined;
        if (r.ok && r.output.times_ms.length === 1 && values?.length === 1) {
          numpy = { ms: r.output.times_ms[0]!, values: values[0]! };
          notes.add(r.output.info);
        } else {
          numpyFailed = true;
          options.warn(`${r.ok ? "numpy_completion.py returned the wrong number of results" : r.reason}; the numpy fields are recorded as null`);
        }
      }
      const numpySweeps = numpy === undefined ? null : sweepsToTarget(numpy.values.rse_history, task.targetRse);
      const arbor_ms = round4(run.ms), numpy_ms = numpy === undefined ? null : round4(numpy.ms);
      records.push({
        kind: "recovery", task: task.name, dims: task.dims.slice(), ranks: structure.edges().map((e) => e.rank), parameters: structure.numParameters(),
        entries: truth.size, observed: m, missing: round4(1 - m / truth.size), threads: t, sweeps: task.sweeps,
        arbor_ms, numpy_ms, ratio: numpy_ms === null || numpy_ms <= 0 ? null : arbor_ms / numpy_ms,
        arbor_sweeps_per_s: round4(task.sweeps / (arbor_ms / 1000)), numpy_sweeps_per_s: numpy_ms === null ? null : round4(task.sweeps / (numpy_ms / 1000)),
        target_rse: task.targetRse,
        arbor_sweeps_to_target: arborSweeps, numpy_sweeps_to_target: numpySweeps,
        arbor_s_to_target: arborSweeps === null ? null : round4(setupS + result.records[arborSweeps - 1]!.seconds),
        numpy_s_to_target: numpySweeps === null || numpy === undefined ? null : round4(numpy.values.sweep_s[numpySweeps - 1]!),
        arbor_rse: replay.scores.at(-1)!, numpy_rse: numpy?.values.rse_history.at(-1) ?? null,
        arbor_rse_history: replay.scores, numpy_rse_history: numpy?.values.rse_history ?? null,
        history_diff: numpy === undefined ? null : historyDiff(trainRse, numpy.values.history),
      });
    }
  }
  return records;
}

// ---- part 2: scale ----

/**
 * A tensor train whose core slices are 𝟙𝟙ᵀ/√(r_left·r_right) plus N(0, σ²) noise: its entries
 * are 1 on average (the products of the means telescope), light-tailed for small σ.
 */
export function meanTrain(structure: NetworkStructure, sigma: number, seed: number): TensorNetwork<"f64"> {
  const rng = new Rng(seed), N = structure.numModes;
  return new TensorNetwork(structure, structure.dims.map((n, k) => {
    const rl = k > 0 ? structure.rank(k, k - 1) : 1, rr = k + 1 < N ? structure.rank(k, k + 1) : 1;
    const base = 1 / Math.sqrt(rl * rr), data = new Float64Array(n * rl * rr);
    for (let i = 0; i < data.length; i++) data[i] = base + sigma * rng.normal();
    return new Tensor("f64", structure.coreShape(k), data);
  }));
}

/**
 * `count` distinct coordinates of a tensor of shape `dims` (∏ dims ≤ 2⁵³), drawn uniformly with
 * a seed, split into the first `first` drawn and the rest, each part in row-major order; as
 * m×d row-major Int32Arrays. Never touches the tensor.
 */
export function sampleCoordinates(dims: readonly number[], count: number, first: number, seed: number): [Int32Array, Int32Array] {
  const total = dims.reduce((p, n) => p * n, 1);
  if (!(total <= Number.MAX_SAFE_INTEGER) || count > total) throw new Error(`sampleCoordinates: cannot draw ${count} distinct entries of ${total}`);
  const rng = new Rng(seed), seen = new Set<number>(), offsets = new Float64Array(count);
  let c = 0;
  while (c < count) {
    const off = Math.floor(rng.nextFloat64() * total);
    if (seen.has(off)) continue;
    seen.add(off);
    offsets[c++] = off;
  }
  const d = dims.length;
  const toIndices = (part: Float64Array): Int32Array => {
    part.sort();
    const idx = new Int32Array(part.length * d);
    part.forEach((off, s) => {
      let rest = off;
      for (let k = d - 1; k >= 0; k--) {
        idx[s * d + k] = rest % dims[k]!;
        rest = Math.floor(rest / dims[k]!);
      }
    });
    return idx;
  };
  return [toIndices(offsets.slice(0, first)), toIndices(offsets.slice(first))];
}

/** The scale task's planted train, start, observed entries and held-out entries. */
export function scaleCase(task: ScaleTask): { structure: NetworkStructure; start: TensorNetwork<"f64">; observed: ObservedEntries; heldOut: ObservedEntries; dataS: number } {
  const t0 = performance.now();
  const structure = NetworkStructure.tensorTrain(task.dims, task.rank);
  const planted = meanTrain(structure, task.sigma, task.dataSeed);
  const [idx, testIdx] = sampleCoordinates(task.dims, task.observed + task.heldOut, task.observed, task.sampleSeed);
  const shape = Object.freeze(task.dims.slice());
  const observed: ObservedEntries = { shape, indices: idx, values: networkEntries(planted, idx).data as Float64Array };
  const heldOut: ObservedEntries = { shape, indices: testIdx, values: networkEntries(planted, testIdx).data as Float64Array };
  return { structure, start: meanTrain(structure, task.startSigma, task.startSeed), observed, heldOut, dataS: (performance.now() - t0) / 1000 };
}

/**
 * The process's peak resident set size, sampled by a worker thread every `intervalMs` (the fit
 * blocks the main thread, not the worker; RSS is per process). `stop` returns the peak in bytes.
 */
export class RssSampler {
  private readonly peak = new Float64Array(new SharedArrayBuffer(8));
  private readonly flags = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;

  constructor(intervalMs = 5) {
    const code = `const { workerData } = require("node:worker_threads");
const { peak, flags, ms } = workerData;
const tick = () => { const r = process.memoryUsage.rss(); if (r > peak[0]) peak[0] = r; if (Atomics.load(flags, 1) === 0) setTimeout(tick, ms); };
tick();
Atomics.store(flags, 0, 1); Atomics.notify(flags, 0);`;
    this.worker = new Worker(code, { eval: true, workerData: { peak: this.peak, flags: this.flags, ms: intervalMs } });
    this.worker.unref();
    // Wait (at most 10 s) until it has taken its first sample.
    Atomics.wait(this.flags, 0, 0, 10_000);
  }

  /** The peak so far (bytes). */
  get peakBytes(): number {
    return this.peak[0]!;
  }

  stop(): number {
    Atomics.store(this.flags, 1, 1);
    void this.worker.terminate();
    return this.peak[0]!;
  }
}

/**
 * A full garbage collection, so that the memory baseline is not inflated by what earlier work
 * left (large typed arrays are returned to the system only when collected). Uses `gc` when the
 * process has it, else exposes it at run time; does nothing if neither works.
 */
export function collectGarbage(): void {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      gc = runInNewContext("gc") as () => void;
    } catch {
      return;
    }
  }
  gc();
}

function runScale(plan: CompletionPlan, options: SuiteRunOptions, dir: string, notes: Set<string>): ScaleRecord[] {
  const t = options.threads[0]!;
  setNumThreads(t);
  const records: ScaleRecord[] = [];
  for (const task of plan.scale) {
    const { structure, start, observed, heldOut, dataS } = scaleCase(task);
    const entries = task.dims.reduce((p, n) => p * n, 1);
    options.progress.line(`  ${task.name}: ${entries.toExponential(2)} entries, ${task.observed} observed and ${task.heldOut} held out drawn in ${dataS.toFixed(1)} s`);
    collectGarbage();
    const sampler = new RssSampler();
    const base = process.memoryUsage();
    let heapPeak = base.heapUsed, buffersPeak = base.arrayBuffers, rssSeen = base.rss;
    const sample = (): void => {
      const u = process.memoryUsage();
      heapPeak = Math.max(heapPeak, u.heapUsed);
      buffersPeak = Math.max(buffersPeak, u.arrayBuffers);
      rssSeen = Math.max(rssSeen, u.rss);
    };
    const t0 = performance.now();
    const result = completeTensor(observed, {
      structure, start, validationFraction: 0, maxSweeps: task.sweeps, targetRse: 0, patience: task.sweeps + 1, restarts: 0,
      ridge: 1e-12, ridgeStart: task.ridgeStart,
      onSweep: (r) => {
        sample();
        options.progress.line(`  arbor  ${task.name} sweep ${r.sweep}: ${r.seconds.toFixed(1)} s, training RSE ${r.trainRse.toExponential(2)}, RSS ${(process.memoryUsage.rss() / 1e6).toFixed(0)} MB`);
      },
    });
    const totalS = (performance.now() - t0) / 1000;
    sample();
    const rssPeak = Math.max(sampler.stop(), rssSeen);
    const seconds = result.records.map((r) => r.seconds);
    const testRse = relativeError(networkEntries(result.network, heldOut.indices).data as Float64Array, heldOut.values);
    // numpy: the same sweeps (fewer), in its own process, unless its arrays would not fit.
    let numpy: NumpyCompletionValues | undefined, note: string | null = null;
    const numpyBytes = numpyScaleBytes(task);
    if (task.numpySweeps <= 0) note = "not run in this plan";
    else if (numpyBytes > 0.6 * freemem()) note = `numpy's reference needs ≈ ${mb(numpyBytes)} MB (${mb(freemem())} MB free)`;
    else {
      const folder = task.name.replace(/[^A-Za-z0-9]+/g, "_");
      const { coreShapes } = writeCase(dir, folder, observed, start, { "test_idx.bin": heldOut.indices, "test_y.bin": heldOut.values });
      options.progress.line(`  numpy  ${task.name}: ${task.numpySweeps} sweep${task.numpySweeps > 1 ? "s" : ""} (its reference recomputes each environment by einsum; minutes)`);
      const once: TimingOptions = { warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 };
      const payload = {
        dir, progress: options.progress.enabled,
        cases: [{ name: folder, kind: "scale", dims: task.dims, m: task.observed, heldOut: task.heldOut, coreShapes, sweeps: task.numpySweeps, ridge: 1e-12, ridgeStart: task.ridgeStart, ridgeDecay: 0.7, timing: once }],
      };
      const r = runNumpy("numpy_completion.py", payload, t);
      const values = r.ok ? (r.output as unknown as { values?: NumpyCompletionValues[] }).values : undefined;
      if (r.ok && values?.length === 1) {
        numpy = values[0]!;
        notes.add(r.output.info);
      } else {
        note = r.ok ? "numpy_completion.py returned the wrong number of results" : r.reason;
        options.warn(`${note}; the numpy fields of ${task.name} are recorded as null`);
      }
      rmSync(join(dir, folder), { recursive: true, force: true });
    }
    const arborPerSweep = perSweep(seconds);
    const numpyPerSweep = numpy === undefined ? null : perSweep(numpy.sweep_s);
    records.push({
      kind: "scale", task: task.name, dims: task.dims.slice(), ranks: structure.edges().map((e) => e.rank), parameters: structure.numParameters(), entries,
      observed: task.observed, held_out: task.heldOut, threads: t, ridge_start: task.ridgeStart, data_s: round4(dataS),
      sweeps: result.records.length, setup_s: round4(totalS - seconds.at(-1)!), arbor_s_per_sweep: round4(arborPerSweep),
      train_rse_history: result.records.map((r) => r.trainRse), train_rse: result.records.at(-1)!.trainRse, test_rse: testRse,
      rss_baseline_mb: mb(base.rss), rss_peak_mb: mb(rssPeak), heap_baseline_mb: mb(base.heapUsed), heap_peak_mb: mb(heapPeak),
      array_buffers_baseline_mb: mb(base.arrayBuffers), array_buffers_peak_mb: mb(buffersPeak),
      numpy_sweeps: numpy === undefined ? 0 : numpy.history.length, numpy_s_per_sweep: numpyPerSweep === null ? null : round4(numpyPerSweep),
      ratio: numpyPerSweep === null || numpyPerSweep <= 0 ? null : round4(arborPerSweep) / round4(numpyPerSweep),
      numpy_train_rse_history: numpy?.history ?? null, numpy_test_rse: numpy?.rse_history.at(-1) ?? null,
      numpy_rss_baseline_mb: numpy === undefined ? null : mb(numpy.rss_baseline_bytes), numpy_rss_peak_mb: numpy === undefined ? null : mb(numpy.rss_peak_bytes),
      history_diff: numpy === undefined ? null : historyDiff(result.records.map((r) => r.trainRse), numpy.history), numpy_note: note,
    });
  }
  return records;
}

/** Seconds per sweep from the clock at the end of each sweep: the mean after the first (which carries set-up), or the first alone. */
export function perSweep(endSeconds: readonly number[]): number {
  const n = endSeconds.length;
  if (n === 0) return NaN;
  return n === 1 ? endSeconds[0]! : (endSeconds[n - 1]! - endSeconds[0]!) / (n - 1);
}

/** ≈ bytes of numpy's reference at the scale task: its environment pass holds a few m×r×r arrays (and the index matrix). */
function numpyScaleBytes(task: ScaleTask): number {
  return task.observed * (8 * task.rank * task.rank * 6 + 8 * task.dims.length);
}

function relativeError(y: Float64Array, x: Float64Array): number {
  let num = 0, den = 0;
  for (let s = 0; s < x.length; s++) {
    num += (y[s]! - x[s]!) ** 2;
    den += x[s]! ** 2;
  }
  return Math.sqrt(num / den);
}

// ---- the suite ----

/**
 * Runs the plan (the suite's by default): recovery against numpy at every thread count, then
 * the scale task at the first. Restores arbor's thread count and removes the exchange folder.
 */
export function runCompletionBench(options: SuiteRunOptions, plan: CompletionPlan = completionPlan(options.quick)): SuiteOutput<CompletionBenchRecord> {
  const notes = new Set<string>();
  const saved = getNumThreads();
  const dir = mkdtempSync(join(tmpdir(), "arbor-bench-completion-"));
  const records: CompletionBenchRecord[] = [];
  const load = (): string => loadavg()[0]!.toFixed(1);
  const loadAtStart = load();
  try {
    if (plan.recovery.length > 0) options.progress.line("recovery (ALS, ridge path), arbor and numpy");
    records.push(...runRecovery(plan, options, dir, notes));
    if (plan.scale.length > 0) options.progress.line("scale: a few sweeps on ≥ 10¹² entries");
    records.push(...runScale(plan, options, dir, notes));
  } finally {
    setNumThreads(saved);
    rmSync(dir, { recursive: true, force: true });
  }
  notes.add("numpy = test/fixtures/completion/als_reference.py (einsum environments per core update, no cached interfaces)");
  notes.add(`load average ${loadAtStart} at the start, ${load()} at the end`);
  return { records, notes: [...notes] };
}

// ---- tables ----

const exp2 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? "-" : x.toExponential(1));
const toTarget = (sweeps: number | null, s: number | null): string => (sweeps === null || s === null ? "not reached" : `${sweeps} / ${fmt3(s)} s`);

const RECOVERY_COLUMNS: Column<RecoveryRecord>[] = [
  { header: "recovery", cell: (r) => r.task, align: "left" },
  { header: "threads", cell: (r) => String(r.threads) },
  { header: "sweeps", cell: (r) => String(r.sweeps) },
  { header: "arbor sweeps/s", cell: (r) => fmt3(r.arbor_sweeps_per_s) },
  { header: "numpy sweeps/s", cell: (r) => fmt3(r.numpy_sweeps_per_s) },
  { header: "ratio", cell: (r) => fmt3(r.ratio) },
  { header: "arbor to 1e-4", cell: (r) => toTarget(r.arbor_sweeps_to_target, r.arbor_s_to_target) },
  { header: "numpy to 1e-4", cell: (r) => (r.numpy_rse_history === null ? "-" : toTarget(r.numpy_sweeps_to_target, r.numpy_s_to_target)) },
  { header: "arbor RSE", cell: (r) => exp2(r.arbor_rse) },
  { header: "numpy RSE", cell: (r) => exp2(r.numpy_rse) },
  { header: "max |Δ train RSE|", cell: (r) => exp2(r.history_diff) },
];

const SCALE_COLUMNS: Column<ScaleRecord>[] = [
  { header: "scale", cell: (r) => r.task, align: "left" },
  { header: "entries", cell: (r) => r.entries.toExponential(2) },
  { header: "observed", cell: (r) => String(r.observed) },
  { header: "sweeps", cell: (r) => `${r.sweeps} / ${r.numpy_sweeps}` },
  { header: "arbor s/sweep", cell: (r) => fmt3(r.arbor_s_per_sweep) },
  { header: "numpy s/sweep", cell: (r) => fmt3(r.numpy_s_per_sweep) },
  { header: "ratio", cell: (r) => fmt3(r.ratio) },
  { header: "train RSE", cell: (r) => exp2(r.train_rse) },
  { header: "held-out RSE", cell: (r) => exp2(r.test_rse) },
  { header: "arbor RSS MB", cell: (r) => `${fmt3(r.rss_baseline_mb)} → ${fmt3(r.rss_peak_mb)}` },
  { header: "numpy RSS MB", cell: (r) => (r.numpy_rss_peak_mb === null ? "-" : `${fmt3(r.numpy_rss_baseline_mb)} → ${fmt3(r.numpy_rss_peak_mb)}`) },
];

/** The two tables, each with its footnotes. */
export function completionTable(records: readonly CompletionBenchRecord[]): string {
  const recovery = records.filter((r): r is RecoveryRecord => r.kind === "recovery");
  const scale = records.filter((r): r is ScaleRecord => r.kind === "scale");
  const parts: string[] = [];
  if (recovery.length > 0) {
    parts.push(formatTable(RECOVERY_COLUMNS, recovery), "recovery: random start, default ridge path, no validation split, no early stop; both sides the same sweeps from the same start on the same entries; sweeps/s = sweeps / best wall time of the whole call; to 1e-4 = first sweep with RSE ≤ 1e-4 on all entries / seconds from the call to its end; Δ train RSE = largest difference of the training errors after each sweep");
  }
  if (scale.length > 0) {
    const notes = scale.map((r) => r.numpy_note).filter((n): n is string => n !== null);
    parts.push("", formatTable(SCALE_COLUMNS, scale), `scale: plain ALS from a mean start (arbor / numpy sweeps); s/sweep = mean over the sweeps after the first; held-out RSE on sampled entries never fitted (numpy: after its sweeps ${scale.map((r) => exp2(r.numpy_test_rse)).join(", ")}); RSS = before the run → peak during it${notes.length > 0 ? `; numpy: ${notes.join("; ")}` : ""}`);
  }
  return parts.join("\n");
}
