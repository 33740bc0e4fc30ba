/**
 * Truncation of an (augmented) low-rank state by the integrators' ϑ policy.
 *
 * @module
 */
import { svd } from "../../linalg/decomp/svd.js";
import { truncationRank } from "../../linalg/decomp/truncation.js";
import { diag } from "../../linalg/diag.js";
import { matmul } from "../../linalg/matmul.js";
import { slice } from "../../linalg/slice.js";
import { resolveTruncationPolicy, type ResolvedTruncation, type TruncationPolicy } from "../types.js";
import { checkState, makeState, type LowRankMatrix } from "./state.js";

/** The result of {@link truncateLowRank}. */
export interface LowRankTruncation {
  /** The truncated state: square core diag(σ1 … σr) unless nothing was cut (then the input). */
  state: LowRankMatrix;
  rank: number;
  /** Σ of the discarded σ². */
  discardedWeight: number;
  /** The policy with defaults, and the tolerance applied for this h. */
  truncation: ResolvedTruncation;
  /** All singular values of the core before truncation, decreasing. */
  singularValues: Float64Array;
}

/**
 * Truncates Y = U·S·Vᴴ by the SVD of its core S = P·Σ·Qᴴ: the kept rank r is the smallest
 * with √(Σ_{j>r} σ_j²) ≤ tol (ϑ, ϑ·‖Y‖ or ϑ·h by the policy's {@link ThetaMode}), clamped to
 * [max(1, minRank), maxRank] (rank 0 would be a dead end: no step can grow it again); then U ← U·P_r, S ← diag(σ_1..σ_r), V ← V·Q_r. A square core of which
 * nothing is cut is returned as it is (no rotation), so a step that changes nothing leaves the
 * state bit for bit unchanged.
 *
 * @example
 * ```ts
 * const Y = lowRankMatrix(eye(6, 3), diag([1, 1e-3, 1e-9]), eye(5, 3));
 * const t = truncateLowRank(Y, { theta: 1e-6 }, 0.1);
 * console.assert(t.rank === 2 && Math.abs(t.discardedWeight - 1e-18) < 1e-30);
 * console.assert(truncateLowRank(Y, { theta: 1e-6, thetaMode: "per-unit-time" }, 0.1).rank === 2);
 * console.assert(truncateLowRank(Y, { theta: 0, maxRank: 1 }, 0.1).rank === 1);
 * ```
 */
export function truncateLowRank(Y: LowRankMatrix, policy: TruncationPolicy, h: number): LowRankTruncation {
  const { k, l } = checkState(Y, "truncateLowRank");
  const resolved = resolveTruncationPolicy(policy, h);
  const { tol, mode, maxRank, minRank } = resolved;
  const { U: P, s, Vh: Qh } = svd(Y.S);
  // Rank 0 would be a dead end: BUG steps grow ranks from the bases they are given.
  const info = truncationRank(s, { tol, mode, minRank: Math.max(1, minRank), ...(maxRank !== undefined ? { maxRank } : {}) });
  const r = info.rank;
  const truncation: ResolvedTruncation = { theta: resolved.theta, thetaMode: resolved.thetaMode, minRank, tol, mode, ...(maxRank !== undefined ? { maxRank } : {}) };
  if (k === l && r === k && info.discardedWeight === 0) {
    return { state: Y, rank: r, discardedWeight: 0, truncation, singularValues: s };
  }
  const U = matmul(Y.U, slice(P, [null, [0, r]]));
  const V = matmul(Y.V, slice(Qh, [[0, r], null]), { adjointB: true });
  return { state: makeState(U, diag(Array.from(s.subarray(0, r))), V), rank: r, discardedWeight: info.discardedWeight, truncation, singularValues: s };
}
