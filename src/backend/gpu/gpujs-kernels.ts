/**
 * The gpu.js kernels of the GPU backends, as JavaScript source text (gpu.js translates the text
 * to WGSL for WebGPU, or runs it as JavaScript in its `cpu` mode; text rather than functions so
 * that no TypeScript or bundler transform changes what gpu.js parses).
 *
 * Rules these sources follow, because gpu.js's WGSL translation does arithmetic in f32 unless
 * every operand is an integer, and declares every local variable f32 (even one initialised
 * from integers), and f32 holds whole numbers exactly only below 2²⁴:
 * - every size, stride and offset is an `Integer` argument (see `argumentTypes`);
 * - array indices that can exceed 2²⁴ are written inline from integers only — thread ids,
 *   integer arguments, loop counters, and array reads cast with `| 0` — never through a local;
 * - locals hold only small values (a position inside one small matrix); `/` is float division
 *   in gpu.js, exact enough there;
 * - batches span two thread dimensions (t = y + B1·z), since WebGPU dispatches at most 65535
 *   workgroups per dimension;
 * - index arrays (gathers, slice bounds) are f32 arrays of whole numbers below 2²⁴;
 * - loops run from 0 (a loop counter initialised from an expression would be declared f32);
 * - sums are f32 accumulators (`0.0`).
 *
 * Checked in CI: gpu.js's `cpu` mode runs these sources against the f64 CPU path, and the WGSL
 * that gpu.js generates from them is compiled by Dawn's null backend (test/backend/gpu).
 * @module
 */

/** Argument type names as gpu.js expects them. */
export type GpuJsArgType = "Array" | "Integer" | "Float";

/** One kernel: its source and the types of its arguments, in order. */
export interface KernelSource {
  name: string;
  source: string;
  argumentTypes: Record<string, GpuJsArgType>;
  /** Output rank: 2 ([n, m]: x = column, y = row) or 3 ([x, y, z], flat index x + X·(y + Y·z)). */
  rank: 2 | 3;
}

const ints = (...names: string[]): Record<string, GpuJsArgType> => Object.fromEntries(names.map((n) => [n, "Integer" as const]));
const arrays = (...names: string[]): Record<string, GpuJsArgType> => Object.fromEntries(names.map((n) => [n, "Array" as const]));

/**
 * C = op(A)·op(B), output [n, m] (thread x = column j, y = row i). op(A)[i, p] is
 * `a[ao + i·sai + p·sap]`, op(B)[p, j] is `b[bo + p·sbp + j·sbj]`: transposes are strides.
 * Rows are at most 65535·8 (WebGPU's dispatch limit on y).
 */
export const GEMM: KernelSource = {
  name: "gemm",
  rank: 2,
  argumentTypes: { ...arrays("a", "b"), ...ints("k", "ao", "sai", "sap", "bo", "sbp", "sbj") },
  source: `function (a, b, k, ao, sai, sap, bo, sbp, sbj) {
  let s = 0.0;
  for (let p = 0; p < k; p++) {
    s += a[ao + this.thread.y * sai + p * sap] * b[bo + this.thread.x * sbj + p * sbp];
  }
  return s;
}`,
};

/**
 * A batch of small products, output [cs, B1, B2]: item t = y + B1·z (m×n, row-major) at t·cs of
 * the flat result, zeros in the gaps and past `batch`. Item t reads A's matrix
 * ta = `ga[t·gaStep + gaAt]` when gaOn is 1 (t when 0; pass gaStep = gaAt = 0 and any
 * one-element `ga`), at `ao + ta·aS`, with op(A)[i, p] at `i·sai + p·sap` from there; likewise B.
 */
export const BATCHED_GEMM: KernelSource = {
  name: "batchedGemm",
  rank: 3,
  argumentTypes: {
    ...arrays("a", "b", "ga", "gb"),
    ...ints("batch", "B1", "m", "n", "k", "ao", "aS", "sai", "sap", "gaOn", "gaStep", "gaAt", "bo", "bS", "sbp", "sbj", "gbOn", "gbStep", "gbAt"),
  },
  source: `function (a, b, ga, gb, batch, B1, m, n, k, ao, aS, sai, sap, gaOn, gaStep, gaAt, bo, bS, sbp, sbj, gbOn, gbStep, gbAt) {
  if (this.thread.y + B1 * this.thread.z >= batch) {
    return 0.0;
  }
  if (this.thread.x >= m * n) {
    return 0.0;
  }
  const i = Math.floor(this.thread.x / n);
  const j = this.thread.x - i * n;
  let s = 0.0;
  for (let p = 0; p < k; p++) {
    s += a[ao + (gaOn * (ga[(this.thread.y + B1 * this.thread.z) * gaStep + gaAt] | 0) + (1 - gaOn) * (this.thread.y + B1 * this.thread.z)) * aS + (i | 0) * sai + p * sap]
      * b[bo + (gbOn * (gb[(this.thread.y + B1 * this.thread.z) * gbStep + gbAt] | 0) + (1 - gbOn) * (this.thread.y + B1 * this.thread.z)) * bS + (j | 0) * sbj + p * sbp];
  }
  return s;
}`,
};

/**
 * Grouped Gram matrices and right-hand sides, output [R + 1, R, slices]: rows of `e` (R numbers
 * each) and values `ys` sorted slice by slice, slice z being rows `starts[z] … starts[z+1] − 1`.
 * Thread (x, y, z) sums e[t, y]·e[t, x] over the slice's rows (x < R: the Gram matrix), or
 * e[t, y]·ys[t] (x = R: the right-hand side). Slices are at most 65535 (the dispatch limit on z).
 */
export const SLICE_GRAM: KernelSource = {
  name: "sliceGram",
  rank: 3,
  argumentTypes: { ...arrays("e", "ys", "starts"), ...ints("R") },
  source: `function (e, ys, starts, R) {
  let s = 0.0;
  if (this.thread.x < R) {
    for (let q = 0; q < (starts[this.thread.z + 1] | 0) - (starts[this.thread.z] | 0); q++) {
      s += e[((starts[this.thread.z] | 0) + q) * R + this.thread.y] * e[((starts[this.thread.z] | 0) + q) * R + this.thread.x];
    }
  } else {
    for (let q = 0; q < (starts[this.thread.z + 1] | 0) - (starts[this.thread.z] | 0); q++) {
      s += e[((starts[this.thread.z] | 0) + q) * R + this.thread.y] * ys[(starts[this.thread.z] | 0) + q];
    }
  }
  return s;
}`,
};

/** Every kernel of the backends. */
export const KERNELS: readonly KernelSource[] = [GEMM, BATCHED_GEMM, SLICE_GRAM];

/**
 * The largest loop trip count the kernels allow (gpu.js bounds every loop by a constant; the
 * kernels break out at their real bound long before).
 */
export const LOOP_MAX = 1 << 30;
