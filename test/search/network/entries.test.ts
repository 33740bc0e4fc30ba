import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../../src/errors.js";
import { measureFlops } from "../../../src/backend/cpu/flops.js";
import { norm } from "../../../src/linalg/norms.js";
import { registerPathOptimizer } from "../../../src/search/network/contraction-order.js";
import { networkContractionOrder } from "../../../src/search/network/contract.js";
import { networkEntries } from "../../../src/search/network/entries.js";
import { TensorNetwork, type NetworkDType } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";
import { named } from "./named-structures.js";
import { randomStructure, sequentialPath } from "./reference.js";

registerPathOptimizer("test-sequential", sequentialPath);

const arbitraryStructure = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 ** 30 }))
  .map(([N, extra, seed]) => randomStructure(N, extra, seed));

describe("entries", () => {
  for (const dtype of ["f64", "c128"] as NetworkDType[])
    for (const [name, make] of named)
      it(`equal the full tensor at the indices: ${name} (${dtype})`, () => {
        const net = TensorNetwork.random(make(), 5, { dtype });
        const full = net.toFull();
        const dims = net.structure.dims;
        const all = full.size;
        // Every entry, in a scrambled order and more than once.
        const idx = new Int32Array(2 * all * dims.length);
        for (let s = 0; s < 2 * all; s++) {
          let rest = (s * 7 + 3) % all;
          for (let m = dims.length - 1; m >= 0; m--) {
            idx[s * dims.length + m] = rest % dims[m]!;
            rest = Math.floor(rest / dims[m]!);
          }
        }
        const w = dtype === "c128" ? 2 : 1;
        const scale = norm(full);
        for (const strategy of ["per-entry", "full", "auto"] as const) {
          const v = networkEntries(net, idx, { strategy });
          expect(v.shape).toEqual([2 * all]);
          for (let s = 0; s < 2 * all; s++) {
            const flat = (s * 7 + 3) % all;
            for (let q = 0; q < w; q++) expect(Math.abs(v.data[w * s + q]! - full.data[w * flat + q]!)).toBeLessThan(1e-13 * scale);
          }
        }
      });

  it("cross chunk boundaries and accept index arrays, one entry or none", () => {
    const net = TensorNetwork.random(NetworkStructure.tensorRing([3, 4, 3, 4, 3, 4], 3), 2);
    const full = net.toFull();
    const m = 2500;
    const rows = Array.from({ length: m }, (_, s) => net.structure.dims.map((n, k) => (s * (k + 3) + k) % n));
    const v = networkEntries(net, rows, { strategy: "per-entry" });
    for (let s = 0; s < m; s += 97) expect(v.data[s]).toBeCloseTo(full.get(...rows[s]!) as number, 12);
    expect(v.data[m - 1]).toBeCloseTo(full.get(...rows[m - 1]!) as number, 12);
    expect(net.entry(rows[5]!)).toBeCloseTo(full.get(...rows[5]!) as number, 12);
    expect(networkEntries(net, new Int32Array(0)).shape).toEqual([0]);
    expect(networkEntries(net, new Int32Array(0), { strategy: "full" }).shape).toEqual([0]);
    const z = TensorNetwork.random(NetworkStructure.tensorTrain([2, 3], 2), 1, { dtype: "c128" });
    const e = z.entry([1, 2]) as { re: number; im: number };
    const f = z.toFull().get(1, 2) as { re: number; im: number };
    expect(Math.abs(e.re - f.re) + Math.abs(e.im - f.im)).toBeLessThan(1e-14);
  });

  it("reject indices out of range, fractional, or of the wrong length", () => {
    const net = TensorNetwork.random(NetworkStructure.tensorTrain([2, 3, 4], 2), 1);
    expect(() => networkEntries(net, [[0, 3, 0]])).toThrow(/multi-index 0 has 3 for mode 1 of size 3/);
    expect(() => networkEntries(net, [[0, 0, -1]])).toThrow(ShapeError);
    expect(() => networkEntries(net, [[0, 0.5, 0]])).toThrow(/0.5 for mode 1/);
    expect(() => networkEntries(net, [[0, NaN, 0]])).toThrow(/NaN for mode 1/);
    expect(() => networkEntries(net, [[0, 0]])).toThrow(/2 entries for 3 modes/);
    expect(() => networkEntries(net, new Int32Array([0, 0, 0, 1]))).toThrow(/not a whole number/);
    expect(() => networkEntries(net, new Int32Array([0, 0, 4]))).toThrow(/4 for mode 2 of size 4/);
    expect(() => networkEntries(net, [[0, 0, 0]], { strategy: "fast" as "full" })).toThrow(ArgumentError);
  });
});

describe("properties over random graphs, ranks and permutations", () => {
  it("entries equal the full tensor at those indices, for every optimiser", () => {
    fc.assert(
      fc.property(arbitraryStructure, fc.integer({ min: 0, max: 1000 }), (s, seed) => {
        const net = TensorNetwork.random(s, seed);
        const full = net.toFull();
        const N = s.numModes;
        const m = 40;
        const idx = new Int32Array(m * N);
        for (let i = 0; i < idx.length; i++) idx[i] = (i * 5 + seed) % s.dims[i % N]!;
        const scale = Math.max(norm(full), 1e-300);
        for (const optimizer of ["auto", "greedy", "test-sequential"]) {
          const v = networkEntries(net, idx, { optimizer, strategy: "per-entry" });
          for (let t = 0; t < m; t++) {
            const want = full.get(...Array.from(idx.subarray(t * N, (t + 1) * N))) as number;
            expect(Math.abs(v.data[t]! - want) / scale).toBeLessThan(1e-13);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("the automatic strategy builds the full tensor only when that is cheaper", () => {
    // A ring of 2^20 entries: a few go entry by entry, many through the full tensor (told apart
    // by the flop counter: m per-entry contractions or one full one).
    const net = TensorNetwork.random(NetworkStructure.tensorRing([32, 32, 32, 32], 2), 1);
    const perEntry = networkContractionOrder(net.structure, { kind: "entries" }).flops;
    const full = networkContractionOrder(net.structure).flops;
    const few = new Int32Array(4 * 10).fill(1);
    const many = new Int32Array(4 * 300_000).fill(1);
    expect(measureFlops(() => networkEntries(net, few)).flops).toBe(10 * perEntry);
    expect(measureFlops(() => networkEntries(net, many)).flops).toBe(full);
    expect(networkEntries(net, many).data[299_999]).toBeCloseTo(networkEntries(net, few).data[0]!, 13);
  });
});
