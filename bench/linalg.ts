/**
 * The "linalg" suite: dense kernels (GEMM, QR, SVD, eigh) of arbor against numpy, on square
 * matrices and on the shapes a tree tensor network produces.
 */
import { getNumThreads, setNumThreads } from "../src/backend/cpu/threads.js";
import { eigh } from "../src/linalg/decomp/eigh.js";
import { qr } from "../src/linalg/decomp/qr.js";
import { svd } from "../src/linalg/decomp/svd.js";
import { combine } from "../src/linalg/elementwise.js";
import { matmul } from "../src/linalg/matmul.js";
import { adjoint } from "../src/linalg/permute.js";
import { randn } from "../src/linalg/random.js";
import type { Tensor } from "../src/linalg/tensor.js";
import { bestOfMs, comparisonRecord, fmt3, formatTable, timingOptions, type Column, type ComparisonRecord, type SuiteOutput, type SuiteRunOptions } from "./harness.js";
import { runNumpy } from "./numpy.js";

/** Kernels of the suite. */
export type LinalgKernel = "gemm" | "qr" | "svd" | "eigh";

/** One case: what to run, and its operand dimensions (two for a product, else one). */
export interface LinalgCase {
  kernel: LinalgKernel;
  dtype: "f64" | "c128";
  n: number;
  shape: string;
  dims: number[][];
}

/** A record of this suite. */
export type LinalgRecord = ComparisonRecord<LinalgKernel>;

const SQUARE_SIZES: Record<LinalgKernel, number[]> = {
  gemm: [64, 256, 512, 1024],
  qr: [64, 256, 512],
  svd: [64, 256, 512],
  eigh: [64, 256, 512],
};
const QUICK_SIZES = new Set([64, 256]);

function makeCase(kernel: LinalgKernel, dtype: "f64" | "c128", n: number, dims: number[][]): LinalgCase {
  return { kernel, dtype, n, dims, shape: dims.map((d) => d.join("x")).join("*") };
}

/**
 * The cases for one thread count: square sizes per kernel and dtype (64 and 256 only when
 * `quick`), then the tree-network shapes — a (64·64)×64 by 64×64 product, as when a node
 * tensor with two 64-wide children is multiplied by a 64×64 factor, and the QR of a
 * 4096×32 unfolding. Those two are cheap and are the ones the project's goals are about, so
 * `quick` keeps them.
 */
export function linalgCases(quick: boolean): LinalgCase[] {
  const cases: LinalgCase[] = [];
  for (const kernel of Object.keys(SQUARE_SIZES) as LinalgKernel[])
    for (const dtype of ["f64", "c128"] as const)
      for (const n of SQUARE_SIZES[kernel]) {
        if (quick && !QUICK_SIZES.has(n)) continue;
        cases.push(makeCase(kernel, dtype, n, kernel === "gemm" ? [[n, n], [n, n]] : [[n, n]]));
      }
  cases.push(makeCase("gemm", "f64", 64, [[4096, 64], [64, 64]]));
  cases.push(makeCase("qr", "f64", 32, [[4096, 32]]));
  return cases;
}

/** Floating-point operations of a product case (a complex multiply-add is 8 real flops). */
export function gemmFlops(c: { kernel: string; dtype: "f64" | "c128"; shape: string }): number | null {
  if (c.kernel !== "gemm") return null;
  const [a, b] = c.shape.split("*").map((s) => s.split("x").map(Number)) as [number[], number[]];
  return (c.dtype === "c128" ? 8 : 2) * a[0]! * a[1]! * b[1]!;
}

/** The arbor call for a case, with its random inputs made beforehand (not timed). */
function arborOperation(c: LinalgCase, seed: number): () => unknown {
  const a = randn(c.dims[0]!, seed, { dtype: c.dtype }) as Tensor;
  switch (c.kernel) {
    case "gemm": {
      const b = randn(c.dims[1]!, seed + 1, { dtype: c.dtype }) as Tensor;
      return () => matmul(a, b);
    }
    case "qr":
      return () => qr(a);
    case "svd":
      return () => svd(a);
    case "eigh": {
      const h = combine(0.5, a, 0.5, adjoint(a));
      return () => eigh(h);
    }
  }
}

/**
 * Runs every case at every thread count: arbor in this process with `setNumThreads(t)`,
 * numpy in a child process with its BLAS pinned to `t` threads, both under the same timing
 * rule. Restores arbor's thread count afterwards.
 */
export function runLinalg(options: SuiteRunOptions): SuiteOutput<LinalgRecord> {
  const timing = timingOptions(options.quick);
  const cases = linalgCases(options.quick);
  const records: LinalgRecord[] = [];
  const notes = new Set<string>();
  let numpyFailed = false;
  const saved = getNumThreads();
  try {
    for (const t of options.threads) {
      setNumThreads(t);
      const arborMs = cases.map((c, i) => {
        const ms = bestOfMs(arborOperation(c, 1000 + i), timing);
        options.progress.line(`  arbor  ${c.kernel.padEnd(5)} ${c.dtype.padEnd(4)} ${c.shape.padEnd(16)} ${ms.toFixed(3).padStart(10)} ms  (${t} thread${t > 1 ? "s" : ""})`);
        return ms;
      });
      let numpyMs: Array<number | null> = cases.map(() => null);
      if (!numpyFailed) {
        const payload = { timing, progress: options.progress.enabled, cases: cases.map(({ kernel, dtype, dims }) => ({ kernel, dtype, dims })) };
        const r = runNumpy("numpy_linalg.py", payload, t);
        if (r.ok && r.output.times_ms.length === cases.length) {
          numpyMs = r.output.times_ms;
          notes.add(r.output.info);
        } else {
          numpyFailed = true;
          options.warn(`${r.ok ? "numpy_linalg.py returned the wrong number of timings" : r.reason}; numpy_ms and ratio are recorded as null`);
        }
      }
      cases.forEach((c, i) => records.push(comparisonRecord({ ...c, threads: t }, arborMs[i]!, numpyMs[i] ?? null)));
    }
  } finally {
    setNumThreads(saved);
  }
  return { records, notes: [...notes] };
}

function gflops(r: ComparisonRecord, ms: number | null): string {
  const f = gemmFlops(r);
  return f === null || ms === null || ms <= 0 ? "" : fmt3(f / (ms * 1e6));
}

const COLUMNS: Column<ComparisonRecord>[] = [
  { header: "kernel", cell: (r) => r.kernel, align: "left" },
  { header: "dtype", cell: (r) => r.dtype, align: "left" },
  { header: "shape", cell: (r) => r.shape, align: "left" },
  { header: "threads", cell: (r) => String(r.threads) },
  { header: "arbor ms", cell: (r) => fmt3(r.arbor_ms) },
  { header: "numpy ms", cell: (r) => fmt3(r.numpy_ms) },
  { header: "ratio", cell: (r) => fmt3(r.ratio) },
  { header: "arbor GFLOP/s", cell: (r) => gflops(r, r.arbor_ms) },
  { header: "numpy GFLOP/s", cell: (r) => gflops(r, r.numpy_ms) },
];

/** The suite's table: one row per record; GFLOP/s only for products (2mnk, or 8mnk complex). */
export function linalgTable(records: readonly ComparisonRecord[]): string {
  return formatTable(COLUMNS, records);
}
