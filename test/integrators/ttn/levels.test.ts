import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { depthLevels, heightLevels } from "../../../src/integrators/ttn/levels.js";
import { Tree } from "../../../src/tn/tree.js";
import { randomTree } from "../../helpers/trees.js";

describe("tree levels for batched sweeps", () => {
  it("binary tree of 8 leaves: heights 0…3, depths 0…2", () => {
    const tree = Tree.balancedBinary(8);
    expect(heightLevels(tree).map((l) => l.length)).toEqual([8, 4, 2, 1]);
    expect(depthLevels(tree).map((l) => l.length)).toEqual([1, 2, 4]);
  });

  it("on random trees: every node once, children strictly lower / parents strictly shallower", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.nat(1000), (modes, seed) => {
        const tree = randomTree(modes, seed);
        const height = new Map<number, number>();
        heightLevels(tree).forEach((level, h) => level.forEach((v) => height.set(v, h)));
        expect(height.size).toBe(tree.numNodes);
        for (const v of tree.postorder()) for (const c of tree.children(v)) expect(height.get(c)!).toBeLessThan(height.get(v)!);
        const depth = new Map<number, number>();
        depthLevels(tree).forEach((level, d) => level.forEach((v) => depth.set(v, d)));
        const inner = tree.postorder().filter((v) => !tree.isLeaf(v));
        expect(depth.size).toBe(inner.length);
        for (const v of inner) if (v !== tree.root && depth.has(tree.parent(v))) expect(depth.get(tree.parent(v))!).toBe(depth.get(v)! - 1);
      }),
      { numRuns: 50 },
    );
  });
});
