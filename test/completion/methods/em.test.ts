// The EM-imputation baseline (fill, TT-SVD truncate, re-impose). References: the exact tensor
// for fully observed data, and the numpy runs of the same algorithm in
// /work/shared/research/completion.md §2.3 (rank-4 TT 8^6, 100 iterations: RSE 1.4e-7 at 80 %
// and 1.8e-3 at 90 % missing). Ours is another random instance, so the check is loose: within
// a factor 10 either way.
import { describe, expect, it } from "vitest";
import { completeEm } from "../../../src/completion/methods/em.js";
import { ArgumentError, ShapeError } from "../../../src/errors.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { observedEntries, sampleObserved, splitObserved } from "../../../src/search/fit/observed.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";

const truth = TensorNetwork.random(NetworkStructure.tensorTrain([8, 8, 8, 8, 8, 8], 4), 11);
const full = truth.toFull();
const rseAll = (net: TensorNetwork): number => distance(net.toFull(), full) / norm(full);

describe("completeEm", () => {
  // 100 TT-SVDs of a 262,144-entry tensor per ratio: a few seconds each on a shared 2-core box.
  it("reaches the numpy baseline's error on the rank-4 8^6 train at 80 % and 90 % missing", () => {
    for (const [missing, reference] of [[0.8, 1.4e-7], [0.9, 1.8e-3]] as const) {
      const fit = completeEm(sampleObserved(full, 1 - missing, 12), { rank: 4 });
      const err = rseAll(fit.network);
      expect(err).toBeGreaterThan(reference / 10);
      expect(err).toBeLessThan(reference * 10);
      expect(fit.iterations).toBe(100);
      expect(fit.stop).toBe("max-iterations");
      expect(fit.ranks).toEqual([4, 4, 4, 4, 4]);
      expect(fit.history).toHaveLength(100);
      // The training error decreases (EM with a quasi-optimal projection, so up to round-off).
      expect(fit.history[99]!.trainRse).toBeLessThan(fit.history[0]!.trainRse);
    }
  }, 60_000);

  it("is exact for fully observed data and finds the ranks with maxRank", () => {
    const small = TensorNetwork.random(NetworkStructure.tensorTrain([4, 5, 4, 3], [3, 2, 3]), 2);
    const obs = sampleObserved(small.toFull(), 1, 1);
    const fixed = completeEm(obs, { rank: [3, 2, 3] });
    expect(fixed.stop).toBe("converged");
    expect(fixed.iterations).toBe(1);
    expect(distance(fixed.network.toFull(), small.toFull()) / norm(small.toFull())).toBeLessThan(1e-13);
    const capped = completeEm(obs, { maxRank: 10 });
    expect(capped.ranks).toEqual([3, 2, 3]);
    expect(capped.stop).toBe("converged");
    expect(distance(capped.network.toFull(), small.toFull()) / norm(small.toFull())).toBeLessThan(1e-13);
  });

  it("stays finite at 99 % missing", () => {
    const fit = completeEm(sampleObserved(full, 0.01, 13), { rank: 4, iterations: 15 });
    expect(Number.isFinite(rseAll(fit.network))).toBe(true);
    expect(fit.history.every((h) => Number.isFinite(h.trainRse))).toBe(true);
    expect(fit.network.cores.every((c) => c.data.every(Number.isFinite))).toBe(true);
  });

  it("reports validation errors and returns the iterate with the lowest", () => {
    const small = TensorNetwork.random(NetworkStructure.tensorTrain([6, 6, 6, 6], 2), 4);
    const { train, validation } = splitObserved(sampleObserved(small.toFull(), 0.5, 5), 0.2, 6);
    const seen: number[] = [];
    const fit = completeEm(train, { rank: 2, iterations: 20, validation, onIteration: (r) => seen.push(r.iteration) });
    expect(seen).toEqual(fit.history.map((h) => h.iteration));
    expect(fit.history.every((h) => h.validationRse !== undefined && h.seconds >= 0)).toBe(true);
    const lowest = Math.min(...fit.history.map((h) => h.validationRse!));
    expect(fit.validationRse).toBe(lowest);
    expect(fit.history[fit.best - 1]!.validationRse).toBe(lowest);
  });

  it("does not depend on the order of the samples", () => {
    const obs = sampleObserved(TensorNetwork.random(NetworkStructure.tensorTrain([5, 5, 5], 2), 7).toFull(), 0.6, 8);
    const m = obs.values.length, d = 3;
    const order = Array.from({ length: m }, (_, s) => m - 1 - s);
    const reversed = observedEntries(obs.shape, Int32Array.from(order.flatMap((s) => Array.from(obs.indices.subarray(s * d, s * d + d)))), order.map((s) => obs.values[s]!));
    const a = completeEm(obs, { rank: 2, iterations: 10 }), b = completeEm(reversed, { rank: 2, iterations: 10 });
    expect(b.history.map((h) => h.trainRse)).toEqual(a.history.map((h) => h.trainRse));
  });

  it("refuses tensors above 2^26 entries and bad options with clear errors", () => {
    const huge = observedEntries([8192, 16384], [[0, 0], [1, 1]], [1, 2]);
    expect(() => completeEm(huge, { rank: 1 })).toThrow(/2\^26/);
    const obs = sampleObserved(TensorNetwork.random(NetworkStructure.tensorTrain([3, 3, 3], 2), 1).toFull(), 0.5, 1);
    expect(() => completeEm(obs, {})).toThrow(/exactly one of rank/);
    expect(() => completeEm(obs, { rank: 2, maxRank: 2 })).toThrow(ArgumentError);
    expect(() => completeEm(obs, { rank: [2] })).toThrow(/2 bond ranks/);
    expect(() => completeEm(obs, { rank: 2, iterations: 0 })).toThrow(/iterations/);
    expect(() => completeEm(obs, { rank: 2, tolerance: Number.NaN })).toThrow(/tolerance/);
    expect(() => completeEm(obs, { maxRank: 2, truncationTolerance: 2 })).toThrow(/truncationTolerance/);
    expect(() => completeEm(observedEntries([4], [[0], [1]], [1, 2]), { rank: 1 })).toThrow(ShapeError);
    expect(() => completeEm(observedEntries([2, 2], [[0, 0]], [0]), { rank: 1 })).toThrow(/all zero/);
    const other = observedEntries([3, 3, 4], [[0, 0, 0]], [1]);
    expect(() => completeEm(obs, { rank: 2, validation: other })).toThrow(ShapeError);
  });
});
