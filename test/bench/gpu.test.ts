// The "gpu" suite on a tiny plan: CPU and gpu.js cpu-mode rows, the GPU left out with the reason
// when no adapter answers, and — on Dawn's null device, where nothing executes — every GPU row
// and the crossover table (the timings of that run mean nothing).
import { describe, expect, it } from "vitest";
import { crossover, gpuPlan, gpuTable, runGpuBench, type GemmRecord, type GpuPlan, type SummaryRecord, type SweepRecord } from "../../bench/gpu.js";
import { SUITES } from "../../bench/suites.js";
import { hasAdapter, hasNullDevice } from "../backend/gpu/adapters.js";

const quiet = { quick: true, threads: [1], progress: { enabled: false, line: () => {} }, warn: () => {} };
const tiny: GpuPlan = {
  gemm: { cpu: [16, 32], gpujs: [16], gpu: [16, 64] },
  completion: { dims: [4, 4, 4], rank: 2, entries: [300], gpujsEntries: [300] },
  fit: { dims: [[3, 3, 3]], rank: 2, gpujsMax: 100 },
  timing: { warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 },
  cpuThreads: 1,
  sweepTiming: { warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 },
};

describe("the gpu suite", () => {
  it("is registered; the full plan runs GEMM up to 8192 on the GPU and a completion sweep of 10⁶ entries", () => {
    expect(SUITES.gpu).toBeDefined();
    const full = gpuPlan(false);
    expect(full.gemm.gpu.at(-1)).toBe(8192);
    expect(full.gemm.gpu[0]).toBe(256);
    expect(full.completion.entries).toContain(1_000_000);
  });

  it("finds the crossover: the smallest size from which the GPU wins at every larger size", () => {
    const m = (pairs: [number, number][]) => new Map(pairs);
    expect(crossover(m([[1, 1], [2, 2], [4, 4]]), m([[1, 5], [2, 1], [4, 1], [8, 1]]))).toBe(2);
    expect(crossover(m([[1, 1], [2, 2]]), m([[1, 5], [2, 1], [4, 9]]))).toBe(2); // 4: GPU only, counts as the last common size's win
    expect(crossover(m([[1, 1], [2, 2]]), m([[1, 0.5], [2, 3]]))).toBeNull();
    expect(crossover(m([[1, 1]]), m([[1, 2], [4, 1]]))).toBeNull();
  });

  it.skipIf(hasAdapter)("without an adapter: CPU and gpu.js cpu-mode rows, the GPU left out and the summary saying why", () => {
    const warnings: string[] = [];
    const { records } = runGpuBench({ ...quiet, warn: (w) => warnings.push(w) }, tiny);
    const gemm = records.filter((r): r is GemmRecord => r.kind === "gemm");
    expect(gemm.map((r) => `${r.backend}/${r.kernel}/${r.n}`)).toEqual(["cpu/wasm-f64/16", "cpu/wasm-f64/32", "gpujs-cpu/gpujs/16"]);
    expect(gemm.find((r) => r.backend === "gpujs-cpu")!.rel_err!).toBeLessThan(1e-5 * 4);
    const sweeps = records.filter((r): r is SweepRecord => r.kind !== "gemm" && r.kind !== "summary");
    expect(sweeps.map((r) => `${r.kind}/${r.backend}`)).toEqual(["completion-sweep/cpu", "completion-sweep/gpujs-cpu", "fit-sweep/cpu", "fit-sweep/gpujs-cpu"]);
    const summary = records.find((r): r is SummaryRecord => r.kind === "summary")!;
    expect(summary.device).toMatch(/^no adapter: /);
    expect(summary.crossovers).toBeNull();
    expect(warnings.join()).toMatch(/GPU rows are left out/);
    expect(gpuTable(records)).toMatch(/crossovers: none \(no GPU measured\)/);
  });

  it.skipIf(!hasNullDevice)("on Dawn's null device: both GPU GEMM kernels, GPU sweeps and a crossover table", () => {
    // Nothing executes there: reads return garbage, so a fitting sweep's solve may fail (a
    // failed row is left out with a note); the rows and the table are what is checked.
    const { records } = runGpuBench(quiet, { ...tiny, dawn: ["backend=null"] });
    const gpuGemm = records.filter((r): r is GemmRecord => r.kind === "gemm" && r.backend === "gpu");
    expect(gpuGemm.map((r) => `${r.kernel}/${r.n}`)).toEqual(["gpujs/16", "tiled-wgsl/16", "gpujs/64", "tiled-wgsl/64"]);
    expect(records.some((r) => r.kind === "completion-sweep" && r.backend === "gpu")).toBe(true);
    const summary = records.find((r): r is SummaryRecord => r.kind === "summary")!;
    expect(summary.device).toMatch(/backend=null/);
    expect(Object.keys(summary.crossovers!.crossovers).sort()).toEqual(["completion-sweep", "fit-sweep", "gemm"]);
  });
});
