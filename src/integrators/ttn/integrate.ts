import { ArgumentError } from "../../errors.js";
import type { Ttn } from "../../tn/ttn.js";
import type { StepReport } from "../types.js";
import type { TtnRhs } from "./rhs.js";
import { ttnAdaptiveBugStep } from "./adaptive-bug.js";
import type { TtnStep, TtnStepOptions } from "./common.js";
import { ttnFixedBugStep } from "./fixed-bug.js";
import { ttnParallelBugStep } from "./parallel-bug.js";

/**
 * The tree-network integrators by name (each a single step `(y, rhs, t0, h, options) → TtnStep`).
 *
 * @example
 * ```ts
 * console.assert(Object.keys(TTN_INTEGRATORS).join() === "parallel-bug,bug,fixed-bug");
 * ```
 */
export const TTN_INTEGRATORS = {
  /** Parallel BUG (Ceruti–Kusch–Lubich–Sulz 2024): rank-adaptive, all sub-problems independent. First order. */
  "parallel-bug": ttnParallelBugStep,
  /** Rank-adaptive BUG (Ceruti–Lubich–Sulz 2023). First order. */
  bug: ttnAdaptiveBugStep,
  /** Fixed-rank BUG. First order; ranks never change. */
  "fixed-bug": ttnFixedBugStep,
} as const satisfies Record<string, (y: Ttn, rhs: TtnRhs, t0: number, h: number, options: TtnStepOptions) => TtnStep>;

/** Name of a tree-network integrator. */
export type TtnIntegratorName = keyof typeof TTN_INTEGRATORS;

/** Options of {@link integrateTtn}. */
export interface IntegrateTtnOptions extends TtnStepOptions {
  integrator: TtnIntegratorName;
  /** Step size. */
  h: number;
  /** Final time; (tf − t0)/h must be a whole number of steps. */
  tf: number;
  /** Start time (default 0). */
  t0?: number;
  /** Observables recorded at t0 and after every step. */
  observe?: (t: number, y: Ttn) => Record<string, number>;
  /** Called after every step. */
  onStep?: (report: StepReport, y: Ttn) => void;
}

/** The result of {@link integrateTtn}. */
export interface TtnIntegration {
  y: Ttn;
  integrator: TtnIntegratorName;
  reports: StepReport[];
  observations: Array<Record<string, number> & { t: number }>;
}

/**
 * Integrates Y' = F(t, Y) on a tree network from t0 to tf with a fixed step h by one of the
 * BUG integrators (Tucker tensors: a star tree; see docs/integrators.md).
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const H = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: 4 }));
 * const up = Ttn.product(tree, new Array(4).fill(tensor([1, 0])));
 * const run = integrateTtn(up, { kind: "ttno", op: H, scale: { re: 0, im: -1 }, hermitian: true },
 *   { integrator: "parallel-bug", h: 0.05, tf: 0.2, truncation: { theta: 1e-8 } });
 * console.assert(run.reports.length === 4 && run.y.maxRank() > 1 && run.reports[0]!.truncation!.theta === 1e-8);
 * console.assert(Math.abs(run.y.norm() - 1) < 1e-3); // first order: the norm drifts by O(h) at most
 * ```
 */
export function integrateTtn(y0: Ttn, rhs: TtnRhs, options: IntegrateTtnOptions): TtnIntegration {
  const step = TTN_INTEGRATORS[options.integrator];
  if (step === undefined) throw new ArgumentError(`unknown integrator ${JSON.stringify(options.integrator)}; expected one of ${Object.keys(TTN_INTEGRATORS).join(", ")}`);
  const t0 = options.t0 ?? 0;
  const { h, tf } = options;
  if (!(h > 0) || !Number.isFinite(h)) throw new ArgumentError(`step size h must be a finite number > 0, got ${h}`);
  const steps = Math.round((tf - t0) / h);
  if (!(steps >= 0) || Math.abs(steps * h - (tf - t0)) > 1e-9 * Math.max(1, Math.abs(tf))) {
    throw new ArgumentError(`(tf − t0)/h = ${(tf - t0) / h} is not a whole number of steps`);
  }
  const reports: StepReport[] = [];
  const observations: TtnIntegration["observations"] = [];
  let y = y0;
  if (options.observe) observations.push({ ...options.observe(t0, y), t: t0 });
  for (let k = 0; k < steps; k++) {
    const t = t0 + k * h;
    const r = step(y, rhs, t, h, options);
    y = r.y;
    reports.push(r.report);
    if (options.observe) observations.push({ ...options.observe(t + h, y), t: t + h });
    options.onStep?.(r.report, y);
  }
  return { y, integrator: options.integrator, reports, observations };
}
