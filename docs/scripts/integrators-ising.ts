/**
 * Regenerates the long-range Ising tables and figures of docs/integrators.md:
 *
 *   npm run build && node dist/docs/scripts/integrators-ising.js [order] [exact] [theta] [d16] [--quick] [--out-dir DIR]
 *   npm run reproduce -- integrators-ising [parts]     (regenerates and compares with docs/results)
 *
 * (no part named: all of them). Each part prints a Markdown table, writes its numbers to
 * docs/results/integrators-ising-<part>.json and, where a curve says more, an SVG to
 * docs/images/. Everything is deterministic: the same command gives the same numbers (times
 * aside). Problem (parallel TTN paper §5.1): H = Σₖ (Ω σx⁽ᵏ⁾ + Δ n⁽ᵏ⁾) + Σ_{i≠j} (ν/2)|i−j|^(−α)
 * n⁽ⁱ⁾n⁽ʲ⁾, Ω = Δ = 1, ν = 2, α = 1, all spins up, balanced binary tree, i·ψ' = H·ψ.
 */
import { writeFileSync } from "node:fs";
import { markdownTable, runParts, scriptArgs } from "./script-args.js";
import { closeWorkerPools } from "../../src/backend/pool/pool.js";
import { linePlotSvg, type PlotSeries } from "../../src/io/svg-plot.js";
import { distance } from "../../src/linalg/norms.js";
import { tensor } from "../../src/linalg/tensor.js";
import { expectation } from "../../src/tn/operators/environments.js";
import { longRangeIsing, onsite } from "../../src/tn/operators/spin.js";
import { pauli, type SumOfProducts } from "../../src/tn/operators/sum-of-products.js";
import { Ttno } from "../../src/tn/operators/ttno.js";
import { Tree } from "../../src/tn/tree.js";
import { Ttn } from "../../src/tn/ttn.js";
import { referenceEvolution } from "../../src/integrators/reference.js";
import { integrateTtn, type TtnIntegratorName } from "../../src/integrators/ttn/integrate.js";
import type { TtnRhs } from "../../src/integrators/ttn/rhs.js";

const MINUS_I = { re: 0, im: -1 };
const INTEGRATORS: TtnIntegratorName[] = ["bug", "parallel-bug"];

interface Problem {
  tree: Tree;
  sop: SumOfProducts;
  rhs: TtnRhs;
  y0: Ttn;
  mz: Ttno;
  mzDense: SumOfProducts;
  H: Ttno;
}

function problem(d: number): Problem {
  const tree = Tree.balancedBinary(d);
  const sop = longRangeIsing({ sites: d });
  const H = Ttno.fromSumOfProducts(tree, sop);
  const mzDense = onsite(d, pauli.Z, () => 1 / d);
  return {
    tree, sop, H, mzDense,
    rhs: { kind: "ttno", op: H, scale: MINUS_I, hermitian: true },
    y0: Ttn.product(tree, new Array(d).fill(tensor([1, 0]))),
    mz: Ttno.fromSumOfProducts(tree, mzDense),
  };
}

const re = (x: number | { re: number }): number => (typeof x === "number" ? x : x.re);


const exp2 = (x: number): string => x.toExponential(2);



function figure(name: string, svg: string): void {
  writeFileSync(out.imagePath(name), svg);
}


/** Error at T = 1 against h (d = 4, ϑ = 1e-8): the paper's error plot. */
function order(quick: boolean): void {
  const p = problem(4);
  const ks = quick ? [3, 4, 5] : [3, 4, 5, 6, 7, 8, 9, 10];
  const hs = ks.map((k) => 2 ** -k);
  const exact = referenceEvolution(p.sop, p.y0.toFull(), [0, 1], { scale: MINUS_I, hermitian: true })[1]!;
  const errors: Record<string, number[]> = {};
  const rejections: Record<string, number[]> = {};
  for (const integrator of INTEGRATORS) {
    errors[integrator] = [];
    rejections[integrator] = [];
    for (const h of hs) {
      const run = integrateTtn(p.y0, p.rhs, { integrator, h, tf: 1, truncation: { theta: 1e-8 } });
      errors[integrator]!.push(distance(run.y.toFull(), exact));
      rejections[integrator]!.push(run.reports.reduce((s, r) => s + r.rejections, 0));
    }
  }
  out.saveJson("integrators-ising-order.json", { d: 4, T: 1, theta: 1e-8, h: hs, errors, rejections });
  console.log("\n### Error at T = 1 against h (d = 4, ϑ = 1e-8)\n");
  console.log(markdownTable(["h", ...INTEGRATORS.map((i) => `${i} error`), "parallel-bug rejections"], hs.map((h, i) => [`1/${1 / h}`, ...INTEGRATORS.map((n) => exp2(errors[n]![i]!)), rejections["parallel-bug"]![i]!])));
  const series: PlotSeries[] = INTEGRATORS.map((n) => ({ label: n, x: hs, y: errors[n]! }));
  const top = Math.max(...Object.values(errors).flat());
  series.push({ label: "∝ h", x: hs, y: hs.map((h) => top * (h / hs[0]!)), dashed: true, markers: false });
  series.push({ label: "∝ h²", x: hs, y: hs.map((h) => top * (h / hs[0]!) ** 2), dashed: true, markers: false });
  figure("ising-order.svg", linePlotSvg(series, { logX: true, logY: true, xLabel: "h", yLabel: "‖Y(1) − ψ(1)‖", title: "Long-range Ising, d = 4, ϑ = 1e-8" }));
}

interface ExactRow {
  d: number;
  integrator: TtnIntegratorName;
  h: number;
  maxMzError: number;
  maxStateError: number;
  normDrift: number;
  energyDrift: number;
  maxRank: number;
  rejections: number;
  seconds: number;
}

/** d = 8 and 12 against the full 2^d evolution, T = 1, ϑ = 1e-8. */
function exactComparison(quick: boolean): void {
  const rows: ExactRow[] = [];
  const cases: { d: number; h: number; integrators: TtnIntegratorName[] }[] = quick
    ? [{ d: 8, h: 0.02, integrators: INTEGRATORS }]
    : [
        { d: 8, h: 0.01, integrators: INTEGRATORS },
        { d: 8, h: 0.005, integrators: ["parallel-bug"] },
        { d: 8, h: 0.0025, integrators: ["parallel-bug"] },
        { d: 12, h: 0.01, integrators: INTEGRATORS },
      ];
  for (const c of cases) {
    const p = problem(c.d);
    const checkpoints = Array.from({ length: 11 }, (_, k) => k / 10);
    const exact = referenceEvolution(p.sop, p.y0.toFull(), checkpoints, { scale: MINUS_I, hermitian: true });
    const mzExact = exact.map((psi) => p.mzDense.expectation(psi));
    const e0 = re(expectation(p.H, p.y0));
    for (const integrator of c.integrators) {
      let maxMz = 0, maxState = 0, normDrift = 0, energyDrift = 0;
      const started = performance.now();
      const run = integrateTtn(p.y0, p.rhs, {
        integrator, h: c.h, tf: 1, truncation: { theta: 1e-8 }, workers: 2,
        onStep: (r, y) => {
          normDrift = Math.max(normDrift, Math.abs(y.norm() - 1));
          const k = Math.round((r.t + r.h) * 10 * 1e6) / 1e6;
          if (!Number.isInteger(k)) return;
          energyDrift = Math.max(energyDrift, Math.abs(re(expectation(p.H, y)) - e0));
          maxMz = Math.max(maxMz, Math.abs(re(expectation(p.mz, y)) - mzExact[k]!));
          maxState = Math.max(maxState, distance(y.toFull(), exact[k]!));
        },
      });
      rows.push({
        d: c.d, integrator, h: c.h, maxMzError: maxMz, maxStateError: maxState, normDrift, energyDrift,
        maxRank: Math.max(...run.reports.map((r) => Math.max(...r.ranks))), rejections: run.reports.reduce((s, r) => s + r.rejections, 0),
        seconds: (performance.now() - started) / 1000,
      });
    }
  }
  out.saveJson("integrators-ising-exact.json", rows);
  console.log("\n### Against the exact evolution (T = 1, ϑ = 1e-8; errors at t = 0.1, 0.2, …, 1)\n");
  console.log(markdownTable(["d", "integrator", "h", "max |Δm_z|", "max ‖Y − ψ‖", "max |‖Y‖ − 1|", "max |ΔE|", "max rank", "rejections", "s"],
    rows.map((r) => [r.d, r.integrator, r.h, exp2(r.maxMzError), exp2(r.maxStateError), exp2(r.normDrift), exp2(r.energyDrift), r.maxRank, r.rejections, r.seconds.toFixed(0)])));
}

/** The error bound c₁h + c₂ϑ/h: vary ϑ at fixed h and h at fixed ϑ (d = 8, T = 0.5). */
function thetaTable(quick: boolean): void {
  const p = problem(8);
  const T = 0.5;
  const exact = referenceEvolution(p.sop, p.y0.toFull(), [0, T], { scale: MINUS_I, hermitian: true })[1]!;
  const thetas = quick ? [1e-4, 1e-6] : [1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10];
  const hs = quick ? [0.02, 0.01] : [0.05, 0.025, 0.0125, 0.00625];
  const byTheta: Record<string, number[]> = {};
  const byH: Record<string, number[]> = {};
  for (const integrator of INTEGRATORS) {
    byTheta[integrator] = thetas.map((theta) => distance(integrateTtn(p.y0, p.rhs, { integrator, h: 0.0125, tf: T, truncation: { theta }, workers: 2 }).y.toFull(), exact));
    byH[integrator] = hs.map((h) => distance(integrateTtn(p.y0, p.rhs, { integrator, h, tf: T, truncation: { theta: 1e-5 }, workers: 2 }).y.toFull(), exact));
  }
  out.saveJson("integrators-ising-theta.json", { d: 8, T, fixedH: 0.0125, thetas, byTheta, fixedTheta: 1e-5, hs, byH });
  console.log(`\n### Error at T = ${T} (d = 8): ϑ varied at h = 0.0125\n`);
  console.log(markdownTable(["ϑ", ...INTEGRATORS], thetas.map((t, i) => [t.toExponential(0), ...INTEGRATORS.map((n) => exp2(byTheta[n]![i]!))])));
  console.log(`\n### Error at T = ${T} (d = 8): h varied at ϑ = 1e-5\n`);
  console.log(markdownTable(["h", ...INTEGRATORS], hs.map((h, i) => [h, ...INTEGRATORS.map((n) => exp2(byH[n]![i]!))])));
}

/** d = 16 to T = 1: magnetisation, norm, energy, ranks; parallel ≈ sequential; exact reference. */
function d16(quick: boolean): void {
  const d = quick ? 8 : 16;
  const T = quick ? 0.2 : 1;
  const p = problem(d);
  const times = Array.from({ length: Math.round(T / 0.05) + 1 }, (_, k) => Math.round(k * 0.05 * 1e6) / 1e6);
  const started = performance.now();
  const exact = referenceEvolution(p.sop, p.y0.toFull(), times, { scale: MINUS_I, hermitian: true });
  const referenceSeconds = (performance.now() - started) / 1000;
  const mzExact = exact.map((psi) => p.mzDense.expectation(psi));
  const curves: Record<string, { t: number[]; mz: number[]; norm: number[]; energy: number[]; maxRank: number[]; seconds: number }> = {};
  for (const integrator of INTEGRATORS) {
    const c = { t: [0], mz: [1], norm: [1], energy: [re(expectation(p.H, p.y0))], maxRank: [1], seconds: 0 };
    const t0 = performance.now();
    integrateTtn(p.y0, p.rhs, {
      integrator, h: 0.01, tf: T, truncation: { theta: 1e-8, maxRank: 40 }, workers: 2,
      onStep: (r, y) => {
        const k = Math.round((r.t + r.h) / 0.05 * 1e6) / 1e6;
        if (!Number.isInteger(k)) return;
        c.t.push(times[k]!);
        c.mz.push(re(expectation(p.mz, y)));
        c.norm.push(y.norm());
        c.energy.push(re(expectation(p.H, y)));
        c.maxRank.push(y.maxRank());
      },
    });
    c.seconds = (performance.now() - t0) / 1000;
    curves[integrator] = c;
  }
  const mzError = (n: string) => Math.max(...curves[n]!.mz.map((m, i) => Math.abs(m - mzExact[i]!)));
  const between = Math.max(...curves["bug"]!.mz.map((m, i) => Math.abs(m - curves["parallel-bug"]!.mz[i]!)));
  out.saveJson("integrators-ising-d16.json", { d, T, h: 0.01, theta: 1e-8, maxRank: 40, times, mzExact, curves, referenceSeconds });
  console.log(`\n### d = ${d}, T = ${T}, h = 0.01, ϑ = 1e-8, max rank 40 (reference: full 2^${d} Krylov, ${referenceSeconds.toFixed(0)} s)\n`);
  console.log(markdownTable(["integrator", "max |Δm_z| vs exact", "max |‖Y‖ − 1|", "max |E − E₀|", "max rank", "s"], INTEGRATORS.map((n) => {
    const c = curves[n]!;
    return [n, exp2(mzError(n)), exp2(Math.max(...c.norm.map((x) => Math.abs(x - 1)))), exp2(Math.max(...c.energy.map((e) => Math.abs(e - c.energy[0]!)))), Math.max(...c.maxRank), c.seconds.toFixed(0)];
  })));
  console.log(`\nmax |m_z(BUG) − m_z(parallel BUG)| = ${exp2(between)}`);
  figure("ising-d16-magnetisation.svg", linePlotSvg([
    { label: "exact", x: times, y: mzExact, markers: false },
    ...INTEGRATORS.map((n) => ({ label: n, x: curves[n]!.t, y: curves[n]!.mz, line: false })),
  ], { xLabel: "t", yLabel: "m_z", title: `Magnetisation, long-range Ising, d = ${d}` }));
  figure("ising-d16-ranks.svg", linePlotSvg(INTEGRATORS.map((n) => ({ label: n, x: curves[n]!.t, y: curves[n]!.maxRank })), { xLabel: "t", yLabel: "max rank", title: `Max bond rank, d = ${d}, ϑ = 1e-8` }));
}

const PARTS: Record<string, (quick: boolean) => void> = { order, exact: exactComparison, theta: thetaTable, d16 };

const out = scriptArgs(process.argv.slice(2), Object.keys(PARTS));
await runParts(out.parts, (name) => PARTS[name]!(out.quick));
await closeWorkerPools();
