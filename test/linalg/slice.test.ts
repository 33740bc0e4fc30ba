import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/errors.js";
import { assignSlice, concat, slice } from "../../src/linalg/slice.js";
import { fold, modeProduct, unfold } from "../../src/linalg/unfold.js";
import { contract } from "../../src/linalg/contract.js";
import { eye, ones, tensor, zeros } from "../../src/linalg/tensor.js";
import { maxAbsDiff, fillTensor } from "../helpers/reference.js";


describe("slice / assignSlice / concat", () => {
  it("slices ranges and drops indexed axes", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(slice(t, [1]).toArray()).toEqual([4, 5, 6]);
    expect(slice(t, [null, [1, 3]]).toArray()).toEqual([[2, 3], [5, 6]]);
    expect(slice(t, [[0, 2], -1]).toArray()).toEqual([3, 6]);
    expect(slice(t, [[1, 1]]).shape).toEqual([0, 3]);
    expect(() => slice(t, [[2, 1]])).toThrow(/invalid for axis 0/);
    expect(() => slice(t, [5])).toThrow(ShapeError);
  });

  it("assignSlice then slice returns what was written (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.tuple(...shape.map((d) => fc.tuple(fc.integer({ min: 0, max: d }), fc.integer({ min: 0, max: d })))),
          ),
        ),
        fc.boolean(),
        ([shape, pairs], cplx) => {
          const ranges = pairs.map(([x, y]) => [Math.min(x, y), Math.max(x, y)] as const);
          const target = fillTensor(shape, cplx ? "c128" : "f64", 1);
          const block = fillTensor(ranges.map(([x, y]) => y - x), cplx ? "c128" : "f64", 2);
          assignSlice(target, ranges, block);
          expect(Array.from(slice(target, ranges).data)).toEqual(Array.from(block.data));
        },
      ),
    );
  });

  it("concatenates along any axis", () => {
    const c = concat([zeros([2, 1]), ones([2, 2])], 1);
    expect(c.toArray()).toEqual([[0, 1, 1], [0, 1, 1]]);
    const r = concat([eye(2), ones([1, 2])], 0);
    expect(r.toArray()).toEqual([[1, 0], [0, 1], [1, 1]]);
    expect(() => concat([zeros([2, 1]), ones([3, 2])], 1)).toThrow(/do not fit/);
  });
});

describe("unfold / fold / modeProduct", () => {
  it("fold inverts unfold for any choice of row modes (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }).chain((shape) =>
          fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape.map((_, i) => i))),
        ),
        ([shape, rows]) => {
          const t = fillTensor(shape, "f64", 3);
          const m = unfold(t, rows);
          expect(m.ndim).toBe(2);
          expect(Array.from(fold(m, shape, rows).data)).toEqual(Array.from(t.data));
        },
      ),
    );
  });

  it("mode-k unfolding places element (i0, …) at row i_k", () => {
    const t = fillTensor([2, 3, 4], "f64", 4);
    const m = unfold(t, [1]);
    expect(m.get(2, 1 * 4 + 3)).toBe(t.get(1, 2, 3));
  });

  it("modeProduct equals the contraction with the matrix's columns", () => {
    const t = fillTensor([2, 3, 4], "f64", 5);
    const M = fillTensor([5, 3], "f64", 6);
    const y = modeProduct(t, M, 1);
    expect(y.shape).toEqual([2, 5, 4]);
    const want = contract(t, ["a", "k", "c"], M, ["j", "k"], ["a", "j", "c"]);
    expect(maxAbsDiff(y.data, want.data)).toBeLessThan(1e-14);
    expect(() => modeProduct(t, M, 0)).toThrow(/cannot act on mode 0/);
  });

  it("modeProduct agrees with contract for small (direct loops) and large matrices, real, complex and mixed", () => {
    const dtypes = ["f64", "c128"] as const;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 1, max: 30 }), fc.nat(3), fc.nat(100),
        (shape, kRaw, J, types, seed) => {
          const k = kRaw % shape.length;
          const t = fillTensor(shape, dtypes[types & 1]!, seed);
          const M = fillTensor([J, shape[k]!], dtypes[types >> 1]!, seed + 1);
          const y = modeProduct(t, M, k);
          const labels = shape.map((_, i) => i);
          const want = contract(M, ["new", k], t, labels, labels.map((l) => (l === k ? "new" : l)));
          expect(y.dtype).toBe(want.dtype);
          expect(y.shape).toEqual(want.shape);
          expect(maxAbsDiff(y.data, want.data)).toBeLessThan(1e-13);
        }),
      { numRuns: 80 },
    );
  });
});
