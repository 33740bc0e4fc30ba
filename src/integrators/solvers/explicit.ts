/**
 * Explicit Runge–Kutta sub-step solvers on the words of a tensor state: the classic RK4 with
 * fixed steps and the Dormand–Prince 5(4) pair with step-size control (J. R. Dormand and
 * P. J. Prince, "A family of embedded Runge–Kutta formulae", J. Comput. Appl. Math. 6(1),
 * 1980; controller after Hairer, Nørsett & Wanner, Solving ODEs I, §II.4). Coefficients are
 * real, so complex states (interleaved words) are combined word by word.
 *
 * @module
 */
import { ConvergenceError } from "../../errors.js";
import { Tensor } from "../../linalg/tensor.js";
import { wordNorm, type WorkDType } from "./field.js";

/** A checked field on tensors of one shape and dtype. */
export type CheckedField = (t: number, y: Tensor<WorkDType>) => Tensor<WorkDType>;

/** What an explicit solve did. */
export interface ExplicitResult {
  y: Tensor<WorkDType>;
  steps: number;
  rejected: number;
  evaluations: number;
  /** Sum of the accepted local error estimates (dopri5 only). */
  errorEstimate?: number;
}

const EPS = 2 ** -52;

/** out = y + h·Σ_j a_j·k_j (fresh words). */
function stage(y: Float64Array, h: number, a: readonly number[], k: readonly Float64Array[]): Float64Array {
  const out = y.slice();
  for (let j = 0; j < a.length; j++) {
    const c = h * a[j]!;
    if (c === 0) continue;
    const kj = k[j]!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + c * kj[i]!;
  }
  return out;
}

/**
 * Classic fourth-order Runge–Kutta with `n` equal steps over [t0, t1]: exact for fields that
 * do not depend on y and are polynomials of degree ≤ 3 in t, order 4 otherwise.
 */
export function rk4(field: CheckedField, y0: Tensor<WorkDType>, t0: number, t1: number, n: number): ExplicitResult {
  const { dtype, shape } = y0;
  const T = t1 - t0;
  const h = T / n;
  const f = (t: number, y: Float64Array): Float64Array => field(t, new Tensor(dtype, shape, y)).data as Float64Array;
  let y = y0.data.slice() as Float64Array;
  for (let s = 0; s < n; s++) {
    const t = t0 + (s * T) / n;
    const k1 = f(t, y.slice());
    const k2 = f(t + h / 2, stage(y, h, [0.5], [k1]));
    const k3 = f(t + h / 2, stage(y, h, [0, 0.5], [k1, k2]));
    const k4 = f(s === n - 1 ? t1 : t + h, stage(y, h, [0, 0, 1], [k1, k2, k3]));
    y = stage(y, h, [1 / 6, 1 / 3, 1 / 3, 1 / 6], [k1, k2, k3, k4]);
  }
  return { y: new Tensor(dtype, shape, y), steps: n, rejected: 0, evaluations: 4 * n };
}

// Dormand–Prince 5(4): stage matrix (row s holds a_{s,0..s−1}), nodes, and the weights of the
// difference between the 5th-order solution (row 6 of A, propagated: local extrapolation)
// and the embedded 4th-order one.
const DP_A: readonly (readonly number[])[] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const DP_C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const DP_E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];

/** Step-size controller constants of {@link dopri5}. */
export const DOPRI5_CONTROL = {
  /** Safety factor on the predicted step. */
  safety: 0.9,
  /** Largest growth of the step after an accepted step (none right after a rejection). */
  maxGrowth: 5,
  /** Largest shrinking after a rejection. */
  minShrink: 0.2,
  /** Accepted plus rejected steps before a ConvergenceError. */
  maxSteps: 50_000,
  /** A step target is never below this many ulps of ‖y‖: nothing finer is attainable. */
  roundingFloor: 16,
} as const;

function allFiniteWords(d: Float64Array): boolean {
  for (let i = 0; i < d.length; i++) {
    const x = d[i]!;
    if (x - x !== 0) return false;
  }
  return true;
}

/**
 * Dormand–Prince 5(4) with FSAL and error per unit step: a step of size h is accepted when
 * the embedded estimate ‖h·Σ e_i k_i‖_F ≤ tol·h/(t1 − t0), so the accepted local errors sum
 * to at most tol over the interval (the same contract as expmv's). The next step is
 * h·min(5, max(0.2, 0.9·(target/err)^{1/4})) — exponent 1/4 because err ∝ h⁵ against a
 * target ∝ h — and is not allowed to grow right after a rejection. A stage that overflows
 * rejects the step (shrinking h by 0.2) instead of failing.
 */
export function dopri5(field: CheckedField, y0: Tensor<WorkDType>, t0: number, t1: number, tol: number): ExplicitResult {
  const { dtype, shape } = y0;
  const T = t1 - t0;
  const C = DOPRI5_CONTROL;
  let evaluations = 0;
  const f = (t: number, y: Float64Array): Float64Array => {
    evaluations++;
    return field(t, new Tensor(dtype, shape, y)).data as Float64Array;
  };
  let y = y0.data.slice() as Float64Array;
  let k0 = f(t0, y.slice());
  let h = initialStep(f, t0, y, k0, T, tol);
  let t = t0;
  let steps = 0, rejected = 0, errorEstimate = 0;
  let justRejected = false;
  while (t < t1) {
    if (steps + rejected >= C.maxSteps) {
      throw new ConvergenceError(
        `solveSubstep (dopri5): reached t = ${t.toPrecision(8)} of [${t0}, ${t1}] after ${steps} accepted and ${rejected} rejected steps ` +
          `(maxSteps ${C.maxSteps}); last step ${h.toExponential(2)}, tol ${tol}`,
      );
    }
    const last = t + h >= t1 || t1 - (t + h) < 16 * EPS * Math.abs(t1);
    if (last) h = t1 - t;
    if (!(h > 8 * EPS * Math.max(Math.abs(t), Math.abs(t1)))) {
      throw new ConvergenceError(`solveSubstep (dopri5): step size underflow (h = ${h.toExponential(2)}) at t = ${t}; tol ${tol} cannot be met`);
    }
    const k: Float64Array[] = [k0];
    let overflow = false;
    let yNew = y;
    for (let s = 1; s < 7; s++) {
      const ys = stage(y, h, DP_A[s]!, k);
      if (!allFiniteWords(ys)) {
        overflow = true;
        break;
      }
      if (s === 6) yNew = ys;
      k.push(f(s === 6 && last ? t1 : t + DP_C[s]! * h, ys.slice()));
    }
    let err = Infinity;
    if (!overflow) {
      const e = stage(new Float64Array(y.length), h, DP_E, k);
      err = wordNorm(e);
    }
    const target = Math.max((tol * h) / T, C.roundingFloor * EPS * wordNorm(yNew));
    if (err <= target) {
      steps++;
      errorEstimate += err;
      t = last ? t1 : t + h;
      y = yNew;
      k0 = k[6]!;
      const grow = err === 0 ? C.maxGrowth : Math.min(C.maxGrowth, Math.max(C.minShrink, C.safety * (target / err) ** 0.25));
      h *= justRejected ? Math.min(1, grow) : grow;
      justRejected = false;
    } else {
      rejected++;
      justRejected = true;
      h *= Number.isFinite(err) ? Math.max(C.minShrink, C.safety * (target / err) ** 0.25) : C.minShrink;
    }
  }
  return { y: new Tensor(dtype, shape, y), steps, rejected, evaluations, errorEstimate };
}

/**
 * Starting step after Hairer–Nørsett–Wanner (Solving ODEs I, II.4), with the absolute
 * tolerance as the scale: a guess from ‖y‖/‖f‖, one explicit Euler probe for the size of f′,
 * then h ≈ (0.01·tol / max(‖f‖, ‖f′‖))^{1/5}, capped by the interval.
 */
function initialStep(f: (t: number, y: Float64Array) => Float64Array, t0: number, y: Float64Array, k0: Float64Array, T: number, tol: number): number {
  const d0 = wordNorm(y), d1 = wordNorm(k0);
  if (d1 === 0) return T;
  const h0 = Math.min(T, d0 < 1e-5 * tol || d1 < 1e-5 * tol ? 1e-6 * T : (0.01 * d0) / d1);
  const probe = stage(y, h0, [1], [k0]);
  if (!allFiniteWords(probe)) return h0;
  const k1 = f(t0 + h0, probe);
  let diff = 0;
  for (let i = 0; i < k1.length; i++) diff += (k1[i]! - k0[i]!) ** 2;
  const d2 = Math.sqrt(diff) / h0;
  const m = Math.max(d1, d2);
  const h1 = m <= 1e-15 * tol ? Math.max(1e-6 * T, h0 * 1e-3) : ((0.01 * tol) / m) ** 0.2;
  return Math.min(100 * h0, h1, T);
}
