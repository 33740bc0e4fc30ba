import { describe, expect, it } from "vitest";
import { Rng } from "../../src/linalg/random.js";
import { samplesRse, sortedSamples, type EntriesFitResult } from "../../src/search/fit/als-observed.js";
import { sampleObserved, splitObserved } from "../../src/search/fit/observed.js";
import { fullTargetData, observedEntriesData } from "../../src/search/greedy-data.js";
import { raiseWithFittedSlices } from "../../src/search/greedy-moves.js";
import { contractNetwork } from "../../src/search/network/contract.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";

const ring = NetworkStructure.tensorRing([4, 5, 4, 5], [2, 3, 2, 2]);
const x = TensorNetwork.random(ring, 5).toFull();

describe("greedy data", () => {
  it("observed entries: a raise fitted to the training residual never raises the training error", () => {
    const { train, validation } = splitObserved(sampleObserved(x, 0.5, 1), 0.2, 2);
    const data = observedEntriesData(train, validation);
    const current = data.firstFit(NetworkStructure.tensorTrain([4, 5, 4, 5], 2), 3, { maxSweeps: 20, targetRse: 0 });
    const samples = sortedSamples(ring, train, "test");
    const before = samplesRse(current.fit.network, samples);
    const fitCore = data.residualFit(current.fit.network);
    const rng = new Rng(1);
    for (const [u, v] of [[0, 1], [0, 3], [1, 3]] as const) {
      const raised = raiseWithFittedSlices(current.fit.network, fitCore, u, v, 2, 1e-2, rng);
      expect(raised.structure.rank(u, v)).toBe(current.fit.network.structure.rank(u, v) + 1);
      expect(samplesRse(raised, samples)).toBeLessThanOrEqual(before * (1 + 1e-12));
    }
    // Scores are validation errors, as the fits report them.
    expect(current.score).toBe((current.fit as EntriesFitResult).validationRse);
    expect(data.score(current.fit.network)).toBe(current.score);
  });

  it("a full target: scores are ‖X − Y‖/‖X‖ and the residual fit is the full one", () => {
    const data = fullTargetData(x);
    const current = data.firstFit(NetworkStructure.tensorTrain([4, 5, 4, 5], 2), 3, { maxSweeps: 20, targetRse: 0 });
    expect(data.score(current.fit.network)).toBeCloseTo(distance(contractNetwork(current.fit.network), x) / norm(x), 14);
    const raised = raiseWithFittedSlices(current.fit.network, data.residualFit(current.fit.network), 0, 3, 2, 1e-2, new Rng(2));
    expect(data.score(raised)).toBeLessThanOrEqual(current.score * (1 + 1e-12));
    expect(data.entries).toBe(400);
  });
});
