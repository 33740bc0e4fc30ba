import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { tensordot } from "../linalg/contract.js";
import { svd } from "../linalg/decomp/svd.js";
import { resolveTruncation, truncationRank, type TruncationInfo, type TruncationOptions } from "../linalg/decomp/truncation.js";
import { asDType, assertFinite, conj } from "../linalg/elementwise.js";
import { permute } from "../linalg/permute.js";
import { formatShape } from "../linalg/shape.js";
import { slice } from "../linalg/slice.js";
import { Tensor } from "../linalg/tensor.js";
import { unfold } from "../linalg/unfold.js";
import { independentEdges, type TtnTruncationOptions } from "./truncate.js";
import { Ttn, type TtnDType } from "./ttn.js";
import type { Tree } from "./tree.js";

/** Result of {@link fromFull}. */
export interface HsvdResult<D extends TtnDType = TtnDType> {
  ttn: Ttn<D>;
  /** Kept rank and discarded weight at each edge, by node id. */
  edges: (TruncationInfo | undefined)[];
  /** ‖A − Y‖ ≤ errorBound = √(Σ_edges discarded weight), two-child root counted once. */
  errorBound: number;
}

// Contracts axis `axis` of t with conj(U) (U: [size, r]), putting r in its place.
function projectAxis(t: Tensor, axis: number, U: Tensor): Tensor {
  const out = tensordot(t, conj(U), [[axis], [0]]); // [... without axis ..., r]
  const order = Array.from({ length: out.ndim }, (_, i) => i);
  order.splice(axis, 0, order.pop()!);
  return permute(out, order);
}

/**
 * The hierarchical SVD (Grasedyck 2010): a network on `tree` approximating the full tensor `A`
 * (axes = modes 0…d−1). For every edge, the leading left singular vectors of A's matricisation
 * (subtree modes × the rest) give the edge's basis, truncated by the options per edge;
 * connecting tensors are the bases' projections onto their children's. Guarantee:
 * ‖A − Y‖ ≤ √(Σ_edges discarded weight) — with a per-edge tolerance ϑ in "norm" mode,
 * ‖A − Y‖ ≤ √E·ϑ, E = 2d − 3 for binary trees (`errorBound` reports the exact sum).
 * Cost: one SVD per edge of a matricisation of A, so meant for tensors that fit in memory.
 *
 * @throws {@link ShapeError} if A's rank differs from the tree's mode count.
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const A = randn([3, 3, 3, 3], 1);
 * const { ttn, errorBound } = fromFull(A, tree, { tol: 0.5, mode: "norm" });
 * console.assert(distance(ttn.toFull(), A) <= errorBound + 1e-12 && errorBound <= Math.sqrt(5) * 0.5);
 * ```
 */
export function fromFull(A: Tensor, tree: Tree, options: TtnTruncationOptions & TruncationOptions = {}): HsvdResult {
  const { maxRanks, scope = "edge", ...base } = options;
  const o = resolveTruncation(base);
  if (A.ndim !== tree.numModes) throw new ShapeError(`fromFull: tensor of shape ${formatShape(A.shape)} for a tree over ${tree.numModes} modes`);
  if (A.dtype === "f32") throw new DTypeError("fromFull: convert f32 tensors to f64 first");
  if (maxRanks !== undefined && maxRanks.length !== tree.numNodes) throw new ArgumentError(`fromFull: maxRanks needs ${tree.numNodes} entries`);
  assertFinite(A, "fromFull");
  const dtype: TtnDType = A.dtype === "c128" ? "c128" : "f64";
  const a = asDType(A, dtype);
  let tol = o.tol;
  if (scope === "total") {
    const E = independentEdges(tree);
    tol = o.mode === "norm" || o.mode === "rnorm" ? tol / Math.sqrt(E) : o.mode === "sum2" || o.mode === "rsum2" ? tol / E : tol;
  }
  const bases: Tensor[] = new Array(tree.numNodes);
  const edges: (TruncationInfo | undefined)[] = new Array(tree.numNodes);
  const rootPair = tree.children(tree.root).length === 2 ? tree.children(tree.root) : [];
  for (const v of tree.edges()) {
    if (v === rootPair[1]) continue; // shares its singular values with rootPair[0]
    const { U, s } = svd(unfold(a, tree.subtreeModes(v) as number[]));
    const cap = Math.min(o.maxRank, maxRanks?.[v] ?? Infinity);
    const info = truncationRank(s, { ...base, tol, maxRank: Number.isFinite(cap) ? cap : undefined });
    edges[v] = info;
    bases[v] = slice(U, [null, [0, info.rank]]);
  }
  if (rootPair.length === 2) {
    // The second root edge keeps the same rank; its basis comes from its own matricisation.
    const [first, second] = rootPair as [number, number];
    const { U, s } = svd(unfold(a, tree.subtreeModes(second) as number[]));
    edges[second] = truncationRank(s, { ...base, tol, maxRank: edges[first]!.rank, minRank: edges[first]!.rank });
    bases[second] = slice(U, [null, [0, edges[first]!.rank]]);
  }
  const tensors: Tensor[] = new Array(tree.numNodes);
  for (let v = 0; v < tree.numNodes; v++) {
    if (tree.isLeaf(v)) {
      tensors[v] = bases[v]!;
      continue;
    }
    const children = tree.children(v);
    const sizes = children.map((c) => tree.subtreeModes(c).reduce((p, m) => p * A.shape[m]!, 1));
    // The node's own basis (or A itself at the root, with a unit parent axis), children's
    // modes grouped: [N_c1, …, N_ck, r_v].
    const own = v === tree.root ? permute(a, tree.subtreeModes(v) as number[]).reshape([...sizes, 1]) : bases[v]!.reshape([...sizes, bases[v]!.shape[1]!]);
    let t: Tensor = own;
    children.forEach((c, i) => (t = projectAxis(t, i, bases[c]!)));
    tensors[v] = permute(t, [children.length, ...children.map((_, i) => i)]);
  }
  let bound2 = 0;
  for (const v of tree.edges()) if (v !== rootPair[1]) bound2 += edges[v]!.discardedWeight;
  return { ttn: new Ttn(tree, a.shape, tensors as Tensor<TtnDType>[]), edges, errorBound: Math.sqrt(bound2) };
}

/**
 * A network for the tensor A[i₀, …, i_{d−1}] = f(i₀, …, i_{d−1}) by evaluating f on every
 * multi-index (so for small tensors) and compressing with {@link fromFull}.
 *
 * @example
 * ```ts
 * // A rank-1 function: the product of its indices plus one.
 * const { ttn } = fromFunction(Tree.tensorTrain(3), [3, 4, 5], (i) => (i[0]! + 1) * (i[1]! + 1) * (i[2]! + 1), { tol: 1e-12 });
 * console.assert(ttn.maxRank() === 1 && Math.abs((ttn.entry([2, 3, 4]) as number) - 60) < 1e-12);
 * ```
 */
export function fromFunction(
  tree: Tree, dims: readonly number[], f: (index: readonly number[]) => number | { re: number; im: number },
  options: TtnTruncationOptions & TruncationOptions = {},
): HsvdResult {
  if (dims.length !== tree.numModes) throw new ShapeError(`fromFunction: ${dims.length} mode sizes for a tree over ${tree.numModes} modes`);
  const size = dims.reduce((p, n) => p * n, 1);
  const values: Array<number | { re: number; im: number }> = new Array(size);
  const idx = new Array<number>(dims.length).fill(0);
  let complex = false;
  for (let e = 0; e < size; e++) {
    const v = f(idx);
    if (typeof v !== "number") complex = true;
    values[e] = v;
    for (let k = dims.length - 1; k >= 0; k--) {
      if (++idx[k]! < dims[k]!) break;
      idx[k] = 0;
    }
  }
  const A = new Tensor(complex ? "c128" : "f64", dims);
  values.forEach((v, e) => {
    if (complex) {
      const z = typeof v === "number" ? { re: v, im: 0 } : v;
      A.data[2 * e] = z.re;
      A.data[2 * e + 1] = z.im;
    } else A.data[e] = v as number;
  });
  return fromFull(A, tree, options);
}
