import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bestOfMs, comparisonRecord, fmt3, formatTable, stderrProgress, writeJsonAtomic, type Column } from "../../bench/harness.js";
import { gemmFlops, linalgCases, linalgTable, type LinalgRecord } from "../../bench/linalg.js";
import { numpyEnv, runNumpy } from "../../bench/numpy.js";
import { parseThreads } from "../../bench/suites.js";

const RECORD_KEYS = ["arbor_ms", "dtype", "kernel", "n", "numpy_ms", "ratio", "shape", "threads"];

describe("comparisonRecord", () => {
  it("has exactly the documented fields and ratio = arbor_ms / numpy_ms", () => {
    const r = comparisonRecord({ kernel: "qr", dtype: "c128", n: 256, shape: "256x256", threads: 2 }, 30, 7.5);
    expect(Object.keys(r).sort()).toEqual(RECORD_KEYS);
    expect(r).toEqual({ kernel: "qr", dtype: "c128", n: 256, shape: "256x256", threads: 2, arbor_ms: 30, numpy_ms: 7.5, ratio: 4 });
  });

  it("computes the ratio from the stored (rounded) times", () => {
    const r = comparisonRecord({ kernel: "gemm", dtype: "f64", n: 64, shape: "64x64*64x64", threads: 1 }, 0.123456789, 0.0456789);
    expect(r.arbor_ms).toBe(0.1235);
    expect(r.numpy_ms).toBe(0.0457);
    expect(r.ratio).toBe(r.arbor_ms / r.numpy_ms!);
  });

  it("records null numpy time and ratio when numpy did not run", () => {
    const r = comparisonRecord({ kernel: "svd", dtype: "f64", n: 64, shape: "64x64", threads: 1 }, 5, null);
    expect(r.numpy_ms).toBeNull();
    expect(r.ratio).toBeNull();
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe("bestOfMs", () => {
  // Counts calls only: the stopping rule, not the clock, is under test.
  it("runs the warm-up, then at least minReps timed calls", () => {
    let calls = 0;
    const best = bestOfMs(() => calls++, { warmup: 2, minReps: 3, maxReps: 100, minTotalMs: 0 });
    expect(calls).toBe(5);
    expect(best).toBeGreaterThanOrEqual(0);
  });

  it("stops at maxReps however short the total", () => {
    let calls = 0;
    bestOfMs(() => calls++, { warmup: 1, minReps: 1, maxReps: 4, minTotalMs: 1e9 });
    expect(calls).toBe(5);
  });
});

describe("formatTable", () => {
  const columns: Column<{ name: string; v: number }>[] = [
    { header: "name", cell: (r) => r.name, align: "left" },
    { header: "value", cell: (r) => String(r.v) },
  ];

  it("pads columns to a fixed width, text left and numbers right", () => {
    const text = formatTable(columns, [{ name: "a", v: 1 }, { name: "longer", v: 12345 }]);
    expect(text.split("\n")).toEqual(["name    value", "------  -----", "a           1", "longer  12345"]);
  });

  it("prints just the header for no rows", () => {
    expect(formatTable(columns, [])).toBe("name  value\n----  -----");
  });
});

describe("fmt3", () => {
  it("keeps three significant digits and marks missing values", () => {
    expect([fmt3(1234.5), fmt3(12.345), fmt3(0.012345), fmt3(0), fmt3(null), fmt3(NaN)]).toEqual(["1235", "12.3", "0.0123", "0", "-", "-"]);
  });
});

describe("linalgTable", () => {
  const rec = (kernel: LinalgRecord["kernel"], shape: string, arbor: number, numpy: number | null): LinalgRecord =>
    comparisonRecord({ kernel, dtype: "f64", n: 64, shape, threads: 1 }, arbor, numpy);

  it("shows ms, ratio, and GFLOP/s for products only", () => {
    // 2·64³ flops in 0.0524288 ms is 10 GFLOP/s; numpy at twice the speed.
    const lines = linalgTable([rec("gemm", "64x64*64x64", 0.0524288, 0.0262144), rec("qr", "64x64", 2, null)]).split("\n");
    expect(lines[0]).toMatch(/^kernel\s+dtype\s+shape\s+threads\s+arbor ms\s+numpy ms\s+ratio\s+arbor GFLOP\/s\s+numpy GFLOP\/s$/);
    expect(lines[2]!.split(/\s+/)).toEqual(["gemm", "f64", "64x64*64x64", "1", "0.0524", "0.0262", "2.00", "10.0", "20.0"]);
    expect(lines[3]!.split(/\s+/)).toEqual(["qr", "f64", "64x64", "1", "2.00", "-", "-"]);
    expect(new Set(lines.slice(0, 3).map((l) => l.length)).size).toBe(1);
  });

  it("counts 8 real flops per complex multiply-add", () => {
    expect(gemmFlops({ kernel: "gemm", dtype: "c128", shape: "4x3*3x2" })).toBe(8 * 4 * 3 * 2);
    expect(gemmFlops({ kernel: "gemm", dtype: "f64", shape: "4096x64*64x64" })).toBe(2 * 4096 * 64 * 64);
    expect(gemmFlops({ kernel: "svd", dtype: "f64", shape: "4x4" })).toBeNull();
  });
});

describe("linalgCases", () => {
  it("covers every kernel, both dtypes and the tree shapes; quick keeps n = 64, 256", () => {
    const full = linalgCases(false);
    expect(new Set(full.map((c) => c.kernel))).toEqual(new Set(["gemm", "qr", "svd", "eigh"]));
    expect(full.filter((c) => c.kernel === "gemm" && c.dtype === "c128").map((c) => c.n)).toEqual([64, 256, 512, 1024]);
    expect(full.filter((c) => c.kernel === "eigh" && c.dtype === "f64").map((c) => c.shape)).toEqual(["64x64", "256x256", "512x512"]);
    expect(full).toContainEqual({ kernel: "gemm", dtype: "f64", n: 64, shape: "4096x64*64x64", dims: [[4096, 64], [64, 64]] });
    expect(full).toContainEqual({ kernel: "qr", dtype: "f64", n: 32, shape: "4096x32", dims: [[4096, 32]] });
    const quick = linalgCases(true).filter((c) => !c.shape.startsWith("4096"));
    expect(new Set(quick.map((c) => c.n))).toEqual(new Set([64, 256]));
  });
});

describe("writeJsonAtomic", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("replaces the file and leaves no temporary file behind", () => {
    dir = mkdtempSync(join(tmpdir(), "arbor-bench-"));
    const path = join(dir, "results", "suite.json");
    writeJsonAtomic(path, [{ a: 1 }]);
    writeJsonAtomic(path, [{ a: 2 }, { b: null }]);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual([{ a: 2 }, { b: null }]);
    expect(readdirSync(join(dir, "results"))).toEqual(["suite.json"]);
  });

  it("keeps the old file and removes the temporary one when writing fails", () => {
    dir = mkdtempSync(join(tmpdir(), "arbor-bench-"));
    const path = join(dir, "suite.json");
    writeFileSync(path, "[]\n");
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => writeJsonAtomic(path, cyclic)).toThrow();
    expect(readFileSync(path, "utf8")).toBe("[]\n");
    expect(readdirSync(dir)).toEqual(["suite.json"]);
  });
});

describe("numpy child process", () => {
  it("pins every BLAS thread variable and drops OpenBLAS tuning overrides", () => {
    const env = numpyEnv(2, { PATH: "/bin", OPENBLAS_CORETYPE: "Haswell", OPENBLAS_L2_SIZE: "1024", OMP_NUM_THREADS: "8" });
    expect(env).toEqual({ PATH: "/bin", OPENBLAS_NUM_THREADS: "2", OMP_NUM_THREADS: "2", MKL_NUM_THREADS: "2" });
  });

  it("reports a missing interpreter instead of throwing", () => {
    const saved = process.env.ARBOR_PYTHON;
    process.env.ARBOR_PYTHON = "/nonexistent/python3";
    try {
      const r = runNumpy("numpy_linalg.py", { cases: [] }, 1);
      expect(r).toEqual({ ok: false, reason: "/nonexistent/python3 was not found on PATH" });
    } finally {
      if (saved === undefined) delete process.env.ARBOR_PYTHON;
      else process.env.ARBOR_PYTHON = saved;
    }
  });
});

describe("parseThreads and progress", () => {
  it("parses comma lists and rejects bad counts", () => {
    expect(parseThreads("1,2")).toEqual([1, 2]);
    expect(parseThreads(" 2 ,2,4")).toEqual([2, 4]);
    for (const bad of ["", "0", "1,,2", "1.5", "x"]) expect(() => parseThreads(bad)).toThrow(/thread count/);
  });

  it("is silent unless stderr is a terminal", () => {
    const written: string[] = [];
    const fake = (isTTY: boolean) => ({ isTTY, write: (s: string) => written.push(s) }) as unknown as NodeJS.WriteStream;
    stderrProgress(false, fake(false)).line("pipe");
    stderrProgress(true, fake(true)).line("quiet");
    stderrProgress(false, fake(true)).line("tty");
    expect(written).toEqual(["tty\n"]);
  });
});
