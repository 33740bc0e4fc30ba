/**
 * Runs a problem: resolves its parameters and settings, builds the model, integrates step by
 * step, records observables, ranks and errors against the reference, and writes checkpoints
 * from which a run resumes to the same numbers.
 * @module
 */
import { ArgumentError } from "../errors.js";
import { distance, norm } from "../linalg/norms.js";
import type { Tensor } from "../linalg/tensor.js";
import type { StepReport, ThetaMode, TruncationPolicy } from "../integrators/types.js";
import { resolveTruncationPolicy } from "../integrators/types.js";
import { packageVersion } from "../version.js";
import { readCheckpoint, writeCheckpoint } from "./checkpoint.js";
import { parameterRecord, resolveParameters, type ParameterInput } from "./parameters.js";
import { checkProblemModel, type DerivedCurve, type ProblemDefinition, type ProblemModel, type RejectionSetting } from "./problem.js";
import { makeStepper } from "./stepper.js";

/** Options of {@link runProblem}; every setting left out takes the problem's default. */
export interface RunProblemOptions {
  /** Parameter overrides (strings as from `--param key=value`, or typed values). */
  params?: Record<string, ParameterInput>;
  /** A named parameter set of the problem, applied before `params`. */
  preset?: string;
  integrator?: string;
  h?: number;
  tf?: number;
  theta?: number;
  thetaMode?: ThetaMode;
  maxRank?: number;
  minRank?: number;
  /** Parallel BUG step rejection (merged over the problem's default). */
  rejection?: RejectionSetting;
  /** Threads for the parallel sub-problems (default 1); results do not depend on it. */
  workers?: number;
  /** Seed of every random choice the problem makes (default 1). */
  seed?: number;
  /** Record observables every this many steps (default 1); the last step is always recorded. */
  every?: number;
  /** Compare with the problem's reference when it has one (default true). */
  reference?: boolean;
  /** Write a checkpoint to `dir` every `every` steps (and when stopped). */
  checkpoint?: { dir: string; every: number };
  /** Continue from the checkpoint in this directory (same problem, parameters and settings). */
  resume?: string;
  /** Stops the run between two steps; the result then has `completed: false`. */
  signal?: AbortSignal;
  /** Called after setup and after every step. */
  onProgress?: (progress: RunProgress) => void;
  /** Called when a stage begins: the reference solution (which can take long), then the integration. */
  onStage?: (stage: "reference" | "integrate", detail: string) => void;
  /** The command line, stored in the result. */
  command?: string[];
}

/** What {@link RunProblemOptions.onProgress} is told. */
export interface RunProgress {
  step: number;
  steps: number;
  t: number;
  maxRank: number;
  elapsedMs: number;
  /** Wall time of the last step. */
  stepMs: number;
}

/** The settings a run used (all resolved). */
export interface RunSettings {
  integrator: string;
  h: number;
  tf: number;
  steps: number;
  every: number;
  truncation: { theta: number; thetaMode: ThetaMode; maxRank: number | null; minRank: number };
  /** The rejection rule as set (empty: the integrator's defaults). */
  rejection: RejectionSetting;
  workers: number;
}

/** One step as recorded. */
export interface StepRecord {
  t: number;
  wallMs: number;
  maxRank: number;
  ranks: number[];
  discardedWeight: number;
  rejections: number;
  eta?: number;
  substeps: { solver: string; problems: number; steps: number; evaluations: number };
}

/** The result of a run (the `--out` JSON file). */
export interface RunResult {
  format: "arbor-run/1";
  arbor: string;
  command?: string[];
  problem: { name: string; description: string; source?: string; preset?: string; parameters: Record<string, number | boolean | string> };
  seed: number;
  settings: RunSettings;
  /** False when the run was stopped before tf. */
  completed: boolean;
  stepsDone: number;
  steps: StepRecord[];
  /** Observables and ranks at the recorded times (t = k·h for k = 0, every, 2·every, …, and the last). */
  records: { t: number[]; maxRank: number[]; observables: Record<string, number[]> };
  reference?: { description: string; observables: Record<string, number[]>; errors: Record<string, number[]>; stateError?: number[]; relativeStateError?: number[] };
  /** The problem's derived curves (e.g. a spectrum), computed from the records at the end. */
  derived?: Record<string, DerivedCurve>;
  summary: { maxRank: number; rejections: number; final: Record<string, number>; maxErrors: Record<string, number> };
  timings: { setupMs: number; referenceMs: number; integrateMs: number; totalMs: number };
}

/**
 * The settings a run of `def` with `options` would use, checked (as {@link runProblem} checks
 * them before it starts).
 *
 * Internal: lets a sweep refuse bad settings before it sends any point off.
 *
 * @throws {@link ArgumentError} for an invalid step size, final time, truncation or rejection rule.
 */
export function resolveSettings(def: ProblemDefinition, options: RunProblemOptions): RunSettings {
  const d = { ...def.defaults, ...(options.preset !== undefined ? def.presetDefaults?.[options.preset] ?? {} : {}) };
  const integrator = options.integrator ?? d.integrator;
  const h = options.h ?? d.h;
  const tf = options.tf ?? d.tf;
  const positive = (name: string, x: number): void => {
    if (typeof x !== "number" || !Number.isFinite(x) || x <= 0) throw new ArgumentError(`${name} must be a finite number > 0, got ${x}`);
  };
  positive("h (--dt)", h);
  positive("tf (--tf)", tf);
  const steps = Math.round(tf / h);
  if (Math.abs(steps * h - tf) > 1e-9 * tf) throw new ArgumentError(`tf/h = ${tf}/${h} = ${tf / h} is not a whole number of steps`);
  const every = options.every ?? 1;
  if (!Number.isSafeInteger(every) || every < 1) throw new ArgumentError(`every must be a whole number ≥ 1, got ${every}`);
  const workers = options.workers ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new ArgumentError(`workers must be a whole number ≥ 1, got ${workers}`);
  const policy: TruncationPolicy = {
    theta: options.theta ?? d.theta,
    thetaMode: options.thetaMode ?? d.thetaMode ?? "absolute",
    ...(options.maxRank ?? d.maxRank) !== undefined ? { maxRank: (options.maxRank ?? d.maxRank)! } : {},
    minRank: options.minRank ?? d.minRank ?? 1,
  };
  resolveTruncationPolicy(policy, h); // validates theta, mode and ranks
  const rejection: RejectionSetting = { ...(d.rejection ?? {}), ...(options.rejection ?? {}) };
  for (const [key, v] of Object.entries(rejection)) {
    if (!["enabled", "c", "max"].includes(key)) throw new ArgumentError(`rejection: unknown setting ${JSON.stringify(key)} (expected enabled, c, max)`);
    if (key === "enabled" ? typeof v !== "boolean" : key === "c" ? !(typeof v === "number" && v > 0 && Number.isFinite(v)) : !(Number.isSafeInteger(v) && (v as number) >= 0)) {
      throw new ArgumentError(`rejection.${key}: invalid value ${JSON.stringify(v)}`);
    }
  }
  return {
    integrator, h, tf, steps, every, workers, rejection,
    truncation: { theta: policy.theta, thetaMode: policy.thetaMode!, maxRank: policy.maxRank ?? null, minRank: policy.minRank! },
  };
}

function recordSteps(settings: RunSettings): number[] {
  const ks: number[] = [];
  for (let k = 0; k <= settings.steps; k += settings.every) ks.push(k);
  if (ks[ks.length - 1] !== settings.steps) ks.push(settings.steps);
  return ks;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs a problem to its final time (or until `signal` stops it) and returns what was recorded.
 * Step k starts at t = k·h, so a run resumed from a checkpoint takes exactly the same steps as
 * an uninterrupted one and, the state being stored bit for bit, gives the same numbers.
 *
 * @throws {@link ArgumentError} for unknown or invalid parameters and settings, a model that
 * fails its checks, or a checkpoint written by a different run.
 * @example
 * ```ts
 * const decay = defineProblem({
 *   name: "decay", description: "Ẏ = −Y", parameters: {},
 *   defaults: { integrator: "bug-adaptive", h: 0.1, tf: 0.5, theta: 1e-10 },
 *   setup: () => ({ kind: "matrix", initial: lowRankFromDense(randn([5, 4], 2), { maxRank: 2 }),
 *     rhs: { kind: "linear", terms: [{ coeff: -1 }] },
 *     observables: { norm: (_t, y) => norm(y.S) } }),
 * });
 * const result = await runProblem(decay, {});
 * const n = result.records.observables.norm!;
 * console.assert(result.completed && Math.abs(n[5]! / n[0]! - Math.exp(-0.5)) < 1e-9);
 * ```
 */
export async function runProblem(def: ProblemDefinition, options: RunProblemOptions = {}): Promise<RunResult> {
  const run = runSteps(def, options);
  for (let next = run.next(); ; next = run.next()) {
    if (next.done === true) return next.value;
    await yieldToEventLoop(); // lets a signal handler (Ctrl-C) run between steps
  }
}

/**
 * {@link runProblem} without giving the event loop a turn between steps: for a thread that
 * runs one problem as a task (a sweep point on a worker thread), where nothing else waits.
 * The same steps and numbers as `runProblem`; `signal` is still looked at between steps.
 *
 * Internal: the sweep task's entry (not part of the package's public API).
 */
export function runProblemSync(def: ProblemDefinition, options: RunProblemOptions = {}): RunResult {
  const run = runSteps(def, options);
  for (let next = run.next(); ; next = run.next()) if (next.done === true) return next.value;
}

// The run, yielding after every step (where runProblem lets the event loop run).
function* runSteps(def: ProblemDefinition, options: RunProblemOptions): Generator<void, RunResult, void> {
  const start = performance.now();
  const presetValues = options.preset === undefined ? {} : def.presets?.[options.preset];
  if (presetValues === undefined) {
    throw new ArgumentError(`problem ${def.name} has no preset ${JSON.stringify(options.preset)}; its presets: ${Object.keys(def.presets ?? {}).join(", ") || "(none)"}`);
  }
  const params = resolveParameters(def.parameters, { ...presetValues, ...(options.params ?? {}) }, def.name);
  const settings = resolveSettings(def, options);
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ArgumentError(`seed must be a whole number ≥ 0, got ${seed}`);
  let model: ProblemModel;
  try {
    model = def.setup(params, { seed });
  } catch (e) {
    if (e instanceof ArgumentError) throw e;
    const wrapped = new ArgumentError(`problem ${def.name}: setup failed: ${(e as Error)?.message ?? String(e)}`);
    throw Object.assign(wrapped, { cause: e }); // the plugin's own stack, for --debug
  }
  checkProblemModel(model, def.name);
  const stepper = makeStepper(model, { integrator: settings.integrator, truncation: { theta: settings.truncation.theta, thetaMode: settings.truncation.thetaMode, minRank: settings.truncation.minRank, ...(settings.truncation.maxRank !== null ? { maxRank: settings.truncation.maxRank } : {}) }, workers: settings.workers, rejection: settings.rejection, ...(def.defaults.substep ? { substep: def.defaults.substep } : {}) });
  const setupMs = performance.now() - start;
  const parameters = parameterRecord(params);
  const identity = { problem: def.name, parameters, seed, settings: { ...settings, workers: undefined } };

  // A checkpoint of another run is refused before any long computation starts.
  const checkpoint = options.resume === undefined ? undefined : readCheckpoint<RunResult>(options.resume);
  if (checkpoint !== undefined) {
    const stored = JSON.stringify(checkpoint.progress.identity);
    if (stored !== JSON.stringify(identity)) {
      throw new ArgumentError(`--resume ${options.resume}: the checkpoint is of another run (stored ${stored}; this run ${JSON.stringify(identity)})`);
    }
  }

  // The reference at every recorded time, computed up front so each record gets its error.
  const recordKs = recordSteps(settings);
  const recordTimes = recordKs.map((k) => k * settings.h);
  const refStart = performance.now();
  const ref = options.reference === false ? undefined : model.reference;
  if (ref) options.onStage?.("reference", ref.description);
  const solved = ref?.solve(recordTimes);
  const refStates: Tensor[] | undefined = solved?.states;
  const refObservables = solved?.observables;
  const referenceMs = performance.now() - refStart;
  if (refStates !== undefined && refStates.length !== recordTimes.length) throw new ArgumentError(`problem ${def.name}: reference.solve returned ${refStates.length} states for ${recordTimes.length} times`);
  for (const [name, series] of Object.entries(refObservables ?? {})) {
    if (!Array.isArray(series) || series.length !== recordTimes.length) throw new ArgumentError(`problem ${def.name}: reference observable ${name} has ${Array.isArray(series) ? series.length : "no"} values for ${recordTimes.length} times`);
  }

  let y: unknown = model.initial;
  let result: RunResult = {
    format: "arbor-run/1", arbor: packageVersion(), ...(options.command ? { command: options.command } : {}),
    problem: { name: def.name, description: def.description, ...(def.source ? { source: def.source } : {}), ...(options.preset ? { preset: options.preset } : {}), parameters },
    seed, settings, completed: false, stepsDone: 0, steps: [],
    records: { t: [], maxRank: [], observables: {} },
    ...(ref ? { reference: { description: ref.description, observables: {}, errors: {}, ...(refStates ? { stateError: [], relativeStateError: [] } : {}) } } : {}),
    summary: { maxRank: 0, rejections: 0, final: {}, maxErrors: {} },
    timings: { setupMs, referenceMs, integrateMs: 0, totalMs: 0 },
  };
  let k0 = 0;
  if (checkpoint !== undefined) {
    y = stepper.decode(checkpoint.state);
    k0 = checkpoint.progress.stepsDone;
    result = { ...checkpoint.progress.result, settings, timings: { ...checkpoint.progress.result.timings, setupMs, referenceMs } };
  }

  const record = (k: number): void => {
    const t = k * settings.h;
    const at = recordKs.indexOf(k);
    const values = stepper.observe(t, y);
    result.records.t.push(t);
    result.records.maxRank.push(stepper.maxRank(y));
    for (const [name, v] of Object.entries(values)) (result.records.observables[name] ??= []).push(v);
    const r = result.reference;
    if (r === undefined) return;
    for (const [name, series] of Object.entries(refObservables ?? {})) {
      (r.observables[name] ??= []).push(series[at]!);
      if (name in values) (r.errors[name] ??= []).push(Math.abs(values[name]! - series[at]!));
    }
    if (refStates) {
      const err = distance(stepper.full(y), refStates[at]!);
      r.stateError!.push(err);
      r.relativeStateError!.push(err / norm(refStates[at]!));
    }
  };
  if (k0 === 0) record(0);

  options.onStage?.("integrate", settings.integrator);
  const integrateStart = performance.now();
  const priorIntegrateMs = result.timings.integrateMs;
  options.onProgress?.({ step: k0, steps: settings.steps, t: k0 * settings.h, maxRank: stepper.maxRank(y), elapsedMs: 0, stepMs: 0 });
  let k = k0;
  while (k < settings.steps) {
    if (options.signal?.aborted) break;
    const t = k * settings.h;
    const { y: next, report } = stepper.step(y, t, settings.h);
    y = next;
    k++;
    result.steps.push(stepRecord(report, stepper.maxRank(y)));
    result.stepsDone = k;
    if (recordKs.includes(k)) record(k);
    const elapsedMs = performance.now() - integrateStart;
    result.timings.integrateMs = priorIntegrateMs + elapsedMs;
    options.onProgress?.({ step: k, steps: settings.steps, t: k * settings.h, maxRank: stepper.maxRank(y), elapsedMs, stepMs: report.wallMs });
    if (options.checkpoint && (k % options.checkpoint.every === 0 || k === settings.steps)) {
      writeCheckpoint(options.checkpoint.dir, k, stepper.extension, stepper.encode(y), identity, result);
    }
    yield;
  }
  result.completed = k === settings.steps;
  if (!result.completed && options.checkpoint && result.stepsDone % options.checkpoint.every !== 0) {
    writeCheckpoint(options.checkpoint.dir, k, stepper.extension, stepper.encode(y), identity, result);
  }
  if (def.derived !== undefined && result.records.t.length >= 2) result.derived = derivedCurves(def, result, params);
  result.summary = summarise(result);
  result.timings.totalMs = performance.now() - start;
  return result;
}

function derivedCurves(def: ProblemDefinition, result: RunResult, params: unknown): Record<string, DerivedCurve> {
  let curves: Record<string, DerivedCurve>;
  try {
    curves = def.derived!(result.records, params as never);
  } catch (e) {
    throw Object.assign(new ArgumentError(`problem ${def.name}: derived failed: ${(e as Error)?.message ?? String(e)}`), { cause: e });
  }
  for (const [name, c] of Object.entries(curves ?? {})) {
    const ok = c !== null && typeof c === "object" && Array.isArray(c.x) && Array.isArray(c.y) && c.x.length === c.y.length && c.x.length > 0 &&
      c.x.every(Number.isFinite) && c.y.every(Number.isFinite) && typeof c.xLabel === "string" && typeof c.yLabel === "string";
    if (!ok) throw new ArgumentError(`problem ${def.name}: derived curve ${name} must be { x, y, xLabel, yLabel } with finite x and y of equal, non-zero length`);
  }
  return curves ?? {};
}

function stepRecord(report: StepReport, maxRank: number): StepRecord {
  const s = report.substeps;
  return {
    t: report.t, wallMs: report.wallMs, maxRank, ranks: report.ranks, discardedWeight: report.discardedWeight, rejections: report.rejections,
    ...(report.eta !== undefined ? { eta: report.eta } : {}),
    substeps: { solver: s.solver, problems: s.problems, steps: s.steps, evaluations: s.evaluations },
  };
}

function summarise(result: RunResult): RunResult["summary"] {
  const final: Record<string, number> = {};
  for (const [name, series] of Object.entries(result.records.observables)) final[name] = series[series.length - 1]!;
  const maxErrors: Record<string, number> = {};
  const r = result.reference;
  if (r) {
    for (const [name, e] of Object.entries(r.errors)) maxErrors[name] = Math.max(...e);
    if (r.stateError && r.stateError.length > 0) maxErrors.state = Math.max(...r.stateError);
  }
  return {
    maxRank: Math.max(0, ...result.records.maxRank, ...result.steps.map((s) => s.maxRank)),
    rejections: result.steps.reduce((s, x) => s + x.rejections, 0),
    final, maxErrors,
  };
}
