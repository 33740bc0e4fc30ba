import { ArgumentError, ShapeError } from "../../errors.js";
import { formatShape } from "../../linalg/shape.js";
import type { Tree } from "../../tn/tree.js";
import { fromTreeStructure, fullyConnectedStructure, gridStructure, tensorRingStructure, tensorTrainStructure } from "./builders.js";

/** An edge of a {@link NetworkStructure}: vertices `u < v` joined by a bond of `rank` ≥ 2. */
export interface NetworkEdge {
  /** The lower vertex id. */
  readonly u: number;
  /** The higher vertex id. */
  readonly v: number;
  /** The bond dimension (≥ 2: rank 1 means no edge). */
  readonly rank: number;
}

/**
 * The graph of a tensor network: one core per vertex, a bond of some rank between any two
 * vertices (rank 1 = no edge), and one open leg per tensor mode placed on a vertex by a
 * permutation. The network represents a tensor with N modes of sizes `dims[0…N−1]`.
 *
 * - `ranks` is a symmetric V×V matrix of integers ≥ 1 with ones on the diagonal; V ≥ N.
 * - `perm[v]` is the mode whose open leg vertex v carries, or −1 for a vertex without an open
 *   leg (the inner nodes of a tree network). Every mode is carried by exactly one vertex. It
 *   defaults to the identity on vertices 0…N−1 (and −1 on the rest).
 * - Vertex v's core has shape {@link NetworkStructure.coreShape}: its open leg first (size 1
 *   without one), then one axis per neighbour in increasing neighbour order.
 *
 * Immutable: `withRank` and `withPerm` return new structures.
 *
 * @example
 * ```ts
 * // A 3-mode tensor ring with ranks 2, 3, 4 on the edges 0–1, 1–2, 2–0.
 * const s = new NetworkStructure([5, 6, 7], [[1, 2, 4], [2, 1, 3], [4, 3, 1]]);
 * console.assert(s.coreShape(1).join() === "6,2,3");
 * console.assert(s.numParameters() === 5 * 2 * 4 + 6 * 2 * 3 + 7 * 4 * 3);
 * console.assert(s.neighbors(0).join() === "1,2" && s.rank(2, 0) === 4);
 * ```
 */
export class NetworkStructure {
  /** Mode sizes n_0…n_{N−1}. */
  readonly dims: readonly number[];
  /** Number of modes N. */
  readonly numModes: number;
  /** Number of vertices (cores) V ≥ N. */
  readonly numVertices: number;
  /** The mode carried by each vertex (−1: no open leg). */
  readonly perm: readonly number[];
  private readonly rankMatrix: Int32Array;
  private readonly adjacency: readonly (readonly number[])[];
  private readonly modeVertex: Int32Array;
  private readonly edgeList: readonly NetworkEdge[];

  /**
   * @param dims mode sizes (positive integers).
   * @param ranks symmetric V×V matrix of integer ranks ≥ 1, ones on the diagonal.
   * @param perm the mode of each vertex (−1 for none); default: vertex v carries mode v.
   * @throws {@link ShapeError} for bad sizes, a non-square, asymmetric or non-integer rank
   * matrix, a rank below 1 or a diagonal entry other than 1;
   * {@link ArgumentError} if `perm` does not place every mode on exactly one vertex.
   */
  constructor(dims: readonly number[], ranks: readonly (readonly number[])[], perm?: readonly number[]) {
    this.dims = Object.freeze(checkDims(dims));
    const N = this.dims.length;
    const V = checkRankMatrixShape(ranks, N);
    this.numModes = N;
    this.numVertices = V;
    this.rankMatrix = new Int32Array(V * V);
    for (let u = 0; u < V; u++)
      for (let v = 0; v < V; v++) {
        const r = ranks[u]![v]!;
        if (typeof r !== "number" || !Number.isInteger(r) || r < 1 || r > 2 ** 31 - 1) {
          throw new ShapeError(`NetworkStructure: ranks[${u}][${v}] is ${r}; ranks must be integers ≥ 1 (1 = no edge)`);
        }
        if (u === v && r !== 1) {
          throw new ShapeError(`NetworkStructure: ranks[${u}][${u}] is ${r}; the diagonal must be 1 (no self-loops; mode sizes go in dims)`);
        }
        if (ranks[v]![u] !== r) {
          throw new ShapeError(`NetworkStructure: ranks[${u}][${v}] = ${r} but ranks[${v}][${u}] = ${ranks[v]![u]}; the rank matrix must be symmetric`);
        }
        this.rankMatrix[u * V + v] = r;
      }
    this.perm = Object.freeze(checkPerm(perm, N, V));
    this.modeVertex = new Int32Array(N);
    this.perm.forEach((m, v) => {
      if (m >= 0) this.modeVertex[m] = v;
    });
    const adjacency: number[][] = [];
    const edges: NetworkEdge[] = [];
    for (let u = 0; u < V; u++) {
      adjacency.push([]);
      for (let v = 0; v < V; v++) {
        const r = this.rankMatrix[u * V + v]!;
        if (r > 1) {
          adjacency[u]!.push(v);
          if (u < v) edges.push(Object.freeze({ u, v, rank: r }));
        }
      }
    }
    this.adjacency = adjacency.map((a) => Object.freeze(a));
    this.edgeList = Object.freeze(edges);
  }

  /**
   * A tensor train (open chain) over the vertices 0–1–…–(N−1).
   *
   * @param ranks one rank for every bond, or the N−1 bond ranks (`ranks[k]` joins k and k+1).
   * @param perm the mode of each vertex (default: the identity).
   * @example
   * ```ts
   * const s = NetworkStructure.tensorTrain([2, 3, 4], [5, 6]);
   * console.assert(s.numEdges === 2 && s.rank(1, 2) === 6 && s.isTree());
   * ```
   */
  static tensorTrain(dims: readonly number[], ranks: number | readonly number[], perm?: readonly number[]): NetworkStructure {
    return tensorTrainStructure(dims, ranks, perm);
  }

  /**
   * A tensor ring (closed chain) over the vertices 0–1–…–(N−1)–0, N ≥ 3.
   *
   * @param ranks one rank for every bond, or N ranks (`ranks[k]` joins k and (k+1) mod N).
   * @param perm the mode of each vertex (default: the identity).
   * @throws {@link ArgumentError} for fewer than 3 modes.
   * @example
   * ```ts
   * const s = NetworkStructure.tensorRing([3, 3, 3, 3], [2, 3, 4, 5]);
   * console.assert(s.rank(3, 0) === 5 && s.numParameters() === 3 * (5 * 2 + 2 * 3 + 3 * 4 + 4 * 5));
   * ```
   */
  static tensorRing(dims: readonly number[], ranks: number | readonly number[], perm?: readonly number[]): NetworkStructure {
    return tensorRingStructure(dims, ranks, perm);
  }

  /**
   * A fully connected network (FCTN): every pair of vertices joined by a bond of `rank`
   * (`rank` 1 gives the rank-one start of greedy structure search).
   *
   * @example
   * ```ts
   * const s = NetworkStructure.fullyConnected([4, 4, 4, 4], 2);
   * console.assert(s.numEdges === 6 && s.coreShape(0).join() === "4,2,2,2");
   * ```
   */
  static fullyConnected(dims: readonly number[], rank: number, perm?: readonly number[]): NetworkStructure {
    return fullyConnectedStructure(dims, rank, perm);
  }

  /**
   * A rows×cols grid (PEPS-like): vertex `r·cols + c` joined to its right and lower
   * neighbours by bonds of `rank`.
   *
   * @throws {@link ShapeError} unless `dims` has rows·cols entries.
   * @example
   * ```ts
   * const s = NetworkStructure.grid(2, 3, [2, 2, 2, 2, 2, 2], 3);
   * console.assert(s.numEdges === 7 && s.neighbors(4).join() === "1,3,5");
   * ```
   */
  static grid(rows: number, cols: number, dims: readonly number[], rank: number, perm?: readonly number[]): NetworkStructure {
    return gridStructure(rows, cols, dims, rank, perm);
  }

  /**
   * The network of a {@link Tree}: vertex ids are the tree's node ids, each leaf carries its
   * mode, inner nodes carry no open leg, and the edge above node v has rank `ranks[v]`
   * (the root's entry is ignored), or `ranks` on every edge.
   *
   * @example
   * ```ts
   * const tree = Tree.fromSpec([[0, 1], [2, 3]]);
   * const s = NetworkStructure.fromTree(tree, [2, 2, 2, 2], 3);
   * console.assert(s.numVertices === 7 && s.perm[0] === -1 && s.isTree());
   * console.assert(s.coreShape(0).join() === "1,3,3");
   * ```
   */
  static fromTree(tree: Tree, dims: readonly number[], ranks: number | readonly number[]): NetworkStructure {
    return fromTreeStructure(tree, dims, ranks);
  }

  /** Rank of the bond between `u` and `v` (1 = no edge; 1 for u = v). */
  rank(u: number, v: number): number {
    return this.rankMatrix[this.check(u) * this.numVertices + this.check(v)]!;
  }

  /** The rank matrix as nested arrays (a copy). */
  ranks(): number[][] {
    const V = this.numVertices;
    return Array.from({ length: V }, (_, u) => Array.from(this.rankMatrix.subarray(u * V, (u + 1) * V)));
  }

  /** Vertices joined to `v` by a bond of rank ≥ 2, in increasing order. */
  neighbors(v: number): readonly number[] {
    return this.adjacency[this.check(v)]!;
  }

  /** Number of neighbours of `v`. */
  degree(v: number): number {
    return this.neighbors(v).length;
  }

  /** The edges (rank ≥ 2) as `{ u, v, rank }` with u < v, sorted by (u, v). */
  edges(): readonly NetworkEdge[] {
    return this.edgeList;
  }

  /** Number of edges (bonds of rank ≥ 2). */
  get numEdges(): number {
    return this.edgeList.length;
  }

  /** Whether vertex `v` carries an open leg. */
  hasOpenLeg(v: number): boolean {
    return this.perm[this.check(v)]! >= 0;
  }

  /** Size of `v`'s open leg: n_{perm[v]}, or 1 for a vertex without one. */
  openSize(v: number): number {
    const m = this.perm[this.check(v)]!;
    return m >= 0 ? this.dims[m]! : 1;
  }

  /** The vertex carrying mode `m`. */
  vertexOf(m: number): number {
    if (!Number.isInteger(m) || m < 0 || m >= this.numModes) throw new ArgumentError(`mode ${m} is out of range 0…${this.numModes - 1}`);
    return this.modeVertex[m]!;
  }

  /** Shape of vertex `v`'s core: [open leg size, ranks to the neighbours in increasing order]. */
  coreShape(v: number): number[] {
    return [this.openSize(v), ...this.neighbors(v).map((u) => this.rank(v, u))];
  }

  /** Number of scalars in all cores: Σ_v n_{perm[v]} · Π_{u ~ v} r_{uv}. */
  numParameters(): number {
    let total = 0;
    for (let v = 0; v < this.numVertices; v++) total += this.coreShape(v).reduce((p, d) => p * d, 1);
    return total;
  }

  /** Number of entries of the represented tensor, Π n_m. */
  numEntries(): number {
    return this.dims.reduce((p, d) => p * d, 1);
  }

  /** Whether every vertex can reach every other along edges of rank ≥ 2. */
  isConnected(): boolean {
    const seen = new Uint8Array(this.numVertices);
    const stack = [0];
    seen[0] = 1;
    let count = 1;
    while (stack.length > 0) {
      for (const u of this.adjacency[stack.pop()!]!) {
        if (seen[u] === 0) {
          seen[u] = 1;
          count++;
          stack.push(u);
        }
      }
    }
    return count === this.numVertices;
  }

  /** Whether the graph (edges of rank ≥ 2) is a tree: connected with V − 1 edges. */
  isTree(): boolean {
    return this.numEdges === this.numVertices - 1 && this.isConnected();
  }

  /**
   * A canonical text key for caching evaluations: the mode sizes and the sorted edges with
   * their ranks, each vertex named by the mode it carries (`3`), or `v<id>` without one, e.g.
   * `n=3,3,3|e=0-1:2,1-2:2`. So the permutation is part of the key, and two structures whose
   * vertices all carry modes have the same key exactly when they join the same modes by the
   * same ranks, however their vertices are numbered (a fit of one is a fit of the other, with
   * the cores in another vertex order). Vertices without an open leg are named by their id.
   *
   * @example
   * ```ts
   * const a = NetworkStructure.tensorRing([2, 3, 4], [5, 6, 7]);
   * const b = NetworkStructure.tensorRing([2, 3, 4], [6, 7, 5], [1, 2, 0]); // the same ring, renumbered
   * console.assert(a.key() === b.key() && a.key() === "n=2,3,4|e=0-1:5,0-2:7,1-2:6");
   * ```
   */
  key(): string {
    const N = this.numModes;
    const order = (v: number): number => (this.perm[v]! >= 0 ? this.perm[v]! : N + v);
    const name = (v: number): string => (this.perm[v]! >= 0 ? String(this.perm[v]) : `v${v}`);
    const edges = this.edgeList
      .map(({ u, v, rank }) => (order(u) < order(v) ? { a: u, b: v, rank } : { a: v, b: u, rank }))
      .sort((x, y) => order(x.a) - order(y.a) || order(x.b) - order(y.b))
      .map(({ a, b, rank }) => `${name(a)}-${name(b)}:${rank}`);
    const inner = this.numVertices > N ? `|V=${this.numVertices}` : "";
    return `n=${this.dims.join(",")}${inner}|e=${edges.join(",")}`;
  }

  /** The same structure with the bond between `u` and `v` set to `rank` (1 removes it). */
  withRank(u: number, v: number, rank: number): NetworkStructure {
    if (this.check(u) === this.check(v)) throw new ArgumentError(`withRank: vertices must differ, got ${u} twice`);
    const ranks = this.ranks();
    ranks[u]![v] = rank;
    ranks[v]![u] = rank;
    return new NetworkStructure(this.dims, ranks, this.perm);
  }

  /** The same graph with modes placed by `perm` (vertex v carries mode perm[v]). */
  withPerm(perm: readonly number[]): NetworkStructure {
    return new NetworkStructure(this.dims, this.ranks(), perm);
  }

  /** Whether two structures have the same sizes, ranks and permutation, vertex by vertex. */
  equals(other: NetworkStructure): boolean {
    return this === other || (
      this.numVertices === other.numVertices &&
      this.dims.length === other.dims.length &&
      this.dims.every((n, m) => n === other.dims[m]) &&
      this.perm.every((m, v) => m === other.perm[v]) &&
      this.rankMatrix.every((r, i) => r === other.rankMatrix[i])
    );
  }

  /** Text such as `NetworkStructure(dims [3, 3, 3], edges 0–1:2 1–2:3, perm [0, 1, 2])`. */
  toString(): string {
    const edges = this.edgeList.map(({ u, v, rank }) => `${u}–${v}:${rank}`).join(" ");
    return `NetworkStructure(dims ${formatShape(this.dims)}, edges ${edges || "none"}, perm [${this.perm.join(", ")}])`;
  }

  private check(v: number): number {
    if (!Number.isInteger(v) || v < 0 || v >= this.numVertices) {
      throw new ArgumentError(`vertex ${v} is not in this network (ids 0…${this.numVertices - 1})`);
    }
    return v;
  }
}

function checkDims(dims: readonly number[]): number[] {
  if (!Array.isArray(dims) || dims.length === 0) throw new ShapeError(`NetworkStructure: dims must be a non-empty array of mode sizes, got ${String(dims)}`);
  dims.forEach((n, m) => {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      throw new ShapeError(`NetworkStructure: mode ${m} has size ${n}; mode sizes must be positive integers`);
    }
  });
  return dims.slice();
}

function checkRankMatrixShape(ranks: readonly (readonly number[])[], N: number): number {
  if (!Array.isArray(ranks)) throw new ShapeError("NetworkStructure: ranks must be a square matrix (an array of rows)");
  const V = ranks.length;
  if (V < N) throw new ShapeError(`NetworkStructure: the rank matrix has ${V} rows but there are ${N} modes; every mode needs a vertex`);
  ranks.forEach((row, u) => {
    if (!Array.isArray(row) || row.length !== V) {
      throw new ShapeError(`NetworkStructure: row ${u} of the rank matrix has ${Array.isArray(row) ? row.length : "no"} entries; the matrix must be ${V}×${V}`);
    }
  });
  return V;
}

function checkPerm(perm: readonly number[] | undefined, N: number, V: number): number[] {
  if (perm === undefined) return Array.from({ length: V }, (_, v) => (v < N ? v : -1));
  if (!Array.isArray(perm) || perm.length !== V) {
    throw new ArgumentError(`NetworkStructure: perm must list the mode of each of the ${V} vertices, got ${Array.isArray(perm) ? `${perm.length} entries` : String(perm)}`);
  }
  const at = new Map<number, number>();
  perm.forEach((m, v) => {
    if (typeof m !== "number" || !Number.isInteger(m) || m < -1 || m >= N) {
      throw new ArgumentError(`NetworkStructure: perm[${v}] is ${m}; it must be a mode 0…${N - 1} or −1 (no open leg)`);
    }
    if (m >= 0) {
      if (at.has(m)) throw new ArgumentError(`NetworkStructure: perm is not a permutation: mode ${m} is on vertices ${at.get(m)} and ${v}`);
      at.set(m, v);
    }
  });
  for (let m = 0; m < N; m++) {
    if (!at.has(m)) throw new ArgumentError(`NetworkStructure: perm is not a permutation: mode ${m} is on no vertex`);
  }
  return perm.slice();
}
