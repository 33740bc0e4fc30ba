// The synchronous backends: the gpujs-cpu backend through its worker thread against the f64
// CPU backend (f32 tolerance 1e-5·√k), the selection rules, dispose, and — on Dawn's null
// device, where shaders compile but nothing runs — the whole WebGPU path: every gpu.js kernel
// translated to WGSL and compiled, every tiled WGSL GEMM compiled.
import { afterAll, describe, expect, it } from "vitest";
import { GpuUnavailableError, gemmOnHost, type ComputeBackend } from "../../../src/backend/compute/backend.js";
import { CpuBackend } from "../../../src/backend/compute/cpu.js";
import { loadCrossovers, MEASURED_CROSSOVERS, selectBackend } from "../../../src/backend/compute/select.js";
import { WorkerBackend } from "../../../src/backend/gpu/worker-backend.js";
import { GEMM_TILINGS } from "../../../src/backend/gpu/wgsl-gemm.js";
import { ArborError } from "../../../src/errors.js";
import { hasAdapter, hasNullDevice } from "./adapters.js";
import { f32Tolerance, relErr, uniform } from "./helpers.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cpu = new CpuBackend();
const opened: ComputeBackend[] = [];
afterAll(() => opened.forEach((b) => b.dispose()));

describe("the gpujs-cpu backend (gpu.js cpu mode in a worker thread, called synchronously)", () => {
  const gj = WorkerBackend.open({ mode: "gpujs-cpu" });
  opened.push(gj);

  it("names itself and its precision", () => {
    expect(gj.name).toBe("gpujs-cpu");
    expect(gj.precision).toBe("f32");
    expect(gj.device).toMatch(/gpu\.js cpu mode/);
  });

  it("GEMM matches the CPU within f32 tolerance", () => {
    const m = 20, n = 30, k = 50;
    const A = uniform(m * k, 1), B = uniform(k * n, 2);
    expect(relErr(gemmOnHost(gj, { m, n, k, transB: true }, A, B), gemmOnHost(cpu, { m, n, k, transB: true }, A, B))).toBeLessThan(f32Tolerance(k));
  });

  it("keeps arrays in the worker across calls: a chain of batched products on resident arrays", () => {
    const batch = 40, r = 3, stride = 9;
    const run = (be: ComputeBackend): Float64Array => {
      const X = be.upload(uniform(batch * stride, 7)), T = be.upload(uniform(5 * r * r, 8));
      const idx = be.upload(Float64Array.from({ length: batch }, (_, t) => t % 5));
      const Y = be.zeros(batch * stride), Z = be.zeros(batch * stride);
      const step = (src: typeof X, dst: typeof X) => be.batchedGemm({ batch, m: r, n: r, k: r, cStride: stride, c: dst, a: { array: src, stride }, b: { array: T, stride: r * r, gather: { index: idx, step: 1, at: 0 } } });
      step(X, Y);
      step(Y, Z);
      step(Z, Y);
      const out = be.read(Y);
      [X, T, idx, Y, Z].forEach((a) => be.free(a));
      return out;
    };
    expect(relErr(run(gj), run(cpu))).toBeLessThan(f32Tolerance(27));
  });

  it("reads, writes at offsets and frees; rejects foreign and freed arrays", () => {
    const a = gj.upload([1, 2, 3, 4, 5]);
    gj.write(a, [7, 8], 2);
    expect([...gj.read(a)]).toEqual([1, 2, 7, 8, 5]);
    expect([...gj.read(a, 1, 2)]).toEqual([2, 7]);
    expect(() => gj.write(a, [1, 2], 4)).toThrow(/writing 2 elements at 4/);
    expect(() => gj.read(cpu.upload([1]))).toThrow(/another backend/);
    gj.free(a);
    gj.free(a);
    expect(() => gj.read(a)).toThrow(/freed/);
  });

  it("reports a bad batch spec before calling the worker", () => {
    const c = gj.zeros(4);
    expect(() => gj.batchedGemm({ batch: 2, m: 1, n: 1, k: 1, cStride: 1, c, a: { array: c, stride: 1 }, b: { array: c, stride: 1 } })).toThrow(/expected batch·cStride = 2/);
  });

  it("is unusable after dispose, which is idempotent", () => {
    const b = WorkerBackend.open({ mode: "gpujs-cpu" });
    const x = b.upload([1]);
    b.dispose();
    b.dispose();
    expect(b.disposed).toBe(true);
    expect(() => b.read(x)).toThrow(ArborError);
    expect(() => b.upload([1])).toThrow(/after dispose/);
  });
});

describe("backend selection", () => {
  const table = { device: "test GPU", measured: "2026-01-01", crossovers: { gemm: 1024, "completion-sweep": 100_000, "fit-sweep": null } };

  it("cpu by name; auto picks the cpu for f64, for no measured table, below the crossover and where the GPU never won", () => {
    const cases: [Parameters<typeof selectBackend>[0], RegExp][] = [
      [{ backend: "cpu" }, /cpu asked for/],
      [{}, /f64 precision/],
      [{ backend: "auto", precision: "f64", crossovers: table, operation: "gemm", size: 1e6 }, /f64 precision/],
      [{ backend: "auto", precision: "f32", crossovers: null, operation: "gemm", size: 1e6 }, /no crossover measured/],
      [{ backend: "auto", precision: "f32", crossovers: table }, /no operation size/],
      [{ backend: "auto", precision: "f32", crossovers: table, operation: "gemm", size: 512 }, /below the measured crossover 1024/],
      [{ backend: "auto", precision: "f32", crossovers: table, operation: "fit-sweep", size: 1e9 }, /never beat the CPU at fit-sweep/],
    ];
    for (const [options, reason] of cases) {
      const s = selectBackend(options);
      expect(s.backend.name, JSON.stringify(options)).toBe("cpu");
      expect(s.reason).toMatch(reason);
      s.backend.dispose();
    }
  });

  it("the built-in table is empty until a GPU has been measured, so auto never picks the GPU", () => {
    expect(MEASURED_CROSSOVERS).toBeNull();
    const s = selectBackend({ backend: "auto", precision: "f32", operation: "gemm", size: 1e9 });
    expect(s.backend.name).toBe("cpu");
  });

  it.skipIf(hasAdapter)("auto above the crossover without an adapter falls back to the cpu silently, saying why", () => {
    const s = selectBackend({ backend: "auto", precision: "f32", crossovers: table, operation: "gemm", size: 4096 });
    expect(s.backend.name).toBe("cpu");
    expect(s.reason).toMatch(/the GPU cannot run \((no WebGPU adapter|the optional package)/);
  });

  it.skipIf(hasAdapter)("gpu by name without an adapter fails with a clear reason", () => {
    let caught: unknown;
    try {
      selectBackend({ backend: "gpu" });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GpuUnavailableError);
    expect((caught as GpuUnavailableError).code).toBe("E_GPU_UNAVAILABLE");
    expect((caught as Error).message).toMatch(/no WebGPU adapter: Dawn found no usable GPU|the optional package/);
  });

  it("gpu by name with f64 precision fails, saying the GPU computes in f32 only", () => {
    expect(() => selectBackend({ backend: "gpu", precision: "f64" })).toThrow(/f32 only \(WebGPU has no f64\)/);
  });

  it("rejects unknown names", () => {
    expect(() => selectBackend({ backend: "tpu" as never })).toThrow(/unknown backend "tpu"/);
  });

  it("reads crossovers from a benchmark result file or a bare table", () => {
    const dir = mkdtempSync(join(tmpdir(), "arbor-gpu-"));
    writeFileSync(join(dir, "gpu.json"), JSON.stringify([{ kind: "gemm" }, { kind: "summary", device: "x", crossovers: table }]));
    writeFileSync(join(dir, "table.json"), JSON.stringify(table));
    expect(loadCrossovers(join(dir, "gpu.json")).crossovers.gemm).toBe(1024);
    expect(loadCrossovers(join(dir, "table.json")).device).toBe("test GPU");
    writeFileSync(join(dir, "bad.json"), "{}");
    expect(() => loadCrossovers(join(dir, "bad.json"))).toThrow(/not a crossover table/);
  });
});

describe.skipIf(!hasNullDevice)("the WebGPU path on Dawn's null device (validation only: nothing executes)", () => {
  const gpu = hasNullDevice ? WorkerBackend.open({ mode: "gpu", dawn: ["backend=null"] }) : undefined;
  if (gpu !== undefined) opened.push(gpu);

  it("opens with the null adapter and names it", () => {
    expect(gpu!.name).toBe("gpu");
    expect(gpu!.device).toMatch(/WebGPU \(Dawn\).*backend=null/);
  });

  it("compiles every tiled WGSL GEMM variant", () => {
    for (const t of GEMM_TILINGS) for (const ta of [false, true]) for (const tb of [false, true]) expect(gpu!.compileTiled(t, ta, tb), JSON.stringify(t)).toEqual([]);
  });

  it("translates, compiles and dispatches every gpu.js kernel and the tiled GEMM without a validation error", () => {
    const A = gpu!.upload(uniform(128 * 96, 1)), B = gpu!.upload(uniform(96 * 80, 2));
    gpu!.free(gpu!.gemmWith({ m: 128, n: 80, k: 96 }, A, B, "tiled"));
    gpu!.free(gpu!.gemmWith({ m: 128, n: 80, k: 96, transB: false }, A, B, "gpujs"));
    const samples = 64, stride = 4;
    const P = gpu!.upload(uniform(samples * stride, 3)), Q = gpu!.upload(uniform(samples * stride, 4));
    const order = gpu!.upload(Float64Array.from({ length: samples }, (_, s) => s));
    const ne = gpu!.sliceNormalEquations({ samples, r0: 1, rl: 2, rr: 2, stride, P, Q, values: gpu!.upload(uniform(samples, 5)), order, starts: Int32Array.from([0, 32, 64]) });
    expect(ne.gram).toHaveLength(2 * 16);
    expect(ne.rhs).toHaveLength(2 * 4);
    const ls = gpu!.leastSquaresNormal(A, gpu!.upload(uniform(3 * 96, 6)), 128, 96, 3);
    expect(ls.gram).toHaveLength(128 * 128);
    gpu!.sync();
  });
});
