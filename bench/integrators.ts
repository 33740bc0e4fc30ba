/**
 * The "integrators" benchmark suite: the tree-network integrators on the long-range Ising
 * chain (bench/integrators-ttn.ts) and one matrix parallel-BUG step against numpy
 * (bench/integrators-matrix.ts), in one run and one JSON file.
 */
import type { SuiteOutput, SuiteRunOptions } from "./harness.js";
import { matrixIntegratorTable, runMatrixIntegratorBench, type MatrixBenchRecord } from "./integrators-matrix.js";
import { runTtnIntegratorBench, ttnIntegratorTable, type TtnIntegratorRecord } from "./integrators-ttn.js";

/** A record of the suite: a tree-network case or a matrix case. */
export type IntegratorRecord = TtnIntegratorRecord | (MatrixBenchRecord & { kind: "matrix" });

/** Runs both parts. */
export function runIntegrators(options: SuiteRunOptions): SuiteOutput<IntegratorRecord> {
  options.progress.line("tree networks: long-range Ising");
  const ttn = runTtnIntegratorBench(options);
  options.progress.line("matrix: parallel-BUG step against numpy");
  const matrix = runMatrixIntegratorBench(options);
  return { records: [...ttn, ...matrix.records.map((r) => ({ ...r, kind: "matrix" as const }))], notes: matrix.notes };
}

/** Both tables. */
export function integratorsTable(records: readonly IntegratorRecord[]): string {
  const ttn = records.filter((r): r is TtnIntegratorRecord => r.kind === "ttn");
  const matrix = records.filter((r): r is MatrixBenchRecord & { kind: "matrix" } => r.kind === "matrix");
  return [ttnIntegratorTable(ttn), "", matrixIntegratorTable(matrix)].join("\n");
}
