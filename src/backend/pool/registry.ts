import { ArgumentError } from "../../errors.js";

/**
 * A task a worker thread can run: a function registered under a name by a module, called with
 * a payload of plain data and tensors (see `portable.ts`) and returning the same kind of value.
 * Workers receive the module's URL and import it, which registers its tasks there too: code
 * never crosses threads, only names and data.
 */
export type TaskFunction = (payload: never) => unknown;

const tasks = new Map<string, TaskFunction>();

/**
 * Registers `fn` under `name` (once per thread; registering the same function again is a no-op).
 *
 * @throws {@link ArgumentError} if another function already has the name.
 * @example
 * ```ts
 * const double = (p: { x: number }) => 2 * p.x;
 * registerTask("example/double", double);
 * const [out] = inThreadRunner.run([{ module: "", name: "example/double", payload: { x: 21 } }]);
 * console.assert(out === 42);
 * ```
 */
export function registerTask(name: string, fn: TaskFunction): void {
  const known = tasks.get(name);
  if (known !== undefined && known !== fn) throw new ArgumentError(`worker task ${JSON.stringify(name)} is already registered`);
  tasks.set(name, fn);
}

/**
 * Runs the task registered under `name`.
 *
 * @throws {@link ArgumentError} if no module registered it in this thread.
 */
export function runTask(name: string, payload: unknown): unknown {
  const fn = tasks.get(name);
  if (fn === undefined) throw new ArgumentError(`no worker task named ${JSON.stringify(name)}; known: ${[...tasks.keys()].join(", ") || "none"}`);
  return fn(payload as never);
}
