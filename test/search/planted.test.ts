import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { svd } from "../../src/linalg/decomp/svd.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { permute } from "../../src/linalg/permute.js";
import { unfold } from "../../src/linalg/unfold.js";
import { fitNetwork } from "../../src/search/fit/als.js";
import { contractNetwork } from "../../src/search/network/contract.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { PLANTED_TARGETS, plantedNetwork, plantedStructure, plantedTarget } from "../../src/search/planted.js";
import { Tree } from "../../src/tn/tree.js";

// Numerical rank of the unfolding with `rows` as row modes.
function unfoldingRank(x: Parameters<typeof unfold>[0], rows: number[]): number {
  const s = svd(unfold(x, rows), { vectors: false }).s;
  return s.filter((v) => v > 1e-10 * s[0]!).length;
}

describe("plantedTarget: the greedy paper's four 7^5 targets", () => {
  it("have the paper's shapes, unit norm and the planted parameter counts", () => {
    const counts: Record<string, number> = { tucker: 144 + 7 * 14, "tensor-train": 427, "tensor-ring": 511, triangle: 378 };
    for (const name of PLANTED_TARGETS) {
      const t = plantedTarget(name, 0);
      expect(t.tensor.shape).toEqual([7, 7, 7, 7, 7]);
      expect(Math.abs(norm(t.tensor) - 1)).toBeLessThan(1e-12);
      expect(t.parameters).toBe(counts[name]);
      expect(t.structure.numParameters()).toBe(counts[name]);
      expect(t.permutation).toEqual([0, 1, 2, 3, 4]);
      // The returned network contracts to the target.
      expect(distance(contractNetwork(t.network), t.tensor)).toBeLessThan(1e-12);
    }
  });

  it("carry the planted ranks in their unfoldings", () => {
    // Tucker (2, 3, 4, 3, 2): the mode unfoldings have exactly these ranks.
    const tucker = plantedTarget("tucker", 0).tensor;
    expect([0, 1, 2, 3, 4].map((m) => unfoldingRank(tucker, [m]))).toEqual([2, 3, 4, 3, 2]);
    // Tensor train (2, 3, 6, 5): the prefix unfoldings.
    const tt = plantedTarget("tensor-train", 0).tensor;
    expect([[0], [0, 1], [0, 1, 2], [0, 1, 2, 3]].map((rows) => unfoldingRank(tt, rows))).toEqual([2, 3, 6, 5]);
    // Ring (2, 3, 4, 5, 5), closing bond 4–0 of rank 5: cutting bonds 0–1 and 4–0 isolates mode 0 (rank ≤ 7 = n), modes {0, 1} cut bonds 1–2 and 4–0: 3·5 = 15.
    const ring = plantedTarget("tensor-ring", 0).tensor;
    expect(unfoldingRank(ring, [0, 1])).toBe(15);
    expect(unfoldingRank(ring, [1, 2])).toBe(2 * 4);
    // Triangle with tails: mode 0 hangs on bond 0–1 (5), mode 3 on 2–3 (5), {0, 1} cut 1–2 and 1–4: 2·2 = 4.
    const tri = plantedTarget("triangle", 0).tensor;
    expect([unfoldingRank(tri, [0]), unfoldingRank(tri, [3]), unfoldingRank(tri, [0, 1]), unfoldingRank(tri, [4])]).toEqual([5, 5, 4, 4]);
  });

  it("are deterministic for a seed and differ between seeds", () => {
    const a = plantedTarget("triangle", 3), b = plantedTarget("triangle", 3), c = plantedTarget("triangle", 4);
    expect(Array.from(a.tensor.data)).toEqual(Array.from(b.tensor.data));
    expect(distance(a.tensor, c.tensor)).toBeGreaterThan(0.1);
    // The default seed is 0.
    expect(Array.from(plantedTarget("tucker").tensor.data.subarray(0, 10))).toEqual(Array.from(plantedTarget("tucker", 0).tensor.data.subarray(0, 10)));
  });

  it("refuses unknown names", () => {
    expect(() => plantedStructure("star" as never)).toThrow(ArgumentError);
    expect(() => plantedTarget("nope" as never, 0)).toThrow(/unknown target "nope"/);
  });
});

describe("plantedNetwork: rings, fully connected networks and trees with a hidden permutation", () => {
  const ring = NetworkStructure.tensorRing([3, 4, 5, 3, 4], [2, 3, 4, 2, 3]);

  it("moves the axes and nothing else: the permuted target is the plain one transposed", () => {
    const plain = plantedNetwork(ring, 5);
    const hidden = plantedNetwork(ring, 5, { permutation: [2, 0, 4, 1, 3] });
    // Axis permutation[k] carries mode k: hidden = permute(plain, axes) with axes[permutation[k]] = k.
    const axes = new Array<number>(5);
    hidden.permutation.forEach((a, k) => (axes[a] = k));
    expect(distance(hidden.tensor, permute(plain.tensor, axes))).toBeLessThan(1e-14);
    expect(hidden.tensor.shape).toEqual([4, 3, 3, 4, 5]);
    expect(hidden.structure.dims).toEqual([4, 3, 3, 4, 5]);
    expect(hidden.structure.perm).toEqual([2, 0, 4, 1, 3]); // vertex v carries target axis permutation[v]
    expect(hidden.parameters).toBe(ring.numParameters());
  });

  it("draws a random permutation from the seed, after the cores", () => {
    const a = plantedNetwork(ring, 9, { permutation: "random" }), b = plantedNetwork(ring, 9, { permutation: "random" });
    expect(a.permutation).toEqual(b.permutation);
    expect([...a.permutation].sort()).toEqual([0, 1, 2, 3, 4]);
    const perms = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => plantedNetwork(ring, s, { permutation: "random" }).permutation.join()));
    expect(perms.size).toBeGreaterThan(4);
    // The cores are those of the unpermuted target.
    const plain = plantedNetwork(ring, 9);
    expect(Array.from(a.network.cores[2]!.data)).toEqual(Array.from(plain.network.cores[2]!.data));
  });

  it("hides the structure: the returned (permuted) structure fits exactly, the unpermuted one does not", () => {
    const train = NetworkStructure.tensorTrain([4, 4, 4, 4, 4], [2, 4, 4, 2]);
    const t = plantedNetwork(train, 2, { permutation: [3, 0, 4, 1, 2] });
    const exact = fitNetwork(t.structure, t.tensor, { targetRse: 1e-10, maxSweeps: 200, seed: 1 });
    expect(exact.rse).toBeLessThan(1e-8);
    // The same train over the target's modes in their own order: the unfoldings have other ranks.
    const naive = fitNetwork(NetworkStructure.tensorTrain(t.tensor.shape, [2, 4, 4, 2]), t.tensor, { maxSweeps: 100, seed: 1 });
    expect(naive.rse).toBeGreaterThan(0.05);
    // Through the unfoldings: target axes {3} (mode 0) has rank 2, axis 0 (mode 1) sits between bonds 2 and 4.
    expect(unfoldingRank(t.tensor, [3])).toBe(2);
    expect(unfoldingRank(t.tensor, [3, 0])).toBe(4);
  });

  it("plants fully connected networks and trees with inner vertices", () => {
    const fc = NetworkStructure.fullyConnected([3, 3, 3, 3], 2);
    const a = plantedNetwork(fc, 1, { permutation: "random" });
    expect(Math.abs(norm(a.tensor) - 1)).toBeLessThan(1e-12);
    expect(distance(contractNetwork(a.network), a.tensor)).toBeLessThan(1e-12);
    const tree = NetworkStructure.fromTree(Tree.fromSpec([[0, 1], [2, [3, 4]]]), [3, 4, 5, 3, 4], 2);
    const b = plantedNetwork(tree, 4, { permutation: [4, 3, 2, 1, 0] });
    expect(b.tensor.shape).toEqual([4, 3, 5, 4, 3]);
    expect(b.structure.perm.filter((m) => m < 0).length).toBe(tree.numVertices - 5); // inner vertices stay without a leg
    expect(distance(contractNetwork(b.network), b.tensor)).toBeLessThan(1e-12);
    const fit = fitNetwork(b.structure, b.tensor, { targetRse: 1e-10, maxSweeps: 200, seed: 3 });
    expect(fit.rse).toBeLessThan(1e-8);
  });

  it("adds relative noise and stays of unit norm", () => {
    const clean = plantedNetwork(ring, 6), noisy = plantedNetwork(ring, 6, { noise: 0.01 });
    expect(Math.abs(norm(noisy.tensor) - 1)).toBeLessThan(1e-12);
    const d = distance(clean.tensor, noisy.tensor);
    expect(d).toBeGreaterThan(0.005);
    expect(d).toBeLessThan(0.02);
    expect(noisy.noise).toBe(0.01);
  });

  it("salts the seed: a fit's random start of the same seed is not the planted network", () => {
    const t = plantedNetwork(ring, 1);
    const start = TensorNetwork.random(t.structure, 1, { sigma: 1 });
    // Proportional cores would give a cosine of ±1.
    const a = t.network.cores[0]!, b = start.cores[0]!;
    let ab = 0;
    for (let i = 0; i < a.data.length; i++) ab += a.data[i]! * b.data[i]!;
    expect(Math.abs(ab) / (norm(a) * norm(b))).toBeLessThan(0.9);
  });

  it("refuses bad seeds, permutations and noise levels", () => {
    expect(() => plantedNetwork(ring, -1)).toThrow(ArgumentError);
    expect(() => plantedNetwork(ring, 0.5)).toThrow(ArgumentError);
    expect(() => plantedNetwork(ring, 1, { permutation: [0, 1, 2, 3] })).toThrow(ArgumentError);
    expect(() => plantedNetwork(ring, 1, { permutation: [0, 1, 2, 3, 3] })).toThrow(/not a permutation/);
    expect(() => plantedNetwork(ring, 1, { noise: -1 })).toThrow(/noise/);
    expect(() => plantedNetwork(ring, 1, { noise: Number.NaN })).toThrow(ArgumentError);
  });
});
