import { ShapeError } from "../errors.js";
import { contract } from "../linalg/contract.js";
import { conj } from "../linalg/elementwise.js";
import { permute } from "../linalg/permute.js";
import { formatShape } from "../linalg/shape.js";
import type { Tensor } from "../linalg/tensor.js";
import type { Tree } from "./tree.js";

const edge = (v: number): string => `e${v}`;
const modeLabel = (m: number): string => `m${m}`;

// Labels of node v's tensor axes: a leaf [mode, edge above], an inner node [edge above,
// children's edges] (the root's edge above is a unit axis labelled like any other).
function nodeLabels(tree: Tree, v: number): string[] {
  if (tree.isLeaf(v)) return [modeLabel(tree.mode(v)), edge(v)];
  return [edge(v), ...tree.children(v).map(edge)];
}

/**
 * The projection of a full tensor G (axes = modes 0…d−1) onto node v of a network: G
 * contracted with the conjugates of every node tensor except v's, leaving v's axes open (in
 * v's axis order). When the other nodes form an isometry onto v (the network gauged towards
 * v), this is the Galerkin projection of G onto v's tensor space, and
 * ⟨X[v←t], G⟩ = ⟨t, projectFullOntoNode(…)⟩ for every t. Nodes are absorbed in the order of
 * the tree re-rooted at v, so G's size shrinks from the first contraction on.
 *
 * @throws {@link ShapeError} if G does not fit the network's mode sizes.
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const x = Ttn.random(tree, [2, 3, 2, 3], 2, 1);
 * const G = randn([2, 3, 2, 3], 2);
 * const v = tree.leaf(1);
 * const p = projectFullOntoNode(tree, x.tensors, v, G);
 * const t = randn(x.tensors[v]!.shape.slice(), 3);
 * console.assert(Math.abs((vdot(x.withTensors(new Map([[v, t]])).toFull(), G) as number) - (vdot(t, p) as number)) < 1e-12);
 * ```
 */
export function projectFullOntoNode(tree: Tree, tensors: readonly Tensor[], v: number, G: Tensor): Tensor {
  if (G.ndim !== tree.numModes) throw new ShapeError(`projectFullOntoNode: tensor of shape ${formatShape(G.shape)} for ${tree.numModes} modes`);
  let t = G;
  let labels = G.shape.map((_, m) => modeLabel(m));
  // The root's unit parent axis is summed away like a bond of size one.
  const rootUnit = edge(tree.root);
  for (const u of rerootedPostorder(tree, v)) {
    const x = tensors[u]!;
    const ul = nodeLabels(tree, u);
    const shared = ul.filter((l) => labels.includes(l));
    const out = [...labels.filter((l) => !shared.includes(l)), ...ul.filter((l) => !shared.includes(l) && l !== rootUnit)];
    let y = x.dtype === "c128" ? conj(x) : x;
    let yl = ul;
    if (u === tree.root && v !== tree.root) {
      // Drop the unit parent axis of the root.
      y = y.reshape(y.shape.slice(1));
      yl = ul.slice(1);
    }
    const o = out.filter((l) => labels.includes(l) || yl.includes(l));
    t = contract(t, labels, y, yl, o);
    labels = o;
  }
  const want = nodeLabels(tree, v);
  if (v === tree.root) {
    const order = want.slice(1).map((l) => labels.indexOf(l));
    const p = permute(t, order);
    return p.reshape([1, ...p.shape]);
  }
  return permute(t, want.map((l) => labels.indexOf(l)));
}

// Every node but v, each after all of its neighbours away from v (post-order of the tree
// re-rooted at v).
function rerootedPostorder(tree: Tree, v: number): number[] {
  const out: number[] = [];
  const neighbours = (u: number): number[] => [...tree.children(u), ...(u === tree.root ? [] : [tree.parent(u)])];
  const visit = (u: number, from: number): void => {
    for (const w of neighbours(u)) if (w !== from) visit(w, u);
    out.push(u);
  };
  for (const w of neighbours(v)) visit(w, v);
  return out;
}
