/**
 * The structure variables of the sampling searches (TnALE, TNLS): a fixed graph whose edges
 * each carry a rank to be searched (rank 1 cuts the edge), plus the placement of the tensor's
 * modes on the vertices that have an open leg. The graph is a tensor ring, a tensor train, the
 * fully connected network, or any {@link NetworkStructure} given as a template (a tree network
 * with inner vertices, a grid, a ring with some edges fixed out…): the template's edges are the
 * searched edges and its placement of modes is the starting one.
 * @module
 */
import { ArgumentError } from "../errors.js";
import { NetworkStructure } from "./network/structure.js";

/** A point of a search space: one rank per searched edge, and the mode of each vertex. */
export interface SpacePoint {
  ranks: readonly number[];
  /** The mode carried by each vertex (−1 for a vertex without an open leg). */
  perm: readonly number[];
}

/** The topologies the searches know by name; a {@link NetworkStructure} serves as a template. */
export type SearchTopology = "ring" | "train" | "fctn" | NetworkStructure;

/**
 * The searched edges of a graph over a tensor's modes and the structures of its points.
 *
 * @example
 * ```ts
 * const space = new SearchSpace([3, 4, 5, 6], "ring");
 * const s = space.structureOf({ ranks: [2, 3, 1, 4], perm: [0, 1, 2, 3] });
 * // rank 1 on the edge 2–3 cuts the ring into a train 3–0–1–2.
 * console.assert(space.edges.length === 4 && s.numEdges === 3 && s.rank(3, 0) === 4 && s.isTree());
 * ```
 */
export class SearchSpace {
  /** Mode sizes of the target. */
  readonly dims: readonly number[];
  /** The searched edges as vertex pairs [u, v], u < v. */
  readonly edges: readonly (readonly [number, number])[];
  /** Number of vertices (≥ the number of modes; tree templates have inner vertices). */
  readonly numVertices: number;
  /** The vertices with an open leg, whose modes permutations exchange. */
  readonly legVertices: readonly number[];
  /** The topology's name (or "template"). */
  readonly name: string;
  private readonly startPerm: readonly number[];

  /**
   * @throws {@link ArgumentError} for a ring with fewer than 3 modes, fewer than 2 modes, or a
   * template over other mode sizes or without edges.
   */
  constructor(dims: readonly number[], topology: SearchTopology) {
    const N = dims.length;
    this.dims = dims.slice();
    if (topology instanceof NetworkStructure) {
      if (topology.numModes !== N || topology.dims.some((n, m) => n !== dims[m])) {
        throw new ArgumentError(`search space: the template is over modes [${topology.dims.join(", ")}], the target over [${dims.join(", ")}]`);
      }
      if (topology.numEdges === 0) throw new ArgumentError("search space: the template has no edges to search");
      this.edges = topology.edges().map((e) => [e.u, e.v] as const);
      this.numVertices = topology.numVertices;
      this.startPerm = topology.perm.slice();
      this.name = "template";
    } else {
      if (topology !== "ring" && topology !== "train" && topology !== "fctn") {
        throw new ArgumentError(`search space: topology must be "ring", "train", "fctn" or a NetworkStructure template, got ${JSON.stringify(topology)}`);
      }
      if (N < 2 || (topology === "ring" && N < 3)) throw new ArgumentError(`search space: a ${topology} needs at least ${topology === "ring" ? 3 : 2} modes, got ${N}`);
      const edges: [number, number][] = [];
      if (topology === "fctn") for (let u = 0; u < N; u++) for (let v = u + 1; v < N; v++) edges.push([u, v]);
      else for (let k = 0; k < (topology === "ring" ? N : N - 1); k++) edges.push([Math.min(k, (k + 1) % N), Math.max(k, (k + 1) % N)]);
      this.edges = edges;
      this.numVertices = N;
      this.startPerm = Array.from({ length: N }, (_, v) => v);
      this.name = topology;
    }
    this.legVertices = this.startPerm.flatMap((m, v) => (m >= 0 ? [v] : []));
  }

  /** The point with every searched edge at `rank` and the starting placement of modes. */
  start(rank: number): SpacePoint {
    return { ranks: new Array<number>(this.edges.length).fill(rank), perm: this.startPerm.slice() };
  }

  /** The network structure of a point. */
  structureOf(point: SpacePoint): NetworkStructure {
    const V = this.numVertices;
    const ranks = Array.from({ length: V }, () => new Array<number>(V).fill(1));
    this.edges.forEach(([u, v], k) => {
      ranks[u]![v] = ranks[v]![u] = point.ranks[k]!;
    });
    return new NetworkStructure(this.dims, ranks, point.perm);
  }

  /** The point with edge k's rank set to r. */
  withRank(point: SpacePoint, k: number, r: number): SpacePoint {
    return { ranks: point.ranks.map((x, i) => (i === k ? r : x)), perm: point.perm };
  }

  /** The point with the modes of leg vertices a and b exchanged. */
  withSwap(point: SpacePoint, a: number, b: number): SpacePoint {
    const perm = point.perm.slice();
    [perm[a], perm[b]] = [perm[b]!, perm[a]!];
    return { ranks: point.ranks, perm };
  }

  /** Every point one transposition of two leg vertices' modes away, in a fixed order. */
  transpositions(point: SpacePoint): SpacePoint[] {
    const legs = this.legVertices, out: SpacePoint[] = [];
    for (let i = 0; i < legs.length; i++) for (let j = i + 1; j < legs.length; j++) out.push(this.withSwap(point, legs[i]!, legs[j]!));
    return out;
  }
}
