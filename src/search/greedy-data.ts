/**
 * What the greedy structure search fits: a full tensor (decomposition, compression) or observed
 * entries with a validation split (completion). The search itself ({@link greedyGrowth}) only
 * asks a {@link GreedyData} to fit a network, to score one, and to fit a raise's new slices to
 * the residual, so one search serves both.
 * @module
 */
import { sub } from "../linalg/elementwise.js";
import { distance, norm } from "../linalg/norms.js";
import type { Seed } from "../linalg/random.js";
import type { Tensor } from "../linalg/tensor.js";
import { fitNetwork, updateCore, type FitResult } from "./fit/als.js";
import { fitExtrapolated } from "./fit/als-extrapolated.js";
import { fitNetworkToEntries, samplesRse, sortedSamples, updateCoreFromSamples, type SortedSamples } from "./fit/als-observed.js";
import type { ObservedEntries } from "./fit/observed.js";
import type { ResidualCoreFit } from "./greedy-moves.js";
import { contractNetwork } from "./network/contract.js";
import { networkEntries } from "./network/entries.js";
import { TensorNetwork } from "./network/network.js";
import type { NetworkStructure } from "./network/structure.js";

/** A fit and the error the search judges it by. */
export interface ScoredFit {
  fit: FitResult;
  /** The relative error the search ranks by and stops at: on the target, or on validation entries. */
  score: number;
}

/** Settings of one refit. */
export interface RefitSettings {
  maxSweeps: number;
  targetRse: number;
  /** The fit only asks whether the structure reaches `targetRse`: give up early when it cannot. */
  giveUp?: boolean;
  /** `start` is a random start, not a warm one. */
  fresh?: boolean;
}

/** The data a greedy search fits, and how. Internal to src/search and src/completion. */
export interface GreedyData {
  /** Mode sizes of the tensor. */
  readonly shape: readonly number[];
  /** Entries the search's parameter budget is measured against (all of the tensor's). */
  readonly entries: number;
  /** Fits all cores from `start` (its structure). */
  refit(start: TensorNetwork<"f64">, settings: RefitSettings): ScoredFit;
  /** The first fit: a random start of `structure` from `seed`. */
  firstFit(structure: NetworkStructure, seed: Seed, settings: RefitSettings): ScoredFit;
  /** The error the search ranks `net` by (as a ScoredFit's score). */
  score(net: TensorNetwork<"f64">): number;
  /** Least-squares fits of single cores to the residual of `net` (computed once, reused for every candidate). */
  residualFit(net: TensorNetwork<"f64">): ResidualCoreFit;
}

/**
 * A full target tensor: fits by extrapolated ALS, scores by ‖X − Y‖/‖X‖. Internal to
 * src/search (tested in test/search/greedy-data.test.ts).
 */
export function fullTargetData(target: Tensor): GreedyData {
  const xNorm = norm(target);
  const refit = (start: TensorNetwork<"f64">, settings: RefitSettings): ScoredFit => {
    const fit = fitExtrapolated(start, target, settings);
    return { fit, score: fit.rse };
  };
  return {
    shape: target.shape,
    entries: target.data.length / (target.dtype === "c128" ? 2 : 1),
    refit,
    firstFit: (structure, seed, settings) => {
      const fit = fitNetwork(structure, target, { maxSweeps: settings.maxSweeps, seed, targetRse: settings.targetRse });
      return { fit, score: fit.rse };
    },
    score: (net) => distance(contractNetwork(net), target) / xNorm,
    residualFit: (net) => {
      const residual = sub(target, contractNetwork(net));
      return (slices, w) => updateCore(slices, residual, w);
    },
  };
}

const RIDGE_PATH_START = 10, RIDGE_PATH_END = 1e-4;

/** Options of {@link observedEntriesData}. */
export interface ObservedDataOptions {
  /** Ridge of the normal equations, relative (see fitNetworkToEntries); default 1e-10. */
  ridge?: number;
  /** Sweeps without a better validation error before a refit stops (default 10: a random start can rise above its starting error in its first sweeps). */
  patience?: number;
  /**
   * The training error at which a fit stops (default 1e-12). The search's target applies to
   * the validation error: a fit stopped at the same training error would end just above it.
   */
  fitTargetRse?: number;
}

/**
 * Observed entries split into training and validation parts: fits by ALS over the training
 * entries with early stopping on the validation ones, scores by the validation error — so
 * the search grows ranks only while they help on entries it never fitted. Internal to
 * src/search and src/completion (used by {@link completeGreedy}).
 */
export function observedEntriesData(train: ObservedEntries, validation: ObservedEntries, options: ObservedDataOptions = {}): GreedyData {
  const { ridge = 1e-10, patience = 10, fitTargetRse = 1e-12 } = options;
  const shape = train.shape.slice();
  const entries = shape.reduce((p, n) => p * n, 1);
  // Sorted once per structure's mode order; the samples' order does not depend on the structure
  // (rows sorted by multi-index), so one sort serves every candidate.
  let trainSorted: SortedSamples | undefined, heldSorted: SortedSamples | undefined;
  const sorted = (structure: NetworkStructure): { train: SortedSamples; held: SortedSamples } => {
    trainSorted ??= sortedSamples(structure, train, "greedy completion");
    heldSorted ??= sortedSamples(structure, validation, "greedy completion (validation)");
    return { train: trainSorted, held: heldSorted };
  };
  // From a random start, plain ALS over few entries overfits at once: on a train 6⁴ from 40 %
  // of its entries one start's validation error rose from 1.7 to 6.8 in ten sweeps while the
  // training error fell, and early stopping ended it there. A few sweeps with a heavy ridge,
  // lightened by half each sweep (completeTensor's path, shortened), lead it to the basin.
  const ridgePath = (start: TensorNetwork<"f64">): TensorNetwork<"f64"> => {
    let net = start;
    for (let r = RIDGE_PATH_START; r > RIDGE_PATH_END; r *= 0.5) net = fitNetworkToEntries(net.structure, train, { start: net, maxSweeps: 1, ridge: r, targetRse: 0, stallTolerance: 0 }).network;
    return net;
  };
  const fitFrom = (structure: NetworkStructure, start: TensorNetwork<"f64"> | undefined, seed: Seed, settings: RefitSettings): ScoredFit => {
    const fit = fitNetworkToEntries(structure, train, {
      maxSweeps: settings.maxSweeps, targetRse: fitTargetRse, validation, patience, ridge, seed, ...(start !== undefined ? { start } : {}),
    });
    return { fit, score: fit.validationRse! };
  };
  return {
    shape,
    entries,
    refit: (start, settings) => fitFrom(start.structure, settings.fresh === true ? ridgePath(start) : start, 1, settings),
    firstFit: (structure, seed, settings) => fitFrom(structure, ridgePath(TensorNetwork.random(structure, seed)), 1, settings),
    score: (net) => samplesRse(net, sorted(net.structure).held),
    residualFit: (net) => {
      const samples = sorted(net.structure).train;
      const y = networkEntries(net, samples.idx).data;
      const residual: SortedSamples = { ...samples, values: samples.values.map((x, s) => x - (y[s] as number)) };
      return (slices, w) => updateCoreFromSamples(slices, w, residual, ridge);
    },
  };
}
