import { describe, expect, it } from "vitest";
import { ChainAls } from "../../src/completion/chain-als.js";
import { completeTensor } from "../../src/completion/complete.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { sampleObserved } from "../../src/search/fit/observed.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { solveChainSlicesCg, type ChainSliceProblem } from "../../src/completion/slice-cg.js";
import { SliceSystems } from "../../src/completion/sweep-solver.js";
import { Rng } from "../../src/linalg/random.js";

// A random slice problem with explicit environments, so that the direct solver (Gram matrices
// and Cholesky) is the reference the matrix-free CG must match. The interfaces are in slice
// order, as ChainAls keeps them (those of sample order[u] at u·stride); `envs` likewise.
function randomProblem(seed: number, n: number, perSlice: number[], rl: number, rr: number, r0: number): { problem: ChainSliceProblem; envs: Float64Array } {
  const rng = new Rng(seed);
  const m = perSlice.reduce((a, b) => a + b, 0);
  const stride = r0 * Math.max(rl, rr) + 1; // not tight, as in ChainAls (r₀·r_max over positions)
  const P = new Float64Array(m * stride), Q = new Float64Array(m * stride), values = new Float64Array(m);
  for (let i = 0; i < P.length; i++) P[i] = rng.normal();
  for (let i = 0; i < Q.length; i++) Q[i] = rng.normal();
  for (let s = 0; s < m; s++) values[s] = rng.normal();
  // Samples dealt to slices in a scrambled order, as a sort by mode index leaves them.
  const order = new Int32Array(m), starts = new Int32Array(n + 1);
  const ids = Array.from({ length: m }, (_, s) => s).sort((a, b) => ((a * 7919) % m) - ((b * 7919) % m));
  let u = 0;
  for (let j = 0; j < n; j++) {
    starts[j] = u;
    for (let t = 0; t < perSlice[j]!; t++, u++) order[u] = ids[u]!;
  }
  starts[n] = u;
  const R = rl * rr, envs = new Float64Array(m * R);
  for (let u = 0; u < m; u++) {
    const o = u * stride;
    for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) {
      let e = 0;
      for (let c = 0; c < r0; c++) e += P[o + c * rl + a]! * Q[o + b * r0 + c]!;
      envs[u * R + a * rr + b] = e;
    }
  }
  return { problem: { P, Q, stride, rl, rr, r0, order, starts, values }, envs };
}

function directSolve(problem: ChainSliceProblem, envs: Float64Array, ridge: number): Float64Array {
  const { rl, rr, order, starts, values } = problem, R = rl * rr, n = starts.length - 1;
  const sys = new SliceSystems(n, R);
  for (let j = 0; j < n; j++) {
    const rows = starts[j + 1]! - starts[j]!;
    const E = new Float64Array(rows * R), y = new Float64Array(rows);
    for (let t = 0; t < rows; t++) {
      const u = starts[j]! + t;
      E.set(envs.subarray(u * R, (u + 1) * R), t * R);
      y[t] = values[order[u]!]!;
    }
    sys.addBlock(j, E, y, rows);
  }
  const out = new Float64Array(n * R);
  sys.solve(ridge, out);
  return out;
}

const maxRelative = (a: Float64Array, b: Float64Array): number => {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / s;
};

describe("solveChainSlicesCg", () => {
  // The slices are over-determined (3–5 samples per parameter), so the minimiser is unique
  // and CG to a 1e-12 relative residual must agree with Cholesky to ~1e-9 (the normal
  // equations' condition number here is below ~1e3).
  it.each([
    { name: "train interior (r₀ = 1)", rl: 4, rr: 5, r0: 1 },
    { name: "train end (rl = 1)", rl: 1, rr: 6, r0: 1 },
    { name: "ring (r₀ = 3)", rl: 3, rr: 4, r0: 3 },
  ])("matches the direct solver on a $name core", ({ rl, rr, r0 }) => {
    const R = rl * rr, perSlice = [3 * R, 4 * R, 5 * R];
    const { problem, envs } = randomProblem(11, 3, perSlice, rl, rr, r0);
    for (const ridge of [0, 1e-6, 1e-2]) {
      const reference = directSolve(problem, envs, ridge);
      const core = new Float64Array(3 * R); // cold start
      const stats = solveChainSlicesCg(problem, core, ridge, { tolerance: 1e-12 });
      expect(stats.finite).toBe(true);
      expect(stats.unconverged).toBe(0);
      expect(maxRelative(core, reference)).toBeLessThan(1e-9);
    }
  });

  it("takes no iteration from the exact solution, and few from a nearby start", () => {
    const rl = 5, rr = 5, R = 25;
    const { problem, envs } = randomProblem(3, 2, [4 * R, 4 * R], rl, rr, 1);
    const reference = directSolve(problem, envs, 1e-8);
    const exact = reference.slice();
    const cold = solveChainSlicesCg(problem, new Float64Array(2 * R), 1e-8);
    expect(solveChainSlicesCg(problem, exact, 1e-8, { tolerance: 1e-8 }).iterations).toBe(0);
    const near = reference.map((v, i) => v * (1 + 1e-6 * Math.sin(i)));
    const warm = solveChainSlicesCg(problem, near, 1e-8);
    expect(warm.iterations).toBeLessThan(cold.iterations);
    expect(maxRelative(near, reference)).toBeLessThan(1e-8);
  });

  it("under-determined slices: finite, the ridge decides the rest, an unseen slice is zero", () => {
    const rl = 4, rr = 4, R = 16;
    const { problem, envs } = randomProblem(5, 3, [5, 0, 40], rl, rr, 1);
    const core = new Float64Array(3 * R).fill(1);
    const stats = solveChainSlicesCg(problem, core, 1e-3, { tolerance: 1e-12 });
    expect(stats.finite).toBe(true);
    expect(Array.from(core.subarray(R, 2 * R))).toEqual(new Array(R).fill(0));
    // The ridge makes the minimiser unique, so the direct solver is still the reference.
    expect(maxRelative(core, directSolve(problem, envs, 1e-3))).toBeLessThan(1e-8);
    // Without a ridge the 5-sample slice has a 11-dimensional null space: CG still ends
    // finite, fitting the samples exactly.
    const free = new Float64Array(3 * R);
    expect(solveChainSlicesCg(problem, free, 0).finite).toBe(true);
    const { P, Q, order, starts, values } = problem;
    for (let u = starts[0]!; u < starts[1]!; u++) {
      const s = order[u]!, o = u * problem.stride;
      let fit = 0;
      for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) fit += P[o + a]! * free[a * rr + b]! * Q[o + b]!;
      expect(fit).toBeCloseTo(values[s]!, 8);
    }
  });

  it("reports slices that hit the iteration cap", () => {
    const { problem } = randomProblem(8, 1, [200], 6, 6, 1);
    const stats = solveChainSlicesCg(problem, new Float64Array(36), 0, { maxIterations: 2, tolerance: 1e-14 });
    expect(stats.unconverged).toBe(1);
    expect(stats.iterations).toBe(2);
  });
});

describe("ChainAls with the CG inner solver", () => {
  it("gives the direct solver's iterates on a train and a ring (ridge path, to 1e-8)", () => {
    // The slices are over-determined, so each update has one minimiser; CG, not capped here,
    // stops at a 1e-10 relative residual, which leaves ~1e-9 differences that the sweeps do not amplify here.
    const cases = [
      NetworkStructure.tensorTrain([5, 6, 5, 6, 5], [3, 4, 4, 3]),
      NetworkStructure.tensorRing([4, 5, 4, 5], [2, 3, 2, 3]),
    ];
    for (const s of cases) {
      const x = TensorNetwork.random(s, 4).toFull();
      const obs = sampleObserved(x, 0.5, 5);
      const samples = { idx: obs.indices, values: obs.values, m: obs.values.length };
      const start = TensorNetwork.random(s, 9);
      const direct = new ChainAls(s, start, samples, "direct"), cg = new ChainAls(s, start, samples, "cg", 1000);
      for (const ridge of [10, 1, 0.1, 1e-3, 1e-6]) {
        expect(direct.sweep(ridge) && cg.sweep(ridge)).toBe(true);
        const fd = direct.network().toFull();
        expect(distance(fd, cg.network().toFull()) / norm(fd), s.toString()).toBeLessThan(1e-8);
      }
    }
  });

  it("capped at a few iterations per update, never raises the training error of a plain sweep", () => {
    const s = NetworkStructure.tensorRing([5, 5, 5, 5], [3, 4, 3, 4]);
    const obs = sampleObserved(TensorNetwork.random(s, 6).toFull(), 0.5, 2);
    const solver = new ChainAls(s, TensorNetwork.random(s, 8), { idx: obs.indices, values: obs.values, m: obs.values.length }, "cg", 2);
    let previous = Infinity;
    for (let sweep = 0; sweep < 6; sweep++) {
      expect(solver.sweep(0)).toBe(true);
      const y = solver.network().entries(obs.indices).data as Float64Array;
      let err = 0;
      for (let i = 0; i < y.length; i++) err += (y[i]! - obs.values[i]!) ** 2;
      expect(err).toBeLessThanOrEqual(previous * (1 + 1e-12));
      previous = err;
    }
  });

  it("completes a planted rank-4 train 8⁵ from 30 % of its entries as the direct solver does (10 iterations per update)", () => {
    const s = NetworkStructure.tensorTrain([8, 8, 8, 8, 8], 4);
    const x = TensorNetwork.random(s, 2).toFull();
    const obs = sampleObserved(x, 0.3, 3);
    const options = { structure: { format: "tt" as const, rank: 4 }, seed: 1, maxSweeps: 40, targetRse: 1e-9 };
    const direct = completeTensor(obs, { ...options, innerSolver: "direct" });
    const cg = completeTensor(obs, { ...options, innerSolver: "cg" });
    expect(cg.reason).toBe(direct.reason);
    const full = cg.network.toFull();
    expect(distance(full, x) / norm(x)).toBeLessThan(1e-6);
    expect(distance(full, direct.network.toFull()) / norm(x)).toBeLessThan(1e-6);
    expect(() => completeTensor(obs, { ...options, innerSolver: "qr" as never })).toThrow(/innerSolver must be "direct", "cg" or "auto", got "qr"/);
  });
});
