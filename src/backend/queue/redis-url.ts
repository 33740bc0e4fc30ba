/**
 * Where the job queue's Redis is and how to reach it: a `redis://` or `rediss://` URL parsed
 * into plain settings (they cross to the queue thread by postMessage), and the redaction that
 * keeps its credentials out of every log line, error message and result file.
 * @module
 */
import { isIP } from "node:net";
import { ArgumentError } from "../../errors.js";

/** How to reach one Redis server; plain data, so it can be posted to a thread. */
export interface RedisSettings {
  host: string;
  port: number;
  /** Database number (the URL's path, default 0). */
  db: number;
  username?: string;
  password?: string;
  /** TLS (a `rediss://` URL, `?tls=true` or the `tls` option); absent for plain TCP. */
  tls?: RedisTlsSettings;
}

/** TLS settings of a Redis connection. */
export interface RedisTlsSettings {
  /**
   * Host name the server's certificate must carry (default: the URL's host when it is a name;
   * an IP address is checked against the certificate's IP entries instead).
   */
  servername?: string;
  /** PEM file of a private certificate authority (default: the system's). */
  caFile?: string;
}

/** Settings given beside the URL (command-line flags); the URL's own values win. */
export interface RedisUrlOptions {
  /** Use TLS even for a `redis://` URL. */
  tls?: boolean;
  caFile?: string;
  /** Password when the URL has none (e.g. from an environment variable, kept out of `ps`). */
  password?: string;
}

const DEFAULT_PORT = 6379;
const QUERY_KEYS = ["tls", "ca", "servername"];

/**
 * Parses `redis://[user[:password]@]host[:port][/db]` (or `rediss://` for TLS), with the
 * optional query parameters `tls=true`, `ca=<PEM file>` and `servername=<name>`.
 *
 * @throws {@link ArgumentError} naming the problem (never the password) for another scheme, a
 * bad port or database, or an unknown query parameter.
 * @example
 * ```ts
 * const s = parseRedisUrl("rediss://alice:s3cret@cache.example:6380/2?ca=/etc/ca.pem");
 * console.assert(s.port === 6380 && s.db === 2 && s.username === "alice" && s.password === "s3cret");
 * console.assert(s.tls?.servername === "cache.example" && s.tls.caFile === "/etc/ca.pem");
 * console.assert(parseRedisUrl("redis://127.0.0.1").port === 6379 && parseRedisUrl("redis://127.0.0.1").tls === undefined);
 * ```
 */
export function parseRedisUrl(url: string, options: RedisUrlOptions = {}): RedisSettings {
  const shown = redactRedisUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ArgumentError(`not a Redis URL: ${JSON.stringify(shown)} (expected redis://host:port or rediss://host:port)`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") throw new ArgumentError(`a Redis URL starts with redis:// or rediss://, got ${JSON.stringify(shown)}`);
  if (u.hostname === "") throw new ArgumentError(`the Redis URL ${JSON.stringify(shown)} names no host`);
  for (const key of u.searchParams.keys()) {
    if (!QUERY_KEYS.includes(key)) throw new ArgumentError(`unknown parameter ${JSON.stringify(key)} in the Redis URL ${JSON.stringify(shown)} (known: ${QUERY_KEYS.join(", ")})`);
  }
  const port = u.port === "" ? DEFAULT_PORT : Number(u.port);
  const path = decodeURIComponent(u.pathname).replace(/^\//, "");
  const db = path === "" ? 0 : Number(path);
  if (!Number.isSafeInteger(db) || db < 0 || !/^\d*$/.test(path)) throw new ArgumentError(`the Redis URL ${JSON.stringify(shown)} has database ${JSON.stringify(path)}; expected a whole number`);
  const tlsParam = u.searchParams.get("tls");
  if (tlsParam !== null && tlsParam !== "true" && tlsParam !== "false") throw new ArgumentError(`tls=${tlsParam} in the Redis URL ${JSON.stringify(shown)}: expected tls=true or tls=false`);
  const tls = u.protocol === "rediss:" || tlsParam === "true" || options.tls === true;
  const caFile = u.searchParams.get("ca") ?? options.caFile;
  if (!tls && caFile !== undefined) throw new ArgumentError(`a certificate authority was given for ${JSON.stringify(shown)}, which does not use TLS (use rediss:// or tls=true)`);
  // URL host names of IPv6 addresses come bracketed; the socket wants them bare.
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  const username = decodeURIComponent(u.username);
  const password = u.password !== "" ? decodeURIComponent(u.password) : options.password;
  const servername = u.searchParams.get("servername") ?? (isIP(host) === 0 ? host : undefined);
  return {
    host, port, db,
    ...(username !== "" ? { username } : {}),
    ...(password !== undefined && password !== "" ? { password } : {}),
    ...(tls ? { tls: { ...(servername !== undefined ? { servername } : {}), ...(caFile !== undefined ? { caFile } : {}) } } : {}),
  };
}

/**
 * `text` with the credentials of every `redis://` or `rediss://` URL in it — or any URL with a
 * scheme, so that a mistyped one is covered too — replaced by `***` (the user name stays: it
 * names an account, it opens nothing).
 *
 * @example
 * ```ts
 * console.assert(redactRedisUrl("redis://alice:s3cret@db:6379/1") === "redis://alice:***@db:6379/1");
 * console.assert(redactRedisUrl("--queue=rediss://:pw@db") === "--queue=rediss://:***@db");
 * console.assert(redactRedisUrl("redis://db:6379") === "redis://db:6379" && redactRedisUrl("redsi://:pw@db") === "redsi://:***@db");
 * ```
 */
export function redactRedisUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^@\s/?#]*)@/gi, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return `${scheme}${colon < 0 ? "" : userinfo.slice(0, colon + 1)}***@`;
  });
}

/**
 * `text` with any Redis URL credentials and the settings' password and user name removed:
 * for messages that may quote them in other forms (a driver's error, a job's failure).
 */
export function redactSettings(text: string, settings: RedisSettings): string {
  let out = redactRedisUrl(text);
  for (const secret of [settings.password, settings.password !== undefined ? encodeURIComponent(settings.password) : undefined]) {
    if (secret !== undefined && secret.length > 0) out = out.split(secret).join("***");
  }
  return out;
}

/**
 * The server as it may be shown: scheme, host, port and database, never credentials.
 */
export function redisLabel(settings: RedisSettings): string {
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  return `${settings.tls !== undefined ? "rediss" : "redis"}://${host}:${settings.port}${settings.db !== 0 ? `/${settings.db}` : ""}`;
}
