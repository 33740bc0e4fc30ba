/**
 * What a problem plugin is: a module whose default export {@link defineProblem} describes the
 * parameters, the default run settings, and a `setup` that builds the state, the right-hand side,
 * the observables and (optionally) a reference solution. The checks here turn a plugin author's
 * mistakes into one-line errors that name the problem and the field.
 * @module
 */
import { ArgumentError } from "../errors.js";
import type { Tensor } from "../linalg/tensor.js";
import type { LowRankMatrix } from "../integrators/matrix/state.js";
import type { MatrixRhs } from "../integrators/matrix/rhs.js";
import type { SubstepOptions } from "../integrators/solvers/substep.js";
import type { ThetaMode } from "../integrators/types.js";
import type { TtnRhs } from "../integrators/ttn/rhs.js";
import { Ttno } from "../tn/operators/ttno.js";
import { Ttn } from "../tn/ttn.js";
import { checkParameterSpecs, type ParameterInput, type ParameterSpec, type ParameterValues } from "./parameters.js";

/** An observable of a tree-network state: a tree operator (⟨Y|O|Y⟩, real part) or a function. */
export type TtnObservable = Ttno | ((t: number, y: Ttn) => number);

/** An observable of a low-rank matrix state. */
export type MatrixObservable = (t: number, y: LowRankMatrix) => number;

/**
 * A reference solution: `solve(times)` gives full states (the `toFull()` shape of the network,
 * or the m×n matrix) and/or observable values at those times. Errors against it are recorded
 * with the run.
 */
export interface ProblemReference {
  /** What it is, e.g. "exact: Lanczos exponential of the full 2^8 vector". */
  description: string;
  solve(times: readonly number[]): { states?: Tensor[]; observables?: Record<string, number[]> };
}

/** A problem on a tree network (Tucker tensors: a star tree). */
export interface TtnModel {
  kind: "ttn";
  initial: Ttn;
  rhs: TtnRhs;
  observables?: Record<string, TtnObservable>;
  reference?: ProblemReference;
}

/** A problem on a low-rank matrix U·S·Vᴴ. */
export interface MatrixModel {
  kind: "matrix";
  initial: LowRankMatrix;
  rhs: MatrixRhs;
  observables?: Record<string, MatrixObservable>;
  reference?: ProblemReference;
}

/** What a problem's `setup` returns. */
export type ProblemModel = TtnModel | MatrixModel;

/** Run settings a problem suggests; the command line or the library call may override each. */
export interface RunDefaults {
  /** Integrator name (tree: parallel-bug, bug, fixed-bug; matrix: also ksl, bug-adaptive, …). */
  integrator: string;
  /** Step size. */
  h: number;
  /** Final time. */
  tf: number;
  /** Truncation tolerance ϑ (see `thetaMode`). */
  theta: number;
  thetaMode?: ThetaMode;
  maxRank?: number;
  minRank?: number;
  substep?: SubstepOptions;
  /**
   * Parallel BUG step rejection: reject when h·η > c·ϑ (default c: 10 on trees, 1 on matrices,
   * as in the papers' codes), at most `max` times a step (default 3); `enabled: false` turns it off.
   */
  rejection?: RejectionSetting;
}

/** The parallel BUG's step-rejection rule as a run setting. */
export interface RejectionSetting {
  enabled?: boolean;
  c?: number;
  max?: number;
}

/** A curve a problem computes from a run's records (a spectrum from an autocorrelation, …). */
export interface DerivedCurve {
  x: number[];
  y: number[];
  xLabel: string;
  yLabel: string;
  /** What it is, for the result file and the plot's title. */
  description?: string;
}

/** The recorded time series a {@link ProblemDefinition.derived} function receives. */
export interface RunRecords {
  t: readonly number[];
  observables: Readonly<Record<string, readonly number[]>>;
}

/** Everything `setup` may use besides the parameters. */
export interface SetupContext {
  /** The run's seed: every random choice of the problem must come from it. */
  seed: number;
}

/** The default export of a problem module. */
export interface ProblemDefinition<P extends Record<string, ParameterSpec> = Record<string, ParameterSpec>> {
  /** Short name used on the command line, e.g. "ising-lr". */
  name: string;
  /** One line. */
  description: string;
  /** Where the problem comes from (paper, section), shown by `arbor info`. */
  source?: string;
  parameters: P;
  /** Named parameter sets, e.g. { paper: { sites: 16 } } (`--preset paper`). */
  presets?: Record<string, Record<string, ParameterInput>>;
  /** Run settings that a preset changes besides its parameters, e.g. { paper: { tf: 60 } }. */
  presetDefaults?: Record<string, Partial<RunDefaults>>;
  defaults: RunDefaults;
  setup(params: ParameterValues<P>, context: SetupContext): ProblemModel;
  /** Curves computed from the records when the run ends (stored in the result, plotted by --plot). */
  derived?(records: RunRecords, params: ParameterValues<P>): Record<string, DerivedCurve>;
}

/**
 * Declares a problem (an identity function that gives the parameter values their types).
 *
 * @example
 * ```ts
 * const decay = defineProblem({
 *   name: "decay", description: "Ẏ = −λ·Y on a rank-2 matrix",
 *   parameters: { lambda: { type: "number", default: 1, min: 0, description: "rate" } },
 *   defaults: { integrator: "bug", h: 0.1, tf: 1, theta: 1e-10 },
 *   setup: (p) => ({ kind: "matrix", initial: lowRankFromDense(randn([6, 5], 1), { maxRank: 2 }),
 *     rhs: { kind: "linear", terms: [{ coeff: -p.lambda }] } }),
 * });
 * checkProblemDefinition(decay, "decay.ts");
 * console.assert(decay.parameters.lambda.default === 1);
 * ```
 */
export function defineProblem<P extends Record<string, ParameterSpec>>(definition: ProblemDefinition<P>): ProblemDefinition<P> {
  return definition;
}

/**
 * Checks the shape of a problem definition (what a module exports), before anything runs.
 *
 * @throws {@link ArgumentError} naming the module and the field.
 * @example
 * ```ts
 * let message = "";
 * try { checkProblemDefinition({ name: "x", description: "d", parameters: {}, defaults: { integrator: "bug", h: 0, tf: 1, theta: 1e-8 }, setup: () => null }, "x.ts"); }
 * catch (e) { message = (e as Error).message; }
 * console.assert(message === "problem x.ts: defaults.h must be a finite number > 0, got 0");
 * ```
 */
export function checkProblemDefinition(def: unknown, origin: string): asserts def is ProblemDefinition {
  const fail = (what: string): never => {
    throw new ArgumentError(`problem ${origin}: ${what}`);
  };
  if (def === null || typeof def !== "object") fail("the default export must be a problem definition (defineProblem({ name, description, parameters, defaults, setup }))");
  const d = def as Record<string, unknown>;
  if (typeof d.name !== "string" || !/^[a-z0-9][a-z0-9._-]*$/i.test(d.name)) fail("name must be a non-empty string of letters, digits, '.', '_' or '-'");
  if (typeof d.description !== "string" || d.description.trim() === "") fail("description must be a non-empty string");
  if (typeof d.setup !== "function") fail("setup must be a function (params, context) => model");
  if (d.derived !== undefined && typeof d.derived !== "function") fail("derived must be a function (records, params) => curves");
  checkParameterSpecs((d.parameters ?? {}) as Record<string, ParameterSpec>, d.name as string);
  const defaults = d.defaults as Record<string, unknown> | undefined;
  if (defaults === null || typeof defaults !== "object") fail("defaults must be { integrator, h, tf, theta, … }");
  if (typeof defaults!.integrator !== "string") fail("defaults.integrator must be an integrator name");
  for (const key of ["h", "tf", "theta"]) {
    const v = defaults![key];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) fail(`defaults.${key} must be a finite number > 0, got ${JSON.stringify(v)}`);
  }
  if (d.presets !== undefined && (d.presets === null || typeof d.presets !== "object")) fail("presets must be an object of named parameter sets");
  for (const name of Object.keys((d.presetDefaults ?? {}) as object)) {
    if (!Object.prototype.hasOwnProperty.call(d.presets ?? {}, name)) fail(`presetDefaults.${name} is not a preset (add it to presets)`);
  }
}

/**
 * Checks what `setup` returned: the kind, the state's type and finiteness, the right-hand side
 * and the observables (a tree operator must live on the state's tree).
 *
 * @throws {@link ArgumentError} naming the problem and what is wrong.
 * @example
 * ```ts
 * checkProblemModel({ kind: "ttn", initial: Ttn.product(Tree.tucker(2), [tensor([1, 0]), tensor([0, 1])]), rhs: { kind: "callback", f: (_t: number, y: Ttn) => y } }, "demo");
 * let message = "";
 * try { checkProblemModel({ kind: "tensor" }, "demo"); } catch (e) { message = (e as Error).message; }
 * console.assert(message.includes('kind "tensor"; expected "ttn" or "matrix"'));
 * ```
 */
export function checkProblemModel(model: unknown, problem: string): asserts model is ProblemModel {
  const fail = (what: string): never => {
    throw new ArgumentError(`problem ${problem}: setup returned ${what}`);
  };
  if (model === null || typeof model !== "object") fail("no model (expected { kind: \"ttn\" | \"matrix\", initial, rhs, … })");
  const m = model as Record<string, unknown>;
  if (m.kind === "ttn") {
    if (!(m.initial instanceof Ttn)) fail("kind \"ttn\" with an initial state that is not a Ttn");
    const y = m.initial as Ttn;
    if (y.tensors.some((t) => t.data.some((x) => !Number.isFinite(x)))) fail("an initial state with non-finite entries");
  } else if (m.kind === "matrix") {
    const y = m.initial as Record<string, unknown> | undefined;
    if (y === undefined || y === null || !["U", "S", "V"].every((k) => typeof (y[k] as Tensor | undefined)?.shape === "object")) {
      fail("kind \"matrix\" with an initial state that is not a low-rank matrix { U, S, V }");
    }
  } else {
    fail(`kind ${JSON.stringify(m.kind)}; expected "ttn" or "matrix"`);
  }
  const rhs = m.rhs as { kind?: unknown } | undefined;
  if (rhs === null || typeof rhs !== "object" || typeof rhs.kind !== "string") fail("no right-hand side (rhs: { kind, … })");
  const observables = (m.observables ?? {}) as Record<string, unknown>;
  if (typeof observables !== "object") fail("observables that are not an object");
  for (const [name, o] of Object.entries(observables)) {
    if (typeof o === "function") continue;
    if (m.kind === "ttn" && o instanceof Ttno) {
      if (!o.tree.equals((m.initial as Ttn).tree)) fail(`observable ${name} on another tree than the state`);
      continue;
    }
    fail(`observable ${name} that is neither a function${m.kind === "ttn" ? " nor a Ttno" : ""}`);
  }
  const ref = m.reference as Record<string, unknown> | undefined;
  if (ref !== undefined) {
    if (ref === null || typeof ref !== "object" || typeof ref.description !== "string") fail("a reference without a description");
    if (typeof ref!.solve !== "function") fail("a reference without solve(times)");
  }
}
