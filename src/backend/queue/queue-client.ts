/**
 * The submitting side of the job queue, asynchronous (it runs in the queue thread of a
 * {@link QueueRunner}): stores a batch's tensor blobs in Redis, adds its jobs to BullMQ and
 * collects every result before it returns. Redis is the record of truth: completion events
 * only say which job to look at, and a result is read from the job itself, once — so duplicate
 * or forged events change nothing. Jobs that Redis lost (a restart without persistence) are
 * submitted again, with their blobs; a malformed result is rejected and the job run again.
 * @module
 */
import { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { ArborError, FormatError } from "../../errors.js";
import type { Tensor } from "../../linalg/tensor.js";
import { tensorFromBlob } from "./blob.js";
import { queueJobType } from "./job-catalogue.js";
import { connectRedis, redisOptions } from "./redis-connection.js";
import { redactSettings, redisLabel, type RedisSettings } from "./redis-url.js";
import { fromWire, tensorFromInline, type BlobRef, type InlineTensor } from "./wire.js";
import { zeroCounts, type QueueCounts } from "./queue-protocol.js";

export type { QueueCounts } from "./queue-protocol.js";

/** Settings of a {@link QueueClient}; plain data (they are posted to the queue thread). */
export interface QueueClientSettings {
  redis: RedisSettings;
  /** BullMQ queue name (default "arbor"): workers must name the same. */
  queueName: string;
  /** Prefix of every Redis key (default "arbor"): BullMQ's keys and the blobs'. */
  prefix: string;
  /** How often every outstanding job is looked at, besides events (ms). */
  pollMs: number;
  /** Warn when no result came for this long (ms). */
  idleWarnMs: number;
  /** Fail a batch that is not complete after this long (ms; default: wait for workers). */
  batchTimeoutMs?: number;
}

/** A job as submitted: its deterministic id, its type and its data in wire form. */
export interface QueueJob {
  id: string;
  name: string;
  data: QueueJobData;
}

/** What a job carries: the arbor version that must run it, and the payload in wire form. */
export interface QueueJobData {
  arbor: string;
  payload: unknown;
}


// Jobs retry ordinary errors (a blob that Redis lost, a thread that died) with backoff; a
// worker's refusal of a malformed job is final (UnrecoverableError). Finished jobs stay a day,
// so that a rerun of the same search finds its results.
const JOB_OPTIONS = { attempts: 5, backoff: { type: "exponential", delay: 500 }, removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } };
/** Blobs live this long after their last use (s). */
const BLOB_TTL_S = 7 * 86_400;
/** A result is rejected this many times before the batch fails. */
const MAX_REJECTIONS = 2;

const blobKey = (prefix: string, hash: string): string => `${prefix}:blob:${hash}`;

/** One batch in flight. */
interface Batch {
  jobs: Map<string, QueueJob>;
  hashes: string[];
  outstanding: Set<string>;
  results: Map<string, unknown>;
  rejections: Map<string, number>;
  /** Ids with news (an event), looked at on the next wake. */
  dirty: Set<string>;
  /** Ids being looked at now (an event and a poll must not both resubmit one). */
  busy: Set<string>;
  failure?: Error;
  wake?: () => void;
}

/** The submitting side of the queue (see the module's documentation). */
export class QueueClient {
  readonly counts: QueueCounts = zeroCounts();
  /** Blob bytes by hash, kept to store them again after a Redis restart. */
  private readonly blobs = new Map<string, Uint8Array>();
  /** Blobs this client found or put in Redis (one missing later was lost by Redis). */
  private readonly stored = new Set<string>();
  private readonly tensors = new Map<string, Tensor>();
  private batch: Batch | undefined;
  private disconnected = false;

  private constructor(
    private readonly settings: QueueClientSettings,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly warn: (line: string) => void,
  ) {
    const onEvent = ({ jobId }: { jobId: string }): void => {
      const b = this.batch;
      if (b === undefined || !b.jobs.has(jobId)) return;
      if (!b.outstanding.has(jobId)) {
        this.counts.duplicateEvents++;
        return;
      }
      b.dirty.add(jobId);
      b.wake?.();
    };
    events.on("completed", onEvent);
    events.on("failed", onEvent);
    // The connections reconnect by themselves; say so once per outage, without credentials.
    let reason = "connection closed";
    redis.on("error", (e: Error) => void (reason = e.message));
    redis.on("reconnecting", () => {
      if (!this.disconnected) this.warn(`lost Redis at ${redisLabel(settings.redis)} (${this.redact(reason)}); reconnecting`);
      this.disconnected = true;
    });
    redis.on("ready", () => {
      if (this.disconnected) this.warn(`reconnected to Redis at ${redisLabel(settings.redis)}`);
      this.disconnected = false;
      reason = "connection closed";
      // A restarted server may have lost jobs and blobs: look at everything now.
      const b = this.batch;
      if (b !== undefined) {
        for (const id of b.outstanding) b.dirty.add(id);
        b.wake?.();
      }
    });
    const quiet = (): void => {};
    queue.on("error", quiet);
    events.on("error", quiet);
  }

  /**
   * Connects to Redis and opens the queue.
   *
   * @throws {@link ArborError} `E_QUEUE` if Redis does not answer within `timeoutMs` (the
   * message names the server and the driver's last error, never a credential).
   */
  static async connect(settings: QueueClientSettings, timeoutMs: number, warn: (line: string) => void): Promise<QueueClient> {
    const redis = await connectRedis(settings.redis, timeoutMs);
    const common = { connection: redisOptions(settings.redis), prefix: settings.prefix };
    const queue = new Queue(settings.queueName, common);
    const events = new QueueEvents(settings.queueName, common);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return new QueueClient(settings, redis, queue, events, warn);
  }

  private redact(text: string): string {
    return redactSettings(text, this.settings.redis);
  }

  /** Arbor workers connected to the queue now (BullMQ's count of named worker connections). */
  workerCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  /**
   * Runs a batch: stores the new blobs, submits the jobs (a job already in Redis is not added
   * twice) and returns every job's result by id, decoded and checked.
   *
   * @throws {@link ArborError} `E_QUEUE` if a job failed on a worker, a result stayed malformed,
   * or the batch timed out.
   */
  async runBatch(jobs: readonly QueueJob[], newBlobs: ReadonlyMap<string, Uint8Array>, hashes: readonly string[]): Promise<Map<string, unknown>> {
    for (const [hash, bytes] of newBlobs) this.blobs.set(hash, bytes);
    const missing = hashes.filter((h) => !this.blobs.has(h));
    if (missing.length > 0) throw new ArborError("E_QUEUE", `the queue thread has no bytes for blob ${missing[0]!.slice(0, 12)}…`);
    const b: Batch = { jobs: new Map(jobs.map((j) => [j.id, j])), hashes: [...hashes], outstanding: new Set(), results: new Map(), rejections: new Map(), dirty: new Set(), busy: new Set() };
    for (const id of b.jobs.keys()) b.outstanding.add(id);
    this.batch = b;
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.storeBlobs(b);
      await this.firstLook(b);
      const deadline = this.settings.batchTimeoutMs;
      if (deadline !== undefined) {
        timer = setTimeout(() => {
          b.failure ??= new ArborError("E_QUEUE", `no result for ${b.outstanding.size} of ${b.jobs.size} jobs after ${(deadline / 1000).toFixed(1)} s (queue ${this.settings.queueName} at ${redisLabel(this.settings.redis)})`);
          b.wake?.();
        }, deadline);
      }
      await this.collect(b);
      if (b.failure !== undefined) throw b.failure;
      return b.results;
    } finally {
      clearTimeout(timer);
      this.batch = undefined;
    }
  }

  // Refreshes the batch's blobs' expiry; stores any that Redis does not have (first use, or lost).
  private async storeBlobs(b: Batch): Promise<void> {
    await Promise.all(b.hashes.map(async (hash) => {
      const key = blobKey(this.settings.prefix, hash);
      if ((await this.redis.expire(key, BLOB_TTL_S)) === 0) {
        await this.redis.set(key, Buffer.from(this.blobs.get(hash)!), "EX", BLOB_TTL_S);
        if (this.stored.has(hash)) this.counts.blobsRestored++;
      }
      this.stored.add(hash);
    }));
  }

  // Before adding: a job already complete is reused, one that failed in an earlier run is
  // retried once (a failure during this batch, later, is final), a missing one is added.
  private async firstLook(b: Batch): Promise<void> {
    const add: string[] = [];
    await Promise.all([...b.jobs.keys()].map(async (id) => {
      const state = await this.queue.getJobState(id);
      if (state === "completed") {
        this.counts.reused++;
        await this.collectOne(b, id);
      } else if (state === "failed") {
        this.counts.retried++;
        await (await Job.fromId(this.queue, id))?.retry("failed");
      } else if (state === "unknown") {
        add.push(id);
      }
    }));
    await this.add(b, add);
    this.counts.submitted += add.length;
  }

  private async add(b: Batch, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.queue.addBulk(ids.map((id) => {
      const job = b.jobs.get(id)!;
      return { name: job.name, data: job.data, opts: { ...JOB_OPTIONS, jobId: id } };
    }));
  }

  // Waits for events and polls until every job has its result (or the batch failed).
  private async collect(b: Batch): Promise<void> {
    let lastProgress = performance.now(), warnedAt = lastProgress, done = b.outstanding.size;
    while (b.outstanding.size > 0 && b.failure === undefined) {
      const polled = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), this.settings.pollMs);
        b.wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
        if (b.dirty.size > 0 || b.failure !== undefined) b.wake();
      });
      b.wake = undefined;
      const ids = polled ? [...b.outstanding] : [...b.dirty];
      b.dirty.clear();
      if (polled) await this.guard(() => this.storeBlobs(b));
      await Promise.all(ids.map((id) => this.guard(() => this.look(b, id))));
      const now = performance.now();
      if (b.outstanding.size < done) {
        done = b.outstanding.size;
        lastProgress = warnedAt = now;
      } else if (now - warnedAt > this.settings.idleWarnMs) {
        warnedAt = now;
        const workers = await this.guard(() => this.workerCount());
        this.warn(`no result for ${((now - lastProgress) / 1000).toFixed(0)} s: ${b.outstanding.size} of ${b.jobs.size} jobs outstanding, ${workers ?? "?"} workers on queue ${this.settings.queueName} at ${redisLabel(this.settings.redis)}${workers === 0 ? " (start one: arbor worker --queue <url>)" : ""}`);
      }
    }
  }

  // Runs a Redis step of the loop; an error (say, the server restarting) is reported and the
  // step is left for the next poll instead of failing the batch.
  private async guard<T>(step: () => Promise<T>): Promise<T | undefined> {
    try {
      return await step();
    } catch (e) {
      this.warn(`queue step failed, will retry: ${this.redact((e as Error).message)}`);
      return undefined;
    }
  }

  // Looks at one outstanding job: collects a result, fails the batch on a failed job,
  // resubmits a job Redis no longer has.
  private async look(b: Batch, id: string): Promise<void> {
    if (!b.outstanding.has(id) || b.busy.has(id)) return;
    b.busy.add(id);
    try {
      const state = await this.queue.getJobState(id);
      if (state === "completed") await this.collectOne(b, id);
      else if (state === "failed") {
        const job = await Job.fromId(this.queue, id);
        b.failure ??= new ArborError("E_QUEUE", `job ${id} (${b.jobs.get(id)!.name}) failed on a worker: ${this.redact(job?.failedReason ?? "no reason recorded")}`);
      } else if (state === "unknown") {
        await this.storeBlobs(b);
        await this.add(b, [id]);
        this.counts.resubmitted++;
      }
    } finally {
      b.busy.delete(id);
    }
  }

  // Reads a completed job's result from its record, decodes and checks it; a malformed result
  // is rejected: the job is removed and added again, at most MAX_REJECTIONS times.
  private async collectOne(b: Batch, id: string): Promise<void> {
    const job = await Job.fromId(this.queue, id);
    if (job === undefined) return; // removed meanwhile: the next look resubmits it
    const spec = b.jobs.get(id)!;
    const problem = this.problemOf(spec, job.returnvalue);
    if (typeof problem !== "string") {
      b.results.set(id, problem.value);
      b.outstanding.delete(id);
      return;
    }
    const n = (b.rejections.get(id) ?? 0) + 1;
    b.rejections.set(id, n);
    this.counts.rejected++;
    const what = `malformed result for job ${id} (${spec.name}) from worker ${job.processedBy ?? "?"}: ${problem}`;
    if (n > MAX_REJECTIONS) {
      b.failure ??= new ArborError("E_QUEUE", `${what} (rejected ${n} times)`);
      return;
    }
    this.warn(`${what}; running it again`);
    await job.remove();
    await this.add(b, [id]);
  }

  // The decoded result, or what is wrong with it.
  private problemOf(spec: QueueJob, raw: unknown): { value: unknown } | string {
    let value: unknown, payload: unknown;
    try {
      value = fromWire(raw, tensorFromInline, "result");
      payload = fromWire(spec.data.payload, (ref, path) => this.blobTensor(ref, path));
    } catch (e) {
      return this.redact((e as Error).message);
    }
    const problem = queueJobType(spec.name)!.resultProblem(value, payload);
    return problem === undefined ? { value } : problem;
  }

  private blobTensor(ref: BlobRef | InlineTensor, path: string): Tensor {
    const hash = (ref as BlobRef).$blob;
    const bytes = this.blobs.get(hash);
    if (bytes === undefined) throw new FormatError(`${path}: unknown blob ${String(hash)}`);
    let t = this.tensors.get(hash);
    if (t === undefined) this.tensors.set(hash, (t = tensorFromBlob(bytes, hash)));
    return t;
  }

  /** Closes the queue's connections. */
  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }
}
