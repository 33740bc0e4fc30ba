/**
 * The chain solver's ALS sweeps (src/completion/chain-als.ts: trains and rings with cached
 * per-sample interfaces) with the per-sample work on a {@link ComputeBackend}: the interfaces
 * P_k, Q_k of every sample live on the backend (on the GPU: resident for the whole run), are
 * extended by batched gathered products (P_{k+1}[s] = P_k[s]·G_k[i_k(s)], Q_{k−1}[s] =
 * G_k[i_k(s)]·Q_k[s]), and each core update takes its per-slice normal equations from the
 * backend's `sliceNormalEquations` (the per-sample environment products E_s = P_sᵀ·Q_sᵀ and
 * their grouped Gram matrices). Only the Gram matrices and right-hand sides come back; the
 * slice solves, the orthogonalisation of the cores (QR) and the cores themselves stay on the
 * CPU in f64, in the same layout and by the same gauge moves as ChainAls
 * (src/completion/chain-layout.ts) — a core is written to the backend after each change.
 *
 * Same algorithm and update order as ChainAls with its direct inner solver. With an f32
 * backend the environment products and Gram sums are f32 (relative error ~1e-6 per sum), so a
 * run's training error levels off around 1e-5 rather than reaching 1e-10 (see docs/gpu.md).
 * Memory on the backend: 2V interface arrays of m·r₀·r_max numbers, plus the sample indices.
 * Internal to src/completion.
 * @module
 */
import type { BackendArray, ComputeBackend } from "../backend/compute/backend.js";
import { ArgumentError } from "../errors.js";
import type { TensorNetwork } from "../search/network/network.js";
import type { NetworkStructure } from "../search/network/structure.js";
import { ChainLayout, type SliceGroups } from "./chain-layout.js";
import { SliceSystems, type SweepSolver, type TrainingSamples } from "./sweep-solver.js";

/** ALS sweeps over a train or ring on a compute backend; see the module notes. */
export class BackendChainAls implements SweepSolver {
  /** The order, ranks, host cores (f64) and gauge moves, as ChainAls holds them. */
  private readonly chain: ChainLayout;
  /** The host cores mirrored on the backend, rewritten after each change. */
  private readonly deviceCores: BackendArray[];
  /** P[k]: left interfaces of position k (P[0] = the identity); Q[k]: right ones (Q[V−1] = the identity). */
  private readonly P: BackendArray[];
  private readonly Q: BackendArray[];
  private readonly identity: BackendArray;
  private readonly idx: BackendArray;
  private readonly values: BackendArray;
  private readonly groups: SliceGroups[];
  private readonly groupOrder: BackendArray[];
  private readonly systems: SliceSystems[];
  private readonly arrays: BackendArray[] = [];

  constructor(structure: NetworkStructure, start: TensorNetwork<"f64">, private readonly samples: TrainingSamples, private readonly backend: ComputeBackend) {
    const chain = (this.chain = new ChainLayout(structure, start));
    const { V, order, rl, rr, sizes, r0, stride } = chain;
    const m = samples.m;
    if (backend.precision === "f32" && m >= 2 ** 24) throw new ArgumentError(`completion on the ${backend.name} backend: ${m} training entries; an f32 backend indexes at most 2²⁴ (16777216)`);
    const keep = (a: BackendArray): BackendArray => (this.arrays.push(a), a);
    this.deviceCores = chain.cores.map((c) => keep(backend.upload(c)));
    const ident = new Float64Array(m * stride);
    for (let s = 0; s < m; s++) for (let c = 0; c < r0; c++) ident[s * stride + c * r0 + c] = 1;
    this.identity = keep(backend.upload(ident));
    this.P = order.map((_, k) => (k === 0 ? this.identity : keep(backend.zeros(m * stride))));
    this.Q = order.map((_, k) => (k === V - 1 ? this.identity : keep(backend.zeros(m * stride))));
    this.idx = keep(backend.upload(samples.idx));
    this.values = keep(backend.upload(samples.values));
    this.groups = chain.slices(samples);
    this.groupOrder = this.groups.map((g) => keep(backend.upload(g.order)));
    this.systems = order.map((_, k) => new SliceSystems(sizes[k]!, rl[k]! * rr[k]!));
    // Right-orthonormal cores and the Q interfaces for the first left-to-right pass.
    for (let k = V - 1; k >= 1; k--) {
      this.orthogonaliseLeft(k);
      this.extendRight(k);
    }
  }

  sweep(ridge: number): boolean {
    const V = this.chain.V;
    if (V === 1) return this.update(0, ridge);
    for (let k = 0; k + 1 < V; k++) {
      if (!this.update(k, ridge)) return false;
      this.orthogonaliseRight(k);
      this.extendLeft(k);
    }
    for (let k = V - 1; k >= 1; k--) {
      if (!this.update(k, ridge)) return false;
      this.orthogonaliseLeft(k);
      this.extendRight(k);
    }
    return true;
  }

  network(): TensorNetwork<"f64"> {
    return this.chain.network();
  }

  underdetermined(): string[] {
    return this.chain.underdetermined(this.groups);
  }

  /** Frees the solver's arrays on the backend (the backend itself stays the caller's). */
  release(): void {
    for (const a of this.arrays.splice(0)) this.backend.free(a);
  }

  private update(k: number, ridge: number): boolean {
    const { r0, stride, cores } = this.chain, rl = this.chain.rl[k]!, rr = this.chain.rr[k]!;
    const { gram, rhs } = this.backend.sliceNormalEquations({
      samples: this.samples.m, r0, rl, rr, stride,
      P: this.P[k]!, Q: this.Q[k]!, values: this.values, order: this.groupOrder[k]!, starts: this.groups[k]!.starts,
    });
    const sys = this.systems[k]!;
    sys.gram.set(gram);
    sys.rhs.set(rhs);
    const ok = sys.solve(ridge, cores[k]!);
    this.backend.write(this.deviceCores[k]!, cores[k]!);
    return ok;
  }

  // P_{k+1}[s] = P_k[s] · G_k[i_k] (r₀×rl times rl×rr).
  private extendLeft(k: number): void {
    const { r0, N, stride, modes } = this.chain, rl = this.chain.rl[k]!, rr = this.chain.rr[k]!;
    this.backend.batchedGemm({
      batch: this.samples.m, m: r0, n: rr, k: rl, c: this.P[k + 1]!, cStride: stride,
      a: { array: this.P[k]!, stride },
      b: { array: this.deviceCores[k]!, stride: rl * rr, gather: { index: this.idx, step: N, at: modes[k]! } },
    });
  }

  // Q_{k−1}[s] = G_k[i_k] · Q_k[s] (rl×rr times rr×r₀).
  private extendRight(k: number): void {
    const { r0, N, stride, modes } = this.chain, rl = this.chain.rl[k]!, rr = this.chain.rr[k]!;
    this.backend.batchedGemm({
      batch: this.samples.m, m: rl, n: r0, k: rr, c: this.Q[k - 1]!, cStride: stride,
      a: { array: this.deviceCores[k]!, stride: rl * rr, gather: { index: this.idx, step: N, at: modes[k]! } },
      b: { array: this.Q[k]!, stride },
    });
  }

  // The host gauge moves, then the two cores each changed copied to the backend.
  private orthogonaliseRight(k: number): void {
    if (!this.chain.orthogonaliseRight(k)) return;
    this.backend.write(this.deviceCores[k]!, this.chain.cores[k]!);
    this.backend.write(this.deviceCores[k + 1]!, this.chain.cores[k + 1]!);
  }

  private orthogonaliseLeft(k: number): void {
    if (!this.chain.orthogonaliseLeft(k)) return;
    this.backend.write(this.deviceCores[k]!, this.chain.cores[k]!);
    this.backend.write(this.deviceCores[k - 1]!, this.chain.cores[k - 1]!);
  }
}
