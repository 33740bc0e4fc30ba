import { contract } from "../linalg/contract.js";
import { permute } from "../linalg/permute.js";
import type { Tensor } from "../linalg/tensor.js";
import type { Ttn, TtnDType } from "./ttn.js";

/**
 * The subtree tensor X_v of a node: shape [n_{m1}, …, n_{mk}, r_v] with the subtree's modes in
 * tree order, contracted leaves→root. X_root has r = 1. In the tree gauge its matricisation
 * [∏n, r_v] has orthonormal columns.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const y = Ttn.random(tree, [2, 2, 2, 2], 2, 1);
 * const X = subtreeTensor(y, tree.children(tree.root)[0]!).reshape([4, -1]);
 * console.assert(distance(matmul(X, X, { adjointA: true }), eye(X.shape[1]!)) < 1e-14);
 * ```
 */
export function subtreeTensor<D extends TtnDType>(y: Ttn<D>, v: number): Tensor<D> {
  const { tree } = y;
  if (tree.isLeaf(v)) return y.tensors[v]!;
  let acc: Tensor = y.tensors[v]!;
  // acc axes: [dims of children done…, r_v, ranks of remaining children…]
  let done = 0;
  for (const c of tree.children(v)) {
    const xc = subtreeTensor(y, c);
    const nc = xc.ndim - 1;
    const la = acc.shape.map((_, i) => `a${i}`);
    const bond = la[done + 1]!;
    const lx = xc.shape.map((_, i) => (i === nc ? bond : `x${i}`));
    const out = [...la.slice(0, done), ...lx.slice(0, nc), la[done]!, ...la.slice(done + 2)];
    acc = contract(acc, la, xc, lx, out);
    done += nc;
  }
  return acc as Tensor<D>;
}

/**
 * The full tensor of a network, with the modes 0…d−1 as axes in mode order. Exponential in
 * the number of modes: meant for tests and small problems.
 *
 * @example
 * ```ts
 * const y = Ttn.product(Tree.tensorTrain(3), [tensor([1, 0]), tensor([0, 1]), tensor([1, 1])]);
 * const full = toFull(y);
 * console.assert(full.get(0, 1, 0) === 1 && full.get(1, 1, 1) === 0);
 * ```
 */
export function toFull<D extends TtnDType>(y: Ttn<D>): Tensor<D> {
  const x = subtreeTensor(y, y.tree.root);
  const order = y.tree.subtreeModes(y.tree.root);
  const dims = x.shape.slice(0, -1);
  const squeezed = x.reshape(dims);
  // Tree order → mode order.
  const inverse = new Array<number>(order.length);
  order.forEach((m, i) => (inverse[m] = i));
  return permute(squeezed, inverse);
}
