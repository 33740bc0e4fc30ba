/**
 * The working side of the job queue, as `arbor worker` runs it: a BullMQ Worker that takes
 * arbor's jobs from Redis, resolves their tensor blobs (fetched once per worker), checks them,
 * runs them on job threads and returns their results in wire form.
 *
 * Refusals are final: an unknown job type, a job from another arbor version, a malformed
 * payload or an error of the task itself fail the job at once (BullMQ's UnrecoverableError) with
 * a message that says why, and the worker goes on with the next job. Transient troubles — a blob
 * that Redis lost, a job thread that died — are ordinary errors, which BullMQ retries. A worker
 * that dies holding a job loses its lock, and BullMQ's stalled-job check (run by the other
 * workers) puts the job back for another.
 * @module
 */
import { hostname } from "node:os";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { FormatError } from "../../errors.js";
import type { Tensor } from "../../linalg/tensor.js";
import { packageVersion } from "../../version.js";
import { BlobCache, MissingBlobError } from "./blob-cache.js";
import { queueJobModuleUrl, queueJobProblem, queueJobType } from "./job-catalogue.js";
import { JobThreads, TaskFailure } from "./job-threads.js";
import type { QueueJobData } from "./queue-client.js";
import { connectRedis, redisOptions } from "./redis-connection.js";
import { redactSettings, redisLabel, type RedisSettings } from "./redis-url.js";
import { fromWire, inlineTensor, toWire, type BlobRef } from "./wire.js";

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  redis: RedisSettings;
  /** BullMQ queue name (default "arbor"). */
  queueName?: string;
  /** Prefix of every Redis key (default "arbor"). */
  prefix?: string;
  /** Jobs at once, each on its own thread (default 1). */
  threads?: number;
  /** This worker's name, recorded on the jobs it runs (default: host and process id). */
  name?: string;
  /** How long a job's lock lasts without renewal (ms, default 30 000; renewed at half). */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs — of dead workers — to put back (ms, default 30 000). */
  stalledIntervalMs?: number;
  /** Times a job may stall before it fails (default 2). */
  maxStalledCount?: number;
  /** Give up if Redis does not answer within this long at start (ms, default 30 000). */
  connectTimeoutMs?: number;
  /** Bytes of tensors kept in the blob cache (default 1 GiB). */
  cacheBytes?: number;
  /** Where log lines go (default: nowhere). */
  log?: (line: string) => void;
  /** A log line per job, not only per refusal and blob. */
  verbose?: boolean;
}

/** A running queue worker. */
export interface QueueWorker {
  readonly name: string;
  /** Jobs run to a result, and jobs refused or failed. */
  readonly counts: { completed: number; failed: number };
  readonly cache: BlobCache;
  /** Finishes the jobs in hand, then disconnects. */
  close(): Promise<void>;
}

/**
 * A job's payload with its blob references replaced by their tensors (fetched at once). A
 * malformed reference or a corrupt blob is final; a blob Redis lost is retried (the submitting
 * search stores it again).
 */
async function resolveBlobs(wire: unknown, cache: BlobCache, refuse: (why: string) => never): Promise<unknown> {
  const hashes: string[] = [];
  try {
    fromWire(wire, (ref, path) => {
      const hash = (ref as BlobRef).$blob;
      if (typeof hash !== "string" || !/^[0-9a-f]{64}$/.test(hash)) throw new FormatError(`${path}: ${JSON.stringify(ref).slice(0, 80)} is not a blob reference`);
      hashes.push(hash);
      return undefined as never;
    });
  } catch (e) {
    refuse((e as Error).message);
  }
  const tensors = new Map<string, Tensor>();
  try {
    await Promise.all(hashes.map(async (h) => tensors.set(h, await cache.get(h))));
  } catch (e) {
    if (e instanceof MissingBlobError) throw e;
    refuse((e as Error).message);
  }
  return fromWire(wire, (ref) => tensors.get((ref as BlobRef).$blob)!);
}

/**
 * Starts a queue worker and resolves once it is connected.
 *
 * @throws {@link ArborError} `E_QUEUE` if Redis cannot be reached (wrong address or password).
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { redis: settings, queueName = "arbor", prefix = "arbor", threads = 1, lockDurationMs = 30_000, stalledIntervalMs = 30_000, maxStalledCount = 2, cacheBytes = 2 ** 30, verbose = false } = options;
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const log = (line: string): void => options.log?.(redactSettings(line, settings));
  const arbor = packageVersion();
  const connection = redisOptions(settings);
  const blobs = await connectRedis(settings, options.connectTimeoutMs ?? 30_000);
  blobs.on("error", () => {}); // reconnects by itself; the BullMQ worker reports the outage
  const cache = new BlobCache(async (hash) => blobs.getBuffer(`${prefix}:blob:${hash}`), cacheBytes,
    (hash, bytes) => log(`fetched blob ${hash.slice(0, 12)}… (${bytes} bytes)`));
  const jobThreads = new JobThreads(threads, [queueJobModuleUrl()]);
  const counts = { completed: 0, failed: 0 };

  const refuse = (why: string): never => {
    throw new UnrecoverableError(`refused by arbor worker ${name}: ${why}`);
  };

  const runJob = async (job: Job): Promise<unknown> => {
    const data = job.data as Partial<QueueJobData> | null;
    if (typeof data !== "object" || data === null || !("payload" in data)) refuse("its data is not an arbor job ({ arbor, payload })");
    if (queueJobType(job.name) === undefined) refuse(queueJobProblem(job.name, null)!);
    if (data!.arbor !== arbor) refuse(`it was submitted by arbor ${JSON.stringify(data!.arbor)} and this worker runs arbor ${arbor}; run workers of the submitter's version`);
    const payload = await resolveBlobs(data!.payload, cache, refuse);
    const problem = queueJobProblem(job.name, payload);
    if (problem !== undefined) refuse(problem);
    const started = performance.now();
    let result: unknown;
    try {
      result = await jobThreads.run(job.name, payload);
    } catch (e) {
      // The task's own error would come back on every retry: final. A dead thread is not.
      if (e instanceof TaskFailure) refuse(`the task failed: ${e.name}: ${e.message}`);
      throw e;
    }
    if (verbose) log(`job ${job.id} (${job.name}) done in ${(performance.now() - started).toFixed(0)} ms`);
    return toWire(result, inlineTensor, "result");
  };

  const worker = new Worker(queueName, runJob, {
    connection, prefix, name, concurrency: threads,
    lockDuration: lockDurationMs, stalledInterval: stalledIntervalMs, maxStalledCount,
    // After a lost connection, try again soon (BullMQ's default waits 15 s).
    runRetryDelay: 1000,
  });
  // The blob connection tells of outages (BullMQ's own connections go down and up with it);
  // during one, BullMQ's errors are its consequences and not worth a line each.
  let connected = true;
  blobs.on("reconnecting", () => {
    if (connected) log(`lost Redis at ${redisLabel(settings)}; reconnecting`);
    connected = false;
  });
  blobs.on("ready", () => {
    if (!connected) log(`reconnected to Redis at ${redisLabel(settings)}`);
    connected = true;
  });
  worker.on("error", (e) => {
    if (connected) log(`queue error: ${e.message}`);
  });
  worker.on("completed", () => void counts.completed++);
  worker.on("failed", (job, e) => {
    counts.failed++;
    log(`job ${job?.id ?? "?"} (${job?.name ?? "?"}) failed: ${e.message}`);
  });
  await worker.waitUntilReady();
  return {
    name, counts, cache,
    close: async () => {
      await worker.close();
      await jobThreads.close();
      blobs.disconnect();
    },
  };
}
