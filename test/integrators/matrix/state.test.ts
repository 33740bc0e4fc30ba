import { describe, expect, it } from "vitest";
import { ArgumentError, NonFiniteError, ShapeError } from "../../../src/errors.js";
import { diag } from "../../../src/linalg/diag.js";
import { combine, scale } from "../../../src/linalg/elementwise.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { randn } from "../../../src/linalg/random.js";
import { slice } from "../../../src/linalg/slice.js";
import { eye, tensor, zeros } from "../../../src/linalg/tensor.js";
import { augmentBasis } from "../../../src/integrators/basis.js";
import { sequentialRunner } from "../../../src/integrators/matrix/runner.js";
import { lowRankFromDense, lowRankMatrix, lowRankPad, lowRankToDense, orthonormalityDefect } from "../../../src/integrators/matrix/state.js";
import { truncateLowRank } from "../../../src/integrators/matrix/truncate.js";
import { captureError } from "../../helpers/reference.js";

describe("low-rank states", () => {
  it("round-trip through the truncated SVD, real and complex; the discarded norm is the error", () => {
    for (const dtype of ["f64", "c128"] as const) {
      const A = randn([9, 7], 1, { dtype });
      const full = lowRankFromDense(A);
      expect(full.S.shape).toEqual([7, 7]);
      expect(distance(lowRankToDense(full), A)).toBeLessThan(1e-13);
      const Y = lowRankFromDense(A, { maxRank: 3 });
      expect(Y.U.dtype).toBe(dtype);
      expect(Math.abs(distance(lowRankToDense(Y), A) - Y.discardedNorm)).toBeLessThan(1e-12);
      expect(orthonormalityDefect(Y.U)).toBeLessThan(1e-14);
    }
  });

  it("zero-padding into larger bases keeps the matrix", () => {
    const Y = lowRankFromDense(randn([6, 5], 2), { maxRank: 2 });
    const extra = augmentBasis(Y.U, randn([6, 2], 3)).basis;
    const Z = lowRankPad(Y, extra, Y.V);
    expect(Z.S.shape).toEqual([4, 2]);
    expect(distance(lowRankToDense(Z), lowRankToDense(Y))).toBeLessThan(1e-14);
    expect(captureError(() => lowRankPad(Y, eye(6, 1), Y.V))).toBeInstanceOf(ShapeError);
  });

  it("lowRankMatrix validates shapes, finiteness, orthonormality and rank", () => {
    expect(captureError(() => lowRankMatrix(eye(4, 2), eye(3), eye(3, 2)))).toBeInstanceOf(ShapeError);
    expect(captureError(() => lowRankMatrix(eye(4, 2), tensor([[1, NaN], [0, 1]]), eye(3, 2)))).toBeInstanceOf(NonFiniteError);
    const e = captureError(() => lowRankMatrix(scale(eye(4, 2), 2), eye(2), eye(3, 2)));
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as Error).message).toMatch(/U does not have orthonormal columns/);
    expect(captureError(() => lowRankMatrix(zeros([4, 0]), zeros([0, 0]), zeros([3, 0])))).toBeInstanceOf(ArgumentError);
    const Y = lowRankMatrix(eye(4, 2, "f32"), eye(2), eye(3, 2, "c128"));
    expect([Y.U.dtype, Y.S.dtype, Y.V.dtype]).toEqual(["c128", "c128", "c128"]);
  });
});

describe("augmentBasis: orth([X, Z]) with X verbatim", () => {
  for (const dtype of ["f64", "c128"] as const) {
    it(`keeps X bit for bit and adds orthonormal directions ⟂ X (${dtype})`, () => {
      const X = lowRankFromDense(randn([12, 8], 4, { dtype }), { maxRank: 3 }).U;
      const Z = randn([12, 3], 5, { dtype });
      const { basis, added } = augmentBasis(X, Z);
      expect(basis.shape).toEqual([12, 6]);
      expect(Array.from(slice(basis, [null, [0, 3]]).data)).toEqual(Array.from(X.data));
      expect(orthonormalityDefect(basis)).toBeLessThan(1e-14);
      // span[X, Z] = span(basis): Z is reproduced by its projection.
      const proj = matmul(basis, matmul(basis, Z, { adjointA: true }));
      expect(distance(proj, Z)).toBeLessThan(1e-13 * norm(Z));
      expect(added.shape[1]).toBe(3);
    });
  }

  it("drops directions already in span X (F ≡ 0: K1 = U0·S0) and adds only the rank of the new part", () => {
    const X = lowRankFromDense(randn([10, 6], 6), { maxRank: 3 }).U;
    const inSpan = matmul(X, randn([3, 3], 7));
    expect(augmentBasis(X, inSpan).added.shape[1]).toBe(0);
    expect(augmentBasis(X, inSpan).basis).toBe(X);
    const oneNew = combine(1, inSpan, 1, matmul(randn([10, 1], 8), tensor([[1, 2, 3]])));
    expect(augmentBasis(X, oneNew).added.shape[1]).toBe(1);
    expect(augmentBasis(X, zeros([10, 3])).added.shape[1]).toBe(0);
  });

  it("stays orthonormal for new directions far below ‖Z‖ (the projection's rounding is removed)", () => {
    const X = lowRankFromDense(randn([30, 10], 9), { maxRank: 10 }).U;
    const tiny = combine(1, matmul(X, randn([10, 4], 10)), 1e-12, randn([30, 4], 11));
    const { basis, added } = augmentBasis(X, tiny);
    expect(added.shape[1]).toBe(4);
    expect(orthonormalityDefect(basis)).toBeLessThan(1e-13);
  });

  it("never exceeds the dimension", () => {
    const X = lowRankFromDense(randn([4, 4], 12), { maxRank: 3 }).U;
    expect(augmentBasis(X, randn([4, 3], 13)).basis.shape).toEqual([4, 4]);
    expect(augmentBasis(eye(3), randn([3, 2], 14)).added.shape[1]).toBe(0);
  });
});

describe("truncateLowRank", () => {
  const Y = lowRankMatrix(eye(8, 4), diag([1, 0.1, 1e-4, 1e-7]), eye(6, 4));

  it("applies ϑ as absolute, relative or per-unit-time tolerance, clamped to [minRank, maxRank]", () => {
    expect(truncateLowRank(Y, { theta: 1e-3 }, 0.5).rank).toBe(2);
    expect(truncateLowRank(Y, { theta: 1e-3, thetaMode: "per-unit-time" }, 0.01).rank).toBe(3); // 1e-5
    expect(truncateLowRank(Y, { theta: 1e-3, thetaMode: "relative" }, 1).rank).toBe(2);
    expect(truncateLowRank(Y, { theta: 0.5, minRank: 3 }, 1).rank).toBe(3);
    expect(truncateLowRank(Y, { theta: 0, maxRank: 2 }, 1).rank).toBe(2);
    expect(truncateLowRank(Y, { theta: 10, minRank: 0 }, 1).rank).toBe(1); // never rank 0
    const t = truncateLowRank(Y, { theta: 1e-3 }, 1);
    expect(t.truncation).toMatchObject({ theta: 1e-3, thetaMode: "absolute", tol: 1e-3, mode: "norm", minRank: 1 });
    expect(t.discardedWeight).toBeCloseTo(1e-8 + 1e-14, 20);
    expect(distance(lowRankToDense(t.state), lowRankToDense(Y))).toBeCloseTo(Math.sqrt(t.discardedWeight), 15);
  });

  it("returns the state itself when nothing is cut, and a diagonal core otherwise", () => {
    const S = tensor([[1, 0.5], [0, 0.2]]);
    const Z = lowRankMatrix(eye(5, 2), S, eye(4, 2));
    expect(truncateLowRank(Z, { theta: 1e-12 }, 1).state).toBe(Z);
    const cut = truncateLowRank(Z, { theta: 0.2 }, 1).state;
    expect(cut.S.shape).toEqual([1, 1]);
  });

  it("handles rectangular augmented cores and rejects bad policies", () => {
    const U = augmentBasis(eye(7, 2), randn([7, 2], 15)).basis;
    const rect = { U, S: randn([4, 2], 16), V: eye(5, 2) };
    const t = truncateLowRank(rect, { theta: 0 }, 1);
    expect(t.state.S.shape).toEqual([2, 2]);
    expect(distance(lowRankToDense(t.state), lowRankToDense(rect))).toBeLessThan(1e-13);
    expect(captureError(() => truncateLowRank(Y, { theta: -1 }, 1))).toBeInstanceOf(ArgumentError);
  });
});

describe("sequentialRunner", () => {
  it("runs tasks in order and returns their results", () => {
    const seen: number[] = [];
    expect(sequentialRunner.run([() => (seen.push(1), "a"), () => (seen.push(2), "b")])).toEqual(["a", "b"]);
    expect(seen).toEqual([1, 2]);
  });
});
