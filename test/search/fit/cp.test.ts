import { describe, expect, it } from "vitest";
import { ArgumentError, DTypeError, ShapeError } from "../../../src/errors.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { randn } from "../../../src/linalg/random.js";
import { Tensor } from "../../../src/linalg/tensor.js";
import { cpToFull, fitCp } from "../../../src/search/fit/cp.js";

// Independent reference: the CP tensor by explicit loops over all entries.
function naiveCp(factors: Tensor[], weights?: ArrayLike<number>): Float64Array {
  const dims = factors.map((f) => f.shape[0]!);
  const R = factors[0]!.shape[1]!;
  const size = dims.reduce((p, n) => p * n, 1);
  const out = new Float64Array(size);
  const idx = new Array<number>(dims.length).fill(0);
  for (let e = 0; e < size; e++) {
    let v = 0;
    for (let r = 0; r < R; r++) {
      let p = weights === undefined ? 1 : weights[r]!;
      factors.forEach((f, k) => (p *= f.data[idx[k]! * R + r]!));
      v += p;
    }
    out[e] = v;
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++idx[k]! < dims[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

describe("cpToFull", () => {
  it("matches explicit sums over the rank-one terms, with and without weights", () => {
    const f = [randn([3, 4], 1), randn([2, 4], 2), randn([5, 4], 3), randn([2, 4], 4)];
    const w = [0.5, -1, 2, 3];
    expect(Array.from(cpToFull(f).data).map((x, i) => Math.abs(x - naiveCp(f)[i]!)).every((d) => d < 1e-12)).toBe(true);
    const y = cpToFull(f, w);
    expect(y.shape).toEqual([3, 2, 5, 2]);
    const ref = naiveCp(f, w);
    expect(Math.max(...Array.from(y.data, (x, i) => Math.abs(x - ref[i]!)))).toBeLessThan(1e-12);
  });

  it("refuses mismatched factors and weights", () => {
    expect(() => cpToFull([randn([3, 2], 1), randn([3, 3], 2)])).toThrow(ShapeError);
    expect(() => cpToFull([randn([3, 2], 1)], [1, 2, 3])).toThrow(/weights/);
  });
});

describe("fitCp (CP-ALS)", () => {
  it("recovers planted CP tensors to roundoff, from the SVD and from random starts", () => {
    const f = [randn([6, 4], 11), randn([5, 4], 12), randn([7, 4], 13), randn([4, 4], 14)];
    const x = cpToFull(f);
    for (const init of ["svd", "random"] as const) {
      const fit = fitCp(x, 4, { init, seed: 2, maxIterations: 2000 });
      expect(fit.rse, init).toBeLessThan(1e-8);
      expect(fit.stop).toBe("target");
      expect(fit.parameters).toBe(4 * (6 + 5 + 7 + 4));
      // The reported error is that of the returned model (independent reconstruction).
      const y = new Tensor("f64", x.shape, naiveCp(fit.factors, fit.weights));
      expect(distance(y, x) / norm(x)).toBeLessThan(1e-8);
      // Unit columns.
      for (const A of fit.factors) for (let r = 0; r < 4; r++) {
        let s = 0;
        for (let i = 0; i < A.shape[0]!; i++) s += A.data[i * 4 + r]! ** 2;
        expect(Math.abs(Math.sqrt(s) - 1)).toBeLessThan(1e-12);
      }
    }
  });

  it("never increases the error from iteration to iteration and stalls below the planted rank", () => {
    const x = cpToFull([randn([5, 6], 1), randn([5, 6], 2), randn([5, 6], 3)]);
    const fit = fitCp(x, 3, { seed: 1, maxIterations: 300 });
    fit.history.forEach((e, k) => k > 0 && expect(e).toBeLessThanOrEqual(fit.history[k - 1]! * (1 + 1e-9)));
    expect(fit.rse).toBeGreaterThan(1e-3);
    expect(["stalled", "max-iterations"]).toContain(fit.stop);
    expect(fit.iterations).toBe(fit.history.length);
  });

  it("is deterministic for a seed and copes with more terms than the mode sizes", () => {
    const x = randn([3, 4, 3], 5);
    const a = fitCp(x, 6, { seed: 3, maxIterations: 50 }), b = fitCp(x, 6, { seed: 3, maxIterations: 50 });
    expect(a.history).toEqual(b.history);
    expect(a.factors[0]!.shape).toEqual([3, 6]);
    expect(Number.isFinite(a.rse) && a.rse < 1).toBe(true);
    // A rank-1 fit of a rank-1 tensor.
    const one = cpToFull([randn([4, 1], 1), randn([3, 1], 2)]);
    expect(fitCp(one, 1).rse).toBeLessThan(1e-10);
  });

  it("refuses bad input with clear errors", () => {
    const x = randn([3, 3, 3], 1);
    expect(() => fitCp(x, 0)).toThrow(ArgumentError);
    expect(() => fitCp(x, 1.5)).toThrow(/rank must be a whole number/);
    expect(() => fitCp(randn([4], 1), 2)).toThrow(ShapeError);
    expect(() => fitCp(randn([2, 2], 1, { dtype: "c128" }), 1)).toThrow(DTypeError);
    expect(() => fitCp(new Tensor("f64", [2, 2]), 1)).toThrow(/zero/);
    const bad = randn([2, 2], 1);
    bad.data[1] = Number.NaN;
    expect(() => fitCp(bad, 1)).toThrow(/non-finite/);
    expect(() => fitCp(x, 2, { maxIterations: 0 })).toThrow(/maxIterations/);
    expect(() => fitCp(x, 2, { init: "hosvd" as never })).toThrow(/init/);
    expect(() => fitCp(x, 2, { tol: 1 } as never)).toThrow(/unknown option "tol"/);
  });

  it("accepts f32 targets (fitted in f64)", () => {
    const f = [randn([4, 2], 1), randn([3, 2], 2), randn([5, 2], 3)];
    const x = cpToFull(f);
    const x32 = new Tensor("f32", x.shape, Float32Array.from(x.data));
    const fit = fitCp(x32, 2, { seed: 1 });
    expect(fit.rse).toBeLessThan(1e-6);
  });
});
