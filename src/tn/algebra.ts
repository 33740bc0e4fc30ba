import { toComplex } from "../linalg/complex.js";
import type { Complex } from "../linalg/dtype.js";
import { tensordot } from "../linalg/contract.js";
import { asDType, conj, scale } from "../linalg/elementwise.js";
import { matmul } from "../linalg/matmul.js";
import { Tensor } from "../linalg/tensor.js";
import { modeProduct } from "../linalg/unfold.js";
import { Ttn, type TtnDType } from "./ttn.js";

/**
 * The inner-product matrices of two networks on one tree, leaves→root: for every node v,
 * M_v = X_vᴴ·Y_v (rank_x(v) × rank_y(v)) with X_v, Y_v the subtree tensors. Cost
 * O(Σ_v r³·∏children) instead of the full tensors' size.
 *
 * @example
 * ```ts
 * const tree = Tree.tucker(3);
 * const y = Ttn.random(tree, [2, 2, 2], 2, 1); // orthonormal leaves: UᴴU = I
 * const M = innerMatrices(y, y)[tree.leaf(0)]!;
 * console.assert(distance(M, eye(2)) < 1e-14);
 * ```
 */
export function innerMatrices(x: Ttn, y: Ttn): Tensor[] {
  x.assertCompatible(y, "inner product");
  const dtype = x.dtype === "c128" || y.dtype === "c128" ? "c128" : "f64";
  const { tree } = x;
  const M: Tensor[] = new Array(tree.numNodes);
  for (const v of tree.postorder()) {
    const tx = asDType(x.tensors[v]!, dtype), ty = asDType(y.tensors[v]!, dtype);
    if (tree.isLeaf(v)) {
      M[v] = matmul(tx, ty, { adjointA: true });
      continue;
    }
    // T = C^y with each child bond mapped through M_c; then M_v[a, a′] = Σ_b conj(C^x[a, b])·T[a′, b].
    let t: Tensor = ty;
    for (const c of tree.children(v)) t = modeProduct(t, M[c]!, tree.slot(c));
    const axes = Array.from({ length: t.ndim - 1 }, (_, i) => i + 1);
    M[v] = tensordot(conj(tx), t, [axes, axes]);
  }
  return M;
}

/**
 * ⟨X, Y⟩ = Σ conj(X)·Y for two networks on the same tree, without forming full tensors.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const x = Ttn.random(tree, [2, 2, 2, 2], 2, 1), y = Ttn.random(tree, [2, 2, 2, 2], 3, 2);
 * const dense = vdot(x.toFull(), y.toFull()) as number;
 * console.assert(Math.abs((innerTtn(x, y) as number) - dense) < 1e-14);
 * ```
 */
export function innerTtn(x: Ttn, y: Ttn): number | Complex {
  const M = innerMatrices(x, y)[x.tree.root]!;
  return M.dtype === "c128" ? { re: M.data[0]!, im: M.data[1]! } : M.data[0]!;
}

/**
 * ‖Y‖ from the network: √⟨Y, Y⟩.
 *
 * @example
 * ```ts
 * const y = Ttn.random(Tree.tucker(3), [3, 3, 3], 2, 5, { normalize: false });
 * console.assert(Math.abs(normTtn(y) - norm(y.toFull())) < 1e-13 * normTtn(y));
 * ```
 */
export function normTtn(y: Ttn): number {
  const v = innerTtn(y, y);
  return Math.sqrt(Math.max(0, typeof v === "number" ? v : v.re));
}

/**
 * `alpha·Y`: the root tensor is scaled.
 *
 * @example
 * ```ts
 * const y = Ttn.random(Tree.tensorTrain(3), [2, 2, 2], 2, 1);
 * console.assert(Math.abs(scaleTtn(y, -3).norm() - 3 * y.norm()) < 1e-14);
 * ```
 */
export function scaleTtn<D extends TtnDType>(y: Ttn<D>, alpha: number | Complex): Ttn {
  const a = toComplex(alpha);
  const complex = y.dtype === "c128" || a.im !== 0;
  const tensors = y.tensors.map((t) => (complex ? asDType(t, "c128") : t)) as Tensor[];
  tensors[y.tree.root] = scale(tensors[y.tree.root]!, complex ? a : a.re);
  return new Ttn(y.tree, y.dims, tensors as Tensor<TtnDType>[]);
}

/**
 * `X + Y` as the direct sum: leaf bases are concatenated, connecting tensors placed block-diagonally
 * (the root's blocks share its single parent index), so ranks add. Round with `truncate`.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(3);
 * const x = Ttn.random(tree, [2, 2, 2], 1, 1), y = Ttn.random(tree, [2, 2, 2], 1, 2);
 * const s = addTtn(x, y);
 * console.assert(distance(s.toFull(), add(x.toFull(), y.toFull())) < 1e-14 && s.maxRank() === 2);
 * ```
 */
export function addTtn(x: Ttn, y: Ttn): Ttn {
  x.assertCompatible(y, "add");
  const dtype: TtnDType = x.dtype === "c128" || y.dtype === "c128" ? "c128" : "f64";
  const { tree } = x;
  const tensors: Tensor[] = new Array(tree.numNodes);
  for (let v = 0; v < tree.numNodes; v++) {
    const a = asDType(x.tensors[v]!, dtype), b = asDType(y.tensors[v]!, dtype);
    if (tree.isLeaf(v)) {
      tensors[v] = blockPlace([a, b], [[0, 0], [0, a.shape[1]!]], [a.shape[0]!, a.shape[1]! + b.shape[1]!]);
      continue;
    }
    const root = v === tree.root;
    const shape = a.shape.map((d, i) => (i === 0 && root ? 1 : d + b.shape[i]!));
    const offsetB = a.shape.map((d, i) => (i === 0 && root ? 0 : d));
    tensors[v] = blockPlace([a, b], [a.shape.map(() => 0), offsetB], shape);
  }
  return new Ttn(tree, x.dims, tensors as Tensor<TtnDType>[]);
}

// A tensor of `shape` holding each block at its offset (zeros elsewhere).
function blockPlace(blocks: Tensor[], offsets: number[][], shape: number[]): Tensor {
  const out = new Tensor(blocks[0]!.dtype, shape);
  const w = out.dtype === "c128" ? 2 : 1;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  blocks.forEach((b, k) => {
    const off = offsets[k]!;
    const idx = new Array<number>(b.ndim).fill(0);
    for (let e = 0; e < b.size; e++) {
      let rem = e;
      for (let ax = b.ndim - 1; ax >= 0; ax--) {
        idx[ax] = rem % b.shape[ax]!;
        rem = Math.floor(rem / b.shape[ax]!);
      }
      let o = 0;
      for (let ax = 0; ax < b.ndim; ax++) o += (idx[ax]! + off[ax]!) * strides[ax]!;
      for (let q = 0; q < w; q++) out.data[w * o + q] = b.data[w * e + q]!;
    }
  });
  return out;
}
