import { afterAll, describe, expect, it } from "vitest";
import { getArena } from "../../../src/backend/cpu/arena.js";
import { dgemmArena, sgemmArena, zgemmArena, type Op } from "../../../src/backend/cpu/gemm.js";
import { setNumThreads } from "../../../src/backend/cpu/threads.js";
import { maxAbsDiff, naiveGemm, naiveZgemm, randomArray } from "../../helpers/reference.js";

// Sizes straddle the register tile (4×4, 4×2 complex, 4×8 f32) and the cache blocks
// (KC = 256/192, MC = 128/96) so that every edge path runs.
const SIZES: Array<[number, number, number]> = [
  [1, 1, 1], [1, 7, 3], [5, 1, 9], [3, 5, 2], [4, 4, 4], [7, 9, 13], [17, 33, 5], [130, 70, 260], [64, 200, 300],
];

afterAll(() => setNumThreads(1));

function runReal(opA: Op, opB: Op, m: number, n: number, k: number, beta: number): number {
  const arena = getArena();
  return arena.scope(() => {
    const lda = (opA === 0 ? k : m) + 3;
    const ldb = (opB === 0 ? n : k) + 1;
    const ldc = n + 2;
    const rowsA = opA === 0 ? m : k;
    const rowsB = opB === 0 ? k : n;
    const A = randomArray(rowsA * lda, 1);
    const B = randomArray(rowsB * ldb, 2);
    const C0 = randomArray(m * ldc, 3);
    const pa = arena.allocF64(A.length);
    const pb = arena.allocF64(B.length);
    const pc = arena.allocF64(C0.length);
    const f = arena.f64;
    f.set(A, pa);
    f.set(B, pb);
    f.set(C0, pc);
    dgemmArena(opA, opB, m, n, k, 0.75, pa, lda, pb, ldb, beta, pc, ldc);
    const ref = naiveGemm(opA !== 0, opB !== 0, m, n, k, A, lda, B, ldb);
    let err = 0;
    const g = arena.f64;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < ldc; j++) {
        const want = j < n ? 0.75 * ref[i * n + j]! + beta * C0[i * ldc + j]! : C0[i * ldc + j]!;
        err = Math.max(err, Math.abs(g[pc + i * ldc + j]! - want));
      }
    return err;
  });
}

describe("dgemmArena", () => {
  for (const [m, n, k] of SIZES)
    for (const opA of [0, 1] as Op[])
      for (const opB of [0, 1] as Op[])
        it(`m=${m} n=${n} k=${k} op=${opA}${opB}`, () => {
          // Error bound: k terms of size ≤ 1/4, summed in a different order than the reference.
          expect(runReal(opA, opB, m, n, k, 0.5)).toBeLessThan(4 * k * 2.2e-16 + 1e-15);
        });

  it("beta = 0 overwrites C, even where C holds NaN", () => {
    const arena = getArena();
    arena.scope(() => {
      const pa = arena.allocF64(4);
      const pb = arena.allocF64(4);
      const pc = arena.allocF64(4);
      arena.f64.set([1, 2, 3, 4], pa);
      arena.f64.set([1, 0, 0, 1], pb);
      arena.f64.set([NaN, NaN, NaN, NaN], pc);
      dgemmArena(0, 0, 2, 2, 2, 1, pa, 2, pb, 2, 0, pc, 2);
      expect(Array.from(arena.f64.subarray(pc, pc + 4))).toEqual([1, 2, 3, 4]);
    });
  });

  it("gives bit-identical results with 2 threads", () => {
    const arena = getArena();
    const results: Float64Array[] = [];
    for (const t of [1, 2]) {
      setNumThreads(t);
      arena.scope(() => {
        const m = 300, n = 200, k = 150;
        const pa = arena.allocF64(m * k);
        const pb = arena.allocF64(k * n);
        const pc = arena.zerosF64(m * n);
        arena.f64.set(randomArray(m * k, 5), pa);
        arena.f64.set(randomArray(k * n, 6), pb);
        dgemmArena(0, 0, m, n, k, 1, pa, k, pb, n, 0, pc, n);
        results.push(arena.f64.slice(pc, pc + m * n));
        // and a wide product, split by columns
        const pc2 = arena.zerosF64(20 * 600);
        const pa2 = arena.allocF64(20 * 400);
        const pb2 = arena.allocF64(400 * 600);
        arena.f64.set(randomArray(20 * 400, 7), pa2);
        arena.f64.set(randomArray(400 * 600, 8), pb2);
        dgemmArena(0, 1, 20, 600, 400, 1, pa2, 400, pb2, 400, 0, pc2, 600);
        results.push(arena.f64.slice(pc2, pc2 + 20 * 600));
      });
    }
    expect(maxAbsDiff(results[0]!, results[2]!)).toBe(0);
    expect(maxAbsDiff(results[1]!, results[3]!)).toBe(0);
    const ref = naiveGemm(false, false, 300, 200, 150, randomArray(300 * 150, 5), 150, randomArray(150 * 200, 6), 200);
    expect(maxAbsDiff(results[0]!, ref)).toBeLessThan(1e-12);
  });
});

describe("zgemmArena", () => {
  for (const [m, n, k] of SIZES)
    for (const opA of [0, 1, 2] as Op[])
      for (const opB of [0, 2] as Op[])
        it(`m=${m} n=${n} k=${k} op=${opA}${opB}`, () => {
          const arena = getArena();
          arena.scope(() => {
            const lda = (opA === 0 ? k : m) + 1;
            const ldb = (opB === 0 ? n : k) + 2;
            const rowsA = opA === 0 ? m : k;
            const rowsB = opB === 0 ? k : n;
            const A = randomArray(2 * rowsA * lda, 11);
            const B = randomArray(2 * rowsB * ldb, 12);
            const C0 = randomArray(2 * m * n, 13);
            const pa = arena.allocF64(A.length);
            const pb = arena.allocF64(B.length);
            const pc = arena.allocF64(C0.length);
            arena.f64.set(A, pa);
            arena.f64.set(B, pb);
            arena.f64.set(C0, pc);
            const alpha = { re: 0.5, im: -1.25 };
            const beta = { re: -0.5, im: 0.25 };
            zgemmArena(opA, opB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, n);
            const ref = naiveZgemm(opA, opB, m, n, k, A, lda, B, ldb);
            let err = 0;
            for (let i = 0; i < m * n; i++) {
              const rr = ref[2 * i]!, ri = ref[2 * i + 1]!;
              const cr = C0[2 * i]!, ci = C0[2 * i + 1]!;
              const wr = alpha.re * rr - alpha.im * ri + beta.re * cr - beta.im * ci;
              const wi = alpha.re * ri + alpha.im * rr + beta.re * ci + beta.im * cr;
              err = Math.max(err, Math.abs(arena.f64[pc + 2 * i]! - wr), Math.abs(arena.f64[pc + 2 * i + 1]! - wi));
            }
            expect(err).toBeLessThan(16 * k * 2.2e-16 + 1e-15);
          });
        });
});

describe("sgemmArena", () => {
  for (const [m, n, k] of SIZES)
    for (const opA of [0, 1] as Op[])
      for (const opB of [0, 1] as Op[])
        it(`m=${m} n=${n} k=${k} op=${opA}${opB}`, () => {
          const arena = getArena();
          arena.scope(() => {
            const lda = opA === 0 ? k : m;
            const ldb = opB === 0 ? n : k;
            const A = Float32Array.from(randomArray(m * k, 21));
            const B = Float32Array.from(randomArray(k * n, 22));
            const pa = arena.allocF32(A.length);
            const pb = arena.allocF32(B.length);
            const pc = arena.allocF32(m * n);
            arena.f32.set(A, pa);
            arena.f32.set(B, pb);
            sgemmArena(opA, opB, m, n, k, 1, pa, lda, pb, ldb, 0, pc, n);
            const ref = naiveGemm(opA !== 0, opB !== 0, m, n, k, A, lda, B, ldb);
            // f32 accumulation: relative error ~ k·2^-24 on terms of size ≤ 1/4.
            expect(maxAbsDiff(arena.f32.subarray(pc, pc + m * n), ref)).toBeLessThan(k * 6e-8 * 0.25 * 4 + 1e-7);
          });
        });
});
