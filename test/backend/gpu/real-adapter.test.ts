// Checks that need a real WebGPU adapter: every kernel of the gpu backend (gpu.js and the tiled
// WGSL GEMM) against the f64 CPU backend within f32 tolerances, and a completion run. Reported
// as skipped where no adapter answers (CI, this project's machines); on a lent GPU machine
// scripts/gpu-device-check.sh runs the same checks (bench/gpu-check.ts) without vitest.
import { afterAll, describe, expect, it } from "vitest";
import { gpuChecks } from "../../../bench/gpu-check.js";
import { WorkerBackend } from "../../../src/backend/gpu/worker-backend.js";
import { hasAdapter } from "./adapters.js";

describe.skipIf(!hasAdapter)("the gpu backend on a real adapter", () => {
  const gpu = hasAdapter ? WorkerBackend.open({ mode: "gpu" }) : undefined;
  afterAll(() => gpu?.dispose());

  it("names the adapter", () => {
    expect(gpu!.device).toMatch(/^WebGPU \(Dawn\): /);
  });

  it("every kernel matches the f64 CPU backend within f32 tolerance", { timeout: 600_000 }, () => {
    const results = gpuChecks(gpu!);
    for (const r of results) expect(r.error, r.name).toBeLessThanOrEqual(r.tolerance);
  });
});

describe("the device checks themselves, on the gpujs-cpu backend at small sizes", () => {
  it("pass", { timeout: 120_000 }, () => {
    const gj = WorkerBackend.open({ mode: "gpujs-cpu" });
    try {
      const results = gpuChecks(gj, true);
      expect(results.length).toBeGreaterThan(8);
      for (const r of results) expect(r.error, r.name).toBeLessThanOrEqual(r.tolerance);
    } finally {
      gj.dispose();
    }
  });
});
