/**
 * A running count of the floating-point operations the kernels execute (multiply and add
 * counted separately; a complex multiply-add is 8), so benchmarks can report achieved
 * GFLOP/s for whole algorithms. Counting is a few additions per kernel call.
 */
let executed = 0;

/** Adds `n` operations to the running count (called by the kernel dispatchers). */
export function countFlops(n: number): void {
  executed += n;
}

/**
 * Runs `fn` and returns its result with the number of floating-point operations the kernels
 * executed meanwhile (GEMMs, level-2 kernels, rotations; not scalar bookkeeping).
 *
 * @example
 * ```ts
 * const { flops } = measureFlops(() => matmul(randn([20, 30], 1), randn([30, 10], 2)));
 * console.assert(flops === 2 * 20 * 30 * 10);
 * ```
 */
export function measureFlops<T>(fn: () => T): { result: T; flops: number } {
  const start = executed;
  const result = fn();
  return { result, flops: executed - start };
}
