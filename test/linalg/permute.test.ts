import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/errors.js";
import { adjoint, permute, transpose } from "../../src/linalg/permute.js";
import { rowMajorStrides } from "../../src/linalg/shape.js";
import { Tensor, tensor } from "../../src/linalg/tensor.js";

function iota(shape: number[], dtype: "f64" | "c128"): Tensor {
  const t = new Tensor(dtype, shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = i + 1;
  return t;
}

const shapeAndPerm = fc
  .array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 5 })
  .chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length })));

describe("permute", () => {
  it("matches the definition out[i_p0, i_p1, …] = in[i_0, i_1, …] (property)", () => {
    fc.assert(
      fc.property(shapeAndPerm, fc.boolean(), ([shape, perm], cplx) => {
        const t = iota(shape, cplx ? "c128" : "f64");
        const p = permute(t, perm);
        expect(p.shape).toEqual(perm.map((a) => shape[a]));
        const inStrides = rowMajorStrides(shape);
        const outStrides = rowMajorStrides(p.shape);
        const w = cplx ? 2 : 1;
        for (let o = 0; o < p.size; o++) {
          let src = 0;
          for (let ax = 0; ax < perm.length; ax++) src += (Math.floor(o / outStrides[ax]!) % p.shape[ax]!) * inStrides[perm[ax]!]!;
          for (let q = 0; q < w; q++) if (p.data[w * o + q] !== t.data[w * src + q]) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips through the inverse permutation (property)", () => {
    fc.assert(
      fc.property(shapeAndPerm, ([shape, perm]) => {
        const t = iota(shape, "f64");
        const inv = new Array<number>(perm.length);
        perm.forEach((a, i) => (inv[a] = i));
        expect(Array.from(permute(permute(t, perm), inv).data)).toEqual(Array.from(t.data));
      }),
    );
  });

  it("reshape round-trips through any factorisation of the size and shares storage (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
        (shape, factors) => {
          const t = iota(shape, "c128");
          // A second shape of the same size: the factors that divide it, then the remainder.
          let rest = t.size;
          const other: number[] = [];
          for (const f of factors) if (rest % f === 0) {
            other.push(f);
            rest /= f;
          }
          other.push(rest);
          const r = t.reshape(other);
          expect(r.data).toBe(t.data);
          expect(r.reshape([-1]).reshape(shape).shape).toEqual(shape);
          expect(r.reshape(shape).get(...shape.map((d) => d - 1))).toEqual(t.get(...shape.map((d) => d - 1)));
        },
      ),
    );
  });

  it("transposes large matrices through the blocked path", () => {
    const t = iota([70, 45], "f64");
    const tt = transpose(t);
    for (const [i, j] of [[0, 0], [69, 44], [33, 12], [5, 40]] as const) expect(tt.get(j, i)).toBe(t.get(i, j));
  });

  it("adjoint conjugates", () => {
    const z = tensor([[{ re: 1, im: 2 }, { re: 3, im: 4 }]]);
    expect(adjoint(z).toArray()).toEqual([[{ re: 1, im: -2 }], [{ re: 3, im: -4 }]]);
  });

  it("rejects invalid permutations", () => {
    const t = iota([2, 3], "f64");
    expect(() => permute(t, [0])).toThrow(ShapeError);
    expect(() => permute(t, [0, 0])).toThrow(/repeats axis 0/);
    expect(() => permute(t, [0, 2])).toThrow(/out of range/);
  });
});
