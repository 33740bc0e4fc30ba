/**
 * The sweep loop of a completion run, apart from any solver: the ridge path, the per-sweep
 * records, restarts, the choice of the network to return and the end reason. Internal to
 * src/completion (exported for tests, which drive it with scripted solvers to reach every end).
 * @module
 */
import { NonFiniteError } from "../errors.js";
import type { TensorNetwork } from "../search/network/network.js";
import { networkEntries } from "../search/network/entries.js";
import type { SweepSolver, TrainingSamples } from "./sweep-solver.js";

/** Why a completion run ended. */
export type CompletionEndReason = "converged" | "stalled" | "max-sweeps" | "diverged";

/** What one sweep of a completion run reports (through `onSweep`, and in the result). */
export interface SweepRecord {
  /** 1 for the first sweep; counts on across restarts. */
  sweep: number;
  /** 1 for the first start, 2 for the first restart, … */
  attempt: number;
  /** Relative error ‖ŷ − y‖/‖y‖ on the training entries after the sweep. */
  trainRse: number;
  /** The same on the held-out validation entries; null without a validation split. */
  validationRse: number | null;
  /** The relative ridge the sweep used (see `ridgeStart`). */
  ridge: number;
  /** The bond ranks, edge by edge in the structure's edge order. */
  ranks: number[];
  /** Number of parameters of the network. */
  parameters: number;
  /** Seconds since the sweeps began, at the end of this one. */
  seconds: number;
}

/** The rules of the loop; defaults are applied by the caller. */
export interface SweepSettings {
  maxSweeps: number;
  targetRse: number;
  patience: number;
  stallTolerance: number;
  ridge: number;
  ridgeStart: number;
  ridgeDecay: number;
  restarts: number;
  onSweep: ((record: SweepRecord) => void) | undefined;
}

/** What the loop found: the network to return (the best one) and how the run went. */
export interface SweepOutcome {
  network: TensorNetwork<"f64">;
  reason: CompletionEndReason;
  message: string;
  records: SweepRecord[];
  /** The sweep after which `network` was taken (0: the first start). */
  best: number;
  trainRse: number;
  validationRse: number | null;
  /** Number of starts tried (1 + restarts used). */
  attempts: number;
}

/**
 * Once the training error follows the ridge down (error/ridge steady to 10 % over a sweep), what
 * remains of the error is the ridge's shrinkage, and the ridge falls by this factor per sweep.
 */
const FAST_DECAY = 0.2;
/**
 * Sweeps count towards `patience` only once the ridge is at most this (or at its floor). Above
 * it the fit is shrunk so much that its validation error sits near 1 whatever the start — on
 * the 8⁶ task, starts that go on to recover exactly spend their first 10–12 sweeps there — so
 * a lack of improvement says nothing yet.
 */
const STALL_CLOCK_RIDGE = 0.1;
/**
 * A start that stalls without having brought its score (validation error) below this has
 * learnt nothing a zero tensor does not know (RSE 1); it is a bad basin of the fit, not the
 * limit of the data, and the run restarts if it may. On the 8⁶ task about one random start in
 * eight ends there.
 */
const RESTART_ABOVE = 0.9;
/** A training error above this multiple of the attempt's best (and above 1) counts as exploding. */
const EXPLODING = 1e3;

/** Relative error of a network at samples (NaN or ∞ if its entries are). */
export function samplesError(net: TensorNetwork<"f64">, samples: TrainingSamples): number {
  const y = networkEntries(net, samples.idx).data;
  let num = 0, den = 0;
  for (let s = 0; s < samples.m; s++) {
    const x = samples.values[s]!;
    num += (y[s]! - x) ** 2;
    den += x * x;
  }
  return Math.sqrt(num / den);
}

interface Best {
  sweep: number;
  net: TensorNetwork<"f64">;
  trainRse: number;
  validationRse: number | null;
  score: number;
}

/**
 * Sweeps solvers from `newSolver(attempt)` (attempt 0 first) until the training error reaches
 * the target, the sweeps run out, a sweep gives a non-finite or exploding error, or the score
 * (the validation error, or the training error without a validation split) has not improved by
 * the relative `stallTolerance` for `patience` sweeps — then a start that got nowhere is
 * replaced by the next one while `restarts` last (see RESTART_ABOVE), and otherwise the run
 * ends as stalled. Returns the network of lowest score seen over all starts (the first start
 * itself included), never one with a non-finite entry.
 */
export function runSweeps(newSolver: (attempt: number) => SweepSolver, train: TrainingSamples, validation: TrainingSamples | undefined, ranks: number[], settings: SweepSettings): SweepOutcome {
  const { maxSweeps, targetRse, patience, stallTolerance, ridge: floor, ridgeStart, ridgeDecay, restarts, onSweep } = settings;
  const t0 = performance.now();
  const records: SweepRecord[] = [];
  const evaluate = (net: TensorNetwork<"f64">): { trainRse: number; validationRse: number | null } => ({
    trainRse: samplesError(net, train), validationRse: validation === undefined ? null : samplesError(net, validation),
  });
  let solver = newSolver(0);
  let net = solver.network();
  const first = evaluate(net);
  const parameters = net.structure.numParameters();
  const clockRidge = Math.max(STALL_CLOCK_RIDGE, floor);
  let best: Best = { sweep: 0, net, ...first, score: finiteOr(first.validationRse ?? first.trainRse, Infinity) };
  let attempt = 0, attemptBest = Infinity, anchor = Infinity, sinceImproved = 0, bestTrain = Infinity;
  let ridge = Math.max(floor, ridgeStart), ratio = NaN;
  let reason: CompletionEndReason = "max-sweeps";
  let message = `${maxSweeps} sweeps done without reaching the training error ${targetRse}`;
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let trainRse = NaN, validationRse: number | null = null;
    if (solver.sweep(ridge)) {
      try {
        net = solver.network();
        ({ trainRse, validationRse } = evaluate(net));
      } catch (e) {
        // The cores can overflow to ∞ in the gauge step after a finite solve.
        if (!(e instanceof NonFiniteError)) throw e;
      }
    }
    if (!Number.isFinite(trainRse) || (validationRse !== null && !Number.isFinite(validationRse))) {
      reason = "diverged";
      message = `sweep ${sweep} produced non-finite values; returning the best finite network (sweep ${best.sweep})`;
      break;
    }
    const record: SweepRecord = { sweep, attempt: attempt + 1, trainRse, validationRse, ridge, ranks: ranks.slice(), parameters, seconds: (performance.now() - t0) / 1000 };
    records.push(record);
    onSweep?.(record);
    if (trainRse > Math.max(1, EXPLODING * bestTrain)) {
      reason = "diverged";
      message = `the training error exploded to ${trainRse.toPrecision(3)} at sweep ${sweep} (best of this start ${bestTrain.toPrecision(3)}); returning the best network (sweep ${best.sweep})`;
      break;
    }
    bestTrain = Math.min(bestTrain, trainRse);
    const score = validationRse ?? trainRse;
    if (score < best.score) best = { sweep, net, trainRse, validationRse, score };
    attemptBest = Math.min(attemptBest, score);
    if (trainRse <= targetRse) {
      reason = "converged";
      message = `training error ${trainRse.toPrecision(3)} ≤ target ${targetRse} after ${sweep} sweeps`;
      break;
    }
    if (ridge <= clockRidge) {
      if (score < anchor * (1 - stallTolerance)) {
        anchor = score;
        sinceImproved = 0;
      } else sinceImproved++;
    }
    if (sinceImproved >= patience) {
      if (attempt < restarts && attemptBest > RESTART_ABOVE && sweep < maxSweeps) {
        attempt++;
        solver = newSolver(attempt);
        ridge = Math.max(floor, ridgeStart);
        ratio = NaN;
        attemptBest = anchor = bestTrain = Infinity;
        sinceImproved = 0;
        continue;
      }
      reason = "stalled";
      const what = validation === undefined ? "training" : "validation";
      message = `the ${what} error has not improved by ${stallTolerance} (relative) for ${patience} sweeps; best ${best.score.toPrecision(3)} at sweep ${best.sweep}`;
      break;
    }
    // The ridge path: geometric, faster once the error only tracks the ridge.
    const next = trainRse / ridge;
    const tracking = Math.abs(next / ratio - 1) < 0.1;
    ratio = next;
    ridge = Math.max(floor, ridge * (tracking ? Math.min(FAST_DECAY, ridgeDecay) : ridgeDecay));
  }
  if (attempt > 0) message += ` (${attempt} restart${attempt > 1 ? "s" : ""} after starts that learnt nothing)`;
  return { network: best.net, reason, message, records, best: best.sweep, trainRse: best.trainRse, validationRse: best.validationRse, attempts: attempt + 1 };
}

function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}
