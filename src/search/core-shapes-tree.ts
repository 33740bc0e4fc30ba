// Core-shape selection for tree tensor networks: the Tucker knapsack of core-shapes.ts with
// edges for modes. Each edge splits the modes into its subtree and the rest; the hierarchical
// SVD with ranks r satisfies ‖X − X̂‖² ≤ Σ_edges Σ_{i>r_e} σ²_{e,i} (Grasedyck 2010), and a
// network stores Σ_nodes ∏ (ranks at the node) (× n at a leaf) parameters.
import { ArgumentError, ShapeError } from "../errors.js";
import { singularValues } from "../linalg/decomp/svd.js";
import { distance, norm } from "../linalg/norms.js";
import { formatShape } from "../linalg/shape.js";
import { Tensor } from "../linalg/tensor.js";
import { unfold } from "../linalg/unfold.js";
import { addTtn, scaleTtn } from "../tn/algebra.js";
import { fromFull } from "../tn/hsvd.js";
import { orthonormalize } from "../tn/orthonormalize.js";
import { edgeSingularValues, truncateTtn } from "../tn/truncate.js";
import type { Tree } from "../tn/tree.js";
import { Ttn } from "../tn/ttn.js";
import {
  checkedData, checkSpectrum, describeSolution, packing, resolveGoal, solvePacking,
  type CoreShape, type CoreShapeOptions,
} from "./core-shapes.js";

/**
 * The singular values of a tensor across every edge of a tree, the input of
 * {@link treeCoreShape}: for the edge above node v, the squared singular values of the
 * matricisation (modes under v) × (the other modes).
 */
export interface TreeSpectra {
  /** The tree. */
  tree: Tree;
  /** Mode sizes n_0, …, n_{d−1}. */
  dims: number[];
  /**
   * σ² across the edge above each node, by node id, non-increasing (the root's entry is empty).
   * The two edges of a root with two children split the same bipartition: both carry the same
   * values, and the selection gives them one rank.
   */
  sigma2: Float64Array[];
  /** ‖X‖². */
  norm2: number;
}

/** Result of {@link treeCoreShape}: `ranks` are by node id (the root's entry is 1). */
export interface TreeCoreShape extends CoreShape {
  /** The tree. */
  tree: Tree;
  /**
   * With `fit`: the network with the chosen ranks — the hierarchical SVD `fromFull` of a tensor,
   * or the rounding `truncateTtn` of a network.
   */
  ttn?: Ttn;
  /** With `fit`: the actual relative error ‖X − X̂‖/‖X‖ of `ttn`. */
  relativeError?: number;
}

function rootPair(tree: Tree): readonly number[] {
  const c = tree.children(tree.root);
  return c.length === 2 ? c : [];
}

function sideSizes(tree: Tree, dims: readonly number[], v: number): number {
  const inside = tree.subtreeModes(v).reduce((p, m) => p * dims[m]!, 1);
  const all = dims.reduce((p, n) => p * n, 1);
  return Math.min(inside, all / inside);
}

/**
 * The singular values across every edge of `tree`: for a tensor X, one SVD (without vectors)
 * of each edge's matricisation (the second edge of a two-child root copies the first); for a
 * network, its `edgeSingularValues` (cheap, no full tensor), where `tree` may be omitted.
 *
 * @throws {@link ShapeError} if the tree does not fit the source (mode count, or a network on
 * another tree); {@link NonFiniteError} for NaN or infinite entries.
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const y = Ttn.random(tree, [3, 3, 3, 3], 2, 1);
 * const fromTensor = treeSpectra(y.toFull(), tree), fromNetwork = treeSpectra(y);
 * const v = tree.children(tree.root)[0]!;
 * console.assert(Math.abs(fromTensor.sigma2[v]![1]! - fromNetwork.sigma2[v]![1]!) < 1e-13);
 * console.assert(fromTensor.sigma2[v]![2]! < 1e-25); // the edge has rank 2
 * ```
 */
export function treeSpectra(source: Tensor | Ttn, tree?: Tree): TreeSpectra {
  const what = "treeSpectra";
  if (source instanceof Ttn) {
    if (tree !== undefined && !tree.equals(source.tree)) throw new ShapeError(`${what}: the network lives on ${source.tree}, not on ${tree}`);
    const s = edgeSingularValues(source);
    const nrm = source.norm(); // (edgeSingularValues leaves its root entry unset)
    const sigma2 = s.map((x, v) => (v === source.tree.root ? new Float64Array(0) : Float64Array.from(x, (y) => y * y)));
    return { tree: source.tree, dims: source.dims.slice(), sigma2, norm2: nrm * nrm };
  }
  if (!(source instanceof Tensor)) throw new ArgumentError(`${what}: expected a tensor or a Ttn`);
  if (tree === undefined) throw new ArgumentError(`${what}: a tensor needs a tree`);
  if (source.ndim !== tree.numModes) throw new ShapeError(`${what}: tensor of shape ${formatShape(source.shape)} for a tree over ${tree.numModes} modes`);
  const X = checkedData(source, what);
  const pair = rootPair(tree);
  const sigma2: Float64Array[] = new Array(tree.numNodes);
  sigma2[tree.root] = new Float64Array(0);
  for (const v of tree.edges()) {
    if (v === pair[1]) continue;
    sigma2[v] = Float64Array.from(singularValues(unfold(X, tree.subtreeModes(v))), (x) => x * x);
  }
  if (pair.length === 2) sigma2[pair[1]!] = sigma2[pair[0]!]!.slice();
  const nrm = norm(X);
  return { tree, dims: X.shape.slice(), sigma2, norm2: nrm * nrm };
}

function checkTreeSpectra(s: TreeSpectra, tree: Tree, what: string): TreeSpectra {
  if (typeof s !== "object" || s === null || !Array.isArray(s.dims) || !Array.isArray(s.sigma2)) {
    throw new ArgumentError(`${what}: expected a tensor, a Ttn or TreeSpectra ({ tree, dims, sigma2, norm2 })`);
  }
  if (s.tree === undefined || !tree.equals(s.tree)) throw new ShapeError(`${what}: the spectra belong to the tree ${String(s.tree)}, not ${tree}`);
  if (s.dims.length !== tree.numModes) throw new ShapeError(`${what}: ${s.dims.length} mode sizes for a tree over ${tree.numModes} modes`);
  s.dims.forEach((n, m) => {
    if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${what}: mode ${m} has size ${n}; sizes must be positive integers`);
  });
  if (s.sigma2.length !== tree.numNodes) throw new ShapeError(`${what}: ${s.sigma2.length} spectra for a tree of ${tree.numNodes} nodes`);
  if (typeof s.norm2 !== "number" || !Number.isFinite(s.norm2) || s.norm2 < 0) throw new ArgumentError(`${what}: norm2 must be a finite number ≥ 0, got ${String(s.norm2)}`);
  const pair = rootPair(tree);
  const sigma2 = s.sigma2.map((x, v) => (v === tree.root || v === pair[1] ? new Float64Array(0) : checkSpectrum(x, sideSizes(tree, s.dims, v), `${what}: sigma2[${v}]`)));
  return { tree, dims: s.dims.slice(), sigma2, norm2: s.norm2 };
}

/**
 * Core-shape selection for a tree tensor network: the ranks of the edges of `tree` chosen from
 * the singular values across each edge alone, without fitting — the Tucker knapsack of
 * {@link tuckerCoreShape} with edges for modes. The hierarchical SVD with ranks r satisfies
 * ‖X − X̂‖² ≤ Σ_e Σ_{i>r_e} σ²_{e,i} (Grasedyck 2010; the two edges of a two-child root count
 * once and get one rank), and a network stores Σ_v ∏(ranks at v)·(n_m at a leaf) parameters
 * (`Ttn.numParameters`). With `budget` the ranks keep the most energy within that many
 * parameters; with `targetRse`, the fewest parameters with √(discarded energy) ≤ targetRse·‖X‖.
 *
 * `source` is a tensor (spectra computed here, one SVD per edge), a network on `tree` (its
 * `edgeSingularValues`: choosing how to round it) or precomputed {@link TreeSpectra}. The ranks,
 * by node id, feed `fromFull(X, tree, { maxRanks: ranks })` or `truncateTtn(y, { maxRanks: ranks })`;
 * with `fit` the result holds that network and its actual error. Ranks are capped at the number
 * of non-negligible singular values of each edge and are not reduced to what neighbouring
 * ranks can carry (`feasibleRanks` does that).
 *
 * @throws {@link ArgumentError} for a budget below the all-ones network's size or bad options;
 * {@link ShapeError} if `tree` does not fit the source; {@link NonFiniteError} for NaN or
 * infinite data.
 * @example
 * ```ts
 * const tree = Tree.tensorTrain(4);
 * const y = Ttn.random(tree, [4, 4, 4, 4], 3, 2); // a tensor train of ranks 3
 * const shape = treeCoreShape(y.toFull(), tree, { targetRse: 1e-8, fit: true });
 * console.assert(shape.parameters === y.numParameters() && shape.relativeError! < 1e-12);
 * const small = treeCoreShape(y, tree, { budget: 60, fit: true }); // rounding the network
 * console.assert(small.ttn!.numParameters() <= 60 && small.relativeError! <= small.errorBound * (1 + 1e-12));
 * ```
 */
export function treeCoreShape(source: Tensor | Ttn | TreeSpectra, tree: Tree, options: CoreShapeOptions): TreeCoreShape {
  const what = "treeCoreShape";
  let spectra: TreeSpectra;
  let data: Tensor | undefined;
  if (source instanceof Ttn) {
    if (!tree.equals(source.tree)) throw new ShapeError(`${what}: the network lives on ${source.tree}, not on ${tree}`);
    spectra = treeSpectra(source);
  } else if (source instanceof Tensor) {
    if (source.ndim !== tree.numModes) throw new ShapeError(`${what}: tensor of shape ${formatShape(source.shape)} for a tree over ${tree.numModes} modes`);
    data = checkedData(source, what);
    spectra = treeSpectra(data, tree);
  } else {
    if (options.fit) throw new ArgumentError(`${what}: fit needs the tensor or the network, not its spectra`);
    spectra = checkTreeSpectra(source, tree, what);
  }
  const { goal, method } = resolveGoal(options, spectra.norm2, what);
  // One variable per independent edge; the second edge of a two-child root shares the first's.
  const pair = rootPair(tree);
  const varOf = new Int32Array(tree.numNodes).fill(-1);
  const sigma2: Float64Array[] = [];
  for (const v of tree.edges()) {
    if (v === pair[1]) continue;
    varOf[v] = sigma2.length;
    sigma2.push(spectra.sigma2[v]!.length > 0 ? spectra.sigma2[v]! : Float64Array.of(0));
  }
  if (pair.length === 2) varOf[pair[1]!] = varOf[pair[0]!]!;
  const nodes = tree.preorder().map((v) => ({
    own: varOf[v]!,
    leafDim: tree.isLeaf(v) ? spectra.dims[tree.mode(v)]! : 0,
    children: Int32Array.from(tree.children(v), (c) => varOf[c]!),
  }));
  const cost = (r: Int32Array): number => {
    let total = 0;
    for (const { own, leafDim, children } of nodes) {
      if (leafDim > 0) {
        total += leafDim * r[own]!;
        continue;
      }
      let prod = own < 0 ? 1 : r[own]!;
      for (let i = 0; i < children.length; i++) prod *= r[children[i]!]!;
      total += prod;
    }
    return total;
  };
  const p = packing(sigma2, spectra.norm2, cost);
  const solution = solvePacking(p, goal, method, what);
  const ranks = Array.from(varOf, (k) => (k < 0 ? 1 : solution.ranks[k]!));
  const result: TreeCoreShape = { tree, ranks, ...describeSolution(p, solution) };
  if (options.fit) {
    const nrm = Math.sqrt(spectra.norm2);
    if (data !== undefined) {
      const ttn = fromFull(data, tree, { maxRanks: ranks }).ttn;
      result.ttn = ttn;
      result.relativeError = nrm > 0 ? distance(ttn.toFull(), data) / nrm : 0;
    } else {
      const y = source as Ttn;
      const ttn = truncateTtn(y, { maxRanks: ranks }).ttn;
      result.ttn = ttn;
      result.relativeError = nrm > 0 ? orthonormalize(addTtn(y, scaleTtn(ttn, -1))).norm() / nrm : 0;
    }
  }
  return result;
}
