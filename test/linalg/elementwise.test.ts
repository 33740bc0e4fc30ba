import { describe, expect, it } from "vitest";
import { NonFiniteError, ShapeError } from "../../src/errors.js";
import { abs, add, assertFinite, combine, conj, imag, mul, real, scale, sub } from "../../src/linalg/elementwise.js";
import { distance, maxAbs, norm, vdot } from "../../src/linalg/norms.js";
import { tensor } from "../../src/linalg/tensor.js";

describe("elementwise", () => {
  it("adds, subtracts and multiplies with dtype promotion", () => {
    const a = tensor([1, 2]);
    const z = tensor([{ re: 0, im: 1 }, { re: 1, im: 1 }]);
    expect(add(a, a).toArray()).toEqual([2, 4]);
    expect(sub(a, a).toArray()).toEqual([0, 0]);
    expect(add(a, z).toArray()).toEqual([{ re: 1, im: 1 }, { re: 3, im: 1 }]);
    expect(mul(z, z).toArray()).toEqual([{ re: -1, im: 0 }, { re: 0, im: 2 }]);
    expect(combine({ re: 0, im: 1 }, a, 1, a).toArray()).toEqual([{ re: 1, im: 1 }, { re: 2, im: 2 }]);
  });

  it("scales, conjugates and splits parts", () => {
    const z = tensor([{ re: 3, im: 4 }]);
    expect(scale(z, { re: 0, im: 1 }).get(0)).toEqual({ re: -4, im: 3 });
    expect(conj(z).get(0)).toEqual({ re: 3, im: -4 });
    expect(real(z).get(0)).toBe(3);
    expect(imag(z).get(0)).toBe(4);
    expect(abs(z).get(0)).toBe(5);
  });

  it("rejects shape mismatches and non-finite data", () => {
    expect(() => add(tensor([1, 2]), tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => assertFinite(tensor([1, NaN]), "svd")).toThrow(NonFiniteError);
    expect(() => assertFinite(tensor([1, NaN]), "svd")).toThrow(/svd: .*shape \[2\].*NaN.*flat index 1/);
  });
});

describe("norms", () => {
  it("norm is exact without overflow or underflow", () => {
    expect(norm(tensor([3, 4]))).toBe(5);
    expect(norm(tensor([3e200, 4e200]))).toBeCloseTo(5e200, -186);
    expect(norm(tensor([3e-200, 4e-200]))).toBeCloseTo(5e-200, 210);
    expect(norm(tensor([{ re: 3, im: 4 }]))).toBe(5);
    expect(norm(tensor([Infinity, 1]))).toBe(Infinity);
    expect(norm(tensor([NaN, 1]))).toBeNaN();
  });

  it("vdot conjugates its first argument", () => {
    const a = tensor([{ re: 0, im: 1 }, { re: 1, im: 0 }]);
    const b = tensor([{ re: 0, im: 1 }, { re: 0, im: 2 }]);
    expect(vdot(a, b)).toEqual({ re: 1, im: 2 });
    expect(vdot(tensor([1, 2]), tensor([3, 4]))).toBe(11);
    expect(maxAbs(tensor([-3, 2]))).toBe(3);
    expect(distance(tensor([1, 1]), tensor([4, 5]))).toBe(5);
  });
});
