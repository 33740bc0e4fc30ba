/**
 * The "scale" benchmark suite: structure-search evaluations in-process, on the local worker
 * pool, and through BullMQ on Redis with 1, 2 and 4 `arbor worker` processes on this machine.
 *
 * 1. Throughput: one batch of distinct structures (tensor rings of ranks 1–3 on a planted
 *    4⁵ ring, TnALE's evaluation settings) fitted by each runner, three times with other seeds
 *    (best time): evaluations per second, and the results must equal the in-process ones bit
 *    for bit (recorded).
 * 2. A search: TnALE on the same target, capped at a number of evaluations, by each runner:
 *    evaluations per second of a real search, whose neighbourhoods are small batches (1–9
 *    structures here, mostly 2), so that the queue's latency per batch counts, and the found
 *    structure (must be the same).
 * 3. Queue overhead: the diagnostic job "queue/echo" (no work) through Redis with one worker,
 *    as a batch (ms per job) and one at a time (ms per round trip, median).
 *
 * Every runner fits on single-threaded kernels (in-process: one core; the pool: one per
 * thread; Redis: one per worker process). Redis is Debian's redis-server on a free loopback
 * port, started and stopped by the suite
 * (skipped with a note when it is not installed). Workers are started before their timing and
 * warmed with a few jobs (their first job starts a job thread). With 2 cores, more than 2
 * workers cannot be faster: that row shows what oversubscription costs.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { closeWorkerPools, inThreadRunner, workerPool, type TaskRunner } from "../src/backend/pool/pool.js";
import { getNumThreads, setNumThreads } from "../src/backend/cpu/threads.js";
import { QueueRunner } from "../src/backend/queue/queue-runner.js";
import { Rng } from "../src/linalg/random.js";
import type { Tensor } from "../src/linalg/tensor.js";
import { structureEvaluator } from "../src/search/evaluator.js";
import { contractNetwork } from "../src/search/network/contract.js";
import { TensorNetwork } from "../src/search/network/network.js";
import { NetworkStructure } from "../src/search/network/structure.js";
import { tnaleSearch } from "../src/search/tnale.js";
import { fmt3, formatTable, type Column, type SuiteOutput, type SuiteRunOptions } from "./harness.js";
import { EVALUATION } from "./search.js";

/** One runner's throughput on a batch, or in a search. */
export interface ScaleRecord {
  kind: "batch" | "search";
  /** "in-process", "pool" (worker threads) or "redis" (worker processes through BullMQ). */
  runner: "in-process" | "pool" | "redis";
  /** Threads of the pool, worker processes on Redis (1 in-process). */
  workers: number;
  evaluations: number;
  /** Wall time (batch: the best of its runs). */
  wall_s: number;
  evaluations_per_s: number;
  /** evaluations_per_s / the in-process one. */
  speedup: number;
  /** Whether the results equal the in-process ones, bit for bit (batch: every fit; search: the structure and its error). */
  same_result: boolean;
}

/** What the queue itself costs per job (the "queue/echo" job, no work). */
export interface OverheadRecord {
  kind: "overhead";
  runner: "redis";
  workers: number;
  /** Jobs in the batch, or round trips of one job. */
  jobs: number;
  /** "batch": wall time / jobs; "round-trip": median time of a one-job batch. */
  mode: "batch" | "round-trip";
  ms_per_job: number;
}

export type ScaleBenchRecord = ScaleRecord | OverheadRecord;

/** What a run measures; tests pass tiny plans. */
export interface ScalePlan {
  /** Distinct structures in the throughput batch. */
  batch: number;
  /** Times the batch is run (with other seeds); the best time counts. */
  batchRepeats: number;
  /** Evaluation cap of the TnALE search. */
  searchEvaluations: number;
  /** Worker processes on Redis. */
  redisWorkers: number[];
  /** Threads of the local pool. */
  poolThreads: number;
  echoJobs: number;
  roundTrips: number;
}

/** The suite's plan (full or `--quick`). */
export function scalePlan(quick: boolean): ScalePlan {
  return quick
    ? { batch: 8, batchRepeats: 1, searchEvaluations: 12, redisWorkers: [1, 2], poolThreads: 2, echoJobs: 50, roundTrips: 5 }
    : { batch: 48, batchRepeats: 3, searchEvaluations: 40, redisWorkers: [1, 2, 4], poolThreads: 2, echoJobs: 400, roundTrips: 30 };
}

const DIMS = [4, 4, 4, 4, 4];

/** The planted target (a 4⁵ ring of ranks 2, 3, 2, 3, 2) and `count` distinct rings of ranks 1–3 to fit. */
export function scaleWorkload(count: number): { target: Tensor; structures: NetworkStructure[] } {
  const target = contractNetwork(TensorNetwork.random(NetworkStructure.tensorRing(DIMS, [2, 3, 2, 3, 2]), 1));
  const rng = new Rng(7);
  const structures = new Map<string, NetworkStructure>();
  while (structures.size < Math.min(count, 3 ** DIMS.length)) {
    const s = NetworkStructure.tensorRing(DIMS, DIMS.map(() => 1 + Math.floor(rng.nextFloat64() * 3)));
    structures.set(s.key(), s);
  }
  return { target, structures: [...structures.values()] };
}

const sleepMs = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// The compiled CLI, from dist/bench/scale.js or from the TypeScript source under bench/.
const cliMain = (): string => fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "../dist/src/cli/main.js" : "../src/cli/main.js", import.meta.url));

function freePort(): number {
  const r = spawnSync(process.execPath, ["-e", "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

/** A redis-server of the suite, or undefined (with the reason) when there is none. */
function startRedis(): { url: string; process: ChildProcess } | string {
  if (spawnSync("redis-server", ["--version"]).status !== 0) return "redis-server is not installed (apt-get install -y redis-server): the Redis rows were skipped";
  const port = freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"], { stdio: "ignore" });
  child.unref();
  return { url: `redis://127.0.0.1:${port}`, process: child };
}

/** `arbor worker` processes on `queueName`, ready (connected and warmed up) when this returns. */
function startWorkers(url: string, queueName: string, count: number, runner: QueueRunner): ChildProcess[] {
  const children = Array.from({ length: count }, (_, k) => {
    const child = spawn(process.execPath, [cliMain(), "worker", "--queue", url, "--queue-name", queueName, "--name", `bench-${k + 1}`, "--quiet"], { stdio: "ignore" });
    child.unref(); // never keeps the suite alive
    return child;
  });
  for (let waited = 0; runner.workers() < count; waited += 50) {
    if (waited > 30_000) throw new Error(`only ${runner.workers()} of ${count} arbor workers connected within 30 s`);
    sleepMs(50);
  }
  // Every worker's first job starts its job thread; spread a few slow echoes so that each has one.
  runner.run(Array.from({ length: 3 * count }, (_, i) => ({ module: "", name: "queue/echo", payload: { value: -1 - i, spinMs: 100 } })));
  return children;
}

function timed<T>(f: () => T): { value: T; seconds: number } {
  const t0 = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

const sameFits = (a: readonly { rse: number; network: TensorNetwork<"f64"> }[], b: readonly { rse: number; network: TensorNetwork<"f64"> }[]): boolean =>
  a.length === b.length && a.every((x, i) => Object.is(x.rse, b[i]!.rse) && x.network.cores.every((c, v) => c.data.every((y, j) => Object.is(y, b[i]!.network.cores[v]!.data[j]))));

/**
 * Runs the plan: each runner's batch and search, then the queue's overhead. Starts and stops
 * its own Redis and workers; closes the worker pools.
 */
export function runScaleBench(options: SuiteRunOptions, plan: ScalePlan = scalePlan(options.quick)): SuiteOutput<ScaleBenchRecord> {
  const notes: string[] = [];
  const { target, structures } = scaleWorkload(plan.batch);
  const settings = { ...EVALUATION, seed: 1 };
  const records: ScaleBenchRecord[] = [];
  const loadAtStart = loadavg()[0]!.toFixed(1);
  let reference: { fits: { rse: number; network: TensorNetwork<"f64"> }[]; batchRate: number; key: string; rse: number; searchRate: number } | undefined;

  // One runner: the batch, then the search; the first call (in-process) is the reference.
  const measure = (runner: "in-process" | "pool" | "redis", workers: number, taskRunner: TaskRunner): void => {
    options.progress.line(`${runner}, ${workers} worker${workers === 1 ? "" : "s"}: batch of ${structures.length}, TnALE to ${plan.searchEvaluations} evaluations`);
    // Warm-up, untimed: each thread's first fits compile its WebAssembly and JIT the fitting
    // code. Another seed, so that these are other jobs than the timed ones.
    structureEvaluator(target, { ...settings, seed: 97, runner: taskRunner }).evaluateAll(structures.slice(0, 2 * workers));
    // The batch with seeds 1, 2, …: distinct jobs each time (no result reused from Redis); the
    // best time counts, seed 1's fits are compared.
    const batches = Array.from({ length: plan.batchRepeats }, (_, k) =>
      timed(() => structureEvaluator(target, { ...settings, seed: 1 + k, runner: taskRunner }).evaluateAll(structures) as { rse: number; network: TensorNetwork<"f64"> }[]));
    const batch = { value: batches[0]!.value, seconds: Math.min(...batches.map((b) => b.seconds)) };
    const search = timed(() => tnaleSearch(target, { maxEvaluations: plan.searchEvaluations, seed: 1, runner: taskRunner }));
    const batchRate = structures.length / batch.seconds, searchRate = search.value.evaluations / search.seconds;
    reference ??= { fits: batch.value, batchRate, key: search.value.structure.key(), rse: search.value.rse, searchRate };
    const common = { runner, workers };
    records.push(
      { kind: "batch", ...common, evaluations: structures.length, wall_s: batch.seconds, evaluations_per_s: batchRate, speedup: batchRate / reference.batchRate, same_result: sameFits(batch.value, reference.fits) },
      { kind: "search", ...common, evaluations: search.value.evaluations, wall_s: search.seconds, evaluations_per_s: searchRate, speedup: searchRate / reference.searchRate, same_result: search.value.structure.key() === reference.key && Object.is(search.value.rse, reference.rse) },
    );
  };

  // Every runner fits on single-threaded kernels, one fit per thread or process, so that the
  // rows compare numbers of cores used (in-process: 1), not kernel threading.
  const savedThreads = getNumThreads();
  setNumThreads(1);
  try {
    measure("in-process", 1, inThreadRunner);
    measure("pool", plan.poolThreads, workerPool(plan.poolThreads));

    const redis = startRedis();
    if (typeof redis === "string") notes.push(redis);
    else {
      try {
        for (const count of plan.redisWorkers) {
          // A queue of its own per count: job ids are content hashes, and a shared queue would
          // hand this count the results of the last.
          const queueName = `bench-${count}`;
          const runner = new QueueRunner(redis.url, { queueName, quiet: true });
          const children = startWorkers(redis.url, queueName, count, runner);
          try {
            measure("redis", count, runner);
            if (count === 1) records.push(...overhead(runner, plan));
          } finally {
            // Stopped at once: a graceful stop would wait for Redis, which goes next.
            for (const c of children) c.kill("SIGKILL");
            void runner.close();
          }
        }
      } finally {
        redis.process.kill("SIGKILL");
      }
    }
  } finally {
    setNumThreads(savedThreads);
    void closeWorkerPools();
  }
  notes.push(`load average ${loadAtStart} at the start, ${loadavg()[0]!.toFixed(1)} at the end`);
  return { records, notes };
}

// The queue's own cost per job: echoes in one batch, and one at a time.
function overhead(runner: QueueRunner, plan: ScalePlan): OverheadRecord[] {
  let serial = 0;
  const echo = (n: number) => Array.from({ length: n }, () => ({ module: "", name: "queue/echo", payload: { value: serial++ } }));
  const batch = timed(() => runner.run(echo(plan.echoJobs)));
  const trips = Array.from({ length: plan.roundTrips }, () => timed(() => runner.run(echo(1))).seconds * 1000).sort((a, b) => a - b);
  return [
    { kind: "overhead", runner: "redis", workers: 1, jobs: plan.echoJobs, mode: "batch", ms_per_job: (batch.seconds * 1000) / plan.echoJobs },
    { kind: "overhead", runner: "redis", workers: 1, jobs: plan.roundTrips, mode: "round-trip", ms_per_job: trips[Math.floor(trips.length / 2)]! },
  ];
}

const SCALE_COLUMNS: Column<ScaleRecord>[] = [
  { header: "workload", cell: (r) => (r.kind === "batch" ? "batch" : "TnALE search"), align: "left" },
  { header: "runner", cell: (r) => r.runner, align: "left" },
  { header: "workers", cell: (r) => String(r.workers) },
  { header: "evaluations", cell: (r) => String(r.evaluations) },
  { header: "wall s", cell: (r) => fmt3(r.wall_s) },
  { header: "eval/s", cell: (r) => fmt3(r.evaluations_per_s) },
  { header: "speedup", cell: (r) => fmt3(r.speedup) },
  { header: "same result", cell: (r) => (r.same_result ? "yes" : "NO"), align: "left" },
];

const OVERHEAD_COLUMNS: Column<OverheadRecord>[] = [
  { header: "queue overhead", cell: (r) => (r.mode === "batch" ? `batch of ${r.jobs} echo jobs` : `one echo job (median of ${r.jobs})`), align: "left" },
  { header: "workers", cell: (r) => String(r.workers) },
  { header: "ms per job", cell: (r) => fmt3(r.ms_per_job) },
];

/** The throughput table and the overhead table, with their footnotes. */
export function scaleTable(records: readonly ScaleBenchRecord[]): string {
  const runs = records.filter((r): r is ScaleRecord => r.kind !== "overhead");
  const overheads = records.filter((r): r is OverheadRecord => r.kind === "overhead");
  const parts = [
    formatTable(SCALE_COLUMNS, runs),
    `batch: distinct tensor rings (ranks 1–3) fitted to a planted 4⁵ ring (best of ${EVALUATION.restarts} ALS starts, ≤ ${EVALUATION.fitSweeps} sweeps, ${EVALUATION.escapes} escapes) in one batch; TnALE search: its neighbourhoods are small batches (here 1–9 structures, mostly 2), each waiting for its slowest fit; speedup = eval/s over in-process; pool = worker threads (the calling thread is one); redis = arbor worker processes through BullMQ, one job thread each`,
  ];
  if (overheads.length > 0) parts.push("", formatTable(OVERHEAD_COLUMNS, overheads), "overhead: the diagnostic queue/echo job (no work) through Redis and one worker: submission, BullMQ's hand-off, the job thread, the result read back from Redis");
  return parts.join("\n");
}
