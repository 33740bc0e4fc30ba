/**
 * Tensor completion with a fixed network structure: alternating least squares over the
 * observed entries of a tensor train, tensor ring or tree network, with a held-out validation
 * split, a record per sweep and a stated end.
 *
 * Plain ALS from a random start often stalls on exact low-rank data at high missing ratios: on
 * a rank-4 train of shape 8⁶ with 95 % missing, the training error of some starts sits at
 * ≈ 0.75 (error on all entries ≈ 3: overfitted) for hundreds of sweeps; 3 of 20 numpy starts
 * stay there beyond 60 sweeps, the others reach error 1e-4 after 8 to 60. The run follows a ridge
 * path: the first sweep uses a heavy ridge (10, relative to each slice's Gram matrix, in an
 * orthonormal gauge, so it shrinks the whole tensor), which acts like a spectral start — the
 * fit first captures only the dominant structure of the observed entries — and the ridge falls
 * by 0.7 per sweep, and by 0.2 once the remaining error is just its shrinkage (error/ridge
 * steady), down to `ridge`. With it, 20 of 20 numpy instances (random trains, samples and
 * starts, 10 % held out) reach error 1e-4 on all entries in 17–23 sweeps; the ridge path alone
 * does not rescue every start (1 in 8 on one instance, whatever the path's parameters), so a
 * start whose validation error never falls below 0.9 is replaced (`restarts`). See
 * test/fixtures/completion/als_reference.py for the numpy reference of the algorithm.
 * @module
 */
import { ArgumentError } from "../errors.js";
import { Rng, type Seed } from "../linalg/random.js";
import { startNetwork } from "../search/fit/als-observed.js";
import type { ObservedEntries, ObservedSplitOptions } from "../search/fit/observed.js";
import { Tensor } from "../linalg/tensor.js";
import { TensorNetwork } from "../search/network/network.js";
import { NetworkStructure } from "../search/network/structure.js";
import type { BackendChoice, BackendName, ComputeBackend, Precision } from "../backend/compute/backend.js";
import { resolveBackend } from "../backend/compute/select.js";
import { ChainAls, chainOrder } from "./chain-als.js";
import { BackendChainAls } from "./chain-als-backend.js";
import { GraphAls } from "./graph-als.js";
import { runSweeps, type CompletionEndReason, type SweepRecord } from "./run-sweeps.js";
import { completionSplit } from "./split.js";
import type { InnerSolver, SweepSolver, TrainingSamples } from "./sweep-solver.js";

export type { CompletionEndReason, SweepRecord } from "./run-sweeps.js";

/** A structure named by its format and ranks, built over the observed tensor's shape. */
export interface CompletionStructureSpec {
  /** `"tt"`: tensor train over the modes in order; `"tr"`: tensor ring (at least 3 modes). */
  format: "tt" | "tr";
  /** One rank for every bond, or one per bond (N − 1 for a train, N for a ring). */
  rank: number | readonly number[];
}

/** Options of {@link completeTensor}. */
export interface CompletionOptions {
  /**
   * The network to fit: a {@link NetworkStructure} over the observed tensor's mode sizes (a
   * train, ring, tree from {@link NetworkStructure.fromTree}, or any other graph), or a
   * {@link CompletionStructureSpec}. Required.
   */
  structure: NetworkStructure | CompletionStructureSpec;
  /** Share of the observed entries held out for validation, in [0, 1) (default 0.1). */
  validationFraction?: number;
  /**
   * Hold out whole fibres along these modes: entries that differ only in them go to the same
   * side of the split, and `validationFraction` counts fibres (see {@link ObservedSplitOptions}). Pass
   * an image's channel mode (`observedFromImage(…).channelModes`): otherwise the validation
   * error is measured on pixels whose other channels were fitted, and says nothing about the
   * missing pixels. Default: none.
   */
  validationGroupModes?: readonly number[];
  /**
   * Seed of the validation split and of the random start (default 1; the start is drawn after
   * a jump of the seed's generator, so it is not `TensorNetwork.random(structure, seed)`).
   */
  seed?: Seed;
  /** Start from this network (of the given structure) rather than a random one. */
  start?: TensorNetwork;
  /** Largest number of sweeps (default 100). A sweep updates every core, then back. */
  maxSweeps?: number;
  /** End as `"converged"` once the training error is at most this (default 1e-10). */
  targetRse?: number;
  /**
   * End as `"stalled"` (or restart, see `restarts`) after this many sweeps without an
   * improvement of the validation error (default 8). Sweeps count once the ridge is at most
   * 0.1: above, the fit is too shrunk for its validation error to say anything.
   */
  patience?: number;
  /** The relative fall of the validation error that counts as an improvement (default 1e-4). */
  stallTolerance?: number;
  /**
   * The final ridge of each slice's normal equations, relative to the mean diagonal of its
   * Gram matrix (default 1e-12). Raise it (e.g. 1e-3) on noisy data.
   */
  ridge?: number;
  /** The ridge of the first sweep (default 10); set it to `ridge` for plain ALS. */
  ridgeStart?: number;
  /** The factor by which the ridge falls per sweep (default 0.7), in (0, 1]. */
  ridgeDecay?: number;
  /**
   * New random starts allowed when a start stalls having learnt nothing — its validation error
   * never below 0.9, where a zero tensor scores 1 (default 2). About one random start in eight
   * ends so on a rank-4 train 8⁶ with 95 % missing, whatever the ridge path.
   */
  restarts?: number;
  /**
   * How each slice's least squares is solved on trains and rings (default `"auto"`): `"direct"`
   * (Gram matrix and Cholesky), `"cg"` (matrix-free conjugate gradients, 10 iterations per slice
   * from the current values; for large ranks, where a Gram matrix costs O(r⁴) per sample) or
   * `"auto"` (CG from 256 parameters per slice: rank 16 inside a train). Both lower the error at
   * every update and reach the same fixed point; other graphs always solve directly.
   */
  innerSolver?: InnerSolver;
  /**
   * Where the per-sample work of trains and rings runs (default: the CPU code path, f64):
   * `"cpu"`, `"gpu"` (WebGPU, f32: environment products and Gram sums in f32, solves in f64 on
   * the CPU; fails with GpuUnavailableError when no adapter answers), `"auto"` (the GPU only
   * when `precision` is `"f32"` and the training entries reach the crossover measured on a GPU;
   * until one is measured, always the CPU), or a backend from `selectBackend`, which the caller
   * keeps and disposes. Other graphs always run on the CPU. See docs/gpu.md.
   */
  backend?: BackendChoice | ComputeBackend;
  /** The precision the caller accepts for `backend` (default `"f64"`; `"gpu"` by name implies `"f32"`). */
  precision?: Precision;
  /** Called after every sweep with its record. */
  onSweep?: (record: SweepRecord) => void;
}

/** The result of {@link completeTensor}. */
export interface CompletionResult {
  /** The fitted network: the one with the lowest validation error seen (training error without a split). */
  network: TensorNetwork<"f64">;
  /** Why the run ended. */
  reason: CompletionEndReason;
  /** The reason in words, with the numbers behind it. */
  message: string;
  /** One record per completed sweep. */
  records: SweepRecord[];
  /** The sweep after which `network` was taken (0: the start). */
  best: number;
  /** The training error of `network`. */
  trainRse: number;
  /** The validation error of `network` (null without a split). */
  validationRse: number | null;
  /** The solver used: `"chain"` (trains and rings, cached interfaces) or `"graph"` (any graph). */
  solver: "chain" | "graph";
  /** Number of starts tried: 1, plus the restarts used. */
  attempts: number;
  /**
   * The observed entries as the run divided them: those fitted, and those held out (null
   * without a split), each in the canonical (sorted) order.
   */
  split: { train: ObservedEntries; validation: ObservedEntries | null };
  /** Slices with fewer training entries than parameters, one line per core; empty when none. */
  warnings: string[];
  /** Wall time of the whole run in seconds. */
  seconds: number;
  /** Where the per-sample work ran: the backend's name and device, and why it was chosen. */
  backend: { name: BackendName; precision: Precision; device: string; reason: string };
}

/**
 * Completes a tensor from observed entries with a network of fixed structure, by alternating
 * least squares over the entries (see the module notes for the ridge path it follows). The
 * observed entries are put in a canonical order first, so the result does not depend on the
 * order they are listed in; then `validationFraction` of them (seeded) are held out and never
 * used for fitting. Each sweep is reported through `onSweep` and in `records`.
 *
 * The run ends `"converged"` (training error ≤ `targetRse`), `"stalled"` (the validation
 * error — the training error without a split — has not improved for `patience` sweeps),
 * `"max-sweeps"`, or `"diverged"` (a non-finite or exploding error). In every case the
 * network returned is the best one seen, and finite.
 *
 * Trains and rings use a solver with cached interfaces (O(m·r₀·r²) per core update plus
 * O(m·r⁴) for the normal equations, m training entries); other graphs one with per-sample
 * environments. Use {@link completedEntries} or {@link completedTensor} for the completed
 * tensor.
 *
 * @throws {@link ArgumentError} for missing or bad options, all-zero observed values, or too
 * few entries to split; {@link ShapeError} for entries that do not fit the structure (and the
 * errors of {@link observedEntries} for bad entries).
 * @example
 * ```ts
 * // A rank-2 train of shape 6⁴ from 30 % of its entries.
 * const x = TensorNetwork.random(NetworkStructure.tensorTrain([6, 6, 6, 6], 2), 1).toFull();
 * const observed = sampleObserved(x, 0.3, 2);
 * const result = completeTensor(observed, { structure: { format: "tt", rank: 2 }, targetRse: 1e-8, seed: 3 });
 * console.assert(result.reason === "converged" && result.records.length > 0);
 * const full = completedTensor(result, observed);
 * console.assert(distance(full, x) / norm(x) < 1e-6);
 * ```
 */
export function completeTensor(observed: ObservedEntries, options: CompletionOptions): CompletionResult {
  const where = "completeTensor";
  const t0 = performance.now();
  if (observed === null || typeof observed !== "object" || !Array.isArray(observed.shape)) {
    throw new ArgumentError(`${where}: expected observed entries { shape, indices, values } (see observedEntries)`);
  }
  if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: options with a structure are required`);
  const structure = resolveStructure(observed.shape, options.structure, where);
  const {
    validationFraction = 0.1, validationGroupModes = [], seed = 1, start, maxSweeps = 100, targetRse = 1e-10, patience = 8, stallTolerance = 1e-4,
    ridge = 1e-12, ridgeStart = 10, ridgeDecay = 0.7, restarts = 2, innerSolver = "auto", onSweep,
  } = options;
  if (!["direct", "cg", "auto"].includes(innerSolver)) throw new ArgumentError(`${where}: innerSolver must be "direct", "cg" or "auto", got ${JSON.stringify(innerSolver)}`);
  checkOptions({ validationFraction, maxSweeps, targetRse, patience, stallTolerance, ridge, ridgeStart, ridgeDecay, restarts, onSweep }, where);
  // Random starts (the first unless `start` is given, and every restart's) come from one
  // generator: the seed's, after a jump, so that a run seeded like the generator of its data
  // (TensorNetwork.random(structure, seed)) does not start at the answer.
  const rng = new Rng(seed);
  rng.jump();
  // Checked here, before the split uses them.
  const split = completionSplit(structure, observed, validationFraction, validationGroupModes, seed, where);
  const trainObs = split.train, validationObs = split.validation ?? undefined;
  // One unit for both parts, from the training values only: the fit must not see the others.
  const unit = rms(trainObs.values);
  if (unit === 0) throw new ArgumentError(`${where}: the training entries are all zero; a relative error is undefined (change the seed or validationFraction)`);
  const train = scaled(trainObs, unit);
  const validation = validationObs === undefined ? undefined : scaled(validationObs, unit);
  if (validation !== undefined && rms(validation.values) === 0) {
    throw new ArgumentError(`${where}: the validation entries are all zero; a relative error is undefined (change the seed or validationFraction)`);
  }
  // A warm start is in the data's units; the solvers work in units of the training RMS.
  const first = start !== undefined ? rescaled(startNetwork(structure, where, start, seed, undefined), 1 / unit) : TensorNetwork.random(structure, rng);
  const isChain = chainOrder(structure) !== undefined;
  // A non-CPU backend runs trains and rings (BackendChainAls); the CPU code path is unchanged.
  const chosen = isChain ? resolveBackend(options.backend, { precision: options.precision, operation: "completion-sweep", size: train.m }) : undefined;
  const device = chosen !== undefined && chosen.backend.name !== "cpu" ? chosen.backend : undefined;
  const solverOf = (net: TensorNetwork<"f64">): SweepSolver => {
    if (solver instanceof BackendChainAls) solver.release();
    if (device !== undefined) return new BackendChainAls(structure, net, train, device);
    return isChain ? new ChainAls(structure, net, train, innerSolver) : new GraphAls(structure, net, train);
  };
  let solver: SweepSolver | undefined;
  let outcome;
  try {
    solver = solverOf(first);
    outcome = runSweeps(
      (attempt) => (attempt === 0 ? solver! : (solver = solverOf(TensorNetwork.random(structure, rng)))),
      train, validation, structure.edges().map((e) => e.rank), { maxSweeps, targetRse, patience, stallTolerance, ridge, ridgeStart, ridgeDecay, restarts, onSweep },
    );
  } finally {
    if (solver instanceof BackendChainAls) solver.release();
    if (chosen?.owned) chosen.backend.dispose();
  }
  const ranBackend = chosen === undefined
    ? { name: "cpu" as const, precision: "f64" as const, device: "the CPU code path", reason: options.backend === undefined ? "default" : isChain ? "cpu" : "this graph is not a train or ring: it runs on the CPU" }
    : { name: chosen.backend.name, precision: chosen.backend.precision, device: chosen.backend.name === "cpu" ? "the CPU code path" : chosen.backend.device, reason: chosen.reason };
  return {
    network: rescaled(outcome.network, unit),
    reason: outcome.reason,
    message: outcome.message,
    records: outcome.records,
    best: outcome.best,
    trainRse: outcome.trainRse,
    validationRse: outcome.validationRse,
    solver: isChain ? "chain" : "graph",
    attempts: outcome.attempts,
    split: { train: trainObs, validation: validationObs ?? null },
    warnings: solver!.underdetermined(),
    seconds: (performance.now() - t0) / 1000,
    backend: ranBackend,
  };
}

function resolveStructure(shape: readonly number[], spec: CompletionOptions["structure"] | undefined, where: string): NetworkStructure {
  if (spec instanceof NetworkStructure) return spec;
  if (spec === undefined || spec === null || typeof spec !== "object") {
    throw new ArgumentError(`${where}: options.structure is required: a NetworkStructure, or { format: "tt" | "tr", rank }`);
  }
  const { format, rank } = spec;
  if (format === "tt") return NetworkStructure.tensorTrain(shape, rank);
  if (format === "tr") return NetworkStructure.tensorRing(shape, rank);
  throw new ArgumentError(`${where}: structure.format must be "tt" or "tr", got ${JSON.stringify(format)}`);
}

function checkOptions(o: Required<Omit<CompletionOptions, "structure" | "seed" | "start" | "onSweep" | "validationGroupModes" | "innerSolver" | "backend" | "precision">> & { onSweep: unknown }, where: string): void {
  const fail = (what: string, value: unknown): never => {
    throw new ArgumentError(`${where}: ${what}, got ${typeof value === "number" ? value : JSON.stringify(value) ?? String(value)}`);
  };
  const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
  if (!isNum(o.validationFraction) || o.validationFraction < 0 || o.validationFraction >= 1) fail("validationFraction must lie in [0, 1)", o.validationFraction);
  if (!Number.isSafeInteger(o.maxSweeps) || o.maxSweeps < 1) fail("maxSweeps must be a whole number ≥ 1", o.maxSweeps);
  if (!isNum(o.targetRse) || o.targetRse < 0) fail("targetRse must be a finite number ≥ 0", o.targetRse);
  if (!Number.isSafeInteger(o.patience) || o.patience < 1) fail("patience must be a whole number ≥ 1", o.patience);
  if (!isNum(o.stallTolerance) || o.stallTolerance < 0 || o.stallTolerance >= 1) fail("stallTolerance must lie in [0, 1)", o.stallTolerance);
  if (!isNum(o.ridge) || o.ridge < 0) fail("ridge must be a finite number ≥ 0", o.ridge);
  if (!isNum(o.ridgeStart) || o.ridgeStart < 0) fail("ridgeStart must be a finite number ≥ 0", o.ridgeStart);
  if (!isNum(o.ridgeDecay) || o.ridgeDecay <= 0 || o.ridgeDecay > 1) fail("ridgeDecay must lie in (0, 1]", o.ridgeDecay);
  if (!Number.isSafeInteger(o.restarts) || o.restarts < 0) fail("restarts must be a whole number ≥ 0", o.restarts);
  if (o.onSweep !== undefined && typeof o.onSweep !== "function") fail("onSweep must be a function", o.onSweep);
}

// Values divided by `unit` (the RMS of the training values), so the normal equations' squares
// stay far from overflow and underflow whatever the data's scale.
function scaled(obs: ObservedEntries, unit: number): TrainingSamples {
  return { idx: obs.indices, values: obs.values.map((x) => x / unit), m: obs.values.length };
}

function rms(values: Float64Array): number {
  let s = 0;
  for (const x of values) s += x * x;
  return Math.sqrt(s / values.length);
}

// The network times `unit` (on its first core): `scaled` undone, or (with 1/unit) applied.
function rescaled(net: TensorNetwork<"f64">, unit: number): TensorNetwork<"f64"> {
  const core = net.cores[0]!;
  return net.withCores(new Map([[0, new Tensor("f64", core.shape.slice(), (core.data as Float64Array).map((x) => x * unit))]]));
}
