import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { arborParallelBugStep, matrixBenchInstance, matrixIntegratorTable, numpyMatrixPayload, writeMatrixBenchInstance, type MatrixBenchRecord } from "../../bench/integrators-matrix.js";
import { runNumpy } from "../../bench/numpy.js";
import { numpyUnavailable } from "../helpers/python.js";
import { readNpy } from "../../src/linalg/io/npy.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { lowRankToDense, orthonormalityDefect } from "../../src/integrators/matrix/state.js";

describe("the benchmark instance and step", () => {
  const inst = matrixBenchInstance(40, 4);

  it("Y0 is the best rank-r approximation of A(t0) and the step keeps at most 2r", () => {
    expect(orthonormalityDefect(inst.Y0.U)).toBeLessThan(1e-13);
    // ‖A0 − Y0‖ is the tail of d_j = 2^{−j}: 2^{−r}·√(1/3) to rounding.
    expect(distance(inst.A0, lowRankToDense(inst.Y0))).toBeCloseTo(2 ** -4 * Math.sqrt(1 / 3), 3);
    const { state, report } = arborParallelBugStep(inst);
    expect(report.ranks[0]).toBeLessThanOrEqual(8);
    expect(report.eta).toBeGreaterThan(0);
    expect(distance(lowRankToDense(state), inst.A1)).toBeLessThan(2 * distance(inst.A0, lowRankToDense(inst.Y0)));
  });

  it("renders records as a table with the problem underneath", () => {
    const r: MatrixBenchRecord = { kernel: "parallel-bug step", problem: "P", n: 1000, rank: 20, threads: 1, arbor_ms: 30, numpy_ms: 15, ratio: 2, rank_after: 40, eta: 1 };
    const lines = matrixIntegratorTable([r]).split("\n");
    expect(lines[0]).toMatch(/^kernel\s+n\s+r\s+threads\s+arbor ms\s+numpy ms\s+ratio\s+rank after$/);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(["parallel-bug step", "1000", "20", "1", "30.0", "15.0", "2.00", "40"]);
    expect(lines).toContain("parallel-bug step: P");
  });
});

const skipReason = numpyUnavailable();

describe.skipIf(skipReason !== null)(`numpy_matrix_bug.py computes arbor's parallel-BUG step (n = 40, r = 4)${skipReason === null ? "" : ` — skipped: ${skipReason}`}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "arbor-matrix-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the same Y1, rank and η", () => {
    const inst = matrixBenchInstance(40, 4);
    writeMatrixBenchInstance(dir, inst);
    const once = { warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 };
    const r = runNumpy("numpy_matrix_bug.py", { ...numpyMatrixPayload(dir, inst), timing: once, progress: false, save: join(dir, "out") }, 1);
    if (!r.ok) throw new Error(r.reason);
    expect(r.output.times_ms).toHaveLength(1);
    const values = (r.output as unknown as { values: { rank: number; eta: number } }).values;
    const { state, report } = arborParallelBugStep(inst);
    const Y1 = lowRankToDense(state);
    expect(values.rank).toBe(report.ranks[0]);
    expect(Math.abs(values.eta - report.eta!)).toBeLessThan(1e-12 * report.eta!);
    expect(distance(readNpy(join(dir, "out", "Y1.npy")), Y1)).toBeLessThan(1e-13 * norm(Y1));
  });
});
