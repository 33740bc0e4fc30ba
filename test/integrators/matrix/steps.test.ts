import { describe, expect, it } from "vitest";
import { combine, scale } from "../../../src/linalg/elementwise.js";
import { expm } from "../../../src/linalg/expm/expm.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { adjoint, transpose } from "../../../src/linalg/permute.js";
import { randn } from "../../../src/linalg/random.js";
import { slice } from "../../../src/linalg/slice.js";
import { Tensor, zeros } from "../../../src/linalg/tensor.js";
import { advanceMatrix, integrateMatrix, matrixIntegrator, type MatrixIntegratorName } from "../../../src/integrators/matrix/integrate.js";
import type { CallbackRhs, DataRhs, LinearRhs, MatrixRhs } from "../../../src/integrators/matrix/rhs.js";
import type { SubstepRunner } from "../../../src/integrators/matrix/runner.js";
import { lowRankFromDense, lowRankToDense, orthonormalityDefect, type LowRankMatrix } from "../../../src/integrators/matrix/state.js";
import { kochLubich, orthogonal, skew } from "./problems.js";

const ALL: MatrixIntegratorName[] = ["ksl", "ksl-strang", "bug", "bug-adaptive", "parallel-bug", "midpoint-bug"];
const POLICY = { theta: 1e-12 };

function oneStep(name: MatrixIntegratorName, Y: LowRankMatrix, rhs: MatrixRhs, h: number, substep = { tol: 1e-12 }) {
  const integ = matrixIntegrator(name, rhs, { substep });
  return advanceMatrix(integ, Y, 0.3, h, { truncation: POLICY, rejection: { enabled: false } });
}

describe("the linear right-hand side's reduced maps (conjugations included)", () => {
  // Complex coefficients, complex non-Hermitian factors, a matrix-free factor and a complex scale:
  // every conjugation in the K-, L- and S-maps and in the pointwise products matters.
  const m = 7, n = 5;
  const A1 = randn([m, m], 1, { dtype: "c128" }), A2 = randn([m, m], 2);
  const B1 = randn([n, n], 3, { dtype: "c128" }), B2 = randn([n, n], 4, { dtype: "c128" });
  const s = { re: 0.3, im: -0.8 };
  const linear: LinearRhs = {
    kind: "linear",
    scale: s,
    terms: [
      { coeff: { re: 0.5, im: 0.25 }, A: A1 },
      { coeff: 2, B: B1 },
      { coeff: -0.7, A: (X) => matmul(A2, X), B: (X) => matmul(B2, X) },
    ],
  };
  const dense = (Y: Tensor): Tensor => {
    let F = scale(matmul(A1, Y), { re: 0.5, im: 0.25 });
    F = combine(1, F, 2, matmul(Y, B1, { transposeB: true }));
    F = combine(1, F, -0.7, matmul(matmul(A2, Y), B2, { transposeB: true }));
    return scale(F, s);
  };
  const callback: CallbackRhs = { kind: "callback", f: (_t, Y) => dense(Y) };
  const Y0 = lowRankFromDense(randn([m, n], 5, { dtype: "c128" }), { maxRank: 2 });
  for (const name of ALL) {
    it(`${name}: one step with the factored operator (Krylov) equals the dense callback (dopri5)`, () => {
      const a = oneStep(name, Y0, linear, 0.1);
      const b = oneStep(name, Y0, callback, 0.1);
      expect(distance(lowRankToDense(a.state), lowRankToDense(b.state))).toBeLessThan(1e-9);
      expect(a.report.substeps.solver).toBe("krylov");
      expect(b.report.substeps.solver).toBe("dopri5");
      if (name === "parallel-bug") expect(Math.abs(a.report.eta! - b.report.eta!)).toBeLessThan(1e-9);
    });
  }

  it("a real state meets a complex operator: the state becomes complex", () => {
    const Yr = lowRankFromDense(randn([m, n], 6), { maxRank: 2 });
    const { state } = oneStep("bug", Yr, linear, 0.1);
    expect(state.U.dtype).toBe("c128");
    expect(distance(lowRankToDense(state), lowRankToDense(oneStep("bug", Yr, callback, 0.1).state))).toBeLessThan(1e-9);
  });
});

describe("data problems (F = Ȧ, exact sub-steps)", () => {
  const p = kochLubich(16, 4, 1e-3, 7);
  const withDerivative: DataRhs = { kind: "data", A: p.A, dA: p.dA };
  const callback: CallbackRhs = { kind: "callback", f: (t) => p.dA(t) };
  for (const name of ALL) {
    it(`${name}: exact increments equal the callback F(t, Y) = Ȧ(t) integrated by dopri5`, () => {
      const a = oneStep(name, p.Y0, name === "midpoint-bug" ? withDerivative : p.rhs, 0.1);
      const b = oneStep(name, p.Y0, callback, 0.1, { tol: 1e-13 });
      expect(distance(lowRankToDense(a.state), lowRankToDense(b.state))).toBeLessThan(1e-10);
      expect(a.report.substeps.solver).toBe("exact");
    });
  }

  it("BUG, rank-adaptive BUG and KSL are exact when A(t) has the ansatz rank (robust exactness)", () => {
    const N = 20, r = 3;
    const W1 = skew(N, 1), W2 = skew(N, 2);
    const D = matmul(slice(orthogonal(N, 3), [null, [0, r]]), matmul(randn([r, r], 4), slice(orthogonal(N, 5), [null, [0, r]]), { transposeB: true }));
    const A = (t: number) => scale(matmul(matmul(expm(scale(W1, t)), D), expm(scale(W2, t)), { transposeB: true }), Math.exp(t));
    const Y0 = lowRankFromDense(A(0), { maxRank: r });
    for (const integrator of ["ksl", "bug", "bug-adaptive"] as const) {
      const run = integrateMatrix(Y0, { kind: "data", A }, { integrator, h: 0.1, steps: 5, truncation: { theta: 1e-10, maxRank: r } });
      expect(distance(lowRankToDense(run.state), A(0.5))).toBeLessThan(1e-12);
    }
  });

  it("parallel BUG's augmented core holds the exact projections of A(t1), with the new–new block zero", () => {
    const h = 0.1, t0 = 0.3;
    const integ = matrixIntegrator("parallel-bug", p.rhs);
    const Y = lowRankFromDense(p.A(t0), { maxRank: 4 });
    const st = integ.step(Y, t0, h);
    const { U, S, V } = st.state;
    const exact = matmul(matmul(U, p.A(t0 + h), { adjointA: true }), V);
    const [k, l] = [S.shape[0]!, S.shape[1]!];
    expect([k, l]).toEqual([8, 8]);
    // Blocks old–old, old–new and new–old are exact (sub-steps are exact for data).
    for (const spec of [[[0, 4], [0, 4]], [[0, 4], [4, l]], [[4, k], [0, 4]]] as const) {
      expect(distance(slice(S, spec), slice(exact, spec))).toBeLessThan(1e-13);
    }
    expect(norm(slice(S, [[4, k], [4, l]]))).toBe(0);
    // η is ‖Ũᴴ·(ΔA/h)·Ṽ‖ for data without dA.
    const dA = combine(1 / h, p.A(t0 + h), -1 / h, p.A(t0));
    expect(st.eta!).toBeCloseTo(norm(matmul(matmul(slice(U, [null, [4, k]]), dA, { adjointA: true }), slice(V, [null, [4, l]]))), 12);
    expect(lowRankToDense(st.augmentedStart!).shape).toEqual([16, 16]);
    expect(distance(lowRankToDense(st.augmentedStart!), lowRankToDense(Y))).toBeLessThan(1e-14);
  });
});

describe("F ≡ 0 leaves Y unchanged and the ranks too", () => {
  const Y0 = lowRankFromDense(randn([9, 7], 21), { maxRank: 3 });
  const C = randn([9, 7], 22);
  const rhss: Array<[string, MatrixRhs]> = [
    ["data with constant A", { kind: "data", A: () => C }],
    ["callback returning zeros", { kind: "callback", f: () => zeros([9, 7]) }],
    ["linear with coefficient 0", { kind: "linear", terms: [{ coeff: 0 }] }],
  ];
  for (const [label, rhs] of rhss) {
    for (const integrator of ALL) {
      it(`${integrator}, ${label}`, () => {
        const run = integrateMatrix(Y0, rhs, { integrator, h: 0.1, steps: 3, truncation: { theta: 1e-10 } });
        expect(run.reports.map((r) => r.ranks[0])).toEqual([3, 3, 3]);
        expect(distance(lowRankToDense(run.state), lowRankToDense(Y0))).toBeLessThan(1e-14);
        // No rotation, no junk directions: the rank-adaptive integrators return Y0 itself when
        // the sub-steps are exact (data, dopri5 on zero fields).
        if (integrator !== "ksl" && integrator !== "ksl-strang" && integrator !== "bug" && rhs.kind !== "linear") {
          expect(Array.from(run.state.S.data)).toEqual(Array.from(Y0.S.data));
          expect(Array.from(run.state.U.data)).toEqual(Array.from(Y0.U.data));
        }
      });
    }
  }
});

describe("task runners and the parallel step's independence", () => {
  it("parallel BUG hands K, L and S̄ to the runner as three tasks; any execution order gives the same step", () => {
    const p = kochLubich(16, 4, 1e-6, 3);
    const sizes: number[] = [];
    const reversed: SubstepRunner = {
      run<T>(tasks: Array<() => T>): T[] {
        sizes.push(tasks.length);
        const out = new Array<T>(tasks.length);
        for (let i = tasks.length - 1; i >= 0; i--) out[i] = tasks[i]!();
        return out;
      },
    };
    const a = matrixIntegrator("parallel-bug", p.rhs, { runner: reversed }).step(p.Y0, 0, 0.1);
    const b = matrixIntegrator("parallel-bug", p.rhs).step(p.Y0, 0, 0.1);
    expect(sizes).toEqual([3, 2]);
    expect(distance(lowRankToDense(a.state), lowRankToDense(b.state))).toBe(0);
    expect(a.eta).toBe(b.eta);
  });
});

describe("step rejection of the parallel BUG", () => {
  it("rejects and restarts from the augmented Y0 when h·η > ϑ, within maxRank and maxRejections", () => {
    const p = kochLubich(48, 12, 1e-6);
    const Y0 = lowRankFromDense(p.A(0), { maxRank: 3 });
    const opts = { integrator: "parallel-bug" as const, h: 0.05, steps: 4, truncation: { theta: 1e-5, maxRank: 24 } };
    const on = integrateMatrix(Y0, p.rhs, opts);
    const off = integrateMatrix(Y0, p.rhs, { ...opts, rejection: { enabled: false } });
    const rej = on.reports.map((r) => r.rejections);
    expect(rej[0]).toBeGreaterThan(0);
    expect(Math.max(...rej)).toBeLessThanOrEqual(3);
    expect(off.reports.every((r) => r.rejections === 0)).toBe(true);
    expect(Math.max(...on.reports.map((r) => r.ranks[0]!))).toBeLessThanOrEqual(24);
    expect(on.reports[0]!.ranks[0]).toBeGreaterThan(off.reports[0]!.ranks[0]!);
    for (const r of on.reports) expect(r.eta).toBeGreaterThanOrEqual(0);
    const A = p.A(0.2);
    expect(distance(lowRankToDense(on.state), A)).toBeLessThanOrEqual(distance(lowRankToDense(off.state), A) * 1.01);
    // At the rank cap there is nothing to restart into.
    const capped = integrateMatrix(Y0, p.rhs, { ...opts, truncation: { theta: 1e-5, maxRank: 5 } });
    expect(capped.reports.every((r) => r.rejections === 0 && r.ranks[0]! <= 5)).toBe(true);
  });
});

describe("integrateMatrix driver", () => {
  const p = kochLubich(12, 3, 1e-4, 9);
  it("records observations at t0 and every step, keeps states on request, shortens the last step to tf", () => {
    const seen: number[] = [];
    const run = integrateMatrix(p.Y0, p.rhs, {
      integrator: "bug-adaptive", h: 0.3, tf: 1, truncation: { theta: 1e-8 }, keepStates: true,
      observe: (t, Y) => ({ norm: norm(Y.S), time: t }),
      onStep: (r) => seen.push(r.h),
    });
    expect(run.times).toEqual([0, 0.3, 0.6, 0.8999999999999999, 1]);
    expect(seen.length).toBe(4);
    expect(seen[3]).toBeCloseTo(0.1, 14);
    expect(run.states.length).toBe(5);
    expect(run.observations.map((o) => o.t)).toEqual(run.times);
    expect(run.observations[0]!.norm).toBeCloseTo(norm(p.Y0.S), 14);
    for (const r of run.reports) {
      expect(r.truncation).toMatchObject({ theta: 1e-8, thetaMode: "absolute", tol: 1e-8 });
      expect(r.wallMs).toBeGreaterThanOrEqual(0);
      expect(orthonormalityDefect(run.states[1]!.U)).toBeLessThan(1e-13);
    }
    expect(integrateMatrix(p.Y0, p.rhs, { integrator: "bug", h: 0.25, steps: 2 }).states.length).toBe(1);
  });

  it("fixed-rank integrators ignore the truncation policy and report no truncation", () => {
    const run = integrateMatrix(p.Y0, p.rhs, { integrator: "ksl", h: 0.1, steps: 2, truncation: { theta: 1 } });
    expect(run.reports.every((r) => r.truncation === undefined && r.ranks[0] === 3 && r.discardedWeight === 0)).toBe(true);
  });

  it("KSL keeps the norm of a unitary flow Ẏ = −i(HY + YHᵀ) exactly (the L-step's conjugated operator)", () => {
    const X = randn([6, 6], 30, { dtype: "c128" });
    const H = combine(0.5, X, 0.5, adjoint(X));
    const Y0 = lowRankFromDense(randn([6, 6], 31, { dtype: "c128" }), { maxRank: 2 });
    const rhs: LinearRhs = { kind: "linear", terms: [{ A: H }, { B: transpose(H) }], scale: { re: 0, im: -1 }, hermitian: true };
    const run = integrateMatrix(Y0, rhs, { integrator: "ksl", h: 0.1, steps: 5 });
    expect(Math.abs(norm(run.state.S) - norm(Y0.S))).toBeLessThan(1e-12);
  });
});
