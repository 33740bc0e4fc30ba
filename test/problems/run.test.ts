import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { norm } from "../../src/linalg/norms.js";
import { randn } from "../../src/linalg/random.js";
import { scale } from "../../src/linalg/elementwise.js";
import { lowRankFromDense, lowRankToDense } from "../../src/integrators/matrix/state.js";
import { defineProblem, type ProblemDefinition } from "../../src/problems/problem.js";
import { loadProblem } from "../../src/problems/registry.js";
import { runProblem, type RunResult } from "../../src/problems/run.js";

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), "arbor-run-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Ẏ = −λ·Y: the exact solution e^{−λt}·Y0 is the reference, and every integrator's Krylov
// sub-steps are exact for it, so the recorded errors must be at round-off.
const decay = defineProblem({
  name: "decay",
  description: "Ẏ = −λ·Y",
  parameters: { lambda: { type: "number", default: 1, min: 0, description: "rate" } },
  defaults: { integrator: "bug-adaptive", h: 0.1, tf: 1, theta: 1e-12 },
  setup: (p, { seed }) => {
    const initial = lowRankFromDense(randn([12, 9], seed), { maxRank: 3 });
    const full = lowRankToDense(initial);
    return {
      kind: "matrix", initial,
      rhs: { kind: "linear", terms: [{ coeff: -p.lambda }] },
      observables: { size: (_t, y) => norm(y.S) },
      reference: {
        description: "exact",
        solve: (times) => ({ states: times.map((t) => scale(full, Math.exp(-p.lambda * t))), observables: { size: times.map((t) => Math.exp(-p.lambda * t) * norm(full)) } }),
      },
    };
  },
});

describe("runProblem", () => {
  it("records observables, ranks and errors against the reference at t = k·h", async () => {
    const r = await runProblem(decay, { params: { lambda: "2" }, every: 2 });
    expect(r.completed).toBe(true);
    expect(r.settings).toMatchObject({ integrator: "bug-adaptive", h: 0.1, tf: 1, steps: 10, every: 2, truncation: { theta: 1e-12, thetaMode: "absolute", maxRank: null, minRank: 1 } });
    expect(r.records.t).toEqual([0, 2, 4, 6, 8, 10].map((k) => k * 0.1));
    expect(r.steps).toHaveLength(10);
    expect(r.records.maxRank.every((x) => x === 3)).toBe(true);
    expect(Math.max(...r.reference!.errors.size!)).toBeLessThan(1e-12);
    expect(Math.max(...r.reference!.stateError!)).toBeLessThan(1e-12);
    expect(r.summary.final.size).toBeCloseTo(r.reference!.observables.size![5]!, 12);
    expect(r.problem.parameters).toEqual({ lambda: 2 });
  });

  it("gives the same numbers for the same seed and different ones for another seed", async () => {
    const [a, b, c] = await Promise.all([runProblem(decay, { seed: 4 }), runProblem(decay, { seed: 4 }), runProblem(decay, { seed: 5 })]);
    expect(b.records).toEqual(a.records);
    expect(c.records.observables.size![0]).not.toBe(a.records.observables.size![0]);
  });

  it("resumes from a checkpoint to exactly the numbers of an uninterrupted run", async () => {
    const ising = await loadProblem("ising-lr");
    const options = { params: { sites: "4" }, h: 0.05, tf: 0.5, every: 2 };
    const whole = await runProblem(ising, options);
    const dir = tempDir();
    const controller = new AbortController();
    const partial = await runProblem(ising, {
      ...options, checkpoint: { dir, every: 3 }, signal: controller.signal,
      onProgress: (p) => p.step === 5 && controller.abort(),
    });
    expect(partial.completed).toBe(false);
    expect(partial.stepsDone).toBe(5); // stopped between steps 5 and 6; a checkpoint of step 5 was written
    const resumed = await runProblem(ising, { ...options, resume: dir });
    expect(resumed.completed).toBe(true);
    expect(resumed.records).toEqual(whole.records);
    expect(resumed.reference!.stateError).toEqual(whole.reference!.stateError);
    expect(resumed.steps.map((s) => s.ranks)).toEqual(whole.steps.map((s) => s.ranks));
    await expect(runProblem(ising, { ...options, h: 0.1, resume: dir })).rejects.toThrow(/the checkpoint is of another run/);
  });

  it("turns bad settings, failing setups and malformed models into ArgumentErrors naming the problem", async () => {
    await expect(runProblem(decay, { h: 0.3 })).rejects.toThrow(/not a whole number of steps/);
    await expect(runProblem(decay, { h: -1 })).rejects.toThrow(/h \(--dt\) must be a finite number > 0/);
    await expect(runProblem(decay, { integrator: "rk4" })).rejects.toThrow(/unknown integrator "rk4" for a matrix problem/);
    await expect(runProblem(decay, { theta: Number.NaN })).rejects.toThrow(ArgumentError);
    await expect(runProblem(decay, { preset: "paper" })).rejects.toThrow(/has no preset "paper"/);
    await expect(runProblem(decay, { workers: 2 })).rejects.toThrow(/matrix problems run their sub-steps in the calling thread/);
    const broken = (setup: ProblemDefinition["setup"]): ProblemDefinition => ({ ...decay, setup } as ProblemDefinition);
    await expect(runProblem(broken(() => { throw new Error("file not found: potential.npy"); }))).rejects.toThrow(/problem decay: setup failed: file not found: potential.npy/);
    await expect(runProblem(broken(() => ({ kind: "tensor" }) as never))).rejects.toThrow(/setup returned kind "tensor"/);
    await expect(runProblem(broken(() => ({ kind: "matrix", initial: {}, rhs: { kind: "linear", terms: [{}] } }) as never))).rejects.toThrow(/not a low-rank matrix/);
    const wrongShape = broken((_p, { seed }) => ({ kind: "matrix", initial: lowRankFromDense(randn([4, 4], seed), { maxRank: 2 }), rhs: { kind: "callback", f: () => randn([3, 3], 1) } }));
    await expect(runProblem(wrongShape)).rejects.toThrow(/3×3|\[3, 3\]|shape/);
  });

  it("passes the rejection rule through, and checks it", async () => {
    const ising = await loadProblem("ising-lr");
    const base = { params: { sites: "4" }, h: 0.05, tf: 0.2, reference: false };
    const withRule = await runProblem(ising, base);
    const without = await runProblem(ising, { ...base, rejection: { enabled: false } });
    expect(withRule.summary.rejections).toBeGreaterThan(0); // from rank 1, ranks double: rejected
    expect(without.summary.rejections).toBe(0);
    expect(without.settings.rejection).toEqual({ enabled: false });
    await expect(runProblem(ising, { ...base, rejection: { c: -1 } })).rejects.toThrow(/rejection.c: invalid value -1/);
    await expect(runProblem(ising, { ...base, rejection: { eta: 1 } as never })).rejects.toThrow(/unknown setting "eta"/);
  });

  it("applies a preset's parameters and run settings, under the caller's own", async () => {
    const withPreset: ProblemDefinition = { ...decay, presets: { slow: { lambda: 0.5 } }, presetDefaults: { slow: { h: 0.05, tf: 0.2 } } } as ProblemDefinition;
    const r = await runProblem(withPreset, { preset: "slow" });
    expect([r.problem.parameters.lambda, r.settings.h, r.settings.tf, r.settings.steps, r.problem.preset]).toEqual([0.5, 0.05, 0.2, 4, "slow"]);
    const own = await runProblem(withPreset, { preset: "slow", h: 0.1, params: { lambda: "3" } });
    expect([own.problem.parameters.lambda, own.settings.h, own.settings.steps]).toEqual([3, 0.1, 2]);
  });

  it("attaches a problem's derived curves, and refuses malformed ones", async () => {
    const withCurve = { ...decay, derived: (records: { t: readonly number[]; observables: Record<string, readonly number[]> }) => ({
      logSize: { x: [...records.t], y: records.observables.size!.map(Math.log), xLabel: "t", yLabel: "log size" },
    }) } as ProblemDefinition;
    const r = await runProblem(withCurve, { params: { lambda: "2" } });
    const c = r.derived!.logSize!;
    expect((c.y[10]! - c.y[0]!) / (c.x[10]! - c.x[0]!)).toBeCloseTo(-2, 10); // log‖Y‖ falls at rate λ
    const bad = { ...decay, derived: () => ({ broken: { x: [0, 1], y: [Number.NaN, 1], xLabel: "t", yLabel: "y" } }) } as ProblemDefinition;
    await expect(runProblem(bad)).rejects.toThrow(/derived curve broken must be \{ x, y, xLabel, yLabel \} with finite x and y/);
  });

  it("stops at once when the signal is already aborted, with a partial result", async () => {
    const controller = new AbortController();
    controller.abort();
    const r: RunResult = await runProblem(decay, { signal: controller.signal });
    expect(r.completed).toBe(false);
    expect(r.stepsDone).toBe(0);
    expect(r.records.t).toEqual([0]);
  });
});
