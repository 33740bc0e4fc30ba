import type { Tree } from "../../tn/tree.js";

/**
 * Nodes grouped by height (0: leaves; h: the longest path down to a leaf has h edges): each
 * group depends only on lower ones in a leaves→root sweep, so its nodes can be processed at once.
 */
export function heightLevels(tree: Tree): number[][] {
  const height = new Array<number>(tree.numNodes).fill(0);
  const levels: number[][] = [];
  for (const v of tree.postorder()) {
    if (!tree.isLeaf(v)) height[v] = 1 + Math.max(...tree.children(v).map((c) => height[c]!));
    (levels[height[v]!] ??= []).push(v);
  }
  return levels;
}

/**
 * Inner nodes grouped by depth (0: the root): a root→leaves sweep over the children of each
 * group depends only on shallower groups.
 */
export function depthLevels(tree: Tree): number[][] {
  const depth = new Array<number>(tree.numNodes).fill(0);
  const levels: number[][] = [];
  for (const v of tree.preorder()) {
    if (v !== tree.root) depth[v] = depth[tree.parent(v)]! + 1;
    if (!tree.isLeaf(v)) (levels[depth[v]!] ??= []).push(v);
  }
  return levels;
}
