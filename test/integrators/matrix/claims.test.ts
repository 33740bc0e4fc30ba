// The papers' claims as tests: robustness to small singular values (Koch–Lubich matrix), the
// order of accuracy in h, the discrete Schrödinger matrix test against a dense reference, and
// norm conservation of the rank-adaptive BUG up to ϑ. Each prints the table it checks.
import { describe, expect, it } from "vitest";
import { scale } from "../../../src/linalg/elementwise.js";
import { expm } from "../../../src/linalg/expm/expm.js";
import { expmv } from "../../../src/linalg/expm/krylov.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { randn } from "../../../src/linalg/random.js";
import { integrateMatrix, type MatrixIntegratorName } from "../../../src/integrators/matrix/integrate.js";
import type { LinearRhs } from "../../../src/integrators/matrix/rhs.js";
import { lowRankFromDense, lowRankToDense } from "../../../src/integrators/matrix/state.js";
import { kochLubich, naiveFactorError, schrodingerMatrix } from "./problems.js";

const fmt = (x: number): string => (Number.isFinite(x) ? x.toExponential(2) : "blow-up");
const slopes = (errors: number[]): number[] => errors.slice(1).map((e, i) => Math.log2(errors[i]! / e));

describe("Koch–Lubich matrix (N = 64, r = 10, d_j = 2^−j, σ_r = σ_min): robustness to small singular values", () => {
  const N = 64, r = 10, T = 1;
  const steps = [10, 20];
  const table: string[] = [];
  const sigmas = [1e-6, 1e-10, 1e-14];
  const errors = new Map<string, number>();
  const best = sigmas.map((sigmaMin) => kochLubich(N, r, sigmaMin).bestError(T));
  for (const [i, sigmaMin] of sigmas.entries()) {
    const p = kochLubich(N, r, sigmaMin);
    const exact = p.A(T);
    for (const n of steps) {
      const h = T / n;
      const row: Record<string, number> = {};
      for (const integrator of ["bug", "parallel-bug", "bug-adaptive"] as const) {
        const run = integrateMatrix(p.Y0, p.rhs, { integrator, h, steps: n, truncation: { theta: 1e-12, maxRank: r }, rejection: { enabled: false } });
        row[integrator] = distance(lowRankToDense(run.state), exact);
      }
      row.naive = naiveFactorError(p.Y0, p.dA, h, n, exact);
      for (const [k, v] of Object.entries(row)) errors.set(`${k} ${i} ${n}`, v);
      table.push(`σ_min ${sigmaMin.toExponential(0)}  h ${h.toFixed(3)}  best ${fmt(best[i]!)}  ` + Object.entries(row).map(([k, v]) => `${k} ${fmt(v)}`).join("  "));
    }
  }

  it("BUG and parallel BUG: error ≈ best approximation + O(h), the same for every σ_min; the naive factor ODEs blow up", () => {
    console.log(["Koch–Lubich, error ‖Y_N − A(1)‖_F:", ...table].join("\n"));
    for (const i of sigmas.keys()) {
      for (const n of steps) {
        // BUG and rank-adaptive BUG stay at the best-approximation level (exactness up to the tail).
        expect(errors.get(`bug ${i} ${n}`)!).toBeLessThan(2 * best[i]! + 1e-13);
        expect(errors.get(`bug-adaptive ${i} ${n}`)!).toBeLessThan(3 * best[i]! + 1e-13);
        // Parallel BUG: the dropped new–new block gives an h-dependent term that does not see σ_min.
        const par = errors.get(`parallel-bug ${i} ${n}`)!;
        expect(par).toBeLessThan(3e-3 * (T / n));
        expect(Math.abs(par - errors.get(`parallel-bug 0 ${n}`)!)).toBeLessThan(1e-2 * par);
        expect(errors.get(`naive ${i} ${n}`)!).toBeGreaterThan(1);
      }
      expect(errors.get(`parallel-bug ${i} 20`)!).toBeLessThan(errors.get(`parallel-bug ${i} 10`)!);
    }
  });

  it("the naive control is a working integrator when S is well conditioned (σ_min = 1e-3)", () => {
    const p = kochLubich(N, r, 1e-3);
    const e = naiveFactorError(p.Y0, p.dA, 0.1, 10, p.A(T));
    console.log(`naive factor ODEs at σ_min = 1e-3, h = 0.1: error ${fmt(e)} (best ${fmt(p.bestError(T))})`);
    expect(e).toBeLessThan(1.01 * p.bestError(T));
  });
});

describe("order of accuracy on a smooth problem: Ẏ = A·Y + Y·Bᵀ (20×16, rank 3 for all t)", () => {
  const m = 20, n = 16, r = 3, T = 1;
  const A = scale(randn([m, m], 1), 1 / Math.sqrt(m)), B = scale(randn([n, n], 2), 1 / Math.sqrt(n));
  const Y0 = lowRankFromDense(randn([m, n], 3), { maxRank: r });
  const exact = matmul(matmul(expm(scale(A, T)), lowRankToDense(Y0)), expm(scale(B, T)), { transposeB: true });
  const rhs: LinearRhs = { kind: "linear", terms: [{ A }, { B }] };
  const ks = [2, 3, 4, 5];
  const run = (integrator: MatrixIntegratorName): number[] =>
    ks.map((k) => {
      const res = integrateMatrix(Y0, rhs, { integrator, h: 2 ** -k, steps: 2 ** k, truncation: { theta: 1e-12, maxRank: r }, substep: { tol: 1e-13 }, rejection: { enabled: false } });
      return distance(lowRankToDense(res.state), exact) / norm(exact);
    });
  const cases: Array<[MatrixIntegratorName, number]> = [["bug", 1], ["parallel-bug", 1], ["midpoint-bug", 2]];
  for (const [integrator, order] of cases) {
    it(`${integrator}: slope ≈ ${order} in h`, () => {
      const e = run(integrator);
      const s = slopes(e);
      console.log(`${integrator.padEnd(13)} h = 1/4 … 1/32: ${e.map(fmt).join(" ")}  slopes ${s.map((x) => x.toFixed(2)).join(" ")}`);
      for (const x of s.slice(1)) expect(Math.abs(x - order)).toBeLessThan(0.15);
    });
  }
});

describe("discrete Schrödinger matrix test (CKL 2022 §6.1; n = 24, start rank 8, T = 0.5, reference: Lanczos expmv on the n×n matrix)", () => {
  const n = 24, r = 8, T = 0.5;
  const p = schrodingerMatrix(n, r);
  const reference = expmv(p.H, lowRankToDense(p.Y0), { re: 0, im: -T }, { hermitian: true, tol: 1e-14 }).y;
  const rhs: LinearRhs = { kind: "linear", terms: p.terms, scale: { re: 0, im: -1 }, hermitian: true };
  const theta = 1e-4;
  const integrators: MatrixIntegratorName[] = ["ksl", "bug", "bug-adaptive", "parallel-bug", "midpoint-bug"];
  const hs = [0.1, 0.05];
  const results = new Map<string, { err: number; drift: number; discarded: number; maxRank: number }>();
  for (const integrator of integrators)
    for (const h of hs) {
      const res = integrateMatrix(p.Y0, rhs, { integrator, h, tf: T, truncation: { theta, thetaMode: "per-unit-time" }, substep: { tol: 1e-12 } });
      results.set(`${integrator} ${h}`, {
        err: distance(lowRankToDense(res.state), reference),
        drift: Math.abs(norm(res.state.S) - norm(p.Y0.S)),
        discarded: res.reports.reduce((s, x) => s + Math.sqrt(x.discardedWeight), 0),
        maxRank: Math.max(...res.reports.map((x) => x.ranks[0]!)),
      });
    }

  it("every integrator approaches the dense reference; rank-adaptive and midpoint BUG reach the ϑ level", () => {
    console.log(["Schrödinger matrix test, ‖Y_N − Y(T)‖_F (ϑ = 1e-4·h, per unit time):",
      ...integrators.map((g) => `${g.padEnd(13)} ` + hs.map((h) => { const x = results.get(`${g} ${h}`)!; return `h ${h}: err ${fmt(x.err)} |Δ‖Y‖| ${fmt(x.drift)} Σ discarded ${fmt(x.discarded)} max rank ${x.maxRank}`; }).join("  |  "))].join("\n"));
    const e = (g: string, h: number) => results.get(`${g} ${h}`)!.err;
    // Fixed rank 8 caps KSL near the rank-8 approximation error of the solution.
    expect(e("ksl", 0.05)).toBeLessThan(2e-3);
    expect(e("bug", 0.05)).toBeLessThan(0.6 * e("bug", 0.1));
    expect(e("parallel-bug", 0.05)).toBeLessThan(e("parallel-bug", 0.1));
    expect(e("bug-adaptive", 0.05)).toBeLessThan(0.6 * e("bug-adaptive", 0.1));
    expect(e("bug-adaptive", 0.05)).toBeLessThan(e("bug", 0.05) / 20);
    // Second order: already at the level of the accumulated truncation (Σ discarded ≤ T·ϑ).
    for (const h of hs) expect(e("midpoint-bug", h)).toBeLessThan(T * theta);
    expect(e("midpoint-bug", 0.05)).toBeLessThan(e("bug-adaptive", 0.05) / 3);
  });

  it("rank-adaptive (and midpoint) BUG conserve the norm up to ϑ: |‖Y_n‖ − ‖Y_0‖| ≤ Σ discarded ≤ n·(ϑ·h)", () => {
    for (const g of ["bug-adaptive", "midpoint-bug"])
      for (const h of hs) {
        const x = results.get(`${g} ${h}`)!;
        expect(x.drift).toBeLessThanOrEqual(x.discarded + 1e-10);
        expect(x.discarded).toBeLessThanOrEqual((T / h) * theta * h * (1 + 1e-12));
      }
    // The fixed-rank BUG has no such property: its Galerkin step runs in non-augmented bases.
    expect(results.get("bug 0.1")!.drift).toBeGreaterThan(1e-4);
  });
});
