// The built-in problem ttn-exactness (Sulz thesis exactness test, dlra notes §3.2) run through
// runProblem. The data right-hand side and its exact solution are checked on their own first;
// then the claim: with F = the data increment (h = δ) every tree integrator reproduces A(t_n)
// to round-off, as the thesis's plot (~1e-12) and test/integrators/ttn/bug.test.ts show.
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { combine, scale } from "../../src/linalg/elementwise.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { loadProblem } from "../../src/problems/registry.js";
import { runProblem } from "../../src/problems/run.js";
import { exactnessData, exactnessNetwork } from "../../problems/ttn-exactness.js";

const def = await loadProblem("ttn-exactness");
// n = 5 (5⁶ = 15 625 entries: the callback path works on full tensors), ranks 3, three steps.
const small = { n: 5, rank: 3 };
const fmt = (x: number): string => x.toExponential(2);

describe("ttn-exactness: the data and its exact solution", () => {
  const net = exactnessNetwork(5, 3, 1);
  const delta = 0.1;
  const data = exactnessData(net.A, delta);

  it("A(t) keeps its ranks and norm but moves: ‖A(0.3) − A(0)‖ is O(1)", () => {
    const a0 = net.A(0), a3 = net.A(0.3);
    expect(a3.ranks()).toEqual(a0.ranks());
    expect(a0.ranks().filter((_, v) => v !== net.tree.root).every((r) => r === 3)).toBe(true);
    expect(Math.abs(a3.norm() - 1)).toBeLessThan(1e-14);
    expect(distance(a3.toFull(), a0.toFull())).toBeGreaterThan(0.05);
  });

  it("Y(t) solves Ẏ = F(t), equals A(t_k) on the grid, and F vanishes at grid points", () => {
    for (const k of [0, 1, 2]) expect(distance(data.Y(k * delta), net.A(k * delta).toFull())).toBe(0);
    expect(norm(data.F(0.2))).toBe(0);
    expect(norm(data.F(0.30000000000000004))).toBe(0); // a step end up to rounding
    const t = 0.137, dt = 1e-6;
    const fd = scale(combine(1, data.Y(t + dt), -1, data.Y(t - dt)), 1 / (2 * dt));
    // Y is a cubic in t on each interval: the central difference is off by dt²/6·‖d³Y/dt³‖ =
    // 2dt²/δ³·‖ΔA‖, 1.4e-10 relative to ‖F‖ here, plus rounding (~1e-10).
    expect(distance(fd, data.F(t)) / norm(data.F(t))).toBeLessThan(1e-8);
  });
});

describe("ttn-exactness: every tree integrator reproduces A(t_n) to round-off (n = 5, r = 3, h = δ = 0.1, 3 steps)", () => {
  for (const integrator of ["parallel-bug", "bug", "fixed-bug"])
    it(`${integrator}: relative error ≤ 1e-12 at every step, ranks stay 3`, async () => {
      const r = await runProblem(def, { integrator, tf: 0.3, params: small });
      const rel = r.reference!.relativeStateError!;
      console.log(`${integrator}: relative errors ${rel.map(fmt).join(" ")}, max rank ${r.summary.maxRank}, norm error ${fmt(r.summary.maxErrors.norm!)}`);
      // Measured ≤ 6e-15 (n = 6 to T = 1: ≤ 6e-15 as well).
      for (const e of rel) expect(e).toBeLessThan(1e-12);
      expect(r.summary.maxErrors.norm!).toBeLessThan(1e-12);
      expect(r.summary.maxRank).toBe(3);
    });

  it("parallel BUG without its step rejection is not exact: it drops blocks with two new indices, which do not vanish here", async () => {
    const r = await runProblem(def, { integrator: "parallel-bug", tf: 0.1, params: small, rejection: { enabled: false } });
    const e = r.reference!.relativeStateError![1]!;
    console.log(`parallel-bug without rejection: relative error ${fmt(e)} after one step, max rank ${r.summary.maxRank}`);
    // Measured 1.0e-2 (the inner nodes' subspaces rotate; the leaves' do not).
    expect(e).toBeGreaterThan(1e-4);
  });

  it("with h = δ/2 the rank-adaptive BUG stays exact too: the in-between states have higher rank, which it picks up", async () => {
    const r = await runProblem(def, { integrator: "bug", h: 0.05, tf: 0.2, params: small });
    const rel = r.reference!.relativeStateError!;
    console.log(`bug, h = δ/2: relative errors ${rel.map(fmt).join(" ")}, max rank ${r.summary.maxRank}`);
    for (const e of rel) expect(e).toBeLessThan(1e-12);
    expect(r.summary.maxRank).toBeGreaterThan(3);
  });
});

describe("ttn-exactness: bad parameters", () => {
  it("say which parameter and what is allowed", async () => {
    await expect(runProblem(def, { params: { n: 4, rank: 5 } })).rejects.toThrow(ArgumentError);
    await expect(runProblem(def, { params: { n: 4, rank: 5 } })).rejects.toThrow(/rank 5 exceeds the leaf size n = 4/);
    await expect(runProblem(def, { params: { n: 20 } })).rejects.toThrow(/parameter n: expected a value in \[2, 12\]/);
    await expect(runProblem(def, { params: { delta: 0 } })).rejects.toThrow(/parameter delta: expected a value in \(0, ∞\)/);
  });
});
