import { describe, expect, it } from "vitest";
import { Tree } from "../../src/tn/tree.js";
import { Ttn } from "../../src/tn/ttn.js";
import { edgeSingularValues } from "../../src/tn/truncate.js";

// Fixture for a bug found by the core-shape work: the root's entry, documented as [‖Y‖], was a
// hole in the returned array (Array.map skips the unassigned root slot).
describe("edgeSingularValues: the root entry", () => {
  it("is [‖Y‖] and present for every tree shape", () => {
    for (const tree of [Tree.balancedBinary(4), Tree.tensorTrain(3), Tree.tucker(3)]) {
      const y = Ttn.random(tree, new Array(tree.numModes).fill(2), 2, 4);
      const s = edgeSingularValues(y);
      expect(s).toHaveLength(tree.numNodes);
      expect(tree.root in s).toBe(true);
      expect(Array.from(s[tree.root]!)).toEqual([y.orthonormalize().norm()]);
      expect(Math.abs(s[tree.root]![0]! - y.norm())).toBeLessThan(1e-12 * y.norm());
    }
  });
});
