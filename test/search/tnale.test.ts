import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readNpy } from "../../src/linalg/io/npy.js";
import { randn } from "../../src/linalg/random.js";
import { contractNetwork } from "../../src/search/network/contract.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { tnaleSearch } from "../../src/search/tnale.js";

describe("tnaleSearch", () => {
  // The issue's success criterion on the authors' demo target (shared/data README: a ring over
  // the modes 0–3–2–1–4–5 with ranks 3, 4, 2, 2, 3, 2; 126 parameters). Measured: the planted
  // ring exactly (RSE 4.4e-8, 126 parameters) after 116 evaluations, ~30 s on 2 shared cores.
  it("recovers the TnALE demo ring: at most 126 parameters at RSE ≤ 1e-4", () => {
    const file = fileURLToPath(new URL("../../../shared/data/tnale-demo-ring-3x6.goal.npy", import.meta.url));
    expect(existsSync(file)).toBe(true);
    const found = tnaleSearch(readNpy(file), { seed: 1 });
    expect(found.rse).toBeLessThanOrEqual(1e-4);
    expect(found.parameters).toBeLessThanOrEqual(126);
    expect(found.evaluations).toBeLessThanOrEqual(200);
    // The objective never gets worse from round to round (the best so far is kept).
    found.rounds.forEach((r, k) => k > 0 && expect(r.objective).toBeLessThanOrEqual(found.rounds[k - 1]!.objective));
  }, 180_000);

  it("finds a planted ring with its modes placed out of order", () => {
    const planted = NetworkStructure.tensorRing([3, 3, 3, 3], 2, [0, 2, 1, 3]);
    const x = contractNetwork(TensorNetwork.random(planted, 1));
    const found = tnaleSearch(x, { initialRank: 1, maxRank: 3, seed: 1 });
    expect(found.rse).toBeLessThan(1e-3);
    expect(found.parameters).toBeLessThanOrEqual(planted.numParameters());
  }, 60_000);

  it("is deterministic for a seed and refuses bad options", () => {
    const x = randn([3, 3, 3], 1);
    const a = tnaleSearch(x, { maxEvaluations: 10, seed: 2 }), b = tnaleSearch(x, { maxEvaluations: 10, seed: 2 });
    expect(b.rounds).toEqual(a.rounds);
    expect(a.evaluations).toBeLessThanOrEqual(10);
    expect(() => tnaleSearch(x, { maxRank: 0 })).toThrow(/initialRank ≤ maxRank/);
    expect(() => tnaleSearch(randn([3, 3], 1))).toThrow(/a ring needs at least 3 modes/);
  });
});
