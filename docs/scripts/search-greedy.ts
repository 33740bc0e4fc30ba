/**
 * Regenerates the structure-search experiments of docs/search-experiments.md:
 *
 *   npm run build && node dist/docs/scripts/search-greedy.js [greedy] [core-shapes] [--quick] [--out-dir DIR]
 *   npm run reproduce -- search-greedy [parts]     (regenerates and compares with docs/results)
 *
 * (no part named: both). Part "greedy": on the greedy paper's four planted 7×7×7×7×7 targets
 * (`plantedTarget`, seed 0), the loss-versus-parameters path of greedy rank growth
 * (`greedySearch`) against fixed-format fits of increasing rank: tensor train (TT-SVD with the
 * ranks capped, refined by ALS), Tucker (HOSVD with the ranks capped, refined by HOOI) and CP
 * (CP-ALS, `fitCp`); writes docs/results/search-greedy.json and
 * docs/images/search-greedy-<target>.svg. Part "core-shapes": Tucker core shapes from
 * higher-order singular values (`tuckerCoreShape`) against a greedy rank search on the true
 * Tucker loss, at equal parameter budgets; writes docs/results/search-core-shapes.json.
 * Deterministic: the same command gives the same numbers (times aside).
 */
import { writeFileSync } from "node:fs";
import { markdownTable, runParts, scriptArgs } from "./script-args.js";
import { closeWorkerPools } from "../../src/backend/pool/pool.js";
import { linePlotSvg, type PlotSeries } from "../../src/io/svg-plot.js";
import { svd } from "../../src/linalg/decomp/svd.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { adjoint, permute } from "../../src/linalg/permute.js";
import { slice } from "../../src/linalg/slice.js";
import { Tensor } from "../../src/linalg/tensor.js";
import { modeProduct, unfold } from "../../src/linalg/unfold.js";
import { tuckerCoreShape } from "../../src/search/core-shapes.js";
import { fitNetwork } from "../../src/search/fit/als.js";
import { fitCp } from "../../src/search/fit/cp.js";
import { greedySearch } from "../../src/search/greedy.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { plantedNetwork, plantedTarget, PLANTED_TARGETS, type PlantedTargetName } from "../../src/search/planted.js";



function figure(name: string, svg: string): void {
  writeFileSync(out.imagePath(name), svg);
}


const seconds = (t0: number): number => Number(((performance.now() - t0) / 1000).toFixed(3));
const exp2 = (x: number): string => x.toExponential(2);

// ---- settings (the paper's protocol: unit-norm targets, stop at loss 1e-6 or 3000 parameters) ----

const SEED = 0;
const TARGET_RSE = 1e-6;
const MAX_PARAMETERS = 3000;
const GREEDY = { targetRse: TARGET_RSE, maxParameters: MAX_PARAMETERS, maxSteps: 100, seed: 1 };
const ALS_SWEEPS = 30; // ALS refinement of each TT-SVD start
const HOOI_SWEEPS = 10; // HOOI refinement of each HOSVD start (stops earlier when converged)
const CP_RANKS = [1, 2, 3, 4, 6, 9, 13, 19, 28, 42, 63, 85]; // ×1.5 as the paper's baseline; 85·35 = 2975
const CP_OPTIONS = { maxIterations: 500, targetRse: 1e-10, seed: 1 };
const RANK_TOL = 1e-10; // singular values below 1e-10·σ₁ are numerically zero (caps never go above the numerical rank)
const THRESHOLDS = [1e-2, 1e-4];

interface Point {
  parameters: number;
  rse: number;
}

// ---- fixed formats ----

/** TT-SVD with every bond rank capped at `cap` (and at the numerical rank), as a network on the train. */
function ttSvd(X: Tensor, cap: number): TensorNetwork<"f64"> {
  const dims = X.shape, N = dims.length;
  const cores: Tensor[] = [];
  const ranks: number[] = [];
  let C: Tensor = X;
  let left = 1;
  for (let k = 0; k < N - 1; k++) {
    const M = C.reshape([left * dims[k]!, C.size / (left * dims[k]!)]);
    const { U, s, Vh } = svd(M);
    let r = 0;
    while (r < s.length && r < cap && s[r]! > RANK_TOL * s[0]!) r++;
    r = Math.max(r, 1);
    cores.push(slice(U, [null, [0, r]]).reshape([left, dims[k]!, r]));
    const V = slice(Vh, [[0, r], null]);
    const sv = new Tensor("f64", V.shape, (V.data as Float64Array).slice());
    const cols = V.shape[1]!;
    for (let i = 0; i < r; i++) for (let j = 0; j < cols; j++) sv.data[i * cols + j] = sv.data[i * cols + j]! * s[i]!;
    C = sv;
    ranks.push(r);
    left = r;
  }
  cores.push(C.reshape([left, dims[N - 1]!, 1]));
  const structure = NetworkStructure.tensorTrain(dims, ranks);
  return new TensorNetwork(structure, cores.map((c, k) => permute(c, [1, 0, 2]).reshape(structure.coreShape(k)) as Tensor<"f64">));
}

function ttCurve(X: Tensor<"f64">): { points: (Point & { cap: number; ranks: number[] })[]; seconds: number } {
  const t0 = performance.now();
  const points: (Point & { cap: number; ranks: number[] })[] = [];
  let previous = "";
  for (let cap = 1; ; cap++) {
    const start = ttSvd(X, cap);
    const s = start.structure;
    if (s.numParameters() > MAX_PARAMETERS || s.key() === previous) break;
    previous = s.key();
    const fit = fitNetwork(s, X, { start, maxSweeps: ALS_SWEEPS, targetRse: 1e-12 });
    const ranks = X.shape.slice(0, -1).map((_, k) => s.rank(k, k + 1));
    points.push({ cap, ranks, parameters: s.numParameters(), rse: fit.rse });
    if (fit.rse <= TARGET_RSE) break;
  }
  return { points, seconds: seconds(t0) };
}

/** Full mode SVD bases of X (computed once per tensor and shared by every Tucker fit of it). */
function modeBases(X: Tensor): Tensor[] {
  return X.shape.map((_, n) => svd(unfold(X, [n])).U);
}

/** Truncated HOSVD with `ranks`, then HOOI sweeps until the error stalls (≤ HOOI_SWEEPS); the relative error. */
function tuckerError(X: Tensor, ranks: readonly number[], bases: readonly Tensor[]): number {
  const N = X.ndim;
  const xn = norm(X);
  const U = ranks.map((r, n) => slice(bases[n]!, [null, [0, Math.min(r, bases[n]!.shape[1]!)]]));
  const project = (): Tensor => {
    let core: Tensor = X;
    for (let n = 0; n < N; n++) core = modeProduct(core, adjoint(U[n]!), n);
    return core;
  };
  // ‖X − X̂‖² = ‖X‖² − ‖core‖² for orthonormal factors: cheap, good to ~1e-8 relative.
  const approx = (core: Tensor): number => Math.sqrt(Math.max(0, xn * xn - norm(core) ** 2)) / xn;
  let err = approx(project());
  for (let s = 0; s < HOOI_SWEEPS && err > 1e-7; s++) {
    for (let n = 0; n < N; n++) {
      let Y: Tensor = X;
      for (let m = 0; m < N; m++) if (m !== n) Y = modeProduct(Y, adjoint(U[m]!), m);
      const Un = svd(unfold(Y, [n])).U;
      U[n] = slice(Un, [null, [0, Math.min(ranks[n]!, Un.shape[1]!)]]);
    }
    const next = approx(project());
    const stalled = err - next < 1e-6 * err;
    err = next;
    if (stalled) break;
  }
  // The final error from the reconstruction itself (exact also near zero).
  let core = project();
  for (let n = 0; n < N; n++) core = modeProduct(core, U[n]!, n);
  return distance(core, X) / xn;
}

const tuckerParameters = (dims: readonly number[], ranks: readonly number[]): number =>
  ranks.reduce((p, r) => p * r, 1) + ranks.reduce((s, r, n) => s + r * dims[n]!, 0);

function tuckerCurve(X: Tensor<"f64">): { points: (Point & { cap: number; ranks: number[] })[]; seconds: number } {
  const t0 = performance.now();
  const bases = modeBases(X);
  const numericalRank = X.shape.map((_, n) => {
    const s = svd(unfold(X, [n]), { vectors: false }).s;
    let r = 0;
    while (r < s.length && s[r]! > RANK_TOL * s[0]!) r++;
    return Math.max(r, 1);
  });
  const points: (Point & { cap: number; ranks: number[] })[] = [];
  let previous = "";
  for (let cap = 1; cap <= Math.max(...X.shape); cap++) {
    const ranks = numericalRank.map((r) => Math.min(r, cap));
    const parameters = tuckerParameters(X.shape, ranks);
    if (parameters > MAX_PARAMETERS || ranks.join() === previous) break;
    previous = ranks.join();
    const rse = tuckerError(X, ranks, bases);
    points.push({ cap, ranks, parameters, rse });
    if (rse <= TARGET_RSE) break;
  }
  return { points, seconds: seconds(t0) };
}

function cpCurve(X: Tensor<"f64">): { points: (Point & { rank: number; iterations: number })[]; seconds: number } {
  const t0 = performance.now();
  const points: (Point & { rank: number; iterations: number })[] = [];
  for (const rank of CP_RANKS) {
    const fit = fitCp(X, rank, CP_OPTIONS);
    if (fit.parameters > MAX_PARAMETERS) break;
    points.push({ rank, parameters: fit.parameters, rse: fit.rse, iterations: fit.iterations });
    if (fit.rse <= TARGET_RSE) break;
  }
  return { points, seconds: seconds(t0) };
}

/** The fewest parameters of any point of a curve at or below the threshold; null if none. */
function reach(points: readonly Point[], threshold: number): number | null {
  const sorted = points.slice().sort((a, b) => a.parameters - b.parameters);
  return sorted.find((p) => p.rse <= threshold)?.parameters ?? null;
}

/** Parameters of the first point along a path (greedy's steps in order) at or below the threshold; null if none. */
function firstReach(points: readonly Point[], threshold: number): number | null {
  return points.find((p) => p.rse <= threshold)?.parameters ?? null;
}

// ---- part "greedy" ----

const METHODS = ["greedy", "tt", "tucker", "cp"] as const;
const LABELS: Record<(typeof METHODS)[number], string> = { greedy: "greedy", tt: "TT", tucker: "Tucker", cp: "CP" };
const PLOT_FLOOR = 1e-8;

function greedyPart(quick: boolean): void {
  const names: PlantedTargetName[] = quick ? ["tucker"] : PLANTED_TARGETS.slice();
  const results = [];
  const reachRows: (string | number)[][] = [];
  for (const name of names) {
    const target = plantedTarget(name, SEED);
    const X = target.tensor;
    const t0 = performance.now();
    const found = greedySearch(X, quick ? { ...GREEDY, maxParameters: 600 } : GREEDY);
    const greedy = {
      // Every accepted step as greedySearch reports it (rse, parameters, evaluations, structure, …).
      points: found.steps.map((s) => ({ ...s })),
      stop: found.stop,
      evaluations: found.evaluations,
      seconds: seconds(t0),
    };
    const curves = { greedy, tt: ttCurve(X), tucker: tuckerCurve(X), cp: cpCurve(X) };
    // Fewest parameters of a visited model at each error level (for greedy, whose refinement
    // steps can lower the count after the level is first met, also where its path first met it).
    const reached: Record<string, Record<string, number | null>> = {};
    const greedyFirstReached: Record<string, number | null> = {};
    for (const threshold of THRESHOLDS) {
      reached[String(threshold)] = Object.fromEntries(METHODS.map((m) => [m, reach(curves[m].points, threshold)]));
      greedyFirstReached[String(threshold)] = firstReach(greedy.points, threshold);
    }
    results.push({
      name,
      seed: SEED,
      dims: X.shape,
      plantedParameters: target.parameters,
      plantedStructure: target.structure.key(),
      ...curves,
      reached,
      greedyFirstReached,
    });
    for (const threshold of THRESHOLDS) {
      const first = greedyFirstReached[String(threshold)];
      const cells = METHODS.map((m) => String(reached[String(threshold)]![m] ?? `> ${MAX_PARAMETERS}`));
      if (first !== null && first !== reached[String(threshold)]!.greedy) cells[0] += ` (first ${first})`;
      reachRows.push([name, target.parameters, exp2(threshold), ...cells]);
    }
    console.error(`[${name}: greedy ${greedy.seconds} s (${greedy.evaluations} fits), TT ${curves.tt.seconds} s, Tucker ${curves.tucker.seconds} s, CP ${curves.cp.seconds} s]`);
    // The figure: log RSE against parameters, one series per method, the planted count marked.
    const series: PlotSeries[] = METHODS.map((m) => ({
      label: LABELS[m],
      x: curves[m].points.map((p) => p.parameters),
      y: curves[m].points.map((p) => Math.max(p.rse, PLOT_FLOOR)),
    }));
    series.push({ label: `planted (${target.parameters})`, x: [target.parameters, target.parameters], y: [PLOT_FLOOR, 1], markers: false, dashed: true });
    figure(`search-greedy-${name}.svg`, linePlotSvg(series, {
      width: 680,
      logY: true,
      xLabel: "parameters",
      yLabel: "relative error ‖X − Y‖/‖X‖",
      title: `${name} target, 7×7×7×7×7 (errors below 1e-8 drawn at 1e-8)`,
    }));
  }
  console.log(markdownTable(["target", "planted parameters", "RSE ≤", ...METHODS.map((m) => LABELS[m])], reachRows));
  out.saveJson("search-greedy.json", {
    settings: {
      seed: SEED,
      targetRse: TARGET_RSE,
      maxParameters: MAX_PARAMETERS,
      greedy: GREEDY,
      ttAlsSweeps: ALS_SWEEPS,
      hooiSweeps: HOOI_SWEEPS,
      cpRanks: CP_RANKS,
      cp: CP_OPTIONS,
      numericalRankTolerance: RANK_TOL,
    },
    targets: results,
  });
}

// ---- part "core-shapes" ----

/**
 * Greedy Tucker ranks on the true loss (the seed paper's "rre-greedy"): from all ones, raise the
 * one mode rank whose Tucker fit (HOSVD + HOOI) has the lowest error, among the raises that keep
 * the parameter count within the budget, until none is affordable.
 */
function greedyTucker(X: Tensor, budget: number): { ranks: number[]; parameters: number; rse: number; evaluations: number } {
  const bases = modeBases(X);
  const dims = X.shape;
  let ranks = dims.map(() => 1);
  let rse = tuckerError(X, ranks, bases);
  let evaluations = 1;
  for (;;) {
    let best: { ranks: number[]; rse: number } | undefined;
    for (let n = 0; n < dims.length; n++) {
      if (ranks[n]! >= dims[n]!) continue;
      const r = ranks.slice();
      r[n]!++;
      if (tuckerParameters(dims, r) > budget) continue;
      const e = tuckerError(X, r, bases);
      evaluations++;
      if (best === undefined || e < best.rse) best = { ranks: r, rse: e };
    }
    if (best === undefined) break;
    ranks = best.ranks;
    rse = best.rse;
  }
  return { ranks, parameters: tuckerParameters(dims, ranks), rse, evaluations };
}

function coreShapesPart(quick: boolean): void {
  // The Tucker target of part "greedy"; a Tucker tensor of uneven mode sizes with 1 % noise;
  // a smooth function (no exact low rank): 1/(1 + x₀ + 2x₁ + 3x₂ + 4x₃ + 5x₄) on uniform grids of [0, 1].
  const noisyStar = new NetworkStructure(
    [12, 10, 8, 6, 9],
    (() => {
      const R = Array.from({ length: 6 }, () => new Array<number>(6).fill(1));
      [5, 4, 6, 3, 2].forEach((r, k) => (R[k]![5] = R[5]![k] = r));
      return R;
    })(),
    [0, 1, 2, 3, 4, -1],
  );
  const smoothDims = [12, 10, 8, 6, 9];
  const smooth = (() => {
    const size = smoothDims.reduce((p, n) => p * n, 1);
    const data = new Float64Array(size);
    const idx = new Array<number>(smoothDims.length).fill(0);
    for (let e = 0; e < size; e++) {
      let s = 1;
      idx.forEach((i, k) => (s += (k + 1) * (i / (smoothDims[k]! - 1))));
      data[e] = 1 / s;
      for (let k = smoothDims.length - 1; k >= 0; k--) {
        if (++idx[k]! < smoothDims[k]!) break;
        idx[k] = 0;
      }
    }
    const t = new Tensor("f64", smoothDims, data);
    const nt = norm(t);
    return new Tensor("f64", smoothDims, data.map((x) => x / nt));
  })();
  const cases = [
    { name: "tucker", description: "plantedTarget(\"tucker\", 0): 7^5, Tucker ranks (2, 3, 4, 3, 2), 242 parameters", tensor: plantedTarget("tucker", SEED).tensor, budgets: [80, 120, 160, 200, 242, 300, 400] },
    { name: "noisy-tucker", description: "plantedNetwork(star over 12×10×8×6×9, ranks (5, 4, 6, 3, 2), seed 1, noise 0.01): 904 parameters", tensor: plantedNetwork(noisyStar, 1, { noise: 0.01 }).tensor, budgets: [200, 400, 600, 904, 1200, 1600] },
    { name: "smooth", description: "1/(1 + x₀ + 2x₁ + 3x₂ + 4x₃ + 5x₄) on uniform grids of [0, 1], 12×10×8×6×9, unit norm", tensor: smooth, budgets: [100, 200, 400, 800, 1600] },
  ];
  const rows: (string | number)[][] = [];
  const results = [];
  for (const c of quick ? cases.slice(0, 1) : cases) {
    const X = c.tensor;
    const bases = modeBases(X);
    const budgets = [];
    for (const budget of quick ? c.budgets.slice(0, 3) : c.budgets) {
      let t0 = performance.now();
      const shape = tuckerCoreShape(X, { budget });
      const coreShapeSeconds = seconds(t0);
      const coreShapeRse = tuckerError(X, shape.ranks, bases);
      t0 = performance.now();
      const greedy = greedyTucker(X, budget);
      const greedySeconds = seconds(t0);
      const errorRatio = greedy.rse > 1e-10 ? coreShapeRse / greedy.rse : null;
      budgets.push({
        budget,
        coreShape: { ranks: shape.ranks, parameters: shape.parameters, errorBound: shape.errorBound, rse: coreShapeRse, method: shape.method, seconds: coreShapeSeconds },
        greedy: { ranks: greedy.ranks, parameters: greedy.parameters, rse: greedy.rse, evaluations: greedy.evaluations, seconds: greedySeconds },
        errorRatio,
      });
      rows.push([
        c.name, budget,
        `(${shape.ranks.join(", ")}) ${shape.parameters}`, exp2(coreShapeRse),
        `(${greedy.ranks.join(", ")}) ${greedy.parameters}`, exp2(greedy.rse),
        errorRatio === null ? "both exact" : errorRatio.toFixed(3),
        greedy.evaluations,
        `${(coreShapeSeconds * 1000).toFixed(0)} ms / ${(greedySeconds * 1000).toFixed(0)} ms`,
      ]);
    }
    results.push({ name: c.name, description: c.description, dims: X.shape, budgets });
  }
  console.log(markdownTable(["target", "budget", "core shape (ranks) params", "its error", "greedy (ranks) params", "its error", "error ratio", "greedy fits", "time core shape / greedy"], rows));
  out.saveJson("search-core-shapes.json", { settings: { hooiSweeps: HOOI_SWEEPS, seed: SEED }, targets: results });
}

const PARTS: Record<string, (quick: boolean) => void> = { greedy: greedyPart, "core-shapes": coreShapesPart };

const out = scriptArgs(process.argv.slice(2), Object.keys(PARTS));
await runParts(out.parts, (name) => PARTS[name]!(out.quick));
await closeWorkerPools();
