/**
 * The matrix part of the "integrators" benchmark: one parallel-BUG step on the Koch–Lubich
 * data problem (F = Ȧ, exact sub-steps; dlra notes §3.1) at n = 1000, r = 20, in arbor and
 * the same step in numpy (bench/numpy_matrix_bug.py) on the same matrices, in the same run.
 *
 * The step: ΔA = A(t1) − A(t0); K = U0S0 + ΔA·V0, L = V0S0ᴴ + ΔAᴴ·U0, S̄ = S0 + U0ᴴ(ΔA·V0);
 * Ũ, Ṽ = the new directions of orth([U0, K]), orth([V0, L]); the 2r×2r core
 * [[S̄, LᴴṼ], [ŨᴴK, 0]]; η = ‖Ũᴴ(ΔA/h)Ṽ‖; truncation (ϑ = 1e-8 absolute, rank ≤ 2r). The
 * rejection rule is not applied, so both sides do exactly this work once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getNumThreads, setNumThreads } from "../src/backend/cpu/threads.js";
import { qr } from "../src/linalg/decomp/qr.js";
import { diag } from "../src/linalg/diag.js";
import { combine, scale } from "../src/linalg/elementwise.js";
import { expm } from "../src/linalg/expm/expm.js";
import { writeNpy } from "../src/linalg/io/npy.js";
import { matmul } from "../src/linalg/matmul.js";
import { norm } from "../src/linalg/norms.js";
import { transpose } from "../src/linalg/permute.js";
import { randn } from "../src/linalg/random.js";
import { slice } from "../src/linalg/slice.js";
import type { Tensor } from "../src/linalg/tensor.js";
import { advanceMatrix, matrixIntegrator } from "../src/integrators/matrix/integrate.js";
import type { LowRankMatrix } from "../src/integrators/matrix/state.js";
import type { StepReport } from "../src/integrators/types.js";
import { bestOfMs, comparisonRecord, fmt3, formatTable, timingOptions, type Column, type SuiteOutput, type SuiteRunOptions } from "./harness.js";
import { runNumpy } from "./numpy.js";

/** One measured case, as written to the suite's JSON file (snake_case for Python readers). */
export interface MatrixBenchRecord {
  kernel: "parallel-bug step";
  /** What exactly is stepped. */
  problem: string;
  n: number;
  rank: number;
  threads: number;
  arbor_ms: number;
  numpy_ms: number | null;
  /** arbor_ms / numpy_ms; above 1 means arbor is slower. */
  ratio: number | null;
  /** Rank after the step's truncation, and η, from arbor's run (numpy's agree; see the test). */
  rank_after: number;
  eta: number;
}

/** The data of one benchmark step: A(t0), A(t1) and Y0, the best rank-r approximation of A(t0). */
export interface MatrixBenchInstance {
  n: number;
  r: number;
  t0: number;
  h: number;
  A0: Tensor;
  A1: Tensor;
  Y0: LowRankMatrix;
  /** Truncation of the step: ϑ absolute, at most 2r. */
  theta: number;
  maxRank: number;
}

/** Singular values d_j = 2^{−j}, floored at 2^{−50} so that no product meets subnormal numbers. */
function singularValues(n: number): number[] {
  return Array.from({ length: n }, (_, j) => 2 ** -Math.min(j + 1, 50));
}

function skew(n: number, seed: number): Tensor {
  const X = randn([n, n], seed);
  const W = combine(1, X, -1, transpose(X));
  return scale(W, 1 / norm(W));
}

/**
 * The Koch–Lubich matrix A(t) = e^{tW1}·e^t·Q1·diag(d)·Q2ᵀ·e^{tW2}ᵀ (W random skew-symmetric,
 * ‖W‖_F = 1; Q random orthogonal) at t0 = 0 and t1 = h = 0.01; Y0 = (Q1[:, :r], diag(d_1..d_r),
 * Q2[:, :r]).
 */
export function matrixBenchInstance(n: number, r: number, seed = 1): MatrixBenchInstance {
  const h = 0.01;
  const d = singularValues(n);
  const Q1 = qr(randn([n, n], seed)).Q!, Q2 = qr(randn([n, n], seed + 1)).Q!;
  const A0 = matmul(matmul(Q1, diag(d)), Q2, { transposeB: true });
  const A1 = scale(matmul(matmul(expm(scale(skew(n, seed + 2), h)), A0), expm(scale(skew(n, seed + 3), h)), { transposeB: true }), Math.exp(h));
  const Y0 = { U: slice(Q1, [null, [0, r]]), S: diag(d.slice(0, r)), V: slice(Q2, [null, [0, r]]) };
  return { n, r, t0: 0, h, A0, A1, Y0, theta: 1e-8, maxRank: 2 * r };
}

/** Writes A0, A1, U0, S0, V0 as .npy files into `dir` for the numpy script. */
export function writeMatrixBenchInstance(dir: string, inst: MatrixBenchInstance): void {
  for (const [name, t] of [["A0", inst.A0], ["A1", inst.A1], ["U0", inst.Y0.U], ["S0", inst.Y0.S], ["V0", inst.Y0.V]] as const) writeNpy(join(dir, `${name}.npy`), t);
}

/** What the numpy script needs besides the files. */
export function numpyMatrixPayload(dir: string, inst: MatrixBenchInstance) {
  return { dir, h: inst.h, theta: inst.theta, maxRank: inst.maxRank };
}

/**
 * arbor's step, as timed: a fresh integrator every call, so nothing (A(t) values, ΔA, ΔA·V0)
 * is cached from an earlier call.
 */
export function arborParallelBugStep(inst: MatrixBenchInstance): { state: LowRankMatrix; report: StepReport } {
  const A = (t: number): Tensor => (t === inst.t0 ? inst.A0 : inst.A1);
  const integrator = matrixIntegrator("parallel-bug", { kind: "data", A });
  return advanceMatrix(integrator, inst.Y0, inst.t0, inst.h, { truncation: { theta: inst.theta, maxRank: inst.maxRank }, rejection: { enabled: false } });
}

const N = 1000, R = 20;

/**
 * Runs the case at every thread count: arbor in this process (`setNumThreads(t)`), numpy in a
 * child pinned to t threads, both under the harness's timing rule, on the same matrices
 * (written to a temporary directory, removed afterwards). Restores arbor's thread count.
 */
export function runMatrixIntegratorBench(options: SuiteRunOptions): SuiteOutput<MatrixBenchRecord> {
  const timing = timingOptions(options.quick);
  const inst = matrixBenchInstance(N, R);
  const problem = `Koch–Lubich data (F = Ȧ, exact sub-steps), n = ${N}, r = ${R}, h = ${inst.h}, ϑ = ${inst.theta} absolute, rank ≤ ${inst.maxRank}`;
  const records: MatrixBenchRecord[] = [];
  const notes = new Set<string>();
  let numpyFailed = false;
  const dir = mkdtempSync(join(tmpdir(), "arbor-bench-matrix-"));
  const saved = getNumThreads();
  try {
    writeMatrixBenchInstance(dir, inst);
    for (const t of options.threads) {
      setNumThreads(t);
      const { report } = arborParallelBugStep(inst);
      const arborMs = bestOfMs(() => arborParallelBugStep(inst), timing);
      options.progress.line(`  arbor  parallel-bug step n=${N} r=${R} ${arborMs.toFixed(2).padStart(10)} ms  (${t} thread${t > 1 ? "s" : ""})`);
      let numpyMs: number | null = null;
      if (!numpyFailed) {
        const r = runNumpy("numpy_matrix_bug.py", { ...numpyMatrixPayload(dir, inst), timing, progress: options.progress.enabled }, t);
        if (r.ok && r.output.times_ms.length === 1) {
          numpyMs = r.output.times_ms[0]!;
          notes.add(r.output.info);
        } else {
          numpyFailed = true;
          options.warn(`${r.ok ? "numpy_matrix_bug.py returned the wrong number of timings" : r.reason}; numpy_ms and ratio are recorded as null`);
        }
      }
      const c = comparisonRecord({ kernel: "parallel-bug step", dtype: "f64", n: N, shape: `${N}x${N}`, threads: t }, arborMs, numpyMs);
      records.push({ kernel: "parallel-bug step", problem, n: N, rank: R, threads: t, arbor_ms: c.arbor_ms, numpy_ms: c.numpy_ms, ratio: c.ratio, rank_after: report.ranks[0]!, eta: report.eta! });
    }
  } finally {
    setNumThreads(saved);
    rmSync(dir, { recursive: true, force: true });
  }
  return { records, notes: [...notes] };
}

const COLUMNS: Column<MatrixBenchRecord>[] = [
  { header: "kernel", cell: (r) => r.kernel, align: "left" },
  { header: "n", cell: (r) => String(r.n) },
  { header: "r", cell: (r) => String(r.rank) },
  { header: "threads", cell: (r) => String(r.threads) },
  { header: "arbor ms", cell: (r) => fmt3(r.arbor_ms) },
  { header: "numpy ms", cell: (r) => fmt3(r.numpy_ms) },
  { header: "ratio", cell: (r) => fmt3(r.ratio) },
  { header: "rank after", cell: (r) => String(r.rank_after) },
];

/** The records as a table, with the problem stepped. */
export function matrixIntegratorTable(records: readonly MatrixBenchRecord[]): string {
  const problems = [...new Set(records.map((r) => r.problem))];
  return [formatTable(COLUMNS, records), "", ...problems.map((p) => `parallel-bug step: ${p}`)].join("\n");
}
