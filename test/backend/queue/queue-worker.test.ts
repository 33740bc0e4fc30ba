// The working side of the queue against a real Redis: what a worker runs, what it refuses (at
// once, without retries, and then goes on), how it recovers a lost blob and a dead worker's job.
import { Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tensorBlob } from "../../../src/backend/queue/blob.js";
import { startQueueWorker, type QueueWorker } from "../../../src/backend/queue/queue-worker.js";
import { parseRedisUrl } from "../../../src/backend/queue/redis-url.js";
import { fromWire, tensorFromInline, toWire } from "../../../src/backend/queue/wire.js";
import type { Tensor } from "../../../src/linalg/tensor.js";
import { runEvaluation, type EvaluationOutput } from "../../../src/search/evaluate-task.js";
import { contractNetwork } from "../../../src/search/network/contract.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";
import { packageVersion } from "../../../src/version.js";
import { QUEUE_TEST_TIMEOUT, startRedis, startWorker, type RedisServer } from "../../helpers/redis.js";

const arbor = packageVersion();
const planted = NetworkStructure.tensorTrain([3, 4, 3], 2);
const target = contractNetwork(TensorNetwork.random(planted, 3));
const blob = tensorBlob(target);
const evaluation = (seed: number, structure = planted) => ({ dims: [3, 4, 3], ranks: structure.ranks(), perm: structure.perm.slice(), target, restarts: 1, fitSweeps: 30, escapes: 1, seed });
const asJob = (payload: unknown) => ({ arbor, payload: toWire(payload, (t) => ({ $blob: tensorBlob(t).hash })) });
// Jobs would be retried this often on an ordinary error; a refusal must not use a second.
const OPTS = { attempts: 5, backoff: { type: "fixed", delay: 100 } };

let server: RedisServer;
let redis: Redis;
let queue: Queue;
let worker: QueueWorker;
const logs: string[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.port, "127.0.0.1");
  queue = new Queue("w", { connection: { host: "127.0.0.1", port: server.port }, prefix: "arbor" });
  worker = await startQueueWorker({ redis: parseRedisUrl(server.url), queueName: "w", threads: 2, name: "tester", log: (l) => void logs.push(l) });
}, QUEUE_TEST_TIMEOUT);

afterAll(async () => {
  await worker?.close();
  await queue?.close();
  redis?.disconnect();
  await server?.stop();
}, QUEUE_TEST_TIMEOUT);

// The job once it has finished (completed or failed for good).
async function settled(id: string, timeoutMs = 15_000): Promise<Job> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const state = await queue.getJobState(id);
    if (state === "completed" || state === "failed") return (await Job.fromId(queue, id))!;
    if (Date.now() > end) throw new Error(`job ${id} still ${state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a queue worker", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  it("runs evaluations as in-process, bit for bit, fetching the target once", async () => {
    await redis.set(`arbor:blob:${blob.hash}`, Buffer.from(blob.bytes));
    const seeds = [11, 12, 13];
    await Promise.all(seeds.map((seed) => queue.add("search/evaluate", asJob(evaluation(seed)), { ...OPTS, jobId: `eval-${seed}` })));
    for (const seed of seeds) {
      const job = await settled(`eval-${seed}`);
      expect(job.processedBy).toBe("tester");
      const got = fromWire(job.returnvalue, tensorFromInline) as EvaluationOutput;
      const want = runEvaluation(evaluation(seed));
      expect(Object.is(got.rse, want.rse)).toBe(true);
      got.cores.forEach((c: Tensor, v) => expect([...c.data]).toEqual([...want.cores[v]!.data]));
    }
    expect(worker.cache.fetched.blobs).toBe(1);
    expect(logs.filter((l) => l.startsWith("fetched blob"))).toHaveLength(1);
  });

  it("refuses unknown, malformed and foreign jobs at once, without retries, and goes on", async () => {
    const corrupt = tensorBlob(target).hash.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    await redis.set(`arbor:blob:${corrupt}`, Buffer.from(blob.bytes));
    const bad = NetworkStructure.tensorTrain([3, 4, 3], 2).ranks();
    bad[0]![1] = 3; // asymmetric
    const cases: [string, string, unknown, RegExp][] = [
      ["unknown", "shell/exec", asJob({ cmd: "touch /tmp/pwned" }), /unknown job type "shell\/exec": arbor workers run only/],
      ["asymmetric", "search/evaluate", asJob({ ...evaluation(1), ranks: bad }), /bad structure: .*symmetric/],
      ["no-target", "search/evaluate", asJob({ ...evaluation(1), target: 7 }), /target must be a real \(f64\) tensor/],
      ["version", "search/evaluate", { ...asJob(evaluation(1)), arbor: "0.0.0-other" }, /submitted by arbor "0.0.0-other" and this worker runs arbor/],
      ["not-arbor", "search/evaluate", "rm -rf /", /its data is not an arbor job/],
      ["bad-ref", "search/evaluate", { arbor, payload: { ...asJob(evaluation(1)).payload as object, target: { $blob: "../../etc/passwd" } } }, /is not a blob reference/],
      ["corrupt", "search/evaluate", { arbor, payload: { ...asJob(evaluation(1)).payload as object, target: { $blob: corrupt } } }, /corrupt or another blob/],
      ["bad-spin", "queue/echo", asJob({ value: 1, spinMs: -5 }), /spinMs must be in/],
    ];
    await Promise.all(cases.map(([id, name, data]) => queue.add(name, data, { ...OPTS, jobId: `bad-${id}` })));
    for (const [id, , , reason] of cases) {
      const job = await settled(`bad-${id}`);
      expect(await job.getState(), id).toBe("failed");
      expect(job.failedReason, id).toMatch(/^refused by arbor worker tester: /);
      expect(job.failedReason, id).toMatch(reason);
      expect(job.attemptsMade, id).toBe(1);
    }
    await queue.add("queue/echo", asJob({ value: 42 }), { ...OPTS, jobId: "after-refusals" });
    const ok = await settled("after-refusals");
    expect(ok.returnvalue).toEqual({ value: 42 });
  });

  it("retries a job whose blob Redis lost until the blob is back", async () => {
    const other = contractNetwork(TensorNetwork.random(planted, 4));
    const ob = tensorBlob(other);
    await queue.add("search/evaluate", asJob({ ...evaluation(3), target: other }), { ...OPTS, jobId: "lost-blob" });
    // Wait for a failed attempt, then store the blob as the submitter does on its next poll.
    for (let k = 0; (await Job.fromId(queue, "lost-blob"))!.attemptsMade === 0; k++) {
      if (k > 500) throw new Error("no attempt");
      await new Promise((r) => setTimeout(r, 10));
    }
    await redis.set(`arbor:blob:${ob.hash}`, Buffer.from(ob.bytes));
    const job = await settled("lost-blob");
    expect(await job.getState()).toBe("completed");
    expect(job.attemptsMade).toBeGreaterThanOrEqual(1);
    expect(logs.some((l) => /lost-blob.*is not in Redis/.test(l))).toBe(true);
  });

  it("gets the job of a worker killed mid-job run by another (stalled-job recovery)", async () => {
    const args = ["--queue-name", "stall", "--name", "doomed", "--lock-duration", "1000", "--stalled-interval", "500"];
    const doomed = await startWorker(server.url, args);
    const stall = new Queue("stall", { connection: { host: "127.0.0.1", port: server.port }, prefix: "arbor" });
    await stall.add("queue/echo", asJob({ value: 7, spinMs: 1500 }), { ...OPTS, jobId: "long" });
    for (let k = 0; (await stall.getJobState("long")) !== "active"; k++) {
      if (k > 500) throw new Error("the doomed worker never took the job");
      await new Promise((r) => setTimeout(r, 10));
    }
    await doomed.stop("SIGKILL");
    const rescuer = await startQueueWorker({ redis: parseRedisUrl(server.url), queueName: "stall", name: "rescuer", lockDurationMs: 1000, stalledIntervalMs: 500 });
    try {
      const end = Date.now() + 15_000;
      let job = (await Job.fromId(stall, "long"))!;
      while ((await job.getState()) !== "completed" && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 50));
        job = (await Job.fromId(stall, "long"))!;
      }
      expect(await job.getState()).toBe("completed");
      expect(job.returnvalue).toEqual({ value: 7 });
      expect(job.processedBy).toBe("rescuer");
      expect(job.stalledCounter).toBe(1);
      expect(rescuer.counts.completed).toBe(1);
    } finally {
      await rescuer.close();
      await stall.close();
    }
  });
});
