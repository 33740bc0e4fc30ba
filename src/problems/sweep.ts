/**
 * Parameter sweeps of a problem (`arbor run <problem> --sweep key=values …`): the axes as the
 * user writes them, their Cartesian product, every point checked before any runs, and the
 * points run as independent tasks — one after another in this thread, on worker threads, or
 * through any {@link TaskRunner} such as the job queue's — with the results in point order,
 * the same whatever runs them.
 *
 * Syntax of an axis (one `--sweep` option):
 * - `key=v1,v2,v3`: the listed values, in that order (commas inside parentheses or brackets do
 *   not split, so expressions such as `V=max(x,0),x^2` work);
 * - `key=start:stop:count`: `count` ≥ 2 evenly spaced numbers from `start` to `stop`, both
 *   included (numpy's linspace); `key=start:stop:count:log`: evenly spaced on a log scale
 *   (start and stop > 0), for tolerances and couplings over decades.
 * Several axes make the Cartesian product, the first axis varying slowest (the last fastest),
 * as nested loops written in the order of the options.
 * @module
 */
import * as errors from "../errors.js";
import { ArgumentError } from "../errors.js";
import { JobThreads, TaskFailure } from "../backend/queue/job-threads.js";
import { compiledModuleUrl } from "../backend/pool/module-url.js";
import type { PortableTask, TaskRunner } from "../backend/pool/pool.js";
import { runTask } from "../backend/pool/registry.js";
import { packageVersion } from "../version.js";
import { convertParameter, type Expression, type ParameterInput } from "./parameters.js";
import type { ProblemDefinition } from "./problem.js";
import { isProblemPath } from "./registry.js";
import { resolveSettings, type RunResult, type RunSettings } from "./run.js";
import { RUN_POINT_TASK, type SweepPointPayload, type SweepPointSettings } from "./sweep-check.js";
import { provideSweepProblem } from "./sweep-task.js";

/** One axis of a sweep: a parameter and the values it takes, as the user wrote it. */
export interface SweepAxis {
  key: string;
  /** The values in order: strings from a list (converted by the parameter's type), numbers from a range. */
  values: ParameterInput[];
  /** The option's text, for messages. */
  text: string;
}

/** A parameter value as a record stores it (expressions by their text). */
export type SweepValue = number | boolean | string;

/** The most points a sweep may have. */
export const MAX_SWEEP_POINTS = 100_000;
const MAX_RANGE_COUNT = 10_000;

// Splits at the commas outside parentheses and brackets.
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "(" || c === "[" || c === "{") depth++;
    else if ((c === ")" || c === "]" || c === "}") && depth > 0) depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

// Floating-point noise of the spacing (0.30000000000000004) rounded away: 15 significant digits.
const tidy = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(15)));

/** `count` numbers from `start` to `stop` (both included), evenly spaced, or geometrically with `log`. */
function rangeValues(start: number, stop: number, count: number, log: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const f = i / (count - 1);
    if (i === 0) out.push(start);
    else if (i === count - 1) out.push(stop);
    else out.push(tidy(log ? Math.exp(Math.log(start) + f * (Math.log(stop) - Math.log(start))) : (start * (count - 1 - i) + stop * i) / (count - 1)));
  }
  return out;
}

/**
 * Parses one `--sweep` option: `key=v1,v2,…`, `key=start:stop:count` or
 * `key=start:stop:count:log` (see the module documentation).
 *
 * @throws {@link ArgumentError} for a missing `=`, an empty value, or a malformed range.
 */
export function parseSweepAxis(text: string): SweepAxis {
  const at = text.indexOf("=");
  const key = at < 0 ? "" : text.slice(0, at).trim();
  if (at < 0 || key === "") throw new ArgumentError(`--sweep expects key=v1,v2,… or key=start:stop:count, got ${JSON.stringify(text)}`);
  const body = text.slice(at + 1).trim();
  if (body === "") throw new ArgumentError(`--sweep ${text}: no values after "="`);
  const items = splitTopLevel(body);
  if (items.length === 1 && body.includes(":")) {
    const bad = (why: string): never => {
      throw new ArgumentError(`--sweep ${text}: ${why}; a range is start:stop:count (e.g. 0:1:5) or start:stop:count:log`);
    };
    const parts = body.split(":").map((p) => p.trim());
    if (parts.length < 3 || parts.length > 4 || (parts.length === 4 && parts[3] !== "log")) bad("malformed range");
    const [start, stop, count] = parts.slice(0, 3).map((p) => (p === "" ? NaN : Number(p))) as [number, number, number];
    if (!Number.isFinite(start) || !Number.isFinite(stop)) bad(`start and stop must be finite numbers, got ${JSON.stringify(parts[0])} and ${JSON.stringify(parts[1])}`);
    if (!Number.isSafeInteger(count) || count < 2 || count > MAX_RANGE_COUNT) bad(`count must be a whole number in 2…${MAX_RANGE_COUNT}, got ${JSON.stringify(parts[2])}`);
    const log = parts.length === 4;
    if (log && !(start > 0 && stop > 0)) bad("a log range needs start > 0 and stop > 0");
    if (start === stop) bad("start and stop are equal");
    return { key, values: rangeValues(start, stop, count, log), text };
  }
  const empty = items.findIndex((v) => v === "");
  if (empty >= 0) throw new ArgumentError(`--sweep ${text}: value ${empty + 1} is empty`);
  return { key, values: items, text };
}

/**
 * The Cartesian product of the axes' values: one record per point, the first axis varying
 * slowest.
 *
 * @throws {@link ArgumentError} beyond {@link MAX_SWEEP_POINTS} points.
 */
export function sweepProduct<V>(axes: readonly { key: string; values: readonly V[] }[]): Record<string, V>[] {
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (count > MAX_SWEEP_POINTS) throw new ArgumentError(`the sweep has ${count} points (${axes.map((a) => a.values.length).join(" × ")}); at most ${MAX_SWEEP_POINTS}`);
  let points: Record<string, V>[] = [{}];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => ({ ...p, [axis.key]: v })));
  return points;
}

/** One point of a planned sweep. */
export interface SweepPoint {
  /** Position in the product, from 0. */
  index: number;
  /** The swept parameters' values at this point. */
  values: Record<string, SweepValue>;
  /** The task's payload: problem, every set parameter, settings. */
  payload: SweepPointPayload;
}

/** A sweep checked and ready to run. */
export interface SweepPlan {
  /** How tasks name the problem: a built-in name, or a problem file's absolute path. */
  problem: string;
  definition: ProblemDefinition;
  axes: { key: string; values: SweepValue[] }[];
  /** The parameters set for every point (`--param`), typed. */
  params: Record<string, SweepValue>;
  /** The settings every point runs with (resolved; workers: 1, each point on one thread). */
  settings: RunSettings;
  points: SweepPoint[];
}

const recorded = (v: number | boolean | string | Expression): SweepValue => (typeof v === "function" ? v.source : v);
const sameValue = (a: SweepValue, b: SweepValue): boolean => Object.is(a, b);

/**
 * Checks a sweep and lists its points: every axis names a parameter of the problem (once, and
 * not also in `params`), every value converts to the parameter's type (and no value repeats),
 * the preset exists and the settings are valid. Nothing runs.
 *
 * @param problem How tasks will name the problem (a built-in name or a file's absolute path).
 * @throws {@link ArgumentError} saying which option is wrong and why.
 */
export function planSweep(problem: string, definition: ProblemDefinition, axes: readonly SweepAxis[], params: Readonly<Record<string, ParameterInput>>, settings: SweepPointSettings): SweepPlan {
  if (axes.length === 0) throw new ArgumentError("a sweep needs at least one --sweep key=values");
  const specs = definition.parameters;
  const known = (): string => Object.keys(specs).join(", ") || "(none)";
  const seen = new Set<string>();
  const typedAxes = axes.map((axis) => {
    if (!Object.hasOwn(specs, axis.key)) throw new ArgumentError(`--sweep ${axis.text}: problem ${definition.name} has no parameter ${JSON.stringify(axis.key)}; its parameters: ${known()}`);
    if (seen.has(axis.key)) throw new ArgumentError(`--sweep ${axis.key} is given twice; list all its values in one --sweep`);
    if (Object.hasOwn(params, axis.key)) throw new ArgumentError(`${axis.key} is both swept (--sweep) and fixed (--param)`);
    seen.add(axis.key);
    const values: SweepValue[] = [];
    for (const v of axis.values) {
      let typed: SweepValue;
      try {
        typed = recorded(convertParameter(specs[axis.key]!, v, axis.key));
      } catch (e) {
        throw new ArgumentError(`--sweep ${axis.text}: ${(e as Error).message}`);
      }
      if (values.some((u) => sameValue(u, typed))) throw new ArgumentError(`--sweep ${axis.text}: the value ${JSON.stringify(typed)} appears twice`);
      values.push(typed);
    }
    return { key: axis.key, values };
  });
  const fixed: Record<string, SweepValue> = {};
  for (const [key, v] of Object.entries(params)) {
    if (!Object.hasOwn(specs, key)) throw new ArgumentError(`problem ${definition.name} has no parameter ${JSON.stringify(key)}; its parameters: ${known()}`);
    try {
      fixed[key] = recorded(convertParameter(specs[key]!, v, key));
    } catch (e) {
      throw new ArgumentError(`problem ${definition.name}, ${(e as Error).message}`);
    }
  }
  if (settings.preset !== undefined && !Object.hasOwn(definition.presets ?? {}, settings.preset)) {
    throw new ArgumentError(`problem ${definition.name} has no preset ${JSON.stringify(settings.preset)}; its presets: ${Object.keys(definition.presets ?? {}).join(", ") || "(none)"}`);
  }
  const resolved = resolveSettings(definition, { ...settings, workers: 1 });
  const points = sweepProduct(typedAxes).map((values, index): SweepPoint => ({
    index, values,
    payload: { problem, ...withoutUndefined(settings), params: { ...fixed, ...values } },
  }));
  return { problem, definition, axes: typedAxes, params: fixed, settings: resolved, points };
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Where the points of a sweep run (by default one after another in the calling thread). */
export interface SweepExecution {
  /** Points at once, each on a worker thread of its own (1 or more). */
  threads?: number;
  /**
   * Run the points as one batch on this runner instead (a `QueueRunner`: `arbor worker`
   * processes; the results come back together).
   */
  runner?: TaskRunner;
  /** Called as each point finishes (in the order they finish), with the number finished so far. */
  onPoint?: (point: SweepPoint, result: RunResult, finished: number) => void;
}

// An error a worker thread reported, as the class the task threw (arbor's classes; Error otherwise).
function rebuild(e: unknown): Error {
  if (!(e instanceof TaskFailure)) return e instanceof Error ? e : new Error(String(e));
  const Class = (errors as Record<string, unknown>)[e.name];
  const out: Error = typeof Class === "function" && Class.prototype instanceof Error ? Object.create(Class.prototype as object) : new Error();
  return Object.assign(out, { name: e.name, message: e.message, stack: e.stack });
}

// The error of a point, saying which point.
function pointError(plan: SweepPlan, point: SweepPoint, e: unknown): Error {
  const error = rebuild(e);
  const label = Object.entries(point.values).map(([k, v]) => `${k}=${v}`).join(" ");
  error.message = `sweep point ${point.index + 1} of ${plan.points.length} (${label}): ${error.message}`;
  return error;
}

/** The module a thread imports to run the plan's points (the problem file in its query). */
function loaderUrl(plan: SweepPlan): string {
  const url = compiledModuleUrl(import.meta.url, "./sweep-loader.js");
  return isProblemPath(plan.problem) ? `${url}?file=${encodeURIComponent(plan.problem)}` : url;
}

/**
 * Runs the points of a plan and returns their results in point order. The results are the
 * same, number for number, whatever runs them (only the timings differ).
 *
 * @throws the first failing point's error, prefixed with the point (`sweep point 3 of 8
 * (omega=0.5): …`); a runner's own errors (the queue's) as they are.
 */
export async function runSweep(plan: SweepPlan, execution: SweepExecution = {}): Promise<RunResult[]> {
  const { points } = plan;
  const results = new Array<RunResult>(points.length);
  let finished = 0;
  const done = (point: SweepPoint, result: RunResult): void => {
    results[point.index] = result;
    execution.onPoint?.(point, result, ++finished);
  };
  // Points that run in this thread find the definition the caller loaded.
  provideSweepProblem(plan.problem, plan.definition);
  if (execution.runner !== undefined) {
    const module = loaderUrl(plan);
    const tasks: PortableTask[] = points.map((p) => ({ module, name: RUN_POINT_TASK, payload: p.payload }));
    const out = execution.runner.run(tasks, { minBatchBytes: 0 }) as RunResult[];
    points.forEach((p, i) => done(p, out[i]!));
    return results;
  }
  const threads = execution.threads;
  if (threads === undefined) {
    for (const p of points) {
      let result: RunResult;
      try {
        result = runTask(RUN_POINT_TASK, p.payload) as RunResult;
      } catch (e) {
        throw pointError(plan, p, e);
      }
      done(p, result);
    }
    return results;
  }
  if (!Number.isSafeInteger(threads) || threads < 1) throw new ArgumentError(`threads must be a whole number ≥ 1, got ${threads}`);
  const pool = new JobThreads(Math.min(threads, points.length), [loaderUrl(plan)]);
  try {
    // Each lane takes the next point until none is left; the first failure ends the sweep (the
    // threads are stopped in `finally`, which abandons the points still running).
    let next = 0;
    await new Promise<void>((resolve, reject) => {
      let lanes = Math.min(threads, points.length), failed = false;
      const lane = async (): Promise<void> => {
        try {
          while (!failed && next < points.length) {
            const p = points[next++]!;
            let result: RunResult;
            try {
              result = (await pool.run(RUN_POINT_TASK, p.payload)) as RunResult;
            } catch (e) {
              throw pointError(plan, p, e);
            }
            done(p, result);
          }
          if (--lanes === 0) resolve();
        } catch (e) {
          failed = true;
          reject(e);
        }
      };
      for (let k = lanes; k > 0; k--) void lane();
    });
  } finally {
    await pool.close();
  }
  return results;
}

/** A point as the summary lists it. */
export interface SweepPointSummary {
  /** From 1, in product order. */
  point: number;
  parameters: Record<string, SweepValue>;
  /** The point's record file, relative to the summary (with `--out DIR`). */
  file?: string;
  /** Time of the last record. */
  t: number;
  maxRank: number;
  final: Record<string, number>;
  maxErrors: Record<string, number>;
  seconds: number;
}

/** The record of a sweep (`--out DIR/sweep.json`; `--json` adds every point's run record). */
export interface SweepRecord {
  format: "arbor-sweep/1";
  arbor: string;
  command?: string[];
  problem: { name: string; description: string; source?: string; preset?: string };
  /** The axes, typed, in product order (first slowest). */
  sweep: { key: string; values: SweepValue[] }[];
  /** Parameters fixed for every point (`--param`). */
  params: Record<string, SweepValue>;
  seed: number;
  settings: Omit<RunSettings, "workers">;
  /** Where the points ran (the only part besides timings that depends on it). */
  runner: Record<string, unknown>;
  points: SweepPointSummary[];
  timings: { totalMs: number };
}

/** The summary row of a point's result. */
export function sweepPointSummary(point: SweepPoint, result: RunResult, file?: string): SweepPointSummary {
  return {
    point: point.index + 1, parameters: point.values, ...(file !== undefined ? { file } : {}),
    t: result.records.t[result.records.t.length - 1] ?? 0, maxRank: result.summary.maxRank,
    final: result.summary.final, maxErrors: result.summary.maxErrors, seconds: result.timings.totalMs / 1000,
  };
}

/** The record of a finished sweep. */
export function sweepRecord(plan: SweepPlan, results: readonly RunResult[], extra: { command?: string[]; runner: Record<string, unknown>; files?: readonly string[]; totalMs: number }): SweepRecord {
  const def = plan.definition;
  const { workers: _workers, ...settings } = plan.settings;
  const preset = plan.points[0]?.payload.preset;
  return {
    format: "arbor-sweep/1", arbor: packageVersion(), ...(extra.command !== undefined ? { command: extra.command } : {}),
    problem: { name: def.name, description: def.description, ...(def.source !== undefined ? { source: def.source } : {}), ...(preset !== undefined ? { preset } : {}) },
    sweep: plan.axes, params: plan.params, seed: plan.points[0]?.payload.seed ?? 1, settings, runner: extra.runner,
    points: plan.points.map((p, i) => sweepPointSummary(p, results[i]!, extra.files?.[i])),
    timings: { totalMs: extra.totalMs },
  };
}

const fmt = (x: number): string => (x === 0 ? "0" : !Number.isFinite(x) ? String(x) : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(6) : x.toExponential(3));

/**
 * The sweep as a table: a heading, then one row per point — the swept parameters, the time
 * reached, the largest rank, every final observable and the seconds the point took.
 */
export function sweepTable(record: SweepRecord): string {
  const s = record.settings;
  const axes = record.sweep.map((a) => a.key);
  const observables = [...new Set(record.points.flatMap((p) => Object.keys(p.final)))];
  const header = ["#", ...axes, "t", "max rank", ...observables, "seconds"];
  const rows = record.points.map((p) => [
    String(p.point), ...axes.map((k) => String(p.parameters[k])), String(Number(p.t.toPrecision(12))), String(p.maxRank),
    ...observables.map((o) => (p.final[o] === undefined ? "-" : fmt(p.final[o]!))), p.seconds.toFixed(2),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padStart(widths[c]!)).join("  ");
  const fixed = Object.entries(record.params).map(([k, v]) => `${k}=${v}`).join(" ");
  return [
    `${record.problem.name}${record.problem.preset !== undefined ? ` (preset ${record.problem.preset})` : ""}: ${record.points.length} points over ${axes.join(" × ")}${fixed !== "" ? `, with ${fixed}` : ""}`,
    `integrator ${s.integrator}, h = ${s.h}, tf = ${s.tf} (${s.steps} steps), ϑ = ${s.truncation.theta} (${s.truncation.thetaMode}), rank ${s.truncation.minRank}…${s.truncation.maxRank ?? "∞"}, seed ${record.seed}`,
    "",
    line(header),
    ...rows.map(line),
  ].join("\n");
}
