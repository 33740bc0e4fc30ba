import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { workerPool } from "../../src/backend/pool/pool.js";
import { readNpy } from "../../src/linalg/io/npy.js";
import { randn } from "../../src/linalg/random.js";
import { contractNetwork } from "../../src/search/network/contract.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { plantedNetwork } from "../../src/search/planted.js";
import { tnaleSearch } from "../../src/search/tnale.js";
import { Tree } from "../../src/tn/tree.js";

describe("tnaleSearch", () => {
  // The issue's success criterion on the authors' demo target (shared/data README: a ring over
  // the modes 0–3–2–1–4–5 with ranks 3, 4, 2, 2, 3, 2; 126 parameters). Measured: the planted
  // ring exactly (126 parameters, RSE ≤ 1e-6 — the fits stop there) for seeds 1–4 after 113–181
  // evaluations, ~60 s on 2 shared cores. Before escapes from ALS plateaus (FitOptions.escapes),
  // a different draw of starting seeds ended at 141 parameters: half the starts of the planted
  // ring stay at RSE 0.112.
  it("recovers the TnALE demo ring: at most 126 parameters at RSE ≤ 1e-4", () => {
    const file = fileURLToPath(new URL("../../../shared/data/tnale-demo-ring-3x6.goal.npy", import.meta.url));
    expect(existsSync(file)).toBe(true);
    const found = tnaleSearch(readNpy(file), { seed: 1 });
    expect(found.rse).toBeLessThanOrEqual(1e-4);
    expect(found.parameters).toBeLessThanOrEqual(126);
    // Found within 200 evaluations; the rest (up to the default cap of 400) is the jumps that
    // confirm no neighbour is better.
    expect(found.evaluationsToBest).toBeLessThanOrEqual(200);
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

  it("searches the ranks of a fully connected graph: a planted triangle with a tail", () => {
    // Modes 0–1–2 form a triangle of rank-2 bonds, mode 3 hangs on mode 2 by a rank-2 bond.
    // From the all-rank-2 start, lowering the two bonds of mode 3 that are not planted reaches
    // it one coordinate at a time. (From rank 1 everywhere on 3⁴, TnALE stops at an exact star
    // with 78 parameters: no single-edge move leaves it — coordinate search is local.)
    const ranks = [[1, 2, 2, 1], [2, 1, 2, 1], [2, 2, 1, 2], [1, 1, 2, 1]];
    // Not every draw succeeds: with cores from seeds 2 and 3 the search ends at 124 / 88
    // parameters and RSE 2e-3 / 5e-3, because ALS cannot fit the loopy candidates (the
    // all-rank-2 start, the triangle itself) to better than ~1e-2 from most starts — plain,
    // with escapes or extrapolated. The success rate over seeds is measured in
    // docs/results/search-planted-fctn.json (npm run reproduce -- search-planted fctn).
    const planted = new NetworkStructure([4, 4, 4, 4], ranks);
    const x = contractNetwork(TensorNetwork.random(planted, 4));
    const found = tnaleSearch(x, { topology: "fctn", maxRank: 3, seed: 1 });
    expect(found.rse).toBeLessThan(1e-4);
    expect(found.parameters).toBeLessThanOrEqual(planted.numParameters());
  }, 120_000);

  it("with fitMethod \"lm\" solves the fully connected task's seed 2, where ALS-fitted candidates fail", () => {
    // docs/search.md's fully connected task (npm run reproduce -- search-planted fctn): the
    // planted triangle with a tail behind a hidden mode order. With ALS fits, seed 2 ends above
    // the planted 72 parameters (docs/results/search-planted-fctn.json); with Levenberg–Marquardt
    // fits the loopy candidates fit and TnALE reaches the planted structure (measured: 72
    // parameters, RSE ≤ 1e-6; all four seeds succeed, docs/search.md "Loopy graphs").
    const triangle = new NetworkStructure([4, 4, 4, 4], [[1, 2, 2, 1], [2, 1, 2, 1], [2, 2, 1, 2], [1, 1, 2, 1]]);
    const p = plantedNetwork(triangle, 2, { permutation: "random" });
    const found = tnaleSearch(p.tensor, { topology: "fctn", maxRank: 4, seed: 2, fitMethod: "lm" });
    expect(found.rse).toBeLessThanOrEqual(1e-4);
    expect(found.parameters).toBeLessThanOrEqual(p.parameters);
  }, 180_000);

  it("searches the ranks and leaf placement of a tree template", () => {
    // A binary tree (inner vertices) with leaves carrying modes 0, 2 | 1, 3: TnALE must move
    // the modes to the planted leaves (found: the mirror image, 52 parameters as planted). On
    // 3⁴ (81 entries) the objective's parameter term dominates and TnALE settles on cutting two
    // leaves at RSE 0.11 instead — a local optimum of the coordinate search.
    const tree = NetworkStructure.fromTree(Tree.balancedBinary(4), [4, 4, 4, 4], 2);
    const planted = tree.withPerm(tree.perm.map((m) => (m === 1 ? 2 : m === 2 ? 1 : m)));
    const x = contractNetwork(TensorNetwork.random(planted, 3));
    // From rank 1 everywhere no single edge helps (an inner vertex needs two raised bonds to
    // pass anything on), so the search starts at rank 2.
    const found = tnaleSearch(x, { topology: tree, maxRank: 3, seed: 1 });
    expect(found.rse).toBeLessThan(1e-4);
    expect(found.parameters).toBeLessThanOrEqual(planted.numParameters());
    expect(found.structure.numVertices).toBe(tree.numVertices);
  }, 120_000);

  it("gives the same result on 1 and 2 threads", () => {
    const planted = NetworkStructure.tensorRing([3, 3, 3, 3], 2, [0, 2, 1, 3]);
    const x = contractNetwork(TensorNetwork.random(planted, 1));
    const one = tnaleSearch(x, { initialRank: 1, maxRank: 3, maxEvaluations: 40, seed: 3 });
    const before = workerPool(2).counts.workers;
    const two = tnaleSearch(x, { initialRank: 1, maxRank: 3, maxEvaluations: 40, seed: 3, workers: 2 });
    expect(two.rounds).toEqual(one.rounds);
    expect(two.rse).toBe(one.rse);
    expect(workerPool(2).counts.workers).toBeGreaterThan(before); // the worker thread really fitted some
    expect(Array.from(two.network.cores[0]!.data)).toEqual(Array.from(one.network.cores[0]!.data));
  }, 120_000);

  it("is deterministic for a seed and refuses bad options", () => {
    const x = randn([3, 3, 3], 1);
    const a = tnaleSearch(x, { maxEvaluations: 10, seed: 2 }), b = tnaleSearch(x, { maxEvaluations: 10, seed: 2 });
    expect(b.rounds).toEqual(a.rounds);
    expect(a.evaluations).toBeLessThanOrEqual(10);
    expect(() => tnaleSearch(x, { maxRank: 0 })).toThrow(/initialRank ≤ maxRank/);
    expect(() => tnaleSearch(randn([3, 3], 1))).toThrow(/a ring needs at least 3 modes/);
    expect(() => tnaleSearch(x, { topology: "mesh" as never })).toThrow(/topology must be/);
    expect(() => tnaleSearch(x, { workers: 0 })).toThrow(/positive whole counts/);
    expect(() => tnaleSearch(x, { fitMethod: "gn" as never })).toThrow(/fitMethod must be "als" or "lm", got "gn"/);
  });
});
