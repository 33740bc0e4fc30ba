import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../src/errors.js";
import { Tree } from "../../src/tn/tree.js";
import { randomTree } from "../helpers/trees.js";

describe("Tree", () => {
  it("builds from a nested spec with pre-order ids and answers structural queries", () => {
    const t = Tree.fromSpec([[0, 1], [2, [3, 4]]]);
    expect(t.numModes).toBe(5);
    expect(t.numNodes).toBe(9);
    expect(t.root).toBe(0);
    expect(t.children(0)).toEqual([1, 4]);
    expect(t.isLeaf(2) && t.mode(2) === 0).toBe(true);
    expect(t.leaf(4)).toBe(8);
    expect(t.parent(8)).toBe(6);
    expect(t.slot(8)).toBe(2);
    expect(t.subtreeModes(4)).toEqual([2, 3, 4]);
    expect(t.depth(8)).toBe(3);
    expect(t.height).toBe(3);
    expect(t.postorder()).toEqual([2, 3, 1, 5, 7, 8, 6, 4, 0]);
    expect(t.preorder()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.edges()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.edgeBetween(6, 8)).toBe(8);
    expect(t.edgeBetween(8, 6)).toBe(8);
    expect(t.path(2, 8)).toEqual([2, 1, 0, 4, 6, 8]);
    expect(t.innerNodes()).toEqual([1, 6, 4, 0]);
    expect(t.toSpec()).toEqual([[0, 1], [2, [3, 4]]]);
  });

  it("has builders for tensor trains, Tucker and balanced binary trees", () => {
    expect(Tree.tensorTrain(4).toSpec()).toEqual([0, [1, [2, 3]]]);
    expect(Tree.tucker(3).toSpec()).toEqual([0, 1, 2]);
    expect(Tree.balancedBinary(5).toSpec()).toEqual([[[0, 1], 2], [3, 4]]);
    expect(Tree.balancedBinary(2).toSpec()).toEqual([0, 1]);
    expect(Tree.balancedBinary(64).height).toBe(6);
  });

  it("rejects invalid specs with clear errors", () => {
    expect(() => Tree.fromSpec([0, 0])).toThrow(/mode 0 appears twice/);
    expect(() => Tree.fromSpec([0, 2])).toThrow(/mode 1 is missing/);
    expect(() => Tree.fromSpec([0, []])).toThrow(/empty node at root\[1\]/);
    expect(() => Tree.fromSpec([0, [1]])).toThrow(/single child/);
    expect(() => Tree.fromSpec(3)).toThrow(ShapeError);
    expect(() => Tree.fromSpec([0, -1])).toThrow(/not a mode index/);
    expect(() => Tree.fromSpec([0, 1.5] as never)).toThrow(ShapeError);
    expect(() => Tree.tensorTrain(1)).toThrow(ArgumentError);
    const t = Tree.tucker(3);
    expect(() => t.mode(0)).toThrow(/inner node/);
    expect(() => t.parent(9)).toThrow(/not in this tree/);
    expect(() => t.edgeBetween(1, 2)).toThrow(/not adjacent/);
    expect(() => t.slot(0)).toThrow(ArgumentError);
  });

  it("keeps its invariants on random trees (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 1e6 }), (d, seed) => {
        const t = randomTree(d, seed);
        expect(Tree.fromSpec(t.toSpec()).equals(t)).toBe(true);
        expect([...t.subtreeModes(t.root)].sort((a, b) => a - b)).toEqual(Array.from({ length: d }, (_, i) => i));
        const post = t.postorder();
        const seen = new Set<number>();
        for (const v of post) {
          for (const c of t.children(v)) expect(seen.has(c)).toBe(true);
          seen.add(v);
          if (!t.isLeaf(v)) expect(t.children(v).length).toBeGreaterThanOrEqual(2);
          if (v !== t.root) {
            expect(t.children(t.parent(v))[t.slot(v) - 1]).toBe(v);
            expect(t.depth(v)).toBe(t.depth(t.parent(v)) + 1);
          }
        }
        expect(seen.size).toBe(t.numNodes);
      }),
      { numRuns: 200 },
    );
  });
});
