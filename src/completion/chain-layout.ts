/**
 * A tensor train or ring laid out as the chain ALS solvers work on it: its vertices in chain
 * order, the bond ranks either side of each position, and its cores on the host as
 * slice-major f64 arrays, so that the slice of a mode index is one contiguous rl×rr matrix
 * (what the per-sample products and the slice solves read and write). With them, the gauge
 * moves between neighbouring cores (QR), which leave the represented tensor unchanged and make
 * the cores either side of an update orthonormal.
 *
 * Both chain solvers hold one: ChainAls (src/completion/chain-als.ts, interfaces on the host)
 * and BackendChainAls (src/completion/chain-als-backend.ts, interfaces on a compute backend,
 * which mirrors the host cores after each change). Keeping the layout and the gauge moves in
 * one place is what lets the f64 CPU backend repeat ChainAls bit for bit.
 * Internal to src/completion.
 * @module
 */
import { qr } from "../linalg/decomp/qr.js";
import { Tensor } from "../linalg/tensor.js";
import { TensorNetwork } from "../search/network/network.js";
import type { NetworkStructure } from "../search/network/structure.js";
import { groupBySlice, underdeterminedLine, type TrainingSamples } from "./sweep-solver.js";

/**
 * The vertices of a train or ring in chain order, or undefined for any other graph (or one
 * with a vertex without an open leg). A train starts at its end vertex of lower id; a ring at
 * vertex 0, towards its lower-id neighbour.
 */
export function chainOrder(structure: NetworkStructure): { order: number[]; closed: boolean } | undefined {
  const V = structure.numVertices;
  if (structure.perm.some((m) => m < 0) || !structure.isConnected()) return undefined;
  for (let v = 0; v < V; v++) if (structure.degree(v) > 2) return undefined;
  const E = structure.numEdges;
  let closed: boolean, first: number;
  if (E === V - 1) {
    closed = false;
    first = Array.from({ length: V }, (_, v) => v).find((v) => structure.degree(v) <= 1)!;
  } else if (E === V && V >= 3) {
    closed = true;
    first = 0;
  } else return undefined;
  const order = [first];
  let prev = -1, at = first;
  while (order.length < V) {
    const next = structure.neighbors(at).find((u) => u !== prev)!;
    order.push(next);
    prev = at;
    at = next;
  }
  return { order, closed };
}

/** The samples of a position grouped by their index on its mode, as from {@link groupBySlice}. */
export interface SliceGroups {
  readonly order: Int32Array;
  readonly starts: Int32Array;
}

/** A train or ring as positions 0 … V−1 with slice-major host cores; see the module notes. */
export class ChainLayout {
  /** The number of positions (vertices). */
  readonly V: number;
  /** The number of modes: the row length of the samples' index matrix. */
  readonly N: number;
  /** The vertex at each position. */
  readonly order: number[];
  /** The mode and its size at each position. */
  readonly modes: number[];
  readonly sizes: number[];
  /** rl[k], rr[k]: the bond ranks left and right of position k (the closing rank at the ends). */
  readonly rl: number[];
  readonly rr: number[];
  /** The closing rank r₀ (1 for a train). */
  readonly r0: number;
  /** r₀·r_max: room for any position's per-sample interface (r₀ × rl or rr × r₀). */
  readonly stride: number;
  /**
   * Cores by position, slice-major: cores[k][(j·rl + a)·rr + b] = G_k[j][a, b]. The arrays are
   * updated in place (by the solvers' slice solves and by the gauge moves), never replaced.
   */
  readonly cores: Float64Array[];

  /** Throws for a graph that is not a train or ring (the callers check {@link chainOrder} first). */
  constructor(private readonly structure: NetworkStructure, start: TensorNetwork<"f64">) {
    const chain = chainOrder(structure);
    if (chain === undefined) throw new Error("ChainLayout: not a train or ring");
    const { order, closed } = chain;
    const V = (this.V = order.length);
    this.N = structure.numModes;
    this.order = order;
    this.modes = order.map((v) => structure.perm[v]!);
    this.sizes = this.modes.map((m) => structure.dims[m]!);
    const bond = order.map((v, k) => (k + 1 < V ? structure.rank(v, order[k + 1]!) : closed ? structure.rank(v, order[0]!) : 1));
    this.r0 = bond[V - 1]!;
    this.rr = bond;
    this.rl = order.map((_, k) => (k === 0 ? this.r0 : bond[k - 1]!));
    this.cores = order.map((v, k) => this.fromNetworkCore(start.cores[v]!, k));
    this.stride = this.r0 * Math.max(...bond);
  }

  /** The network the cores represent (a copy). */
  network(): TensorNetwork<"f64"> {
    const cores = new Array<Tensor<"f64">>(this.V);
    this.order.forEach((v, k) => (cores[v] = this.toNetworkCore(k)));
    return new TensorNetwork(this.structure, cores);
  }

  /** Per position, the samples grouped by their index on its mode (the slices its update solves). */
  slices(samples: TrainingSamples): SliceGroups[] {
    return this.order.map((_, k) => groupBySlice(samples, this.N, this.modes[k]!, this.sizes[k]!));
  }

  /** The run's warnings for cores with underdetermined slices, from {@link slices}' groups. */
  underdetermined(groups: readonly SliceGroups[]): string[] {
    const lines: string[] = [];
    this.order.forEach((v, k) => {
      const line = underdeterminedLine(`core ${v} (mode ${this.modes[k]})`, groups[k]!.starts, this.rl[k]! * this.rr[k]!);
      if (line !== undefined) lines.push(line);
    });
    return lines;
  }

  /**
   * Core k = Q·R over its right bond ((n·rl) × rr); Q stays, R moves into core k+1's left bond.
   * Skipped when the core has fewer rows than the bond rank (a bond larger than it can carry).
   * Returns whether cores k and k+1 changed.
   */
  orthogonaliseRight(k: number): boolean {
    const n = this.sizes[k]!, rl = this.rl[k]!, rr = this.rr[k]!;
    if (n * rl < rr) return false;
    const { Q, R } = qr(new Tensor("f64", [n * rl, rr], this.cores[k]!));
    this.cores[k]!.set(Q!.data as Float64Array);
    const next = this.cores[k + 1]!, rr2 = this.rr[k + 1]!, Rd = R.data as Float64Array;
    const col = new Float64Array(rr);
    for (let j = 0; j < this.sizes[k + 1]!; j++) {
      const g = j * rr * rr2;
      for (let b = 0; b < rr2; b++) {
        for (let a = 0; a < rr; a++) col[a] = next[g + a * rr2 + b]!;
        for (let a = 0; a < rr; a++) {
          let sum = 0;
          for (let c = a; c < rr; c++) sum += Rd[a * rr + c]! * col[c]!;
          next[g + a * rr2 + b] = sum;
        }
      }
    }
    return true;
  }

  /**
   * Core k = L·Q over its left bond (rl × (n·rr)), by a QR of the transpose; L moves into core
   * k−1's right bond. Skipped, as {@link orthogonaliseRight}, when the bond is larger than the
   * core can carry. Returns whether cores k and k−1 changed.
   */
  orthogonaliseLeft(k: number): boolean {
    const n = this.sizes[k]!, rl = this.rl[k]!, rr = this.rr[k]!, core = this.cores[k]!;
    if (n * rr < rl) return false;
    const t = new Float64Array(n * rr * rl);
    for (let j = 0; j < n; j++) for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) t[(j * rr + b) * rl + a] = core[(j * rl + a) * rr + b]!;
    const { Q, R } = qr(new Tensor("f64", [n * rr, rl], t));
    const Qd = Q!.data as Float64Array, Rd = R.data as Float64Array;
    for (let j = 0; j < n; j++) for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) core[(j * rl + a) * rr + b] = Qd[(j * rr + b) * rl + a]!;
    // core k−1 slice ← slice · Rᵀ (its right bond is this core's left bond).
    const prev = this.cores[k - 1]!, rl0 = this.rl[k - 1]!;
    const row = new Float64Array(rl);
    for (let j = 0; j < this.sizes[k - 1]!; j++) {
      for (let a = 0; a < rl0; a++) {
        const o = (j * rl0 + a) * rl;
        for (let c = 0; c < rl; c++) row[c] = prev[o + c]!;
        for (let b = 0; b < rl; b++) {
          let sum = 0;
          for (let c = b; c < rl; c++) sum += row[c]! * Rd[b * rl + c]!;
          prev[o + b] = sum;
        }
      }
    }
    return true;
  }

  // A network core (open leg, then the bonds in increasing neighbour order) as position k's
  // slice-major [j][left][right] array, and back.
  private bondStrides(k: number): { left: number; right: number } {
    const v = this.order[k]!, V = this.V, nb = this.structure.neighbors(v);
    const shape = this.structure.coreShape(v).slice(1);
    const strideOf = (u: number | undefined): number => {
      if (u === undefined) return 0;
      const i = nb.indexOf(u);
      return shape.slice(i + 1).reduce((p, d) => p * d, 1);
    };
    const leftVertex = k > 0 ? this.order[k - 1] : this.r0 > 1 ? this.order[V - 1] : undefined;
    const rightVertex = k + 1 < V ? this.order[k + 1] : this.r0 > 1 ? this.order[0] : undefined;
    return { left: strideOf(leftVertex), right: strideOf(rightVertex) };
  }

  private fromNetworkCore(core: Tensor<"f64">, k: number): Float64Array {
    const n = this.sizes[k]!, rl = this.rl[k]!, rr = this.rr[k]!, { left, right } = this.bondStrides(k);
    const out = new Float64Array(n * rl * rr), src = core.data as Float64Array;
    for (let j = 0; j < n; j++) for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) out[(j * rl + a) * rr + b] = src[j * rl * rr + a * left + b * right]!;
    return out;
  }

  private toNetworkCore(k: number): Tensor<"f64"> {
    const n = this.sizes[k]!, rl = this.rl[k]!, rr = this.rr[k]!, { left, right } = this.bondStrides(k);
    const out = new Float64Array(n * rl * rr), src = this.cores[k]!;
    for (let j = 0; j < n; j++) for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) out[j * rl * rr + a * left + b * right] = src[(j * rl + a) * rr + b]!;
    return new Tensor("f64", this.structure.coreShape(this.order[k]!), out);
  }
}
