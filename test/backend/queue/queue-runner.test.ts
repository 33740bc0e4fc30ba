// The submitting side against a real Redis and two `arbor worker` processes: the same results
// as in-process, bit for bit; results reused by a rerun; duplicate, forged and malformed results;
// refused jobs; unreachable and password-protected servers.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tensorBlob } from "../../../src/backend/queue/blob.js";
import { QueueRunner } from "../../../src/backend/queue/queue-runner.js";
import { queueJobId, toWire } from "../../../src/backend/queue/wire.js";
import { ArborError, ArgumentError, FormatError } from "../../../src/errors.js";
import type { Tensor } from "../../../src/linalg/tensor.js";
import { evaluationTask, runEvaluation, type EvaluationOutput, type EvaluationPayload } from "../../../src/search/evaluate-task.js";
import { contractNetwork } from "../../../src/search/network/contract.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";
import { tnaleSearch } from "../../../src/search/tnale.js";
import { packageVersion } from "../../../src/version.js";
import { cliMain, repoRoot } from "../../helpers/cli.js";
import { captureError } from "../../helpers/reference.js";
import { QUEUE_TEST_TIMEOUT, freePort, nodeScript, startRedis, startWorker, type RedisServer, type WorkerProcess } from "../../helpers/redis.js";

const target = contractNetwork(TensorNetwork.random(NetworkStructure.tensorRing([3, 3, 3, 3], 2, [0, 2, 1, 3]), 1));
const evaluation = (seed: number, rank = 2): EvaluationPayload => {
  const s = NetworkStructure.tensorTrain([3, 3, 3, 3], rank);
  return { dims: [3, 3, 3, 3], ranks: s.ranks(), perm: s.perm.slice(), target, restarts: 1, fitSweeps: 40, escapes: 1, seed };
};
const jobIdOf = (p: EvaluationPayload): string => queueJobId("search/evaluate", { arbor: packageVersion(), payload: toWire(p, (t) => ({ $blob: tensorBlob(t).hash })) });
const sameOutput = (a: EvaluationOutput, b: EvaluationOutput): boolean =>
  Object.is(a.rse, b.rse) && a.cores.every((c: Tensor, v) => c.data.every((x, i) => Object.is(x, b.cores[v]!.data[i])));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Resolves when a child process has printed `word`.
const printed = (child: ReturnType<typeof nodeScript>, word: string) =>
  new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes(word)) resolve();
    });
    child.stderr!.on("data", (c: Buffer) => void (out += c.toString()));
    child.on("exit", (code) => reject(new Error(`child exited (${code}) before "${word}":\n${out}`)));
  });

let server: RedisServer;
let workers: WorkerProcess[] = [];
const options = { queueName: "r", pollMs: 200, quiet: true };

beforeAll(async () => {
  server = await startRedis();
  workers = await Promise.all(["w1", "w2"].map((name) => startWorker(server.url, ["--queue-name", "r", "--name", name])));
}, QUEUE_TEST_TIMEOUT);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await server?.stop();
}, QUEUE_TEST_TIMEOUT);

describe("a queue runner with two worker processes", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  it("gives the in-process search result, bit for bit; a rerun reuses the results in Redis", async () => {
    const settings = { initialRank: 1, maxRank: 3, maxEvaluations: 24, seed: 3 };
    const local = tnaleSearch(target, settings);
    const runner = new QueueRunner(server.url, options);
    try {
      const remote = tnaleSearch(target, { ...settings, runner });
      expect(remote.structure.key()).toBe(local.structure.key());
      expect(Object.is(remote.rse, local.rse)).toBe(true);
      expect(remote.evaluations).toBe(local.evaluations);
      expect(remote.network.cores.every((c, v) => c.data.every((x, i) => Object.is(x, local.network.cores[v]!.data[i])))).toBe(true);
      expect(runner.counts).toMatchObject({ submitted: local.evaluations, reused: 0, resubmitted: 0, rejected: 0 });
      expect(runner.workers()).toBe(2);
    } finally {
      await runner.close();
    }
    const again = new QueueRunner(server.url, options);
    try {
      const rerun = tnaleSearch(target, { ...settings, runner: again });
      expect(Object.is(rerun.rse, local.rse)).toBe(true);
      expect(again.counts).toMatchObject({ submitted: 0, reused: local.evaluations });
    } finally {
      await again.close();
    }
    // Each worker fetched the target at most once.
    for (const w of workers) expect(w.log().match(/fetched blob/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  it("counts a result once however often its completion is announced, and ignores forged announcements", async () => {
    const payloads = [21, 22, 23, 24, 25].map((seed) => evaluation(seed, 3));
    const ids = payloads.map(jobIdOf);
    // Another process floods the queue's event stream with forged completions of these jobs.
    const forger = nodeScript(`
      import { Redis } from "ioredis";
      const [port, stream, ...ids] = process.argv.slice(1);
      const r = new Redis(Number(port), "127.0.0.1");
      for (let round = 0; ; round++) {
        for (const id of ids) await r.xadd(stream, "*", "event", "completed", "jobId", id, "returnvalue", JSON.stringify({ cores: "forged", rse: 0 }));
        if (round === 0) console.log("flooding");
        await new Promise((res) => setTimeout(res, 10));
      }`, [String(server.port), "arbor:r:events", ...ids]);
    const runner = new QueueRunner(server.url, options);
    try {
      await printed(forger, "flooding");
      // The same task twice in a batch is one job.
      const tasks = [...payloads, payloads[0]!].map((p) => evaluationTask(p, 1));
      const out = runner.run(tasks) as EvaluationOutput[];
      await sleep(100); // forged events for finished jobs keep coming
      runner.run([]);
      payloads.forEach((p, i) => expect(sameOutput(out[i]!, runEvaluation(p))).toBe(true));
      expect(out[5]).toEqual(out[0]);
      expect(runner.counts.submitted).toBe(5);
      expect(runner.counts.duplicateEvents).toBeGreaterThan(0);
      expect(runner.counts.rejected).toBe(0);
    } finally {
      forger.kill("SIGKILL");
      await runner.close();
    }
  });

  it("fails a batch with the worker's reason for refusing a job, and runs the next batch", async () => {
    const bad = evaluation(5);
    bad.ranks[0]![1] = 3;
    const runner = new QueueRunner(server.url, options);
    try {
      const e = captureError(() => runner.run([evaluationTask(evaluation(6), 1), evaluationTask(bad, 1)]));
      expect(e).toBeInstanceOf(ArborError);
      expect((e as ArborError).code).toBe("E_QUEUE");
      expect(e.message).toMatch(/^job search-evaluate-[0-9a-f]{64} \(search\/evaluate\) failed on a worker: refused by arbor worker w[12]: bad structure: .*symmetric/);
      expect(runner.run([{ module: "", name: "queue/echo", payload: { value: 3 } }])).toEqual([{ value: 3 }]);
      // Tasks that no worker runs, or payloads that cannot travel, never reach Redis.
      expect(captureError(() => runner.run([{ module: "", name: "example/square", payload: {} }]))).toBeInstanceOf(ArgumentError);
      expect(captureError(() => runner.run([{ module: "", name: "queue/echo", payload: { value: 1, f: () => 1 } }]))).toBeInstanceOf(FormatError);
    } finally {
      await runner.close();
    }
  });
});

describe("a batch no worker takes", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  it("fails after the batch timeout with a clear error, instead of waiting for ever", () => {
    const runner = new QueueRunner(server.url, { ...options, queueName: "nobody", batchTimeoutMs: 1000 });
    try {
      const e = captureError(() => runner.run([{ module: "", name: "queue/echo", payload: { value: 1 } }, { module: "", name: "queue/echo", payload: { value: 2 } }]));
      expect(e.message).toBe(`no result for 2 of 2 jobs after 1.0 s (queue nobody at ${server.url})`);
      expect(runner.workers()).toBe(0);
    } finally {
      void runner.close();
    }
  });
});

describe("malformed results", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  // A worker that answers every job with garbage; with "once" it takes one job and leaves.
  const rogue = (queueName: string, mode: "once" | "always") => nodeScript(`
    import { Worker } from "bullmq";
    const [port, queueName, mode] = process.argv.slice(1);
    const w = new Worker(queueName, async () => {
      if (mode === "once") void w.pause(true);
      return { value: "forged" };
    }, { connection: { host: "127.0.0.1", port: Number(port) }, prefix: "arbor", name: "rogue" });
    w.on("completed", () => { if (mode === "once") process.exit(0); });
    await w.waitUntilReady();
    console.log("ready");`, [String(server.port), queueName, mode]);

  it("are rejected and their jobs run again by a sound worker", async () => {
    const bad = rogue("rogue1", "once");
    await printed(bad, "ready");
    // The sound worker comes a moment later, when the rogue has answered.
    const node = process.execPath;
    const sound = spawn("sh", ["-c", `sleep 1; exec "${node}" "${cliMain}" worker --queue ${server.url} --queue-name rogue1 --name sound`], { cwd: repoRoot, stdio: "ignore" });
    const runner = new QueueRunner(server.url, { ...options, queueName: "rogue1" });
    try {
      expect(runner.run([{ module: "", name: "queue/echo", payload: { value: 8 } }])).toEqual([{ value: 8 }]);
      expect(runner.counts.rejected).toBe(1);
    } finally {
      sound.kill("SIGTERM");
      bad.kill("SIGKILL");
      await runner.close();
    }
  });

  it("fail the batch with a clear error when every answer is malformed", async () => {
    const bad = rogue("rogue2", "always");
    await printed(bad, "ready");
    const runner = new QueueRunner(server.url, { ...options, queueName: "rogue2" });
    try {
      const e = captureError(() => runner.run([{ module: "", name: "queue/echo", payload: { value: 9 } }]));
      expect(e.message).toMatch(/^malformed result for job queue-echo-[0-9a-f]{64} \(queue\/echo\) from worker rogue: the echo differs from the value sent \(rejected 3 times\)$/);
    } finally {
      bad.kill("SIGKILL");
      await runner.close();
    }
  });
});

describe("connections", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  it("fail clearly, without the password, when Redis cannot be reached", async () => {
    const port = await freePort();
    const e = captureError(() => new QueueRunner(`redis://:hunter2@127.0.0.1:${port}`, { connectTimeoutMs: 800, quiet: true }));
    expect(e).toBeInstanceOf(ArborError);
    expect(e.message).toMatch(new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port} within 0\\.8 s: .*ECONNREFUSED`));
    expect(e.message).not.toContain("hunter2");
  });

  it("pass a password through, and report a wrong one without quoting it", async () => {
    const locked = await startRedis(["--requirepass", "s3cret-pw"]);
    const worker = await startWorker(locked.url, ["--queue-name", "locked", "--verbose"], { ARBOR_QUEUE_PASSWORD: "s3cret-pw" });
    try {
      const runner = new QueueRunner(`redis://:s3cret-pw@127.0.0.1:${locked.port}`, { ...options, queueName: "locked" });
      expect(runner.run([{ module: "", name: "queue/echo", payload: { value: 1 } }])).toEqual([{ value: 1 }]);
      await runner.close();
      const e = captureError(() => new QueueRunner(`redis://:wrong-pw@127.0.0.1:${locked.port}`, { connectTimeoutMs: 60_000, quiet: true }));
      // At once, not after the timeout: waiting does not cure a wrong password.
      expect(e.message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ refused the connection: WRONGPASS/);
      expect(e.message).not.toContain("wrong-pw");
      expect(worker.log()).toMatch(/done in \d+ ms/);
      expect(worker.log()).not.toContain("s3cret");
    } finally {
      await worker.stop();
      await locked.stop();
    }
  });
});
