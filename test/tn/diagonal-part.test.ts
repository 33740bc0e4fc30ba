import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { distance } from "../../src/linalg/norms.js";
import { matmul } from "../../src/linalg/matmul.js";
import { diag } from "../../src/linalg/diag.js";
import { randn } from "../../src/linalg/random.js";
import { SumOfProducts } from "../../src/tn/operators/sum-of-products.js";

// SumOfProducts.apply sums its diagonal terms into one vector; the dense matrix (toMatrix,
// term by term Kronecker products) is the independent reference.
describe("SumOfProducts.apply with gathered diagonal terms", () => {
  it("equals the dense matrix on random mixes of diagonal and full factors, real and complex", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }), fc.boolean(), fc.boolean(), (seed, complexOp, complexY) => {
      const dims = [2, 3, 2, 2];
      const op = new SumOfProducts(dims);
      for (let k = 0; k < 6; k++) {
        const m = (seed + k) % dims.length, n = dims[m]!, m2 = (m + 1) % dims.length;
        const full = randn([n, n], seed + 10 * k + 1, complexOp ? { dtype: "c128" } : {});
        const coeff = complexOp ? { re: 0.5 - k, im: k / 3 } : 1 + k;
        if (k % 3 === 2) op.add(coeff, { [m]: full });
        else op.add(coeff, { [m]: diag(Array.from(randn([n], seed + 10 * k).data)), [m2]: diag(Array.from(randn([dims[m2]!], seed + 7 * k).data)) });
      }
      op.add(0.25); // the identity, a diagonal term without factors
      const y = randn(dims, seed + 99, complexY ? { dtype: "c128" } : {});
      const dense = matmul(op.toMatrix(), y.reshape([24]));
      return distance(op.apply(y).reshape([24]), dense) < 1e-12 * Math.max(1, Math.hypot(...Array.from(dense.data)));
    }), { numRuns: 50 });
  });

  it("forgets the gathered diagonal when a term is added", () => {
    const op = new SumOfProducts([2, 2]).add(1, { 0: diag([1, 2]) }).add(1, { 1: diag([3, 4]) });
    const y = randn([2, 2], 1);
    op.apply(y);
    op.add(2, { 0: diag([1, 1]) });
    expect(distance(op.apply(y).reshape([4]), matmul(op.toMatrix(), y.reshape([4])))).toBeLessThan(1e-13);
  });
});
