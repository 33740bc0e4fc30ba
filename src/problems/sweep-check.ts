/**
 * The payload of a sweep point (the task `problems/run-point`, see `sweep-task.ts`) and the
 * checks the job queue makes: a worker refuses a malformed point before it runs anything, and
 * the submitter refuses a malformed result. Kept apart from the task, whose import loads the
 * integrators, so that the queue's own threads stay quick to start.
 * @module
 */
import type { RunProblemOptions, RunResult } from "./run.js";

/** The task's name in the pool's registry and in the queue's job catalogue. */
export const RUN_POINT_TASK = "problems/run-point";

/** The run settings of a sweep point: those of `arbor run` that do not say where it runs. */
export type SweepPointSettings = Pick<RunProblemOptions, "preset" | "integrator" | "h" | "tf" | "theta" | "thetaMode" | "maxRank" | "minRank" | "rejection">
  & Required<Pick<RunProblemOptions, "seed" | "every" | "reference">>;

/** The payload of one sweep point. */
export interface SweepPointPayload extends SweepPointSettings {
  /** A built-in problem's name; on local threads also the absolute path of a problem file. */
  problem: string;
  /**
   * The parameters set for this point (the swept ones and `--param`'s), typed as the problem
   * converts them: numbers, booleans, and strings (choices; expressions by their text).
   */
  params: Record<string, number | boolean | string>;
}

// Limits far above any run arbor makes, low enough that a job stays a small record.
const MAX_PARAMS = 100;
const MAX_TEXT = 2000;
const THETA_MODES: readonly string[] = ["absolute", "relative", "per-unit-time"];
const SETTINGS = new Set(["problem", "params", "preset", "integrator", "h", "tf", "theta", "thetaMode", "maxRank", "minRank", "rejection", "seed", "every", "reference"]);

const positive = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x) && x > 0;
const wholeAtLeast = (x: unknown, lo: number): boolean => Number.isSafeInteger(x) && (x as number) >= lo;
const shortText = (x: unknown): boolean => typeof x === "string" && x.length > 0 && x.length <= MAX_TEXT;

/**
 * What is wrong with a sweep point's payload as a queue worker receives it, or `undefined`: the
 * problem must be named as a built-in problem is (a path would be code shipped to the worker;
 * the worker looks the name up among the built-in problems its job threads loaded, and nothing
 * else), and every setting of the right type. Parameter names and values are checked by the
 * problem itself when the point runs.
 *
 * @example
 * ```ts
 * const point = { problem: "ising-lr", params: { sites: 4 }, tf: 0.1, seed: 1, every: 1, reference: false };
 * console.assert(queueJobProblem("problems/run-point", point) === undefined);
 * console.assert(/not the name of a built-in problem/.test(queueJobProblem("problems/run-point", { ...point, problem: "/tmp/evil.js" })!));
 * ```
 */
export function sweepPointPayloadProblem(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return "the payload must be an object";
  const p = payload as Partial<SweepPointPayload> & Record<string, unknown>;
  const extra = Object.keys(p).find((k) => !SETTINGS.has(k));
  if (extra !== undefined) return `unknown setting ${JSON.stringify(extra)}`;
  if (typeof p.problem !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(p.problem) || /\.m?[jt]s$/.test(p.problem)) {
    return `problem ${JSON.stringify(p.problem)?.slice(0, 100)} is not the name of a built-in problem (queue workers run built-in problems by name only)`;
  }
  if (p.params === null || typeof p.params !== "object" || Array.isArray(p.params)) return "params must be an object";
  const params = Object.entries(p.params);
  if (params.length > MAX_PARAMS) return `at most ${MAX_PARAMS} parameters, got ${params.length}`;
  for (const [key, v] of params) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `parameter name ${JSON.stringify(key).slice(0, 80)} is not an identifier`;
    const ok = typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v.length <= MAX_TEXT);
    if (!ok) return `parameter ${key} must be a finite number, a boolean or a string of at most ${MAX_TEXT} characters`;
  }
  if (p.preset !== undefined && !shortText(p.preset)) return "preset must be a name";
  if (p.integrator !== undefined && !shortText(p.integrator)) return "integrator must be a name";
  for (const key of ["h", "tf", "theta"] as const) if (p[key] !== undefined && !positive(p[key])) return `${key} must be a finite number > 0, got ${JSON.stringify(p[key])}`;
  if (p.thetaMode !== undefined && !THETA_MODES.includes(p.thetaMode)) return `thetaMode must be one of ${THETA_MODES.join(", ")}`;
  for (const key of ["maxRank", "minRank"] as const) if (p[key] !== undefined && !wholeAtLeast(p[key], 1)) return `${key} must be a whole number ≥ 1, got ${JSON.stringify(p[key])}`;
  if (p.rejection !== undefined) {
    const r = p.rejection as Record<string, unknown> | null;
    if (r === null || typeof r !== "object" || Array.isArray(r)) return "rejection must be an object";
    for (const [k, v] of Object.entries(r)) {
      const ok = k === "enabled" ? typeof v === "boolean" : k === "c" ? positive(v) : k === "max" ? wholeAtLeast(v, 0) : false;
      if (!ok) return `rejection.${k}: invalid setting ${JSON.stringify(v)}`;
    }
  }
  if (!wholeAtLeast(p.seed, 0)) return `seed must be a whole number ≥ 0, got ${JSON.stringify(p.seed)}`;
  if (!wholeAtLeast(p.every, 1)) return `every must be a whole number ≥ 1, got ${JSON.stringify(p.every)}`;
  if (typeof p.reference !== "boolean") return "reference must be true or false";
  return undefined;
}

const numbers = (x: unknown): boolean => Array.isArray(x) && x.every((v) => typeof v === "number");

/**
 * What is wrong with the result of a sweep point, or `undefined`: a complete run record of the
 * payload's problem, parameters, seed and settings (every setting the payload gives — a swept
 * step size, tolerance, integrator, … — as the run resolved it), with numeric records and summary.
 */
export function sweepPointResultProblem(result: unknown, payload: SweepPointPayload): string | undefined {
  if (result === null || typeof result !== "object") return "the result must be a run record (an object)";
  const r = result as Partial<RunResult>;
  if (r.format !== "arbor-run/1") return `the result must be a run record (format arbor-run/1), got ${JSON.stringify(r.format)}`;
  if (r.problem?.name !== payload.problem) return `the result is of problem ${JSON.stringify(r.problem?.name)}, not ${payload.problem}`;
  const parameters = (r.problem.parameters ?? {}) as Record<string, unknown>;
  for (const [key, v] of Object.entries(payload.params)) {
    if (!Object.is(parameters[key], v)) return `the result has ${key} = ${JSON.stringify(parameters[key])}, not ${JSON.stringify(v)}`;
  }
  if (r.seed !== payload.seed) return `the result has seed ${JSON.stringify(r.seed)}, not ${payload.seed}`;
  const settings = r.settings as Partial<RunResult["settings"]> | undefined;
  if (settings === null || typeof settings !== "object") return "the result has no settings";
  const truncation = (settings.truncation ?? {}) as Partial<RunResult["settings"]["truncation"]>;
  const rejection = (settings.rejection ?? {}) as Record<string, unknown>;
  const given: [string, unknown, unknown][] = [
    ["integrator", payload.integrator, settings.integrator], ["h", payload.h, settings.h], ["tf", payload.tf, settings.tf], ["every", payload.every, settings.every],
    ["theta", payload.theta, truncation.theta], ["thetaMode", payload.thetaMode, truncation.thetaMode], ["maxRank", payload.maxRank, truncation.maxRank], ["minRank", payload.minRank, truncation.minRank],
    ...Object.entries(payload.rejection ?? {}).map(([k, v]): [string, unknown, unknown] => [`rejection.${k}`, v, rejection[k]]),
  ];
  for (const [key, want, got] of given) {
    if (want !== undefined && !Object.is(got, want)) return `the result has ${key} = ${JSON.stringify(got)}, not ${JSON.stringify(want)}`;
  }
  if (r.completed !== true) return "the run did not complete";
  const rec = r.records;
  if (rec === undefined || !numbers(rec.t) || !numbers(rec.maxRank) || rec.t.length === 0 || rec.maxRank.length !== rec.t.length) return "records.t and records.maxRank must be arrays of numbers of equal, non-zero length";
  if (rec.observables === null || typeof rec.observables !== "object" || !Object.values(rec.observables).every((s) => numbers(s) && (s as number[]).length === rec.t.length)) return "every recorded observable must have a number per recorded time";
  const s = r.summary;
  if (s === undefined || typeof s.maxRank !== "number" || s.final === null || typeof s.final !== "object" || !Object.values(s.final).every((v) => typeof v === "number")) return "summary must hold maxRank and the final observables as numbers";
  if (r.timings === undefined || typeof r.timings.totalMs !== "number") return "timings.totalMs must be a number";
  return undefined;
}
