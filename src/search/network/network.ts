import { DTypeError, NonFiniteError, ShapeError } from "../../errors.js";
import type { Complex } from "../../linalg/dtype.js";
import { scale } from "../../linalg/elementwise.js";
import { Rng, randn, type Seed } from "../../linalg/random.js";
import { formatShape } from "../../linalg/shape.js";
import type { Tensor } from "../../linalg/tensor.js";
import type { Tree } from "../../tn/tree.js";
import type { Ttn } from "../../tn/ttn.js";
import { contractNetwork, networkContractionOrder, type ContractOptions } from "./contract.js";
import type { ContractionOrder } from "./contraction-order.js";
import { networkEntries, type EntriesOptions } from "./entries.js";
import type { NetworkStructure } from "./structure.js";
import { networkFromTtn, networkToTtn } from "./ttn-interop.js";

/** Element types of general tensor networks. */
export type NetworkDType = "f64" | "c128";

/** Options of {@link TensorNetwork.random}. */
export interface RandomNetworkOptions<D extends NetworkDType = NetworkDType> {
  /**
   * Standard deviation σ of every core entry. Default: (Π_e r_e)^(−1/(2V)) over the edges e and
   * the V vertices, which gives every entry of the represented tensor variance 1 (a sum of
   * Π_e r_e independent products of V factors of variance σ²). The TnALE protocol uses 0.1.
   */
  sigma?: number;
  /** Element type (default `"f64"`); `"c128"` entries are complex normals with E|z|² = σ². */
  dtype?: D;
}

/**
 * A tensor network on a {@link NetworkStructure}: one core per vertex. Core v has shape
 * `structure.coreShape(v)`: axis 0 is its open leg (size n_{perm[v]}, or 1 for a vertex
 * without one), then one axis per neighbour in increasing neighbour order, sized by the bond
 * rank. The represented tensor has the modes 0…N−1 as axes in mode order, whatever the
 * permutation.
 *
 * Immutable: operations return new networks sharing unchanged cores.
 *
 * @example
 * ```ts
 * const s = NetworkStructure.tensorRing([2, 3, 4], 2, [2, 0, 1]); // vertex 0 carries mode 2
 * const net = TensorNetwork.random(s, 7);
 * console.assert(net.cores[0].shape.join() === "4,2,2" && net.toFull().shape.join() === "2,3,4");
 * const v = net.entries([[1, 2, 3]]).get(0) as number;
 * console.assert(Math.abs(v - (net.toFull().get(1, 2, 3) as number)) < 1e-12);
 * ```
 */
export class TensorNetwork<D extends NetworkDType = NetworkDType> {
  /** The graph, ranks and permutation. */
  readonly structure: NetworkStructure;
  /** Element type of every core. */
  readonly dtype: D;
  /** Cores by vertex id. */
  readonly cores: readonly Tensor<D>[];

  /**
   * Wraps cores (not copied) after checking them against the structure.
   * @throws {@link ShapeError} naming the vertex whose core has the wrong shape;
   * {@link DTypeError} for mixed or unsupported dtypes; {@link NonFiniteError} for NaN or ±∞.
   */
  constructor(structure: NetworkStructure, cores: readonly Tensor<D>[]) {
    const V = structure.numVertices;
    if (!Array.isArray(cores) || cores.length !== V) {
      throw new ShapeError(`TensorNetwork: ${Array.isArray(cores) ? cores.length : "no"} cores for a structure of ${V} vertices`);
    }
    const dtype = cores[0]!.dtype;
    if (dtype !== "f64" && dtype !== "c128") throw new DTypeError(`TensorNetwork: cores must be f64 or c128, got ${dtype}`);
    cores.forEach((core, v) => {
      if (core.dtype !== dtype) throw new DTypeError(`TensorNetwork: core ${v} is ${core.dtype} but core 0 is ${dtype}`);
      const want = structure.coreShape(v);
      if (core.ndim !== want.length || core.shape.some((d: number, i: number) => d !== want[i])) {
        const open = structure.hasOpenLeg(v) ? `mode ${structure.perm[v]} of size ${structure.openSize(v)}` : "no open leg";
        const bonds = structure.neighbors(v).map((u) => `${u} (rank ${structure.rank(u, v)})`).join(", ") || "none";
        throw new ShapeError(
          `TensorNetwork: core ${v} has shape ${formatShape(core.shape)} but vertex ${v} (${open}; neighbours ${bonds}) needs ${formatShape(want)}`,
        );
      }
      for (let i = 0; i < core.data.length; i++) {
        const x = core.data[i]!;
        if (x - x !== 0) throw new NonFiniteError(`TensorNetwork: core ${v} has a non-finite value (${x}) at storage index ${i}`);
      }
    });
    this.structure = structure;
    this.dtype = dtype as D;
    this.cores = Object.freeze(cores.slice());
  }

  /**
   * Cores with i.i.d. N(0, σ²) entries (see {@link RandomNetworkOptions}), drawn from one
   * generator seeded by `seed`, core by core in vertex order, each filled as {@link randn} does.
   *
   * @throws {@link ShapeError} for σ not finite and positive.
   * @example
   * ```ts
   * const s = NetworkStructure.fullyConnected([3, 3, 3], 2);
   * const a = TensorNetwork.random(s, 1, { sigma: 1 }), b = TensorNetwork.random(s, 1, { sigma: 0.1 });
   * console.assert(Math.abs(b.cores[2].data[5] - 0.1 * a.cores[2].data[5]) < 1e-15);
   * ```
   */
  static random<D extends NetworkDType = "f64">(structure: NetworkStructure, seed: Seed | Rng, options: RandomNetworkOptions<D> = {}): TensorNetwork<D> {
    const dtype = (options.dtype ?? "f64") as D;
    if (dtype !== "f64" && dtype !== "c128") throw new DTypeError(`TensorNetwork.random: dtype must be f64 or c128, got ${dtype}`);
    const V = structure.numVertices;
    const logBonds = structure.edges().reduce((s, e) => s + Math.log(e.rank), 0);
    const sigma = options.sigma ?? Math.exp(-logBonds / (2 * V));
    if (!(typeof sigma === "number" && Number.isFinite(sigma) && sigma > 0)) {
      throw new ShapeError(`TensorNetwork.random: sigma must be a positive finite number, got ${sigma}`);
    }
    const rng = seed instanceof Rng ? seed : new Rng(seed);
    const cores = Array.from({ length: V }, (_, v) => {
      const core = randn(structure.coreShape(v), rng, { dtype });
      return sigma === 1 ? core : (scale(core, sigma) as Tensor<D>);
    });
    return new TensorNetwork(structure, cores);
  }

  /**
   * The network of a tree tensor network (sharing its node tensors, reshaped): vertices are the
   * tree's nodes, see {@link NetworkStructure.fromTree}. Edges of rank 1 become absent bonds;
   * pass `ttn.tree` to {@link TensorNetwork.toTtn} to convert back in that case.
   *
   * @example
   * ```ts
   * const y = Ttn.random(Tree.balancedBinary(4), [2, 3, 2, 3], 2, 5);
   * const net = TensorNetwork.fromTtn(y);
   * console.assert(distance(net.toFull(), y.toFull()) < 1e-13 && net.toTtn().tree.equals(y.tree));
   * ```
   */
  static fromTtn<D extends NetworkDType>(ttn: Ttn<D>): TensorNetwork<D> {
    return networkFromTtn(ttn);
  }

  /**
   * The tree tensor network of this network, whose graph must be a tree. With `tree`, the
   * vertices must be its nodes (as from {@link TensorNetwork.fromTtn}) and every bond a tree
   * edge; absent tree edges get rank 1. Without, the tree is read off the graph: vertices
   * without an open leg become inner nodes, and a vertex with both an open leg and two or more
   * bonds becomes an inner node with a new leaf whose basis is the identity (so the Ttn is
   * exact but may have more nodes).
   *
   * @throws {@link ArgumentError} if the graph is not a tree or does not fit `tree`.
   * @example
   * ```ts
   * const net = TensorNetwork.random(NetworkStructure.tensorTrain([2, 3, 4], 2), 3);
   * const y = net.toTtn();
   * console.assert(distance(y.toFull(), net.toFull()) < 1e-13);
   * ```
   */
  toTtn(tree?: Tree): Ttn<D> {
    return networkToTtn(this, tree);
  }

  /**
   * The full tensor, modes 0…N−1 in order, contracted pairwise along the path the optimiser
   * finds (default `"auto"`). Exponential in N: for tests and small targets.
   *
   * @example
   * ```ts
   * const net = TensorNetwork.random(NetworkStructure.grid(2, 2, [2, 2, 2, 2], 2), 1);
   * console.assert(net.toFull({ optimizer: "greedy" }).size === 16);
   * ```
   */
  toFull(options: ContractOptions = {}): Tensor<D> {
    return contractNetwork(this, options);
  }

  /**
   * Entries at m multi-indices (an m×N row-major `Int32Array`, or an array of index arrays) as
   * a tensor of shape [m]; see {@link networkEntries}.
   */
  entries(indices: Int32Array | readonly (readonly number[])[], options: EntriesOptions = {}): Tensor<D> {
    return networkEntries(this, indices, options);
  }

  /** One entry: a number, or `{ re, im }` for a complex network. */
  entry(index: readonly number[]): number | Complex {
    const v = networkEntries(this, [index]);
    return v.dtype === "c128" ? { re: v.data[0]!, im: v.data[1]! } : v.data[0]!;
  }

  /** The order {@link TensorNetwork.toFull} uses, with its flop count; see {@link networkContractionOrder}. */
  contractionOrder(options: ContractOptions = {}): ContractionOrder {
    return networkContractionOrder(this.structure, { ...options, kind: "full" });
  }

  /** Number of stored scalars (complex counts once). */
  numParameters(): number {
    return this.structure.numParameters();
  }

  /** A network with some cores replaced (the rest shared). */
  withCores(replace: ReadonlyMap<number, Tensor<D>>): TensorNetwork<D> {
    return new TensorNetwork(this.structure, this.cores.map((c, v) => replace.get(v) ?? c));
  }

  /** Text such as `TensorNetwork<f64> on NetworkStructure(…), 126 parameters`. */
  toString(): string {
    return `TensorNetwork<${this.dtype}> on ${this.structure}, ${this.numParameters()} parameters`;
  }
}
