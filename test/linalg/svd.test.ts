import { readFileSync } from "node:fs";
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { getArena } from "../../src/backend/cpu/arena.js";
import { NonFiniteError, ShapeError } from "../../src/errors.js";
import { bidiagonalSvd } from "../../src/linalg/decomp/bidiagonal-svd.js";
import { qr } from "../../src/linalg/decomp/qr.js";
import { singularValues, svd, truncatedSvd } from "../../src/linalg/decomp/svd.js";
import { diag } from "../../src/linalg/diag.js";
import { matmul } from "../../src/linalg/matmul.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { Tensor, eye, tensor, zeros } from "../../src/linalg/tensor.js";
import { fillTensor } from "../helpers/reference.js";

const EPS = 2 ** -52;


function sigmaMatrix(s: Float64Array, dtype: "f64" | "c128"): Tensor {
  const d = diag(Array.from(s));
  return dtype === "c128" ? d.astype("c128") : d;
}

function checkSvd(A: Tensor): void {
  const [m, n] = A.shape as [number, number];
  const k = Math.min(m, n);
  const { U, s, Vh } = svd(A);
  const dt = A.dtype === "c128" ? "c128" : "f64";
  expect(U.shape).toEqual([m, k]);
  expect(Vh.shape).toEqual([k, n]);
  expect(s.length).toBe(k);
  for (let i = 1; i < k; i++) expect(s[i]!).toBeLessThanOrEqual(s[i - 1]!);
  for (const v of s) expect(v).toBeGreaterThanOrEqual(0);
  // Orthonormality ‖UᴴU − I‖, ‖VhVhᴴ − I‖ ≤ 50·n·ε and backward error ≤ 50·n·ε·‖A‖.
  const tolOrth = 50 * Math.max(m, n, 1) * EPS;
  expect(distance(matmul(U, U, { adjointA: true }), eye(k, k, dt))).toBeLessThanOrEqual(tolOrth);
  expect(distance(matmul(Vh, Vh, { adjointB: true }), eye(k, k, dt))).toBeLessThanOrEqual(tolOrth);
  const rec = matmul(matmul(U, sigmaMatrix(s, dt)), Vh);
  expect(distance(rec, A)).toBeLessThanOrEqual(50 * Math.max(m, n) * EPS * Math.max(norm(A), 1e-300));
}

describe("svd", () => {
  const shapes: Array<[number, number]> = [[1, 1], [1, 6], [6, 1], [2, 2], [5, 3], [3, 5], [12, 12], [40, 7], [7, 40], [64, 64], [150, 90], [90, 150], [200, 40]];
  for (const dtype of ["f64", "c128"] as const)
    for (const [m, n] of shapes) it(`${dtype} ${m}×${n}`, () => checkSvd(fillTensor([m, n], dtype, 31 * m + n)));

  it("recovers a prescribed spectrum (random orthogonal factors)", () => {
    for (const dtype of ["f64", "c128"] as const) {
      const n = 40;
      const sigma = Float64Array.from({ length: n }, (_, i) => 10 - 0.2 * i);
      const Q1 = qr(fillTensor([n, n], dtype, 7)).Q!;
      const Q2 = qr(fillTensor([n, n], dtype, 8)).Q!;
      const A = matmul(matmul(Q1, sigmaMatrix(sigma, dtype)), Q2, { adjointB: true });
      const s = singularValues(A);
      for (let i = 0; i < n; i++) expect(Math.abs(s[i]! - sigma[i]!)).toBeLessThanOrEqual(20 * n * EPS * 10);
    }
  });

  it("handles a spectrum falling from 1 to 1e-15 (absolute accuracy ε·‖A‖)", () => {
    const n = 64;
    const sigma = Float64Array.from({ length: n }, (_, i) => 10 ** ((-15 * i) / (n - 1)));
    for (const dtype of ["f64", "c128"] as const) {
      const Q1 = qr(fillTensor([n, n], dtype, 9)).Q!;
      const Q2 = qr(fillTensor([n, n], dtype, 10)).Q!;
      const A = matmul(matmul(Q1, sigmaMatrix(sigma, dtype)), Q2, { adjointB: true });
      checkSvd(A);
      const s = singularValues(A);
      // Any backward-stable SVD is accurate to a few ε·σ_max, whatever the grading.
      for (let i = 0; i < n; i++) expect(Math.abs(s[i]! - sigma[i]!)).toBeLessThanOrEqual(10 * n * EPS);
    }
  });

  it("is exact for rank-deficient and zero matrices", () => {
    const A = matmul(fillTensor([9, 2], "f64", 1), fillTensor([2, 7], "f64", 2)); // rank 2
    checkSvd(A);
    const s = singularValues(A);
    for (let i = 2; i < 7; i++) expect(s[i]!).toBeLessThanOrEqual(20 * EPS * s[0]!);
    const z = svd(zeros([4, 3]));
    expect(Array.from(z.s)).toEqual([0, 0, 0]);
    checkSvd(zeros([4, 3]));
    checkSvd(zeros([3, 4], "c128"));
  });

  it("matches ml-matrix's singular values on random real matrices (independent implementation)", () => {
    for (const [m, n] of [[30, 20], [20, 30], [25, 25]] as const) {
      const A = fillTensor([m, n], "f64", m + n);
      const rows = Array.from({ length: m }, (_, i) => Array.from(A.data.subarray(i * n, (i + 1) * n)));
      const ref = new SingularValueDecomposition(new Matrix(rows), { autoTranspose: true }).diagonal;
      const s = singularValues(A);
      for (let i = 0; i < Math.min(m, n); i++) expect(Math.abs(s[i]! - ref[i]!)).toBeLessThanOrEqual(100 * EPS * s[0]!);
    }
  });

  it("returns square factors with full: true", () => {
    for (const dtype of ["f64", "c128"] as const) {
      const A = fillTensor([7, 4], dtype, 3);
      const { U, s, Vh } = svd(A, { full: true });
      expect(U.shape).toEqual([7, 7]);
      expect(Vh.shape).toEqual([4, 4]);
      expect(distance(matmul(U, U, { adjointA: true }), eye(7, 7, dtype))).toBeLessThan(1e-13);
      const Uk = new Tensor(U.dtype, [7, 4]);
      const w = dtype === "c128" ? 2 : 1;
      for (let i = 0; i < 7; i++) Uk.data.set(U.data.subarray(w * i * 7, w * (i * 7 + 4)), w * i * 4);
      expect(distance(matmul(matmul(Uk, sigmaMatrix(s, dtype)), Vh), A)).toBeLessThan(1e-13);
      const W = fillTensor([3, 8], dtype, 4);
      const r = svd(W, { full: true });
      expect(r.U.shape).toEqual([3, 3]);
      expect(r.Vh.shape).toEqual([8, 8]);
      expect(distance(matmul(r.Vh, r.Vh, { adjointB: true }), eye(8, 8, dtype))).toBeLessThan(1e-13);
    }
  });

  it("rejects bad input with clear errors", () => {
    expect(() => svd(tensor([[1, NaN], [0, 1]]))).toThrow(NonFiniteError);
    expect(() => svd(tensor([[1, Infinity]]))).toThrow(/svd: .*non-finite value \(Infinity\)/);
    expect(() => svd(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => svd(tensor([[1]]), { fullMatrices: true } as never)).toThrow(/unknown option "fullMatrices"/);
  });
});

interface GradedCase {
  name: string;
  d: number[];
  e: number[];
  sigma: string[];
}

describe("bidiagonal SVD (Demmel–Kahan)", () => {
  const cases = JSON.parse(readFileSync(new URL("../fixtures/svd/graded-bidiagonal.json", import.meta.url), "utf8")) as GradedCase[];
  for (const c of cases)
    it(`${c.name}: every singular value to high relative accuracy (reference: mpmath, 60 digits)`, () => {
      const n = c.d.length;
      const d = Float64Array.from(c.d);
      const e = Float64Array.from(c.e);
      bidiagonalSvd(getArena(), n, d, e);
      // Demmel–Kahan guarantee: relative error O(n·ε) per singular value, whatever their range.
      for (let i = 0; i < n; i++) {
        const ref = Number(c.sigma[i]);
        const rel = ref === 0 ? Math.abs(d[i]!) : Math.abs(d[i]! - ref) / ref;
        expect(rel, `σ_${i} = ${d[i]} vs ${ref}`).toBeLessThanOrEqual(20 * n * EPS);
      }
    });

  it("gives vectors that reconstruct a graded bidiagonal with relative accuracy in each column", () => {
    const n = 12;
    const d = Float64Array.from({ length: n }, (_, i) => 10 ** -i);
    const e = Float64Array.from({ length: n - 1 }, (_, i) => 0.3 * 10 ** -i);
    const B = new Tensor("f64", [n, n]);
    for (let i = 0; i < n; i++) {
      B.data[i * n + i] = d[i]!;
      if (i + 1 < n) B.data[i * n + i + 1] = e[i]!;
    }
    const arena = getArena();
    arena.scope(() => {
      const U = arena.zerosF64(n * n), V = arena.zerosF64(n * n);
      for (let i = 0; i < n; i++) {
        arena.f64[U + i * n + i] = 1;
        arena.f64[V + i * n + i] = 1;
      }
      bidiagonalSvd(arena, n, d, e, { ptr: U, rows: n, ld: n, w: 1 }, { ptr: V, rows: n, ld: n, w: 1 });
      // B·v_j = σ_j·u_j (column-major vectors): residual small relative to ‖B‖.
      for (let j = 0; j < n; j++) {
        let r = 0;
        for (let i = 0; i < n; i++) {
          let bv = 0;
          for (let k = 0; k < n; k++) bv += B.data[i * n + k]! * arena.f64[V + j * n + k]!;
          r = Math.max(r, Math.abs(bv - d[j]! * arena.f64[U + j * n + i]!));
        }
        expect(r).toBeLessThanOrEqual(50 * n * EPS);
      }
    });
  });
});

describe("truncatedSvd", () => {
  it("keeps the rank the tolerance allows and reports the discarded weight (Eckart–Young)", () => {
    const A = fillTensor([30, 20], "f64", 5);
    const { s } = svd(A);
    const t = truncatedSvd(A, { maxRank: 6 });
    expect(t.s.length).toBe(6);
    expect(t.U.shape).toEqual([30, 6]);
    expect(t.Vh.shape).toEqual([6, 20]);
    const err = distance(matmul(matmul(t.U, diag(Array.from(t.s))), t.Vh), A);
    let tail = 0;
    for (let i = 6; i < 20; i++) tail += s[i]! ** 2;
    expect(t.info.discardedWeight).toBeCloseTo(tail, 13);
    expect(Math.abs(err - Math.sqrt(tail))).toBeLessThan(1e-12);
    expect(t.info.limitedBy).toBe("maxRank");
  });

  it("renormalizes to the original Frobenius norm on request", () => {
    const A = fillTensor([10, 8], "c128", 6);
    const t = truncatedSvd(A, { maxRank: 3, renormalize: true });
    expect(Math.hypot(...t.s)).toBeCloseTo(norm(A), 12);
  });
});
