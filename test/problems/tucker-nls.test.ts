// The built-in problem tucker-nls (cubic NLS on Tucker tensors, dlra notes §3.7) run through
// runProblem. The field is checked against a direct stencil evaluation, the reference (full
// Dormand–Prince) against its own conservation laws, and the integrators against the reference:
// the rank-adaptive BUG at the ϑ/h level, the flow's norm and energy kept to that level too.
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { randn } from "../../src/linalg/random.js";
import { loadProblem } from "../../src/problems/registry.js";
import { runProblem, type RunResult } from "../../src/problems/run.js";
import { nlsEnergy, nlsField } from "../../problems/tucker-nls.js";

const def = await loadProblem("tucker-nls");
const last = (x: number[]): number => x[x.length - 1]!;
const fmt = (x: number): string => x.toExponential(2);
// n = 8 (512 entries), T = 0.1, h = 0.02: five steps.
const small = { n: 8 };
const settings = { tf: 0.1, h: 0.02, params: small };
const runs = new Map<string, RunResult>();
const run = async (integrator: string): Promise<RunResult> => {
  if (!runs.has(integrator)) runs.set(integrator, await runProblem(def, { ...settings, integrator }));
  return runs.get(integrator)!;
};

describe("tucker-nls: the field and the reference", () => {
  it("F(Y) = −i(−½δ·ΔY + ε|Y|²Y) agrees with the 7-point stencil written out, and E is real and conserved by F", () => {
    const n = 5, delta = 0.03, eps = -0.2;
    const Y = randn([n, n, n], 4, { dtype: "c128" });
    const F = nlsField(n, delta, eps)(0, Y);
    const c = (n + 1) ** 2;
    const at = (a: number, b: number, d: number, part: number): number =>
      a < 0 || b < 0 || d < 0 || a >= n || b >= n || d >= n ? 0 : Y.data[2 * ((a * n + b) * n + d) + part]!;
    let maxDiff = 0;
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++)
        for (let d = 0; d < n; d++) {
          const k = (a * n + b) * n + d;
          const [re, im] = [0, 1].map((p) => c * (at(a - 1, b, d, p) + at(a + 1, b, d, p) + at(a, b - 1, d, p) + at(a, b + 1, d, p) + at(a, b, d - 1, p) + at(a, b, d + 1, p) - 6 * at(a, b, d, p)));
          const m2 = at(a, b, d, 0) ** 2 + at(a, b, d, 1) ** 2;
          const hr = -0.5 * delta * re! + eps * m2 * at(a, b, d, 0);
          const hi = -0.5 * delta * im! + eps * m2 * at(a, b, d, 1);
          maxDiff = Math.max(maxDiff, Math.abs(F.data[2 * k]! - hi), Math.abs(F.data[2 * k + 1]! + hr));
        }
    expect(maxDiff).toBeLessThan(1e-12 * c);
    // dE/dt = 2·Re⟨∂E/∂Ȳ, Ẏ⟩ = 2·Re⟨H(Y), −i·H(Y)⟩ = 0: check by a difference quotient along F.
    const E = nlsEnergy(n, delta, eps);
    const dt = 1e-6;
    const step = (s: number) => {
      const Z = Y.astype("c128");
      for (let i = 0; i < Z.data.length; i++) Z.data[i]! += s * F.data[i]!;
      return E(Z);
    };
    expect(Math.abs((step(dt) - step(-dt)) / (2 * dt))).toBeLessThan(1e-6 * Math.abs(E(Y)));
  });

  it("the reference keeps the norm and the energy to its tolerance (measured 2e-14, 1e-13)", async () => {
    const ref = (await run("bug")).reference!.observables;
    console.log(`reference (n = 8, T = 0.1): |Δ‖Y‖| ${fmt(Math.abs(last(ref.norm!) - ref.norm![0]!))}, |ΔE| ${fmt(Math.abs(last(ref.energy!) - ref.energy![0]!))}`);
    expect(Math.abs(last(ref.norm!) - ref.norm![0]!)).toBeLessThan(1e-9);
    expect(Math.abs(last(ref.energy!) - ref.energy![0]!)).toBeLessThan(1e-8);
  });
});

describe("tucker-nls: the tree integrators against the full Dormand–Prince reference (n = 8, T = 0.1, h = 0.02, ϑ = 1e-9)", () => {
  it("rank-adaptive BUG: error ≤ 1e-7 (the ϑ/h level), ranks grow from (5, 5, 5), norm drift within the discarded weight", async () => {
    const r = await run("bug");
    const err = last(r.reference!.stateError!);
    const discarded = r.steps.reduce((s, x) => s + Math.sqrt(x.discardedWeight), 0);
    const norms = r.records.observables.norm!;
    console.log(`bug: error ${fmt(err)}, max rank ${r.summary.maxRank}, |Δ‖Y‖| ${fmt(Math.abs(last(norms) - norms[0]!))} (Σ discarded ${fmt(discarded)}), energy error ${fmt(r.summary.maxErrors.energy!)}, ⟨x⟩ errors ${["x0", "x1", "x2"].map((k) => fmt(r.summary.maxErrors[k]!)).join(" ")}`);
    // Measured: 4.0e-9 (n = 12, T = 0.2 default: 1.7e-8; test/integrators/ttn/tucker.test.ts).
    expect(err).toBeLessThan(1e-7);
    expect(r.summary.maxRank).toBeGreaterThan(5);
    expect(Math.abs(last(norms) - norms[0]!)).toBeLessThanOrEqual(discarded + 1e-9);
    // Observables follow the state: energy and mean positions at the 1e-8 level (measured ≤ 3e-15).
    expect(r.summary.maxErrors.energy!).toBeLessThan(1e-7);
    for (const k of ["x0", "x1", "x2"]) expect(r.summary.maxErrors[k]!).toBeLessThan(1e-7);
  });

  it("parallel BUG: first-order error ≤ 5e-6; fixed-rank BUG stays at rank 5 with a larger error", async () => {
    const par = await run("parallel-bug");
    const fixed = await run("fixed-bug");
    const e = (r: RunResult): number => last(r.reference!.stateError!);
    console.log(`parallel-bug: error ${fmt(e(par))}, max rank ${par.summary.maxRank}; fixed-bug: error ${fmt(e(fixed))}, max rank ${fixed.summary.maxRank}`);
    // Measured: parallel 9.6e-7 (n = 12 default: 5.0e-6), fixed-rank 2.1e-5 (default: 6.9e-5).
    expect(e(par)).toBeLessThan(5e-6);
    expect(fixed.summary.maxRank).toBe(5);
    expect(e(fixed)).toBeGreaterThan(e(await run("bug")));
    expect(e(fixed)).toBeLessThan(1e-3);
  });
});

describe("tucker-nls: bad parameters", () => {
  it("say which parameter and what is allowed", async () => {
    await expect(runProblem(def, { params: { n: 4, rank: 5 } })).rejects.toThrow(ArgumentError);
    await expect(runProblem(def, { params: { n: 4, rank: 5 } })).rejects.toThrow(/rank 5 exceeds the grid size n = 4/);
    await expect(runProblem(def, { params: { delta: -1 } })).rejects.toThrow(/parameter delta: expected a value in \[0, ∞\)/);
    await expect(runProblem(def, { params: { eps: "x" } })).rejects.toThrow(/parameter eps: expected a finite number/);
    await expect(runProblem(def, { integrator: "ksl" })).rejects.toThrow(/unknown integrator "ksl" for a tree-network problem/);
  });
});
