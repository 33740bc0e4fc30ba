import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runNumpy } from "../../bench/numpy.js";
import {
  arborFit, fitCase, historyDiff, numpyFitCase, plantedObjective, runSearchBench, searchPlan, searchTable, underRanked, writeFitCase,
  type EvaluationRecord, type FitRecord, type NumpyFitValues, type RingTask, type SearchBenchRecord, type SearchPlan, type SearchRunRecord, type SpeedupRecord,
} from "../../bench/search.js";
import { SUITES } from "../../bench/suites.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { numpyUnavailable } from "../helpers/python.js";

const FIT_KEYS = ["arbor_ms", "arbor_ms_per_sweep", "dims", "entries", "history_diff", "kind", "numpy_ms", "numpy_ms_per_sweep", "numpy_rse", "order", "parameters", "ranks", "ratio", "rse", "sweeps", "task", "threads"];
const EVALUATION_KEYS = ["arbor_ms", "authors_over_arbor", "authors_s", "escapes", "fit_sweeps", "kind", "order", "parameters", "restarts", "rse", "structure", "task", "threads"];
const SEARCH_KEYS = ["authors_equivalent_s", "evaluation_cap", "evaluations", "kind", "method", "ms_per_evaluation", "objective", "parameters", "planted_parameters", "rse", "settings", "structure", "success", "task", "wall_s", "workers"];
const SPEEDUP_KEYS = ["evaluations", "kind", "method", "runs", "same_result", "speedup", "structure", "task", "wall_s_1", "wall_s_2", "worker_share"];

describe("suite plan", () => {
  it("is registered; the full plan times order 4, 5, 6 and searches the demo ring and a hidden 4^5 ring", () => {
    expect(SUITES.search).toBeDefined();
    const full = searchPlan(false);
    expect(full.fits.map((t) => t.dims.length)).toEqual([4, 5, 6]);
    expect(full.searches.map((s) => (s.target.kind === "demo" ? "demo" : s.target.ring.name))).toEqual(["demo", "ring 4^5"]);
    expect(full.searches.every((s) => s.tnale && s.tnls && s.greedy)).toBe(true);
    // --quick: no demo search, one tiny ring.
    expect(searchPlan(true).searches.every((s) => s.target.kind === "ring" && s.target.ring.dims.join() === "4,4,4,4")).toBe(true);
  });

  it("lowers the largest bond for the under-ranked evaluation, and computes the stopping objective", () => {
    const s = NetworkStructure.tensorRing([4, 4, 4, 4], [2, 4, 3, 2]);
    const u = underRanked(s);
    expect(u.rank(1, 2)).toBe(3);
    expect(u.ranks().flat().reduce((a, b) => a + b, 0)).toBe(s.ranks().flat().reduce((a, b) => a + b, 0) - 2);
    expect(() => underRanked(NetworkStructure.tensorRing([3, 3, 3], 2))).toThrow(/no bond above rank 2/);
    expect(plantedObjective(126, 729)).toBeCloseTo(126 / 729 + 200e-8, 15);
    expect(historyDiff([1, 0.5], [1, 0.25])).toBe(0.25);
    expect(historyDiff([1], [1, 2])).toBeNull();
  });
});

describe("searchTable", () => {
  it("shows one table per kind of record, with footnotes", () => {
    const fit: FitRecord = {
      kind: "fit", task: "ring 6^4", order: 4, dims: [6, 6, 6, 6], ranks: [3, 4, 3, 2], parameters: 216, entries: 1296, threads: 1, sweeps: 50,
      arbor_ms: 100, numpy_ms: 25, ratio: 4, arbor_ms_per_sweep: 2, numpy_ms_per_sweep: 0.5, rse: 1e-10, numpy_rse: 1e-10, history_diff: 1e-14,
    };
    const evaluation: EvaluationRecord = { kind: "evaluation", task: "ring 6^4", order: 4, structure: "planted", parameters: 216, restarts: 2, fit_sweeps: 150, escapes: 3, threads: 1, arbor_ms: 120, rse: 1e-7, authors_s: 12, authors_over_arbor: 100 };
    const search: SearchRunRecord = {
      kind: "search", task: "T", method: "tnale", settings: "s", workers: 1, evaluations: 85, evaluation_cap: 400, wall_s: 60, ms_per_evaluation: 705.9,
      parameters: 126, planted_parameters: 126, rse: 5e-7, objective: 0.17, success: true, structure: "n=3", authors_equivalent_s: 1020,
    };
    const speedup: SpeedupRecord = { kind: "speedup", task: "T", method: "tnale", evaluations: 85, runs: 2, wall_s_1: 60, wall_s_2: 40, speedup: 1.5, same_result: true, structure: "n=3", worker_share: 0.45 };
    const lines = searchTable([fit, evaluation, search, speedup]).split("\n");
    expect(lines[0]).toMatch(/^fit \(ALS\)\s+ranks\s+params\s+threads\s+sweeps\s+arbor ms\s+numpy ms\s+ratio\s+arbor ms\/sweep\s+numpy ms\/sweep\s+RSE\s+max \|ΔRSE\| vs numpy$/);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(["ring 6^4", "3,4,3,2", "216", "1", "50", "100", "25.0", "4.00", "2.00", "0.500", "1.0e-10", "1.0e-14"]);
    expect(lines.find((l) => /^ring 6\^4\s+planted/.test(l))?.split(/\s{2,}/)).toEqual(["ring 6^4", "planted", "216", "1", "120", "1.0e-7", "≈12", "100×"]);
    expect(lines.find((l) => l.startsWith("T "))?.split(/\s{2,}/)).toEqual(["T", "tnale", "1", "85 (cap 400)", "60.0", "706", "126", "126", "5.0e-7", "yes", "≈17.0 min"]);
    expect(lines.find((l) => l.startsWith("tnale on T"))?.split(/\s{2,}/)).toEqual(["tnale on T", "85", "2", "60.0", "40.0", "1.50", "yes", "45%", "n=3"]);
    expect(lines.some((l) => l.startsWith("search: success = parameters ≤ planted"))).toBe(true);
  });
});

const skipReason = numpyUnavailable();

describe.skipIf(skipReason !== null)(`numpy_search.py runs arbor's ALS (ring 3^4, hidden modes)${skipReason === null ? "" : ` — skipped: ${skipReason}`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "arbor-search-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the same error after every sweep, from the same start", () => {
    // Rank 3 on one bond, so the layout of cores with unequal bonds is exercised too.
    const task: RingTask = { name: "ring 3^4", dims: [3, 3, 3, 3], ranks: [2, 3, 2, 2], seed: 4, hidden: true };
    const c = fitCase(task);
    expect(c.structure.perm).not.toEqual([0, 1, 2, 3]);
    writeFitCase(dir, task, c);
    const fit = arborFit(c.structure, c.tensor, c.start, 12);
    const once = { warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 };
    const r = runNumpy("numpy_search.py", { dir, timing: once, progress: false, cases: [numpyFitCase(task, c.structure, fit.sweeps)] }, 1);
    if (!r.ok) throw new Error(r.reason);
    expect(r.output.times_ms).toHaveLength(1);
    const [values] = (r.output as unknown as { values: NumpyFitValues[] }).values;
    expect(values!.history).toHaveLength(fit.sweeps);
    expect(fit.history[0]).toBeGreaterThan(1e-3); // the check compares a real descent, not zeros
    expect(historyDiff(fit.history, values!.history)).toBeLessThan(1e-10);
  });
});

describe("a run on tiny inputs", () => {
  const tiny: RingTask = { name: "ring 3^3", dims: [3, 3, 3], ranks: [2, 3, 2], seed: 1, hidden: true };
  const plan: SearchPlan = {
    fits: [tiny],
    fitSweeps: 8,
    evaluations: [tiny],
    evaluationStructures: ["planted", "under-ranked"],
    searches: [{ target: { kind: "ring", ring: { name: "ring 3^3", dims: [3, 3, 3], ranks: [2, 2, 2], seed: 2, hidden: true } }, tnale: { maxEvaluations: 10 }, tnls: { maxEvaluations: 10, samples: 5 }, greedy: true, speedup: true }],
  };
  const warnings: string[] = [];
  let records: SearchBenchRecord[] = [];

  it("writes records of every kind with the documented fields", () => {
    ({ records } = runSearchBench({ quick: true, threads: [1], progress: { enabled: false, line: () => {} }, warn: (m) => void warnings.push(m) }, plan));
    const kinds = (k: string) => records.filter((r) => r.kind === k);
    expect(kinds("fit")).toHaveLength(1);
    expect(kinds("evaluation")).toHaveLength(2);
    expect(kinds("search").map((r) => [(r as SearchRunRecord).method, (r as SearchRunRecord).workers])).toEqual([["tnale", 1], ["tnale", 2], ["tnls", 1], ["greedy", 1]]);
    expect(kinds("speedup")).toHaveLength(1);
    for (const r of kinds("fit")) expect(Object.keys(r).sort()).toEqual(FIT_KEYS);
    for (const r of kinds("evaluation")) expect(Object.keys(r).sort()).toEqual(EVALUATION_KEYS);
    for (const r of kinds("search")) expect(Object.keys(r).sort()).toEqual(SEARCH_KEYS);
    for (const r of kinds("speedup")) expect(Object.keys(r).sort()).toEqual(SPEEDUP_KEYS);
    expect(JSON.parse(JSON.stringify(records))).toEqual(records);
    expect(searchTable(records).split("\n").length).toBeGreaterThan(10);
  }, 120_000);

  it("agrees with numpy on the fit, and TnALE finds the same with 1 and 2 workers", () => {
    const fit = records.find((r): r is FitRecord => r.kind === "fit")!;
    expect(fit.sweeps).toBeGreaterThan(0);
    expect(fit.sweeps).toBeLessThanOrEqual(8);
    if (skipReason === null) {
      expect(warnings).toEqual([]);
      expect(fit.history_diff).toBeLessThan(1e-8);
      expect(fit.ratio).toBe(fit.arbor_ms / fit.numpy_ms!);
    } else expect(fit.numpy_ms).toBeNull();
    const speedup = records.find((r): r is SpeedupRecord => r.kind === "speedup")!;
    expect(speedup.same_result).toBe(true);
    expect(speedup.worker_share).toBeGreaterThan(0); // the worker thread really fitted some
    const [one, two] = records.filter((r): r is SearchRunRecord => r.kind === "search" && r.method === "tnale");
    expect(two!.structure).toBe(one!.structure);
    expect(speedup.structure).toBe(one!.structure);
    for (const r of records.filter((r): r is SearchRunRecord => r.kind === "search")) {
      expect(r.success).toBe(r.parameters <= r.planted_parameters && r.rse <= 1e-4);
      if (r.evaluation_cap !== null) expect(r.evaluations).toBeLessThanOrEqual(r.evaluation_cap);
    }
  });
});
