/**
 * The "gpu" benchmark suite: the compute backends side by side (src/backend/compute).
 *
 * 1. GEMM, n×n·n×n, operands resident on the backend: the CPU (f64 WebAssembly kernels) up to
 *    a size that finishes in seconds, gpu.js's cpu mode on small sizes only (it is the test
 *    backend, ~1 GFLOP/s), and on a WebGPU adapter both GPU kernels — gpu.js's one thread per
 *    element and the tiled WGSL GEMM — from 256 to 8192. GFLOP/s, and the f32 result's relative
 *    error against the f64 CPU product where both ran.
 * 2. One completion sweep (tensor train, every core updated left to right and back) of ALS on
 *    m observed entries: the CPU code path (ChainAls) against BackendChainAls on each backend.
 * 3. One fitting sweep of a structure-search candidate (a tensor ring fitted to a full target):
 *    the CPU path (updateCore) against the normal equations on each backend (environments are
 *    contracted on the CPU in both).
 * 4. A summary: the device, and the crossover sizes (smallest measured size from which the GPU
 *    beat the CPU at every larger measured size; null when it never did) as the table that
 *    `selectBackend` reads (src/backend/compute/select.ts).
 *
 * Without a WebGPU adapter the GPU rows are left out and the summary says why. Timings: best of
 * a few runs after a warm-up; GPU times wait for the device (`sync`).
 * @module
 */
import { availableParallelism } from "node:os";
import { gemmFlops, type ComputeBackend } from "../src/backend/compute/backend.js";
import { CpuBackend } from "../src/backend/compute/cpu.js";
import type { CrossoverOperation, CrossoverTable } from "../src/backend/compute/select.js";
import { getNumThreads, setNumThreads } from "../src/backend/cpu/threads.js";
import { WorkerBackend } from "../src/backend/gpu/worker-backend.js";
import { BackendChainAls } from "../src/completion/chain-als-backend.js";
import { ChainAls } from "../src/completion/chain-als.js";
import type { SweepSolver, TrainingSamples } from "../src/completion/sweep-solver.js";
import { solve } from "../src/linalg/decomp/lu.js";
import { permute } from "../src/linalg/permute.js";
import { Rng } from "../src/linalg/random.js";
import { Tensor } from "../src/linalg/tensor.js";
import { unfold } from "../src/linalg/unfold.js";
import { coreEnvironment, updateCore } from "../src/search/fit/als.js";
import { contractNetwork } from "../src/search/network/contract.js";
import { networkEntries } from "../src/search/network/entries.js";
import { TensorNetwork } from "../src/search/network/network.js";
import { NetworkStructure } from "../src/search/network/structure.js";
import { bestOfMs, fmt3, formatTable, type Column, type SuiteOutput, type SuiteRunOptions, type TimingOptions } from "./harness.js";

/** Which backend (and GEMM kernel) a row measured. */
export type GpuBenchBackend = "cpu" | "gpujs-cpu" | "gpu";

export interface GemmRecord {
  kind: "gemm";
  backend: GpuBenchBackend;
  /** "wasm-f64" (CPU), "gpujs" (one thread per element), "tiled-wgsl". */
  kernel: "wasm-f64" | "gpujs" | "tiled-wgsl";
  n: number;
  ms: number;
  gflops: number;
  /** ‖C − C_f64‖/‖C_f64‖ where the CPU product was computed, else null. */
  rel_err: number | null;
}

export interface SweepRecord {
  kind: "completion-sweep" | "fit-sweep";
  backend: GpuBenchBackend;
  /** completion: training entries; fit: entries of the target. */
  size: number;
  /** The problem in words. */
  problem: string;
  ms: number;
  /** CPU ms / this row's ms (1 for the CPU row). */
  speedup: number;
}

export interface SummaryRecord {
  kind: "summary";
  /** The WebGPU adapter, or why there is none. */
  device: string;
  cpu: string;
  /** The crossover table for selectBackend; null without a GPU. */
  crossovers: CrossoverTable | null;
  notes: string[];
}

export type GpuBenchRecord = GemmRecord | SweepRecord | SummaryRecord;

/** What a run measures; tests pass tiny plans. */
export interface GpuPlan {
  gemm: { cpu: number[]; gpujs: number[]; gpu: number[] };
  completion: { dims: number[]; rank: number; entries: number[]; gpujsEntries: number[] };
  fit: { dims: number[][]; rank: number; gpujsMax: number };
  /** Dawn toggles for the GPU backend (default none: the real adapter). */
  dawn?: string[];
  /** Leave the GPU out even when an adapter answers. */
  noGpu?: boolean;
  /** Kernel threads of the CPU rows (default: every core). */
  cpuThreads?: number;
  timing: TimingOptions;
  sweepTiming: TimingOptions;
}

/** The full plan (on a GPU machine) and the quick one. */
export function gpuPlan(quick: boolean): GpuPlan {
  if (quick) {
    return {
      gemm: { cpu: [64, 128, 256], gpujs: [64], gpu: [256, 512, 1024] },
      completion: { dims: [8, 8, 8, 8, 8], rank: 3, entries: [2000, 20000], gpujsEntries: [2000] },
      fit: { dims: [[6, 6, 6, 6]], rank: 2, gpujsMax: 2000 },
      timing: { warmup: 1, minReps: 2, maxReps: 5, minTotalMs: 50 },
      sweepTiming: { warmup: 1, minReps: 1, maxReps: 2, minTotalMs: 0 },
    };
  }
  return {
    gemm: { cpu: [256, 512, 1024, 2048], gpujs: [256], gpu: [256, 512, 1024, 2048, 4096, 8192] },
    completion: { dims: [16, 16, 16, 16, 16, 16], rank: 6, entries: [10_000, 100_000, 1_000_000], gpujsEntries: [10_000] },
    fit: { dims: [[8, 8, 8, 8, 8], [12, 12, 12, 12, 12], [16, 16, 16, 16, 16]], rank: 4, gpujsMax: 40_000 },
    timing: { warmup: 1, minReps: 3, maxReps: 20, minTotalMs: 300 },
    sweepTiming: { warmup: 1, minReps: 2, maxReps: 3, minTotalMs: 0 },
  };
}

function relErr(x: Float64Array, y: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i]! - y[i]!) ** 2;
    den += y[i]! ** 2;
  }
  return Math.sqrt(num / (den || 1));
}

function uniform(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
}

function sync(be: ComputeBackend): void {
  if (be instanceof WorkerBackend) be.sync();
}

// ---- GEMM ---------------------------------------------------------------------------------

function gemmRows(be: ComputeBackend, name: GpuBenchBackend, sizes: number[], kernels: GemmRecord["kernel"][], reference: Map<number, Float64Array>, timing: TimingOptions, progress: SuiteRunOptions["progress"]): GemmRecord[] {
  const rows: GemmRecord[] = [];
  for (const n of sizes) {
    const rng = new Rng(n);
    const A = be.upload(uniform(n * n, rng)), B = be.upload(uniform(n * n, rng));
    for (const kernel of kernels) {
      const run = (): void => {
        const C = be instanceof WorkerBackend ? be.gemmWith({ m: n, n, k: n }, A, B, kernel === "tiled-wgsl" ? "tiled" : "gpujs") : be.gemm({ m: n, n, k: n }, A, B);
        sync(be);
        be.free(C);
      };
      const ms = bestOfMs(run, timing);
      let err: number | null = null;
      const C = be instanceof WorkerBackend ? be.gemmWith({ m: n, n, k: n }, A, B, kernel === "tiled-wgsl" ? "tiled" : "gpujs") : be.gemm({ m: n, n, k: n }, A, B);
      const c = be.read(C);
      be.free(C);
      if (name === "cpu") reference.set(n, c);
      else if (reference.has(n)) err = relErr(c, reference.get(n)!);
      rows.push({ kind: "gemm", backend: name, kernel, n, ms, gflops: gemmFlops({ m: n, n, k: n }) / ms / 1e6, rel_err: err });
      progress.line(`gemm ${name}/${kernel} n=${n}: ${ms.toFixed(2)} ms`);
    }
    be.free(A);
    be.free(B);
  }
  return rows;
}

// ---- completion sweep -----------------------------------------------------------------------

/** Training samples of a random train: m distinct-ish random indices and the train's entries there, scaled to unit RMS. */
export function completionSamples(dims: number[], rank: number, m: number, seed = 1): { structure: NetworkStructure; start: TensorNetwork<"f64">; samples: TrainingSamples } {
  const structure = NetworkStructure.tensorTrain(dims, rank);
  const truth = TensorNetwork.random(structure, seed);
  const rng = new Rng(seed + 1);
  const N = dims.length, idx = new Int32Array(m * N);
  for (let s = 0; s < m; s++) for (let d = 0; d < N; d++) idx[s * N + d] = Math.floor(rng.uniform(0, dims[d]!));
  const y = networkEntries(truth, idx).data as Float64Array;
  let ss = 0;
  for (const v of y) ss += v * v;
  const unit = Math.sqrt(ss / m) || 1;
  return { structure, start: TensorNetwork.random(structure, seed + 2), samples: { idx, values: y.map((v) => v / unit), m } };
}

function sweepMs(solver: SweepSolver, timing: TimingOptions): number {
  return bestOfMs(() => solver.sweep(1e-6), timing);
}

// ---- fitting sweep ----------------------------------------------------------------------------

/** One ALS sweep of a fit on `be`: environments on the CPU, normal equations on the backend, solves in f64. */
export function fitSweepOnBackend(be: ComputeBackend, net: TensorNetwork<"f64">, target: Tensor): TensorNetwork<"f64"> {
  const s = net.structure;
  const X = be.upload(target.data as Float64Array);
  let cur = net;
  try {
    for (let v = 0; v < s.numVertices; v++) {
      const shape = s.coreShape(v), n = shape[0]!, bonds = shape.slice(1).reduce((p, d) => p * d, 1);
      const env = coreEnvironment(cur, v);
      const cols = env.data.length / bonds;
      // X unfolded along v's mode (rows n), or the whole target as one row.
      const Xv = s.hasOpenLeg(v) ? be.upload(unfold(target, [s.perm[v]!]).data as Float64Array) : X;
      const B = be.upload(env.data as Float64Array);
      const { gram, rhs } = be.leastSquaresNormal(B, Xv, bonds, cols, s.hasOpenLeg(v) ? n : 1);
      be.free(B);
      if (Xv !== X) be.free(Xv);
      let trace = 0;
      for (let i = 0; i < bonds; i++) trace += gram[i * bonds + i]!;
      const ridge = 1e-12 * (trace / bonds || 1);
      for (let i = 0; i < bonds; i++) gram[i * bonds + i] = gram[i * bonds + i]! + ridge;
      const core = permute(solve(new Tensor("f64", [bonds, bonds], gram), new Tensor("f64", [bonds, rhs.length / bonds], rhs)), [1, 0]).reshape(shape) as Tensor<"f64">;
      cur = cur.withCores(new Map([[v, core]]));
    }
  } finally {
    be.free(X);
  }
  return cur;
}

function cpuFitSweep(net: TensorNetwork<"f64">, target: Tensor): TensorNetwork<"f64"> {
  let cur = net;
  for (let v = 0; v < net.structure.numVertices; v++) cur = cur.withCores(new Map([[v, updateCore(cur, target, v)]]));
  return cur;
}

// ---- crossovers -------------------------------------------------------------------------------

/**
 * The smallest size from which the GPU was faster than the CPU at every larger size where both
 * ran (the GPU's best row per size), or null if it never was; sizes only the GPU ran count as
 * wins when it won at the largest common size.
 */
export function crossover(cpu: Map<number, number>, gpu: Map<number, number>): number | null {
  const sizes = [...gpu.keys()].sort((a, b) => a - b);
  let from: number | null = null;
  let lastCommonWin = false;
  for (const n of sizes) {
    const c = cpu.get(n);
    const win: boolean = c === undefined ? lastCommonWin : gpu.get(n)! < c;
    if (c !== undefined) lastCommonWin = win;
    if (win) from ??= n;
    else from = null;
  }
  return from;
}

function bestBySize(rows: { size: number; ms: number }[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of rows) m.set(r.size, Math.min(m.get(r.size) ?? Infinity, r.ms));
  return m;
}

/** Runs the suite; `plan` defaults to {@link gpuPlan}. */
export function runGpuBench(options: SuiteRunOptions, plan: GpuPlan = gpuPlan(options.quick)): SuiteOutput<GpuBenchRecord> {
  const { progress } = options;
  // The CPU rows use every core (the GEMM kernels' threads), the fair baseline for a GPU; the
  // sweeps' per-sample loops are single-threaded, as in the library.
  const threadsBefore = getNumThreads();
  setNumThreads(plan.cpuThreads ?? Math.min(256, availableParallelism()));
  const records: GpuBenchRecord[] = [];
  const cpu = new CpuBackend();
  const notes: string[] = [];
  const backends: { name: GpuBenchBackend; be: ComputeBackend }[] = [{ name: "cpu", be: cpu }];
  let device = "no adapter", cpuDevice = "";
  try {
    backends.push({ name: "gpujs-cpu", be: WorkerBackend.open({ mode: "gpujs-cpu" }) });
  } catch (e) {
    notes.push(`gpujs-cpu left out: ${(e as Error).message}`);
  }
  if (plan.noGpu) device = "no adapter: the GPU was left out of this run";
  else {
    try {
      const gpu = WorkerBackend.open({ mode: "gpu", ...(plan.dawn === undefined ? {} : { dawn: plan.dawn }) });
      backends.push({ name: "gpu", be: gpu });
      device = gpu.device;
    } catch (e) {
      device = `no adapter: ${(e as Error).message}`;
      options.warn(`the GPU rows are left out: ${(e as Error).message}`);
    }
  }
  // A row that fails is left out with a warning and a note, and the suite goes on.
  const guarded = (what: string, fn: () => number): number | undefined => {
    try {
      return fn();
    } catch (e) {
      const line = `${what} failed: ${(e as Error).message.split("\n")[0]}`;
      notes.push(line);
      options.warn(line);
      return undefined;
    }
  };
  try {
    // 1. GEMM
    const reference = new Map<number, Float64Array>();
    for (const { name, be } of backends) {
      const sizes = name === "cpu" ? plan.gemm.cpu : name === "gpujs-cpu" ? plan.gemm.gpujs : plan.gemm.gpu;
      const kernels: GemmRecord["kernel"][] = name === "cpu" ? ["wasm-f64"] : name === "gpujs-cpu" ? ["gpujs"] : ["gpujs", "tiled-wgsl"];
      records.push(...gemmRows(be, name, sizes, kernels, reference, plan.timing, progress));
    }
    // 2. completion sweeps
    const { dims, rank } = plan.completion;
    const sweepRows: SweepRecord[] = [];
    for (const m of plan.completion.entries) {
      const { structure, start, samples } = completionSamples(dims, rank, m);
      const problem = `train ${dims.join("×")} rank ${rank}, ${m} entries`;
      const cpuMs = sweepMs(new ChainAls(structure, start, samples, "direct"), plan.sweepTiming);
      sweepRows.push({ kind: "completion-sweep", backend: "cpu", size: m, problem, ms: cpuMs, speedup: 1 });
      progress.line(`completion sweep cpu m=${m}: ${cpuMs.toFixed(1)} ms`);
      for (const { name, be } of backends) {
        if (name === "cpu" || (name === "gpujs-cpu" && !plan.completion.gpujsEntries.includes(m))) continue;
        const ms = guarded(`completion sweep on ${name}, ${problem}`, () => {
          const solver = new BackendChainAls(structure, start, samples, be);
          try {
            return sweepMs(solver, plan.sweepTiming);
          } finally {
            solver.release();
          }
        });
        if (ms === undefined) continue;
        sweepRows.push({ kind: "completion-sweep", backend: name, size: m, problem, ms, speedup: cpuMs / ms });
        progress.line(`completion sweep ${name} m=${m}: ${ms.toFixed(1)} ms`);
      }
    }
    // 3. fitting sweeps
    for (const d of plan.fit.dims) {
      const structure = NetworkStructure.tensorRing(d, plan.fit.rank);
      const target = contractNetwork(TensorNetwork.random(structure, 5));
      const start = TensorNetwork.random(structure, 6);
      const size = target.data.length;
      const problem = `ring ${d.join("×")} rank ${plan.fit.rank}`;
      const cpuMs = bestOfMs(() => cpuFitSweep(start, target), plan.sweepTiming);
      sweepRows.push({ kind: "fit-sweep", backend: "cpu", size, problem, ms: cpuMs, speedup: 1 });
      for (const { name, be } of backends) {
        if (name === "cpu" || (name === "gpujs-cpu" && size > plan.fit.gpujsMax)) continue;
        const ms = guarded(`fit sweep on ${name}, ${problem}`, () => bestOfMs(() => fitSweepOnBackend(be, start, target), plan.sweepTiming));
        if (ms === undefined) continue;
        sweepRows.push({ kind: "fit-sweep", backend: name, size, problem, ms, speedup: cpuMs / ms });
      }
      progress.line(`fit sweep ${problem} done`);
    }
    records.push(...sweepRows);
    // 4. summary and crossovers
    let table: CrossoverTable | null = null;
    if (backends.some((b) => b.name === "gpu")) {
      const gemm = records.filter((r): r is GemmRecord => r.kind === "gemm");
      const cross = (op: CrossoverOperation, cpuRows: { size: number; ms: number }[], gpuRows: { size: number; ms: number }[]) => [op, crossover(bestBySize(cpuRows), bestBySize(gpuRows))] as const;
      const sized = (rows: GemmRecord[]) => rows.map((r) => ({ size: r.n, ms: r.ms }));
      const sweeps = (kind: SweepRecord["kind"], backend: GpuBenchBackend) => sweepRows.filter((r) => r.kind === kind && r.backend === backend);
      table = {
        device,
        measured: new Date().toISOString().slice(0, 10),
        crossovers: Object.fromEntries([
          cross("gemm", sized(gemm.filter((r) => r.backend === "cpu")), sized(gemm.filter((r) => r.backend === "gpu"))),
          cross("completion-sweep", sweeps("completion-sweep", "cpu"), sweeps("completion-sweep", "gpu")),
          cross("fit-sweep", sweeps("fit-sweep", "cpu"), sweeps("fit-sweep", "gpu")),
        ]),
      };
    }
    notes.push("GEMM operands resident on the backend; f32 on gpujs-cpu and gpu, f64 on cpu", `${availableParallelism()} CPUs`);
    cpuDevice = cpu.device; // while the benchmark's thread count is set
    records.push({ kind: "summary", device, cpu: cpuDevice, crossovers: table, notes });
  } finally {
    for (const { name, be } of backends) if (name !== "cpu") be.dispose();
    setNumThreads(threadsBefore);
  }
  return { records, notes: [`device: ${device}`, `cpu: ${cpuDevice}`] };
}

const GEMM_COLUMNS: Column<GemmRecord>[] = [
  { header: "backend", cell: (r) => r.backend, align: "left" },
  { header: "kernel", cell: (r) => r.kernel, align: "left" },
  { header: "n", cell: (r) => String(r.n) },
  { header: "ms", cell: (r) => fmt3(r.ms) },
  { header: "GFLOP/s", cell: (r) => fmt3(r.gflops) },
  { header: "rel err", cell: (r) => (r.rel_err === null ? "-" : r.rel_err.toExponential(1)) },
];

const SWEEP_COLUMNS: Column<SweepRecord>[] = [
  { header: "sweep", cell: (r) => r.kind, align: "left" },
  { header: "problem", cell: (r) => r.problem, align: "left" },
  { header: "backend", cell: (r) => r.backend, align: "left" },
  { header: "ms", cell: (r) => fmt3(r.ms) },
  { header: "speedup", cell: (r) => fmt3(r.speedup) },
];

/** The suite's records as text tables. */
export function gpuTable(records: readonly GpuBenchRecord[]): string {
  const gemm = records.filter((r): r is GemmRecord => r.kind === "gemm");
  const sweeps = records.filter((r): r is SweepRecord => r.kind === "completion-sweep" || r.kind === "fit-sweep");
  const summary = records.find((r): r is SummaryRecord => r.kind === "summary");
  const parts = [formatTable(GEMM_COLUMNS, gemm), "", formatTable(SWEEP_COLUMNS, sweeps)];
  if (summary !== undefined) {
    parts.push("", `device: ${summary.device}`, `crossovers: ${summary.crossovers === null ? "none (no GPU measured)" : JSON.stringify(summary.crossovers.crossovers)}`);
  }
  return parts.join("\n");
}
