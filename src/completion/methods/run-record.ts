/**
 * What the comparison completion methods share: their common options, the per-iteration record
 * and result they report, and the bookkeeping that decides when a run stops and which iterate
 * it returns, so that EM and Riemannian CG stop by the same rules and report alike.
 * @module
 */
import { ArgumentError, ShapeError } from "../../errors.js";
import type { Seed } from "../../linalg/random.js";
import { formatShape } from "../../linalg/shape.js";
import { sortedSamples, type SortedSamples } from "../../search/fit/als-observed.js";
import type { ObservedEntries } from "../../search/fit/observed.js";
import type { TensorNetwork } from "../../search/network/network.js";
import { NetworkStructure } from "../../search/network/structure.js";
import { trainEntries, type TensorTrain } from "./tensor-train.js";

/**
 * Why a completion method stopped: the training error reached `tolerance` (`"converged"`); it
 * changed by less than `stallTolerance` (relative) for 3 iterations in a row, the gradient
 * vanished, or the validation error did not improve for `patience` iterations (`"stalled"`);
 * the iteration cap was reached (`"max-iterations"`); or an iterate was not finite
 * (`"diverged"`, the last finite iterate is returned).
 */
export type CompletionMethodStop = "converged" | "stalled" | "max-iterations" | "diverged";

/** One iteration of a completion method. */
export interface CompletionMethodIteration {
  /** 1, 2, …: the iterate after this many iterations. */
  iteration: number;
  /** ‖x_Ω − y_Ω‖/‖y_Ω‖ over the training entries. */
  trainRse: number;
  /** The same over the validation entries (with `validation` only). */
  validationRse?: number;
  /** Seconds since the run started. */
  seconds: number;
}

/** Options every comparison completion method takes. */
export interface CompletionMethodOptions {
  /** The most iterations to run. */
  iterations?: number;
  /** Stop (`"converged"`) once the training RSE is at most this (default 1e-10). */
  tolerance?: number;
  /**
   * Stop (`"stalled"`) once the training RSE has changed by at most this fraction of itself in 3
   * iterations in a row (default 1e-7).
   */
  stallTolerance?: number;
  /**
   * Held-out entries, never fitted: their RSE is reported every iteration and the iterate with
   * the lowest one is returned (see `splitObserved`).
   */
  validation?: ObservedEntries;
  /** With `validation`: stop (`"stalled"`) after this many iterations without a new best (default: never). */
  patience?: number;
  /** Seed of whatever the method draws at random (default 1). */
  seed?: Seed;
  /** Called after every iteration, e.g. for progress output. */
  onIteration?: (record: CompletionMethodIteration) => void;
}

/** What a comparison completion method returns. */
export interface CompletionMethodResult {
  /** The fitted tensor train (`NetworkStructure.tensorTrain`, modes in order). */
  network: TensorNetwork<"f64">;
  /** Its d − 1 bond ranks. */
  ranks: number[];
  /** Training RSE of the returned network. */
  rse: number;
  /** Validation RSE of the returned network (with `validation` only). */
  validationRse?: number;
  /** One record per iteration run. */
  history: CompletionMethodIteration[];
  /** Iterations run (steps taken), one history record each. */
  iterations: number;
  /** The iteration whose iterate is returned (0: the start). */
  best: number;
  stop: CompletionMethodStop;
  /** Entries of the returned network's cores. */
  parameters: number;
  /** Wall time of the run in seconds. */
  seconds: number;
}

/** Training and validation samples, sorted so that results do not depend on their order. */
export interface MethodSamples {
  train: SortedSamples;
  validation?: SortedSamples;
}

/** Validates and sorts the samples of a run; internal to src/completion. */
export function methodSamples(observed: ObservedEntries, validation: ObservedEntries | undefined, where: string): MethodSamples {
  if (observed === null || typeof observed !== "object" || !Array.isArray(observed.shape)) {
    throw new ArgumentError(`${where}: expected observed entries { shape, indices, values } (see observedEntries)`);
  }
  const dims = observed.shape;
  if (dims.length < 2) throw new ShapeError(`${where}: tensor-train completion needs at least 2 modes, got shape ${formatShape(dims)}`);
  // sortedSamples only reads the structure's mode sizes.
  const structure = NetworkStructure.tensorTrain(dims, 1);
  const train = sortedSamples(structure, observed, where);
  if (validation === undefined) return { train };
  if (validation === null || typeof validation !== "object" || !Array.isArray(validation.shape)) {
    throw new ArgumentError(`${where}: validation must be observed entries { shape, indices, values }`);
  }
  if (validation.shape.length !== dims.length || validation.shape.some((n, k) => n !== dims[k])) {
    throw new ShapeError(`${where}: validation entries of a tensor of shape ${formatShape(validation.shape)}, but the training entries have shape ${formatShape(dims)}`);
  }
  return { train, validation: sortedSamples(structure, validation, `${where} (validation)`) };
}

/** RSE of a train at sorted samples. */
export function trainRse(tt: TensorTrain, samples: SortedSamples): number {
  const y = trainEntries(tt, samples.idx, samples.m);
  let sq = 0;
  for (let s = 0; s < samples.m; s++) sq += (y[s]! - samples.values[s]!) ** 2;
  return Math.sqrt(sq) / samples.norm;
}

/** Resolved common options. */
export interface ResolvedMethodOptions {
  iterations: number;
  tolerance: number;
  stallTolerance: number;
  patience: number;
  onIteration?: (record: CompletionMethodIteration) => void;
}

/** Checks the common options, with the method's default iteration cap. */
export function resolveMethodOptions(options: CompletionMethodOptions, defaultIterations: number, where: string): ResolvedMethodOptions {
  const { iterations = defaultIterations, tolerance = 1e-10, stallTolerance = 1e-7, patience = Infinity, onIteration } = options;
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new ArgumentError(`${where}: iterations must be a whole number ≥ 1, got ${iterations}`);
  if (!(typeof tolerance === "number" && tolerance >= 0 && Number.isFinite(tolerance))) throw new ArgumentError(`${where}: tolerance must be a finite number ≥ 0, got ${tolerance}`);
  if (!(typeof stallTolerance === "number" && stallTolerance >= 0 && Number.isFinite(stallTolerance))) {
    throw new ArgumentError(`${where}: stallTolerance must be a finite number ≥ 0, got ${stallTolerance}`);
  }
  if (!(patience === Infinity || (Number.isSafeInteger(patience) && patience >= 1))) throw new ArgumentError(`${where}: patience must be a whole number ≥ 1, got ${patience}`);
  if (onIteration !== undefined && typeof onIteration !== "function") throw new ArgumentError(`${where}: onIteration must be a function`);
  return { iterations, tolerance, stallTolerance, patience, ...(onIteration ? { onIteration } : {}) };
}

const STALL_RUN = 3;

/**
 * The record of a run: iterates go in with their training error, the run learns whether to
 * stop, and the returned iterate (lowest validation error, or the last) comes out.
 */
export class MethodRun {
  readonly history: CompletionMethodIteration[] = [];
  private readonly start = performance.now();
  private best: { iteration: number; tt: TensorTrain; rse: number; validation: number } | undefined;
  private last: { tt: TensorTrain; rse: number } | undefined;
  private flat = 0;

  /** `start`: the iterate before the first iteration, when the method has one (iteration 0). */
  constructor(private readonly samples: MethodSamples, private readonly options: ResolvedMethodOptions, start?: { tt: TensorTrain; rse: number }) {
    if (start !== undefined) {
      const validation = samples.validation === undefined ? Infinity : trainRse(start.tt, samples.validation);
      this.best = { iteration: 0, tt: start.tt, rse: start.rse, validation };
      this.last = start;
    }
  }

  /**
   * Records iterate `iteration` with training RSE `rse` (computed by the caller, who has the
   * model values at the samples at hand); returns why to stop, if the run should.
   */
  record(iteration: number, tt: TensorTrain, rse: number): CompletionMethodStop | undefined {
    if (!Number.isFinite(rse)) return "diverged";
    const entry: CompletionMethodIteration = { iteration, trainRse: rse, seconds: this.elapsed() };
    const previous = this.last?.rse ?? Infinity;
    this.last = { tt, rse };
    if (this.samples.validation !== undefined) {
      const v = trainRse(tt, this.samples.validation);
      entry.validationRse = v;
      if (this.best === undefined || v < this.best.validation) this.best = { iteration, tt, rse, validation: v };
    } else this.best = { iteration, tt, rse, validation: Infinity };
    this.history.push(entry);
    this.options.onIteration?.(entry);
    if (rse <= this.options.tolerance) return "converged";
    this.flat = Number.isFinite(previous) && Math.abs(previous - rse) <= this.options.stallTolerance * previous ? this.flat + 1 : 0;
    if (this.flat >= STALL_RUN) return "stalled";
    if (iteration - this.best!.iteration >= this.options.patience) return "stalled";
    return undefined;
  }

  /** Seconds since the run started. */
  elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  /** The iterate to return and its errors. */
  chosen(): { iteration: number; tt: TensorTrain; rse: number; validation?: number } {
    const b = this.best;
    if (b === undefined) throw new Error("MethodRun: nothing recorded");
    return this.samples.validation === undefined ? { iteration: b.iteration, tt: b.tt, rse: b.rse } : b;
  }
}
