import { describe, expect, it } from "vitest";
import { distance } from "../../../src/linalg/norms.js";
import { fromFull } from "../../../src/tn/hsvd.js";
import { Tree } from "../../../src/tn/tree.js";
import { solveSubstep } from "../../../src/integrators/solvers/substep.js";
import { integrateTtn } from "../../../src/integrators/ttn/integrate.js";
import type { TtnRhs } from "../../../src/integrators/ttn/rhs.js";
import { nlsField, nlsInitial } from "../../../problems/tucker-nls.js";

// Tucker tensors are tree networks on the star tree (Tree.tucker): the rank-adaptive and the
// parallel BUG integrate them with the same code (the parallel one is then the paper's
// one-level case, dlra.md §1e(iii)).
//
// Test problem (dlra.md §3.7, cmendl's Tucker test, smaller grid): the cubic nonlinear
// Schrödinger equation i·Y' = −½δ·ΔY + ε|Y|²Y on [0,1]³ with zero boundary values, the
// 3-point Laplacian per mode (n = 12 interior points), δ = 0.02, ε = 0.01; nonlinear, so it
// goes through the callback path. Reference: Dormand–Prince on the full 12³ tensor (tol 1e-11).
const n = 12, delta = 0.02, eps = 0.01, T = 0.2;

// The field and the initial tensor are the built-in problem's (problems/tucker-nls.ts).
const nls = nlsField(n, delta, eps);

describe("Tucker tensors (star tree): cubic NLS in 3-D", () => {
  const tree = Tree.tucker(3);
  const y0 = fromFull(nlsInitial(n), tree, { maxRank: 5 }).ttn;
  const rhs: TtnRhs = { kind: "callback", f: nls };
  const exact = solveSubstep({ y0: y0.toFull(), t0: 0, t1: T, f: nls }, { solver: "dopri5", tol: 1e-11 }).y;

  it("both rank-adaptive integrators converge to the full solution as h shrinks (ϑ = 1e-9)", () => {
    // Measured: rank-adaptive BUG 3.3e-8, 1.7e-8, 1.1e-8 (the ϑ/h term already dominates);
    // parallel BUG 2.0e-5, 5.0e-6, 1.3e-6 at h = 0.04, 0.02, 0.01.
    for (const [integrator, atCoarsest] of [["bug", 1e-7], ["parallel-bug", 5e-5]] as const) {
      const errors = [0.04, 0.02, 0.01].map((h) => distance(integrateTtn(y0, rhs, { integrator, h, tf: T, truncation: { theta: 1e-9 } }).y.toFull(), exact));
      const label = `${integrator}: ${errors.map((e) => e.toExponential(2)).join(", ")}`;
      expect(errors[0], label).toBeLessThan(atCoarsest);
      expect(errors[2], label).toBeLessThan(errors[0]!);
    }
  });

  it("the rank-adaptive BUG keeps the norm (the NLS flow is unitary) up to the truncation", () => {
    const run = integrateTtn(y0, rhs, { integrator: "bug", h: 0.02, tf: T, truncation: { theta: 1e-9 } });
    const discarded = run.reports.reduce((s, r) => s + Math.sqrt(r.discardedWeight), 0);
    expect(Math.abs(run.y.norm() - y0.norm())).toBeLessThanOrEqual(discarded + 1e-9);
    expect(run.y.ranks().slice(1).every((r) => r > 5)).toBe(true); // ranks grew from (5, 5, 5)
  });
});
