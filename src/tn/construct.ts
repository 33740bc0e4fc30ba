import { ArgumentError, ShapeError } from "../errors.js";
import { Rng, randn, type Seed } from "../linalg/random.js";
import { asDType } from "../linalg/elementwise.js";
import { Tensor } from "../linalg/tensor.js";
import { normTtn, scaleTtn } from "./algebra.js";
import { orthonormalize } from "./orthonormalize.js";
import { Ttn, type TtnDType } from "./ttn.js";
import type { Tree } from "./tree.js";

/** Ranks by edge: one number for every edge, or an array by node id (the root's entry is ignored). */
export type RankSpec = number | readonly number[];

function requestedRanks(tree: Tree, ranks: RankSpec): number[] {
  const r = typeof ranks === "number" ? new Array<number>(tree.numNodes).fill(ranks) : ranks.slice();
  if (r.length !== tree.numNodes) throw new ArgumentError(`ranks: need one entry per node (${tree.numNodes}), got ${r.length}`);
  r.forEach((x, v) => {
    if (v !== tree.root && (!Number.isInteger(x) || x < 1)) throw new ArgumentError(`ranks: edge above node ${v} has rank ${x}; ranks must be positive integers`);
  });
  r[tree.root] = 1;
  return r;
}

/**
 * The largest ranks ≤ `requested` that a network on `tree` can carry: an edge's rank is at most
 * the product of the ranks below it (n at a leaf) and the product of the ranks on the other
 * side (the parent's rank times the siblings'). Iterated to a fixed point.
 *
 * @example
 * ```ts
 * const tree = Tree.tucker(3);
 * const r = feasibleRanks(tree, [2, 2, 2], 10);
 * console.assert(r[tree.leaf(0)] === 2); // capped by the mode size
 * ```
 */
export function feasibleRanks(tree: Tree, dims: readonly number[], requested: RankSpec): number[] {
  const r = requestedRanks(tree, requested);
  for (let changed = true; changed; ) {
    changed = false;
    for (const v of tree.postorder()) {
      if (v === tree.root) continue;
      const below = tree.isLeaf(v) ? dims[tree.mode(v)]! : tree.children(v).reduce((p, c) => p * r[c]!, 1);
      const p = tree.parent(v);
      const other = (p === tree.root ? 1 : r[p]!) * tree.children(p).filter((c) => c !== v).reduce((q, c) => q * r[c]!, 1);
      const cap = Math.min(r[v]!, below, other);
      if (cap < r[v]!) {
        r[v] = cap;
        changed = true;
      }
    }
  }
  return r;
}

/** Options of {@link randomTtn}. */
export interface RandomTtnOptions {
  /** `"f64"` (default) or `"c128"` (standard complex normal entries). */
  dtype?: TtnDType;
  /** Scale to norm 1 (default true). */
  normalize?: boolean;
}

/**
 * A random network with Gaussian node tensors (seeded), in the tree gauge, with the requested
 * ranks wherever the tree allows them ({@link feasibleRanks}).
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const a = randomTtn(tree, [2, 2, 2, 2], 3, 42), b = randomTtn(tree, [2, 2, 2, 2], 3, 42);
 * console.assert(distance(a.toFull(), b.toFull()) === 0 && a.isOrthonormal());
 * ```
 */
export function randomTtn(tree: Tree, dims: readonly number[], ranks: RankSpec, seed: Seed | Rng, options: RandomTtnOptions = {}): Ttn {
  const dtype = options.dtype ?? "f64";
  if (dtype !== "f64" && dtype !== "c128") throw new ArgumentError(`randomTtn: dtype must be f64 or c128, got ${JSON.stringify(dtype)}`);
  if (dims.length !== tree.numModes) throw new ShapeError(`randomTtn: ${dims.length} mode sizes for a tree over ${tree.numModes} modes`);
  const r = feasibleRanks(tree, dims, ranks);
  const rng = seed instanceof Rng ? seed : new Rng(seed);
  const tensors = tree.preorder().map((v) => {
    const shape = tree.isLeaf(v) ? [dims[tree.mode(v)]!, r[v]!] : [r[v]!, ...tree.children(v).map((c) => r[c]!)];
    return randn(shape, rng, { dtype });
  });
  const y = orthonormalize(new Ttn(tree, dims, tensors as Tensor<TtnDType>[]));
  return options.normalize === false ? y : scaleTtn(y, 1 / normTtn(y));
}

/**
 * A product state ⊗_m v_m: every rank 1, leaf m holding v_m as an n_m×1 basis and every
 * connecting tensor the scalar 1. Complex if any vector is.
 *
 * @example
 * ```ts
 * const up = tensor([1, 0]);
 * const y = productTtn(Tree.balancedBinary(4), [up, up, up, up]);
 * console.assert(y.maxRank() === 1 && y.entry([0, 0, 0, 0]) === 1);
 * ```
 */
export function productTtn(tree: Tree, vectors: readonly Tensor[]): Ttn {
  if (vectors.length !== tree.numModes) throw new ShapeError(`productTtn: ${vectors.length} vectors for a tree over ${tree.numModes} modes`);
  vectors.forEach((v, m) => {
    if (v.ndim !== 1 || v.size < 1) throw new ShapeError(`productTtn: vector for mode ${m} must be 1-D and non-empty, got shape [${v.shape.join(", ")}]`);
  });
  const dtype: TtnDType = vectors.some((v) => v.dtype === "c128") ? "c128" : "f64";
  const tensors = tree.preorder().map((v) => {
    if (tree.isLeaf(v)) {
      const vec = asDType(vectors[tree.mode(v)]!, dtype);
      return vec.reshape([vec.size, 1]);
    }
    return Tensor.full(new Array(tree.children(v).length + 1).fill(1), 1, dtype);
  });
  return new Ttn(tree, vectors.map((v) => v.size), tensors as Tensor<TtnDType>[]);
}
