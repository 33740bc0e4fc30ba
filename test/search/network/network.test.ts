import { describe, expect, it } from "vitest";
import { DTypeError, NonFiniteError, ShapeError } from "../../../src/errors.js";
import { Rng } from "../../../src/linalg/random.js";
import { Tensor } from "../../../src/linalg/tensor.js";
import { Tree } from "../../../src/tn/tree.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";

describe("TensorNetwork", () => {
  const s = NetworkStructure.tensorRing([2, 3, 4], [2, 3, 4], [1, 2, 0]);

  it("checks cores against the structure", () => {
    const good = [0, 1, 2].map((v) => new Tensor("f64", s.coreShape(v)));
    expect(good.map((c) => c.shape)).toEqual([[3, 2, 4], [4, 2, 3], [2, 4, 3]]);
    expect(() => new TensorNetwork(s, good)).not.toThrow();
    expect(() => new TensorNetwork(s, good.slice(0, 2))).toThrow(/2 cores for a structure of 3 vertices/);
    expect(() => new TensorNetwork(s, [good[0]!, new Tensor("f64", [4, 3, 2]), good[2]!])).toThrow(
      /core 1 has shape \[4, 3, 2\] but vertex 1 \(mode 2 of size 4; neighbours 0 \(rank 2\), 2 \(rank 3\)\) needs \[4, 2, 3\]/,
    );
    expect(() => new TensorNetwork(s, [good[0]!, good[1]!, new Tensor("f64", [2, 3, 4])])).toThrow(ShapeError);
    expect(() => new TensorNetwork(s, [good[0]!, good[1]!.astype("c128"), good[2]!])).toThrow(DTypeError);
    expect(() => new TensorNetwork(s, good.map((c) => c.astype("f32")) as never)).toThrow(/must be f64 or c128, got f32/);
    const bad = good[2]!.clone();
    bad.data[5] = NaN;
    expect(() => new TensorNetwork(s, [good[0]!, good[1]!, bad])).toThrow(NonFiniteError);
    bad.data[5] = -Infinity;
    expect(() => new TensorNetwork(s, [good[0]!, good[1]!, bad])).toThrow(/core 2 has a non-finite value \(-Infinity\) at storage index 5/);
  });

  it("draws seeded random cores", () => {
    const a = TensorNetwork.random(s, 3), b = TensorNetwork.random(s, 3), c = TensorNetwork.random(s, 4);
    expect(a.cores.every((t, v) => t.data.every((x, i) => x === b.cores[v]!.data[i]))).toBe(true);
    expect(a.cores[0]!.data[0]).not.toBe(c.cores[0]!.data[0]);
    // One generator, core by core in vertex order.
    const rng = new Rng(3);
    const first = TensorNetwork.random(s, rng, { sigma: 1 });
    const again = new Rng(3);
    const flat = new Float64Array(first.numParameters());
    again.fillNormal(flat);
    expect(Array.from(first.cores.flatMap((t) => Array.from(t.data)))).toEqual(Array.from(flat));
    const scaled = TensorNetwork.random(s, 3, { sigma: 0.1 });
    expect(scaled.cores[1]!.data[7]).toBeCloseTo(0.1 * first.cores[1]!.data[7]!, 15);
    const z = TensorNetwork.random(s, 3, { dtype: "c128" });
    expect(z.dtype).toBe("c128");
    expect(() => TensorNetwork.random(s, 3, { sigma: 0 })).toThrow(/sigma must be a positive finite number/);
    expect(() => TensorNetwork.random(s, 3, { sigma: Infinity })).toThrow(ShapeError);
    expect(() => TensorNetwork.random(s, 3, { dtype: "f32" as "f64" })).toThrow(DTypeError);
  });

  it("the default σ gives the represented tensor entries of variance 1", () => {
    for (const [structure, dtype] of [
      [NetworkStructure.tensorRing([3, 3, 3, 3], 3), "f64"],
      [NetworkStructure.fullyConnected([2, 2, 2, 2], 2), "c128"],
      [NetworkStructure.fromTree(Tree.balancedBinary(4), [3, 3, 3, 3], 4), "f64"],
    ] as const) {
      let sum = 0, count = 0;
      for (let seed = 0; seed < 300; seed++) {
        const full = TensorNetwork.random(structure, seed, { dtype }).toFull();
        for (let i = 0; i < full.data.length; i++) sum += full.data[i]! ** 2;
        count += full.size;
      }
      expect(sum / count).toBeGreaterThan(0.75);
      expect(sum / count).toBeLessThan(1.25);
    }
  });

  it("replaces cores, counts parameters and reports its contraction order", () => {
    const net = TensorNetwork.random(s, 1);
    const zero = new Tensor("f64", s.coreShape(1));
    const replaced = net.withCores(new Map([[1, zero]]));
    expect(replaced.cores[0]).toBe(net.cores[0]);
    expect(replaced.toFull().data.every((x) => x === 0)).toBe(true);
    expect(net.numParameters()).toBe(3 * 2 * 4 + 4 * 2 * 3 + 2 * 3 * 4);
    const order = net.contractionOrder();
    expect(order.path.length).toBe(2);
    expect(order.flops).toBeGreaterThan(0);
    expect(String(net)).toMatch(/^TensorNetwork<f64> on NetworkStructure\(dims \[2, 3, 4\].*72 parameters$/);
  });
});
