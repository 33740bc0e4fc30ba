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
 * triangular factor moved into the next core: the gauge moves of the chain's layout,
 * src/completion/chain-layout.ts, which BackendChainAls shares). The represented tensor is unchanged, but for a
 * train the cores left of the update are then left-orthonormal and those right of it
 * right-orthonormal, so the relative ridge of a slice penalises the norm of the whole tensor
 * rather than an arbitrary gauge of it — what makes a ridge schedule meaningful — and the
 * normal equations stay well conditioned. (The closing bond of a ring has no such gauge.)
 * Each position's interfaces are kept in the order its update reads them: sample by sample in
 * its slice order (the samples grouped by their index on its mode, `groups[k].order`), so that
 * the update streams through them rather than gathering each sample's from two m·r arrays.
 * An extension reads its position's interfaces in that order too (with the core slice fixed
 * over a run of samples) and writes each product where the next position's update will read
 * it. The arithmetic per sample is the same whatever the layout, so the results are too.
 *
 * Memory: V + 1 interface arrays of m·r₀·r_max numbers, and one m-entry index array (where
 * each sample's row goes in the layout being written). Internal to src/completion.
 * @module
 */
import { environmentRows } from "../backend/compute/environment.js";
import type { TensorNetwork } from "../search/network/network.js";
import type { NetworkStructure } from "../search/network/structure.js";
import { ChainLayout, type SliceGroups } from "./chain-layout.js";
import { CG_ITERATIONS, CG_MIN_PARAMETERS, solveChainSlicesCg } from "./slice-cg.js";
import { SliceSystems, type InnerSolver, type SweepSolver, type TrainingSamples } from "./sweep-solver.js";

// Whether a structure is a chain decides whether this solver runs (src/completion/complete.ts),
// so the test is offered beside it; it lives with the layout it reads the chain for.
export { chainOrder } from "./chain-layout.js";

// Samples per block of the normal equations: enough rows for the dense kernels to pay off,
// few enough that the block stays in cache.
const BLOCK = 256;

/** ALS sweeps over a train or ring with cached interfaces; see the module notes. */
export class ChainAls implements SweepSolver {
  /** The order, ranks, host cores and gauge moves (shared with BackendChainAls). */
  private readonly chain: ChainLayout;
  /**
   * Per position k, its cached interface: Q_k before the left-to-right pass reaches k, P_k
   * after it (and the reverse for the right-to-left pass); see forward and backward. Both in
   * position k's slice order: sample groups[k].order[u]'s at u·stride.
   */
  private slots: Float64Array[];
  private cur: Float64Array;
  /** Scratch of the extensions: each sample's row in the slice order of the position extended into. */
  private readonly rowOf: Int32Array;
  /** Per position, its direct solver (Gram matrices), or undefined where CG solves it. */
  private readonly systems: (SliceSystems | undefined)[];
  /** Per position, the samples grouped by their index on its mode. */
  private readonly groups: SliceGroups[];
  private readonly block: Float64Array;
  private readonly blockValues = new Float64Array(BLOCK);

  /**
   * `inner`: how each slice's least squares is solved — `"direct"` (Gram matrix, Cholesky),
   * `"cg"` (matrix-free conjugate gradients, src/completion/slice-cg.ts) or `"auto"` (CG for
   * slices of at least `CG_MIN_PARAMETERS` parameters), with at most `cgIterations` CG
   * iterations per slice and update.
   */
  constructor(
    structure: NetworkStructure,
    start: TensorNetwork<"f64">,
    private readonly samples: TrainingSamples,
    inner: InnerSolver = "auto",
    private readonly cgIterations = CG_ITERATIONS,
  ) {
    const chain = (this.chain = new ChainLayout(structure, start));
    const { order, rl, rr, sizes, stride } = chain;
    const m = samples.m;
    this.slots = order.map(() => new Float64Array(m * stride));
    this.cur = new Float64Array(m * stride);
    this.rowOf = new Int32Array(m);
    this.systems = order.map((_, k) => {
      const R = rl[k]! * rr[k]!;
      return inner === "cg" || (inner === "auto" && R >= CG_MIN_PARAMETERS) ? undefined : new SliceSystems(sizes[k]!, R);
    });
    this.groups = chain.slices(samples);
    this.block = new Float64Array(BLOCK * Math.max(...order.map((_, k) => rl[k]! * rr[k]!)));
    // Right-orthonormal cores and the Q interfaces for the first left-to-right pass.
    this.backward(0, false);
  }

  sweep(ridge: number): boolean {
    if (this.chain.V === 1) return this.update(0, this.identity(this.cur), this.identity(this.slots[0]!), ridge);
    return this.forward(ridge) && this.backward(ridge, true);
  }

  network(): TensorNetwork<"f64"> {
    return this.chain.network();
  }

  underdetermined(): string[] {
    return this.chain.underdetermined(this.groups);
  }

  // Positions 0 … V−2, slots holding Q_k on entry and P_k on exit; `cur` runs through P_k.
  private forward(ridge: number): boolean {
    const V = this.chain.V;
    this.identity(this.cur);
    for (let k = 0; k + 1 < V; k++) {
      if (!this.update(k, this.cur, this.slots[k]!, ridge)) return false;
      this.chain.orthogonaliseRight(k);
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
    const V = this.chain.V;
    this.identity(this.cur);
    for (let k = V - 1; k >= 1; k--) {
      if (update && !this.update(k, this.slots[k]!, this.cur, ridge)) return false;
      this.chain.orthogonaliseLeft(k);
      const spent = this.slots[k]!;
      this.slots[k] = this.cur;
      this.cur = this.extendRight(k, this.slots[k]!, spent);
    }
    const spent = this.slots[0]!;
    this.slots[0] = this.cur;
    this.cur = spent;
    return true;
  }

  // Every sample's interface set to the r₀×r₀ identity (P_0 and Q_{V−1}), in any order.
  private identity(buf: Float64Array): Float64Array {
    const { r0, stride } = this.chain, end = this.samples.m * stride;
    for (let o = 0; o < end; o += stride) {
      for (let c = 0; c < r0; c++) for (let e = 0; e < r0; e++) buf[o + c * r0 + e] = c === e ? 1 : 0;
    }
    return buf;
  }

  // Core k from its normal equations, slice by slice, in blocks of samples of one slice (or by
  // CG, which reads the same interfaces without forming the environments).
  private update(k: number, P: Float64Array, Q: Float64Array, ridge: number): boolean {
    const { r0, stride, sizes, cores } = this.chain, rl = this.chain.rl[k]!, rr = this.chain.rr[k]!;
    const { order, starts } = this.groups[k]!;
    const problem = { P, Q, stride, rl, rr, r0, order, starts, values: this.samples.values, sliceOrdered: true };
    const sys = this.systems[k];
    if (sys === undefined) return solveChainSlicesCg(problem, cores[k]!, ridge, { maxIterations: this.cgIterations }).finite;
    sys.clear();
    const E = this.block, y = this.blockValues;
    for (let j = 0; j < sizes[k]!; j++) {
      for (let t0 = starts[j]!; t0 < starts[j + 1]!; t0 += BLOCK) {
        const rows = Math.min(BLOCK, starts[j + 1]! - t0);
        environmentRows(problem, t0, rows, E, y);
        sys.addBlock(j, E, y, rows);
      }
    }
    return sys.solve(ridge, cores[k]!);
  }

  // Each sample's row in position k's slice order, into rowOf.
  private rowsOf(k: number): Int32Array {
    const { order } = this.groups[k]!, rowOf = this.rowOf;
    for (let u = 0; u < order.length; u++) rowOf[order[u]!] = u;
    return rowOf;
  }

  // P_{k+1}[s] = P_k[s] · G_k[i_k] (r₀×rl times rl×rr), into `out`: read in position k's slice
  // order, written in position k+1's.
  private extendLeft(k: number, P: Float64Array, out: Float64Array): Float64Array {
    const { r0, stride, sizes } = this.chain, rl = this.chain.rl[k]!, rr = this.chain.rr[k]!, core = this.chain.cores[k]!;
    const { order, starts } = this.groups[k]!, rowOf = this.rowsOf(k + 1);
    for (let j = 0; j < sizes[k]!; j++) {
      const g = j * rl * rr;
      for (let u = starts[j]!; u < starts[j + 1]!; u++) {
        let w = rowOf[order[u]!]! * stride; // out[w]: entry (c, b), c·rr + b from the row's start
        for (let c = 0, pc = u * stride; c < r0; c++, pc += rl) {
          for (let b = 0; b < rr; b++) {
            let sum = 0;
            for (let a = 0, ip = pc, ig = g + b; a < rl; a++, ip++, ig += rr) sum += P[ip]! * core[ig]!;
            out[w++] = sum;
          }
        }
      }
    }
    return out;
  }

  // Q_{k−1}[s] = G_k[i_k] · Q_k[s] (rl×rr times rr×r₀), into `out`: read in position k's slice
  // order, written in position k−1's.
  private extendRight(k: number, Q: Float64Array, out: Float64Array): Float64Array {
    const { r0, stride, sizes } = this.chain, rl = this.chain.rl[k]!, rr = this.chain.rr[k]!, core = this.chain.cores[k]!;
    const { order, starts } = this.groups[k]!, rowOf = this.rowsOf(k - 1);
    for (let j = 0; j < sizes[k]!; j++) {
      const g = j * rl * rr;
      for (let u = starts[j]!; u < starts[j + 1]!; u++) {
        const o = u * stride;
        let w = rowOf[order[u]!]! * stride; // out[w]: entry (a, c), a·r₀ + c from the row's start
        for (let a = 0, ga = g; a < rl; a++, ga += rr) {
          for (let c = 0; c < r0; c++) {
            let sum = 0;
            for (let b = 0, iq = o + c; b < rr; b++, iq += r0) sum += core[ga + b]! * Q[iq]!;
            out[w++] = sum;
          }
        }
      }
    }
    return out;
  }
}
