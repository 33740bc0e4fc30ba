// The "scale" suite on a tiny plan: every runner gives the in-process results, the queue's
// overhead is measured, and the tables show it all. Runs a real Redis and one arbor worker.
import { describe, expect, it } from "vitest";
import { runScaleBench, scalePlan, scaleTable, scaleWorkload, type OverheadRecord, type ScaleRecord } from "../../bench/scale.js";
import { SUITES } from "../../bench/suites.js";
import { QUEUE_TEST_TIMEOUT } from "../helpers/redis.js";

describe("the scale suite", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  it("is registered; the full plan compares 1, 2 and 4 worker processes with the pool of 2 threads", () => {
    expect(SUITES.scale).toBeDefined();
    expect(scalePlan(false)).toMatchObject({ redisWorkers: [1, 2, 4], poolThreads: 2 });
    const { structures } = scaleWorkload(20);
    expect(new Set(structures.map((s) => s.key())).size).toBe(20);
  });

  it("measures each runner with the in-process results, and the queue's overhead per job", () => {
    const plan = { batch: 3, batchRepeats: 1, searchEvaluations: 4, redisWorkers: [1], poolThreads: 2, echoJobs: 6, roundTrips: 3 };
    const { records, notes } = runScaleBench({ quick: true, threads: [1], progress: { enabled: false, line: () => {} }, warn: () => {} }, plan);
    const runs = records.filter((r): r is ScaleRecord => r.kind !== "overhead");
    expect(runs.map((r) => `${r.kind} ${r.runner} ${r.workers}`)).toEqual(["batch in-process 1", "search in-process 1", "batch pool 2", "search pool 2", "batch redis 1", "search redis 1"]);
    for (const r of runs) {
      expect(r.same_result, `${r.kind} ${r.runner}`).toBe(true);
      expect(r.evaluations_per_s).toBeCloseTo(r.evaluations / r.wall_s, 9);
    }
    expect(runs.filter((r) => r.kind === "batch").every((r) => r.evaluations === 3)).toBe(true);
    const overhead = records.filter((r): r is OverheadRecord => r.kind === "overhead");
    expect(overhead.map((r) => [r.mode, r.jobs])).toEqual([["batch", 6], ["round-trip", 3]]);
    expect(overhead.every((r) => r.ms_per_job > 0 && r.ms_per_job < 1000)).toBe(true);
    expect(notes.some((n) => n.startsWith("load average"))).toBe(true);
    const table = scaleTable(records);
    expect(table).toMatch(/TnALE search\s+redis\s+1\s+\d+/);
    expect(table).toMatch(/batch of 6 echo jobs\s+1\s+[\d.]+/);
  });
});
