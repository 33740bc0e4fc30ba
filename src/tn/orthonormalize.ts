import { ArgumentError } from "../errors.js";
import { qr } from "../linalg/decomp/qr.js";
import { distance } from "../linalg/norms.js";
import { permute } from "../linalg/permute.js";
import { eye, type Tensor } from "../linalg/tensor.js";
import { matmul } from "../linalg/matmul.js";
import { modeProduct, unfold } from "../linalg/unfold.js";
import { Ttn, type TtnDType } from "./ttn.js";
import type { Tree } from "./tree.js";

/** Axis of node v's tensor that carries the edge towards `towards` (a neighbour of v). */
export function axisTowards(tree: Tree, v: number, towards: number): number {
  if (tree.parent(v) === towards) return tree.isLeaf(v) ? 1 : 0;
  if (tree.parent(towards) === v) return tree.slot(towards);
  throw new ArgumentError(`nodes ${v} and ${towards} are not adjacent`);
}

/**
 * Thin QR of a node tensor with `axis` as the column index: t = Q ×_axis R, Q orthonormal in
 * the sense that its matricisation with `axis` last has orthonormal columns. The axis shrinks
 * to min(its size, the product of the others) when the tensor is rank deficient there.
 */
export function qrAlong<D extends TtnDType>(t: Tensor<D>, axis: number): { Q: Tensor<D>; R: Tensor<D> } {
  const others = t.shape.map((_, i) => i).filter((i) => i !== axis);
  const M = unfold(t, others); // [∏ others, n_axis]
  const { Q, R } = qr(M);
  const k = Q!.shape[1]!;
  const folded = Q!.reshape([...others.map((i) => t.shape[i]!), k]);
  // Move the new axis back into place.
  const order = new Array<number>(t.ndim);
  others.forEach((ax, pos) => (order[ax] = pos));
  order[axis] = t.ndim - 1;
  return { Q: permute(folded, order) as Tensor<D>, R: R as Tensor<D> };
}

/**
 * The tree gauge: every non-root node orthonormal (a leaf basis has UᴴU = I; a connecting tensor
 * has orthonormal rows when matricised as [parent bond, children bonds]), the root holding the
 * whole norm. One QR per node, leaves→root, each R absorbed by the parent. Ranks shrink where a
 * node has more rank than its children can carry (thin QR).
 *
 * @example
 * ```ts
 * const y = Ttn.random(Tree.balancedBinary(5), [2, 2, 2, 2, 2], 3, 4, { normalize: false });
 * const z = orthonormalize(y);
 * console.assert(z.isOrthonormal() && distance(z.toFull(), y.toFull()) < 1e-12);
 * ```
 */
export function orthonormalize<D extends TtnDType>(y: Ttn<D>): Ttn<D> {
  const { tree } = y;
  const tensors = y.tensors.slice();
  for (const v of tree.postorder()) {
    if (v === tree.root) continue;
    const { Q, R } = qrAlong(tensors[v]!, tree.isLeaf(v) ? 1 : 0);
    tensors[v] = Q;
    const p = tree.parent(v);
    tensors[p] = modeProduct(tensors[p]!, R, tree.slot(v)) as Tensor<D>;
  }
  return new Ttn(tree, y.dims, tensors);
}

/**
 * The gauge centred at `center`: every other node orthonormal towards `center` (nodes off the
 * path from the root towards their parent, nodes on the path towards their child on it), so
 * `center` holds the norm and the rest of the network is an isometry onto its tensor — the form
 * in which local (Galerkin) problems at `center` are well conditioned.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const y = Ttn.random(tree, [2, 2, 2, 2], 2, 1);
 * const z = orthonormalizeTowards(y, tree.leaf(2));
 * console.assert(z.isOrthonormal({ center: tree.leaf(2) }) && distance(z.toFull(), y.toFull()) < 1e-13);
 * ```
 */
export function orthonormalizeTowards<D extends TtnDType>(y: Ttn<D>, center: number): Ttn<D> {
  Ttn.checkNode(y.tree, center);
  const z = orthonormalize(y);
  const { tree } = z;
  const tensors = z.tensors.slice();
  const path = tree.path(tree.root, center);
  for (let i = 0; i + 1 < path.length; i++) {
    const v = path[i]!, next = path[i + 1]!;
    const { Q, R } = qrAlong(tensors[v]!, tree.slot(next));
    tensors[v] = Q;
    // The child absorbs R on its parent axis: X_next ← X_next·Rᵀ.
    const t = tensors[next]!;
    tensors[next] = (tree.isLeaf(next) ? matmul(t, R, { transposeB: true }) : modeProduct(t, R, 0)) as Tensor<D>;
  }
  return new Ttn(tree, z.dims, tensors);
}

function isometryDefect(t: Tensor, axis: number): number {
  const others = t.shape.map((_, i) => i).filter((i) => i !== axis);
  const M = unfold(t, others);
  const k = M.shape[1]!;
  return distance(matmul(M, M, { adjointA: true }), eye(k, k, M.dtype === "c128" ? "c128" : "f64"));
}

/**
 * Whether the network is in the tree gauge (`center` omitted: every non-root node orthonormal
 * towards its parent) or centred at `center`, each node's isometry defect ‖QᴴQ − I‖_F ≤ tol
 * (default 1e-12).
 *
 * @example
 * ```ts
 * const y = Ttn.random(Tree.tucker(3), [2, 2, 2], 2, 1, { normalize: false });
 * console.assert(isOrthonormal(y) && !isOrthonormal(y.scale(2), { center: y.tree.leaf(0) }));
 * ```
 */
export function isOrthonormal(y: Ttn, options: { center?: number; tol?: number } = {}): boolean {
  const { tree } = y;
  const tol = options.tol ?? 1e-12;
  const center = options.center ?? tree.root;
  Ttn.checkNode(tree, center);
  const onPath = new Set(tree.path(tree.root, center));
  for (let v = 0; v < tree.numNodes; v++) {
    if (v === center) continue;
    let towards: number;
    if (onPath.has(v)) {
      const path = tree.path(v, center);
      towards = path[1]!;
    } else towards = tree.parent(v);
    if (isometryDefect(y.tensors[v]!, axisTowards(tree, v, towards)) > tol) return false;
  }
  return true;
}
