// `arbor search --queue` and `arbor worker` end to end, against a real password-protected Redis:
// the in-process result through two worker processes; the same result when a worker is killed
// in the middle of a job and when Redis restarts in the middle of a batch; TLS; no password in
// any output; clear refusals of bad options.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeNpy } from "../../src/linalg/io/npy.js";
import { contractNetwork } from "../../src/search/network/contract.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { arbor, cliMain } from "../helpers/cli.js";
import { QUEUE_TEST_TIMEOUT, startRedis, startWorker, tlsFiles, type RedisServer, type WorkerProcess } from "../helpers/redis.js";

const dir = mkdtempSync(join(tmpdir(), "arbor-cli-worker-"));
const PASSWORD = "pa55-w0rd-x9";
const workerEnv = { ARBOR_QUEUE_PASSWORD: PASSWORD };
const SEARCH = ["search", "ring.npy", "--method", "tnale", "--max-evaluations", "24", "--json"];
// Short locks and stall checks, so that a dead worker's job moves on within about 2 s.
const FAST_STALL = ["--lock-duration", "1000", "--stalled-interval", "500"];

interface Record {
  rse: number;
  evaluations: number;
  command: string[];
  structure: { key: string };
  queue?: { server: string; name: string; submitted: number; resubmitted: number; blobsRestored: number };
}

let server: RedisServer;
let redis: Redis;
let expected: Record;
const url = (): string => `redis://:${PASSWORD}@127.0.0.1:${server.port}`;

beforeAll(async () => {
  writeNpy(join(dir, "ring.npy"), contractNetwork(TensorNetwork.random(NetworkStructure.tensorRing([3, 3, 3, 3], 2, [0, 2, 1, 3]), 1)));
  server = await startRedis(["--requirepass", PASSWORD]);
  redis = new Redis({ port: server.port, host: "127.0.0.1", password: PASSWORD, maxRetriesPerRequest: null });
  redis.on("error", () => {});
  const local = arbor(SEARCH, { cwd: dir });
  expect(local.status).toBe(0);
  expected = JSON.parse(local.stdout) as Record;
}, QUEUE_TEST_TIMEOUT);

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}, QUEUE_TEST_TIMEOUT);

// `arbor …args` without blocking this process (the test acts while it runs).
function arborAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cliMain, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (c: Buffer) => void (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => void (stderr += c.toString()));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sameSearch(record: Record): void {
  expect(record.structure.key).toBe(expected.structure.key);
  expect(Object.is(record.rse, expected.rse)).toBe(true);
  expect(record.evaluations).toBe(expected.evaluations);
}

describe("arbor search --queue with arbor worker processes", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  it("gives the in-process result through two workers, and no password appears anywhere", async () => {
    const workers = await Promise.all(["a", "b"].map((name) => startWorker(`redis://127.0.0.1:${server.port}`, ["--queue-name", "cli1", "--name", name], workerEnv)));
    try {
      const out = join(dir, "queued.json");
      const r = await arborAsync([...SEARCH, "--queue", url(), "--queue-name", "cli1", "--out", out]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const record = JSON.parse(r.stdout) as Record;
      sameSearch(record);
      expect(record.queue).toMatchObject({ server: `redis://127.0.0.1:${server.port}`, name: "cli1", submitted: expected.evaluations, resubmitted: 0 });
      expect(record.command).toContain(`redis://:***@127.0.0.1:${server.port}`);
      const saved = readFileSync(out, "utf8");
      for (const text of [r.stdout, saved, ...workers.map((w) => w.log())]) expect(text).not.toContain(PASSWORD);
      // Both took part; each fetched the target once.
      for (const w of workers) expect(w.log().match(/fetched blob/g)).toHaveLength(1);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    const stopped = readFileSync(join(dir, "queued.json"), "utf8");
    expect(stopped).toContain('"queue"');
  });

  it("finishes with the same result when a worker is killed in the middle of a job", async () => {
    const [victim, survivor] = await Promise.all(["victim", "survivor"].map((name) => startWorker(`redis://127.0.0.1:${server.port}`, ["--queue-name", "cli2", "--name", name, ...FAST_STALL], workerEnv)));
    try {
      const search = arborAsync([...SEARCH, "--queue", url(), "--queue-name", "cli2"]);
      // Freeze the victim, kill it if it holds a job, else let it go on and look again.
      let killedHolding: string | undefined;
      for (let k = 0; killedHolding === undefined; k++) {
        if (k > 2000) throw new Error("the victim never held a job");
        victim.child.kill("SIGSTOP");
        const active = await redis.lrange("arbor:cli2:active", 0, -1);
        for (const id of active) if ((await redis.hget(`arbor:cli2:${id}`, "pb")) === "victim") killedHolding = id;
        if (killedHolding !== undefined) await victim.stop("SIGKILL");
        else {
          victim.child.kill("SIGCONT");
          await sleep(10);
        }
      }
      const r = await search;
      expect(r.status).toBe(0);
      sameSearch(JSON.parse(r.stdout) as Record);
      // The job the victim died with was found stalled and run by the survivor.
      expect(await redis.hget(`arbor:cli2:${killedHolding}`, "pb")).toBe("survivor");
      expect(Number(await redis.hget(`arbor:cli2:${killedHolding}`, "stc"))).toBe(1);
    } finally {
      await Promise.all([victim, survivor].map((w) => w.stop("SIGKILL")));
    }
  });

  it("finishes with the same result when Redis restarts in the middle of a batch", async () => {
    const workers = await Promise.all(["c", "d"].map((name) => startWorker(`redis://127.0.0.1:${server.port}`, ["--queue-name", "cli3", "--name", name], workerEnv)));
    try {
      const search = arborAsync([...SEARCH, "--queue", url(), "--queue-name", "cli3"]);
      for (let k = 0; (await redis.llen("arbor:cli3:active")) === 0; k++) {
        if (k > 2000) throw new Error("no job ever became active");
        await sleep(5);
      }
      await server.restart(); // empty: no persistence
      const r = await search;
      expect(r.status).toBe(0);
      const record = JSON.parse(r.stdout) as Record;
      sameSearch(record);
      expect(record.queue!.resubmitted).toBeGreaterThan(0);
      expect(record.queue!.blobsRestored).toBe(1);
      expect(r.stderr).toMatch(/arbor queue: reconnected to Redis at redis:\/\/127\.0\.0\.1:\d+/);
      expect(r.stderr).not.toContain(PASSWORD);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  it("works over TLS with a private certificate authority, and refuses an unverified server", async () => {
    const tls = tlsFiles(dir);
    const secure = await startRedis(["--requirepass", PASSWORD, ...tls.redisArgs], { tls: true });
    const worker = await startWorker(secure.url, ["--queue-ca", tls.ca], workerEnv);
    try {
      const r = await arborAsync([...SEARCH, "--queue", `rediss://:${PASSWORD}@127.0.0.1:${secure.port}`, "--queue-ca", tls.ca]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const record = JSON.parse(r.stdout) as Record;
      sameSearch(record);
      expect(record.queue!.server).toBe(`rediss://127.0.0.1:${secure.port}`);
      const untrusted = await arborAsync([...SEARCH, "--queue", `rediss://:${PASSWORD}@127.0.0.1:${secure.port}`]);
      expect(untrusted.status).toBe(2);
      expect(untrusted.stderr).toMatch(/^arbor: Redis at rediss:\/\/127\.0\.0\.1:\d+ refused the connection: .*certificate/);
    } finally {
      await worker.stop();
      await secure.stop();
    }
  });

  it("refuses bad options and wrong passwords with exit status 2, never quoting a password", async () => {
    const cases: [string[], RegExp][] = [
      [["worker"], /Missing required argument: queue/],
      [["worker", "--queue", url(), "--threads", "0"], /--threads must be a whole number ≥ 1, got 0/],
      [["worker", "--queue", url(), "--queue-name", "a:b"], /--queue-name "a:b": use 1 to 100 letters/],
      [["search", "ring.npy", "--method", "greedy", "--queue", url()], /--queue applies to --method tnale and tnls, not greedy/],
      [["search", "ring.npy", "--queue", url(), "--workers", "2"], /--queue and --workers exclude each other/],
      [["search", "ring.npy", "--queue", `http://:${PASSWORD}@127.0.0.1`], /a Redis URL starts with redis:\/\/ or rediss:\/\/, got "http:\/\/:\*\*\*@127\.0\.0\.1"/],
      [["search", "ring.npy", "--queue", `redis://:wrong-${PASSWORD}@127.0.0.1:${server.port}`], /refused the connection: WRONGPASS/],
      [["worker", "--queue", `redis://:wrong-${PASSWORD}@127.0.0.1:${server.port}`], /refused the connection: WRONGPASS/],
      [["search", "ring.npy", "--queue", url(), "--queue-timeout", "0"], /--queue-timeout must be a number of seconds > 0, got 0/],
      [["search", "ring.npy", "--queue-timeout", "5"], /--queue-timeout applies with --queue only/],
      // No worker on this queue: the search ends instead of waiting for ever.
      [["search", "ring.npy", "--queue", url(), "--queue-name", "idle", "--queue-timeout", "1"], /^arbor: no result for 1 of 1 jobs after 1\.0 s \(queue idle at redis:\/\/127\.0\.0\.1:\d+\)$/m],
    ];
    const results = await Promise.all(cases.map(([args]) => arborAsync(args)));
    results.forEach((r, i) => {
      expect(r.status, cases[i]![0].join(" ")).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(r.stderr).not.toContain(PASSWORD);
    });
  });
});

describe("arbor worker", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  it("stops on SIGTERM after the jobs in hand, with a summary", async () => {
    const w: WorkerProcess = await startWorker(`redis://127.0.0.1:${server.port}`, ["--queue-name", "cli5"], workerEnv);
    await w.stop("SIGTERM");
    expect(w.child.exitCode).toBe(0);
    expect(w.log()).toMatch(/SIGTERM: finishing the jobs in hand \(signal again to stop now\)\narbor worker: stopped after 0 jobs done, 0 failed, 0 blobs fetched/);
  });
});
