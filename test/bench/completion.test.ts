import { describe, expect, it } from "vitest";
import {
  completionPlan, completionTable, historyDiff, meanTrain, perSweep, referenceCores, runCompletionBench, sampleCoordinates, sweepsToTarget,
  type CompletionBenchRecord, type CompletionPlan, type RecoveryRecord, type ScaleRecord,
} from "../../bench/completion.js";
import { SUITES } from "../../bench/suites.js";
import { networkEntries } from "../../src/search/network/entries.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { numpyUnavailable } from "../helpers/python.js";

const RECOVERY_KEYS = [
  "arbor_ms", "arbor_rse", "arbor_rse_history", "arbor_s_to_target", "arbor_sweeps_per_s", "arbor_sweeps_to_target", "dims", "entries", "history_diff", "kind", "missing",
  "numpy_ms", "numpy_rse", "numpy_rse_history", "numpy_s_to_target", "numpy_sweeps_per_s", "numpy_sweeps_to_target", "observed", "parameters", "ranks", "ratio", "sweeps",
  "target_rse", "task", "threads",
];
const SCALE_KEYS = [
  "arbor_s_per_sweep", "array_buffers_baseline_mb", "array_buffers_peak_mb", "data_s", "dims", "entries", "heap_baseline_mb", "heap_peak_mb", "held_out", "history_diff",
  "kind", "numpy_note", "numpy_rss_baseline_mb", "numpy_rss_peak_mb", "numpy_s_per_sweep", "numpy_sweeps", "numpy_test_rse", "numpy_train_rse_history", "observed",
  "parameters", "ranks", "ratio", "ridge_start", "rss_baseline_mb", "rss_peak_mb", "setup_s", "sweeps", "task", "test_rse", "threads", "train_rse", "train_rse_history",
];

const finite = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x);

describe("suite plan and helpers", () => {
  it("is registered; the full plan is the issue's 8^6 task and 10^6 entries of a 16^10 train", () => {
    expect(SUITES.completion).toBeDefined();
    const full = completionPlan(false);
    const [recovery] = full.recovery, [scale] = full.scale;
    expect(recovery!.dims).toEqual([8, 8, 8, 8, 8, 8]);
    expect([recovery!.rank, recovery!.fraction, recovery!.targetRse]).toEqual([4, 0.05, 1e-4]);
    expect(scale!.dims.reduce((p, n) => p * n, 1)).toBeGreaterThanOrEqual(1e12);
    expect(scale!.observed).toBe(1_000_000);
    // --quick: the same recovery task, fewer observed entries of the same shape.
    const quick = completionPlan(true);
    expect(quick.recovery).toEqual(full.recovery);
    expect(quick.scale[0]!.dims).toEqual(scale!.dims);
    expect(quick.scale[0]!.observed).toBeLessThan(scale!.observed);
  });

  it("draws distinct sorted coordinates in range, and lays cores out as the numpy reference reads them", () => {
    const dims = [7, 5, 9];
    const [a, b] = sampleCoordinates(dims, 200, 150, 4);
    expect([a.length, b.length]).toEqual([150 * 3, 50 * 3]);
    const offsets = (idx: Int32Array): number[] => Array.from({ length: idx.length / 3 }, (_, s) => (idx[3 * s]! * 5 + idx[3 * s + 1]!) * 9 + idx[3 * s + 2]!);
    const all = [...offsets(a), ...offsets(b)];
    expect(new Set(all).size).toBe(200);
    expect(all.every((o) => o >= 0 && o < 315)).toBe(true);
    expect(offsets(a)).toEqual(offsets(a).slice().sort((x, y) => x - y));
    expect(() => sampleCoordinates([2, 2], 5, 5, 1)).toThrow(/cannot draw 5 distinct entries of 4/);

    const s = NetworkStructure.tensorTrain([3, 4, 2, 3], [2, 3, 2]);
    const net = TensorNetwork.random(s, 3);
    const cores = referenceCores(net);
    expect(cores.map((c) => c.shape)).toEqual([[1, 3, 2], [2, 4, 3], [3, 2, 2], [2, 3, 1]]);
    // Entry (2, 1, 0, 2) as the product of the (left, right) matrices at those indices.
    const at = [2, 1, 0, 2];
    let row = [1];
    cores.forEach(({ shape: [rl, n, rr], data }, k) => {
      row = Array.from({ length: rr }, (_, b) => row.reduce((sum, v, a) => sum + v * data[(a * n + at[k]!) * rr + b]!, 0));
      expect(row).toHaveLength(rr);
      expect(rl).toBe(k === 0 ? 1 : s.rank(k, k - 1));
    });
    expect(row[0]).toBeCloseTo(networkEntries(net, [at]).data[0]!, 12);

    // The mean train: entries near 1 (the means telescope to 1, the noise is small).
    const mean = meanTrain(NetworkStructure.tensorTrain([6, 6, 6, 6], 3), 0.01, 1).toFull();
    expect(Math.max(...Array.from(mean.data, (x) => Math.abs(x - 1)))).toBeLessThan(0.2);
  });

  it("counts sweeps to a target, seconds per sweep and history differences", () => {
    expect(sweepsToTarget([1, 0.1, 1e-5, 1e-6], 1e-4)).toBe(3);
    expect(sweepsToTarget([1, 0.1], 1e-4)).toBeNull();
    expect(perSweep([3, 4, 6])).toBe(1.5);
    expect(perSweep([2])).toBe(2);
    expect(historyDiff([1, 0.5, 0.1], [1, 0.25])).toBe(0.25);
    expect(historyDiff([], [1])).toBeNull();
  });
});

const skipReason = numpyUnavailable();

describe("a run on tiny inputs", () => {
  const plan: CompletionPlan = {
    recovery: [{ name: "tt 5^5 r2", dims: [5, 5, 5, 5, 5], rank: 2, fraction: 0.3, dataSeed: 1, sampleSeed: 3, startSeed: 2, sweeps: 24, targetRse: 1e-4 }],
    scale: [{
      name: "tt 16^10 r4", dims: Array.from({ length: 10 }, () => 16), rank: 4, observed: 5000, heldOut: 1000, sigma: 0.15, dataSeed: 1, sampleSeed: 7,
      startSigma: 0.15, startSeed: 2, ridgeStart: 1e-12, sweeps: 3, numpySweeps: 1,
    }],
  };
  const warnings: string[] = [];
  let records: CompletionBenchRecord[] = [];

  it("writes a record of each kind with the documented fields, and a table", () => {
    ({ records } = runCompletionBench({ quick: true, threads: [1], progress: { enabled: false, line: () => {} }, warn: (m) => void warnings.push(m) }, plan));
    expect(records.map((r) => r.kind)).toEqual(["recovery", "scale"]);
    expect(Object.keys(records[0]!).sort()).toEqual(RECOVERY_KEYS);
    expect(Object.keys(records[1]!).sort()).toEqual(SCALE_KEYS);
    expect(JSON.parse(JSON.stringify(records))).toEqual(records);
    const table = completionTable(records).split("\n");
    expect(table[0]).toMatch(/^recovery\s+threads\s+sweeps\s+arbor sweeps\/s\s+numpy sweeps\/s\s+ratio/);
    expect(table.some((l) => /^scale\s+entries\s+observed/.test(l))).toBe(true);
    expect(table.some((l) => l.startsWith("tt 16^10 r4") && l.includes("1.10e+12"))).toBe(true);
  }, 120_000);

  it("recovery: finite numbers, the error falls to the target, and numpy did the same work", () => {
    const r = records.find((x): x is RecoveryRecord => x.kind === "recovery")!;
    expect(r.entries).toBe(5 ** 5);
    expect(r.observed).toBe(Math.round(0.3 * 5 ** 5));
    expect(r.missing).toBeCloseTo(0.7, 3);
    for (const x of [r.arbor_ms, r.arbor_sweeps_per_s, r.arbor_rse, ...r.arbor_rse_history]) expect(finite(x)).toBe(true);
    expect(r.arbor_rse_history).toHaveLength(24);
    expect(r.arbor_rse).toBe(r.arbor_rse_history.at(-1));
    expect(r.arbor_rse).toBeLessThan(r.arbor_rse_history[0]! * 1e-3);
    expect(r.arbor_sweeps_to_target).toBe(sweepsToTarget(r.arbor_rse_history, 1e-4));
    expect(r.arbor_sweeps_to_target).not.toBeNull();
    expect(r.arbor_s_to_target!).toBeGreaterThan(0);
    expect(r.arbor_s_to_target!).toBeLessThanOrEqual(r.arbor_ms / 1000 + 1e-3);
    expect(r.arbor_sweeps_per_s).toBeCloseTo(24 / (r.arbor_ms / 1000), 2);
    if (skipReason === null) {
      expect(warnings).toEqual([]);
      expect(r.ratio).toBe(r.arbor_ms / r.numpy_ms!);
      expect(r.history_diff!).toBeLessThan(1e-10);
      expect(r.numpy_sweeps_to_target).toBe(r.arbor_sweeps_to_target);
      expect(Math.abs(r.numpy_rse! - r.arbor_rse)).toBeLessThan(1e-8);
      expect(r.numpy_s_to_target!).toBeGreaterThan(0);
    } else expect(r.numpy_ms).toBeNull();
  });

  it("scale: the shape has ≥ 10^12 entries, the error falls, and the peak memory is at least the baseline", () => {
    const r = records.find((x): x is ScaleRecord => x.kind === "scale")!;
    expect(r.entries).toBe(r.dims.reduce((p, n) => p * n, 1));
    expect(r.entries).toBeGreaterThanOrEqual(1e12);
    expect([r.observed, r.held_out, r.sweeps]).toEqual([5000, 1000, 3]);
    expect(r.parameters).toBe(2 * 16 * 4 + 8 * 16 * 16);
    for (const x of [r.arbor_s_per_sweep, r.setup_s, r.data_s, r.train_rse, r.test_rse, ...r.train_rse_history]) expect(finite(x)).toBe(true);
    expect(r.train_rse_history.at(-1)!).toBeLessThan(r.train_rse_history[0]!);
    expect(r.test_rse).toBeLessThan(1);
    expect(r.rss_baseline_mb).toBeGreaterThan(0);
    expect(r.rss_peak_mb).toBeGreaterThanOrEqual(r.rss_baseline_mb);
    expect(r.heap_peak_mb).toBeGreaterThanOrEqual(r.heap_baseline_mb);
    expect(r.array_buffers_peak_mb).toBeGreaterThanOrEqual(r.array_buffers_baseline_mb);
    if (skipReason === null) {
      expect(r.numpy_note).toBeNull();
      expect(r.numpy_sweeps).toBe(1);
      expect(r.history_diff!).toBeLessThan(1e-10);
      expect(finite(r.numpy_s_per_sweep) && finite(r.numpy_test_rse)).toBe(true);
      expect(r.numpy_rss_peak_mb!).toBeGreaterThanOrEqual(r.numpy_rss_baseline_mb!);
      expect(r.ratio).toBe(r.arbor_s_per_sweep / r.numpy_s_per_sweep!);
    } else expect(r.numpy_s_per_sweep).toBeNull();
  });
});
