import { afterAll, describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../src/errors.js";
import { closeWorkerPools, inThreadRunner, WorkerPool, workerPool } from "../../src/backend/pool/pool.js";
import { fromPlain, packPayload, toPlain, unpackPayload } from "../../src/backend/pool/portable.js";
import { registerTask, runTask } from "../../src/backend/pool/registry.js";
import { compiledModuleUrl } from "../../src/backend/pool/module-url.js";
import { Tensor, tensor, zeros } from "../../src/linalg/tensor.js";
import { Tree } from "../../src/tn/tree.js";
import { randomTtn } from "../../src/tn/construct.js";
import { Ttno } from "../../src/tn/operators/ttno.js";
import { longRangeIsing } from "../../src/tn/operators/spin.js";
import { ttnTask } from "../../src/integrators/ttn/tasks.js";
import { fillTensor } from "../helpers/reference.js";

afterAll(() => closeWorkerPools());

const sameBits = (a: Tensor, b: Tensor): boolean =>
  a.dtype === b.dtype && a.shape.join() === b.shape.join() && a.data.every((x, i) => Object.is(x, b.data[i]));

describe("portable payloads", () => {
  it("round-trip nested data and tensors of every dtype through one shared buffer", () => {
    const value = {
      a: fillTensor([3, 4], "f64", 1),
      list: [fillTensor([2, 2], "c128", 2), null, 7, "x", true, { t: fillTensor([5], "f32", 3) }],
      empty: zeros([0, 3]),
    };
    const packed = packPayload(value);
    expect(packed.buffer).toBeInstanceOf(SharedArrayBuffer);
    const back = unpackPayload(structuredClone(packed)) as typeof value;
    expect(sameBits(back.a, value.a)).toBe(true);
    expect(sameBits(back.list[0] as Tensor, value.list[0] as Tensor)).toBe(true);
    expect(back.list.slice(1, 5)).toEqual([null, 7, "x", true]);
    expect(sameBits((back.list[5] as { t: Tensor }).t, (value.list[5] as { t: Tensor }).t)).toBe(true);
    expect(back.empty.shape).toEqual([0, 3]);
    const plain = fromPlain(structuredClone(toPlain({ y: value.a }))) as { y: Tensor };
    expect(plain.y).toBeInstanceOf(Tensor);
    expect(sameBits(plain.y, value.a)).toBe(true);
  });

  it("refuses what cannot cross threads, naming where it is", () => {
    expect(() => packPayload({ f: () => 1 })).toThrow(/payload\.f is a function/);
    expect(() => packPayload({ m: new Map() })).toThrow(/payload\.m is a \[object Map\]/);
  });
});

describe("task registry and module URLs", () => {
  it("runs registered tasks and names unknown ones", () => {
    registerTask("test/add", (p: { x: number; y: number }) => p.x + p.y);
    expect(runTask("test/add", { x: 2, y: 3 })).toBe(5);
    expect(() => registerTask("test/add", () => 0)).toThrow(/already registered/);
    expect(() => runTask("test/none", {})).toThrow(/no worker task named "test\/none"/);
  });

  it("maps TypeScript sources to their compiled copies", () => {
    expect(compiledModuleUrl("file:///pkg/dist/src/a/b.js", "./c.js")).toBe("file:///pkg/dist/src/a/c.js");
    expect(() => compiledModuleUrl("file:///nowhere/src/a/b.ts", "./c.js")).toThrow(/npm run build/);
  });
});

describe("WorkerPool", () => {
  const tree = Tree.balancedBinary(8);
  const op = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: 8 }));
  const y = randomTtn(tree, new Array(8).fill(2), 4, 11, { dtype: "c128" });
  const leaves = tree.postorder().filter((v) => tree.isLeaf(v));
  const tasks = (threads: number) =>
    leaves.map((v, i) => ttnTask("ttn/environment", { op: op.leafOperator(v), bra: y.tensors[v]!, ket: y.tensors[v]!, children: null }, threads, i % 3));

  // minBatchBytes 0: these batches are small, and the pool would otherwise keep them in this thread.
  const pool = new WorkerPool(2, { minBatchBytes: 0 });
  afterAll(() => pool.close());

  it("returns in task order exactly what the calling thread computes, whatever the claim order", () => {
    expect(pool.threads).toBe(2);
    const want = inThreadRunner.run(tasks(1)) as Tensor[];
    for (let rep = 0; rep < 3; rep++) {
      const got = pool.run(tasks(2)) as Tensor[];
      expect(got.length).toBe(want.length);
      got.forEach((t, i) => expect(sameBits(t, want[i]!), `task ${i}`).toBe(true));
    }
    // Which thread claims which task is timing: on a loaded machine this thread can claim all
    // eight small tasks before the worker wakes. Larger batches, repeated until the worker has
    // claimed one (bounded), make "the workers run tasks" a deterministic check.
    const many = () => Array.from({ length: 20 }, () => tasks(2)).flat();
    for (let rep = 0; rep < 50 && pool.counts.workers === 0; rep++) pool.run(many());
    expect(pool.counts.workers).toBeGreaterThan(0);
    expect(pool.run([])).toEqual([]);
  });

  it("rethrows a failing task's error with its class, the lowest-numbered first", () => {
    const bad = ttnTask("ttn/environment", { op: op.leafOperator(leaves[0]!), bra: tensor([[1, 0, 0]]), ket: y.tensors[leaves[0]!]!, children: null }, 2);
    let caught: unknown;
    try {
      pool.run([...tasks(2), bad, bad]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ShapeError);
    // The pool still works afterwards.
    expect((pool.run(tasks(2)) as Tensor[]).length).toBe(leaves.length);
  });

  it("keeps small batches in the calling thread by default", () => {
    expect(workerPool(2).minBatchBytes).toBe(65536);
    const before = workerPool(2).counts.workers;
    const want = inThreadRunner.run(tasks(1)) as Tensor[];
    (workerPool(2).run(tasks(2)) as Tensor[]).forEach((t, i) => expect(sameBits(t, want[i]!)).toBe(true));
    expect(workerPool(2).counts.workers).toBe(before);
  });

  it("checks its size and refuses work once closed", async () => {
    expect(() => new WorkerPool(0)).toThrow(ArgumentError);
    const pool = new WorkerPool(2);
    await pool.close();
    expect(() => pool.run(tasks(2))).toThrow(/closed/);
  });
});
