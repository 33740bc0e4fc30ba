import { ArgumentError } from "../../errors.js";

/**
 * How a truncation tolerance is measured (σ sorted decreasingly; the kept rank r is the smallest
 * for which the discarded tail σ_r, σ_{r+1}, … satisfies the test):
 * - `"rsum2"` (default, ITensor's `cutoff`, quimb's array default): Σ discarded σ² ≤ tol·Σ σ²
 * - `"sum2"`: Σ discarded σ² ≤ tol (absolute discarded weight)
 * - `"norm"`: √(Σ discarded σ²) ≤ tol (Frobenius norm of the discarded part; the BUG
 *   integrators' ϑ)
 * - `"rnorm"`: √(Σ discarded σ²) ≤ tol·‖A‖_F
 * - `"abs"`: every discarded σ ≤ tol
 * - `"rel"`: every discarded σ ≤ tol·σ_max
 */
export type TruncationMode = "rsum2" | "sum2" | "norm" | "rnorm" | "abs" | "rel";

const MODES: readonly TruncationMode[] = ["rsum2", "sum2", "norm", "rnorm", "abs", "rel"];

/** Options of every truncating split. */
export interface TruncationOptions {
  /** Keep at most this many singular values (default: all). */
  maxRank?: number;
  /** Keep at least this many (default 1, so factors are never empty; 0 allowed). */
  minRank?: number;
  /** Tolerance, ≥ 0, interpreted by `mode` (default 0: drop only exact zeros). */
  tol?: number;
  /** How `tol` is measured; default `"rsum2"`. */
  mode?: TruncationMode;
  /** Rescale the kept singular values so their Σσ² equals the original (quimb's `renorm`). */
  renormalize?: boolean;
}

/** What a truncation kept and discarded. */
export interface TruncationInfo {
  /** Number of singular values kept. */
  rank: number;
  /** Σ of discarded σ². */
  discardedWeight: number;
  /** √(Σ discarded σ²): the Frobenius norm of the truncation error. */
  discardedNorm: number;
  /** discardedWeight / Σσ² (0 for a zero matrix). */
  relativeDiscardedWeight: number;
  /** Σσ² of all singular values (‖A‖_F²). */
  totalWeight: number;
  /** Which constraint set the rank: the tolerance, `maxRank`, `minRank`, or none (kept all). */
  limitedBy: "tolerance" | "maxRank" | "minRank" | "none";
  /** The tolerance and mode that were applied, for the record. */
  tol: number;
  mode: TruncationMode;
}

function checkCount(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new ArgumentError(`${what} must be a non-negative integer, got ${String(v)}`);
  }
  return v;
}

/** Validates truncation options and fills in defaults. */
export function resolveTruncation(options: TruncationOptions): Required<Omit<TruncationOptions, "maxRank">> & { maxRank: number } {
  const known = new Set(["maxRank", "minRank", "tol", "mode", "renormalize"]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new ArgumentError(`unknown truncation option "${key}"; expected one of ${[...known].join(", ")}`);
  }
  const maxRank = checkCount(options.maxRank, "maxRank") ?? Infinity;
  const minRank = checkCount(options.minRank, "minRank") ?? 1;
  const tol = options.tol ?? 0;
  if (typeof tol !== "number" || !(tol >= 0) || !Number.isFinite(tol)) {
    throw new ArgumentError(`tol must be a finite number ≥ 0, got ${String(options.tol)}`);
  }
  const mode = options.mode ?? "rsum2";
  if (!MODES.includes(mode)) throw new ArgumentError(`unknown truncation mode ${JSON.stringify(mode)}; expected one of ${MODES.join(", ")}`);
  if (minRank > maxRank) throw new ArgumentError(`minRank (${minRank}) exceeds maxRank (${maxRank})`);
  return { maxRank, minRank, tol, mode, renormalize: options.renormalize ?? false };
}

/**
 * The rank a truncation keeps for singular values `s` (non-negative, decreasing), and what it
 * discards. The tolerance picks the smallest admissible rank; `maxRank` then caps it and
 * `minRank` raises it (never above `s.length`).
 *
 * @example
 * ```ts
 * const s = Float64Array.of(3, 2, 1, 0.1);
 * // Σσ² = 14.01; dropping 0.1 discards 0.01/14.01 < 1e-3; dropping 1 too would be 1.01/14.01.
 * console.assert(truncationRank(s, { tol: 1e-3 }).rank === 3);
 * console.assert(truncationRank(s, { tol: 0.5, mode: "abs" }).rank === 3);
 * ```
 */
export function truncationRank(s: ArrayLike<number>, options: TruncationOptions = {}): TruncationInfo {
  const o = resolveTruncation(options);
  const n = s.length;
  // tail[r] = Σ_{j ≥ r} σ_j², accumulated from the small end for accuracy.
  const tail = new Float64Array(n + 1);
  for (let j = n - 1; j >= 0; j--) tail[j] = tail[j + 1]! + s[j]! * s[j]!;
  const total = tail[0]!;
  const smax = n > 0 ? s[0]! : 0;
  const admissible = (r: number): boolean => {
    switch (o.mode) {
      case "rsum2": return tail[r]! <= o.tol * total;
      case "sum2": return tail[r]! <= o.tol;
      case "norm": return Math.sqrt(tail[r]!) <= o.tol;
      case "rnorm": return Math.sqrt(tail[r]!) <= o.tol * Math.sqrt(total);
      case "abs": return r === n || s[r]! <= o.tol;
      case "rel": return r === n || s[r]! <= o.tol * smax;
    }
  };
  let rank = n;
  while (rank > 0 && admissible(rank - 1)) rank--;
  let limitedBy: TruncationInfo["limitedBy"] = rank < n ? "tolerance" : "none";
  if (rank > o.maxRank) {
    rank = o.maxRank;
    limitedBy = "maxRank";
  }
  const floor = Math.min(o.minRank, n);
  if (rank < floor) {
    rank = floor;
    limitedBy = "minRank";
  }
  const discarded = tail[rank]!;
  return {
    rank,
    discardedWeight: discarded,
    discardedNorm: Math.sqrt(discarded),
    relativeDiscardedWeight: total > 0 ? discarded / total : 0,
    totalWeight: total,
    limitedBy,
    tol: o.tol,
    mode: o.mode,
  };
}
