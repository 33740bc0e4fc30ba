// Shared by the GPU backend tests: random operands, the f32 tolerance, and whether a real
// WebGPU adapter (or Dawn's null device) is present on this machine.
import { Rng } from "../../../src/linalg/random.js";

/** Uniform numbers in [-1, 1). */
export function uniform(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** ‖x − y‖_F / ‖y‖_F. */
export function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i]! - y[i]!) ** 2;
    den += y[i]! ** 2;
  }
  return Math.sqrt(num / (den || 1));
}

/**
 * The f32 tolerance of the GPU paths against the f64 CPU path: relative Frobenius error
 * ≤ 1e-5·√k for sums of k products of operands of unit size (f32 rounding is 6e-8 per
 * operation; random-walk accumulation gives ~6e-8·√k, so 1e-5·√k leaves a wide margin while
 * still catching any indexing error, which gives errors of order 1).
 */
export function f32Tolerance(k: number): number {
  return 1e-5 * Math.sqrt(Math.max(1, k));
}
