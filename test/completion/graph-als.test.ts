import { describe, expect, it } from "vitest";
import { completeTensor } from "../../src/completion/complete.js";
import { GraphAls, sweepSequence } from "../../src/completion/graph-als.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { randn } from "../../src/linalg/random.js";
import { Tensor } from "../../src/linalg/tensor.js";
import { Tree } from "../../src/tn/tree.js";
import { fitNetwork } from "../../src/search/fit/als.js";
import { observedFromTensor, sampleObserved } from "../../src/search/fit/observed.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";

const tree = NetworkStructure.fromTree(Tree.fromSpec([[0, 1], [2, [3, 4]]]), [4, 5, 4, 5, 4], [1, 3, 2, 2, 3, 2, 3, 2, 2]);

describe("GraphAls (any graph, per-sample environments)", () => {
  it("sweeps trees along an Euler tour from a leaf, other graphs up and back", () => {
    expect(sweepSequence(NetworkStructure.tensorTrain([2, 2, 2, 2], 2))).toEqual([0, 1, 2, 3, 2, 1]);
    // Vertices: 0 root, 1 = (0 1) with leaves 2, 3; 4 = (2 (3 4)) with leaf 5 and 6 = (3 4).
    expect(tree.perm).toEqual([-1, -1, 0, 1, -1, 2, -1, 3, 4]);
    expect(sweepSequence(tree)).toEqual([2, 1, 0, 4, 5, 4, 6, 7, 6, 8, 6, 4, 0, 1, 3, 1]);
    expect(sweepSequence(NetworkStructure.tensorRing([2, 2, 2, 2], 2))).toEqual([0, 1, 2, 3, 2, 1]);
    expect(sweepSequence(NetworkStructure.tensorTrain([3], []))).toEqual([0]);
  });

  it("on a tree, moves its gauge without changing the tensor, and plain sweeps never raise the error", () => {
    const x = TensorNetwork.random(tree, 1).toFull();
    const obs = sampleObserved(x, 0.3, 2);
    const start = TensorNetwork.random(tree, 3);
    const solver = new GraphAls(tree, start, { idx: obs.indices, values: obs.values, m: obs.values.length });
    expect(distance(solver.network().toFull(), start.toFull()) / norm(start.toFull())).toBeLessThan(1e-13);
    const y = new Tensor("f64", [obs.values.length], obs.values);
    let previous = Infinity;
    for (let sweep = 0; sweep < 4; sweep++) {
      expect(solver.sweep(1e-14)).toBe(true);
      const err = distance(solver.network().entries(obs.indices), y);
      expect(err).toBeLessThanOrEqual(previous * (1 + 1e-12));
      previous = err;
    }
  });

  it("with every entry of a tree target observed, reaches fitNetwork's fit (to 1e-10)", () => {
    // As for trains (complete.test.ts): fitNetwork's dense sweeps in vertex order against the
    // Euler tour with per-sample environments and gauge moves, on a low-rank tree target plus
    // 10 % noise, where both converge to the same best approximation (RSE 0.12).
    const lowRank = TensorNetwork.random(tree, 5).toFull(), noise = randn(tree.dims, 6);
    const x = new Tensor("f64", tree.dims, (lowRank.data as Float64Array).map((v, i) => v + 0.1 * noise.data[i]!));
    const start = TensorNetwork.random(tree, 7);
    const ref = fitNetwork(tree, x, { start, maxSweeps: 80, stallTolerance: 0, targetRse: 0 });
    const result = completeTensor(observedFromTensor(x), {
      structure: tree, start, validationFraction: 0, ridgeStart: 1e-12, targetRse: 0, maxSweeps: 40, patience: 100, stallTolerance: 0,
    });
    expect(result.solver).toBe("graph");
    expect(ref.rse).toBeGreaterThan(0.1);
    expect(Math.abs(result.trainRse - ref.rse)).toBeLessThan(1e-12);
    expect(distance(result.network.toFull(), ref.network.toFull()) / norm(x)).toBeLessThan(1e-10);
  });

  it("fits graphs with loops other than rings, without a gauge", () => {
    const s = NetworkStructure.fullyConnected([4, 4, 4, 4], 2);
    const x = TensorNetwork.random(s, 1).toFull();
    const result = completeTensor(sampleObserved(x, 0.5, 2), { structure: s, seed: 3, maxSweeps: 60, targetRse: 1e-9 });
    expect(result.solver).toBe("graph");
    expect(result.records.every((r) => Number.isFinite(r.trainRse))).toBe(true);
    expect(result.trainRse).toBeLessThan(result.records[0]!.trainRse);
  });
});
