import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caseTiming, instanceNetworks, numpyTtnCase, predictApplyMs, SLOW_CALL_MS, ttnInstance, ttnRanks, ttnRecord, ttnTable, writeNetworks, type TtnKernel, type TtnRecord } from "../../bench/ttn.js";
import { runNumpy } from "../../bench/numpy.js";
import { numpyUnavailable } from "../helpers/python.js";
import { SUITES } from "../../bench/suites.js";
import { timingOptions } from "../../bench/harness.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { readNpy } from "../../src/linalg/io/npy.js";
import type { Tensor } from "../../src/linalg/tensor.js";
import { applyTtno } from "../../src/tn/operators/apply.js";
import { expectation } from "../../src/tn/operators/environments.js";
import { longRangeIsing } from "../../src/tn/operators/spin.js";
import { Ttno } from "../../src/tn/operators/ttno.js";
import { orthonormalize } from "../../src/tn/orthonormalize.js";
import { truncateTtn } from "../../src/tn/truncate.js";
import { Tree } from "../../src/tn/tree.js";
import { Ttn, type TtnDType } from "../../src/tn/ttn.js";

const RECORD_KEYS = ["arbor_gflops", "arbor_ms", "case", "flops", "kernel", "maxRank", "n", "numpy_ms", "rank", "ratio", "threads", "tree"];
const KERNELS: TtnKernel[] = ["orthonormalize", "truncate", "apply+truncate", "expectation"];

describe("ttnRecord", () => {
  const c = { kernel: "truncate" as const, case: "truncate y + x", rank: 16, maxRank: 32, threads: 2 };

  it("has the documented fields, ratio = arbor_ms / numpy_ms and GFLOP/s from the flop count", () => {
    const r = ttnRecord(c, 40, 8, 2e9);
    expect(Object.keys(r).sort()).toEqual(RECORD_KEYS);
    expect(r).toEqual({ ...c, tree: "binary-64", n: 2, arbor_ms: 40, numpy_ms: 8, ratio: 5, flops: 2e9, arbor_gflops: 50 });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("keeps nulls and the note for a skipped case or a missing numpy time", () => {
    const skipped = ttnRecord({ ...c, kernel: "apply+truncate" }, null, null, null, "skipped: too slow");
    expect(skipped).toMatchObject({ arbor_ms: null, numpy_ms: null, ratio: null, flops: null, arbor_gflops: null, note: "skipped: too slow" });
    expect(Object.keys(skipped).sort()).toEqual([...RECORD_KEYS, "note"].sort());
    expect(ttnRecord(c, 3.21, null, 1e6)).toMatchObject({ arbor_ms: 3.21, numpy_ms: null, ratio: null });
  });
});

describe("ttnTable", () => {
  it("shows one row per record, footnotes for notes and each case's definition", () => {
    const c = { kernel: "expectation" as const, case: "expectation(A, y)", rank: 16, maxRank: 16, threads: 1 };
    const records: TtnRecord[] = [ttnRecord(c, 10, 5, 1e8), ttnRecord({ ...c, kernel: "apply+truncate", case: "apply then truncate", rank: 32 }, null, null, null, "skipped: slow")];
    const lines = ttnTable(records).split("\n");
    expect(lines[0]).toMatch(/^kernel\s+rank\s+max rank\s+threads\s+arbor ms\s+numpy ms\s+ratio\s+GFLOP\s+arbor GFLOP\/s\s+numpy GFLOP\/s\s+note$/);
    expect(lines[2]!.split(/\s+/)).toEqual(["expectation", "16", "16", "1", "10.0", "5.00", "2.00", "0.100", "10.0", "20.0"]);
    expect(lines[3]!.split(/\s+/)).toEqual(["apply+truncate", "32", "16", "1", "-", "-", "-", "-", "-", "-", "[1]"]);
    expect(lines).toContain("[1] skipped: slow");
    expect(lines).toContain("expectation: expectation(A, y)");
  });
});

describe("suite plan", () => {
  it("is registered, with ranks 16, 32, 64 (16 alone with --quick)", () => {
    expect(SUITES.ttn).toBeDefined();
    expect(ttnRanks(false)).toEqual([16, 32, 64]);
    expect(ttnRanks(true)).toEqual([16]);
  });

  it("repeats slow calls less: the harness rule, then 2 calls, then the counted call alone", () => {
    expect(caseTiming(5, false)).toEqual(timingOptions(false));
    expect(caseTiming(2000, false)).toEqual({ warmup: 1, minReps: 2, maxReps: 2, minTotalMs: 0 });
    expect(caseTiming(SLOW_CALL_MS.single, true)).toEqual({ warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 });
  });

  it("predicts apply+truncate from the rank before as r⁴", () => {
    expect(predictApplyMs({ rank: 16, ms: 4000 }, 32)).toBe(64_000);
    expect(predictApplyMs({ rank: 16, ms: 4000 }, 32)).toBeGreaterThan(SLOW_CALL_MS.skip);
  });

  it("builds the instance: y in the gauge, the scaled copy out of it, the sum at twice the rank", () => {
    const tree = Tree.balancedBinary(8);
    const inst = ttnInstance(tree, 4);
    expect(inst.y.maxRank()).toBe(4);
    expect(inst.y.isOrthonormal()).toBe(true);
    expect(inst.gauged.ranks()).toEqual(inst.y.ranks());
    // Every non-root node has left the gauge, not just some.
    const tensors = inst.gauged.tensors;
    for (const v of tree.edges()) expect(new Ttn(tree, inst.y.dims, inst.y.tensors.map((t, u) => (u === v ? tensors[v]! : t))).isOrthonormal()).toBe(false);
    expect(inst.sum.maxRank()).toBe(8);
  });
});

const skipReason = numpyUnavailable();

describe.skipIf(skipReason !== null)(`numpy_ttn.py computes what arbor computes (8 leaves, rank 4)${skipReason === null ? "" : ` — skipped: ${skipReason}`}`, () => {
  const tree = Tree.balancedBinary(8);
  const inst = ttnInstance(tree, 4);
  const op = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: 8 }));
  const once = { warmup: 0, minReps: 1, maxReps: 1, minTotalMs: 0 };
  let dir: string;
  let values: (number | null)[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "arbor-ttn-check-"));
    writeNetworks(join(dir, "in"), { op: op.network, ...instanceNetworks(inst) });
    const cases = KERNELS.map((k) => numpyTtnCase(k, inst.rank, once));
    const r = runNumpy("numpy_ttn.py", { dir: join(dir, "in"), progress: false, cases, save: join(dir, "out") }, 1);
    if (!r.ok) throw new Error(r.reason);
    expect(r.output.times_ms).toHaveLength(KERNELS.length);
    values = (r.output as unknown as { values: (number | null)[] }).values;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const saved = (kernel: TtnKernel): Ttn => {
    const folder = join(dir, "out", String(KERNELS.indexOf(kernel)));
    return new Ttn(tree, inst.y.dims, tree.preorder().map((v) => readNpy(join(folder, `${v}.npy`)) as Tensor<TtnDType>));
  };
  const close = (a: Ttn, b: Ttn): void => expect(distance(a.toFull(), b.toFull())).toBeLessThan(1e-12 * norm(b.toFull()));

  it("orthonormalize: the same full tensor as the input and arbor's result, in the gauge", () => {
    const z = saved("orthonormalize");
    expect(z.isOrthonormal()).toBe(true);
    expect(z.ranks()).toEqual(orthonormalize(inst.gauged).ranks());
    close(z, inst.gauged);
    close(z, orthonormalize(inst.gauged));
  });

  it("truncate: the same rank-r tensor as truncateTtn", () => {
    const expected = truncateTtn(inst.sum, { maxRank: 4 }).ttn;
    const z = saved("truncate");
    expect(z.ranks()).toEqual(expected.ranks());
    close(z, expected);
  });

  it("apply+truncate: the same tensor as truncateTtn(applyTtno(A, y))", () => {
    const expected = truncateTtn(applyTtno(op, inst.y), { maxRank: 4 }).ttn;
    const z = saved("apply+truncate");
    expect(z.ranks()).toEqual(expected.ranks());
    close(z, expected);
  });

  it("expectation: the same value as arbor", () => {
    const expected = expectation(op, inst.y) as number;
    expect(Math.abs(values[KERNELS.indexOf("expectation")]! - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
  });
});
