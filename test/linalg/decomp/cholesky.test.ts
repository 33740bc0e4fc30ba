import { describe, expect, it } from "vitest";
import { choleskyInPlace, choleskySubstitute } from "../../../src/linalg/decomp/cholesky.js";
import { Rng } from "../../../src/linalg/random.js";

describe("choleskyInPlace / choleskySubstitute", () => {
  it("factors and solves a small exact case", () => {
    const a = Float64Array.from([4, 0, 2, 5]); // lower triangle of [[4, 2], [2, 5]]
    expect(choleskyInPlace(a, 2)).toBe(true);
    expect([a[0], a[2], a[3]]).toEqual([2, 1, 2]);
    expect(a[1]).toBe(0); // the upper triangle is not touched
    const x = new Float64Array(2);
    choleskySubstitute(a, 2, Float64Array.from([6, 7]), x);
    expect(Array.from(x)).toEqual([1, 1]);
  });

  it("reconstructs a random SPD matrix and solves it to rounding (n = 1…40), in place when out is b", () => {
    const rng = new Rng(3);
    for (const n of [1, 2, 7, 40]) {
      // A = BᵀB + n·I: well conditioned, so the residual is at the level of rounding.
      const B = Float64Array.from({ length: n * n }, () => rng.normal());
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += B[k * n + i]! * B[k * n + j]!;
        A[i * n + j] = s;
      }
      const L = A.slice();
      expect(choleskyInPlace(L, n)).toBe(true);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += L[i * n + k]! * L[j * n + k]!;
        expect(Math.abs(s - A[i * n + j]!)).toBeLessThan(1e-12 * n * n);
      }
      const b = Float64Array.from({ length: n }, () => rng.normal());
      const x = b.slice();
      choleskySubstitute(L, n, x, x);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
        expect(Math.abs(s - b[i]!)).toBeLessThan(1e-10 * n);
      }
    }
  });

  it("refuses a matrix that is not positive definite, or has a NaN", () => {
    expect(choleskyInPlace(Float64Array.from([1, 0, 2, 1]), 2)).toBe(false); // [[1, 2], [2, 1]]: eigenvalue −1
    expect(choleskyInPlace(Float64Array.from([0]), 1)).toBe(false);
    expect(choleskyInPlace(Float64Array.from([NaN]), 1)).toBe(false);
  });
});
