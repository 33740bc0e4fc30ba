// Completion with the per-sample work on a compute backend (BackendChainAls): on the f64 CPU
// backend it is ChainAls update for update; on the gpujs-cpu backend (the gpu.js kernels, f32)
// it follows the same path within f32 rounding; and the default path is unchanged.
import { afterAll, describe, expect, it } from "vitest";
import { CpuBackend } from "../../src/backend/compute/cpu.js";
import { WorkerBackend } from "../../src/backend/gpu/worker-backend.js";
import { completeTensor } from "../../src/completion/complete.js";
import { sampleObserved } from "../../src/search/fit/observed.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";

const gj = WorkerBackend.open({ mode: "gpujs-cpu" });
afterAll(() => gj.dispose());

const cases = [
  { name: "train 6⁴ rank 2", structure: NetworkStructure.tensorTrain([6, 6, 6, 6], 2), format: "tt" as const },
  { name: "ring 5⁴ rank 2", structure: NetworkStructure.tensorRing([5, 5, 5, 5], 2), format: "tr" as const },
];

describe("completion on a compute backend", () => {
  for (const c of cases) {
    const x = TensorNetwork.random(c.structure, 1).toFull();
    const observed = sampleObserved(x, 0.4, 2);
    const options = { structure: { format: c.format, rank: 2 }, maxSweeps: 12, targetRse: 0, seed: 3, restarts: 0 };

    it(`${c.name}: the f64 CPU backend gives the default path's errors, sweep by sweep`, () => {
      const ref = completeTensor(observed, options);
      const cpu = new CpuBackend();
      const run = completeTensor(observed, { ...options, backend: cpu });
      expect(run.backend).toMatchObject({ name: "cpu", precision: "f64" });
      expect(ref.backend.reason).toBe("default");
      expect(run.records.length).toBe(ref.records.length);
      run.records.forEach((r, i) => expect(Math.abs(r.trainRse - ref.records[i]!.trainRse), `sweep ${i + 1}`).toBeLessThan(1e-9 * Math.max(1, ref.records[i]!.trainRse)));
    });

    it(`${c.name}: the gpujs-cpu backend (f32 kernels) follows within f32 rounding and recovers the tensor`, () => {
      const ref = completeTensor(observed, options);
      const run = completeTensor(observed, { ...options, backend: gj });
      expect(run.backend).toMatchObject({ name: "gpujs-cpu", precision: "f32" });
      // Early sweeps agree to f32 accuracy, relative to the error itself or 1e-4 absolute.
      for (let i = 0; i < 4; i++) expect(Math.abs(run.records[i]!.trainRse - ref.records[i]!.trainRse), `sweep ${i + 1}`).toBeLessThan(1e-3 * ref.records[i]!.trainRse + 1e-4);
      expect(run.validationRse!).toBeLessThan(Math.max(1e-3, 10 * ref.validationRse!));
      expect(gj.disposed).toBe(false); // a backend the caller passed is the caller's
    });
  }

  it("backend \"cpu\" by name and the default both run the CPU code path", () => {
    const x = TensorNetwork.random(cases[0]!.structure, 1).toFull();
    const observed = sampleObserved(x, 0.4, 2);
    const run = completeTensor(observed, { structure: { format: "tt", rank: 2 }, maxSweeps: 2, backend: "cpu" });
    expect(run.backend).toMatchObject({ name: "cpu", device: "the CPU code path" });
    const auto = completeTensor(observed, { structure: { format: "tt", rank: 2 }, maxSweeps: 2, backend: "auto", precision: "f32" });
    expect(auto.backend.name).toBe("cpu");
    expect(auto.backend.reason).toMatch(/no crossover measured/);
  });
});
