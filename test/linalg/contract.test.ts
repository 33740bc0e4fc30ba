import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../src/errors.js";
import { contract, einsum, sumAxes, tensordot } from "../../src/linalg/contract.js";
import { matmul } from "../../src/linalg/matmul.js";
import { tensor } from "../../src/linalg/tensor.js";
import { maxAbsDiff, naiveContract, naiveGemm, fillTensor } from "../helpers/reference.js";


// A random contraction problem: labels 0..L-1 with sizes, each operand takes a random subset
// in random order, the output a random subset of the labels that occur anywhere.
const problem = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }),
    seed: fc.integer({ min: 1, max: 1e6 }),
    complex: fc.boolean(),
  })
  .chain(({ sizes, seed, complex }) => {
    const labels = sizes.map((_, i) => i);
    return fc.record({
      sizes: fc.constant(sizes),
      seed: fc.constant(seed),
      complex: fc.constant(complex),
      la: fc.shuffledSubarray(labels, { minLength: 0, maxLength: Math.min(4, labels.length) }),
      lb: fc.shuffledSubarray(labels, { minLength: 0, maxLength: Math.min(4, labels.length) }),
      outPick: fc.shuffledSubarray(labels, { minLength: 0, maxLength: labels.length }),
    });
  });

describe("contract", () => {
  it("agrees with a naive loop over all indices (property, incl. batch and summed-out labels)", () => {
    fc.assert(
      fc.property(problem, ({ sizes, seed, complex, la, lb, outPick }) => {
        const out = outPick.filter((l) => la.includes(l) || lb.includes(l));
        const dt = complex ? "c128" : "f64";
        const a = fillTensor(la.map((l) => sizes[l]!), dt, seed);
        const b = fillTensor(lb.map((l) => sizes[l]!), dt, seed + 1);
        const got = contract(a, la, b, lb, out);
        const want = naiveContract(a, la, b, lb, out, complex);
        expect(got.shape).toEqual(want.shape);
        expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-13);
      }),
      { numRuns: 300 },
    );
  });

  it("defaults the output to labels occurring once, in order of appearance", () => {
    const a = fillTensor([2, 3], "f64", 1), b = fillTensor([3, 4], "f64", 2);
    expect(contract(a, ["i", "k"], b, ["k", "j"]).shape).toEqual([2, 4]);
  });

  it("rejects mismatched sizes, repeated labels and unknown output labels", () => {
    const a = fillTensor([2, 3], "f64", 1), b = fillTensor([4, 5], "f64", 2);
    expect(() => contract(a, ["i", "k"], b, ["k", "j"])).toThrow(/label "k" has size 3 in \[2, 3\] but 4 in \[4, 5\]/);
    expect(() => contract(a, ["i", "i"], b, ["k", "j"])).toThrow(ArgumentError);
    expect(() => contract(a, ["i", "k"], b, ["l", "j"], ["z"])).toThrow(/output label "z"/);
    expect(() => contract(a, ["i"], b, ["k", "j"])).toThrow(/2 labels|1 labels/);
  });
});

describe("tensordot", () => {
  it("uses transposed GEMM operands when contracted axes lead or trail, and permutes otherwise", () => {
    const a = fillTensor([3, 4, 5], "f64", 3), b = fillTensor([5, 4, 2], "f64", 4);
    const c1 = tensordot(a, b, [[1, 2], [1, 0]]);
    const w1 = naiveContract(a, ["i", "j", "k"], b, ["k", "j", "l"], ["i", "l"], false);
    expect(maxAbsDiff(c1.data, w1.data)).toBeLessThan(1e-14);
    const c2 = tensordot(a, fillTensor([3, 4, 6], "f64", 5), [[0, 1], [0, 1]]);
    expect(c2.shape).toEqual([5, 6]);
    const c3 = tensordot(a, fillTensor([5, 7], "f64", 6), 1);
    expect(c3.shape).toEqual([3, 4, 7]);
    const c4 = tensordot(a, fillTensor([2, 4], "f64", 7), [[1], [1]]);
    const w4 = naiveContract(a, ["i", "j", "k"], fillTensor([2, 4], "f64", 7), ["l", "j"], ["i", "k", "l"], false);
    expect(maxAbsDiff(c4.data, w4.data)).toBeLessThan(1e-14);
  });

  it("reaches the SIMD kernels for large operands and matches the naive product", () => {
    const a = fillTensor([40, 30, 20], "c128", 8), b = fillTensor([20, 30, 10], "c128", 9);
    const c = tensordot(a, b, [[1, 2], [1, 0]]);
    const w = naiveContract(a, ["i", "j", "k"], b, ["k", "j", "l"], ["i", "l"], true);
    expect(maxAbsDiff(c.data, w.data)).toBeLessThan(1e-12);
  });

  it("names both shapes when axes do not match", () => {
    expect(() => tensordot(fillTensor([2, 3], "f64", 1), fillTensor([4, 2], "f64", 2), [[1], [0]])).toThrow(
      /axis 1 of \[2, 3\] \(size 3\) does not match axis 0 of \[4, 2\] \(size 4\)/,
    );
    expect(() => tensordot(fillTensor([2, 3], "f64", 1), fillTensor([3], "f64", 2), [[1], []])).toThrow(ShapeError);
  });
});

describe("einsum", () => {
  it("handles matrix products, implicit output, permutations, reductions and traces of products", () => {
    const a = fillTensor([3, 4], "f64", 1), b = fillTensor([4, 2], "f64", 2);
    const ab = einsum("ij,jk->ik", a, b);
    expect(maxAbsDiff(ab.data, naiveGemm(false, false, 3, 2, 4, a.data, 4, b.data, 2))).toBeLessThan(1e-15);
    expect(einsum("ij,jk", a, b).shape).toEqual([3, 2]);
    expect(einsum("ij->ji", a).get(2, 1)).toBe(a.get(1, 2));
    const rows = einsum("ij->i", a);
    expect(rows.get(1)).toBeCloseTo([0, 1, 2, 3].reduce((s, j) => s + (a.get(1, j) as number), 0), 15);
    const tr = einsum("ij,ji->", a, fillTensor([4, 3], "f64", 3));
    expect(tr.ndim).toBe(0);
    expect(() => einsum("ii->i", fillTensor([2, 2], "f64", 1))).toThrow(/diagonals/);
    expect(() => einsum("i...,j->ij", a, b)).toThrow(/letters/);
    expect(() => einsum("ij,jk->ik", a)).toThrow(/2 operands, 1 given/);
  });
});

describe("matmul", () => {
  it("supports transposes, adjoints, vectors and promotion", () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(matmul(a, a).toArray()).toEqual([[7, 10], [15, 22]]);
    expect(matmul(a, a, { transposeA: true }).toArray()).toEqual([[10, 14], [14, 20]]);
    expect(matmul(a, tensor([1, 1])).toArray()).toEqual([3, 7]);
    expect(matmul(tensor([1, 1]), a).toArray()).toEqual([4, 6]);
    expect(matmul(tensor([1, 2]), tensor([3, 4])).get()).toBe(11);
    const z = tensor([[{ re: 0, im: 1 }]]);
    expect(matmul(z, z, { adjointA: true }).get(0, 0)).toEqual({ re: 1, im: 0 });
    expect(matmul(a, tensor([[{ re: 0, im: 1 }], [1]])).toArray()).toEqual([[{ re: 2, im: 1 }], [{ re: 4, im: 3 }]]);
  });

  it("agrees with the naive product across the small/kernel crossover", () => {
    for (const [m, n, k] of [[5, 6, 7], [16, 16, 16], [17, 16, 16], [33, 9, 70]] as const) {
      const a = fillTensor([m, k], "f64", m), b = fillTensor([n, k], "f64", n);
      const c = matmul(a, b, { transposeB: true });
      expect(maxAbsDiff(c.data, naiveGemm(false, true, m, n, k, a.data, k, b.data, k))).toBeLessThan(1e-14);
    }
  });

  it("computes f32 products in f32", () => {
    const a = fillTensor([40, 30], "f64", 1).astype("f32"), b = fillTensor([30, 20], "f64", 2).astype("f32");
    const c = matmul(a, b);
    expect(c.dtype).toBe("f32");
    expect(maxAbsDiff(c.data, naiveGemm(false, false, 40, 20, 30, a.data, 30, b.data, 20))).toBeLessThan(1e-5);
  });

  it("rejects mismatched inner dimensions naming the shapes", () => {
    expect(() => matmul(fillTensor([2, 3], "f64", 1), fillTensor([2, 3], "f64", 2))).toThrow(/\[2, 3\] · \[2, 3\] \(3 ≠ 2\)/);
    expect(() => matmul(fillTensor([2, 3, 1], "f64", 1), fillTensor([2, 3], "f64", 2))).toThrow(ShapeError);
  });
});

describe("sumAxes", () => {
  it("sums complex data over several axes", () => {
    const t = fillTensor([2, 3, 4], "c128", 4);
    const s = sumAxes(t, [0, 2]);
    let re = 0;
    for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) re += (t.get(i, 1, k) as { re: number }).re;
    expect((s.get(1) as { re: number }).re).toBeCloseTo(re, 14);
  });
});
