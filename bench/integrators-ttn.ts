/**
 * The tree-network part of the "integrators" benchmark: wall time per step of the long-range
 * Ising chain (the parallel TTN paper's §5.1 problem: Ω = Δ = 1, ν = 2, α = 1, binary tree,
 * h = 0.01, ϑ = 1e-6 absolute, max rank 32) for the rank-adaptive BUG and the parallel BUG on
 * 1 and 2 worker threads, in the same run, with the ranks reached and where the time goes.
 *
 * Two workloads per chain length d:
 * - "start": the first steps from the all-up product state (ranks grow from 1);
 * - "rank 32": one step from a random normalised complex state with every bond at the cap 32
 *   (as far as the tree allows), the cost of a step late in a long run. Rejection is off there
 *   so that exactly one step is timed.
 * Phases (StepReport.phases) are grouped as contractions (environments, sub-steps, assembly),
 * decompositions (restriction QRs, truncation SVDs) and overhead (the rest of the wall time).
 */
import { closeWorkerPools, workerPool } from "../src/backend/pool/pool.js";
import { tensor } from "../src/linalg/tensor.js";
import { randomTtn } from "../src/tn/construct.js";
import { longRangeIsing } from "../src/tn/operators/spin.js";
import { Ttno } from "../src/tn/operators/ttno.js";
import { Tree } from "../src/tn/tree.js";
import { Ttn } from "../src/tn/ttn.js";
import { integrateTtn, TTN_INTEGRATORS, type TtnIntegratorName } from "../src/integrators/ttn/integrate.js";
import type { TtnRhs } from "../src/integrators/ttn/rhs.js";
import type { StepReport } from "../src/integrators/types.js";
import { fmt3, formatTable, type Column, type SuiteRunOptions } from "./harness.js";

/** One measured (d, workload, integrator, workers) case. */
export interface TtnIntegratorRecord {
  kind: "ttn";
  spins: number;
  workload: "start" | "rank 32";
  integrator: TtnIntegratorName;
  workers: number;
  steps: number;
  /** Mean wall time per step; null when the case was skipped (see note). */
  ms_per_step: number | null;
  /** Parallel BUG on 2 workers: its 1-worker time over this one, same run. */
  speedup: number | null;
  max_rank_before: number;
  max_rank_after: number | null;
  rejections: number | null;
  /** Operator applications in all sub-steps (equal for 1 and 2 workers: same work). */
  evaluations: number | null;
  /** Shares of the wall time. */
  contractions: number | null;
  decompositions: number | null;
  overhead: number | null;
  note?: string;
}

const H = 0.01;
const THETA = 1e-6;
const MAX_RANK = 32;
const CONTRACTION_PHASES = ["environments", "substeps", "assembly"];
const DECOMPOSITION_PHASES = ["restriction", "truncation"];

interface Variant {
  integrator: TtnIntegratorName;
  workers: number;
}

const VARIANTS: Variant[] = [
  { integrator: "bug", workers: 1 },
  { integrator: "parallel-bug", workers: 1 },
  { integrator: "parallel-bug", workers: 2 },
];

function isingRhs(tree: Tree): TtnRhs {
  return { kind: "ttno", op: Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: tree.numModes })), scale: { re: 0, im: -1 }, hermitian: true };
}

function shares(reports: readonly StepReport[], wallMs: number): { contractions: number; decompositions: number; overhead: number } {
  let c = 0, d = 0;
  for (const r of reports) {
    for (const [phase, ms] of Object.entries(r.phases ?? {})) {
      if (CONTRACTION_PHASES.includes(phase)) c += ms;
      else if (DECOMPOSITION_PHASES.includes(phase)) d += ms;
    }
  }
  return { contractions: c / wallMs, decompositions: d / wallMs, overhead: Math.max(0, 1 - (c + d) / wallMs) };
}

function measure(y0: Ttn, rhs: TtnRhs, v: Variant, steps: number, rejection: boolean): Omit<TtnIntegratorRecord, "kind" | "spins" | "workload" | "speedup" | "note"> {
  const started = performance.now();
  const run = integrateTtn(y0, rhs, {
    integrator: v.integrator, h: H, tf: steps * H, workers: v.workers,
    truncation: { theta: THETA, maxRank: MAX_RANK }, rejection: { enabled: rejection },
  });
  const wall = performance.now() - started;
  return {
    integrator: v.integrator, workers: v.workers, steps,
    ms_per_step: Math.round((wall / steps) * 10) / 10,
    max_rank_before: y0.maxRank(), max_rank_after: run.y.maxRank(),
    rejections: run.reports.reduce((s, r) => s + r.rejections, 0),
    evaluations: run.reports.reduce((s, r) => s + r.substeps.evaluations, 0),
    ...shares(run.reports, wall),
  };
}

/** The chain lengths, steps of the "start" workload, and which "rank 32" cases run. */
export function ttnIntegratorCases(quick: boolean): { spins: number; startSteps: number; capVariants: Variant[] }[] {
  if (quick) return [{ spins: 8, startSteps: 3, capVariants: VARIANTS }];
  return [
    { spins: 16, startSteps: 10, capVariants: VARIANTS },
    // The rank-adaptive BUG's Galerkin steps act on doubled child ranks: at d = 32 and rank 32
    // one step took 168 s when measured by hand (parallel BUG: 37 s), so it is left out there.
    { spins: 32, startSteps: 5, capVariants: VARIANTS.slice(1) },
    { spins: 64, startSteps: 3, capVariants: [] },
  ];
}

/** Runs the tree-network cases (see the module comment). */
export function runTtnIntegratorBench(options: SuiteRunOptions): TtnIntegratorRecord[] {
  const records: TtnIntegratorRecord[] = [];
  // Start the 2-thread pool (and its workers' compiled code) before anything is timed.
  const warmTree = Tree.balancedBinary(4);
  integrateTtn(Ttn.product(warmTree, new Array(4).fill(tensor([1, 0]))), isingRhs(warmTree), { integrator: "parallel-bug", h: H, tf: 2 * H, workers: 2, truncation: { theta: THETA } });
  workerPool(2);
  try {
    for (const c of ttnIntegratorCases(options.quick)) {
      const tree = Tree.balancedBinary(c.spins);
      const rhs = isingRhs(tree);
      const workloads: { workload: TtnIntegratorRecord["workload"]; y0: Ttn; steps: number; variants: Variant[]; rejection: boolean }[] = [
        { workload: "start", y0: Ttn.product(tree, new Array(c.spins).fill(tensor([1, 0]))), steps: c.startSteps, variants: VARIANTS, rejection: true },
      ];
      if (c.capVariants.length > 0) {
        const y = randomTtn(tree, new Array(c.spins).fill(2), MAX_RANK, 7, { dtype: "c128" }).normalize();
        workloads.push({ workload: "rank 32", y0: y, steps: 1, variants: c.capVariants, rejection: false });
      }
      for (const w of workloads) {
        // One untimed step per integrator first: JIT and the pool's workers warm on this problem.
        for (const integrator of new Set(w.variants.map((v) => v.integrator))) TTN_INTEGRATORS[integrator](w.y0, rhs, 0, H, { truncation: { theta: THETA, maxRank: MAX_RANK }, workers: 2, rejection: { enabled: false } });
        let oneWorker: number | null = null;
        for (const v of w.variants) {
          const m = measure(w.y0, rhs, v, w.steps, w.rejection);
          if (v.integrator === "parallel-bug" && v.workers === 1) oneWorker = m.ms_per_step;
          const speedup = v.integrator === "parallel-bug" && v.workers > 1 && oneWorker !== null && m.ms_per_step !== null ? oneWorker / m.ms_per_step : null;
          records.push({ kind: "ttn", spins: c.spins, workload: w.workload, ...m, speedup });
          options.progress.line(`  d=${c.spins} ${w.workload} ${v.integrator} workers=${v.workers}: ${m.ms_per_step} ms/step, rank ${m.max_rank_before} → ${m.max_rank_after}${speedup === null ? "" : `, speedup ${speedup.toFixed(2)}`}`);
        }
      }
    }
  } finally {
    void closeWorkerPools();
  }
  return records;
}

const pct = (x: number | null): string => (x === null ? "-" : `${Math.round(100 * x)}%`);

const COLUMNS: Column<TtnIntegratorRecord>[] = [
  { header: "spins", cell: (r) => String(r.spins) },
  { header: "workload", cell: (r) => r.workload, align: "left" },
  { header: "integrator", cell: (r) => r.integrator, align: "left" },
  { header: "workers", cell: (r) => String(r.workers) },
  { header: "steps", cell: (r) => String(r.steps) },
  { header: "ms/step", cell: (r) => fmt3(r.ms_per_step) },
  { header: "speedup", cell: (r) => fmt3(r.speedup) },
  { header: "rank", cell: (r) => `${r.max_rank_before}→${r.max_rank_after ?? "-"}` },
  { header: "rejections", cell: (r) => (r.rejections === null ? "-" : String(r.rejections)) },
  { header: "contractions", cell: (r) => pct(r.contractions) },
  { header: "decompositions", cell: (r) => pct(r.decompositions) },
  { header: "overhead", cell: (r) => pct(r.overhead) },
];

/** The tree-network records as a table with the problem stated. */
export function ttnIntegratorTable(records: readonly TtnIntegratorRecord[]): string {
  return [
    formatTable(COLUMNS, records),
    "",
    `long-range Ising (Ω = Δ = 1, ν = 2, α = 1), balanced binary tree, h = ${H}, ϑ = ${THETA.toExponential(0)} absolute, max rank ${MAX_RANK};`,
    "speedup = parallel BUG ms/step on 1 worker / on 2 workers (same run); shares of wall time: contractions = environments + sub-steps + assembly, decompositions = restriction QRs + truncation SVDs",
  ].join("\n");
}
