/**
 * Fitting a tensor network of any graph to observed entries by alternating least squares — the
 * fit behind tensor completion and behind structure search on partially known data. With core
 * v's open index fixed to j, an entry is linear in the slice core_v[j] through the sample's
 * environment (every other core contracted at the sample's indices), so each slice is the
 * solution of a small least-squares problem over the samples whose index on v's mode is j.
 * @module
 */
import { choleskyInPlace, choleskySubstitute } from "../../linalg/decomp/cholesky.js";
import { ArgumentError } from "../../errors.js";
import type { Seed } from "../../linalg/random.js";
import { Tensor } from "../../linalg/tensor.js";
import { networkEntries } from "../network/entries.js";
import { TensorNetwork } from "../network/network.js";
import { environmentSize, forEachSampleEnvironment } from "../network/sample-environments.js";
import type { NetworkStructure } from "../network/structure.js";
import type { FitOptions, FitResult } from "./als.js";
import { checkObserved, type ObservedEntries } from "./observed.js";

/** Options of {@link fitNetworkToEntries}. */
export interface EntriesFitOptions extends FitOptions {
  /**
   * Held-out entries for early stopping: after every sweep the error on them is measured, the
   * network with the lowest one is kept and returned, and the fit stops (`"stalled"`) once
   * `patience` sweeps in a row have not lowered it. See {@link splitObserved}.
   */
  validation?: ObservedEntries;
  /** Sweeps without a new best validation error before stopping (default 5). */
  patience?: number;
  /**
   * Ridge of each slice's normal equations, relative to the mean diagonal of its Gram matrix
   * (default 1e-12, as {@link fitNetwork}): it keeps slices seen by fewer samples than the
   * slice has parameters finite (the minimum-norm solution, in the limit), and larger values
   * regularise completion.
   */
  ridge?: number;
}

/** The result of a fit to observed entries: a {@link FitResult} plus the validation record. */
export interface EntriesFitResult extends FitResult {
  /** The error on the validation entries of the returned network (with `validation` only). */
  validationRse?: number;
  /** The validation error after each sweep or step (with `validation` only). */
  validationHistory?: number[];
  /**
   * The sweep (or step) after which the returned network was taken: 0 is the start. It is
   * `sweeps` unless a validation set or a best-iterate rule chose an earlier one.
   */
  best: number;
}

/**
 * Training data in a canonical order (multi-indices sorted lexicographically), so that a fit's
 * arithmetic, and hence its result bit for bit, does not depend on the order samples are given
 * in; the sort also makes neighbouring samples read neighbouring core slices. Internal to
 * src/search.
 */
export interface SortedSamples {
  idx: Int32Array;
  values: Float64Array;
  m: number;
  norm: number;
}

/** Validates observed entries against a structure and sorts them; internal to src/search. */
export function sortedSamples(structure: NetworkStructure, obs: ObservedEntries, where: string): SortedSamples {
  const m = checkObserved(obs, structure.dims, where);
  if (m === 0) throw new ArgumentError(`${where}: no observed entries to fit`);
  const N = structure.numModes;
  const order = Array.from({ length: m }, (_, s) => s);
  const rows = obs.indices;
  order.sort((a, b) => {
    for (let k = 0; k < N; k++) {
      const d = rows[a * N + k]! - rows[b * N + k]!;
      if (d !== 0) return d;
    }
    return 0;
  });
  const idx = new Int32Array(m * N), values = new Float64Array(m);
  order.forEach((s, t) => {
    idx.set(rows.subarray(s * N, s * N + N), t * N);
    values[t] = obs.values[s]!;
  });
  let sq = 0;
  for (let s = 0; s < m; s++) sq += values[s]! ** 2;
  if (sq === 0) throw new ArgumentError(`${where}: the observed values are all zero; a relative error is undefined`);
  return { idx, values, m, norm: Math.sqrt(sq) };
}

/** Relative error of a network at sorted samples; internal to src/search. */
export function samplesRse(net: TensorNetwork<"f64">, samples: SortedSamples): number {
  const y = networkEntries(net, samples.idx).data;
  let sq = 0;
  for (let s = 0; s < samples.m; s++) sq += (y[s]! - samples.values[s]!) ** 2;
  return Math.sqrt(sq) / samples.norm;
}

/** Checks a warm start against the structure, or draws the random one; internal to src/search. */
export function startNetwork(structure: NetworkStructure, where: string, start: TensorNetwork | undefined, seed: Seed, sigma: number | undefined): TensorNetwork<"f64"> {
  if (start === undefined) return TensorNetwork.random(structure, seed, sigma !== undefined ? { sigma } : {});
  if (!(start instanceof TensorNetwork) || !start.structure.equals(structure)) {
    throw new ArgumentError(`${where}: the start network must have the structure being fitted (${structure.key()}), vertex by vertex`);
  }
  if (start.dtype !== "f64") throw new ArgumentError(`${where}: the start network must be real (f64), got ${start.dtype}`);
  return start as TensorNetwork<"f64">;
}

/**
 * The ridge-regularised least-squares update of core v from samples (exact minimiser of the
 * squared error over that core, up to the ridge): per slice j, (G_j + δ_j I) g = r_j with
 * G_j = Σ e eᵀ and r_j = Σ x e over the samples with index j, e their environments. Internal
 * to src/search (the greedy search fits new slices to residuals with it).
 */
export function updateCoreFromSamples(net: TensorNetwork<"f64">, v: number, samples: SortedSamples, ridge: number): Tensor<"f64"> {
  const s = net.structure;
  const R = environmentSize(s, v), n = s.openSize(v), mode = s.perm[v]!, N = s.numModes;
  const gram = new Float64Array(n * R * R), rhs = new Float64Array(n * R);
  const { idx, values } = samples;
  forEachSampleEnvironment(net, v, idx, samples.m, (s0, count, env) => {
    for (let t = 0; t < count; t++) {
      const j = mode >= 0 ? idx[(s0 + t) * N + mode]! : 0;
      const e = t * R, g = j * R * R, r = j * R, x = values[s0 + t]!;
      // Upper triangle only; ridgeSolve mirrors it.
      for (let a = 0; a < R; a++) {
        const ea = env[e + a]!, row = g + a * R;
        rhs[r + a] = rhs[r + a]! + x * ea;
        for (let b = a; b < R; b++) gram[row + b] = gram[row + b]! + ea * env[e + b]!;
      }
    }
  });
  const core = new Float64Array(n * R);
  const work = new Float64Array(R * R);
  for (let j = 0; j < n; j++) ridgeSolve(gram.subarray(j * R * R, (j + 1) * R * R), rhs.subarray(j * R, (j + 1) * R), R, ridge, work, core.subarray(j * R, (j + 1) * R));
  return new Tensor("f64", s.coreShape(v), core);
}

/**
 * Solves (G + δI) x = r for a symmetric positive semi-definite G given by its upper triangle, by
 * Cholesky, with δ = ridge · tr(G)/R (an absolute `ridge` when G = 0, where r = 0 too). Should
 * round-off leave a pivot non-positive (only when ridge is below about R·ε), δ grows tenfold
 * until the factorisation succeeds, so the answer is always finite. Internal to src/search.
 */
export function ridgeSolve(G: Float64Array, r: Float64Array, R: number, ridge: number, work: Float64Array, out: Float64Array): void {
  let trace = 0;
  for (let a = 0; a < R; a++) trace += G[a * R + a]!;
  const scale = trace / R || 1;
  let delta = ridge * scale;
  for (let attempt = 0; ; attempt++) {
    if (cholesky(G, R, delta, work)) break;
    delta = Math.max(delta * 10, 1e-15 * scale);
    if (attempt > 40) {
      out.fill(0);
      return;
    }
  }
  choleskySubstitute(work, R, r, out);
}

// L·Lᵀ = G + δI into the lower triangle of `L` (read from G's upper triangle, which is the one
// the accumulation makes); false if a pivot is not positive and finite.
function cholesky(G: Float64Array, R: number, delta: number, L: Float64Array): boolean {
  for (let a = 0; a < R; a++) for (let b = 0; b <= a; b++) L[a * R + b] = G[b * R + a]! + (a === b ? delta : 0);
  return choleskyInPlace(L, R);
}

/**
 * Fits a network of the given structure to observed entries by alternating least squares, for
 * any graph (trains, rings, fully connected, trees with inner vertices): each sweep updates the
 * cores in vertex order, each core slice by slice (see the module notes), a vertex without an
 * open leg as one slice. The training error never increases from sweep to sweep (up to the
 * ridge). Fully observed data gives the same iterates as {@link fitNetwork}. Deterministic for a
 * seed or start, and independent of the order in which the samples are listed.
 *
 * Options as {@link fitNetwork}'s (targetRse, maxSweeps and stallTolerance apply to the training
 * error), plus `validation` for early stopping and `ridge`; see {@link EntriesFitOptions}. One
 * sweep costs about V + 1 per-entry contractions per sample (V environments, then the error),
 * plus R² per sample and core for the normal equations (R: the product of the core's bond
 * ranks).
 *
 * @throws {@link ShapeError} or {@link ArgumentError} for entries that do not fit the structure
 * (see {@link observedEntries}), all-zero values, or bad options.
 * @example
 * ```ts
 * // A rank-2 train recovered from 40 % of its entries.
 * const s = NetworkStructure.tensorTrain([5, 5, 5, 5], 2);
 * const obs = sampleObserved(TensorNetwork.random(s, 3).toFull(), 0.4, 4);
 * const fit = fitNetworkToEntries(s, obs, { targetRse: 1e-9, maxSweeps: 200, seed: 5 });
 * console.assert(fit.rse < 1e-9 && fit.stop === "target" && fit.history.length === fit.sweeps);
 * ```
 */
export function fitNetworkToEntries(structure: NetworkStructure, observed: ObservedEntries, options: EntriesFitOptions = {}): EntriesFitResult {
  const where = "fitNetworkToEntries";
  const { targetRse = 1e-10, maxSweeps = 50, stallTolerance = 1e-6, seed = 1, start, sigma, validation, patience = 5, ridge = 1e-12 } = options;
  if (!(targetRse >= 0) || !Number.isSafeInteger(maxSweeps) || maxSweeps < 1 || !(stallTolerance >= 0)) {
    throw new ArgumentError(`${where}: targetRse ≥ 0, maxSweeps a whole number ≥ 1 and stallTolerance ≥ 0 are required`);
  }
  if (!Number.isSafeInteger(patience) || patience < 1) throw new ArgumentError(`${where}: patience must be a whole number ≥ 1, got ${patience}`);
  if (!(typeof ridge === "number" && ridge >= 0 && Number.isFinite(ridge))) throw new ArgumentError(`${where}: ridge must be a finite number ≥ 0, got ${ridge}`);
  const train = sortedSamples(structure, observed, where);
  const held = validation === undefined ? undefined : sortedSamples(structure, validation, `${where} (validation)`);
  let net = startNetwork(structure, where, start, seed, sigma);
  const history: number[] = [];
  const validationHistory: number[] = [];
  let rse = samplesRse(net, train);
  let best = { sweep: 0, net, rse, validation: held === undefined ? Infinity : samplesRse(net, held) };
  let stop: EntriesFitResult["stop"] = "max-sweeps";
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    if (rse <= targetRse) {
      stop = "target";
      break;
    }
    for (let v = 0; v < structure.numVertices; v++) net = net.withCores(new Map([[v, updateCoreFromSamples(net, v, train, ridge)]]));
    const next = samplesRse(net, train);
    history.push(next);
    const improved = rse - next;
    rse = next;
    if (held !== undefined) {
      const err = samplesRse(net, held);
      validationHistory.push(err);
      if (err < best.validation) best = { sweep, net, rse, validation: err };
    } else best = { sweep, net, rse, validation: Infinity };
    if (rse <= targetRse) {
      stop = "target";
      break;
    }
    if (improved < stallTolerance * rse || (held !== undefined && sweep - best.sweep >= patience)) {
      stop = "stalled";
      break;
    }
  }
  const result: EntriesFitResult = { network: best.net, rse: best.rse, history, sweeps: history.length, stop, parameters: structure.numParameters(), best: best.sweep };
  if (held !== undefined) {
    result.validationRse = best.validation;
    result.validationHistory = validationHistory;
  }
  return result;
}
