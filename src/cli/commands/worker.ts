import type { Argv, CommandModule } from "yargs";
import { redisLabel } from "../../backend/queue/redis-url.js";
import { packageVersion } from "../../version.js";
import { queueSettings, withQueueOptions, type QueueArgs } from "../queue-options.js";
import { UsageError } from "../usage-error.js";

interface WorkerArgs extends QueueArgs {
  threads: number;
  name?: string;
  lockDuration: number;
  stalledInterval: number;
  maxStalled: number;
  cacheMb: number;
  connectTimeout: number;
  verbose: boolean;
  quiet: boolean;
}

const wholeAtLeast = (x: unknown, lo: number): boolean => Number.isSafeInteger(x) && (x as number) >= lo;

/**
 * `arbor worker --queue redis://…`: run arbor's queue jobs (structure-search evaluations, sweep points of built-in problems)
 * submitted by `arbor search --queue` on any machine, until SIGINT or SIGTERM.
 */
export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: "worker",
  describe: "Run queued jobs (structure-search evaluations, `arbor run --sweep` points of built-in problems) from a BullMQ queue on Redis, for `arbor search --queue` and `arbor run --sweep --queue` on any machine",
  builder: (y: Argv) =>
    withQueueOptions(y, "the queue to take jobs from")
      .demandOption("queue")
      .option("threads", { type: "number", default: 1, describe: "jobs at once, each on its own thread" })
      .option("name", { type: "string", describe: "this worker's name, recorded on its jobs [default: host-pid]" })
      .option("lock-duration", { type: "number", default: 30_000, describe: "ms a job's lock lasts unrenewed: a worker dead that long loses its jobs to others" })
      .option("stalled-interval", { type: "number", default: 30_000, describe: "ms between this worker's checks for the stalled jobs of dead workers" })
      .option("max-stalled", { type: "number", default: 2, describe: "times a job may stall before it fails" })
      .option("cache-mb", { type: "number", default: 1024, describe: "MiB of tensors (targets) kept after their first fetch" })
      .option("connect-timeout", { type: "number", default: 30, describe: "seconds to wait for Redis at start" })
      .option("verbose", { type: "boolean", default: false, describe: "a log line per job" })
      .option("quiet", { type: "boolean", default: false, describe: "log only errors" })
      .check((a) => {
        for (const [flag, value, lo] of [["--threads", a.threads, 1], ["--lock-duration", a.lockDuration, 100], ["--stalled-interval", a.stalledInterval, 100], ["--max-stalled", a.maxStalled, 0], ["--cache-mb", a.cacheMb, 0], ["--connect-timeout", a.connectTimeout, 1]] as const) {
          if (!wholeAtLeast(value, lo)) throw new UsageError(`${flag} must be a whole number ≥ ${lo}, got ${String(value)}`);
        }
        return true;
      }) as unknown as Argv<WorkerArgs>,
  handler: async (args) => {
    const redis = queueSettings({ ...args, queue: args.queue! });
    const say = (line: string): void => void process.stderr.write(`arbor worker: ${line}\n`);
    const log = (line: string): void => {
      if (!args.quiet || /failed|lost|refused/.test(line)) say(line);
    };
    // Loaded here, not with the command table: BullMQ and ioredis cost every other command's start.
    const { startQueueWorker } = await import("../../backend/queue/queue-worker.js");
    const worker = await startQueueWorker({
      redis, queueName: args.queueName, threads: args.threads, lockDurationMs: args.lockDuration, stalledIntervalMs: args.stalledInterval,
      maxStalledCount: args.maxStalled, cacheBytes: args.cacheMb * 2 ** 20, connectTimeoutMs: args.connectTimeout * 1000, verbose: args.verbose, log,
      ...(args.name !== undefined ? { name: args.name } : {}),
    });
    log(`${worker.name} (arbor ${packageVersion()}) ready: queue ${args.queueName} at ${redisLabel(redis)}, ${args.threads} thread${args.threads === 1 ? "" : "s"}`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    log(`${signal}: finishing the jobs in hand (signal again to stop now)`);
    // A second signal stops at once: closing waits for Redis, which may be gone for good.
    const again = (s: NodeJS.Signals): void => {
      log(`${s}: stopping now; the jobs in hand go to other workers when their locks expire`);
      process.exit(1);
    };
    process.once("SIGINT", again);
    process.once("SIGTERM", again);
    await worker.close();
    log(`stopped after ${worker.counts.completed} jobs done, ${worker.counts.failed} failed, ${worker.cache.fetched.blobs} blobs fetched (${worker.cache.fetched.bytes} bytes)`);
  },
};
