/**
 * The "ttn" suite: the tree-network algorithms (orthonormalise, truncate, apply a TTNO and
 * truncate, expectation value) on a balanced binary tree over 64 qubits, with the number of
 * floating-point operations the kernels executed, and numpy doing the same contraction
 * sequence on the same tensors (bench/numpy_ttn.py) in the same run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureFlops } from "../src/backend/cpu/flops.js";
import { getNumThreads, setNumThreads } from "../src/backend/cpu/threads.js";
import { diag } from "../src/linalg/diag.js";
import { writeNpy } from "../src/linalg/io/npy.js";
import { matmul } from "../src/linalg/matmul.js";
import { Rng } from "../src/linalg/random.js";
import type { Tensor } from "../src/linalg/tensor.js";
import { modeProduct } from "../src/linalg/unfold.js";
import { applyTtno } from "../src/tn/operators/apply.js";
import { applyTruncated } from "../src/tn/operators/apply-truncated.js";
import { expectation } from "../src/tn/operators/environments.js";
import { longRangeIsing } from "../src/tn/operators/spin.js";
import { Ttno } from "../src/tn/operators/ttno.js";
import { orthonormalize } from "../src/tn/orthonormalize.js";
import { truncateTtn } from "../src/tn/truncate.js";
import { Tree } from "../src/tn/tree.js";
import { Ttn, type TtnDType } from "../src/tn/ttn.js";
import { bestOfMs, comparisonRecord, fmt3, formatTable, timingOptions, type Column, type SuiteOutput, type SuiteRunOptions, type TimingOptions } from "./harness.js";
import { runNumpy } from "./numpy.js";

/** Cases of the suite. */
export type TtnKernel = "orthonormalize" | "truncate" | "apply+truncate" | "apply (zip-up)" | "expectation";

/** One case measured on both sides, as written to `bench/results/ttn.json`. */
export interface TtnRecord {
  kernel: TtnKernel;
  /** What exactly is computed, on which network. */
  case: string;
  tree: string;
  /** Size of every physical mode. */
  n: number;
  /** The requested bond dimension r. */
  rank: number;
  /** The largest rank of the case's input network (ranks are capped near the leaves). */
  maxRank: number;
  threads: number;
  /** `null` only for a case skipped as too slow (see `note`). */
  arbor_ms: number | null;
  numpy_ms: number | null;
  /** `arbor_ms / numpy_ms`; above 1 means arbor is slower. */
  ratio: number | null;
  /** Floating-point operations the kernels executed in one arbor call ({@link measureFlops}). */
  flops: number | null;
  arbor_gflops: number | null;
  /** Why a time is missing. */
  note?: string;
}

const LEAVES = 64;
const MODE_SIZE = 2;
const TREE_NAME = `binary-${LEAVES}`;

/** Bond dimensions of a run. */
export function ttnRanks(quick: boolean): number[] {
  return quick ? [16] : [16, 32, 64];
}

/** The networks of one bond dimension r, all with norm-1 random factors on one tree. */
export interface TtnInstance {
  rank: number;
  /** A random network in the tree gauge, `Ttn.random(tree, dims, r, …, { normalize: true })`. */
  y: Ttn;
  /** `y` with every non-root node's parent bond scaled by a random diagonal: in no gauge at all. */
  gauged: Ttn;
  /** `y + x` for a second random rank-r network x: ranks 2r. */
  sum: Ttn;
}

// Maps the parent bond of each non-root node through diag(d), d uniform in [0.5, 2): rows of
// an orthonormal node stop being orthonormal, so every QR of the orthonormalisation changes
// its node and passes a full (not ±identity) R up.
function scaleParentBonds(y: Ttn, rng: Rng): Ttn {
  const { tree } = y;
  const tensors = y.tensors.map((t, v) => {
    if (v === tree.root) return t;
    const d = diag(Array.from({ length: y.rank(v) }, () => rng.uniform(0.5, 2)));
    return (tree.isLeaf(v) ? matmul(t, d) : modeProduct(t, d, 0)) as Tensor<TtnDType>;
  });
  return new Ttn(tree, y.dims, tensors);
}

/** The networks of bond dimension r on `tree` (seeded by r, so reruns use the same tensors). */
export function ttnInstance(tree: Tree, r: number): TtnInstance {
  const dims = new Array<number>(tree.numModes).fill(MODE_SIZE);
  const y = Ttn.random(tree, dims, r, 1000 + r, { normalize: true });
  const x = Ttn.random(tree, dims, r, 2000 + r, { normalize: true });
  return { rank: r, y, gauged: scaleParentBonds(y, new Rng(3000 + r)), sum: y.add(x) };
}

interface CaseSpec {
  kernel: TtnKernel;
  /** Which network of the instance is the input. */
  input: "y" | "gauged" | "sum";
  /** Whether the case takes the operator, and truncates to rank r. */
  withOperator: boolean;
  truncates: boolean;
  /** Whether bench/numpy_ttn.py runs the same sequence. */
  numpy: boolean;
  /** Exponent of r in the case's cost, to predict (and skip) calls beyond the time limit. */
  growth?: number;
  text: (opRank: number) => string;
  run: (inst: TtnInstance, op: Ttno) => () => unknown;
}

const CASES: readonly CaseSpec[] = [
  {
    kernel: "orthonormalize",
    input: "gauged",
    withOperator: false,
    truncates: false,
    numpy: true,
    text: () => "orthonormalize(g): g = y with every non-root node's parent bond scaled by diag(d), d uniform in [0.5, 2), so no node is orthonormal",
    run: (inst) => () => orthonormalize(inst.gauged),
  },
  {
    kernel: "truncate",
    input: "sum",
    withOperator: false,
    truncates: true,
    numpy: true,
    text: () => "truncateTtn(y + x, { maxRank: r }): two random rank-r networks added (ranks 2r), rounded back to r",
    run: (inst) => () => truncateTtn(inst.sum, { maxRank: inst.rank }),
  },
  {
    kernel: "apply+truncate",
    input: "y",
    withOperator: true,
    truncates: true,
    numpy: true,
    growth: 4,
    text: (R) => `truncateTtn(applyTtno(A, y), { maxRank: r }): A the long-range Ising TTNO (compressed, max rank ${R}), so A·y has ranks up to ${R}·r`,
    run: (inst, op) => () => truncateTtn(applyTtno(op, inst.y), { maxRank: inst.rank }),
  },
  {
    kernel: "apply (zip-up)",
    input: "y",
    withOperator: true,
    truncates: true,
    numpy: false,
    growth: 3,
    text: () => "applyTruncated(A, y, { maxRank: r }): the same product compressed leaves→root without forming A·y (oversample 3), then rounded exactly",
    run: (inst, op) => () => applyTruncated(op, inst.y, { maxRank: inst.rank }),
  },
  {
    kernel: "expectation",
    input: "y",
    withOperator: true,
    truncates: false,
    numpy: true,
    text: (R) => `expectation(A, y) = ⟨y|A|y⟩/⟨y|y⟩: A the long-range Ising TTNO (max rank ${R})`,
    run: (inst, op) => () => expectation(op, inst.y),
  },
];

/** A case as the numpy script reads it: input folders under its directory, and a timing rule. */
export interface NumpyTtnCase {
  kernel: TtnKernel;
  input: string;
  op?: string;
  maxRank?: number;
  timing: TimingOptions;
}

/** The numpy description of `kernel` at bond dimension r (folders as {@link writeNetworks} names them). */
export function numpyTtnCase(kernel: TtnKernel, r: number, timing: TimingOptions): NumpyTtnCase {
  const spec = CASES.find((c) => c.kernel === kernel)!;
  return {
    kernel,
    input: `r${r}/${spec.input}`,
    ...(spec.withOperator ? { op: "op" } : {}),
    ...(spec.truncates ? { maxRank: r } : {}),
    timing,
  };
}

/**
 * Writes networks for the numpy script: `tree.json` (children, parent slot and post-order of
 * every node; the tree of the first network, which all must share) and `<name>/<node>.npy`,
 * creating `dir` if needed.
 * Instances go under `r<rank>/{y,gauged,sum}`, an operator's network under its given name.
 */
export function writeNetworks(dir: string, networks: Readonly<Record<string, Ttn>>): void {
  const tree = Object.values(networks)[0]!.tree;
  const slot = Array.from({ length: tree.numNodes }, (_, v) => (v === tree.root ? 0 : tree.slot(v)));
  const children = Array.from({ length: tree.numNodes }, (_, v) => tree.children(v));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "tree.json"), JSON.stringify({ children, slot, postorder: tree.postorder() }));
  for (const [name, y] of Object.entries(networks)) {
    mkdirSync(join(dir, name), { recursive: true });
    y.tensors.forEach((t, v) => writeNpy(join(dir, name, `${v}.npy`), t));
  }
}

/** The networks of an instance under the names {@link numpyTtnCase} uses. */
export function instanceNetworks(inst: TtnInstance): Record<string, Ttn> {
  return { [`r${inst.rank}/y`]: inst.y, [`r${inst.rank}/gauged`]: inst.gauged, [`r${inst.rank}/sum`]: inst.sum };
}

/** One call longer than this is not repeated; a case predicted to need longer is skipped. */
export const SLOW_CALL_MS = { single: 10_000, skip: 60_000 } as const;

/**
 * The timing rule of a case, for both sides, from the duration of arbor's first call (the one
 * whose flops are counted, which serves as arbor's warm-up): the harness's rule below 1 s; one
 * warm-up and two timed calls up to {@link SLOW_CALL_MS}.single; beyond that a single call,
 * arbor's first call itself (`warmup: 0`).
 */
export function caseTiming(firstMs: number, quick: boolean): TimingOptions {
  if (firstMs >= SLOW_CALL_MS.single) return { warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 };
  if (firstMs >= 1000) return { warmup: 1, minReps: 2, maxReps: 2, minTotalMs: 0 };
  return timingOptions(quick);
}

/**
 * Predicted duration of one call at rank r from one at a smaller rank, for a case whose work
 * grows as r^growth (exact apply+truncate: its QRs and SVDs act on (R·r)²×(R·r) unfoldings,
 * O(r⁴); zip-up: O(r³) at fixed oversampling).
 */
export function predictApplyMs(measured: { rank: number; ms: number }, r: number, growth = 4): number {
  return measured.ms * (r / measured.rank) ** growth;
}

interface Measured {
  kernel: TtnKernel;
  rank: number;
  maxRank: number;
  ms: number | null;
  flops: number | null;
  timing?: TimingOptions;
  note?: string;
}

function measureArbor(fn: () => unknown, quick: boolean): { ms: number; flops: number; timing: TimingOptions } {
  const t0 = performance.now();
  const { flops } = measureFlops(fn);
  const first = performance.now() - t0;
  const timing = caseTiming(first, quick);
  const ms = timing.warmup === 0 ? first : bestOfMs(fn, { ...timing, warmup: timing.warmup - 1 });
  return { ms, flops, timing };
}

/** Builds a record; times are rounded and the ratio taken as {@link comparisonRecord} does. */
export function ttnRecord(
  c: { kernel: TtnKernel; case: string; rank: number; maxRank: number; threads: number },
  arborMs: number | null,
  numpyMs: number | null,
  flops: number | null,
  note?: string,
): TtnRecord {
  const rounded = arborMs === null ? null : comparisonRecord({ kernel: c.kernel, dtype: "f64", n: MODE_SIZE, shape: TREE_NAME, threads: c.threads }, arborMs, numpyMs);
  const arbor_ms = rounded?.arbor_ms ?? null;
  const gflops = arbor_ms === null || flops === null || arbor_ms <= 0 ? null : Math.round(flops / (arbor_ms * 1e3)) / 1e3;
  return {
    kernel: c.kernel,
    case: c.case,
    tree: TREE_NAME,
    n: MODE_SIZE,
    rank: c.rank,
    maxRank: c.maxRank,
    threads: c.threads,
    arbor_ms,
    numpy_ms: rounded?.numpy_ms ?? null,
    ratio: rounded?.ratio ?? null,
    flops,
    arbor_gflops: gflops,
    ...(note === undefined ? {} : { note }),
  };
}

// Runs every case at one thread count, rank by rank; apply+truncate is skipped where the
// rank before predicts one call beyond SLOW_CALL_MS.skip.
function measureAll(instances: readonly TtnInstance[], op: Ttno, options: SuiteRunOptions, threads: number): Measured[] {
  const out: Measured[] = [];
  const last = new Map<TtnKernel, { rank: number; ms: number }>();
  for (const inst of instances)
    for (const spec of CASES) {
      const input = inst[spec.input];
      const base = { kernel: spec.kernel, rank: inst.rank, maxRank: input.maxRank() };
      const before = last.get(spec.kernel);
      const predicted = spec.growth !== undefined && before !== undefined ? predictApplyMs(before, inst.rank, spec.growth) : 0;
      if (predicted > SLOW_CALL_MS.skip) {
        const note = `skipped: one call predicted at ${fmt3(predicted / 1e3)} s (rank ${before!.rank} took ${fmt3(before!.ms / 1e3)} s; work grows as r^${spec.growth}), over the ${SLOW_CALL_MS.skip / 1e3} s limit`;
        options.progress.line(`  arbor  ${spec.kernel.padEnd(15)} r=${inst.rank}: ${note}`);
        out.push({ ...base, ms: null, flops: null, note });
        continue;
      }
      const m = measureArbor(spec.run(inst, op), options.quick);
      last.set(spec.kernel, { rank: inst.rank, ms: m.ms });
      options.progress.line(
        `  arbor  ${spec.kernel.padEnd(15)} r=${String(inst.rank).padEnd(3)} max ${String(base.maxRank).padEnd(4)} ${m.ms.toFixed(1).padStart(10)} ms ${fmt3(m.flops / (m.ms * 1e6)).padStart(6)} GFLOP/s  (${threads} thread${threads > 1 ? "s" : ""})`,
      );
      out.push({ ...base, ...m, ...(spec.numpy ? {} : { note: "numpy: no equivalent (arbor's zip-up algorithm)" }) });
    }
  return out;
}

/**
 * Runs the suite: for each thread count, every case in arbor (`setNumThreads(t)`), then the
 * same cases in numpy pinned to t threads, on the tensors written to a temporary directory
 * (removed afterwards). Restores arbor's thread count.
 */
export function runTtn(options: SuiteRunOptions): SuiteOutput<TtnRecord> {
  const tree = Tree.balancedBinary(LEAVES);
  const op = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: LEAVES }));
  const instances = ttnRanks(options.quick).map((r) => ttnInstance(tree, r));
  const text = new Map(CASES.map((c) => [c.kernel, c.text(op.maxRank())]));
  const records: TtnRecord[] = [];
  const notes = new Set<string>([`long-range Ising TTNO max rank ${op.maxRank()}`]);
  let numpyFailure: string | undefined;
  const dir = mkdtempSync(join(tmpdir(), "arbor-bench-ttn-"));
  const saved = getNumThreads();
  try {
    writeNetworks(dir, { op: op.network, ...Object.assign({}, ...instances.map(instanceNetworks)) });
    for (const t of options.threads) {
      setNumThreads(t);
      const measured = measureAll(instances, op, options, t);
      const timed = measured.filter((m) => m.timing !== undefined && CASES.find((c) => c.kernel === m.kernel)!.numpy);
      let numpyMs = new Map<Measured, number>();
      if (numpyFailure === undefined) {
        const cases = timed.map((m) => numpyTtnCase(m.kernel, m.rank, m.timing!));
        const r = runNumpy("numpy_ttn.py", { dir, progress: options.progress.enabled, cases }, t);
        if (r.ok && r.output.times_ms.length === cases.length) {
          numpyMs = new Map(timed.map((m, i) => [m, r.output.times_ms[i]!]));
          notes.add(r.output.info);
        } else {
          numpyFailure = r.ok ? "numpy_ttn.py returned the wrong number of timings" : r.reason;
          options.warn(`${numpyFailure}; numpy_ms and ratio are recorded as null`);
        }
      }
      for (const m of measured) {
        const note = m.note ?? (numpyFailure === undefined ? undefined : `numpy not run: ${numpyFailure}`);
        records.push(ttnRecord({ ...m, case: text.get(m.kernel)!, threads: t }, m.ms, numpyMs.get(m) ?? null, m.flops, note));
      }
    }
  } finally {
    setNumThreads(saved);
    rmSync(dir, { recursive: true, force: true });
  }
  return { records, notes: [...notes] };
}

/**
 * The suite's table: one row per record, notes as numbered footnotes, then each case's
 * definition. GFLOP is the kernels' count for one call; numpy's GFLOP/s divides the same count
 * by numpy's time.
 */
export function ttnTable(records: readonly TtnRecord[]): string {
  const footnotes = [...new Set(records.flatMap((r) => (r.note === undefined ? [] : [r.note])))];
  const columns: Column<TtnRecord>[] = [
    { header: "kernel", cell: (r) => r.kernel, align: "left" },
    { header: "rank", cell: (r) => String(r.rank) },
    { header: "max rank", cell: (r) => String(r.maxRank) },
    { header: "threads", cell: (r) => String(r.threads) },
    { header: "arbor ms", cell: (r) => fmt3(r.arbor_ms) },
    { header: "numpy ms", cell: (r) => fmt3(r.numpy_ms) },
    { header: "ratio", cell: (r) => fmt3(r.ratio) },
    { header: "GFLOP", cell: (r) => fmt3(r.flops === null ? null : r.flops / 1e9) },
    { header: "arbor GFLOP/s", cell: (r) => fmt3(r.arbor_gflops) },
    { header: "numpy GFLOP/s", cell: (r) => fmt3(r.flops === null || r.numpy_ms === null ? null : r.flops / (r.numpy_ms * 1e6)) },
    { header: "note", cell: (r) => (r.note === undefined ? "" : `[${footnotes.indexOf(r.note) + 1}]`), align: "left" },
  ];
  const cases = [...new Map(records.map((r) => [r.kernel, r.case])).entries()].map(([k, c]) => `${k}: ${c}`);
  return [
    formatTable(columns, records),
    "",
    ...footnotes.map((n, i) => `[${i + 1}] ${n}`),
    ...cases,
    `tree: balanced binary over ${LEAVES} modes of size ${MODE_SIZE}; GFLOP: operations the kernels executed in one arbor call (measureFlops), numpy GFLOP/s at the same count`,
  ].join("\n");
}
