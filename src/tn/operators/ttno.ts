import { ShapeError } from "../../errors.js";
import type { Complex } from "../../linalg/dtype.js";
import type { TruncationOptions } from "../../linalg/decomp/truncation.js";
import { formatShape } from "../../linalg/shape.js";
import { permute } from "../../linalg/permute.js";
import { Tensor } from "../../linalg/tensor.js";
import { scaleTtn } from "../algebra.js";
import { truncateTtn, type TtnTruncationOptions } from "../truncate.js";
import type { Tree } from "../tree.js";
import { Ttn, type TtnDType } from "../ttn.js";
import { applyTtno } from "./apply.js";
import { applyTruncated, type ApplyTruncated, type ApplyTruncatedOptions } from "./apply-truncated.js";
import { expectation, matrixElement } from "./environments.js";
import { stateDiagramTensors } from "./state-diagram.js";
import type { SumOfProducts } from "./sum-of-products.js";

/** Options of {@link Ttno.fromSumOfProducts}. */
export interface TtnoOptions {
  /**
   * Compress the exact state-diagram operator by SVD truncation (default: relative tolerance
   * 1e-13 per edge, which only removes numerically dependent states). `false` keeps it exact;
   * see {@link Ttno.compress} for the norm the tolerance refers to.
   */
  compress?: false | (TruncationOptions & TtnTruncationOptions);
}

/**
 * A tree tensor network operator (TTNO): an operator on the tensor space of a {@link Ttn},
 * itself a tree network whose leaves carry n×n matrices. Stored as a `Ttn` over the squared
 * mode sizes (leaf index = out·n + in), so orthonormalisation and truncation apply unchanged;
 * `leafOperator(v)` gives a leaf as [n_out, n_in, R].
 *
 * @example
 * ```ts
 * const H = transverseFieldIsing({ sites: 4 });
 * const op = Ttno.fromSumOfProducts(Tree.balancedBinary(4), H);
 * console.assert(distance(op.toMatrix(), H.toMatrix()) < 1e-12 && op.maxRank() <= 4);
 * ```
 */
export class Ttno<D extends TtnDType = TtnDType> {
  /** The operator as a network over squared mode sizes. */
  readonly network: Ttn<D>;
  /** Physical mode sizes n_m (the network's are n_m²). */
  readonly dims: readonly number[];

  constructor(network: Ttn<D>, dims: readonly number[]) {
    if (dims.length !== network.dims.length || dims.some((n, m) => n * n !== network.dims[m])) {
      throw new ShapeError(`Ttno: physical sizes ${formatShape(dims)} do not square to the network's ${formatShape(network.dims)}`);
    }
    this.network = network;
    this.dims = Object.freeze(dims.slice());
  }

  /** The tree. */
  get tree(): Tree {
    return this.network.tree;
  }

  /** Element type. */
  get dtype(): D {
    return this.network.dtype;
  }

  /** Operator rank of the edge above `v`. */
  rank(v: number): number {
    return this.network.rank(v);
  }

  /** Operator ranks by node id. */
  ranks(): number[] {
    return this.network.ranks();
  }

  /** Largest operator rank. */
  maxRank(): number {
    return this.network.maxRank();
  }

  /** Leaf `v`'s operator tensor as [n_out, n_in, R]. */
  leafOperator(v: number): Tensor<D> {
    const n = this.dims[this.tree.mode(v)]!;
    const t = this.network.tensors[v]!;
    return t.reshape([n, n, t.shape[1]!]);
  }

  /**
   * The exact operator of a sum of products on `tree` (state-diagram construction: bond
   * dimension 2 + the number of distinct partial terms per edge), compressed by default.
   */
  static fromSumOfProducts(tree: Tree, sop: SumOfProducts, options: TtnoOptions = {}): Ttno {
    const raw = stateDiagramTensors(tree, sop);
    const tensors = raw.map((t, v) => (tree.isLeaf(v) ? t.reshape([t.shape[0]! * t.shape[1]!, t.shape[2]!]) : t));
    const op = new Ttno(new Ttn(tree, sop.dims.map((n) => n * n), tensors as Tensor<TtnDType>[]), sop.dims);
    if (options.compress === false) return op;
    return op.compress(options.compress ?? { tol: 1e-13, mode: "rnorm" });
  }

  /** The identity operator. */
  static identity(tree: Tree, dims: readonly number[]): Ttno<"f64"> {
    const tensors = tree.preorder().map((v) => {
      if (!tree.isLeaf(v)) return Tensor.full(new Array(tree.children(v).length + 1).fill(1), 1, "f64");
      const n = dims[tree.mode(v)]!;
      return Tensor.eye(n, n, "f64").reshape([n * n, 1]);
    });
    return new Ttno(new Ttn(tree, dims.map((n) => n * n), tensors), dims);
  }

  /**
   * Reduces operator ranks by the tree SVD truncation of the network. Tolerances refer to the
   * normalised Hilbert–Schmidt norm ‖A‖ = √(tr(AᴴA)/N) (N = ∏n_m, so ‖I‖ = 1 and every Pauli
   * string has norm 1): absolute modes bound the discarded part in that norm, relative modes
   * relative to the operator's. It is not a bound in the spectral norm.
   */
  compress(options: TruncationOptions & TtnTruncationOptions): Ttno<D> {
    const N = this.dims.reduce((p, n) => p * n, 1);
    const scaled = scaleTtn(this.network, 1 / Math.sqrt(N)) as Ttn<D>;
    const { ttn } = truncateTtn(scaled, options);
    return new Ttno(scaleTtn(ttn, Math.sqrt(N)) as Ttn<D>, this.dims);
  }

  /** The dense matrix (∏n × ∏n, row-major multi-indices). Exponential in d: for tests. */
  toMatrix(): Tensor<D> {
    const full = this.network.toFull();
    const d = this.dims.length;
    const split = full.reshape(this.dims.flatMap((n) => [n, n]));
    const order = [...Array.from({ length: d }, (_, m) => 2 * m), ...Array.from({ length: d }, (_, m) => 2 * m + 1)];
    const N = this.dims.reduce((p, n) => p * n, 1);
    return permute(split, order).reshape([N, N]);
  }

  /** A·Y exactly (ranks multiply); truncate the result as needed. */
  apply(y: Ttn): Ttn {
    return applyTtno(this, y);
  }

  /** A·Y compressed to small ranks without forming it at full rank; see {@link applyTruncated}. */
  applyTruncated(y: Ttn, options: ApplyTruncatedOptions = {}): ApplyTruncated {
    return applyTruncated(this, y, options);
  }

  /** ⟨Y|A|Y⟩ / ⟨Y|Y⟩. */
  expectation(y: Ttn): number | Complex {
    return expectation(this, y);
  }

  /** ⟨X|A|Y⟩ (not normalised). */
  matrixElement(x: Ttn, y: Ttn): number | Complex {
    return matrixElement(x, this, y);
  }
}
