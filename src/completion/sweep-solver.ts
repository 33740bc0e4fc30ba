/**
 * What the completion run needs from an ALS solver: one sweep at a given ridge, and the
 * current network. Two solvers implement it, one specialised to tensor trains and rings
 * ({@link ChainAls}, with cached left and right interfaces) and one for any graph
 * ({@link GraphAls}, with per-sample environments); the run (src/completion/complete.ts) owns
 * the stopping rules, so that both are judged by the same ones. Internal to src/completion.
 * @module
 */
import { gemmStorage } from "../linalg/matmul.js";
import { ridgeSolve } from "../search/fit/als-observed.js";
import type { TensorNetwork } from "../search/network/network.js";

/**
 * Training samples in the solver's hands: an m×N row-major index matrix and the m values,
 * already in a canonical order (the run sorts them) and scaled to unit RMS (ALS is
 * scale-invariant; the scaling only keeps squares far from overflow).
 */
export interface TrainingSamples {
  readonly idx: Int32Array;
  readonly values: Float64Array;
  readonly m: number;
}

/**
 * How a slice's ridge least squares is solved: `"direct"` forms its Gram matrix and factors it
 * (O(R²) per sample, O(R³) per slice, R parameters per slice), `"cg"` runs matrix-free
 * conjugate gradients from the current values (O(R) per sample and iteration, a few iterations per update), `"auto"` uses
 * CG from `CG_MIN_PARAMETERS` parameters per slice (src/completion/slice-cg.ts). Tensor trains
 * and rings only; other graphs always solve directly.
 */
export type InnerSolver = "direct" | "cg" | "auto";

/** An ALS solver driven sweep by sweep. */
export interface SweepSolver {
  /**
   * One sweep: every core updated at least once by the exact minimiser of the training error
   * plus the ridge, `ridge` relative to the mean diagonal of each slice's Gram matrix.
   * Returns false if the sweep produced a non-finite number (the state is then unusable).
   */
  sweep(ridge: number): boolean;
  /** The current network (a copy: later sweeps do not change it). */
  network(): TensorNetwork<"f64">;
  /**
   * One line per core with slices seen by fewer training samples than the slice has
   * parameters (the ridge alone determines part of such a slice), for the run's warnings.
   */
  underdetermined(): string[];
}

/**
 * Per-slice normal equations of one core: Gram matrices and right-hand sides for n slices of R
 * parameters, accumulated a block of samples of one slice at a time (Eᵀ·E and Eᵀ·y by the
 * dense kernels: per sample in scalar loops this step costs several times more, and it is the
 * O(m·R²) bulk of a sweep), then solved with the ridge.
 */
export class SliceSystems {
  readonly gram: Float64Array;
  readonly rhs: Float64Array;
  private readonly work: Float64Array;

  constructor(readonly n: number, readonly R: number) {
    this.gram = new Float64Array(n * R * R);
    this.rhs = new Float64Array(n * R);
    this.work = new Float64Array(R * R);
  }

  clear(): void {
    this.gram.fill(0);
    this.rhs.fill(0);
  }

  /** Adds `rows` samples of slice j: environments E (rows×R, row-major) and values y. */
  addBlock(j: number, E: Float64Array, y: Float64Array, rows: number): void {
    if (rows === 0) return;
    const R = this.R;
    const G = gemmStorage("f64", 1, 0, R, R, rows, E, R, E, R) as Float64Array;
    const b = gemmStorage("f64", 1, 0, R, 1, rows, E, R, y, 1) as Float64Array;
    const gram = this.gram, rhs = this.rhs, g = j * R * R, r = j * R;
    for (let i = 0; i < R * R; i++) gram[g + i] += G[i]!;
    for (let a = 0; a < R; a++) rhs[r + a] += b[a]!;
  }

  /** Solves every slice into `out` (n×R row-major); false if a solution is not finite. */
  solve(ridge: number, out: Float64Array): boolean {
    const R = this.R;
    for (let j = 0; j < this.n; j++) {
      const slice = out.subarray(j * R, (j + 1) * R);
      ridgeSolve(this.gram.subarray(j * R * R, (j + 1) * R * R), this.rhs.subarray(j * R, (j + 1) * R), R, ridge, this.work, slice);
    }
    for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) return false;
    return true;
  }
}

/**
 * The samples grouped by their index on one mode (a stable counting sort): `order` lists them
 * slice by slice, slice j from `starts[j]` to `starts[j + 1]`. Mode −1 (a vertex without an
 * open leg) puts every sample in slice 0.
 */
export function groupBySlice(samples: TrainingSamples, N: number, mode: number, n: number): { order: Int32Array; starts: Int32Array } {
  const { idx, m } = samples;
  const starts = new Int32Array(n + 1);
  for (let s = 0; s < m; s++) starts[(mode >= 0 ? idx[s * N + mode]! : 0) + 1]++;
  for (let j = 0; j < n; j++) starts[j + 1] += starts[j]!;
  const fill = starts.slice(0, n), order = new Int32Array(m);
  for (let s = 0; s < m; s++) order[fill[mode >= 0 ? idx[s * N + mode]! : 0]!++] = s;
  return { order, starts };
}

/**
 * A warning line for a core whose slices are seen by too few samples (slice j by
 * `starts[j + 1] − starts[j]`, as from {@link groupBySlice}) against R parameters per slice;
 * undefined when every slice is determined.
 */
export function underdeterminedLine(what: string, starts: Int32Array, R: number): string | undefined {
  let short = 0, empty = 0;
  const n = starts.length - 1;
  for (let j = 0; j < n; j++) {
    const c = starts[j + 1]! - starts[j]!;
    if (c < R) short++;
    if (c === 0) empty++;
  }
  if (short === 0) return undefined;
  const none = empty > 0 ? ` (${empty} with no sample at all, which stay zero)` : "";
  return `${what}: ${short} of ${n} slices have fewer training samples than their ${R} parameters${none}; the ridge determines the rest`;
}
