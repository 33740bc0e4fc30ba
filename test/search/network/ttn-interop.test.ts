import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../../src/errors.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { Tensor } from "../../../src/linalg/tensor.js";
import { Tree } from "../../../src/tn/tree.js";
import { Ttn } from "../../../src/tn/ttn.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";

describe("tree tensor networks", () => {
  const trees: Array<[string, Tree]> = [
    ["tensor train", Tree.tensorTrain(4)],
    ["Tucker", Tree.tucker(4)],
    ["balanced binary", Tree.balancedBinary(5)],
    ["nested", Tree.fromSpec([[3, 0], [1, [4, 2]]])],
  ];
  for (const [name, tree] of trees)
    it(`fromTtn contracts to ttn.toFull() and converts back: ${name}`, () => {
      const dims = Array.from({ length: tree.numModes }, (_, m) => 2 + (m % 2));
      for (const dtype of ["f64", "c128"] as const) {
        const y = Ttn.random(tree, dims, 3, 4, { dtype });
        const net = TensorNetwork.fromTtn(y);
        expect(net.dtype).toBe(dtype);
        expect(distance(net.toFull(), y.toFull())).toBeLessThan(1e-13);
        expect(net.numParameters()).toBe(y.numParameters());
        const back = net.toTtn(tree);
        back.tensors.forEach((t, v) => expect(t.shape).toEqual(y.tensors[v]!.shape));
        expect(distance(back.toFull(), y.toFull())).toBeLessThan(1e-13);
        const derived = net.toTtn();
        expect(derived.tree.equals(tree)).toBe(true);
        expect(distance(derived.toFull(), y.toFull())).toBeLessThan(1e-13);
      }
    });

  it("a Ttn with rank-1 edges converts back through its tree", () => {
    const tree = Tree.balancedBinary(4);
    const y = Ttn.product(tree, [Tensor.fromArray([1, 2]), Tensor.fromArray([3, 4]), Tensor.fromArray([5, 6]), Tensor.fromArray([7, 8])]);
    const net = TensorNetwork.fromTtn(y);
    expect(net.structure.numEdges).toBe(0);
    expect(distance(net.toFull(), y.toFull())).toBe(0);
    expect(distance(net.toTtn(tree).toFull(), y.toFull())).toBe(0);
    expect(() => net.toTtn()).toThrow(/not a tree \(0 edges on 7 vertices, disconnected\)/);
  });

  it("tensor trains, stars and two-vertex networks become Ttns, inserting identity leaves", () => {
    const cases = [
      NetworkStructure.tensorTrain([2, 3, 4, 2], [2, 3, 2], [2, 0, 3, 1]),
      NetworkStructure.tensorTrain([3, 2], 2),
      new NetworkStructure([2, 3, 2], [[1, 1, 1, 2], [1, 1, 1, 3], [1, 1, 1, 2], [2, 3, 2, 1]]), // a star, centre 3
      // Inner vertex 0 joined to 1, 2, 3; vertex 3 carries a mode and a bond to 4.
      new NetworkStructure([2, 3, 2, 2], [[1, 2, 2, 3, 1], [2, 1, 1, 1, 1], [2, 1, 1, 1, 1], [3, 1, 1, 1, 2], [1, 1, 1, 2, 1]], [-1, 0, 1, 2, 3]),
    ];
    for (const s of cases) {
      const net = TensorNetwork.random(s, 9);
      const y = net.toTtn();
      expect(distance(y.toFull(), net.toFull())).toBeLessThan(1e-13 * norm(net.toFull()));
    }
  });

  it("reject graphs that are not trees or do not fit the given tree", () => {
    const ring = TensorNetwork.random(NetworkStructure.tensorRing([2, 2, 2], 2), 1);
    expect(() => ring.toTtn()).toThrow(/not a tree \(3 edges on 3 vertices, connected\)/);
    const tt = TensorNetwork.random(NetworkStructure.tensorTrain([2, 2, 2, 2], 2), 1);
    expect(() => tt.toTtn(Tree.tensorTrain(4))).toThrow(/4 vertices but the tree 7 nodes/);
    const onTree = TensorNetwork.random(NetworkStructure.fromTree(Tree.tucker(3), [2, 2, 2], 2), 1);
    expect(() => onTree.toTtn(Tree.fromSpec([[0, 1], 2]))).toThrow(ArgumentError);
    // A chain whose two middle vertices have no open leg: neither can be an inner tree node.
    const chain = new NetworkStructure([2, 2], [[1, 2, 1, 1], [2, 1, 2, 1], [1, 2, 1, 2], [1, 1, 2, 1]], [0, -1, -1, 1]);
    expect(() => TensorNetwork.random(chain, 1).toTtn()).toThrow(/vertices 1, 2 have no open leg and two bonds/);
    const dangling = new NetworkStructure([2, 2], [[1, 2, 1], [2, 1, 2], [1, 2, 1]], [-1, 0, 1]);
    expect(() => TensorNetwork.random(dangling, 1).toTtn()).toThrow(/vertex 0 has no open leg and one bond/);
  });
});

