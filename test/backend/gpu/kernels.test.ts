// The gpu.js kernels in gpu.js's cpu mode (the same source text gpu.js translates to WGSL),
// driven through the engine directly, against the f64 CPU backend within f32 tolerances
// (relative Frobenius error ≤ 1e-5·√k, k the length of the sums; see helpers.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CpuBackend } from "../../../src/backend/compute/cpu.js";
import { GpuEngine } from "../../../src/backend/gpu/engine.js";
import { f32Tolerance, relErr, uniform } from "./helpers.js";

let engine: GpuEngine;
const cpu = new CpuBackend();
let handle = 100;
const up = (data: ArrayLike<number>): number => {
  const h = handle++;
  engine.upload(h, Float32Array.from(data));
  return h;
};
const read = async (h: number, n: number): Promise<Float64Array> => Float64Array.from(await engine.read(h, 0, n));

beforeAll(async () => {
  engine = await GpuEngine.open({ mode: "gpujs-cpu" });
});
afterAll(async () => {
  await engine.dispose();
});

describe("gpu.js kernels in cpu mode against the f64 CPU backend", () => {
  it("GEMM with every transpose, on sizes that fit no tile", async () => {
    for (const [m, n, k] of [[7, 5, 3], [33, 17, 40], [1, 9, 64]] as const) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const A = uniform(m * k, m + 10 * k), B = uniform(k * n, n + 100 * k);
          const want = cpu.read(cpu.gemm({ m, n, k, transA, transB }, cpu.upload(A), cpu.upload(B)));
          const out = handle++;
          await engine.gemm({ out, a: up(A), b: up(B), m, n, k, transA, transB });
          expect(relErr(await read(out, m * n), want), `${m}×${n}×${k} ${transA} ${transB}`).toBeLessThan(f32Tolerance(k));
        }
      }
    }
  });

  it("batched small GEMMs with strides, offsets, padding and gathered operands", async () => {
    const batch = 50, m = 3, n = 4, k = 5, cStride = 13;
    const table = uniform(7 * k * n + 2, 3); // B: 7 matrices k×n at offset 2, gathered
    const A = uniform(batch * 20 + 1, 4); // A: item t at 1 + 20·t, transposed (stored k×m)
    const idx = Float64Array.from({ length: 2 * batch }, (_, i) => (i * 5 + 3) % 7); // step 2, at 1
    const spec = { batch, m, n, k, cStride };
    const c = cpu.zeros(batch * cStride);
    cpu.batchedGemm({ ...spec, c, a: { array: cpu.upload(A), offset: 1, stride: 20, transpose: true }, b: { array: cpu.upload(table), offset: 2, stride: k * n, gather: { index: cpu.upload(idx), step: 2, at: 1 } } });
    const want = cpu.read(c);
    const out = handle++;
    await engine.batched({ ...spec, c: out, a: { array: up(A), offset: 1, stride: 20, transpose: true }, b: { array: up(table), offset: 2, stride: k * n, transpose: false, gather: { index: up(idx), step: 2, at: 1 } } });
    const got = await read(out, batch * cStride);
    expect(relErr(got, want)).toBeLessThan(f32Tolerance(k));
    // The padding between items is zero.
    for (let t = 0; t < batch; t++) for (let r = m * n; r < cStride; r++) expect(got[t * cStride + r]).toBe(0);
  });

  it("per-slice normal equations of per-sample environment products (train r0 = 1 and ring r0 = 2)", async () => {
    for (const [r0, rl, rr] of [[1, 3, 2], [2, 2, 3]] as const) {
      const samples = 300, stride = r0 * Math.max(rl, rr) + 1, slices = 6;
      const P = uniform(samples * stride, 11 + r0), Q = uniform(samples * stride, 12 + r0), values = uniform(samples, 13);
      const slice = Array.from({ length: samples }, (_, s) => (s * 7) % slices);
      const order = Array.from({ length: samples }, (_, s) => s).sort((a, b) => slice[a]! - slice[b]! || a - b);
      const starts = new Int32Array(slices + 1);
      for (const j of slice) starts[j + 1]!++;
      for (let j = 0; j < slices; j++) starts[j + 1]! += starts[j]!;
      const want = cpu.sliceNormalEquations({ samples, r0, rl, rr, stride, starts, P: cpu.upload(P), Q: cpu.upload(Q), values: cpu.upload(values), order: cpu.upload(order) });
      const got = await engine.sliceNormal({ samples, r0, rl, rr, stride, starts, P: up(P), Q: up(Q), values: up(values), order: up(order) });
      const count = samples / slices;
      expect(relErr(got.gram, want.gram), `gram r0=${r0}`).toBeLessThan(f32Tolerance(count * r0));
      expect(relErr(got.rhs, want.rhs), `rhs r0=${r0}`).toBeLessThan(f32Tolerance(count * r0));
    }
  });

  it("least-squares normal equations B·Bᵀ and B·Xᵀ", async () => {
    const rows = 6, cols = 90, n = 4;
    const B = uniform(rows * cols, 21), X = uniform(n * cols, 22);
    const want = cpu.leastSquaresNormal(cpu.upload(B), cpu.upload(X), rows, cols, n);
    const got = await engine.leastSquaresNormal(up(B), up(X), rows, cols, n);
    expect(relErr(got.gram, want.gram)).toBeLessThan(f32Tolerance(cols));
    expect(relErr(got.rhs, want.rhs)).toBeLessThan(f32Tolerance(cols));
  });

  it("reads, writes and frees arrays; refuses freed ones", async () => {
    const h = up([1, 2, 3, 4]);
    engine.write(h, new Float32Array([9, 8]), 1);
    expect([...(await engine.read(h, 0, 4))]).toEqual([1, 9, 8, 4]);
    engine.free(h);
    await expect(engine.read(h, 0, 1)).rejects.toThrow(/no array/);
  });
});
