import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../../src/errors.js";
import { randn } from "../../../src/linalg/random.js";
import { tensor } from "../../../src/linalg/tensor.js";
import {
  observedEntries, observedFromTensor, observedRse, sampleObserved, splitObserved, type ObservedEntries,
} from "../../../src/search/fit/observed.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";
import { captureError } from "../../helpers/reference.js";


function coordinates(obs: ObservedEntries): string[] {
  const d = obs.shape.length;
  return Array.from({ length: obs.values.length }, (_, s) => Array.from(obs.indices.subarray(s * d, (s + 1) * d)).join(","));
}

describe("observedEntries", () => {
  it("copies and validates a coordinate list given as arrays or as an Int32Array", () => {
    const idx = new Int32Array([0, 1, 2, 1, 0, 0]);
    const vals = [1.5, -2];
    const a = observedEntries([2, 3, 4], idx, vals);
    const b = observedEntries([2, 3, 4], [[0, 1, 2], [1, 0, 0]], new Float64Array(vals));
    idx[0] = 1;
    expect(Array.from(a.indices)).toEqual([0, 1, 2, 1, 0, 0]);
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(a.values)).toEqual(vals);
    expect(observedEntries([3], [], []).values.length).toBe(0);
  });

  it("names the offending sample in every error", () => {
    let e = captureError(() => observedEntries([2, 3], [[0, 1], [1, 3]], [1, 2]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/sample 1 has index 3 for mode 1 of size 3/);
    e = captureError(() => observedEntries([2, 3], new Int32Array([0, 0, -1, 2]), [1, 2]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/sample 1 has index -1 for mode 0/);
    e = captureError(() => observedEntries([2, 3], [[0, 1], [1, 1.5]], [1, 2]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/sample 1/);
    e = captureError(() => observedEntries([2, 3], [[0, 1], [1]], [1, 2]));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/sample 1 has a multi-index of 1 entries for 2 modes/);
    e = captureError(() => observedEntries([2, 3], [[0, 1], [1, 2], [0, 1]], [1, 2, 3]));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toMatch(/samples 0 and 2 both observe the entry \(0, 1\)/);
    e = captureError(() => observedEntries([2, 3], [[0, 1], [1, 2]], [1, NaN]));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toMatch(/sample 1 has the non-finite value NaN/);
    expect(captureError(() => observedEntries([2, 3], [[0, 1], [1, 2]], [1]))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedEntries([2, 3], new Int32Array(3), [1]))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedEntries([2, 0], [], []))).toBeInstanceOf(ShapeError);
  });

  it("detects duplicates in shapes too large for exact row-major offsets", () => {
    const shape = new Array<number>(8).fill(2 ** 20); // 2^160 entries
    const row = [5, 1, 2 ** 20 - 1, 0, 7, 7, 7, 7];
    const e = captureError(() => observedEntries(shape, [row, row.map((i, k) => (k === 7 ? 8 : i)), row], [1, 2, 3]));
    expect(e.message).toMatch(/samples 0 and 2/);
  });
});

describe("splitObserved", () => {
  const x = randn([5, 6, 7], 1);
  const obs = sampleObserved(x, 0.5, 2);

  it("splits into disjoint parts that together are the whole, with the requested share held out", () => {
    const { train, validation } = splitObserved(obs, 0.1, 3);
    const m = obs.values.length;
    expect(validation.values.length).toBe(Math.round(0.1 * m));
    expect(train.values.length + validation.values.length).toBe(m);
    const t = coordinates(train), v = coordinates(validation);
    expect(new Set([...t, ...v]).size).toBe(m);
    expect(new Set([...t, ...v])).toEqual(new Set(coordinates(obs)));
    // Values travel with their coordinates.
    const d = 3;
    validation.values.forEach((val, s) => expect(val).toBe(x.get(...Array.from(validation.indices.subarray(s * d, (s + 1) * d)))));
  });

  it("is seeded: the same seed gives the same split, another seed another", () => {
    const a = splitObserved(obs, 0.2, 7), b = splitObserved(obs, 0.2, 7), c = splitObserved(obs, 0.2, 8);
    expect(coordinates(a.validation)).toEqual(coordinates(b.validation));
    expect(coordinates(a.validation)).not.toEqual(coordinates(c.validation));
    expect(splitObserved(obs).validation.values.length).toBe(Math.round(0.1 * obs.values.length));
  });

  it("keeps both parts non-empty and rejects what cannot be split", () => {
    const two = observedEntries([3], [[0], [2]], [1, 2]);
    const { train, validation } = splitObserved(two, 0.01, 1);
    expect([train.values.length, validation.values.length]).toEqual([1, 1]);
    expect(captureError(() => splitObserved(observedEntries([3], [[1]], [1])))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => splitObserved(obs, 0))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => splitObserved(obs, 1))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => splitObserved({ shape: [3], indices: new Int32Array([0, 0]), values: new Float64Array([1, 2]) }))).toBeInstanceOf(ArgumentError);
  });
});

describe("splitObserved with groupModes", () => {
  const x = randn([5, 6, 3], 4);
  const obs = sampleObserved(x, 0.7, 5);
  const fibre = (c: string): string => c.split(",").slice(0, 2).join(",");

  it("holds out whole fibres along the grouped mode: no held-out (i, j) keeps an entry in training", () => {
    const { train, validation } = splitObserved(obs, 0.2, 3, { groupModes: [2] });
    expect(train.values.length + validation.values.length).toBe(obs.values.length);
    const trainFibres = new Set(coordinates(train).map(fibre));
    const heldFibres = new Set(coordinates(validation).map(fibre));
    for (const f of heldFibres) expect(trainFibres.has(f)).toBe(false);
    // The share counts fibres, not entries.
    const allFibres = new Set(coordinates(obs).map(fibre));
    expect(heldFibres.size).toBe(Math.round(0.2 * allFibres.size));
    // Every observed entry of a held-out fibre is held out.
    const held = coordinates(obs).filter((c) => heldFibres.has(fibre(c)));
    expect(coordinates(validation)).toEqual(held);
  });

  it("does not depend on the listing order within a fibre, and is seeded", () => {
    const a = splitObserved(obs, 0.2, 9, { groupModes: [2] }), b = splitObserved(obs, 0.2, 9, { groupModes: [2] });
    expect(coordinates(a.validation)).toEqual(coordinates(b.validation));
    // Grouping over no mode is the plain split, bit for bit.
    expect(coordinates(splitObserved(obs, 0.2, 9, { groupModes: [] }).validation)).toEqual(coordinates(splitObserved(obs, 0.2, 9).validation));
  });

  it("rejects modes that are not distinct modes of the tensor, and a single group", () => {
    for (const groupModes of [[3], [-1], [2, 2], [0.5]]) expect(captureError(() => splitObserved(obs, 0.2, 1, { groupModes }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => splitObserved(obs, 0.2, 1, { groupModes: [0, 1, 2] }))).toBeInstanceOf(ArgumentError);
  });
});

describe("observedFromTensor and sampleObserved", () => {
  it("lists masked entries in row-major order with their values", () => {
    const x = randn([3, 4], 5);
    const mask = tensor([[1, 0, 0, 1], [0, 0, 0, 0], [0, 1, 0, 0]]);
    const obs = observedFromTensor(x, mask);
    expect(coordinates(obs)).toEqual(["0,0", "0,3", "2,1"]);
    expect(Array.from(obs.values)).toEqual([x.get(0, 0), x.get(0, 3), x.get(2, 1)]);
    expect(observedFromTensor(x, Array.from({ length: 12 }, (_, p) => p % 5 === 0)).values.length).toBe(3);
    expect(observedFromTensor(x).values.length).toBe(12);
    expect(captureError(() => observedFromTensor(x, [1, 0]))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedFromTensor(randn([2], 1, { dtype: "c128" })))).toBeInstanceOf(ArgumentError);
  });

  it("samples distinct entries uniformly at random, seeded", () => {
    const x = randn([6, 6, 6], 1);
    const a = sampleObserved(x, 0.25, 4);
    expect(a.values.length).toBe(54);
    expect(new Set(coordinates(a)).size).toBe(54);
    expect(coordinates(a)).toEqual(coordinates(sampleObserved(x, 0.25, 4)));
    expect(coordinates(a)).not.toEqual(coordinates(sampleObserved(x, 0.25, 5)));
    // Each entry equally likely: over many seeds every entry of a small tensor is drawn about
    // fraction·seeds times (binomial, 300 draws of p = 0.5: within ±5σ ≈ ±44).
    const counts = new Array<number>(8).fill(0);
    const small = randn([2, 2, 2], 1);
    for (let seed = 0; seed < 300; seed++) sampleObserved(small, 0.5, seed).indices.forEach((_, p, idx) => {
      if (p % 3 === 0) counts[idx[p]! * 4 + idx[p + 1]! * 2 + idx[p + 2]!]!++;
    });
    for (const c of counts) expect(Math.abs(c - 150)).toBeLessThan(44);
    expect(captureError(() => sampleObserved(x, 0))).toBeInstanceOf(ArgumentError);
  });
});

describe("observedRse", () => {
  it("is the relative error at the observed entries, against a dense computation", () => {
    const s = NetworkStructure.tensorRing([3, 4, 3], 2);
    const net = TensorNetwork.random(s, 1);
    const x = randn([3, 4, 3], 2);
    const obs = sampleObserved(x, 0.4, 3);
    const y = net.toFull();
    let num = 0, den = 0;
    obs.values.forEach((v, t) => {
      const i = Array.from(obs.indices.subarray(3 * t, 3 * t + 3));
      num += ((y.get(...i) as number) - v) ** 2;
      den += v * v;
    });
    expect(Math.abs(observedRse(net, obs) - Math.sqrt(num / den))).toBeLessThan(1e-14);
    expect(captureError(() => observedRse(net, observedEntries([3, 4, 3], [[0, 0, 0]], [0])))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => observedRse(net, observedEntries([3, 4, 4], [[0, 0, 0]], [1])))).toBeInstanceOf(ShapeError);
  });
});
