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
 *
 * An axis varies a problem parameter or one of the run settings in {@link SWEEP_SETTINGS}, named
 * as its `arbor run` option (`dt`, `tol`, `max-rank`, …). A name that is both (a problem with a
 * parameter `tf` or `seed`) is refused as ambiguous: `param.tf` names the parameter and `run.tf`
 * the setting (either prefix is also accepted where the name is not ambiguous).
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
import { integratorNames } from "./stepper.js";
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

// Floating-point noise of the spacing (0.30000000000000004) rounded away: 15 significant digits
// (log ranges step in powers of 10, so that decades come out exact: 1e-6:1e-10:5:log gives 1e-8).
const tidy = (x: number): number => (x === 0 ? 0 : Number(x.toPrecision(15)));

/** `count` numbers from `start` to `stop` (both included), evenly spaced, or geometrically with `log`. */
function rangeValues(start: number, stop: number, count: number, log: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const f = i / (count - 1);
    if (i === 0) out.push(start);
    else if (i === count - 1) out.push(stop);
    else out.push(tidy(log ? 10 ** (Math.log10(start) + f * (Math.log10(stop) - Math.log10(start))) : (start * (count - 1 - i) + stop * i) / (count - 1)));
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

/**
 * The run settings a sweep may vary, by their `arbor run` option names: the field of the run's
 * options each one sets (`rejection.enabled` and `rejection.c` are fields of `rejection`) and
 * what its values are — names, numbers (ranks and seeds must be whole, as for the options) or
 * booleans. `every`, `--no-reference`, the preset and `--workers` are the same for every point.
 */
export const SWEEP_SETTINGS = {
  integrator: { field: "integrator", type: "name" },
  dt: { field: "h", type: "number" },
  tf: { field: "tf", type: "number" },
  tol: { field: "theta", type: "number" },
  "theta-mode": { field: "thetaMode", type: "name" },
  "max-rank": { field: "maxRank", type: "number" },
  "min-rank": { field: "minRank", type: "number" },
  seed: { field: "seed", type: "number" },
  rejection: { field: "rejection.enabled", type: "boolean" },
  "rejection-c": { field: "rejection.c", type: "number" },
} as const satisfies Record<string, { field: string; type: "name" | "number" | "boolean" }>;

/** A run setting a sweep may vary, by its option name. */
export type SweepSettingName = keyof typeof SWEEP_SETTINGS;

/**
 * The settings {@link planSweep} is given, those set for every point (the options given on the
 * command line): a point's, except that the seed, `every` and `reference` may be left out (1,
 * 1, true). A setting given here cannot also be swept.
 */
export type SweepSettings = Omit<SweepPointSettings, "seed" | "every" | "reference"> & Partial<Pick<SweepPointSettings, "seed" | "every" | "reference">>;

/** One point of a planned sweep. */
export interface SweepPoint {
  /** Position in the product, from 0. */
  index: number;
  /** The swept values at this point (parameters and settings), by axis key. */
  values: Record<string, SweepValue>;
  /** The task's payload: problem, every set parameter, settings (the swept ones included). */
  payload: SweepPointPayload;
}

/**
 * An axis of a planned sweep: its key (a parameter's name, a setting's option name, or, for a
 * name that is both, `param.NAME` or `run.NAME`), its typed values, and for a run setting its
 * option name.
 */
export interface SweepPlanAxis {
  key: string;
  values: SweepValue[];
  /** Set when the axis varies a run setting (`dt`, `tol`, …) rather than a problem parameter. */
  setting?: SweepSettingName;
}

/** A sweep checked and ready to run. */
export interface SweepPlan {
  /** How tasks name the problem: a built-in name, or a problem file's absolute path. */
  problem: string;
  definition: ProblemDefinition;
  axes: SweepPlanAxis[];
  /** The parameters set for every point (`--param`), typed. */
  params: Record<string, SweepValue>;
  /**
   * The settings of the first point (resolved; workers: 1, each point on one thread); every
   * point has these but for the swept settings.
   */
  settings: RunSettings;
  points: SweepPoint[];
}

const recorded = (v: number | boolean | string | Expression): SweepValue => (typeof v === "function" ? v.source : v);
const sameValue = (a: SweepValue, b: SweepValue): boolean => Object.is(a, b);
const isSweepSetting = (name: string): name is SweepSettingName => Object.hasOwn(SWEEP_SETTINGS, name);
const settingNames = (): string => Object.keys(SWEEP_SETTINGS).join(", ");

/** What an axis varies: a problem parameter or a run setting, by name, and its key in records. */
type AxisTarget = { kind: "param"; name: string; key: string } | { kind: "setting"; name: SweepSettingName; key: string };

// The parameter or setting an axis names (see the module documentation for the rule).
function axisTarget(axis: SweepAxis, definition: ProblemDefinition): AxisTarget {
  const isParam = (n: string): boolean => Object.hasOwn(definition.parameters, n);
  const noParam = (n: string): string => `problem ${definition.name} has no parameter ${JSON.stringify(n)}; its parameters: ${Object.keys(definition.parameters).join(", ") || "(none)"}`;
  const prefixed = /^(param|run)\.(.*)$/s.exec(axis.key);
  if (prefixed !== null) {
    const name = prefixed[2]!;
    if (prefixed[1] === "param") {
      if (!isParam(name)) throw new ArgumentError(`--sweep ${axis.text}: ${noParam(name)}`);
      return { kind: "param", name, key: isSweepSetting(name) ? axis.key : name };
    }
    if (!isSweepSetting(name)) throw new ArgumentError(`--sweep ${axis.text}: ${JSON.stringify(name)} is not a run setting a sweep can vary; those are ${settingNames()}`);
    return { kind: "setting", name, key: isParam(name) ? axis.key : name };
  }
  const name = axis.key;
  if (isParam(name) && isSweepSetting(name)) {
    throw new ArgumentError(`--sweep ${axis.text}: ${name} is both a parameter of problem ${definition.name} and a run setting (--${name}); write param.${name}=… for the parameter or run.${name}=… for the setting`);
  }
  if (isParam(name)) return { kind: "param", name, key: name };
  if (isSweepSetting(name)) return { kind: "setting", name, key: name };
  throw new ArgumentError(`--sweep ${axis.text}: ${noParam(name)}; run settings a sweep can vary: ${settingNames()}`);
}

/** The integrators of every kind of problem (which of them a problem takes shows when it runs). */
const allIntegrators = (): string[] => [...new Set([...integratorNames("ttn"), ...integratorNames("matrix")])];

// A swept setting's value as written, typed (ranges and signs are checked with the whole point's settings).
function settingValue(name: SweepSettingName, v: ParameterInput): SweepValue {
  const bad = (what: string): never => {
    throw new ArgumentError(`${what}, got ${JSON.stringify(v)}`);
  };
  switch (SWEEP_SETTINGS[name].type) {
    case "number": {
      const x = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      return Number.isFinite(x) ? x : bad("expected a finite number");
    }
    case "boolean": {
      const s = String(v).toLowerCase();
      return typeof v === "boolean" ? v : ["true", "1", "yes"].includes(s) ? true : ["false", "0", "no"].includes(s) ? false : bad("expected true or false");
    }
    case "name": {
      if (typeof v !== "string") return bad("expected a name, not a number range");
      if (name === "integrator" && !allIntegrators().includes(v)) bad(`unknown integrator; arbor's integrators: ${allIntegrators().join(", ")}`);
      return v;
    }
  }
}

// The value `settings` gives a sweepable setting (undefined when not given).
function fixedSetting(settings: SweepSettings, name: SweepSettingName): unknown {
  const field = SWEEP_SETTINGS[name].field;
  if (field === "rejection.enabled") return settings.rejection?.enabled;
  if (field === "rejection.c") return settings.rejection?.c;
  return settings[field];
}

// `settings` with a swept setting's value.
function withSetting(settings: SweepSettings, name: SweepSettingName, value: SweepValue): SweepSettings {
  const field = SWEEP_SETTINGS[name].field;
  if (field === "rejection.enabled" || field === "rejection.c") return { ...settings, rejection: { ...(settings.rejection ?? {}), [field.slice("rejection.".length)]: value } };
  return { ...settings, [field]: value };
}

// A point's settings resolved as a run resolves them (and its seed checked as a run checks it).
function checkedSettings(definition: ProblemDefinition, settings: SweepSettings): RunSettings {
  const resolved = resolveSettings(definition, { ...settings, workers: 1 });
  const seed = settings.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ArgumentError(`seed must be a whole number ≥ 0, got ${seed}`);
  return resolved;
}

/**
 * Checks a sweep and lists its points: every axis names a parameter of the problem or a run
 * setting of {@link SWEEP_SETTINGS} (once, not ambiguously, and not also fixed in `params` or
 * `settings`), every value converts to the parameter's or setting's type (and no value repeats),
 * the preset exists and every point's settings are valid (as {@link resolveSettings} checks a
 * run's). Nothing runs.
 *
 * @param problem How tasks will name the problem (a built-in name or a file's absolute path).
 * @param settings The settings of every point; the swept ones are left out.
 * @throws {@link ArgumentError} saying which option (or point) is wrong and why.
 */
export function planSweep(problem: string, definition: ProblemDefinition, axes: readonly SweepAxis[], params: Readonly<Record<string, ParameterInput>>, settings: SweepSettings): SweepPlan {
  if (axes.length === 0) throw new ArgumentError("a sweep needs at least one --sweep key=values");
  const specs = definition.parameters;
  const known = (): string => Object.keys(specs).join(", ") || "(none)";
  const seen = new Set<string>();
  const targets = new Map<string, AxisTarget>();
  const typedAxes = axes.map((axis): SweepPlanAxis => {
    const target = axisTarget(axis, definition);
    if (seen.has(`${target.kind}:${target.name}`)) throw new ArgumentError(`--sweep ${target.key} is given twice; list all its values in one --sweep`);
    seen.add(`${target.kind}:${target.name}`);
    targets.set(target.key, target);
    if (target.kind === "param" && Object.hasOwn(params, target.name)) throw new ArgumentError(`${target.key} is both swept (--sweep) and fixed (--param)`);
    if (target.kind === "setting" && fixedSetting(settings, target.name) !== undefined) {
      const option = target.name === "rejection" ? (settings.rejection?.enabled === false ? "--no-rejection" : "--rejection") : `--${target.name}`;
      throw new ArgumentError(`${target.key} is both swept (--sweep) and fixed (${option})`);
    }
    const values: SweepValue[] = [];
    for (const v of axis.values) {
      let typed: SweepValue;
      try {
        typed = target.kind === "param" ? recorded(convertParameter(specs[target.name]!, v, target.name)) : settingValue(target.name, v);
      } catch (e) {
        throw new ArgumentError(`--sweep ${axis.text}: ${(e as Error).message}`);
      }
      if (values.some((u) => sameValue(u, typed))) throw new ArgumentError(`--sweep ${axis.text}: the value ${JSON.stringify(typed)} appears twice`);
      values.push(typed);
    }
    return { key: target.key, values, ...(target.kind === "setting" ? { setting: target.name } : {}) };
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
  const swept = typedAxes.filter((a) => a.setting !== undefined);
  // Without swept settings every point has the same ones, checked once; with them, every
  // combination of their values is checked (a step size may divide one final time and not another).
  const resolvedFor = new Map<string, RunSettings>();
  const product = sweepProduct(typedAxes);
  const points = product.map((values, index): SweepPoint => {
    let pointSettings = settings;
    const pointParams: Record<string, SweepValue> = { ...fixed };
    for (const axis of typedAxes) {
      const target = targets.get(axis.key)!;
      if (target.kind === "setting") pointSettings = withSetting(pointSettings, target.name, values[axis.key]!);
      else pointParams[target.name] = values[axis.key]!;
    }
    const combination = JSON.stringify(swept.map((a) => values[a.key]));
    if (!resolvedFor.has(combination)) {
      try {
        resolvedFor.set(combination, checkedSettings(definition, pointSettings));
      } catch (e) {
        if (swept.length === 0) throw e;
        const label = swept.map((a) => `${a.key}=${values[a.key]}`).join(" ");
        throw new ArgumentError(`sweep point ${index + 1} of ${product.length} (${label}): ${(e as Error).message}`);
      }
    }
    const { seed = 1, every = 1, reference = true, ...rest } = withoutUndefined(pointSettings);
    return { index, values, payload: { problem, ...rest, seed, every, reference, params: pointParams } };
  });
  return { problem, definition, axes: typedAxes, params: fixed, settings: resolvedFor.values().next().value!, points };
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
  /** The swept values (parameters and settings), by axis key. */
  values: Record<string, SweepValue>;
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
export interface ParameterSweepRecord {
  format: "arbor-sweep/1";
  arbor: string;
  command?: string[];
  problem: { name: string; description: string; source?: string; preset?: string };
  /** The axes, typed, in product order (first slowest); a run setting's axis names its option in `setting`. */
  sweep: SweepPlanAxis[];
  /** Parameters fixed for every point (`--param`). */
  params: Record<string, SweepValue>;
  /** The seed of the first point (of every point unless the seed is swept). */
  seed: number;
  /** The settings of the first point: every point's, but for the swept ones. */
  settings: Omit<RunSettings, "workers">;
  /** Where the points ran (the only part besides timings that depends on it). */
  runner: Record<string, unknown>;
  points: SweepPointSummary[];
  timings: { totalMs: number };
}

/** The summary row of a point's result. */
export function sweepPointSummary(point: SweepPoint, result: RunResult, file?: string): SweepPointSummary {
  return {
    point: point.index + 1, values: point.values, ...(file !== undefined ? { file } : {}),
    t: result.records.t[result.records.t.length - 1] ?? 0, maxRank: result.summary.maxRank,
    final: result.summary.final, maxErrors: result.summary.maxErrors, seconds: result.timings.totalMs / 1000,
  };
}

/** The record of a finished sweep. */
export function sweepRecord(plan: SweepPlan, results: readonly RunResult[], extra: { command?: string[]; runner: Record<string, unknown>; files?: readonly string[]; totalMs: number }): ParameterSweepRecord {
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
 * The sweep as a table: a heading (the settings, "(swept)" for the swept ones), then one row per
 * point — the swept parameters and settings, the time reached, the largest rank, every final
 * observable, the largest error of the state against the problem's reference (where it has one)
 * and the seconds the point took.
 */
export function sweepTable(record: ParameterSweepRecord): string {
  const s = record.settings;
  const axes = record.sweep.map((a) => a.key);
  const observables = [...new Set(record.points.flatMap((p) => Object.keys(p.final)))];
  // The largest distance to the reference state over the run, where the problem has one: what a
  // convergence study in dt or tol looks at.
  const stateError = record.points.some((p) => p.maxErrors.state !== undefined);
  const header = ["#", ...axes, "t", "max rank", ...observables, ...(stateError ? ["state error"] : []), "seconds"];
  const rows = record.points.map((p) => [
    String(p.point), ...axes.map((k) => String(p.values[k])), String(Number(p.t.toPrecision(12))), String(p.maxRank),
    ...observables.map((o) => (p.final[o] === undefined ? "-" : fmt(p.final[o]!))),
    ...(stateError ? [p.maxErrors.state === undefined ? "-" : fmt(p.maxErrors.state)] : []), p.seconds.toFixed(2),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string => cells.map((x, c) => x.padStart(widths[c]!)).join("  ");
  const fixed = Object.entries(record.params).map(([k, v]) => `${k}=${v}`).join(" ");
  const swept = new Set(record.sweep.flatMap((a) => (a.setting !== undefined ? [a.setting] : [])));
  const setting = (name: SweepSettingName, value: unknown): string => (swept.has(name) ? "(swept)" : String(value));
  const steps = swept.has("dt") || swept.has("tf") ? "" : ` (${s.steps} steps)`;
  return [
    `${record.problem.name}${record.problem.preset !== undefined ? ` (preset ${record.problem.preset})` : ""}: ${record.points.length} points over ${axes.join(" × ")}${fixed !== "" ? `, with ${fixed}` : ""}`,
    `integrator ${setting("integrator", s.integrator)}, h = ${setting("dt", s.h)}, tf = ${setting("tf", s.tf)}${steps}, ϑ = ${setting("tol", s.truncation.theta)} (${setting("theta-mode", s.truncation.thetaMode)}), rank ${setting("min-rank", s.truncation.minRank)}…${setting("max-rank", s.truncation.maxRank ?? "∞")}, seed ${setting("seed", record.seed)}`,
    "",
    line(header),
    ...rows.map(line),
  ].join("\n");
}
