/**
 * One point of a parameter sweep as a task of the worker pool, `problems/run-point`: a problem
 * named in the payload, run to its final time with the point's parameters and settings (the
 * sweep's, with the point's values of any swept ones; one thread per point). The payload is
 * plain data — the problem by name, never its code — so the same task runs on a pool thread, in
 * the calling thread, or on an `arbor worker` through the job queue (whose catalogue checks
 * payloads and results, see `sweep-check.ts`).
 *
 * Tasks are synchronous, and loading a problem module is not: a thread that runs points first
 * imports `sweep-loader.js`, whose top-level `await` loads the built-in problems (and, for a
 * local sweep of a problem file, that file) into this module's table. A point names its problem
 * by a key of that table and nothing else: no job makes a thread import anything.
 * @module
 */
import { ArgumentError } from "../errors.js";
import { registerTask } from "../backend/pool/registry.js";
import type { ProblemDefinition } from "./problem.js";
import { builtinProblemNames, loadProblem } from "./registry.js";
import { runProblemSync, type RunResult } from "./run.js";
import { RUN_POINT_TASK, type SweepPointPayload } from "./sweep-check.js";

// Problems this thread can run, by the key payloads name them with (a load error is kept, so
// that the point that needs the problem reports it).
const definitions = new Map<string, ProblemDefinition | Error>();

/** Makes `definition` runnable in this thread under `key` (a built-in name or a file's path). */
export function provideSweepProblem(key: string, definition: ProblemDefinition): void {
  definitions.set(key, definition);
}

/**
 * Loads the built-in problems into this thread's table (each on its own: one that fails to
 * load fails only the points that need it), then `file` (a problem file's absolute path) with
 * `loadFile`, which knows how to import it.
 */
export async function loadSweepProblems(file?: string, loadFile?: (path: string) => Promise<ProblemDefinition>): Promise<void> {
  await Promise.all(builtinProblemNames().filter((n) => !definitions.has(n)).map(async (name) => {
    try {
      definitions.set(name, await loadProblem(name));
    } catch (e) {
      definitions.set(name, e instanceof Error ? e : new Error(String(e)));
    }
  }));
  if (file !== undefined && !definitions.has(file)) {
    try {
      definitions.set(file, await (loadFile ?? loadProblem)(file));
    } catch (e) {
      definitions.set(file, e instanceof Error ? e : new Error(String(e)));
    }
  }
}

/** The settings of a payload as {@link runProblemSync} options. */
function runOptions(p: SweepPointPayload): Parameters<typeof runProblemSync>[1] {
  const { problem: _problem, params, ...settings } = p;
  return { ...settings, params, workers: 1 };
}

/** Runs one point (the registered task). */
function runPoint(p: SweepPointPayload): RunResult {
  const def = definitions.get(p.problem);
  if (def === undefined) {
    throw new ArgumentError(`problem ${JSON.stringify(p.problem)} is not a problem this thread loaded; built-in problems: ${builtinProblemNames().join(", ")}`);
  }
  if (def instanceof Error) throw def;
  return runProblemSync(def, runOptions(p));
}
registerTask(RUN_POINT_TASK, runPoint as never);
