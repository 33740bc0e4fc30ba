/**
 * The per-sample environment rows of completion's slice normal equations
 * ({@link SliceNormalSpec}) on host arrays. One function because two callers must compute them
 * identically: the CPU backend's `sliceNormalEquations` and the chain solver's host path
 * (src/completion/chain-als.ts), whose runs the CPU backend reproduces bit for bit.
 * @module
 */
import type { SliceNormalSpec } from "./backend.js";

/** Host arrays of a {@link SliceNormalSpec}: the interfaces, the sample values and their order. */
export interface EnvironmentRowsSpec {
  /** Left interfaces: P_s[c, a] at `P[s·stride + c·rl + a]` (r0 × rl). */
  readonly P: Float64Array;
  /** Right interfaces: Q_s[b, c] at `Q[s·stride + b·r0 + c]` (rr × r0). */
  readonly Q: Float64Array;
  readonly stride: number;
  readonly r0: number;
  readonly rl: number;
  readonly rr: number;
  /** Sample numbers, slice by slice (the rows of a block are consecutive entries). */
  readonly order: ArrayLike<number>;
  /**
   * Where a sample's interfaces sit: by default at its sample number s (`s·stride`); with
   * `sliceOrdered`, at its place u in `order` (`u·stride`: the chain solver's host layout,
   * which keeps each position's interfaces in the order its update reads them).
   */
  readonly sliceOrdered?: boolean;
  /** The sample values, by sample number. */
  readonly values: Float64Array;
}

/**
 * For the samples s = order[from + t], t < rows: row t of `E` (R = rl·rr numbers from t·R)
 * receives s's environment E_s[a, b] = Σ_c P_s[c, a]·Q_s[b, c], and y[t] its value. The rows
 * feed a block Gram product (EᵀE, Eᵀy), which is why a block is formed rather than one sample
 * at a time. With r0 = 1 (a train) the sum is a single product, taken without the inner loop.
 */
export function environmentRows(spec: EnvironmentRowsSpec, from: number, rows: number, E: Float64Array, y: Float64Array): void {
  const { P, Q, stride, r0, rl, rr, order, values } = spec;
  const R = rl * rr, sliceOrdered = spec.sliceOrdered === true;
  for (let t = 0; t < rows; t++) {
    const s = order[from + t]!, o = (sliceOrdered ? from + t : s) * stride, e = t * R;
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
}
