import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import * as errors from "../../errors.js";
import { ArborError, ArgumentError } from "../../errors.js";
import { getNumThreads, setNumThreads } from "../cpu/threads.js";
import { compiledModuleUrl } from "./module-url.js";
import { fromPlain, packPayload, payloadBytes } from "./portable.js";
import { runTask } from "./registry.js";

/** A task that can run in any thread: the module that registers it, its name, its payload. */
export interface PortableTask {
  /** URL of the (compiled) module whose import registers `name`; see {@link compiledModuleUrl}. */
  module: string;
  name: string;
  /** Plain data and tensors. */
  payload: unknown;
  /** Estimated cost (any unit): costlier tasks are started first, so none is left for last. */
  cost?: number;
}

/**
 * Runs independent tasks and returns their results in task order. Implementations differ only
 * in where tasks run: the results are the same, bit for bit.
 */
export interface TaskRunner {
  /** Threads that run tasks at once (the calling thread included). */
  readonly threads: number;
  run(tasks: readonly PortableTask[], options?: RunOptions): unknown[];
}

/** Options of one {@link TaskRunner.run} call. */
export interface RunOptions {
  /**
   * Override the pool's {@link WorkerPool.minBatchBytes} for this batch: tasks whose work far
   * outweighs their payload (a structure-search fit on a small tensor) pass 0 to always spread.
   */
  minBatchBytes?: number;
}

/**
 * Runs tasks one after another in the calling thread (their modules must be imported here).
 *
 * @example
 * ```ts
 * registerTask("example/square", (p: { x: number }) => p.x * p.x);
 * const out = inThreadRunner.run([{ module: "", name: "example/square", payload: { x: 3 } }]);
 * console.assert(out[0] === 9 && inThreadRunner.threads === 1);
 * ```
 */
export const inThreadRunner: TaskRunner = {
  threads: 1,
  run: (tasks) => tasks.map((t) => runTask(t.name, t.payload)),
};

// Control words shared with the workers of one batch.
const NEXT = 0; // next unclaimed task index
const DONE = 1; // workers that finished the batch

interface WorkerMessage {
  i?: number;
  result?: unknown;
  error?: { name: string; message: string; code?: string; stack?: string };
  fatal?: { name: string; message: string; stack?: string };
}

// An error from a worker as the class the task threw (arbor's classes; Error otherwise).
function rebuildError(e: NonNullable<WorkerMessage["error"]>): Error {
  const Class = (errors as Record<string, unknown>)[e.name];
  const out: Error = typeof Class === "function" && Class.prototype instanceof Error ? Object.create(Class.prototype as object) : new Error();
  Object.assign(out, { name: e.name, message: e.message, stack: e.stack });
  if (e.code !== undefined) Object.assign(out, { code: e.code });
  return out;
}

/**
 * A pool of worker threads that runs batches of {@link PortableTask}s concurrently with the
 * calling thread. `run` blocks (Atomics.wait) until the batch is done, so callers stay
 * synchronous. Tasks are claimed from a shared counter, so uneven tasks balance themselves;
 * tensors in payloads are copied once into shared memory that every worker reads; the dense
 * kernels run single-threaded in every thread during a batch, so that the threads do not
 * compete for cores. Workers are unreferenced: an idle pool does not keep Node alive.
 *
 * @example
 * ```ts
 * const pool = workerPool(2);
 * console.assert(pool.threads === 2);
 * ```
 */
export class WorkerPool implements TaskRunner {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private closed = false;

  /**
   * Batches whose tensors hold fewer bytes than this run in the calling thread (default 64 KiB:
   * below it the tasks take less time than a round trip to the workers, measured on the
   * long-range Ising steps).
   */
  readonly minBatchBytes: number;
  /** Tasks run so far: by the calling thread, and by the workers. */
  readonly counts = { calling: 0, workers: 0 };

  constructor(threads: number, options: { minBatchBytes?: number } = {}) {
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new ArgumentError(`workers must be an integer in 1..256, got ${String(threads)}`);
    this.threads = threads;
    this.minBatchBytes = options.minBatchBytes ?? 65536;
    if (threads === 1) return;
    const entry = new URL(compiledModuleUrl(import.meta.url, "./worker.js"));
    for (let k = 0; k < threads - 1; k++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(entry, { workerData: { port: port2 }, transferList: [port2] });
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  run(tasks: readonly PortableTask[], options: RunOptions = {}): unknown[] {
    if (this.closed) throw new ArborError("E_POOL", "the worker pool was closed");
    // Batches of small tensors are quicker in this thread than the hand-off to workers.
    const minBytes = options.minBatchBytes ?? this.minBatchBytes;
    if (this.workers.length === 0 || tasks.length <= 1 || payloadBytes(tasks.map((t) => t.payload)) < minBytes) {
      this.counts.calling += tasks.length;
      return inThreadRunner.run(tasks);
    }
    const control = new Int32Array(new SharedArrayBuffer(8));
    const packed = packPayload(tasks.map((t) => t.payload));
    const modules = [...new Set(tasks.map((t) => t.module))];
    const names = tasks.map((t) => t.name);
    // Claim order: costliest first (longest-processing-time first), ties in task order.
    const order = tasks.map((_, i) => i).sort((a, b) => (tasks[b]!.cost ?? 0) - (tasks[a]!.cost ?? 0) || a - b);
    for (const port of this.ports) port.postMessage({ control: control.buffer, packed, names, modules, order });

    const results = new Array<unknown>(tasks.length);
    const failures = new Map<number, Error>();
    const saved = getNumThreads();
    setNumThreads(1);
    try {
      for (;;) {
        const claimed = Atomics.add(control, NEXT, 1);
        if (claimed >= tasks.length) break;
        const i = order[claimed]!;
        this.counts.calling++;
        try {
          results[i] = runTask(tasks[i]!.name, tasks[i]!.payload);
        } catch (e) {
          failures.set(i, e instanceof Error ? e : new Error(String(e)));
        }
      }
    } finally {
      setNumThreads(saved);
    }
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done >= this.workers.length) break;
      Atomics.wait(control, DONE, done);
    }
    let fatal: WorkerMessage["fatal"];
    for (const port of this.ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const msg = m.message as WorkerMessage;
        if (msg.fatal !== undefined) fatal ??= msg.fatal;
        else if (msg.error !== undefined) failures.set(msg.i!, rebuildError(msg.error));
        else results[msg.i!] = fromPlain(msg.result);
        if (msg.fatal === undefined) this.counts.workers++;
      }
    }
    if (failures.size > 0) throw failures.get(Math.min(...failures.keys()))!;
    if (fatal !== undefined) throw new ArborError("E_POOL", `a worker thread could not run the batch: ${fatal.name}: ${fatal.message}`);
    return results;
  }

  /** Stops the workers. */
  close(): Promise<number[]> {
    this.closed = true;
    for (const port of this.ports) port.close();
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const pools = new Map<number, WorkerPool>();

/**
 * The shared pool with `threads` threads (the calling thread and `threads − 1` workers),
 * started on first use and kept for later calls.
 *
 * @example
 * ```ts
 * console.assert(workerPool(1) === workerPool(1) && workerPool(1).threads === 1);
 * ```
 */
export function workerPool(threads: number): WorkerPool {
  let pool = pools.get(threads);
  if (pool === undefined) {
    pool = new WorkerPool(threads);
    pools.set(threads, pool);
  }
  return pool;
}

/**
 * Stops every shared pool's workers (they do not keep Node alive, so this is optional).
 *
 * @example
 * ```ts
 * await closeWorkerPools();
 * console.assert(workerPool(1).threads === 1);
 * ```
 */
export async function closeWorkerPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}
