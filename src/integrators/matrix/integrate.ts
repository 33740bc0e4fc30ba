/**
 * The matrix integrators behind one interface, the accept/reject loop of a step, and the
 * driver that runs a whole time interval.
 *
 * @module
 */
import { ArgumentError } from "../../errors.js";
import { norm } from "../../linalg/norms.js";
import type { SubstepOptions } from "../solvers/substep.js";
import { checkStep, mergeStats, type StepReport, type TruncationPolicy } from "../types.js";
import { compileRhs, type CompiledRhs, type MatrixRhs } from "./rhs.js";
import { sequentialRunner, type SubstepRunner } from "./runner.js";
import { assertOrthonormalState, checkState, stateRank, type LowRankMatrix } from "./state.js";
import { adaptiveBugStep, bugStep, kslStep, kslStrangStep, midpointBugStep, parallelBugStep, type MatrixStep, type StepContext } from "./steps.js";
import { truncateLowRank } from "./truncate.js";

/**
 * The matrix integrators:
 * - `"ksl"`: projector splitting, Lie–Trotter (Lubich–Oseledets 2014); order 1, fixed rank.
 * - `"ksl-strang"`: projector splitting, Strang; order 2, fixed rank.
 * - `"bug"`: fixed-rank BUG (Ceruti–Lubich 2022); order 1.
 * - `"bug-adaptive"`: rank-adaptive BUG (Ceruti–Kusch–Lubich 2022); order 1.
 * - `"parallel-bug"`: parallel BUG with step rejection (Ceruti–Kusch–Lubich 2024); order 1.
 * - `"midpoint-bug"`: midpoint BUG (Ceruti–Einkemmer–Kusch–Lubich 2024); order 2, rank-adaptive.
 */
export type MatrixIntegratorName = "ksl" | "ksl-strang" | "bug" | "bug-adaptive" | "parallel-bug" | "midpoint-bug";

const INTEGRATORS: Record<MatrixIntegratorName, { order: 1 | 2; rankAdaptive: boolean; step: (c: StepContext, Y: LowRankMatrix, t: number, h: number) => MatrixStep }> = {
  "ksl": { order: 1, rankAdaptive: false, step: kslStep },
  "ksl-strang": { order: 2, rankAdaptive: false, step: kslStrangStep },
  "bug": { order: 1, rankAdaptive: false, step: bugStep },
  "bug-adaptive": { order: 1, rankAdaptive: true, step: adaptiveBugStep },
  "parallel-bug": { order: 1, rankAdaptive: true, step: parallelBugStep },
  "midpoint-bug": { order: 2, rankAdaptive: true, step: midpointBugStep },
};

/** A matrix integrator bound to a right-hand side. */
export interface MatrixIntegrator {
  readonly name: MatrixIntegratorName;
  /** Order of accuracy in h (up to the low-rank and truncation error terms). */
  readonly order: 1 | 2;
  /** Whether the step returns an augmented state that must be truncated. */
  readonly rankAdaptive: boolean;
  /** One step from t to t + h: the state before truncation (augmented for rank-adaptive ones). */
  step(state: LowRankMatrix, t: number, h: number): MatrixStep;
}

/** Options of {@link matrixIntegrator}. */
export interface MatrixIntegratorOptions {
  /** How the K-, L- and S-step ODEs are solved (data problems are always exact). */
  substep?: SubstepOptions;
  /** Executes independent sub-problems (default {@link sequentialRunner}). */
  runner?: SubstepRunner;
  /** Parallel BUG: compute η for the rejection rule (default true; one extra F for callbacks). */
  eta?: boolean;
}

/**
 * A matrix DLRA integrator for `rhs` (see {@link MatrixIntegratorName} for the methods).
 *
 * @throws {@link ArgumentError} for an unknown name; rhs errors surface on the first step.
 * @example
 * ```ts
 * // Ẏ = −Y: every integrator gives Y(h) = e^{−h}·Y0 (Krylov sub-steps are exact here).
 * const Y0 = lowRankFromDense(randn([6, 5], 1), { maxRank: 2 });
 * const bug = matrixIntegrator("bug", { kind: "linear", terms: [{ coeff: -1 }] });
 * const { state } = bug.step(Y0, 0, 0.1);
 * console.assert(distance(lowRankToDense(state), scale(lowRankToDense(Y0), Math.exp(-0.1))) < 1e-10);
 * console.assert(bug.order === 1 && !bug.rankAdaptive);
 * ```
 */
export function matrixIntegrator(name: MatrixIntegratorName, rhs: MatrixRhs, options: MatrixIntegratorOptions = {}): MatrixIntegrator {
  const spec = INTEGRATORS[name];
  if (spec === undefined || !Object.prototype.hasOwnProperty.call(INTEGRATORS, name)) {
    throw new ArgumentError(`matrix integrator: unknown name ${JSON.stringify(name)}; expected one of ${Object.keys(INTEGRATORS).join(", ")}`);
  }
  const runner = options.runner ?? sequentialRunner;
  if (typeof runner?.run !== "function") throw new ArgumentError(`matrix integrator: runner must be { run(tasks) }`);
  let compiled: CompiledRhs | undefined;
  return {
    name, order: spec.order, rankAdaptive: spec.rankAdaptive,
    step(state, t, h) {
      checkStep(t, h);
      const { m, n } = checkState(state, `${name} step`);
      if (compiled === undefined || compiled.m !== m || compiled.n !== n) compiled = compileRhs(rhs, m, n, options.substep ?? {});
      return spec.step({ rhs: compiled, runner, eta: options.eta ?? true }, state, t, h);
    },
  };
}

/** The parallel-BUG step-rejection rule (Ceruti–Kusch–Lubich 2024, §"step rejection"). */
export interface RejectionOptions {
  /** Default true (only the parallel BUG has the rule). */
  enabled?: boolean;
  /** c_η: reject when h·η > c_η·ϑ_abs (default 1, as in the paper's code). */
  etaConstant?: number;
  /** Rejections of one step before it is accepted anyway (default 3; each doubles the rank). */
  maxRejections?: number;
}

/** Options of {@link advanceMatrix}. */
export interface AdvanceOptions {
  /** Required by the rank-adaptive integrators, ignored by the fixed-rank ones. */
  truncation?: TruncationPolicy;
  rejection?: RejectionOptions;
}

function resolveRejection(o: RejectionOptions = {}): Required<RejectionOptions> {
  const { enabled = true, etaConstant = 1, maxRejections = 3 } = o;
  if (typeof enabled !== "boolean") throw new ArgumentError(`rejection.enabled must be a boolean`);
  if (!(etaConstant > 0) || !Number.isFinite(etaConstant)) throw new ArgumentError(`rejection.etaConstant must be a finite number > 0, got ${etaConstant}`);
  if (!Number.isSafeInteger(maxRejections) || maxRejections < 0) throw new ArgumentError(`rejection.maxRejections must be a non-negative integer, got ${maxRejections}`);
  return { enabled, etaConstant, maxRejections };
}

/**
 * One accepted step: `integrator.step`, then (rank-adaptive) truncation by the policy, then
 * (parallel BUG) the rejection rule — the step is redone from Y0 zero-padded into the
 * augmented bases (rank 2r) when (i) the truncated rank doubled, 2r < maxRank, or (ii)
 * h·η > c_η·ϑ_abs (ϑ_abs = the resolved tolerance, times ‖Ŝ‖ in relative mode); never beyond
 * maxRank or maxRejections.
 *
 * @throws {@link ArgumentError} for h ≤ 0, a missing truncation policy of a rank-adaptive integrator, or bad options.
 * @example
 * ```ts
 * const Y0 = lowRankFromDense(randn([8, 8], 3), { maxRank: 2 });
 * const pbug = matrixIntegrator("parallel-bug", { kind: "callback", f: (_t, Y) => scale(Y, -1) });
 * const { state, report } = advanceMatrix(pbug, Y0, 0, 0.05, { truncation: { theta: 1e-8 } });
 * console.assert(report.ranks[0] === 2 && report.eta !== undefined && report.rejections === 0);
 * console.assert(Math.abs(norm(state.S) - Math.exp(-0.05) * norm(Y0.S)) < 1e-8);
 * ```
 */
export function advanceMatrix(integrator: MatrixIntegrator, state: LowRankMatrix, t: number, h: number, options: AdvanceOptions = {}): { state: LowRankMatrix; report: StepReport } {
  checkStep(t, h);
  const rej = resolveRejection(options.rejection);
  const policy = options.truncation;
  if (integrator.rankAdaptive && policy === undefined) {
    throw new ArgumentError(`${integrator.name}: a rank-adaptive integrator needs a truncation policy ({ theta, thetaMode?, maxRank?, minRank? })`);
  }
  const start = performance.now();
  let Y = state;
  let rejections = 0;
  let stats = undefined as MatrixStep["stats"] | undefined;
  for (;;) {
    const st = integrator.step(Y, t, h);
    stats = stats === undefined ? st.stats : mergeStats(stats, st.stats);
    const base = { t, h, rejections, substeps: stats, ...(st.eta !== undefined ? { eta: st.eta } : {}) };
    if (!integrator.rankAdaptive) {
      return { state: st.state, report: { ...base, ranks: [stateRank(st.state)], discardedWeight: 0, wallMs: performance.now() - start } };
    }
    const tr = truncateLowRank(st.state, policy!, h);
    const r0 = stateRank(Y);
    const cap = tr.truncation.maxRank ?? Infinity;
    const restart = st.augmentedStart;
    if (rej.enabled && restart !== undefined && rejections < rej.maxRejections && stateRank(restart) > r0 && stateRank(restart) <= cap) {
      const doubled = tr.rank === 2 * r0 && 2 * r0 < cap;
      const thetaAbs = tr.truncation.mode === "rnorm" ? tr.truncation.tol * norm(st.state.S) : tr.truncation.tol;
      const etaFails = st.eta !== undefined && h * st.eta > rej.etaConstant * thetaAbs;
      if (doubled || etaFails) {
        Y = restart;
        rejections++;
        continue;
      }
    }
    return {
      state: tr.state,
      report: { ...base, ranks: [tr.rank], discardedWeight: tr.discardedWeight, truncation: tr.truncation, wallMs: performance.now() - start },
    };
  }
}

/** Options of {@link integrateMatrix}. */
export interface IntegrateMatrixOptions extends AdvanceOptions, MatrixIntegratorOptions {
  integrator: MatrixIntegratorName;
  /** Step size > 0. */
  h: number;
  /** Number of steps; or give `tf` (then the last step is shortened to land on tf). */
  steps?: number;
  tf?: number;
  /** Start time (default 0). */
  t0?: number;
  /** Values recorded at t0 and after every step. */
  observe?: (t: number, state: LowRankMatrix) => Record<string, number>;
  /** Called after every accepted step. */
  onStep?: (report: StepReport, state: LowRankMatrix) => void;
  /** Keep the state of every time point in `states` (default false: only the final one). */
  keepStates?: boolean;
}

/** Result of {@link integrateMatrix}. */
export interface IntegrateMatrixResult {
  /** The final state. */
  state: LowRankMatrix;
  /** t0, t1, …, tN. */
  times: number[];
  /** The state at every time point with `keepStates`, else just the final one. */
  states: LowRankMatrix[];
  /** `observe`'s values at every time point, with the time as `t`. */
  observations: Array<Record<string, number>>;
  reports: StepReport[];
}

/**
 * Integrates Ẏ = F(t, Y) with a matrix DLRA integrator from Y(t0) = state.
 *
 * @throws {@link ArgumentError} for a bad integrator name, h, steps/tf, truncation or state
 * (non-orthonormal bases, rank 0); {@link ShapeError} / {@link NonFiniteError}
 * for inconsistent shapes or non-finite values, in the state or from the right-hand side.
 * @example
 * ```ts
 * // Ẏ = A·Y + Y·Bᵀ keeps the rank of Y0; the rank-adaptive BUG tracks it.
 * const A = scale(randn([10, 10], 1), 0.1), B = scale(randn([8, 8], 2), 0.1);
 * const Y0 = lowRankFromDense(randn([10, 8], 3), { maxRank: 3 });
 * const run = integrateMatrix(Y0, { kind: "linear", terms: [{ A }, { B }] },
 *   { integrator: "bug-adaptive", h: 0.05, steps: 4, truncation: { theta: 1e-10, maxRank: 6 } });
 * console.assert(run.times.length === 5 && run.reports.length === 4 && run.reports[0].ranks[0] <= 6);
 * ```
 */
export function integrateMatrix(state: LowRankMatrix, rhs: MatrixRhs, options: IntegrateMatrixOptions): IntegrateMatrixResult {
  if (options === null || typeof options !== "object") throw new ArgumentError(`integrateMatrix: options must be an object`);
  const { h, t0 = 0, observe, onStep, keepStates = false } = options;
  checkStep(t0, h);
  // Orthonormal columns already bound the ranks by m and n.
  assertOrthonormalState(state, "integrateMatrix (initial state)");
  const times = timeGrid(t0, h, options.steps, options.tf);
  const integrator = matrixIntegrator(options.integrator, rhs, options);
  if (integrator.rankAdaptive && options.truncation === undefined) {
    throw new ArgumentError(`integrateMatrix: "${options.integrator}" is rank-adaptive and needs truncation: { theta, thetaMode?, maxRank?, minRank? }`);
  }
  const observations: Array<Record<string, number>> = [];
  const record = (t: number, Y: LowRankMatrix): void => {
    if (observe !== undefined) observations.push({ ...observe(t, Y), t });
  };
  let Y = state;
  const states = keepStates ? [Y] : [];
  const reports: StepReport[] = [];
  record(times[0]!, Y);
  for (let i = 1; i < times.length; i++) {
    const { state: next, report } = advanceMatrix(integrator, Y, times[i - 1]!, times[i]! - times[i - 1]!, options);
    Y = next;
    reports.push(report);
    if (keepStates) states.push(Y);
    record(times[i]!, Y);
    onStep?.(report, Y);
  }
  return { state: Y, times, states: keepStates ? states : [Y], observations, reports };
}

function timeGrid(t0: number, h: number, steps: number | undefined, tf: number | undefined): number[] {
  if ((steps === undefined) === (tf === undefined)) throw new ArgumentError(`integrateMatrix: give exactly one of steps or tf`);
  if (steps !== undefined) {
    if (!Number.isSafeInteger(steps) || steps < 1) throw new ArgumentError(`integrateMatrix: steps must be a positive integer, got ${steps}`);
    return Array.from({ length: steps + 1 }, (_, i) => t0 + i * h);
  }
  if (typeof tf !== "number" || !Number.isFinite(tf) || !(tf > t0)) throw new ArgumentError(`integrateMatrix: tf must be a finite time after t0 = ${t0}, got ${String(tf)}`);
  // A grid point within 1e-9·h of tf is tf itself (h rarely divides tf − t0 exactly in floating point).
  const N = Math.max(1, Math.ceil((tf - t0) / h - 1e-9));
  return Array.from({ length: N + 1 }, (_, i) => (i === N ? tf : t0 + i * h));
}
