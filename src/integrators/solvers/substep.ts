/**
 * The sub-step ODE solvers shared by every DLRA integrator: each K-, L-, S- or node step is
 * a small ODE y′ = f(t, y) on [t0, t1] for a tensor y, solved here by a Krylov exponential
 * (linear problems), classic RK4 or Dormand–Prince 5(4).
 *
 * @module
 */
import { ArgumentError, NonFiniteError } from "../../errors.js";
import { isComplexScalar } from "../../linalg/complex.js";
import type { Complex } from "../../linalg/dtype.js";
import { assertFinite, scale as scaleTensor } from "../../linalg/elementwise.js";
import { expmv } from "../../linalg/expm/krylov.js";
import { norm } from "../../linalg/norms.js";
import { Tensor } from "../../linalg/tensor.js";
import type { SubstepStats } from "../types.js";
import { dopri5, rk4, type CheckedField, type ExplicitResult } from "./explicit.js";
import { checkResult, PromoteToComplex, type WorkDType } from "./field.js";

/** A general vector field: y′ = f(t, y); the result has y's shape. */
export type VectorField = (t: number, y: Tensor) => Tensor;

/** A time-independent linear problem y′ = scale·A(y). */
export interface LinearGenerator {
  /** y ↦ A(y), linear in y, time-independent; output has y's shape and dtype. */
  apply: (y: Tensor) => Tensor;
  /** The problem is y' = scale · A(y) (e.g. scale = { re: 0, im: -1 } for Schrödinger with Hermitian A). */
  scale: number | Complex;
  /** A is Hermitian (Lanczos may be used). */
  hermitian?: boolean;
}

/** One sub-step problem: the initial value on [t0, t1] and its right-hand side. */
export interface SubstepProblem {
  y0: Tensor;
  t0: number;
  t1: number;
  /** Exactly one of f (general, possibly nonlinear and time-dependent) or linear. */
  f?: VectorField;
  linear?: LinearGenerator;
}

/** How sub-steps are solved. Unknown keys are rejected. */
export interface SubstepOptions {
  /** "auto" (default): krylov for linear problems, dopri5 otherwise. "rk4": fixed steps. */
  solver?: "auto" | "krylov" | "rk4" | "dopri5";
  /** Local error target (absolute, Frobenius) for krylov/dopri5; default 1e-10. Keep it well below ϑ. */
  tol?: number;
  /** Number of RK4 steps over [t0, t1] (default 1: exact for F independent of y, e.g. F = Ȧ data). */
  rk4Steps?: number;
}

const OPTION_KEYS = new Set(["solver", "tol", "rk4Steps"]);
const SOLVERS = ["auto", "krylov", "rk4", "dopri5"] as const;
const EPS = 2 ** -52;
// expmv's tolerance is relative to ‖y‖ along the path; beyond this a relative target is
// meaningless (and expmv requires < 1).
const MAX_RELATIVE_TOL = 1e-3;
// Krylov dimension per expmv sub-step. Sub-step problems usually have |t|·‖A‖ of order one,
// where 12–16 vectors reach 1e-12 in one sub-step; expmv's default 30 then spends ~3× the
// orthogonalisation work and twice the operator applications (measured on the discrete
// Schrödinger K-step, n = 32, r = 20). Larger |t|·‖A‖ just takes more sub-steps.
const KRYLOV_DIM = 16;

interface Resolved {
  solver: "krylov" | "rk4" | "dopri5";
  tol: number;
  rk4Steps: number;
}

function resolveOptions(options: SubstepOptions, linear: boolean): Resolved {
  if (options === null || typeof options !== "object") throw new ArgumentError(`solveSubstep: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new ArgumentError(`solveSubstep: unknown option "${key}" (known: ${[...OPTION_KEYS].join(", ")})`);
  }
  const { solver = "auto", tol = 1e-10, rk4Steps = 1 } = options;
  if (!(SOLVERS as readonly string[]).includes(solver)) {
    throw new ArgumentError(`solveSubstep: solver must be one of ${SOLVERS.join(", ")}, got ${JSON.stringify(solver)}`);
  }
  if (typeof tol !== "number" || !(tol > 0) || !Number.isFinite(tol)) throw new ArgumentError(`solveSubstep: tol must be a finite number > 0, got ${String(tol)}`);
  if (!Number.isSafeInteger(rk4Steps) || rk4Steps < 1) throw new ArgumentError(`solveSubstep: rk4Steps must be a positive integer, got ${String(rk4Steps)}`);
  if (solver === "krylov" && !linear) throw new ArgumentError(`solveSubstep: the krylov solver needs a linear problem ({ linear }), not a general field f`);
  const s = solver === "auto" ? (linear ? "krylov" : "dopri5") : solver;
  return { solver: s, tol, rk4Steps };
}

/** A real scale stays a number (keeps real problems real); a complex one with im ≠ 0 stays Complex. */
function normalizeScale(s: unknown): number | Complex {
  if (typeof s === "number") {
    if (!Number.isFinite(s)) throw new NonFiniteError(`solveSubstep: linear.scale must be finite, got ${s}`);
    return s;
  }
  if (!isComplexScalar(s)) throw new ArgumentError(`solveSubstep: linear.scale must be a number or { re, im }, got ${JSON.stringify(s)}`);
  if (!Number.isFinite(s.re) || !Number.isFinite(s.im)) throw new NonFiniteError(`solveSubstep: linear.scale = ${s.re} + ${s.im}i is not finite`);
  return s.im === 0 ? s.re : s;
}

function validateProblem(problem: SubstepProblem): { y0: Tensor<WorkDType>; linear?: LinearGenerator & { scale: number | Complex } } {
  if (problem === null || typeof problem !== "object") throw new ArgumentError(`solveSubstep: problem must be an object`);
  const { y0, t0, t1, f, linear } = problem;
  if ((f === undefined) === (linear === undefined)) {
    throw new ArgumentError(`solveSubstep: give exactly one of f (a vector field) or linear (a linear generator), got ${f === undefined ? "neither" : "both"}`);
  }
  if (f !== undefined && typeof f !== "function") throw new ArgumentError(`solveSubstep: f must be a function (t, y) => Tensor`);
  if (!(y0 instanceof Tensor)) throw new ArgumentError(`solveSubstep: y0 must be a Tensor`);
  if (typeof t0 !== "number" || typeof t1 !== "number" || !Number.isFinite(t0) || !Number.isFinite(t1)) {
    throw new NonFiniteError(`solveSubstep: t0 and t1 must be finite numbers, got t0 = ${String(t0)}, t1 = ${String(t1)}`);
  }
  if (!(t1 > t0)) throw new ArgumentError(`solveSubstep: need t1 > t0, got [${t0}, ${t1}]`);
  assertFinite(y0, "solveSubstep (y0)");
  const y = (y0.dtype === "f32" ? y0.astype("f64") : y0) as Tensor<WorkDType>;
  if (linear === undefined) return { y0: y };
  if (linear === null || typeof linear !== "object" || typeof linear.apply !== "function") {
    throw new ArgumentError(`solveSubstep: linear must be { apply: (y) => Tensor, scale, hermitian? }`);
  }
  if (linear.hermitian !== undefined && typeof linear.hermitian !== "boolean") throw new ArgumentError(`solveSubstep: linear.hermitian must be a boolean`);
  return { y0: y, linear: { ...linear, scale: normalizeScale(linear.scale) } };
}

/**
 * Solves one sub-step ODE y′ = f(t, y) (or y′ = scale·A(y)) from y(t0) = y0 to t1.
 *
 * Solvers:
 * - `"krylov"` (linear problems; the default for them): y(t1) = exp((t1 − t0)·scale·A)·y0 by
 *   {@link expmv} with Krylov dimension ≤ 16, Lanczos when `hermitian`. expmv's tolerance is relative to ‖y‖ along the
 *   path, so it is called with tol/‖y0‖ (clamped to [2⁻⁵², 1e-3]); when its absolute error
 *   estimate still exceeds tol (a solution that grows along the path) the solve is repeated
 *   once with the relative target reduced by the overshoot.
 * - `"rk4"`: `rk4Steps` classic RK4 steps; a linear problem uses scale·A as its field.
 * - `"dopri5"` (general fields; the default for them): Dormand–Prince 5(4), FSAL, error per
 *   unit step with the absolute Frobenius target tol·h/(t1 − t0) per step, so the accepted
 *   local errors sum to ≤ tol; controller constants in DOPRI5_CONTROL (safety 0.9, growth
 *   ≤ 5, shrink ≥ 0.2, at most 50 000 steps, then a ConvergenceError).
 *
 * Dtypes: f32 states are promoted to f64. A complex `scale` makes the computation complex.
 * A field or operator that returns c128 for a real y0 on its first call promotes the whole
 * solve to c128 (it is restarted; the wasted call is counted); a complex result after real
 * ones is a DTypeError. A real result for a complex state is accepted as a real derivative.
 *
 * Stats: `evaluations` counts field calls or operator applications; `errorEstimate` is the
 * sum of accepted local error estimates (krylov, dopri5; absent for rk4).
 *
 * @throws {@link ArgumentError} unless exactly one of f / linear is given, t1 > t0, or for bad options.
 * @throws {@link NonFiniteError} for a non-finite y0, time, scale or field value.
 * @throws {@link ShapeError} / {@link DTypeError} when the field returns the wrong shape or dtype.
 * @throws {@link ConvergenceError} when dopri5 or expmv cannot reach t1 within their step budgets.
 * @example
 * ```ts
 * // y′ = −y on [0, 1]: y(1) = e^{−1}·y0, by dopri5 and by the Krylov exponential.
 * const y0 = tensor([[1, 2], [3, 4]]);
 * const a = solveSubstep({ y0, t0: 0, t1: 1, f: (_t, y) => scale(y, -1) }, { tol: 1e-10 });
 * const b = solveSubstep({ y0, t0: 0, t1: 1, linear: { apply: (y) => y, scale: -1 } });
 * console.assert(distance(a.y, scale(y0, Math.exp(-1))) < 1e-9 && a.stats.solver === "dopri5");
 * console.assert(distance(b.y, scale(y0, Math.exp(-1))) < 1e-9 && b.stats.solver === "krylov");
 * ```
 */
export function solveSubstep(problem: SubstepProblem, options: SubstepOptions = {}): { y: Tensor; stats: SubstepStats } {
  const { y0, linear } = validateProblem(problem);
  const opts = resolveOptions(options, linear !== undefined);
  const { t0, t1 } = problem;
  if (opts.solver === "krylov") return krylov(linear!, y0, t0, t1, opts.tol);
  const field: VectorField = linear !== undefined ? linearField(linear) : problem.f!;
  let start = linear !== undefined && typeof linear.scale !== "number" ? y0.astype("c128") : y0;
  let wasted = 0;
  for (;;) {
    let calls = 0;
    const checked: CheckedField = (t, y) => {
      calls++;
      const r = field(t, y);
      return checkResult(r, y.shape, y.dtype, linear ? "linear operator" : "vector field", `t = ${t}`, calls === 1 && y.dtype !== "c128");
    };
    try {
      const r: ExplicitResult = opts.solver === "rk4" ? rk4(checked, start, t0, t1, opts.rk4Steps) : dopri5(checked, start, t0, t1, opts.tol);
      return { y: r.y, stats: statsOf(opts.solver, r, wasted) };
    } catch (e) {
      if (!(e instanceof PromoteToComplex)) throw e;
      wasted += calls;
      start = start.astype("c128");
    }
  }
}

function linearField(linear: LinearGenerator & { scale: number | Complex }): VectorField {
  const s = linear.scale;
  return (_t, y) => {
    const r = linear.apply(y);
    return r instanceof Tensor && s !== 1 ? scaleTensor(r, s) : r;
  };
}

function statsOf(solver: string, r: ExplicitResult, wasted: number): SubstepStats {
  return {
    solver,
    problems: 1,
    steps: r.steps,
    rejected: r.rejected,
    evaluations: r.evaluations + wasted,
    ...(r.errorEstimate !== undefined ? { errorEstimate: r.errorEstimate } : {}),
  };
}

function krylov(linear: LinearGenerator & { scale: number | Complex }, y0: Tensor<WorkDType>, t0: number, t1: number, tol: number): { y: Tensor; stats: SubstepStats } {
  const T = t1 - t0;
  const s = linear.scale;
  const t: number | Complex = typeof s === "number" ? s * T : { re: s.re * T, im: s.im * T };
  let v: Tensor<WorkDType> = typeof s === "number" ? y0 : y0.astype("c128");
  const stats: SubstepStats = { solver: "krylov", problems: 1, steps: 0, rejected: 0, evaluations: 0, errorEstimate: 0 };
  const beta = norm(v);
  if (beta === 0 || (typeof t === "number" ? t === 0 : t.re === 0 && t.im === 0)) return { y: v.clone(), stats };
  let rel = Math.min(MAX_RELATIVE_TOL, Math.max(EPS, tol / beta));
  let retried = false;
  for (;;) {
    let calls = 0;
    const op = (x: Tensor): Tensor => {
      calls++;
      return checkResult(linear.apply(x), x.shape, x.dtype as WorkDType, "linear operator", `application ${calls}`, x.dtype !== "c128");
    };
    try {
      const { y, info } = expmv(op, v, t, { hermitian: linear.hermitian ?? false, tol: rel, maxKrylov: KRYLOV_DIM });
      stats.evaluations += info.matvecs;
      const est = info.errorEstimate;
      // A solution that grows along the path: expmv's relative target was too loose.
      if (est > tol && !retried && rel > EPS) {
        retried = true;
        stats.rejected += info.substeps + info.rejected;
        rel = Math.max(EPS, (rel * tol) / est / 2);
        continue;
      }
      stats.steps = info.substeps;
      stats.rejected += info.rejected;
      stats.errorEstimate = est;
      return { y, stats };
    } catch (e) {
      if (!(e instanceof PromoteToComplex)) throw e;
      stats.evaluations += calls;
      v = v.astype("c128");
    }
  }
}
