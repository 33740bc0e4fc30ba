import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../../src/errors.js";
import { permute } from "../../../src/linalg/permute.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import type { Tensor } from "../../../src/linalg/tensor.js";
import { contractNetwork, networkContractionOrder } from "../../../src/search/network/contract.js";
import { registerPathOptimizer } from "../../../src/search/network/contraction-order.js";
import { TensorNetwork, type NetworkDType } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";
import { named } from "./named-structures.js";
import { naiveFull, randomStructure, sequentialPath } from "./reference.js";

registerPathOptimizer("test-sequential", sequentialPath);

const arbitraryStructure = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 ** 30 }))
  .map(([N, extra, seed]) => randomStructure(N, extra, seed));

function expectMatchesNaive(net: TensorNetwork, optimizer?: string): void {
  const full = contractNetwork(net, { optimizer });
  expect(full.shape).toEqual(net.structure.dims);
  const { re, im } = naiveFull(net);
  const scaleRef = Math.max(1, ...re.map(Math.abs));
  for (let i = 0; i < re.length; i++) {
    if (net.dtype === "c128") {
      expect(Math.abs(full.data[2 * i]! - re[i]!)).toBeLessThan(1e-12 * scaleRef);
      expect(Math.abs(full.data[2 * i + 1]! - im[i]!)).toBeLessThan(1e-12 * scaleRef);
    } else expect(Math.abs(full.data[i]! - re[i]!)).toBeLessThan(1e-12 * scaleRef);
  }
}

describe("contraction to the full tensor against the naive sum over bond indices", () => {
  for (const dtype of ["f64", "c128"] as NetworkDType[])
    for (const [name, make] of named)
      it(`${name} (${dtype})`, () => {
        const net = TensorNetwork.random(make(), 11, { dtype });
        expectMatchesNaive(net);
        expectMatchesNaive(net, "greedy");
      });
});

describe("properties over random graphs, ranks and permutations", () => {
  it("the full tensor does not depend on the order optimiser", () => {
    fc.assert(
      fc.property(arbitraryStructure, fc.integer({ min: 0, max: 1000 }), (s, seed) => {
        const net = TensorNetwork.random(s, seed);
        const a = contractNetwork(net, { optimizer: "greedy" });
        const b = contractNetwork(net, { optimizer: "exhaustive" });
        const c = contractNetwork(net, { optimizer: "test-sequential" });
        const scale = Math.max(norm(a), 1e-300);
        expect(distance(a, b) / scale).toBeLessThan(1e-12);
        expect(distance(a, c) / scale).toBeLessThan(1e-12);
        expect(networkContractionOrder(s, { optimizer: "exhaustive" }).flops).toBeLessThanOrEqual(networkContractionOrder(s, { optimizer: "greedy" }).flops);
      }),
      { numRuns: 60 },
    );
  });

  it("placing modes by a permutation transposes the tensor, and the inverse permutation undoes it", () => {
    fc.assert(
      fc.property(arbitraryStructure, fc.integer({ min: 0, max: 1000 }), (s0, seed) => {
        // Equal mode sizes, so that any placement fits the same cores.
        const s = new NetworkStructure(s0.dims.map(() => 2), s0.ranks(), s0.perm);
        const net = TensorNetwork.random(s, seed);
        const N = s.numModes;
        const sigma = Array.from({ length: N }, (_, m) => (m * 3 + seed) % N);
        if (new Set(sigma).size !== N) sigma.forEach((_, m) => (sigma[m] = (m + seed) % N));
        // Vertex v moves from mode perm[v] to mode sigma[perm[v]].
        const moved = s.withPerm(s.perm.map((m) => (m >= 0 ? sigma[m]! : -1)));
        const netMoved = new TensorNetwork(moved, net.cores);
        const axes = Array.from({ length: N }, (_, m) => sigma.indexOf(m));
        expect(distance(netMoved.toFull(), permute(net.toFull(), axes))).toBeLessThan(1e-12 * Math.max(1, norm(net.toFull())));
        const back = moved.withPerm(moved.perm.map((m) => (m >= 0 ? sigma.indexOf(m) : -1)));
        expect(back.equals(s)).toBe(true);
        for (let m = 0; m < N; m++) expect(moved.perm[moved.vertexOf(m)]).toBe(m);
      }),
      { numRuns: 40 },
    );
  });
});

describe("networkContractionOrder", () => {
  it("caches per structure and reports flops that grow with the ranks", () => {
    const s = NetworkStructure.tensorRing([3, 3, 3, 3, 3, 3], 4);
    expect(networkContractionOrder(s)).toBe(networkContractionOrder(s));
    const big = NetworkStructure.tensorRing([3, 3, 3, 3, 3, 3], 8);
    expect(networkContractionOrder(big, { kind: "entries" }).flops).toBeGreaterThan(networkContractionOrder(s, { kind: "entries" }).flops);
    expect(() => networkContractionOrder(s, { kind: "bad" as "full" })).toThrow(ArgumentError);
    expect(() => contractNetwork(TensorNetwork.random(s, 1), { optimizer: "nope" })).toThrow(/unknown optimizer "nope"/);
  });

  it("a full contraction matches the direct product of a small grid of random cores", () => {
    // Independent check through plain loops on a 2×2 grid (a ring of 4): sum over four bonds.
    const s = NetworkStructure.grid(2, 2, [2, 2, 2, 2], 2);
    const net = TensorNetwork.random(s, 3);
    const [A, B, C, D] = net.cores as Tensor[]; // bonds: 0–1, 0–2, 1–3, 2–3
    const full = net.toFull();
    for (let i = 0; i < 16; i++) {
      const [a, b, c, d] = [(i >> 3) & 1, (i >> 2) & 1, (i >> 1) & 1, i & 1];
      let sum = 0;
      for (let p = 0; p < 2; p++) for (let q = 0; q < 2; q++) for (let r = 0; r < 2; r++) for (let t = 0; t < 2; t++)
        sum += (A!.get(a, p, q) as number) * (B!.get(b, p, r) as number) * (C!.get(c, q, t) as number) * (D!.get(d, r, t) as number);
      expect(full.get(a, b, c, d)).toBeCloseTo(sum, 13);
    }
  });
});
