import { describe, expect, it } from "vitest";
import { Rng } from "../../../src/linalg/random.js";
import { coreEnvironment } from "../../../src/search/fit/als.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { environmentSize, forEachSampleEnvironment } from "../../../src/search/network/sample-environments.js";
import { named } from "../network/named-structures.js";
import { naiveFull, randomStructure } from "../network/reference.js";

// Two independent references for each per-sample environment e_s of vertex v:
// - core v's slice at the sample's index contracted with e_s is the entry, taken from the naive
//   full tensor (an explicit sum over all bond assignments, no shared contraction code);
// - e_s is the column of the whole-tensor environment (coreEnvironment, pairwise GEMM
//   contractions) at the sample's indices on the other modes.
// Tolerance 1e-12 absolute on entries of order one.
function allIndices(dims: readonly number[]): Int32Array {
  const total = dims.reduce((p, n) => p * n, 1), N = dims.length;
  const idx = new Int32Array(total * N);
  for (let f = 0; f < total; f++) {
    let rest = f;
    for (let k = N - 1; k >= 0; k--) {
      idx[f * N + k] = rest % dims[k]!;
      rest = Math.floor(rest / dims[k]!);
    }
  }
  return idx;
}

describe("forEachSampleEnvironment", () => {
  const cases = [...named.map(([name, make]) => [name, make()] as const), ["random graph with inner vertices", randomStructure(4, 2, 7)] as const];
  for (const [name, s] of cases) {
    it(`gives each sample's environment: ${name}`, () => {
      const net = TensorNetwork.random(s, 3) as TensorNetwork<"f64">;
      const full = naiveFull(net).re;
      const N = s.numModes;
      // Every entry, in a shuffled order and more than one chunk for the larger shapes.
      const idx = allIndices(s.dims);
      const m = idx.length / N;
      const rng = new Rng(5);
      for (let a = m - 1; a > 0; a--) {
        const b = Math.floor(rng.nextFloat64() * (a + 1));
        for (let k = 0; k < N; k++) [idx[a * N + k], idx[b * N + k]] = [idx[b * N + k]!, idx[a * N + k]!];
      }
      for (let v = 0; v < s.numVertices; v++) {
        const R = environmentSize(s, v), core = net.cores[v]!.data, mode = s.perm[v]!;
        const whole = s.numVertices > 1 ? coreEnvironment(net, v).data : new Float64Array([1]);
        const otherModes = s.dims.map((_, k) => k).filter((k) => k !== mode);
        const rest = whole.length / R;
        let seen = 0, worst = 0;
        forEachSampleEnvironment(net, v, idx, m, (s0, n, env) => {
          expect(s0).toBe(seen);
          seen += n;
          for (let t = 0; t < n; t++) {
            const row = idx.subarray((s0 + t) * N, (s0 + t + 1) * N);
            const j = mode >= 0 ? row[mode]! : 0;
            let y = 0;
            for (let b = 0; b < R; b++) y += core[j * R + b]! * env[t * R + b]!;
            let flat = 0, col = 0;
            for (let k = 0; k < N; k++) flat = flat * s.dims[k]! + row[k]!;
            for (const k of otherModes) col = col * s.dims[k]! + row[k]!;
            worst = Math.max(worst, Math.abs(y - full[flat]!));
            for (let b = 0; b < R; b++) worst = Math.max(worst, Math.abs(env[t * R + b]! - whole[b * rest + col]!));
          }
        });
        expect(seen).toBe(m);
        expect(worst, `vertex ${v}`).toBeLessThan(1e-12);
      }
    });
  }

  it("streams many samples in chunks with the same values as one by one", () => {
    const s = randomStructure(5, 1, 3);
    const net = TensorNetwork.random(s, 4) as TensorNetwork<"f64">;
    const rng = new Rng(9), N = s.numModes, m = 2000;
    const idx = Int32Array.from({ length: m * N }, (_, p) => Math.floor(rng.nextFloat64() * s.dims[p % N]!));
    const v = 2, R = environmentSize(s, v);
    const together = new Float64Array(m * R);
    forEachSampleEnvironment(net, v, idx, m, (s0, n, env) => together.set(env.subarray(0, n * R), s0 * R));
    for (const t of [0, 777, 1999]) {
      forEachSampleEnvironment(net, v, idx.subarray(t * N, (t + 1) * N), 1, (_s0, _n, env) => {
        for (let b = 0; b < R; b++) expect(env[b]).toBe(together[t * R + b]);
      });
    }
  });
});
