/**
 * The job-queue options that `arbor search` and `arbor worker` share, and what they mean:
 * the Redis URL with its TLS settings, the queue's name, and the password from the
 * environment (a password in the command line is visible to every user of the machine in
 * `ps`). Credentials never reach the output: see {@link redactedCommand}.
 * @module
 */
import type { Argv } from "yargs";
import { checkQueueName } from "../backend/queue/queue-runner.js";
import { parseRedisUrl, redactRedisUrl, type RedisSettings, type RedisUrlOptions } from "../backend/queue/redis-url.js";

/** The shared options as yargs parses them. */
export interface QueueArgs {
  queue?: string;
  queueName: string;
  queueTls: boolean;
  queueCa?: string;
}

/** The environment variable read for the Redis password when the URL has none. */
export const PASSWORD_VARIABLE = "ARBOR_QUEUE_PASSWORD";

/** Adds the queue options to a command; `purpose` completes the `--queue` help text. */
export function withQueueOptions<T>(y: Argv<T>, purpose: string): Argv<T & QueueArgs> {
  return y
    .option("queue", { type: "string", describe: `Redis URL of the job queue, redis://[user[:password]@]host:port[/db] or rediss:// for TLS: ${purpose} (password also from $${PASSWORD_VARIABLE})` })
    .option("queue-name", { type: "string", default: "arbor", describe: "BullMQ queue name (submitters and workers must agree)" })
    .option("queue-tls", { type: "boolean", default: false, describe: "use TLS for a redis:// URL too" })
    .option("queue-ca", { type: "string", describe: "PEM file of the certificate authority of the Redis server's TLS certificate" })
    .check((a) => {
      if (a.queue !== undefined) parseRedisUrl(a.queue as string, urlOptions(a as unknown as QueueArgs));
      checkQueueName("--queue-name", a.queueName as string);
      return true;
    }) as unknown as Argv<T & QueueArgs>;
}

/** The URL options that the flags and the environment give. */
export function urlOptions(args: QueueArgs): RedisUrlOptions {
  const password = process.env[PASSWORD_VARIABLE];
  return {
    ...(args.queueTls ? { tls: true } : {}),
    ...(args.queueCa !== undefined ? { caFile: args.queueCa } : {}),
    ...(password !== undefined && password !== "" ? { password } : {}),
  };
}

/** The Redis settings of `--queue` and the other flags. */
export function queueSettings(args: QueueArgs & { queue: string }): RedisSettings {
  return parseRedisUrl(args.queue, urlOptions(args));
}

/**
 * The command line as it may be recorded (in a result file, say): any Redis URL's credentials
 * replaced by `***`.
 */
export function redactedCommand(argv: readonly string[]): string[] {
  return argv.map(redactRedisUrl);
}
