import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../../src/errors.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { randn, Rng } from "../../../src/linalg/random.js";
import { Tree } from "../../../src/tn/tree.js";
import { fitNetwork } from "../../../src/search/fit/als.js";
import { fitNetworkToEntries, ridgeSolve } from "../../../src/search/fit/als-observed.js";
import {
  observedEntries, observedFromTensor, observedRse, sampleObserved, splitObserved, type ObservedEntries,
} from "../../../src/search/fit/observed.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";
import { captureError } from "../../helpers/reference.js";


function shuffled(obs: ObservedEntries, seed: number): ObservedEntries {
  const m = obs.values.length, d = obs.shape.length;
  const order = Array.from({ length: m }, (_, s) => s);
  const rng = new Rng(seed);
  for (let a = m - 1; a > 0; a--) {
    const b = Math.floor(rng.nextFloat64() * (a + 1));
    [order[a], order[b]] = [order[b]!, order[a]!];
  }
  return observedEntries(obs.shape, order.map((s) => Array.from(obs.indices.subarray(s * d, (s + 1) * d))), order.map((s) => obs.values[s]!));
}

describe("fitNetworkToEntries (ALS on observed entries)", () => {
  it("with every entry observed, repeats fitNetwork's sweeps from the same start (to 1e-10)", () => {
    // Independent reference: fitNetwork assembles one least-squares problem per core from the
    // whole-tensor environment (GEMMs, an LU solve); here each slice has its own problem built
    // sample by sample and solved by Cholesky. With all entries the problems are the same.
    const cases = [
      NetworkStructure.tensorTrain([3, 4, 3, 4], [2, 3, 2], [2, 0, 3, 1]),
      NetworkStructure.tensorRing([3, 3, 3, 3], 2),
      NetworkStructure.fullyConnected([3, 4, 3], 2),
      NetworkStructure.fromTree(Tree.fromSpec([[0, 1], [2, 3]]), [3, 2, 3, 2], 2),
    ];
    for (const s of cases) {
      const x = randn(s.dims.slice(), 3);
      const start = TensorNetwork.random(s, 4) as TensorNetwork<"f64">;
      const ref = fitNetwork(s, x, { start, maxSweeps: 8, stallTolerance: 0 });
      const fit = fitNetworkToEntries(s, observedFromTensor(x), { start, maxSweeps: 8, stallTolerance: 0 });
      expect(fit.history.length).toBe(ref.history.length);
      fit.history.forEach((e, k) => expect(Math.abs(e - ref.history[k]!), `${s.key()} sweep ${k + 1}`).toBeLessThan(1e-10));
      expect(distance(fit.network.toFull(), ref.network.toFull()) / norm(x)).toBeLessThan(1e-9);
    }
  });

  it("recovers a planted rank-2 train (5^4) from 40 % of its entries and a ring from 50 % (RSE < 1e-6 on all entries)", () => {
    // 5^4 TT rank 2: 40 parameters (28 after the gauge), 250 observations.
    const tt = NetworkStructure.tensorTrain([5, 5, 5, 5], 2);
    const xt = TensorNetwork.random(tt, 11).toFull();
    const fitT = fitNetworkToEntries(tt, sampleObserved(xt, 0.4, 1), { targetRse: 1e-9, maxSweeps: 200, seed: 2 });
    expect(fitT.stop).toBe("target");
    expect(fitT.rse).toBeLessThan(1e-9);
    expect(distance(fitT.network.toFull(), xt) / norm(xt)).toBeLessThan(1e-6);
    // 5^4 ring rank 2: 80 parameters, 312 observations. Rings have swamps in which ALS crawls
    // (measured: seed 1 at 30 % sits at RSE 0.37 after 300 sweeps), so, as in the papers'
    // protocol, the best of a few starts.
    const ring = NetworkStructure.tensorRing([5, 5, 5, 5], 2);
    const xr = TensorNetwork.random(ring, 12).toFull();
    const obs = sampleObserved(xr, 0.5, 2);
    const fits = [1, 2, 4].map((seed) => fitNetworkToEntries(ring, obs, { targetRse: 1e-9, maxSweeps: 200, seed }));
    const best = fits.reduce((a, b) => (a.rse <= b.rse ? a : b));
    expect(best.rse).toBeLessThan(1e-9);
    expect(distance(best.network.toFull(), xr) / norm(xr)).toBeLessThan(1e-6);
  });

  it("never increases the training error, and gives the same result however the samples are ordered", () => {
    const s = NetworkStructure.tensorRing([4, 4, 4, 4], 2);
    const obs = sampleObserved(randn([4, 4, 4, 4], 8), 0.6, 1);
    const a = fitNetworkToEntries(s, obs, { maxSweeps: 15, seed: 3 });
    a.history.forEach((e, k) => k > 0 && expect(e).toBeLessThanOrEqual(a.history[k - 1]! * (1 + 1e-9)));
    const b = fitNetworkToEntries(s, shuffled(obs, 5), { maxSweeps: 15, seed: 3 });
    expect(b.history).toEqual(a.history);
    expect(b.network.cores.map((c) => Array.from(c.data))).toEqual(a.network.cores.map((c) => Array.from(c.data)));
    const c = fitNetworkToEntries(s, obs, { maxSweeps: 15, seed: 3 });
    expect(c.history).toEqual(a.history);
  });

  it("stops early on held-out entries and returns the network with the lowest validation error", () => {
    // A planted train plus noise, fitted by a structure of higher rank from few entries: the
    // training error keeps falling while the validation error turns up (overfitting).
    // Measured for these seeds: the validation error is lowest (0.29) after sweep 8 and grows
    // after it, while the training error keeps falling.
    const planted = NetworkStructure.tensorTrain([8, 8, 8, 8], 2);
    const x = TensorNetwork.random(planted, 1).toFull();
    const noisy = x.clone();
    const noise = randn([8, 8, 8, 8], 2);
    for (let i = 0; i < noisy.data.length; i++) noisy.data[i] = noisy.data[i]! + 0.3 * noise.data[i]!;
    const { train, validation } = splitObserved(sampleObserved(noisy, 0.15, 3), 0.2, 4);
    const s = NetworkStructure.tensorTrain([8, 8, 8, 8], 3);
    const fit = fitNetworkToEntries(s, train, { validation, maxSweeps: 200, stallTolerance: 0, patience: 5, seed: 5 });
    const vh = fit.validationHistory!;
    expect(vh.length).toBe(fit.sweeps);
    expect(fit.stop).toBe("stalled");
    expect(fit.sweeps).toBeLessThan(200);
    expect(fit.sweeps - fit.best).toBe(5);
    expect(fit.validationRse).toBe(Math.min(...vh));
    expect(vh[fit.best - 1]).toBe(fit.validationRse);
    expect(Math.abs(observedRse(fit.network, validation) - fit.validationRse!)).toBeLessThan(1e-14);
    expect(Math.abs(observedRse(fit.network, train) - fit.rse)).toBeLessThan(1e-14);
    expect(fit.rse).toBe(fit.history[fit.best - 1]);
    // The last sweeps fit the training entries better and the held-out ones worse.
    expect(fit.history[fit.sweeps - 1]!).toBeLessThan(fit.rse);
    expect(vh[fit.sweeps - 1]!).toBeGreaterThan(fit.validationRse!);
  });

  it("stays finite when slices are under-determined or unobserved", () => {
    // 6 samples for a 4^3 ring of rank 3 (108 parameters): most slices see no sample or one.
    const s = NetworkStructure.tensorRing([4, 4, 4], 3);
    const obs = observedEntries([4, 4, 4], [[0, 0, 0], [1, 2, 3], [2, 1, 0], [3, 3, 3], [0, 1, 2], [1, 1, 1]], [1, -2, 0.5, 3, -1, 2]);
    const fit = fitNetworkToEntries(s, obs, { maxSweeps: 20, seed: 1 });
    for (const c of fit.network.cores) expect(c.data.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(fit.rse)).toBe(true);
    expect(fit.rse).toBeLessThan(1e-3); // with far more parameters than samples, they are interpolated
    // Without a ridge, singular normal equations fall back to a growing one; still finite.
    const bare = fitNetworkToEntries(s, obs, { maxSweeps: 5, seed: 1, ridge: 0 });
    for (const c of bare.network.cores) expect(c.data.every(Number.isFinite)).toBe(true);
  });

  it("solves ridge problems to the dense solution, and zero problems to zero", () => {
    // (G + δI) x = r against a direct 3×3 check: G = AᵀA of rank 2.
    const A = [[1, 2, 3], [4, 5, 6]];
    const G = new Float64Array(9);
    for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++) G[a * 3 + b] = A[0]![a]! * A[0]![b]! + A[1]![a]! * A[1]![b]!;
    const r = new Float64Array([1, 2, 3]), out = new Float64Array(3);
    ridgeSolve(G, r, 3, 1e-3, new Float64Array(9), out);
    const delta = 1e-3 * (G[0]! + G[4]! + G[8]!) / 3;
    for (let a = 0; a < 3; a++) {
      let lhs = delta * out[a]!;
      for (let b = 0; b < 3; b++) lhs += G[Math.min(a, b) * 3 + Math.max(a, b)]! * out[b]!;
      expect(Math.abs(lhs - r[a]!)).toBeLessThan(1e-12);
    }
    ridgeSolve(new Float64Array(4), new Float64Array(2), 2, 1e-12, new Float64Array(4), out);
    expect(out[0]).toBe(0);
  });

  it("rejects entries and options that do not fit", () => {
    const s = NetworkStructure.tensorTrain([3, 3, 3], 2);
    const obs = sampleObserved(randn([3, 3, 3], 1), 0.5, 1);
    expect(captureError(() => fitNetworkToEntries(s, sampleObserved(randn([3, 3, 4], 1), 0.5, 1)))).toBeInstanceOf(ShapeError);
    expect(captureError(() => fitNetworkToEntries(s, observedEntries([3, 3, 3], [[0, 0, 0]], [0])))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitNetworkToEntries(s, observedEntries([3, 3, 3], [], [])))).toBeInstanceOf(ArgumentError);
    const dup = { shape: [3, 3, 3], indices: new Int32Array([0, 1, 2, 0, 1, 2]), values: new Float64Array([1, 2]) };
    expect(captureError(() => fitNetworkToEntries(s, dup)).message).toMatch(/samples 0 and 1/);
    expect(captureError(() => fitNetworkToEntries(s, obs, { maxSweeps: 0 }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitNetworkToEntries(s, obs, { ridge: -1 }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitNetworkToEntries(s, obs, { patience: 0 }))).toBeInstanceOf(ArgumentError);
    const other = TensorNetwork.random(NetworkStructure.tensorTrain([3, 3, 3], 3), 1) as TensorNetwork<"f64">;
    expect(captureError(() => fitNetworkToEntries(s, obs, { start: other }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitNetworkToEntries(s, obs, { validation: sampleObserved(randn([3, 3, 2], 1), 0.5, 1) }))).toBeInstanceOf(ShapeError);
  });
});
