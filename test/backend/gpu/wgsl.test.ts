// The tiled WGSL GEMM without a GPU: tiling rules, the generated source, and the tiled
// algorithm emulated in JavaScript with the kernel's own index arithmetic against the f64 CPU
// product (f32 tolerance 1e-5·√k, relative Frobenius).
import { describe, expect, it } from "vitest";
import { CpuBackend, } from "../../../src/backend/compute/cpu.js";
import { DEFAULT_LIMITS, emulateTiledGemm, GEMM_TILINGS, gemmDispatch, tiledGemmWgsl, tilingInfo } from "../../../src/backend/gpu/wgsl-gemm.js";
import { f32Tolerance, relErr, uniform } from "./helpers.js";

describe("tiled WGSL GEMM: tiling", () => {
  it("every built-in tiling fits WebGPU's default limits", () => {
    for (const t of GEMM_TILINGS) {
      const info = tilingInfo(t, DEFAULT_LIMITS);
      expect(info.threads).toBeLessThanOrEqual(256);
      expect(info.sharedBytes).toBeLessThanOrEqual(16384);
    }
    expect(tilingInfo(GEMM_TILINGS[0]!)).toEqual({ WX: 16, WY: 16, threads: 256, sharedBytes: 8192 });
  });

  it("rejects tilings that break the rules or the limits, naming why", () => {
    expect(() => tilingInfo({ BM: 64, BN: 64, BK: 8, TM: 3, TN: 4 })).toThrow(/TM must divide BM/);
    expect(() => tilingInfo({ BM: 128, BN: 128, BK: 8, TM: 4, TN: 4 })).toThrow(/1024 threads/);
    expect(() => tilingInfo({ BM: 128, BN: 128, BK: 32, TM: 8, TN: 8 })).toThrow(/32768 bytes of workgroup memory/);
    expect(() => tilingInfo({ BM: 0, BN: 64, BK: 8, TM: 4, TN: 4 })).toThrow(/BM must be a whole number/);
  });

  it("dispatches one workgroup per tile of C, rounding up", () => {
    expect(gemmDispatch(GEMM_TILINGS[0]!, 8192, 8192)).toEqual([64, 64]);
    expect(gemmDispatch(GEMM_TILINGS[0]!, 129, 1)).toEqual([1, 2]);
  });

  it("generates a source with the workgroup shape, the shared tiles and unrolled register blocks", () => {
    const t = GEMM_TILINGS[0]!;
    const src = tiledGemmWgsl(t, false, true);
    expect(src).toContain("@compute @workgroup_size(16, 16, 1)");
    expect(src).toContain(`var<workgroup> As : array<f32, ${t.BK * t.BM}>;`);
    expect(src).toContain(`var<workgroup> Bs : array<f32, ${t.BK * t.BN}>;`);
    expect(src.match(/= fma\(/g)).toHaveLength(t.TM * t.TN);
    expect(src).toContain("v = B[gc * dims.k + gk]"); // transB reads B stored n×k
    expect(src.split("workgroupBarrier();")).toHaveLength(3);
  });
});

describe("tiled WGSL GEMM: the tiled algorithm, emulated", () => {
  const cpu = new CpuBackend();
  it("matches the f64 product for every transpose and sizes that are not multiples of a tile", () => {
    const t = { BM: 16, BN: 8, BK: 4, TM: 4, TN: 2 }; // small tiles: several workgroups, partial edges
    for (const [m, n, k] of [[37, 19, 13], [16, 8, 4], [5, 30, 9]] as const) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const A = uniform(m * k, m * k + 1), B = uniform(k * n, k * n + 2);
          const want = cpu.read(cpu.gemm({ m, n, k, transA, transB }, cpu.upload(A), cpu.upload(B)));
          const got = emulateTiledGemm(t, transA, transB, m, n, k, Float32Array.from(A), Float32Array.from(B));
          expect(relErr(got, want), `${m}×${n}×${k} ${transA} ${transB}`).toBeLessThan(f32Tolerance(k));
        }
      }
    }
  });

  it("matches with the built-in tilings", () => {
    for (const t of GEMM_TILINGS) {
      const m = t.BM + 3, n = t.BN + 5, k = 2 * t.BK + 1;
      const A = uniform(m * k, 5), B = uniform(k * n, 6);
      const want = cpu.read(cpu.gemm({ m, n, k }, cpu.upload(A), cpu.upload(B)));
      expect(relErr(emulateTiledGemm(t, false, false, m, n, k, Float32Array.from(A), Float32Array.from(B)), want)).toBeLessThan(f32Tolerance(k));
    }
  });
});
