/**
 * Redis connection options for ioredis and BullMQ from {@link RedisSettings}: credentials and
 * TLS passed through, and reconnection forever with a capped delay, so that a Redis restart is
 * a pause for the queue rather than an error (commands wait for the server to come back).
 * @module
 */
import { readFileSync } from "node:fs";
import { Redis, type RedisOptions } from "ioredis";
import { ArborError, ArgumentError } from "../../errors.js";
import { redactSettings, redisLabel, type RedisSettings } from "./redis-url.js";

/** Errors of authentication and TLS: retrying will not help. */
const FATAL = /WRONGPASS|NOAUTH|NOPERM|invalid password|certificate|self.signed|SSL|TLS|ERR_TLS/i;

/** Longest pause between reconnection attempts, ms. */
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * ioredis options for `settings` (BullMQ takes the same options for the connections it opens).
 *
 * @throws {@link ArgumentError} if the TLS certificate authority file cannot be read.
 */
export function redisOptions(settings: RedisSettings) {
  let tls: { servername?: string; ca?: Buffer } | undefined;
  if (settings.tls !== undefined) {
    let ca: Buffer | undefined;
    if (settings.tls.caFile !== undefined) {
      try {
        ca = readFileSync(settings.tls.caFile);
      } catch (e) {
        throw new ArgumentError(`cannot read the Redis TLS certificate authority ${settings.tls.caFile}: ${(e as Error).message}`);
      }
    }
    tls = { ...(settings.tls.servername !== undefined ? { servername: settings.tls.servername } : {}), ...(ca !== undefined ? { ca } : {}) };
  }
  return {
    host: settings.host,
    port: settings.port,
    db: settings.db,
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    ...(tls !== undefined ? { tls } : {}),
    // Commands wait through a disconnection instead of failing after a few retries: BullMQ
    // requires it for blocking connections, and a queue that outlives a Redis restart needs it.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(50 * times, MAX_RECONNECT_DELAY_MS),
  } satisfies RedisOptions;
}

/**
 * A connected ioredis client.
 *
 * @throws {@link ArborError} `E_QUEUE` if Redis does not answer within `timeoutMs`, or at once
 * if it refuses the password or the TLS certificate does not check out; the message names the
 * server and the driver's error, never a credential.
 */
export async function connectRedis(settings: RedisSettings, timeoutMs: number): Promise<Redis> {
  const redis = new Redis(redisOptions(settings));
  let onError = (_: Error): void => {};
  try {
    await new Promise<void>((resolve, reject) => {
      let lastError = "no answer";
      const fail = (): void => reject(new ArborError("E_QUEUE", `cannot reach Redis at ${redisLabel(settings)} within ${(timeoutMs / 1000).toFixed(1)} s: ${redactSettings(lastError, settings)}`));
      const timer = setTimeout(fail, timeoutMs);
      onError = (e) => {
        lastError = e.message;
        // Waiting cures a server that is not up yet, not a wrong password or certificate.
        if (FATAL.test(lastError)) {
          clearTimeout(timer);
          reject(new ArborError("E_QUEUE", `Redis at ${redisLabel(settings)} refused the connection: ${redactSettings(lastError, settings)}`));
        }
      };
      redis.on("error", onError);
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (e) {
    redis.disconnect();
    throw e;
  } finally {
    redis.off("error", onError);
  }
  return redis;
}
