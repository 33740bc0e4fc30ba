/**
 * The threads on which a queue worker runs its jobs, one job per thread at a time. Fits are
 * long synchronous computations; run on the worker's main thread they would stop its event
 * loop, and with it the renewal of BullMQ's job locks, so that a healthy worker's jobs would be
 * taken for stalled ones and run twice. The threads are the worker pool's (`pool/worker.ts`):
 * each job is a batch of one task.
 * @module
 */
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { compiledModuleUrl } from "../pool/module-url.js";
import { fromPlain, packPayload } from "../pool/portable.js";

/** An error the task itself threw: it will throw it again, so retrying is pointless. */
export class TaskFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Slot {
  worker: Worker;
  port: MessagePort;
  job?: { resolve: (value: unknown) => void; reject: (e: Error) => void };
  /** The thread that took over from this one after it died. */
  replacement?: Slot;
}

interface Reply {
  result?: unknown;
  error?: { name: string; message: string };
  fatal?: { name: string; message: string };
}

/** A fixed set of threads that run registered tasks, asynchronously for the caller. */
export class JobThreads {
  private readonly idle: Slot[] = [];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private readonly all = new Set<Slot>();
  private closing = false;

  /** `modules`: URLs whose import registers the tasks (the job catalogue's). */
  constructor(threads: number, private readonly modules: readonly string[]) {
    for (let k = 0; k < threads; k++) this.idle.push(this.spawn());
  }

  private spawn(): Slot {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL(compiledModuleUrl(import.meta.url, "../pool/worker.js")), { workerData: { port: port2 }, transferList: [port2] });
    const slot: Slot = { worker, port: port1 };
    this.all.add(slot);
    port1.on("message", (reply: Reply) => {
      const job = slot.job;
      slot.job = undefined;
      if (reply.fatal !== undefined) job?.reject(new Error(`the job thread could not start: ${reply.fatal.name}: ${reply.fatal.message}`));
      else if (reply.error !== undefined) job?.reject(new TaskFailure(reply.error.name, reply.error.message));
      else job?.resolve(fromPlain(reply.result));
    });
    // A thread that dies (out of memory, say) fails its job as retryable and is replaced.
    worker.on("error", () => {});
    worker.on("exit", (code) => {
      this.all.delete(slot);
      if (this.closing) return;
      slot.replacement = this.spawn();
      const i = this.idle.indexOf(slot);
      if (i >= 0) this.idle[i] = slot.replacement;
      const job = slot.job;
      slot.job = undefined;
      job?.reject(new Error(`the job thread stopped (exit code ${code})`));
    });
    return slot;
  }

  private acquire(): Promise<Slot> {
    const slot = this.idle.pop();
    return slot !== undefined ? Promise.resolve(slot) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    let live = slot;
    while (live.replacement !== undefined) live = live.replacement;
    const next = this.waiting.shift();
    if (next !== undefined) next(live);
    else this.idle.push(live);
  }

  /**
   * Runs the task `name` on `payload` in a free thread.
   *
   * @throws {@link TaskFailure} for an error of the task; another Error if the thread failed.
   */
  async run(name: string, payload: unknown): Promise<unknown> {
    const slot = await this.acquire();
    try {
      return await new Promise<unknown>((resolve, reject) => {
        slot.job = { resolve, reject };
        // A fresh control block per job: the pool worker claims task 0 from it, runs it, stops.
        slot.port.postMessage({ control: new SharedArrayBuffer(8), packed: packPayload([payload]), names: [name], modules: this.modules, order: [0] });
      });
    } finally {
      this.release(slot);
    }
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.all].map((s) => s.worker.terminate()));
  }
}
