import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import { Tensor, eye, ones, tensor, zeros } from "../../src/linalg/tensor.js";

describe("Tensor", () => {
  it("builds from nested arrays and reads elements", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.dtype).toBe("f64");
    expect(t.shape).toEqual([2, 3]);
    expect(t.get(1, 2)).toBe(6);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("infers c128 from complex elements and stores them interleaved", () => {
    const t = tensor([1, { re: 2, im: -3 }]);
    expect(t.dtype).toBe("c128");
    expect(Array.from(t.data)).toEqual([1, 0, 2, -3]);
    expect(t.get(1)).toEqual({ re: 2, im: -3 });
  });

  it("handles scalars and empty shapes", () => {
    const s = new Tensor("f64", []);
    expect(s.size).toBe(1);
    expect(s.get()).toBe(0);
    const e = zeros([2, 0, 3]);
    expect(e.size).toBe(0);
    expect(e.data.length).toBe(0);
  });

  it("reshape shares data and infers -1", () => {
    const t = ones([2, 6]);
    const r = t.reshape([3, -1]);
    expect(r.shape).toEqual([3, 4]);
    r.data[0] = 7;
    expect(t.get(0, 0)).toBe(7);
  });

  it("set writes in place, eye puts ones on the diagonal", () => {
    const t = eye(3);
    t.set([0, 2], 5);
    expect(t.toArray()).toEqual([[1, 0, 5], [0, 1, 0], [0, 0, 1]]);
    const c = eye(2, 2, "c128");
    c.set([0, 1], { re: 0, im: 1 });
    expect(c.get(0, 1)).toEqual({ re: 0, im: 1 });
  });

  it("astype refuses to drop non-zero imaginary parts", () => {
    expect(() => tensor([{ re: 1, im: 1 }]).astype("f64")).toThrow(DTypeError);
    expect(tensor([{ re: 1, im: 0 }]).astype("f64").get(0)).toBe(1);
    expect(tensor([1.5]).astype("f32").data).toBeInstanceOf(Float32Array);
  });

  it("rejects bad shapes, dtypes, indices and data lengths with named errors", () => {
    expect(() => zeros([2, -1])).toThrow(/dimension 1 is -1/);
    expect(() => zeros([2.5])).toThrow(ShapeError);
    expect(() => new Tensor("f16" as never, [2])).toThrow(/unknown dtype "f16"/);
    expect(() => new Tensor("f64", [3], new Float64Array(2))).toThrow(/needs 3 storage words, got 2/);
    expect(() => new Tensor("f32", [2], new Float64Array(2) as never)).toThrow(DTypeError);
    expect(() => ones([2, 2]).get(2, 0)).toThrow(/out of bounds/);
    expect(() => ones([2, 2]).get(0)).toThrow(/has 1 entries/);
    expect(() => ones([4]).reshape([3, -1])).toThrow(/cannot reshape/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor(["x"] as never)).toThrow(/not a number/);
  });
});
