import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../../src/errors.js";
import { Tree } from "../../../src/tn/tree.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";
import { naiveParameters, randomStructure } from "./reference.js";

const edgesOf = (s: NetworkStructure): string => s.edges().map(({ u, v, rank }) => `${u}-${v}:${rank}`).join(" ");

describe("builders", () => {
  it("tensor train and ring", () => {
    const tt = NetworkStructure.tensorTrain([2, 3, 4, 5], [6, 7, 8]);
    expect(edgesOf(tt)).toBe("0-1:6 1-2:7 2-3:8");
    expect(tt.coreShape(0)).toEqual([2, 6]);
    expect(tt.coreShape(2)).toEqual([4, 7, 8]);
    expect(tt.isTree()).toBe(true);
    expect(tt.numParameters()).toBe(2 * 6 + 3 * 6 * 7 + 4 * 7 * 8 + 5 * 8);
    const tr = NetworkStructure.tensorRing([2, 3, 4, 5], 3, [3, 2, 1, 0]);
    expect(edgesOf(tr)).toBe("0-1:3 0-3:3 1-2:3 2-3:3");
    expect(tr.isTree()).toBe(false);
    expect(tr.isConnected()).toBe(true);
    expect(tr.openSize(0)).toBe(5);
    expect(tr.vertexOf(0)).toBe(3);
    expect(tr.numParameters()).toBe(9 * (2 + 3 + 4 + 5));
    expect(NetworkStructure.tensorTrain([7], []).numParameters()).toBe(7);
  });

  it("fully connected, grid and tree", () => {
    const fc4 = NetworkStructure.fullyConnected([2, 2, 2, 2], 3);
    expect(fc4.numEdges).toBe(6);
    expect(fc4.degree(2)).toBe(3);
    expect(fc4.numParameters()).toBe(4 * 2 * 27);
    const rankOne = NetworkStructure.fullyConnected([2, 3], 1);
    expect(rankOne.numEdges).toBe(0);
    expect(rankOne.isConnected()).toBe(false);
    expect(rankOne.numParameters()).toBe(5);
    const grid = NetworkStructure.grid(3, 2, [1, 2, 3, 4, 5, 6], 2);
    expect(edgesOf(grid)).toBe("0-1:2 0-2:2 1-3:2 2-3:2 2-4:2 3-5:2 4-5:2");
    const tree = Tree.fromSpec([[0, 1], [2, [3, 4]]]);
    const ranks = Array.from({ length: tree.numNodes }, (_, v) => 2 + (v % 3));
    const s = NetworkStructure.fromTree(tree, [2, 3, 4, 5, 6], ranks);
    expect(s.numVertices).toBe(tree.numNodes);
    for (let v = 0; v < tree.numNodes; v++) {
      expect(s.perm[v]).toBe(tree.isLeaf(v) ? tree.mode(v) : -1);
      expect(s.hasOpenLeg(v)).toBe(tree.isLeaf(v));
      if (v !== tree.root) expect(s.rank(v, tree.parent(v))).toBe(ranks[v]);
    }
    expect(s.isTree()).toBe(true);
    expect(s.coreShape(tree.root)).toEqual([1, ...tree.children(tree.root).map((c) => ranks[c])]);
  });

  it("reject bad arguments", () => {
    expect(() => NetworkStructure.tensorRing([2, 2], 2)).toThrow(/at least 3 modes/);
    expect(() => NetworkStructure.tensorTrain([2, 2, 2], [2])).toThrow(/needs 2 bond ranks, got 1/);
    expect(() => NetworkStructure.tensorRing([2, 2, 2], [2, 2])).toThrow(/needs 3 bond ranks/);
    expect(() => NetworkStructure.fullyConnected([2, 2], 0)).toThrow(/rank 0 must be an integer ≥ 1/);
    expect(() => NetworkStructure.grid(2, 2, [2, 2, 2], 2)).toThrow(/4 vertices but 3 mode sizes/);
    expect(() => NetworkStructure.grid(0, 2, [], 2)).toThrow(ShapeError);
    expect(() => NetworkStructure.fromTree(Tree.tucker(3), [2, 2, 2], [2, 2])).toThrow(/one per node \(4\)/);
    expect(() => NetworkStructure.fromTree(Tree.tucker(3), [2, 2], 2)).toThrow(/2 mode sizes for a tree over 3 modes/);
  });
});

describe("validation", () => {
  const ok = [[1, 2, 3], [2, 1, 4], [3, 4, 1]];
  it("accepts a valid structure", () => {
    expect(() => new NetworkStructure([2, 3, 4], ok)).not.toThrow();
  });

  it("rejects bad mode sizes and rank matrices", () => {
    expect(() => new NetworkStructure([], [])).toThrow(/non-empty array/);
    expect(() => new NetworkStructure([2, 0, 4], ok)).toThrow(/mode 1 has size 0/);
    expect(() => new NetworkStructure([2, 2.5, 4], ok)).toThrow(/mode 1 has size 2.5/);
    expect(() => new NetworkStructure([2, 3, 4], [[1, 2], [2, 1]])).toThrow(/2 rows but there are 3 modes/);
    expect(() => new NetworkStructure([2, 3, 4], [[1, 2, 3], [2, 1], [3, 4, 1]])).toThrow(/row 1 of the rank matrix has 2 entries; the matrix must be 3×3/);
    expect(() => new NetworkStructure([2, 3, 4], [[1, 0, 3], [0, 1, 4], [3, 4, 1]])).toThrow(/ranks\[0\]\[1\] is 0; ranks must be integers ≥ 1/);
    expect(() => new NetworkStructure([2, 3, 4], [[1, -2, 3], [-2, 1, 4], [3, 4, 1]])).toThrow(ShapeError);
    expect(() => new NetworkStructure([2, 3, 4], [[1, 1.5, 3], [1.5, 1, 4], [3, 4, 1]])).toThrow(/is 1.5/);
    expect(() => new NetworkStructure([2, 3, 4], [[1, NaN, 3], [NaN, 1, 4], [3, 4, 1]])).toThrow(/is NaN/);
    expect(() => new NetworkStructure([2, 3, 4], [[1, 2, 3], [2, 1, 4], [3, 5, 1]])).toThrow(/ranks\[1\]\[2\] = 4 but ranks\[2\]\[1\] = 5; the rank matrix must be symmetric/);
    expect(() => new NetworkStructure([2, 3, 4], [[2, 2, 3], [2, 1, 4], [3, 4, 1]])).toThrow(/the diagonal must be 1/);
  });

  it("rejects permutations that are not permutations", () => {
    expect(() => new NetworkStructure([2, 3, 4], ok, [0, 0, 1])).toThrow(/not a permutation: mode 0 is on vertices 0 and 1/);
    expect(() => new NetworkStructure([2, 3, 4], ok, [0, 1, 3])).toThrow(/perm\[2\] is 3/);
    expect(() => new NetworkStructure([2, 3, 4], ok, [0, 1])).toThrow(/mode of each of the 3 vertices, got 2 entries/);
    expect(() => new NetworkStructure([2, 3, 4], ok, [0, 1, 1.5])).toThrow(ArgumentError);
    const four = [[1, 2, 1, 1], [2, 1, 2, 1], [1, 2, 1, 2], [1, 1, 2, 1]];
    expect(() => new NetworkStructure([2, 3, 4], four, [0, -1, 1, -1])).toThrow(/mode 2 is on no vertex/);
    expect(new NetworkStructure([2, 3, 4], four).perm).toEqual([0, 1, 2, -1]);
  });

  it("rejects vertex ids out of range", () => {
    const s = new NetworkStructure([2, 3, 4], ok);
    expect(() => s.rank(0, 3)).toThrow(/vertex 3 is not in this network/);
    expect(() => s.neighbors(-1)).toThrow(ArgumentError);
    expect(() => s.vertexOf(3)).toThrow(/mode 3 is out of range/);
    expect(() => s.withRank(1, 1, 2)).toThrow(/vertices must differ/);
    expect(() => s.withRank(0, 1, 0)).toThrow(ShapeError);
  });
});

describe("queries and edits", () => {
  it("neighbours, ranks, edits and equality", () => {
    const s = NetworkStructure.tensorRing([2, 3, 4, 5], [2, 3, 4, 5]);
    expect(s.neighbors(0)).toEqual([1, 3]);
    expect(s.rank(3, 0)).toBe(5);
    expect(s.rank(0, 2)).toBe(1);
    expect(s.ranks()[2]).toEqual([1, 3, 1, 4]);
    const cut = s.withRank(3, 0, 1);
    expect(cut.isTree()).toBe(true);
    expect(cut.neighbors(0)).toEqual([1]);
    expect(s.withRank(0, 2, 6).neighbors(0)).toEqual([1, 2, 3]);
    expect(s.withPerm([1, 0, 2, 3]).perm).toEqual([1, 0, 2, 3]);
    expect(s.equals(NetworkStructure.tensorRing([2, 3, 4, 5], [2, 3, 4, 5]))).toBe(true);
    expect(s.equals(cut)).toBe(false);
    expect(String(cut)).toBe("NetworkStructure(dims [2, 3, 4, 5], edges 0–1:2 1–2:3 2–3:4, perm [0, 1, 2, 3])");
    expect(s.numEntries()).toBe(120);
  });

  it("the parameter count is Σ_v n_v Π_u r_uv and the size of random cores", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 ** 30 }), (N, extra, seed) => {
        const s = randomStructure(N, extra, seed);
        expect(s.numParameters()).toBe(naiveParameters(s));
        expect(TensorNetwork.random(s, 1).cores.reduce((t, c) => t + c.size, 0)).toBe(s.numParameters());
      }),
      { numRuns: 100 },
    );
  });
});

describe("canonical key", () => {
  it("names modes, not vertices: relabelling the vertices keeps it, changing the graph does not", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 ** 30 }), fc.integer({ min: 0, max: 2 ** 30 }), (N, seed, shuffle) => {
        const s = randomStructure(N, 0, seed);
        // Vertex v of s becomes vertex sigma[v]; ranks and modes move with it.
        const sigma = Array.from({ length: N }, (_, v) => v);
        for (let i = N - 1, x = shuffle; i > 0; i--, x = Math.floor(x / 7) + i) {
          const j = x % (i + 1);
          [sigma[i], sigma[j]] = [sigma[j]!, sigma[i]!];
        }
        const R = s.ranks();
        const ranks = Array.from({ length: N }, (_, a) => Array.from({ length: N }, (_, b) => R[sigma.indexOf(a)]![sigma.indexOf(b)]!));
        const perm = Array.from({ length: N }, (_, a) => s.perm[sigma.indexOf(a)]!);
        const moved = new NetworkStructure(s.dims, ranks, perm);
        expect(moved.key()).toBe(s.key());
        const [e] = s.edges();
        if (e !== undefined) expect(s.withRank(e.u, e.v, e.rank + 1).key()).not.toBe(s.key());
      }),
      { numRuns: 100 },
    );
  });

  it("distinguishes permutations, sizes and inner vertices", () => {
    const a = NetworkStructure.tensorTrain([3, 3, 3], 2);
    expect(a.key()).toBe("n=3,3,3|e=0-1:2,1-2:2");
    expect(a.withPerm([1, 0, 2]).key()).toBe("n=3,3,3|e=0-1:2,0-2:2");
    expect(NetworkStructure.tensorTrain([3, 3, 4], 2).key()).not.toBe(a.key());
    // Reversing a chain is the same network.
    expect(a.withPerm([2, 1, 0]).key()).toBe(a.key());
    const t = NetworkStructure.fromTree(Tree.tucker(3), [2, 2, 2], 3);
    expect(t.key()).toBe("n=2,2,2|V=4|e=0-v0:3,1-v0:3,2-v0:3");
  });
});
