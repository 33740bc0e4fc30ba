import { Worker } from "node:worker_threads";
import { ArborError, ArgumentError } from "../../errors.js";
import { wasmRuntime, type KernelExports } from "./wasm.js";

// Control block (Int32 words) shared with kernel threads.
const SEQ = 0; // bumped by the main thread to start a round
const DONE = 1; // workers that finished the round
const READY = 2; // workers that finished starting
const STOP = 3; // set to ask workers to exit
const FAILED = 4; // set by a worker whose kernel threw
const HEADER_WORDS = 8;
const SLOT = 32; // doubles per worker: function index, argument count, arguments

/** Kernel functions a thread can run, by index in the control block. */
const FUNCTIONS = ["dgemm", "zgemm", "sgemm"] as const;
export type ThreadedKernel = (typeof FUNCTIONS)[number];

// Runs in each kernel thread: instantiate the same module on the shared memory, then loop
// waiting for rounds. Kept as source text so it works unchanged from src/ and dist/.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, index, names, headerWords, slot } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error("arbor kernel aborted"); } } });
const fns = names.map((n) => instance.exports[n]);
const ctl = new Int32Array(control, 0, headerWords);
const args = new Float64Array(control, headerWords * 4 + index * slot * 8, slot);
Atomics.add(ctl, ${READY}, 1);
Atomics.notify(ctl, ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  if (Atomics.load(ctl, ${STOP}) !== 0) break;
  const fn = args[0];
  if (fn >= 0) {
    try {
      const n = args[1];
      const a = [];
      for (let i = 0; i < n; i++) a.push(args[2 + i]);
      fns[fn](...a);
    } catch (e) {
      Atomics.store(ctl, ${FAILED}, 1);
    }
  }
  Atomics.add(ctl, ${DONE}, 1);
  Atomics.notify(ctl, ${DONE});
}
`;

const STARTUP_TIMEOUT_MS = 30_000;

class KernelTeam {
  private readonly workers: Worker[] = [];
  private readonly control: SharedArrayBuffer;
  private readonly ctl: Int32Array;
  private readonly slots: Float64Array[] = [];
  private readonly kernels: KernelExports;

  constructor(size: number) {
    const rt = wasmRuntime();
    this.kernels = rt.kernels;
    this.control = new SharedArrayBuffer(HEADER_WORDS * 4 + size * SLOT * 8);
    this.ctl = new Int32Array(this.control, 0, HEADER_WORDS);
    for (let index = 0; index < size; index++) {
      this.slots.push(new Float64Array(this.control, HEADER_WORDS * 4 + index * SLOT * 8, SLOT));
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: rt.module,
          memory: rt.memory,
          control: this.control,
          index,
          names: FUNCTIONS,
          headerWords: HEADER_WORDS,
          slot: SLOT,
        },
      });
      worker.unref();
      this.workers.push(worker);
    }
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      const ready = Atomics.load(this.ctl, READY);
      if (ready >= size) break;
      if (Date.now() > deadline) throw new ArborError("E_THREADS", `only ${ready} of ${size} kernel threads started`);
      Atomics.wait(this.ctl, READY, ready, 100);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Asks every kernel thread to exit. */
  stop(): void {
    Atomics.store(this.ctl, STOP, 1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
  }

  /** Runs `jobs[0]` here and `jobs[1..]` on kernel threads, returning when all are done. */
  run(name: ThreadedKernel, jobs: number[][]): void {
    const fn = FUNCTIONS.indexOf(name);
    if (jobs.length - 1 > this.workers.length) throw new Error("more jobs than kernel threads");
    for (let w = 0; w < this.workers.length; w++) {
      const slot = this.slots[w]!;
      const job = jobs[w + 1];
      if (job === undefined) {
        slot[0] = -1;
        continue;
      }
      slot[0] = fn;
      slot[1] = job.length;
      for (let i = 0; i < job.length; i++) slot[2 + i] = job[i]!;
    }
    Atomics.store(this.ctl, DONE, 0);
    Atomics.store(this.ctl, FAILED, 0);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    let mainError: unknown;
    try {
      (this.kernels[name] as (...a: number[]) => void)(...jobs[0]!);
    } catch (e) {
      mainError = e;
    }
    for (;;) {
      const done = Atomics.load(this.ctl, DONE);
      if (done >= this.workers.length) break;
      Atomics.wait(this.ctl, DONE, done);
    }
    if (mainError !== undefined) throw mainError;
    if (Atomics.load(this.ctl, FAILED) !== 0) throw new ArborError("E_THREADS", `a kernel thread failed in ${name}`);
  }
}

let team: KernelTeam | undefined;
let numThreads: number | undefined;

function threadsFromEnv(): number {
  const raw = process.env.ARBOR_NUM_THREADS;
  if (raw === undefined || raw === "") return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new ArgumentError(`ARBOR_NUM_THREADS must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * Sets how many threads the dense kernels (GEMM) may use, counting the calling thread.
 * The default is 1, or the `ARBOR_NUM_THREADS` environment variable. Results do not depend
 * on this number: each output element is computed by one thread in the same order.
 *
 * @example
 * ```ts
 * setNumThreads(2);
 * console.assert(getNumThreads() === 2);
 * ```
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new ArgumentError(`number of threads must be an integer in 1..256, got ${String(n)}`);
  }
  numThreads = n;
}

/**
 * The number of threads the dense kernels may use.
 *
 * @example
 * ```ts
 * console.assert(getNumThreads() >= 1);
 * ```
 */
export function getNumThreads(): number {
  numThreads ??= threadsFromEnv();
  return numThreads;
}

/** A team with at least `n - 1` kernel threads (the caller is the n-th), started on demand. */
export function kernelTeam(n: number): KernelTeam {
  if (team === undefined || team.size < n - 1) {
    team?.stop();
    team = new KernelTeam(n - 1);
  }
  return team;
}
