import { describe, expect, it } from "vitest";
import { ArborError, ShapeError } from "../../src/errors.js";
import { lstsq } from "../../src/linalg/decomp/lstsq.js";
import { combine } from "../../src/linalg/elementwise.js";
import { matmul } from "../../src/linalg/matmul.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { tensor } from "../../src/linalg/tensor.js";
import { fillTensor } from "../helpers/reference.js";

const EPS = 2 ** -52;


describe("lstsq", () => {
  it("solves consistent systems exactly with both methods (real and complex)", () => {
    for (const dtype of ["f64", "c128"] as const)
      for (const method of ["svd", "qr"] as const) {
        const A = fillTensor([30, 10], dtype, 1);
        const xTrue = fillTensor([10, 3], dtype, 2);
        const { x, residualNorms, rank } = lstsq(A, matmul(A, xTrue), { method });
        expect(rank).toBe(10);
        expect(distance(x, xTrue)).toBeLessThanOrEqual(1e3 * EPS * norm(xTrue));
        for (const r of residualNorms) expect(r).toBeLessThan(1e-13);
      }
  });

  it("satisfies the normal equations Aᴴ(Ax − b) = 0 for inconsistent systems", () => {
    for (const dtype of ["f64", "c128"] as const) {
      const A = fillTensor([40, 8], dtype, 3);
      const b = fillTensor([40], dtype, 4);
      const { x } = lstsq(A, b);
      const r = combine(1, matmul(A, x), -1, b);
      expect(norm(matmul(A, r, { adjointA: true }))).toBeLessThanOrEqual(100 * 40 * EPS * norm(A) ** 2 * norm(x) + 1e-13);
      const q = lstsq(A, b, { method: "qr" }).x;
      expect(distance(q, x)).toBeLessThan(1e-12);
    }
  });

  it("returns the minimum-norm solution for rank-deficient and underdetermined systems", () => {
    // Columns 0 and 1 equal: x0 + x1 = 2 has minimum-norm solution x0 = x1 = 1.
    const A = tensor([[1, 1], [1, 1], [1, 1]]);
    const { x, rank } = lstsq(A, tensor([2, 2, 2]));
    expect(rank).toBe(1);
    expect(x.get(0)).toBeCloseTo(1, 14);
    expect(x.get(1)).toBeCloseTo(1, 14);
    // Underdetermined: x = Aᴴ(AAᴴ)⁻¹b, orthogonal to A's null space.
    const W = fillTensor([3, 7], "f64", 5);
    const b = fillTensor([3], "f64", 6);
    const sol = lstsq(W, b).x;
    expect(distance(matmul(W, sol), b)).toBeLessThan(1e-13);
    expect(() => lstsq(A, tensor([2, 2, 2]), { method: "qr" })).toThrow(ArborError);
    expect(() => lstsq(A, tensor([2, 2, 2]), { method: "qr" })).toThrow(/rank deficient/);
  });

  it("rejects mismatched shapes and options", () => {
    expect(() => lstsq(fillTensor([4, 2], "f64", 1), fillTensor([3], "f64", 2))).toThrow(ShapeError);
    expect(() => lstsq(fillTensor([4, 2], "f64", 1), fillTensor([4], "f64", 2), { method: "lu" as never })).toThrow(/unknown method "lu"/);
    expect(() => lstsq(fillTensor([2, 4], "f64", 1), fillTensor([2], "f64", 2), { method: "qr" })).toThrow(/at least as many rows/);
  });
});
