import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import type { Complex } from "../linalg/dtype.js";
import { scale as scaleTensor } from "../linalg/elementwise.js";
import { formatShape } from "../linalg/shape.js";
import type { Tensor } from "../linalg/tensor.js";
import type { TruncationOptions } from "../linalg/decomp/truncation.js";
import type { Rng, Seed } from "../linalg/random.js";
import { addTtn, innerTtn, normTtn, scaleTtn } from "./algebra.js";
import { productTtn, randomTtn, type RandomTtnOptions, type RankSpec } from "./construct.js";
import { fromFull, type HsvdResult } from "./hsvd.js";
import { entries, entry } from "./evaluate.js";
import { toFull } from "./full.js";
import { isOrthonormal, orthonormalize, orthonormalizeTowards } from "./orthonormalize.js";
import { edgeSingularValues, truncateTtn, type TtnTruncation, type TtnTruncationOptions } from "./truncate.js";
import type { Tree } from "./tree.js";

/** Element types of tree tensor networks. */
export type TtnDType = "f64" | "c128";

/**
 * A tree tensor network: on every leaf v a basis U_v of shape [n_m, r_v] (m = the leaf's mode),
 * on every inner node v a connecting tensor C_v of shape [r_v, r_c1, …, r_ck] whose axis 0 is
 * the edge to the parent (r = 1 at the root) and axis `tree.slot(c)` the edge to child c.
 * The represented tensor has the modes 0…d−1 as axes, in mode order.
 *
 * A network is immutable: operations return new networks (sharing unchanged node tensors).
 * Conventions and the tree gauge are described in docs/tn.md.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const y = Ttn.random(tree, [2, 3, 2, 3], 2, 7);
 * console.assert(y.rank(tree.leaf(0)) === 2 && Math.abs(y.norm() - 1) < 1e-14);
 * console.assert(y.toFull().shape.join() === "2,3,2,3");
 * ```
 */
export class Ttn<D extends TtnDType = TtnDType> {
  /** The tree. */
  readonly tree: Tree;
  /** Size of each physical mode, in mode order. */
  readonly dims: readonly number[];
  /** Element type of every node tensor. */
  readonly dtype: D;
  /** Node tensors by node id. */
  readonly tensors: readonly Tensor<D>[];

  /**
   * Wraps node tensors (not copied) after checking that they fit the tree and each other.
   * @throws {@link ShapeError} naming the node whose tensor does not fit;
   * {@link DTypeError} for mixed or unsupported dtypes.
   */
  constructor(tree: Tree, dims: readonly number[], tensors: readonly Tensor<D>[]) {
    if (dims.length !== tree.numModes) throw new ShapeError(`Ttn: ${dims.length} mode sizes for a tree over ${tree.numModes} modes`);
    dims.forEach((n, m) => {
      if (!Number.isInteger(n) || n < 1) throw new ShapeError(`Ttn: mode ${m} has size ${n}; sizes must be positive integers`);
    });
    if (tensors.length !== tree.numNodes) throw new ShapeError(`Ttn: ${tensors.length} tensors for a tree of ${tree.numNodes} nodes`);
    const dtype = tensors[0]!.dtype;
    if (dtype !== "f64" && dtype !== "c128") throw new DTypeError(`Ttn: node tensors must be f64 or c128, got ${dtype}`);
    for (let v = 0; v < tree.numNodes; v++) {
      const t = tensors[v]!;
      if (t.dtype !== dtype) throw new DTypeError(`Ttn: node ${v} is ${t.dtype} but node 0 is ${dtype}`);
      if (tree.isLeaf(v)) {
        const n = dims[tree.mode(v)]!;
        if (t.ndim !== 2 || t.shape[0] !== n) {
          throw new ShapeError(`Ttn: leaf ${v} (mode ${tree.mode(v)}, size ${n}) needs a basis of shape [${n}, r], got ${formatShape(t.shape)}`);
        }
      } else {
        const k = tree.children(v).length;
        if (t.ndim !== k + 1) throw new ShapeError(`Ttn: inner node ${v} has ${k} children, so its tensor needs ${k + 1} axes, got ${formatShape(t.shape)}`);
        if (v === tree.root && t.shape[0] !== 1) throw new ShapeError(`Ttn: the root tensor's axis 0 must have size 1, got ${formatShape(t.shape)}`);
      }
      if (v !== tree.root) {
        const p = tree.parent(v);
        const above = tensors[p]!.shape[tree.slot(v)]!;
        const own = tree.isLeaf(v) ? t.shape[1]! : t.shape[0]!;
        if (above !== own) {
          throw new ShapeError(`Ttn: edge above node ${v} has rank ${own} at the node but ${above} at its parent ${p} (axis ${tree.slot(v)} of ${formatShape(tensors[p]!.shape)})`);
        }
      }
    }
    this.tree = tree;
    this.dims = Object.freeze(dims.slice());
    this.dtype = dtype as D;
    this.tensors = Object.freeze(tensors.slice());
  }

  /** Rank of the edge above node `v` (1 for the root). */
  rank(v: number): number {
    const t = this.tensors[v]!;
    return this.tree.isLeaf(v) ? t.shape[1]! : t.shape[0]!;
  }

  /** Ranks of every edge, by node id (the root's entry is 1). */
  ranks(): number[] {
    return this.tensors.map((_, v) => this.rank(v));
  }

  /** Largest edge rank. */
  maxRank(): number {
    return Math.max(...this.ranks());
  }

  /** Total number of stored scalars (complex counts once). */
  numParameters(): number {
    return this.tensors.reduce((s, t) => s + t.size, 0);
  }

  /** A network with some node tensors replaced (the rest shared). */
  withTensors(replace: ReadonlyMap<number, Tensor<D>>): Ttn<D> {
    return new Ttn(this.tree, this.dims, this.tensors.map((t, v) => replace.get(v) ?? t));
  }

  /** Throws unless `other` lives on the same tree with the same mode sizes. */
  assertCompatible(other: Ttn, operation: string): void {
    if (!this.tree.equals(other.tree)) throw new ShapeError(`${operation}: the networks live on different trees (${this.tree} vs ${other.tree})`);
    if (this.dims.some((n, m) => n !== other.dims[m])) {
      throw new ShapeError(`${operation}: mode sizes differ (${formatShape(this.dims)} vs ${formatShape(other.dims)})`);
    }
  }

  /** The full tensor (modes 0…d−1 as axes). Exponential in d: for tests and small problems. */
  toFull(): Tensor<D> {
    return toFull(this);
  }

  /** ‖Y‖ computed from the network, without the full tensor. */
  norm(): number {
    return normTtn(this);
  }

  /** ⟨this, other⟩ = Σ conj(this)·other, without full tensors. */
  inner(other: Ttn): number | Complex {
    return innerTtn(this, other);
  }

  /** `this + other` (ranks add; round with {@link Ttn.truncate}). */
  add(other: Ttn): Ttn {
    return addTtn(this, other);
  }

  /** `alpha · this`. */
  scale(alpha: number | Complex): Ttn {
    return scaleTtn(this, alpha);
  }

  /**
   * The network scaled to norm 1, in the tree gauge (so only the root tensor is rescaled).
   *
   * @throws {@link ArgumentError} if the network is zero.
   */
  normalize(): Ttn<D> {
    const z = orthonormalize(this);
    const n = z.norm();
    if (!(n > 0)) throw new ArgumentError("normalize: the network is zero");
    const root = z.tree.root;
    return z.withTensors(new Map([[root, scaleTensor(z.tensors[root]!, 1 / n) as Tensor<D>]]));
  }

  /** The same tensor with every non-root node orthonormal (the tree gauge). */
  orthonormalize(): Ttn<D> {
    return orthonormalize(this);
  }

  /** The same tensor with every node but `center` orthonormal towards `center`. */
  orthonormalizeTowards(center: number): Ttn<D> {
    return orthonormalizeTowards(this, center);
  }

  /** Whether every non-root node (or every node but `center`) is orthonormal to `tol`. */
  isOrthonormal(options: { center?: number; tol?: number } = {}): boolean {
    return isOrthonormal(this, options);
  }

  /** Rounding by the root-to-leaves SVD sweep; see {@link truncateTtn}. */
  truncate(options: TtnTruncationOptions & TruncationOptions = {}): TtnTruncation<D> {
    return truncateTtn(this, options);
  }

  /** Singular values across every edge (by node id; the root's entry is `[norm]`). */
  edgeSingularValues(): Float64Array[] {
    return edgeSingularValues(this);
  }

  /** One entry Y[i_0, …, i_{d−1}]. */
  entry(index: readonly number[]): number | Complex {
    return entry(this, index);
  }

  /** Entries at m multi-indices (an m×d index array, row-major), as a tensor of shape [m]. */
  entries(indices: Int32Array | readonly (readonly number[])[]): Tensor<D> {
    return entries(this, indices);
  }

  /** Text such as `Ttn<f64> on [[0,1],[2,3]], dims [2, 2, 2, 2], max rank 4`. */
  toString(): string {
    return `Ttn<${this.dtype}> on ${this.tree}, dims ${formatShape(this.dims)}, max rank ${this.maxRank()}`;
  }

  /** A random network (seeded), in the tree gauge; see {@link randomTtn}. */
  static random(tree: Tree, dims: readonly number[], ranks: RankSpec, seed: Seed | Rng, options: RandomTtnOptions = {}): Ttn {
    return randomTtn(tree, dims, ranks, seed, options);
  }

  /** The product state ⊗ v_m; see {@link productTtn}. */
  static product(tree: Tree, vectors: readonly Tensor[]): Ttn {
    return productTtn(tree, vectors);
  }

  /** Hierarchical SVD of a full tensor; see {@link fromFull}. */
  static fromFull(A: Tensor, tree: Tree, options: TtnTruncationOptions & TruncationOptions = {}): HsvdResult {
    return fromFull(A, tree, options);
  }

  /** Checks a node id. */
  static checkNode(tree: Tree, v: number): void {
    if (!Number.isInteger(v) || v < 0 || v >= tree.numNodes) throw new ArgumentError(`node ${v} is not in this tree`);
  }
}
