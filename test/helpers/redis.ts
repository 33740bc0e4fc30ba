// A real Redis for the queue tests: Debian's redis-server (installed by .ci/run) on a free
// loopback port, without persistence, stopped by the test that started it. And `arbor worker`
// processes, started and stopped by process id.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { cliMain, repoRoot } from "./cli.js";

/**
 * Timeout of the queue tests and their hooks: worker processes start in about a second and
 * searches take seconds; with the rest of the suite on the same 2 cores that can triple, so
 * they get more than the default 20 s.
 */
export const QUEUE_TEST_TIMEOUT = 90_000;

/** A running redis-server of a test. */
export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:port, or rediss:// (no credentials). */
  url: string;
  /** Stops the server (no save: its data is gone). */
  stop(): Promise<void>;
  /** Stops it and starts an empty one on the same port, with the same arguments. */
  restart(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

// Starts redis-server and resolves when it accepts connections (TLS only, with `tls`).
function launch(port: number, extra: readonly string[], tls: boolean): Promise<ChildProcess> {
  const listen = tls ? ["--port", "0", "--tls-port", String(port)] : ["--port", String(port)];
  const child = spawn("redis-server", [...listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start on port ${port}:\n${out}`));
    }, 10_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run redis-server (install it: apt-get install -y redis-server): ${e.message}`));
    });
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => void (out += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) on port ${port}:\n${out}`));
    });
  });
}

/**
 * Starts a redis-server on a free port; `extra` adds arguments (e.g. `--requirepass`), `tls`
 * makes it listen with TLS only (its certificates then go in `extra`, see {@link tlsFiles}).
 */
export async function startRedis(extra: readonly string[] = [], { tls = false } = {}): Promise<RedisServer> {
  const p = await freePort();
  let child = await launch(p, extra, tls);
  const stop = async (): Promise<void> => {
    child.kill("SIGKILL");
    await exited(child);
  };
  return {
    port: p,
    url: `${tls ? "rediss" : "redis"}://127.0.0.1:${p}`,
    stop,
    restart: async () => {
      await stop();
      child = await launch(p, extra, tls);
    },
  };
}

/** An `arbor worker` process of a test. */
export interface WorkerProcess {
  child: ChildProcess;
  /** Its stderr so far (the worker logs there). */
  log(): string;
  /** Resolves when it has exited. */
  exited(): Promise<void>;
  /** Sends `signal` (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `arbor worker --queue url …args` and resolves when it is connected. */
export function startWorker(url: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [cliMain, "worker", "--queue", url, ...args], { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => void (log += chunk.toString()));
  const handle: WorkerProcess = {
    child,
    log: () => log,
    exited: () => exited(child),
    stop: async (signal = "SIGTERM") => {
      child.kill(signal);
      await exited(child);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (/ ready: /.test(log)) {
        clearInterval(timer);
        resolve(handle);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`arbor worker exited (${child.exitCode}):\n${log}`));
      }
    }, 20);
  });
}

/** Runs `node -e script` (an ES module, from the repository root so that it finds bullmq). */
export function nodeScript(script: string, args: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, ["--input-type=module", "-e", script, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * A certificate authority and a server certificate for 127.0.0.1 signed by it, made with
 * openssl in `dir`; returns their paths and the redis-server arguments that use them.
 */
export function tlsFiles(dir: string): { ca: string; redisArgs: string[] } {
  const at = (name: string) => join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  openssl(["req", "-x509", ...ec, "-keyout", at("ca.key"), "-out", at("ca.pem"), "-days", "1", "-subj", "/CN=arbor test CA"]);
  openssl(["req", ...ec, "-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=127.0.0.1"]);
  writeFileSync(at("ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
  openssl(["x509", "-req", "-in", at("server.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-out", at("server.pem"), "-days", "1", "-extfile", at("ext.cnf")]);
  return { ca: at("ca.pem"), redisArgs: ["--tls-cert-file", at("server.pem"), "--tls-key-file", at("server.key"), "--tls-ca-cert-file", at("ca.pem"), "--tls-auth-clients", "no"] };
}
