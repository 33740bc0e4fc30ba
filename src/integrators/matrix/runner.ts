/**
 * How independent sub-problems of a matrix step are executed. The integrators hand their
 * independent tasks (parallel BUG: the K-, L- and S̄-steps; BUG: the K- and L-steps) to a
 * runner as closures, in this thread (tests reverse the order to check independence). Worker
 * threads run the tree-network integrators (a matrix is the two-leaf tree): see
 * docs/integrators.md.
 *
 * @module
 */

/**
 * Runs independent tasks and returns their results in task order. A runner may execute them
 * in any order or concurrently; tasks never depend on each other's side effects (they may
 * share read-only memoised data, which a concurrent runner may simply recompute).
 */
export interface SubstepRunner {
  run<T>(tasks: Array<() => T>): T[];
}

/**
 * The default runner: the tasks one after the other, in order, in this thread.
 *
 * @example
 * ```ts
 * const out = sequentialRunner.run([() => 1, () => 2, () => 3]);
 * console.assert(out.join() === "1,2,3");
 * ```
 */
export const sequentialRunner: SubstepRunner = {
  run: <T>(tasks: Array<() => T>): T[] => tasks.map((task) => task()),
};
