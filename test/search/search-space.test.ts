import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SearchSpace } from "../../src/search/search-space.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { Tree } from "../../src/tn/tree.js";

describe("SearchSpace", () => {
  it("names the ring, train and fully connected graphs' edges", () => {
    expect(new SearchSpace([2, 2, 2, 2], "ring").edges).toEqual([[0, 1], [1, 2], [2, 3], [0, 3]]);
    expect(new SearchSpace([2, 2, 2, 2], "train").edges).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(new SearchSpace([2, 2, 2, 2], "fctn").edges).toHaveLength(6);
  });

  it("builds the structure of a point: ranks on the searched edges, rank 1 cuts", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 6, maxLength: 6 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (ranks, a, b) => {
        const space = new SearchSpace([2, 3, 4, 5], "fctn");
        const p = a === b ? { ranks, perm: [0, 1, 2, 3] } : space.withSwap({ ranks, perm: [0, 1, 2, 3] }, a % 4, b % 4);
        const s = space.structureOf(p);
        space.edges.forEach(([u, v], k) => expect(s.rank(u, v)).toBe(ranks[k]));
        expect(s.numEdges).toBe(ranks.filter((r) => r > 1).length);
        expect([...s.perm].sort()).toEqual([0, 1, 2, 3]);
      }),
      { numRuns: 50 },
    );
  });

  it("takes a template's edges and placement, and swaps only vertices with open legs", () => {
    // A binary tree over 4 modes: two inner vertices (4, 5) without open legs.
    const tree = NetworkStructure.fromTree(Tree.balancedBinary(4), [3, 3, 3, 3], 2);
    const space = new SearchSpace([3, 3, 3, 3], tree);
    expect(space.numVertices).toBe(tree.numVertices);
    expect(space.edges).toHaveLength(tree.numEdges);
    expect(space.legVertices).toHaveLength(4);
    const start = space.start(2);
    expect(space.structureOf(start).key()).toBe(tree.key());
    const swaps = space.transpositions(start);
    expect(swaps).toHaveLength(6);
    for (const p of swaps) expect(p.perm.filter((m) => m < 0)).toHaveLength(tree.numVertices - 4);
  });

  it("refuses what cannot be searched", () => {
    expect(() => new SearchSpace([2, 2], "ring")).toThrow(/a ring needs at least 3 modes/);
    expect(() => new SearchSpace([2], "train")).toThrow(/at least 2 modes/);
    expect(() => new SearchSpace([2, 2, 2], "star" as never)).toThrow(/topology must be/);
    expect(() => new SearchSpace([2, 2, 3], NetworkStructure.tensorRing([2, 2, 2], 2))).toThrow(/template is over modes/);
    expect(() => new SearchSpace([2, 2, 2], NetworkStructure.tensorRing([2, 2, 2], 1))).toThrow(/no edges/);
  });
});
