import { ArgumentError } from "../errors.js";
import { svd } from "../linalg/decomp/svd.js";
import { resolveTruncation, truncationRank, type TruncationInfo, type TruncationOptions } from "../linalg/decomp/truncation.js";
import { diag } from "../linalg/diag.js";
import { matmul } from "../linalg/matmul.js";
import { adjoint, transpose } from "../linalg/permute.js";
import { slice } from "../linalg/slice.js";
import type { Tensor } from "../linalg/tensor.js";
import { modeProduct, unfold } from "../linalg/unfold.js";
import { orthonormalize } from "./orthonormalize.js";
import { Ttn, type TtnDType } from "./ttn.js";
import type { Tree } from "./tree.js";

/** Tree-specific truncation options, on top of {@link TruncationOptions} (applied per edge). */
export interface TtnTruncationOptions {
  /** Per-edge rank caps by node id (the edge above that node); `maxRank` caps every edge. */
  maxRanks?: readonly number[];
  /**
   * `"edge"` (default): the tolerance applies to each edge separately, as in quimb, ITensor and
   * the BUG papers' ϑ. `"total"`: it bounds the whole truncation error; each edge then gets
   * tol/√E (norm modes) or tol/E (sum-of-squares modes), E = the number of independent edges.
   */
  scope?: "edge" | "total";
}

/** Result of a tree truncation. */
export interface TtnTruncation<D extends TtnDType = TtnDType> {
  /** The truncated network, in the tree gauge. */
  ttn: Ttn<D>;
  /** What was kept and discarded at each edge, by node id (undefined at the root). */
  edges: (TruncationInfo | undefined)[];
  /**
   * A guaranteed bound on ‖Y − truncated‖: √(Σ over edges of the discarded weight), where a
   * root with two children counts its two edges (which share singular values) once.
   */
  errorBound: number;
}

interface EdgeSvd {
  /** Left singular vectors of the edge's matricisation in the basis of the edge (r × r). */
  P: Tensor;
  s: Float64Array;
}

/**
 * Number of edges that truncate independently: every edge, less one when the root has exactly
 * two children (both of its edges carry the same singular values).
 */
export function independentEdges(tree: Tree): number {
  return tree.numNodes - 1 - (tree.children(tree.root).length === 2 ? 1 : 0);
}

// For an orthonormalised network: the SVD of the full tensor's matricisation at every edge,
// expressed in the edge's own basis. L_c (with L_c·L_cᴴ the Gram matrix of the outside of c)
// comes from the parent: B = C_p ×₀ L_pᵀ, Mat_slot(c)(B) = P·Σ·Wᴴ, L_c = P·Σ.
function edgeSvds(z: Ttn): (EdgeSvd | undefined)[] {
  const { tree } = z;
  const out: (EdgeSvd | undefined)[] = new Array(tree.numNodes);
  const L: (Tensor | undefined)[] = new Array(tree.numNodes);
  for (const v of tree.preorder()) {
    if (tree.isLeaf(v)) continue;
    const C = z.tensors[v]!;
    const B = v === tree.root ? C : modeProduct(C, transpose(L[v]!), 0);
    for (const c of tree.children(v)) {
      const { U, s } = svd(unfold(B, [tree.slot(c)]));
      out[c] = { P: U, s };
      L[c] = matmul(U, diag(s)); // P·diag(σ)
    }
  }
  return out;
}


/**
 * The singular values of the tensor's matricisation across every edge (subtree modes against
 * the rest), by node id, decreasing; the root's entry is `[‖Y‖]`. Costs one orthonormalisation
 * and one SVD per edge of the small node tensors.
 *
 * @example
 * ```ts
 * const tree = Tree.tensorTrain(3);
 * const y = Ttn.random(tree, [2, 2, 2], 2, 3);
 * const s = edgeSingularValues(y)[tree.leaf(0)]!;
 * const dense = singularValues(unfold(y.toFull(), [0]));
 * console.assert(Math.abs(s[1]! - dense[1]!) < 1e-14);
 * ```
 */
export function edgeSingularValues(y: Ttn): Float64Array[] {
  const z = orthonormalize(y);
  const svds = edgeSvds(z);
  // Array.from, not svds.map: the root has no edge, so its slot is a hole that map would skip.
  return Array.from({ length: z.tree.numNodes }, (_, v) => (v === z.tree.root ? Float64Array.of(z.norm()) : svds[v]!.s));
}

/**
 * Rounds a network to smaller ranks: orthonormalise, take the SVD of every edge's matricisation
 * of the *untruncated* tensor (root→leaves, through each edge's environment), choose each edge's
 * rank from its singular values (truncation options per edge, `maxRanks` per edge), and project
 * all edges at once (Grasedyck's hierarchical SVD truncation). The error satisfies
 * ‖Y − Z‖² ≤ Σ_edges discarded weight, reported as `errorBound`; with `tol` per edge in "norm"
 * mode that is ≤ √E·tol (E = 2d − 3 for a binary tree over d modes).
 *
 * @throws {@link ArgumentError} for invalid options or a `maxRanks` of the wrong length.
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(6);
 * const y = Ttn.random(tree, new Array(6).fill(2), 4, 1);
 * const { ttn, errorBound } = truncateTtn(y, { maxRank: 2 });
 * console.assert(ttn.maxRank() <= 2 && distance(ttn.toFull(), y.toFull()) <= errorBound * (1 + 1e-10));
 * ```
 */
export function truncateTtn<D extends TtnDType>(y: Ttn<D>, options: TtnTruncationOptions & TruncationOptions = {}): TtnTruncation<D> {
  const { maxRanks, scope = "edge", ...base } = options;
  const o = resolveTruncation(base);
  if (scope !== "edge" && scope !== "total") throw new ArgumentError(`truncate: scope must be "edge" or "total", got ${JSON.stringify(scope)}`);
  const { tree } = y;
  if (maxRanks !== undefined && maxRanks.length !== tree.numNodes) {
    throw new ArgumentError(`truncate: maxRanks needs one entry per node (${tree.numNodes}), got ${maxRanks.length}`);
  }
  let tol = o.tol;
  if (scope === "total") {
    const E = independentEdges(tree);
    tol = o.mode === "norm" || o.mode === "rnorm" ? tol / Math.sqrt(E) : o.mode === "sum2" || o.mode === "rsum2" ? tol / E : tol;
  }
  const z = orthonormalize(y);
  const svds = edgeSvds(z);
  const edges: (TruncationInfo | undefined)[] = new Array(tree.numNodes);
  const P: (Tensor | undefined)[] = new Array(tree.numNodes);
  const rootPair = tree.children(tree.root).length === 2 ? tree.children(tree.root) : [];
  for (const v of tree.edges()) {
    const cap = Math.min(o.maxRank, maxRanks?.[v] ?? Infinity);
    edges[v] = truncationRank(svds[v]!.s, { ...base, tol, maxRank: Number.isFinite(cap) ? cap : undefined });
  }
  // Both edges of a two-child root carry the same singular values and must keep the same rank.
  if (rootPair.length === 2) {
    const r = Math.min(edges[rootPair[0]!]!.rank, edges[rootPair[1]!]!.rank);
    for (const c of rootPair) edges[c] = truncationRank(svds[c]!.s, { ...base, tol, maxRank: r, minRank: r });
  }
  let bound2 = 0;
  for (const v of tree.edges()) {
    if (v !== rootPair[1]) bound2 += edges[v]!.discardedWeight;
    P[v] = slice(svds[v]!.P, [null, [0, edges[v]!.rank]]);
  }
  const tensors = z.tensors.slice();
  for (let v = 0; v < tree.numNodes; v++) {
    let t: Tensor = tensors[v]!;
    if (tree.isLeaf(v)) t = matmul(t, P[v]!);
    else {
      if (v !== tree.root) t = modeProduct(t, transpose(P[v]!), 0);
      for (const c of tree.children(v)) t = modeProduct(t, adjoint(P[c]!), tree.slot(c));
    }
    tensors[v] = t as Tensor<D>;
  }
  // Projecting a node's child axes spoils the orthonormality of its rows: restore the gauge.
  return { ttn: orthonormalize(new Ttn(tree, y.dims, tensors)), edges, errorBound: Math.sqrt(bound2) };
}
