import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readNpy } from "../../src/linalg/io/npy.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { Rng, randn } from "../../src/linalg/random.js";
import { Tensor } from "../../src/linalg/tensor.js";
import { sub } from "../../src/linalg/elementwise.js";
import { fitNetwork, updateCore } from "../../src/search/fit/als.js";
import { fitExtrapolated } from "../../src/search/fit/als-extrapolated.js";
import { lowerBond, raiseBond, raiseWithFittedSlices } from "../../src/search/greedy-moves.js";
import { greedySearch } from "../../src/search/greedy.js";
import { contractNetwork } from "../../src/search/network/contract.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";

const rse = (net: TensorNetwork<"f64">, x: Tensor): number => distance(contractNetwork(net), x) / norm(x);
const planted = (s: NetworkStructure, seed: number): Tensor<"f64"> => contractNetwork(TensorNetwork.random(s, seed)) as Tensor<"f64">;

describe("greedySearch", () => {
  // The requirement. Before: 270 parameters (711 with the paper's loss criterion), since
  // growth takes the chord 3–5 at its fifth step where the ring has 0–5 (measured: the best
  // single raise there even by a full refit from four starts), and then overshoots because its
  // refits stall. Now growth reaches the target at 150–180 parameters and regrowth trades the
  // chord for 0–5: 126 parameters for each of the seeds 1…6, with 390–750 evaluations and 4–9 s
  // on a 2-core machine shared with other jobs; the timeout leaves room for a slower runner.
  it("recovers the TnALE demo ring (3^6): at most the planted 126 parameters at RSE ≤ 1e-4", { timeout: 120_000 }, () => {
    const file = fileURLToPath(new URL("../../../shared/data/tnale-demo-ring-3x6.goal.npy", import.meta.url));
    expect(existsSync(file)).toBe(true);
    const x = readNpy(file);
    const found = greedySearch(x, { targetRse: 1e-4, seed: 1 });
    expect(found.stop).toBe("target");
    expect(found.rse).toBeLessThanOrEqual(1e-4);
    expect(found.parameters).toBeLessThanOrEqual(126);
    // The result is what it says: an independent fit of the returned network's cores.
    expect(rse(found.network, x)).toBeCloseTo(found.rse, 12);
    expect(found.structure.numParameters()).toBe(found.parameters);
  });

  // Before: 80 parameters at 1e-6 — candidates were scored from new slices of N(0, 1e-2) noise
  // and two sweeps, which start far above an error of 1e-5 and whose refit then stalled at
  // 4e-5 on the planted structure itself, so growth raised one more bond.
  it("recovers a planted tensor train 4^4 (ranks 2, 3, 2: 64 parameters) with errors falling at every growth step", () => {
    const s = NetworkStructure.tensorTrain([4, 4, 4, 4], [2, 3, 2]);
    const x = planted(s, 7);
    for (const targetRse of [1e-4, 1e-6]) {
      const found = greedySearch(x, { targetRse, seed: 1 });
      expect(found.stop).toBe("target");
      expect(found.rse).toBeLessThanOrEqual(targetRse);
      expect(found.parameters).toBeLessThanOrEqual(64);
      const growth = found.steps.filter((st) => st.phase === "growth").map((st) => st.rse);
      expect(growth.every((e, k) => k === 0 || e <= growth[k - 1]!)).toBe(true);
    }
  });

  it("recovers a planted ring 3^5 whose modes sit in a hidden order (84 parameters), the same way for a seed", () => {
    const s = NetworkStructure.tensorRing([3, 3, 3, 3, 3], [2, 3, 2, 2, 3], [0, 2, 4, 1, 3]);
    const x = planted(s, 11);
    const found = greedySearch(x, { targetRse: 1e-4, seed: 1 });
    expect(found.rse).toBeLessThanOrEqual(1e-4);
    expect(found.parameters).toBeLessThanOrEqual(s.numParameters());
    const again = greedySearch(x, { targetRse: 1e-4, seed: 1 });
    expect(again.steps).toEqual(found.steps);
    expect(again.network.cores.map((c) => Array.from(c.data))).toEqual(found.network.cores.map((c) => Array.from(c.data)));
  });

  // Loops are where ALS swamps. Before: a 6×6×6 triangle with bonds 2 ended at 120 parameters
  // at 1e-6 (its refits stalled at 1.4e-5 on the planted structure), a 5^4 FCTN with bonds 2
  // at 200 (stalled at 1.1e-6).
  it("recovers a planted triangle 6^3 at 1e-6 and a planted FCTN 5^4 at 1e-4 (bonds 2)", () => {
    const triangle = NetworkStructure.fullyConnected([6, 6, 6], 2);
    const t = greedySearch(planted(triangle, 13), { targetRse: 1e-6, seed: 1 });
    expect(t.rse).toBeLessThanOrEqual(1e-6);
    expect(t.parameters).toBeLessThanOrEqual(triangle.numParameters());
    const fctn = NetworkStructure.fullyConnected([5, 5, 5, 5], 2);
    const f = greedySearch(planted(fctn, 19), { targetRse: 1e-4, seed: 1 });
    expect(f.rse).toBeLessThanOrEqual(1e-4);
    expect(f.parameters).toBeLessThanOrEqual(fctn.numParameters());
  });

  it("keeps the paper's loss criterion and reports every step", () => {
    const s = NetworkStructure.tensorTrain([4, 4, 4, 4], [2, 3, 2]);
    const seen: string[] = [];
    const found = greedySearch(planted(s, 7), { targetRse: 1e-4, seed: 1, criterion: "loss", onStep: (st) => seen.push(st.structure) });
    expect(found.rse).toBeLessThanOrEqual(1e-4);
    expect(found.parameters).toBeLessThanOrEqual(64);
    expect(seen).toEqual(found.steps.map((st) => st.structure));
    expect(found.steps.at(-1)?.structure ?? "").toBe(found.structure.key());
    expect(found.steps.map((st) => st.evaluations).every((e, k, all) => k === 0 || e >= all[k - 1]!)).toBe(true);
    expect(found.evaluations).toBeGreaterThanOrEqual(found.steps.at(-1)!.evaluations);
  });

  it("stops at the parameter budget and is deterministic for a seed", () => {
    const x = randn([3, 3, 3], 2);
    const a = greedySearch(x, { targetRse: 1e-12, maxParameters: 20, seed: 3 }), b = greedySearch(x, { targetRse: 1e-12, maxParameters: 20, seed: 3 });
    expect(a.stop).toBe("budget");
    expect(a.parameters).toBeLessThanOrEqual(20);
    expect(b.steps).toEqual(a.steps);
    expect(a.steps.every((st) => st.phase === "growth")).toBe(true); // no refinement off the target
    expect(() => greedySearch(x, { scoringSweeps: 0 })).toThrow(/scoringSweeps/);
    expect(() => greedySearch(x, { restarts: -1 })).toThrow(/restarts/);
    expect(() => greedySearch(x, { criterion: "size" as "loss" })).toThrow(/criterion/);
    expect(() => greedySearch(x, { patience: 0 })).toThrow(/patience/);
    expect(() => greedySearch(x, { minGain: -0.1 })).toThrow(/minGain/);
    expect(() => greedySearch(x, { candidates: [] })).toThrow(/candidates/);
    expect(() => greedySearch(x, { candidates: [[0, 9]] })).toThrow(/not a pair/);
  });

  it("raises only the candidate pairs it is given", () => {
    const s = NetworkStructure.tensorRing([3, 4, 3, 4], [2, 2, 3, 2]);
    const ringPairs = [[0, 1], [1, 2], [2, 3], [0, 3]] as const;
    const found = greedySearch(planted(s, 3), { targetRse: 1e-6, seed: 1, candidates: ringPairs, regrow: false });
    expect(found.rse).toBeLessThanOrEqual(1e-6);
    for (const e of found.structure.edges()) expect(ringPairs.some(([u, v]) => u === e.u && v === e.v)).toBe(true);
    expect(found.steps.every((st) => ringPairs.some(([u, v]) => u === st.edge[0] && v === st.edge[1]))).toBe(true);
  });

  it("without refinement is the growth alone, and stops at maxSteps", () => {
    const s = NetworkStructure.tensorTrain([4, 4, 4, 4], [2, 3, 2]);
    const x = planted(s, 7);
    const grown = greedySearch(x, { targetRse: 1e-4, seed: 1, prune: false, regrow: false });
    expect(grown.steps.every((st) => st.phase === "growth" && st.change === "raise")).toBe(true);
    const short = greedySearch(x, { targetRse: 1e-4, seed: 1, maxSteps: 2 });
    expect(short.stop).toBe("max-steps");
    expect(short.steps).toHaveLength(2);
  });
});

describe("greedy moves", () => {
  // The bug behind the overshoot: weight transfer put N(0, 1e-2) noise in the new slices and
  // scored after two sweeps, so from a fit at 1e-6 a candidate started near 1e-2 and could end
  // above the current error. Fitting only the new slices to the residual (the paper's rank_one)
  // cannot: zero slices would keep the error.
  it("a raise whose new slices are fitted to the residual never has a larger error", () => {
    const x = planted(NetworkStructure.tensorRing([3, 4, 3, 4], [2, 3, 2, 2]), 5);
    const current = fitNetwork(NetworkStructure.tensorTrain([3, 4, 3, 4], 2), x, { seed: 2, maxSweeps: 30 });
    const residual = sub(x, contractNetwork(current.network));
    const rng = new Rng(1);
    for (let u = 0; u < 4; u++)
      for (let v = u + 1; v < 4; v++) {
        const raised = raiseWithFittedSlices(current.network, (slices, w) => updateCore(slices, residual, w), u, v, 2, 1e-2, rng);
        expect(raised.structure.rank(u, v)).toBe(current.network.structure.rank(u, v) + 1);
        expect(rse(raised, x)).toBeLessThanOrEqual(current.rse * (1 + 1e-12));
      }
  });

  it("lowering a bond whose matrix has that rank keeps the tensor (any graph)", () => {
    // A ring with bond 0–1 of rank 2, padded to 3 with zero slices and mixed by a random
    // invertible M on the bond (core 0 · M, M⁻¹ · core 1): dense cores, a bond matrix of rank 2.
    const s = NetworkStructure.tensorRing([3, 4, 5, 3], [2, 3, 2, 2]);
    const net = TensorNetwork.random(s, 3);
    const padded = raiseBond(net, s.withRank(0, 1, 3), (_v, shape) => new Tensor("f64", shape, new Float64Array(shape.reduce((p, d) => p * d, 1))));
    const M = [[2, 1, 0.5], [0.3, 1, -1], [1, -0.2, 1.5]];
    const inverse = invert3(M);
    const mix = (core: Tensor, axis: number, A: number[][], left: boolean): Tensor<"f64"> => {
      const out = new Tensor("f64", core.shape.slice(), new Float64Array(core.data.length));
      const stride = core.shape.slice(axis + 1).reduce((p, d) => p * d, 1), n = core.shape[axis]!;
      for (let i = 0; i < core.data.length; i++) {
        const k = Math.floor(i / stride) % n, base = i - k * stride;
        let sum = 0;
        for (let j = 0; j < n; j++) sum += (core.data[base + j * stride] as number) * (left ? A[j]![k]! : A[k]![j]!);
        out.data[i] = sum;
      }
      return out;
    };
    const cores = padded.cores.slice();
    cores[0] = mix(cores[0]!, 1, M, true); // axis 1 of core 0 is its bond to vertex 1
    cores[1] = mix(cores[1]!, 1, inverse, false); // axis 1 of core 1 is its bond to vertex 0
    const dense = new TensorNetwork(padded.structure, cores);
    const x = contractNetwork(net);
    expect(distance(contractNetwork(dense), x) / norm(x)).toBeLessThan(1e-12);
    const lowered = lowerBond(dense, 0, 1, 2);
    expect(lowered.structure.rank(0, 1)).toBe(2);
    expect(distance(contractNetwork(lowered), x) / norm(x)).toBeLessThan(1e-12);
    expect(lowerBond(dense, 0, 1, 1).structure.rank(0, 1)).toBe(1); // rank 1 removes the bond
  });
});

describe("fitExtrapolated", () => {
  // The bug behind stalls near exact fits: the normal equations square the environment's
  // condition number, and ALS cores drift in scale along their bonds. Measured on this fixture,
  // a gauge diag(100, 1/100) on one bond of an exact ring fit (the same tensor, error 6e-7):
  // one plain ALS sweep (fit/als.ts) raises the error to 3.6e-5; with a gauge of 1000, to 0.1.
  it("never raises the error: an ill-conditioned gauge switches it to SVD least squares", () => {
    const s = NetworkStructure.tensorRing([4, 4, 4, 4], 2);
    const net = TensorNetwork.random(s, 3);
    const x = contractNetwork(net);
    for (const g of [1e2, 1e3]) {
      const D = [[g, 0], [0, 1 / g]];
      const gauged = (core: Tensor, A: number[][]): Tensor<"f64"> => new Tensor("f64", core.shape.slice(), (core.data as Float64Array).map((c, i) => c * A[Math.floor(i / 2) % 2]![Math.floor(i / 2) % 2]!));
      const cores = net.cores.slice();
      cores[0] = gauged(cores[0]!, D); // core 0's axis 1 is its bond to vertex 1
      cores[1] = gauged(cores[1]!, [[1 / g, 0], [0, g]]);
      cores[2] = new Tensor("f64", cores[2]!.shape.slice(), (cores[2]!.data as Float64Array).map((c, i) => c * (1 + 1e-6 * Math.sin(i))));
      const start = new TensorNetwork(s, cores);
      const before = rse(start, x);
      const fit = fitExtrapolated(start, x, { maxSweeps: 5, targetRse: 0 });
      expect(fit.history.every((e, k) => e <= (k === 0 ? before : fit.history[k - 1]!))).toBe(true);
      expect(fit.rse).toBeLessThan(before / 10);
      expect(rse(fit.network, x)).toBeCloseTo(fit.rse, 14);
    }
  });

  // The swamp the issue names: a 3×3×3 triangle with bonds 2. Measured from the ten starts of
  // seeds 1…10, plain ALS (fit/als.ts) reaches 1e-6 from none in 300 sweeps, creeping at 2e-3,
  // 8e-4, 4e-6 and 1e-3 from seeds 2, 4, 8 and 9; extrapolation gets through from those four.
  // (The other six sit at 7e-2–8e-2 with either method: local minima, which is what restarts are for.)
  it("leaves the swamp where plain ALS creeps on a 3×3×3 triangle with bonds 2", () => {
    const s = NetworkStructure.fullyConnected([3, 3, 3], 2);
    const x = planted(s, 101);
    for (const seed of [2, 4, 8, 9]) {
      const fit = fitExtrapolated(TensorNetwork.random(s, seed), x, { maxSweeps: 300, targetRse: 1e-6 });
      expect(fit.rse).toBeLessThanOrEqual(1e-6);
      expect(fit.stop).toBe("target");
    }
  });
});

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}
