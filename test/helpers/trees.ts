// Random and named trees for tests.
import { Tree, type TreeSpec } from "../../src/tn/tree.js";
import { lcg } from "./reference.js";

/** A random tree over d modes: modes shuffled, then split recursively into 2–3 parts. */
export function randomTree(d: number, seed: number): Tree {
  const r = lcg(seed);
  const modes = Array.from({ length: d }, (_, i) => i);
  for (let i = d - 1; i > 0; i--) {
    const j = Math.floor((r() + 0.5) * (i + 1));
    [modes[i], modes[j]] = [modes[j]!, modes[i]!];
  }
  const build = (list: number[]): TreeSpec => {
    if (list.length === 1) return list[0]!;
    const parts = Math.min(list.length, 2 + (r() > 0.2 ? 0 : 1));
    const cuts = new Set<number>();
    while (cuts.size < parts - 1) cuts.add(1 + Math.floor((r() + 0.5) * (list.length - 1)));
    const sorted = [...cuts].sort((a, b) => a - b);
    const out: TreeSpec[] = [];
    let start = 0;
    for (const c of [...sorted, list.length]) {
      out.push(build(list.slice(start, c)));
      start = c;
    }
    return out;
  };
  return Tree.fromSpec(build(modes));
}

/** Named trees over d modes covering the shapes the issue lists. */
export function namedTrees(d: number): Array<[string, Tree]> {
  return [
    ["tensor train", Tree.tensorTrain(d)],
    ["Tucker", Tree.tucker(d)],
    ["balanced binary", Tree.balancedBinary(d)],
    ["random", randomTree(d, 17 + d)],
  ];
}
