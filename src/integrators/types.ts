import { ArgumentError } from "../errors.js";
import type { TruncationOptions } from "../linalg/decomp/truncation.js";

/**
 * What the truncation tolerance ϑ of a rank-adaptive integrator means. The theory's ϑ is
 * absolute per step; the authors' codes use all three, and results differ by orders of
 * magnitude between them, so every result records which was used.
 * - `"absolute"` (default): per edge, ‖discarded part‖_F ≤ ϑ.
 * - `"relative"`: per edge, ‖discarded part‖_F ≤ ϑ·‖Y‖.
 * - `"per-unit-time"`: per edge, ‖discarded part‖_F ≤ ϑ·h, so the accumulated truncation error
 *   over [0, T] is O(ϑ·T) instead of O(ϑ·T/h).
 */
export type ThetaMode = "absolute" | "relative" | "per-unit-time";

/** The truncation policy of a rank-adaptive integrator. */
export interface TruncationPolicy {
  /** ϑ ≥ 0; see {@link ThetaMode}. */
  theta: number;
  thetaMode?: ThetaMode;
  /** Rank cap per edge (default: none). */
  maxRank?: number;
  /** Rank floor per edge (default 1). */
  minRank?: number;
}

/** The policy with defaults filled in, as recorded in reports. */
export interface ResolvedTruncation {
  theta: number;
  thetaMode: ThetaMode;
  maxRank?: number;
  minRank: number;
  /** The per-edge tolerance actually applied (mode "norm" or "rnorm") for step size h. */
  tol: number;
  mode: "norm" | "rnorm";
}

/**
 * Validates a policy and turns it into per-edge truncation options for a step of size h.
 *
 * @example
 * ```ts
 * const r = resolveTruncationPolicy({ theta: 1e-6, thetaMode: "per-unit-time" }, 0.01);
 * console.assert(r.tol === 1e-8 && r.mode === "norm");
 * console.assert(JSON.stringify(truncationOptions(r)) === JSON.stringify({ tol: 1e-8, mode: "norm", minRank: 1 }));
 * ```
 */
export function resolveTruncationPolicy(policy: TruncationPolicy, h: number): ResolvedTruncation {
  const { theta, thetaMode = "absolute", maxRank, minRank = 1 } = policy;
  if (typeof theta !== "number" || !(theta >= 0) || !Number.isFinite(theta)) throw new ArgumentError(`truncation: theta must be a finite number ≥ 0, got ${String(theta)}`);
  if (!["absolute", "relative", "per-unit-time"].includes(thetaMode)) {
    throw new ArgumentError(`truncation: thetaMode must be "absolute", "relative" or "per-unit-time", got ${JSON.stringify(thetaMode)}`);
  }
  if (maxRank !== undefined && (!Number.isInteger(maxRank) || maxRank < 1)) throw new ArgumentError(`truncation: maxRank must be a positive integer, got ${maxRank}`);
  if (!Number.isInteger(minRank) || minRank < 0) throw new ArgumentError(`truncation: minRank must be a non-negative integer, got ${minRank}`);
  if (maxRank !== undefined && minRank > maxRank) throw new ArgumentError(`truncation: minRank ${minRank} exceeds maxRank ${maxRank}`);
  const tol = thetaMode === "per-unit-time" ? theta * h : theta;
  const mode = thetaMode === "relative" ? "rnorm" : "norm";
  return { theta, thetaMode, maxRank, minRank, tol, mode };
}

/**
 * The per-edge truncation options (for `truncateTtn`, `truncatedSvd`, …) of a resolved policy.
 *
 * @example
 * ```ts
 * const o = truncationOptions(resolveTruncationPolicy({ theta: 1e-3, thetaMode: "relative", maxRank: 8 }, 0.1));
 * console.assert(o.mode === "rnorm" && o.tol === 1e-3 && o.maxRank === 8);
 * ```
 */
export function truncationOptions(r: ResolvedTruncation): TruncationOptions {
  return { tol: r.tol, mode: r.mode, ...(r.maxRank !== undefined ? { maxRank: r.maxRank } : {}), minRank: r.minRank };
}

/** Statistics of the sub-step ODE solves of one step. */
export interface SubstepStats {
  /** Solver used: "krylov", "rk4", "dopri5", "exact" (F independent of Y), … */
  solver: string;
  /** Sub-problems solved (K-, L-, S-steps, leaf and node problems). */
  problems: number;
  /** Accepted internal steps summed over all sub-problems. */
  steps: number;
  /** Rejected internal steps (adaptive solvers). */
  rejected: number;
  /** Right-hand-side evaluations or operator applications. */
  evaluations: number;
  /** Largest error estimate reported by a sub-solve (absolute), if the solver estimates one. */
  errorEstimate?: number;
}

/** What one accepted step of a DLRA integrator did. */
export interface StepReport {
  /** Start time and size of the step. */
  t: number;
  h: number;
  /** Ranks after the step: [r] for matrices, by node id (root 1) for tree networks. */
  ranks: number[];
  /** Σ over edges of the discarded σ² of the step's truncation (0 for fixed-rank steps). */
  discardedWeight: number;
  /** The truncation applied (absent for fixed-rank integrators). */
  truncation?: ResolvedTruncation;
  /** Times the step was rejected and redone (parallel BUG's rule). */
  rejections: number;
  /** Parallel BUG: the norm of the dropped new–new block of h·F (before the factor h). */
  eta?: number;
  substeps: SubstepStats;
  /** Wall time of the step, milliseconds. */
  wallMs: number;
  /**
   * Wall time by phase, milliseconds, where the integrator records it (tree networks:
   * restriction, environments, substeps, assembly, truncation).
   */
  phases?: Record<string, number>;
}

/** Checks a step size and time interval. */
export function checkStep(t0: number, h: number): void {
  if (!Number.isFinite(t0)) throw new ArgumentError(`time must be finite, got ${t0}`);
  if (!(h > 0) || !Number.isFinite(h)) throw new ArgumentError(`step size h must be a finite number > 0, got ${h}`);
}

/** Merges sub-step statistics. */
export function mergeStats(a: SubstepStats, b: SubstepStats): SubstepStats {
  const est = Math.max(a.errorEstimate ?? 0, b.errorEstimate ?? 0);
  return {
    solver: a.solver === b.solver || b.problems === 0 ? a.solver : a.problems === 0 ? b.solver : `${a.solver}+${b.solver}`,
    problems: a.problems + b.problems,
    steps: a.steps + b.steps,
    rejected: a.rejected + b.rejected,
    evaluations: a.evaluations + b.evaluations,
    ...(a.errorEstimate !== undefined || b.errorEstimate !== undefined ? { errorEstimate: est } : {}),
  };
}

/** Empty statistics for a solver. */
export function noStats(solver: string): SubstepStats {
  return { solver, problems: 0, steps: 0, rejected: 0, evaluations: 0 };
}
