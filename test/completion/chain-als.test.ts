import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ChainAls, chainOrder } from "../../src/completion/chain-als.js";
import { completeTensor } from "../../src/completion/complete.js";
import { GraphAls } from "../../src/completion/graph-als.js";
import { BackendChainAls } from "../../src/completion/chain-als-backend.js";
import { CpuBackend } from "../../src/backend/compute/cpu.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { Tensor } from "../../src/linalg/tensor.js";
import { Tree } from "../../src/tn/tree.js";
import { observedEntries, sampleObserved } from "../../src/search/fit/observed.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";

interface ReferenceCase {
  name: string;
  format: "tt" | "tr";
  dims: number[];
  ranks: number[];
  fraction: number;
  observed: number;
  sweeps: number;
  ridge: number;
  ridgeStart: number;
  ridgeDecay: number;
  trainRse: number[];
  ridges: number[];
  fullRse: number;
}

const fixture = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../fixtures/completion/als_reference.json"), "utf8")) as { cases: ReferenceCase[] };

// The fixture's value of core k at mode index j, left bond a, right bond b: 32-bit integer
// mixing, exact in both languages (see `hashed` in als_reference.py).
function hashed(salt: number, k: number, j: number, a: number, b: number): number {
  let h = (Math.imul(salt, 0x9e3779b9) ^ Math.imul(k, 73856093) ^ Math.imul(j, 19349663) ^ Math.imul(a, 83492791) ^ Math.imul(b, 2654435761 | 0)) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0x5bd1e995) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return h / 2 ** 32 - 0.5;
}

// A train or ring whose core k holds f(k, j, a, b) at mode index j, left bond a, right bond b
// (the closing bond of a ring is vertex 0's left and vertex N−1's right), in the network's
// axis order (open leg, then the bonds by increasing neighbour id).
function chainNetwork(s: NetworkStructure, closed: boolean, f: (k: number, j: number, a: number, b: number) => number): TensorNetwork<"f64"> {
  const N = s.numModes;
  const cores = Array.from({ length: N }, (_, k) => {
    const shape = s.coreShape(k), nb = s.neighbors(k);
    const left = k > 0 ? k - 1 : closed ? N - 1 : -1, right = k < N - 1 ? k + 1 : closed ? 0 : -1;
    const stride = (u: number): number => (u < 0 ? 0 : shape.slice(2 + nb.indexOf(u)).reduce((p, d) => p * d, 1));
    const rl = left < 0 ? 1 : s.rank(k, left), rr = right < 0 ? 1 : s.rank(k, right), sl = stride(left), sr = stride(right);
    const data = new Float64Array(shape.reduce((p, d) => p * d, 1));
    for (let j = 0; j < shape[0]!; j++) for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) data[j * rl * rr + a * sl + b * sr] = f(k, j, a, b);
    return new Tensor("f64", shape, data);
  });
  return new TensorNetwork(s, cores);
}

describe("ChainAls (trains and rings with cached interfaces)", () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))("repeats the numpy reference sweep by sweep: %s", (_, c) => {
    // test/fixtures/completion/als_reference.py: the same algorithm with dense einsum
    // environments (no interfaces), numpy QR and solves, from the same hashed start. Measured
    // agreement: 1e-13 (plain ALS) and 1e-10 (ring path) relative; the train path ends at its
    // 1e-12 floor, where round-off dominates, hence the absolute 1e-12.
    const closed = c.format === "tr";
    const s = closed ? NetworkStructure.tensorRing(c.dims, c.ranks) : NetworkStructure.tensorTrain(c.dims, c.ranks);
    const truth = chainNetwork(s, closed, (k, j, a, b) => hashed(1, k, j, a, b)).toFull();
    const start = chainNetwork(s, closed, (k, j, a, b) => hashed(2, k, j, a, b));
    const threshold = Math.floor(c.fraction * 2 ** 32);
    const mask = Array.from({ length: truth.size }, (_, p) => ((Math.imul(p, 2654435761 | 0) + 12345) >>> 0) < threshold);
    const indices: number[][] = [], values: number[] = [];
    mask.forEach((keep, p) => {
      if (!keep) return;
      const idx = new Array<number>(c.dims.length);
      let rest = p;
      for (let k = c.dims.length - 1; k >= 0; k--) {
        idx[k] = rest % c.dims[k]!;
        rest = Math.floor(rest / c.dims[k]!);
      }
      indices.push(idx);
      values.push(truth.data[p] as number);
    });
    expect(values.length).toBe(c.observed);
    const result = completeTensor(observedEntries(c.dims, indices, values), {
      structure: s, start, validationFraction: 0, maxSweeps: c.sweeps, targetRse: 0, patience: 1000, restarts: 0,
      ridge: c.ridge, ridgeStart: c.ridgeStart, ridgeDecay: c.ridgeDecay,
    });
    expect(result.records.map((r) => r.ridge)).toEqual(c.ridges.map((r) => expect.closeTo(r, -Math.log10(r) + 12)));
    result.records.forEach((r, i) => expect(Math.abs(r.trainRse - c.trainRse[i]!), `sweep ${i + 1}`).toBeLessThan(1e-7 * c.trainRse[i]! + 1e-12));
    expect(Math.abs(distance(result.network.toFull(), truth) / norm(truth) - c.fullRse)).toBeLessThan(1e-7 * c.fullRse + 1e-12);
  });

  it("finds the chain order of trains and rings, whatever their numbering, and nothing else", () => {
    expect(chainOrder(NetworkStructure.tensorTrain([2, 3, 4, 5], 2))).toEqual({ order: [0, 1, 2, 3], closed: false });
    expect(chainOrder(NetworkStructure.tensorRing([2, 3, 4, 5], 2))).toEqual({ order: [0, 1, 2, 3], closed: true });
    // A train laid out 2–0–3–1 by a hand-made rank matrix.
    const s = new NetworkStructure([2, 3, 4, 5], [[1, 1, 2, 3], [1, 1, 1, 2], [2, 1, 1, 1], [3, 2, 1, 1]]);
    expect(chainOrder(s)).toEqual({ order: [1, 3, 0, 2], closed: false });
    expect(chainOrder(NetworkStructure.tensorTrain([4], []))).toEqual({ order: [0], closed: false });
    expect(chainOrder(NetworkStructure.fullyConnected([2, 2, 2, 2], 2))).toBeUndefined();
    expect(chainOrder(NetworkStructure.fromTree(Tree.fromSpec([[0, 1], [2, 3]]), [2, 2, 2, 2], 2))).toBeUndefined();
  });

  it("gives the graph solver's iterates on trains (with the ridge path, to 1e-12) and rings (plain ALS, to 1e-9)", () => {
    // GraphAls is the independent implementation: per-sample environments from the batched
    // kernel of src/search and QR gauge moves on Tensors, against cached interfaces on flat
    // arrays here. On a train both sweep 0…N−1…1 with the same gauge, so even a large ridge
    // acts alike; a ring has no gauge in GraphAls, so there only the ridge-free iterates agree,
    // and less closely (the unbalanced gauge costs digits: 1.4e-11 measured).
    const cases: [NetworkStructure, number[], number][] = [
      [NetworkStructure.tensorTrain([5, 6, 5, 6, 5], [3, 4, 4, 3]), [10, 3, 1, 0.3, 0.1], 1e-12],
      [NetworkStructure.tensorTrain([6, 3, 6], [4, 2], [2, 0, 1]), [10, 1, 0.1], 1e-12],
      [NetworkStructure.tensorRing([4, 5, 4, 5], [2, 3, 2, 3]), [1e-12, 1e-12, 1e-12], 1e-9],
    ];
    for (const [s, ridges, tolerance] of cases) {
      const x = TensorNetwork.random(s, 4).toFull();
      const obs = sampleObserved(x, 0.4, 5);
      const samples = { idx: obs.indices, values: obs.values, m: obs.values.length };
      const start = TensorNetwork.random(s, 9);
      const a = new ChainAls(s, start, samples), b = new GraphAls(s, start, samples);
      for (const ridge of ridges) {
        expect(a.sweep(ridge) && b.sweep(ridge)).toBe(true);
        const fa = a.network().toFull();
        expect(distance(fa, b.network().toFull()) / norm(fa), s.toString()).toBeLessThan(tolerance);
      }
    }
  });

  it("does the f64 CPU backend's arithmetic bit for bit, its interfaces kept in slice order rather than by sample", () => {
    // BackendChainAls on the CPU backend keeps every sample's interfaces at its sample number
    // and extends them by the backend's batched products; ChainAls keeps them in each
    // position's slice order. The operations per sample are the same, so the cores must be too.
    const cases = [
      NetworkStructure.tensorTrain([5, 6, 4, 7, 5], [3, 4, 2, 3], [2, 0, 4, 1, 3]),
      NetworkStructure.tensorRing([6, 5, 7, 4], [3, 4, 3, 2]),
    ];
    for (const s of cases) {
      const obs = sampleObserved(TensorNetwork.random(s, 1).toFull(), 0.3, 3);
      const samples = { idx: obs.indices, values: obs.values, m: obs.values.length };
      const start = TensorNetwork.random(s, 2);
      const backend = new CpuBackend();
      const a = new ChainAls(s, start, samples, "direct"), b = new BackendChainAls(s, start, samples, backend);
      for (const ridge of [1, 1e-3, 0]) {
        expect(a.sweep(ridge) && b.sweep(ridge)).toBe(true);
        const na = a.network(), nb = b.network();
        na.cores.forEach((core, v) => expect(core.data, `${s.toString()}, core ${v}`).toEqual(nb.cores[v]!.data));
      }
      b.release();
    }
  });

  it("keeps the tensor unchanged by its gauge moves, and never lowers the fit of a sweep without ridge", () => {
    const s = NetworkStructure.tensorRing([4, 5, 4, 5], [2, 3, 2, 3]);
    const x = TensorNetwork.random(s, 1).toFull();
    const obs = sampleObserved(x, 0.5, 2);
    const start = TensorNetwork.random(s, 3);
    const solver = new ChainAls(s, start, { idx: obs.indices, values: obs.values, m: obs.values.length });
    // The constructor only orthogonalises.
    expect(distance(solver.network().toFull(), start.toFull()) / norm(start.toFull())).toBeLessThan(1e-13);
    let previous = Infinity;
    for (let sweep = 0; sweep < 5; sweep++) {
      solver.sweep(0);
      const err = distance(observedEntriesOf(solver.network(), obs.indices), new Tensor("f64", [obs.values.length], obs.values));
      expect(err).toBeLessThanOrEqual(previous * (1 + 1e-12));
      previous = err;
    }
  });
});

function observedEntriesOf(net: TensorNetwork<"f64">, idx: Int32Array): Tensor<"f64"> {
  return net.entries(idx) as Tensor<"f64">;
}
