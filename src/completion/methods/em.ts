/**
 * The EM-imputation baseline of tensor completion, as tensorly users get it with `mask=`: fill
 * the missing entries, project the filled tensor onto low TT-rank by TT-SVD, put the observed
 * values back, repeat. It is what people use today, so it is the row to beat; it works on the
 * dense tensor by nature.
 * @module
 */
import { ArgumentError } from "../../errors.js";
import { formatShape } from "../../linalg/shape.js";
import type { ObservedEntries } from "../../search/fit/observed.js";
import { MethodRun, methodSamples, resolveMethodOptions, type CompletionMethodOptions, type CompletionMethodResult, type CompletionMethodStop } from "./run-record.js";
import { trainFromDense, trainRanks, trainToDense, trainToNetwork } from "./tensor-train.js";

/** The largest tensor {@link completeEm} accepts: 2^26 entries (512 MiB of f64 per copy). */
const EM_MAX_ENTRIES = 2 ** 26;

/** Options of {@link completeEm}: one of `rank` and `maxRank`, and the common options. */
export interface EmOptions extends CompletionMethodOptions {
  /** TT-rank to truncate to: one for every bond, or the d − 1 bond ranks (each capped by what the shape allows). */
  rank?: number | readonly number[];
  /**
   * Instead of `rank`: the largest rank of every bond, each bond keeping only as many singular
   * values as `truncationTolerance` needs.
   */
  maxRank?: number;
  /**
   * With `maxRank`: the relative Frobenius-norm error each TT-SVD truncation may make per bond
   * (default 1e-12, so that exactly low-rank data gets its own ranks).
   */
  truncationTolerance?: number;
}

/**
 * Completes a tensor from observed entries by EM imputation with TT-SVD (the baseline that
 * tensorly's `mask=` argument gives for CP and Tucker, here on tensor trains). It starts from
 * the observed values and their mean everywhere else; each iteration truncates the filled
 * tensor to the TT-rank by TT-SVD (Oseledets), measures the truncated tensor's error on the
 * observed entries, and re-imposes the observed values. Deterministic (it draws nothing; `seed`
 * is accepted for a uniform options shape).
 *
 * The method is dense: every iteration holds two copies of the full tensor and runs a TT-SVD of
 * it, O(N·Σ r_k n_k) for N entries. Tensors above 2^26 entries are refused; use
 * {@link completeRttc} (or ALS completion) there. It is reliable only at low missing ratios: on a
 * rank-4 tensor train of shape 8^6 it reaches RSE ≈ 1e-7 / 1e-3 / 0.1 at 80 / 90 / 95 % missing
 * after 100 iterations, where Riemannian CG and ALS recover the tensor.
 *
 * Stops as {@link CompletionMethodStop} says; `iterations` defaults to 100. The returned
 * network is the last truncation (or, with `validation`, the one with the lowest validation
 * error), without the observed values re-imposed.
 *
 * @throws {@link ArgumentError} for a tensor above 2^26 entries, neither or both of `rank` and
 * `maxRank`, or bad options; {@link ShapeError} or {@link ArgumentError} for invalid observed
 * entries (see `observedEntries`), fewer than 2 modes, or all-zero values.
 * @example
 * ```ts
 * // A rank-2 train of shape 6×6×6 with 30 % of its entries missing.
 * const truth = TensorNetwork.random(NetworkStructure.tensorTrain([6, 6, 6], 2), 1);
 * const obs = sampleObserved(truth.toFull(), 0.7, 2);
 * const fit = completeEm(obs, { rank: 2, iterations: 200 });
 * const err = distance(fit.network.toFull(), truth.toFull()) / norm(truth.toFull());
 * console.assert(err < 1e-3 && fit.history.length === fit.iterations);
 * let caught: unknown;
 * try { completeEm(obs, { rank: 2, maxRank: 3 }); } catch (e) { caught = e; }
 * console.assert(caught instanceof ArgumentError);
 * ```
 */
export function completeEm(observed: ObservedEntries, options: EmOptions = {}): CompletionMethodResult {
  const where = "completeEm";
  if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: options must be an object`);
  const common = resolveMethodOptions(options, 100, where);
  const samples = methodSamples(observed, options.validation, where);
  const dims = observed.shape;
  const size = dims.reduce((p, n) => p * n, 1);
  if (size > EM_MAX_ENTRIES) {
    throw new ArgumentError(
      `${where}: the tensor of shape ${formatShape(dims)} has ${size} entries; EM imputation works on the dense tensor and is limited to 2^26 = ${EM_MAX_ENTRIES} entries. Use completeRttc, which never forms it`,
    );
  }
  const { rank, maxRank, truncationTolerance = 1e-12 } = options;
  if ((rank === undefined) === (maxRank === undefined)) throw new ArgumentError(`${where}: give exactly one of rank (fixed TT-ranks) and maxRank (a cap with truncationTolerance)`);
  if (!(typeof truncationTolerance === "number" && truncationTolerance >= 0 && truncationTolerance < 1)) {
    throw new ArgumentError(`${where}: truncationTolerance must lie in [0, 1), got ${truncationTolerance}`);
  }
  const caps = rank !== undefined ? trainRanks(dims, rank, where) : trainRanks(dims, maxRank!, where, "maxRank");
  const tol = rank !== undefined ? 0 : truncationTolerance;

  const { train } = samples;
  const d = dims.length;
  const offsets = new Float64Array(train.m);
  let mean = 0;
  for (let s = 0; s < train.m; s++) {
    let off = 0;
    for (let k = 0; k < d; k++) off = off * dims[k]! + train.idx[s * d + k]!;
    offsets[s] = off;
    mean += train.values[s]!;
  }
  mean /= train.m;
  let filled: Float64Array = new Float64Array(size).fill(mean);
  const impose = (z: Float64Array): void => {
    for (let s = 0; s < train.m; s++) z[offsets[s]!] = train.values[s]!;
  };
  impose(filled);

  const run = new MethodRun(samples, common);
  let stop: CompletionMethodStop = "max-iterations";
  let iterations = 0;
  for (let it = 1; it <= common.iterations; it++) {
    const tt = trainFromDense(filled, dims, caps, tol);
    const x = trainToDense(tt);
    let sq = 0;
    for (let s = 0; s < train.m; s++) sq += (x[offsets[s]!]! - train.values[s]!) ** 2;
    const rse = Math.sqrt(sq) / train.norm;
    iterations = it;
    const why = run.record(it, tt, rse);
    if (why !== undefined) {
      stop = why;
      break;
    }
    impose(x);
    filled = x;
  }
  const chosen = run.chosen();
  const network = trainToNetwork(chosen.tt);
  return {
    network,
    ranks: chosen.tt.ranks.slice(1, -1),
    rse: chosen.rse,
    ...(chosen.validation !== undefined ? { validationRse: chosen.validation } : {}),
    history: run.history,
    iterations,
    best: chosen.iteration,
    stop,
    parameters: network.numParameters(),
    seconds: run.elapsed(),
  };
}
