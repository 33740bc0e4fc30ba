/**
 * The benchmark suites by name and the one routine that runs a suite, prints it and writes
 * its JSON file; both `node dist/bench/run.js` and `arbor bench` call {@link runBench}.
 */
import { UsageError } from "../src/cli/usage-error.js";
import { availableParallelism } from "node:os";
import { mkdirSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { stderrProgress, writeJsonAtomic, type SuiteOutput, type SuiteRunOptions } from "./harness.js";
import { linalgTable, runLinalg } from "./linalg.js";
import { integratorsTable, runIntegrators } from "./integrators.js";
import { runTtn, ttnTable } from "./ttn.js";
import { runSearchBench, searchTable } from "./search.js";
import { runScaleBench, scaleTable } from "./scale.js";
import { completionTable, runCompletionBench } from "./completion.js";
import { gpuTable, runGpuBench } from "./gpu.js";

/**
 * A benchmark suite: how to run it and how to show its records. Each suite has its own record
 * type `R`; {@link SUITES} holds them all as `Suite<unknown>`, which type-checks because method
 * parameters (`table`'s records) are compared bivariantly.
 */
export interface Suite<R = unknown> {
  description: string;
  run(options: SuiteRunOptions): SuiteOutput<R>;
  table(records: readonly R[]): string;
}

/** Registered suites; a new suite is one entry here plus its module. */
export const SUITES: Readonly<Record<string, Suite>> = {
  linalg: {
    description: "GEMM, QR, SVD and eigh (f64, c128) against numpy in the same run",
    run: runLinalg,
    table: linalgTable,
  },
  ttn: {
    description: "tree networks (64-leaf binary tree, r = 16, 32, 64): orthonormalise, truncate, TTNO apply + truncate, expectation; GFLOP/s and numpy",
    run: runTtn,
    table: ttnTable,
  },
  integrators: {
    description: "BUG and parallel BUG (1 and 2 worker threads) on the long-range Ising chain, 16/32/64 spins: ms per step, ranks, time shares; a matrix parallel-BUG step (n = 1000, r = 20) against numpy",
    run: runIntegrators,
    table: integratorsTable,
  },
  search: {
    description: "structure search: one ALS fit of planted rings (order 4, 5, 6) against numpy, one evaluation against the authors' ≈12 s, TnALE/TNLS/greedy to success on the TnALE demo ring and a planted 4^5 ring, TnALE worker speedup",
    run: runSearchBench,
    table: searchTable,
  },
  scale: {
    description: "structure-search evaluations in-process, on the worker pool (2 threads) and through BullMQ on Redis with 1, 2 and 4 arbor worker processes: evaluations per second in a batch and in a TnALE search; queue overhead per job",
    run: runScaleBench,
    table: scaleTable,
  },
  completion: {
    description: "tensor completion (ALS): the rank-4 train 8^6 with 95 % missing against numpy (sweeps/s, sweeps and seconds to RSE 1e-4), and a few sweeps on a 16^10 train (1.1e12 entries, never materialised) from 10^6 observed entries: s/sweep, held-out RSE, peak memory",
    run: runCompletionBench,
    table: completionTable,
  },
  gpu: {
    description: "compute backends: GEMM GFLOP/s (n = 256…8192 on a GPU), one completion sweep and one structure-search fitting sweep on the CPU, gpu.js cpu mode and WebGPU; crossover sizes and the device",
    run: runGpuBench,
    table: gpuTable,
  },
};

/** Options of {@link runBench}, as given on a command line. */
export interface BenchOptions {
  suite: string;
  quick: boolean;
  /** Thread counts; default 1 and 2, or 1 alone with `quick`. */
  threads?: readonly number[];
  /** Print the records as JSON on stdout instead of the table. */
  json: boolean;
  /**
   * The JSON file to write; default `bench/results/<suite>.json` under the working directory,
   * or `<suite>-quick.json` with `quick`, so a smoke run never replaces the full results.
   */
  out?: string;
  quiet: boolean;
}

/**
 * Parses a thread list such as `"1,2"`.
 * @throws {Error} naming the bad entry unless every entry is an integer in 1..256.
 */
export function parseThreads(text: string): number[] {
  const list = text.split(",").map((s) => s.trim());
  for (const s of list) {
    const n = Number(s);
    if (s === "" || !Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--threads: "${s}" is not a thread count (expected integers 1..256, e.g. 1,2)`);
  }
  return [...new Set(list.map(Number))];
}

/**
 * Runs a suite, prints its table (or JSON) on stdout and writes the records atomically.
 * @returns the path of the JSON file written.
 * @throws {Error} for an unknown suite name.
 */
export function runBench(options: BenchOptions): string {
  const suite = SUITES[options.suite];
  if (suite === undefined) throw new Error(`unknown benchmark suite "${options.suite}"; available: ${Object.keys(SUITES).join(", ")}`);
  const threads = options.threads ?? (options.quick ? [1] : [1, 2]);
  const progress = stderrProgress(options.quiet);
  const out = resolve(options.out ?? `bench/results/${options.suite}${options.quick ? "-quick" : ""}.json`);
  // Fail before a long run, not after it, when the results cannot be written.
  mkdirSync(dirname(out), { recursive: true });
  progress.line(`arbor bench ${options.suite}${options.quick ? " --quick" : ""}: threads ${threads.join(",")}`);
  const { records, notes } = suite.run({
    quick: options.quick,
    threads,
    progress,
    warn: (message) => void process.stderr.write(`arbor bench: warning: ${message}\n`),
  });
  writeJsonAtomic(out, records);
  if (options.json) {
    process.stdout.write(JSON.stringify(records, null, 2) + "\n");
    progress.line(`wrote ${out}`);
  } else {
    const header = [`${options.suite}${options.quick ? " (quick)" : ""}: node ${process.version}, ${availableParallelism()} CPUs`, ...notes].join("; ");
    const where = relative(process.cwd(), out) || out;
    // Only the suites that time numpy have a ratio to explain.
    const hasRatio = records.some((r) => typeof r === "object" && r !== null && "ratio" in r);
    const footer = hasRatio ? "ratio = arbor ms / numpy ms (best time, same run, same thread count); " : "";
    process.stdout.write(`${header}\n\n${suite.table(records)}\n\n${footer}wrote ${where}\n`);
  }
  return out;
}
