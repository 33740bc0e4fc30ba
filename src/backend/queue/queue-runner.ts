/**
 * A {@link TaskRunner} that sends tasks to `arbor worker` processes through BullMQ on Redis.
 * The searches stay synchronous: `run` hands the batch to a queue thread and blocks until the
 * whole batch is back, then returns the results in task order — the same results as in-process,
 * bit for bit, whatever the number of workers and the order in which they finish.
 * @module
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { ArborError, ArgumentError } from "../../errors.js";
import type { Tensor } from "../../linalg/tensor.js";
import { packageVersion } from "../../version.js";
import { compiledModuleUrl } from "../pool/module-url.js";
import type { PortableTask, TaskRunner } from "../pool/pool.js";
import { fromPlain } from "../pool/portable.js";
import { tensorBlob, type TensorBlob } from "./blob.js";
import { QUEUE_JOB_NAMES, queueJobType } from "./job-catalogue.js";
import type { QueueJob } from "./queue-client.js";
import { UNSOLICITED, zeroCounts, type QueueCounts, type QueueReply, type QueueRequest, type QueueThreadData } from "./queue-protocol.js";
import { parseRedisUrl, redactRedisUrl, redisLabel, type RedisUrlOptions } from "./redis-url.js";
import { queueJobId, toWire } from "./wire.js";

/** Options of a {@link QueueRunner}, besides the Redis URL. */
export interface QueueRunnerOptions extends RedisUrlOptions {
  /** BullMQ queue name (default "arbor"); the workers must name the same. */
  queueName?: string;
  /** Prefix of every Redis key (default "arbor"). */
  prefix?: string;
  /** Give up connecting after this long (ms, default 10 000). */
  connectTimeoutMs?: number;
  /** Look at every outstanding job this often, besides completion events (ms, default 1000). */
  pollMs?: number;
  /** Warn on stderr when no result came for this long (ms, default 30 000). */
  idleWarnMs?: number;
  /** Fail a batch that is not complete after this long (ms; default: wait for workers). */
  batchTimeoutMs?: number;
  /** No warnings on stderr. */
  quiet?: boolean;
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Checks a queue name or key prefix (letters, digits, `_`, `.`, `-`; Redis keys are built from
 * them with colons).
 *
 * @throws {@link ArgumentError} otherwise.
 */
export function checkQueueName(what: string, name: string): string {
  if (!NAME_PATTERN.test(name)) throw new ArgumentError(`${what} ${JSON.stringify(name)}: use 1 to 100 letters, digits, "_", "." or "-"`);
  return name;
}

/**
 * Runs tasks on `arbor worker` processes through a BullMQ queue on Redis; see the module
 * documentation. Only the task types of the queue job catalogue can be sent, and a task's
 * `module` is ignored: workers run their own copy of arbor's registered tasks.
 *
 * Tensors in payloads go to Redis once, as content-addressed blobs; jobs carry their hashes.
 * Job ids are hashes of the job, so a job is never queued twice and a rerun of the same search
 * finds the results of the first. A batch is the unit of recovery: if Redis restarts and loses
 * its jobs, the outstanding jobs of the batch are submitted again (finished batches are already
 * in the caller's hands).
 *
 * Usage (with a Redis server and `arbor worker --queue redis://127.0.0.1:6379` running):
 * ```ts
 * const runner = new QueueRunner("redis://127.0.0.1:6379");
 * const found = tnaleSearch(target, { runner });
 * await runner.close();
 * ```
 *
 * @example
 * ```ts
 * // No server on port 1: a clear error, without the password of the URL.
 * let message = "";
 * try { new QueueRunner("redis://:s3cret@127.0.0.1:1", { connectTimeoutMs: 500, quiet: true }); } catch (e) { message = (e as Error).message; }
 * console.assert(message.startsWith("cannot reach Redis at redis://127.0.0.1:1") && !message.includes("s3cret"));
 * ```
 */
export class QueueRunner implements TaskRunner {
  /** The calling thread only submits; the work runs in the worker processes. */
  readonly threads = 1;
  /** The server, without credentials, for messages and records. */
  readonly label: string;
  readonly queueName: string;
  private readonly thread: Worker;
  /** Resolves when the queue thread has ended (closed, or failed). */
  private readonly exited: Promise<void>;
  private readonly port: MessagePort;
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private readonly blobOf = new WeakMap<Tensor, TensorBlob>();
  private readonly sentBlobs = new Set<string>();
  private last: QueueCounts = zeroCounts();
  /** The version jobs ask the workers to run (read once: it walks up to package.json). */
  private readonly arbor = packageVersion();
  private closed = false;
  /** Requests sent so far; each reply carries its request's number. */
  private requests = 0;

  /**
   * Connects to Redis (blocking until it answers).
   *
   * @throws {@link ArgumentError} for a bad URL or option; {@link ArborError} `E_QUEUE` if
   * Redis cannot be reached within `connectTimeoutMs`.
   */
  constructor(url: string, options: QueueRunnerOptions = {}) {
    const redis = parseRedisUrl(url, options);
    this.label = redisLabel(redis);
    this.queueName = checkQueueName("queue name", options.queueName ?? "arbor");
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const { port1, port2 } = new MessageChannel();
    const data: QueueThreadData = {
      port: port2,
      control: this.control.buffer as SharedArrayBuffer,
      settings: {
        redis, queueName: this.queueName, prefix: checkQueueName("key prefix", options.prefix ?? "arbor"),
        pollMs: options.pollMs ?? 1000, idleWarnMs: options.idleWarnMs ?? 30_000,
        ...(options.batchTimeoutMs !== undefined ? { batchTimeoutMs: options.batchTimeoutMs } : {}),
      },
      connectTimeoutMs,
      quiet: options.quiet ?? false,
    };
    this.thread = new Worker(new URL(compiledModuleUrl(import.meta.url, "./queue-thread.js")), { workerData: data, transferList: [port2] });
    this.thread.unref();
    this.exited = new Promise((resolve) => this.thread.once("exit", () => resolve()));
    port1.unref();
    this.port = port1;
    // The thread gives up at connectTimeoutMs; the margin covers its start.
    const reply = this.await(0, connectTimeoutMs + 15_000);
    if (reply.kind !== "ready") {
      void this.thread.terminate();
      throw this.error(reply);
    }
  }

  /** What happened to the jobs so far (submitted, reused, resubmitted after a Redis restart, …). */
  get counts(): QueueCounts {
    return { ...this.last };
  }

  run(tasks: readonly PortableTask[]): unknown[] {
    if (this.closed) throw new ArborError("E_QUEUE", "the queue runner was closed");
    if (tasks.length === 0) return [];
    const newBlobs: [string, Uint8Array][] = [];
    const hashes = new Set<string>();
    const ids = tasks.map((t, i) => {
      if (queueJobType(t.name) === undefined) throw new ArgumentError(`task ${JSON.stringify(t.name)} cannot run on the queue: workers run only ${QUEUE_JOB_NAMES.join(", ")}`);
      const payload = toWire(t.payload, (tensor) => {
        const blob = this.blob(tensor);
        if (!this.sentBlobs.has(blob.hash) && !hashes.has(blob.hash)) newBlobs.push([blob.hash, blob.bytes]);
        hashes.add(blob.hash);
        return { $blob: blob.hash };
      }, `tasks[${i}].payload`);
      const data = { arbor: this.arbor, payload };
      return { id: queueJobId(t.name, data), name: t.name, data } satisfies QueueJob;
    });
    const jobs = [...new Map(ids.map((j) => [j.id, j])).values()];
    const reply = this.request({ kind: "batch", jobs, newBlobs, hashes: [...hashes] });
    if (reply.kind !== "results") throw this.error(reply);
    for (const [hash] of newBlobs) this.sentBlobs.add(hash);
    this.last = reply.counts;
    const results = new Map(reply.results);
    return ids.map((j) => fromPlain(results.get(j.id)));
  }

  /** `arbor worker` processes connected to the queue now. */
  workers(): number {
    const reply = this.request({ kind: "workers" });
    if (reply.kind !== "workers") throw this.error(reply);
    return reply.count;
  }

  /** Closes the connections and stops the queue thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.port.postMessage({ kind: "close", id: ++this.requests });
    // Closing waits for Redis; a server gone for good must not hold the caller.
    const timer = setTimeout(() => void this.thread.terminate(), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  // The target is hashed once, not at every batch (tensors are never modified in place).
  private blob(t: Tensor): TensorBlob {
    let b = this.blobOf.get(t);
    if (b === undefined) this.blobOf.set(t, (b = tensorBlob(t)));
    return b;
  }

  private request(message: QueueRequest): QueueReply {
    const id = ++this.requests;
    this.port.postMessage({ ...message, id });
    return this.await(id, Infinity);
  }

  // Blocks until the thread's reply to request `id` (0: the connection at start), or a failure
  // of the thread outside any request. Stale replies (of a request that timed out) are skipped.
  private await(id: number, timeoutMs: number): QueueReply {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // Read the counter before looking at the port: a reply posted after the look bumps it.
      const seen = Atomics.load(this.control, 0);
      for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
        const reply = m.message as QueueReply & { id: number };
        if (reply.id === id || reply.id === UNSOLICITED) return reply;
      }
      const left = deadline - performance.now();
      if (left <= 0) return { kind: "error", message: `the queue thread did not answer within ${(timeoutMs / 1000).toFixed(0)} s`, code: "E_QUEUE" };
      Atomics.wait(this.control, 0, seen, Math.min(left, 1000));
    }
  }

  private error(reply: QueueReply): Error {
    const message = reply.kind === "error" ? redactRedisUrl(reply.message) : `unexpected reply from the queue thread: ${reply.kind}`;
    if (reply.kind === "error" && reply.code === "E_ARGUMENT") return new ArgumentError(message);
    return new ArborError(reply.kind === "error" && reply.code !== undefined && reply.code.startsWith("E_") ? reply.code : "E_QUEUE", message);
  }
}
