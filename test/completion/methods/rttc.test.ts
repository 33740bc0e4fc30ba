// Riemannian CG on fixed-rank tensor trains (Steinlechner's RTTC). The geometry is checked
// against a dense reference in tt-tangent.test.ts; here: exact recovery of planted trains
// (reference: the planted tensor, RSE over all entries), clean non-convergence, determinism,
// and errors.
import { describe, expect, it } from "vitest";
import { completeEm } from "../../../src/completion/methods/em.js";
import { completeRttc } from "../../../src/completion/methods/rttc.js";
import { ArgumentError, ShapeError } from "../../../src/errors.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { observedEntries, sampleObserved, splitObserved } from "../../../src/search/fit/observed.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";

const rseAll = (net: TensorNetwork, truth: TensorNetwork): number => distance(net.toFull(), truth.toFull()) / norm(truth.toFull());

const small = TensorNetwork.random(NetworkStructure.tensorTrain([5, 5, 5, 5, 5], 2), 21);
const smallObs = sampleObserved(small.toFull(), 0.3, 22); // 70 % missing

describe("completeRttc", () => {
  it("recovers a rank-2 train of shape 5^5 from 30 % of its entries", () => {
    for (const beta of ["fletcher-reeves", "polak-ribiere"] as const) {
      const fit = completeRttc(smallObs, { rank: 2, seed: 3, beta });
      expect(fit.stop).toBe("converged");
      expect(fit.rse).toBeLessThanOrEqual(1e-10);
      expect(rseAll(fit.network, small)).toBeLessThan(1e-8);
      expect(fit.ranks).toEqual([2, 2, 2, 2]);
      expect(fit.parameters).toBe(small.numParameters());
      expect(fit.history).toHaveLength(fit.iterations);
      expect(fit.restarts).toBeGreaterThanOrEqual(1);
    }
  });

  // Measured on the shared 2-core box: 28 iterations, about 2–3 s (75 ms per iteration at
  // m = 26,214), RSE 1e-10 over all 262,144 entries; EM gets 7e-4 on the same samples.
  it("recovers the rank-4 train of shape 8^6 from 10 % of its entries", () => {
    const truth = TensorNetwork.random(NetworkStructure.tensorTrain([8, 8, 8, 8, 8, 8], 4), 11);
    const obs = sampleObserved(truth.toFull(), 0.1, 12);
    const t0 = performance.now();
    const fit = completeRttc(obs, { rank: 4, seed: 1 });
    const seconds = (performance.now() - t0) / 1000;
    expect(fit.stop).toBe("converged");
    expect(rseAll(fit.network, truth)).toBeLessThan(1e-6);
    expect(seconds).toBeLessThan(60);
  }, 60_000);

  it("ends cleanly, finite and unconverged, at 98 % missing", () => {
    const truth = TensorNetwork.random(NetworkStructure.tensorTrain([8, 8, 8, 8, 8, 8], 4), 11);
    const fit = completeRttc(sampleObserved(truth.toFull(), 0.02, 12), { rank: 4, iterations: 25 });
    expect(fit.stop).not.toBe("converged");
    expect(Number.isFinite(rseAll(fit.network, truth))).toBe(true);
    expect(fit.history.every((h) => Number.isFinite(h.trainRse))).toBe(true);
  });

  it("is deterministic for a seed and independent of the order of the samples", () => {
    const a = completeRttc(smallObs, { rank: 2, seed: 5, iterations: 8 });
    const b = completeRttc(smallObs, { rank: 2, seed: 5, iterations: 8 });
    expect(b.history.map((h) => h.trainRse)).toEqual(a.history.map((h) => h.trainRse));
    b.network.cores.forEach((c, k) => expect(Array.from(c.data)).toEqual(Array.from(a.network.cores[k]!.data)));
    const c = completeRttc(smallObs, { rank: 2, seed: 6, iterations: 8 });
    expect(c.history[0]!.trainRse).not.toBe(a.history[0]!.trainRse);
    const m = smallObs.values.length, d = 5;
    const order = Array.from({ length: m }, (_, s) => (s * 7919) % m); // m is not a multiple of 7919
    expect(new Set(order).size).toBe(m);
    const shuffled = observedEntries(smallObs.shape, Int32Array.from(order.flatMap((s) => Array.from(smallObs.indices.subarray(s * d, s * d + d)))), order.map((s) => smallObs.values[s]!));
    const e = completeRttc(shuffled, { rank: 2, seed: 5, iterations: 8 });
    expect(e.history.map((h) => h.trainRse)).toEqual(a.history.map((h) => h.trainRse));
  });

  it("reports validation errors and returns the iterate with the lowest", () => {
    const { train, validation } = splitObserved(smallObs, 0.1, 7);
    const fit = completeRttc(train, { rank: 2, validation, seed: 3, iterations: 15 });
    const lowest = Math.min(...fit.history.map((h) => h.validationRse!));
    expect(fit.validationRse).toBeLessThanOrEqual(lowest);
    expect(fit.best === 0 || fit.history[fit.best - 1]!.validationRse === fit.validationRse).toBe(true);
  });

  it("warm-starts from a tensor train (e.g. the EM baseline's) and stops at once on an exact one", () => {
    const em = completeEm(smallObs, { rank: 2, iterations: 5 });
    const fit = completeRttc(smallObs, { start: em.network });
    expect(fit.stop).toBe("converged");
    expect(rseAll(fit.network, small)).toBeLessThan(1e-8);
    const exact = completeRttc(smallObs, { start: small });
    expect(exact.stop).toBe("converged");
    expect(exact.iterations).toBe(0);
    expect(exact.best).toBe(0);
  });

  it("rejects bad input with clear errors", () => {
    expect(() => completeRttc(smallObs, {})).toThrow(/rank is required/);
    expect(() => completeRttc(smallObs, { rank: [2, 2] })).toThrow(/4 bond ranks/);
    expect(() => completeRttc(smallObs, { rank: 0 })).toThrow(ArgumentError);
    expect(() => completeRttc(smallObs, { rank: 2, beta: "hestenes" as "fletcher-reeves" })).toThrow(/beta/);
    expect(() => completeRttc(smallObs, { rank: 2, iterations: 1.5 })).toThrow(/iterations/);
    expect(() => completeRttc(smallObs, { rank: 2, patience: 0 })).toThrow(/patience/);
    expect(() => completeRttc(smallObs, { start: small, rank: 3 })).toThrow(/differs from the start/);
    const ring = TensorNetwork.random(NetworkStructure.tensorRing([5, 5, 5, 5, 5], 2), 1);
    expect(() => completeRttc(smallObs, { start: ring })).toThrow(/tensor train/);
    expect(() => completeRttc(observedEntries([6], [[0], [1]], [1, 2]), { rank: 1 })).toThrow(ShapeError);
    expect(() => completeRttc(observedEntries([3, 3], [[0, 0], [1, 1]], [0, 0]), { rank: 1 })).toThrow(/all zero/);
    expect(() => completeRttc({ shape: [3, 3], indices: Int32Array.of(0, 0), values: Float64Array.of(Number.NaN) }, { rank: 1 })).toThrow(/non-finite/);
    expect(() => completeRttc(smallObs, { rank: 2, validation: observedEntries([5, 5], [[0, 0]], [1]) })).toThrow(ShapeError);
  });
});
