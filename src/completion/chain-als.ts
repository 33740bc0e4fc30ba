/**
 * ALS completion specialised to tensor trains and tensor rings (Grasedyck–Kluge–Krämer; for
 * rings, Wang–Aggarwal–Aeron). Along the chain, an entry is Tr(P_s · G_k[i_k] · Q_s), with P_s
 * the product of the cores before position k at the sample's indices (r₀ × r_{k−1}, r₀ the
 * closing rank: 1 for a train) and Q_s the product of those after it (r_k × r₀). Both are
 * cached per sample: a sweep runs left to right, extending P by one core per step, then right
 * to left, extending Q, and each step reuses the interfaces the previous one left, so a core
 * update costs O(m·r₀·r²) for the interfaces plus O(m·r⁴) for its normal equations, rather
 * than a contraction of the whole network per sample.
 *
 * Between steps the core just updated is orthogonalised (QR towards the next position, the
 * triangular factor moved into the next core). The represented tensor is unchanged, but for a
 * train the cores left of the update are then left-orthonormal and those right of it
 * right-orthonormal, so the relative ridge of a slice penalises the norm of the whole tensor
 * rather than an arbitrary gauge of it — what makes a ridge schedule meaningful — and the
 * normal equations stay well conditioned. (The closing bond of a ring has no such gauge.)
 * Memory: V + 1 interface arrays of m·r₀·r_max numbers. Internal to src/completion.
 * @module
 */
import { qr } from "../linalg/decomp/qr.js";
import { Tensor } from "../linalg/tensor.js";
import { TensorNetwork } from "../search/network/network.js";
import type { NetworkStructure } from "../search/network/structure.js";
import { CG_ITERATIONS, CG_MIN_PARAMETERS, solveChainSlicesCg } from "./slice-cg.js";
import { groupBySlice, SliceSystems, underdeterminedLine, type InnerSolver, type SweepSolver, type TrainingSamples } from "./sweep-solver.js";

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

// Samples per block of the normal equations: enough rows for the dense kernels to pay off,
// few enough that the block stays in cache.
const BLOCK = 256;

/** ALS sweeps over a train or ring with cached interfaces; see the module notes. */
export class ChainAls implements SweepSolver {
  private readonly V: number;
  private readonly N: number;
  private readonly order: number[];
  private readonly modes: number[];
  private readonly sizes: number[];
  /** rl[k], rr[k]: the bond ranks left and right of position k (the closing rank at the ends). */
  private readonly rl: number[];
  private readonly rr: number[];
  /** The closing rank r₀ (1 for a train). */
  private readonly r0: number;
  /** Cores by position, slice-major: core[k][(j·rl + a)·rr + b] = G_k[j][a, b]. */
  private readonly cores: Float64Array[];
  /**
   * Per position k, its cached interface: Q_k before the left-to-right pass reaches k, P_k
   * after it (and the reverse for the right-to-left pass); see forward and backward.
   */
  private slots: Float64Array[];
  private cur: Float64Array;
  private readonly stride: number;
  /** Per position, its direct solver (Gram matrices), or undefined where CG solves it. */
  private readonly systems: (SliceSystems | undefined)[];
  /** Per position, the samples grouped by their index on its mode. */
  private readonly groups: { order: Int32Array; starts: Int32Array }[];
  private readonly block: Float64Array;
  private readonly blockValues = new Float64Array(BLOCK);

  /**
   * `inner`: how each slice's least squares is solved — `"direct"` (Gram matrix, Cholesky),
   * `"cg"` (matrix-free conjugate gradients, src/completion/slice-cg.ts) or `"auto"` (CG for
   * slices of at least `CG_MIN_PARAMETERS` parameters), with at most `cgIterations` CG
   * iterations per slice and update.
   */
  constructor(
    private readonly structure: NetworkStructure,
    start: TensorNetwork<"f64">,
    private readonly samples: TrainingSamples,
    inner: InnerSolver = "auto",
    private readonly cgIterations = CG_ITERATIONS,
  ) {
    const chain = chainOrder(structure);
    if (chain === undefined) throw new Error("ChainAls: not a train or ring"); // guarded by the caller
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
    const rmax = Math.max(...bond);
    this.stride = this.r0 * rmax;
    const m = samples.m;
    this.slots = order.map(() => new Float64Array(m * this.stride));
    this.cur = new Float64Array(m * this.stride);
    this.systems = order.map((_, k) => {
      const R = this.rl[k]! * this.rr[k]!;
      return inner === "cg" || (inner === "auto" && R >= CG_MIN_PARAMETERS) ? undefined : new SliceSystems(this.sizes[k]!, R);
    });
    this.groups = order.map((_, k) => groupBySlice(samples, this.N, this.modes[k]!, this.sizes[k]!));
    this.block = new Float64Array(BLOCK * Math.max(...order.map((_, k) => this.rl[k]! * this.rr[k]!)));
    // Right-orthonormal cores and the Q interfaces for the first left-to-right pass.
    this.backward(0, false);
  }

  sweep(ridge: number): boolean {
    if (this.V === 1) return this.update(0, this.identity(this.cur), this.identity(this.slots[0]!), ridge);
    return this.forward(ridge) && this.backward(ridge, true);
  }

  network(): TensorNetwork<"f64"> {
    const cores = new Array<Tensor<"f64">>(this.V);
    this.order.forEach((v, k) => (cores[v] = this.toNetworkCore(k)));
    return new TensorNetwork(this.structure, cores);
  }

  underdetermined(): string[] {
    const lines: string[] = [];
    this.order.forEach((v, k) => {
      const line = underdeterminedLine(`core ${v} (mode ${this.modes[k]})`, this.groups[k]!.starts, this.rl[k]! * this.rr[k]!);
      if (line !== undefined) lines.push(line);
    });
    return lines;
  }

  // Positions 0 … V−2, slots holding Q_k on entry and P_k on exit; `cur` runs through P_k.
  private forward(ridge: number): boolean {
    const V = this.V;
    this.identity(this.cur);
    for (let k = 0; k + 1 < V; k++) {
      if (!this.update(k, this.cur, this.slots[k]!, ridge)) return false;
      this.orthogonaliseRight(k);
      const spent = this.slots[k]!;
      this.slots[k] = this.cur;
      this.cur = this.extendLeft(k, this.slots[k]!, spent);
    }
    const spent = this.slots[V - 1]!;
    this.slots[V - 1] = this.cur;
    this.cur = spent;
    return true;
  }

  // Positions V−1 … 1 (updating only with `update`), slots holding P_k on entry and Q_k on exit.
  private backward(ridge: number, update: boolean): boolean {
    const V = this.V;
    this.identity(this.cur);
    for (let k = V - 1; k >= 1; k--) {
      if (update && !this.update(k, this.slots[k]!, this.cur, ridge)) return false;
      this.orthogonaliseLeft(k);
      const spent = this.slots[k]!;
      this.slots[k] = this.cur;
      this.cur = this.extendRight(k, this.slots[k]!, spent);
    }
    const spent = this.slots[0]!;
    this.slots[0] = this.cur;
    this.cur = spent;
    return true;
  }

  // Every sample's interface set to the r₀×r₀ identity (P_0 and Q_{V−1}).
  private identity(buf: Float64Array): Float64Array {
    const r0 = this.r0, stride = this.stride;
    for (let s = 0; s < this.samples.m; s++) {
      const o = s * stride;
      buf.fill(0, o, o + r0 * r0);
      for (let c = 0; c < r0; c++) buf[o + c * r0 + c] = 1;
    }
    return buf;
  }

  // Core k from its normal equations, slice by slice, in blocks of samples of one slice; a
  // sample's environment is e[a·rr + b] = Σ_c P[c, a]·Q[b, c].
  private update(k: number, P: Float64Array, Q: Float64Array, ridge: number): boolean {
    const rl = this.rl[k]!, rr = this.rr[k]!, r0 = this.r0, R = rl * rr;
    const { values } = this.samples;
    const { order, starts } = this.groups[k]!;
    const sys = this.systems[k];
    if (sys === undefined) {
      const problem = { P, Q, stride: this.stride, rl, rr, r0, order, starts, values };
      return solveChainSlicesCg(problem, this.cores[k]!, ridge, { maxIterations: this.cgIterations }).finite;
    }
    sys.clear();
    const E = this.block, y = this.blockValues, stride = this.stride;
    for (let j = 0; j < this.sizes[k]!; j++) {
      for (let t0 = starts[j]!; t0 < starts[j + 1]!; t0 += BLOCK) {
        const rows = Math.min(BLOCK, starts[j + 1]! - t0);
        for (let t = 0; t < rows; t++) {
          const s = order[t0 + t]!, o = s * stride, e = t * R;
          y[t] = values[s]!;
          if (r0 === 1) {
            for (let a = 0; a < rl; a++) {
              const pa = P[o + a]!;
              for (let b = 0; b < rr; b++) E[e + a * rr + b] = pa * Q[o + b]!;
            }
          } else {
            for (let a = 0; a < rl; a++) {
              for (let b = 0; b < rr; b++) {
                let sum = 0;
                for (let c = 0; c < r0; c++) sum += P[o + c * rl + a]! * Q[o + b * r0 + c]!;
                E[e + a * rr + b] = sum;
              }
            }
          }
        }
        sys.addBlock(j, E, y, rows);
      }
    }
    return sys.solve(ridge, this.cores[k]!);
  }

  // P_{k+1}[s] = P_k[s] · G_k[i_k] (r₀×rl times rl×rr), into `out`.
  private extendLeft(k: number, P: Float64Array, out: Float64Array): Float64Array {
    const rl = this.rl[k]!, rr = this.rr[k]!, r0 = this.r0, N = this.N, mode = this.modes[k]!, core = this.cores[k]!, stride = this.stride;
    const { idx, m } = this.samples;
    for (let s = 0; s < m; s++) {
      const o = s * stride, g = idx[s * N + mode]! * rl * rr;
      for (let c = 0; c < r0; c++) {
        for (let b = 0; b < rr; b++) {
          let sum = 0;
          for (let a = 0; a < rl; a++) sum += P[o + c * rl + a]! * core[g + a * rr + b]!;
          out[o + c * rr + b] = sum;
        }
      }
    }
    return out;
  }

  // Q_{k−1}[s] = G_k[i_k] · Q_k[s] (rl×rr times rr×r₀), into `out`.
  private extendRight(k: number, Q: Float64Array, out: Float64Array): Float64Array {
    const rl = this.rl[k]!, rr = this.rr[k]!, r0 = this.r0, N = this.N, mode = this.modes[k]!, core = this.cores[k]!, stride = this.stride;
    const { idx, m } = this.samples;
    for (let s = 0; s < m; s++) {
      const o = s * stride, g = idx[s * N + mode]! * rl * rr;
      for (let a = 0; a < rl; a++) {
        for (let c = 0; c < r0; c++) {
          let sum = 0;
          for (let b = 0; b < rr; b++) sum += core[g + a * rr + b]! * Q[o + b * r0 + c]!;
          out[o + a * r0 + c] = sum;
        }
      }
    }
    return out;
  }

  // Core k = Q·R over its right bond ((n·rl) × rr); Q stays, R moves into core k+1's left bond.
  // Skipped when the core has fewer rows than the bond rank (a bond larger than it can carry).
  private orthogonaliseRight(k: number): void {
    const n = this.sizes[k]!, rl = this.rl[k]!, rr = this.rr[k]!;
    if (n * rl < rr) return;
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
  }

  // Core k = L·Q over its left bond (rl × (n·rr)), by a QR of the transpose; L moves into core
  // k−1's right bond.
  private orthogonaliseLeft(k: number): void {
    const n = this.sizes[k]!, rl = this.rl[k]!, rr = this.rr[k]!, core = this.cores[k]!;
    if (n * rr < rl) return;
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
