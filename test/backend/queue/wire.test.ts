import { describe, expect, it } from "vitest";
import { FormatError } from "../../../src/errors.js";
import { tensorBlob, tensorFromBlob } from "../../../src/backend/queue/blob.js";
import { canonicalJson, fromWire, inlineTensor, queueJobId, tensorFromInline, toWire, type BlobRef } from "../../../src/backend/queue/wire.js";
import { Tensor, zeros } from "../../../src/linalg/tensor.js";
import { fillTensor } from "../../helpers/reference.js";

const sameBits = (a: Tensor, b: Tensor): boolean =>
  a.dtype === b.dtype && a.shape.join() === b.shape.join() && a.data.every((x, i) => Object.is(x, b.data[i]));

describe("tensor blobs", () => {
  it("round-trip every dtype bit for bit, also from Node's pooled Buffers", () => {
    for (const t of [fillTensor([3, 4], "f64", 1), fillTensor([2, 2], "c128", 2), fillTensor([5], "f32", 3), zeros([0, 3])]) {
      const { hash, bytes } = tensorBlob(t);
      expect(sameBits(tensorFromBlob(bytes, hash), t)).toBe(true);
      // What ioredis returns: a Buffer that may sit at any offset of a shared pool.
      const pooled = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(bytes)]).subarray(3);
      expect(sameBits(tensorFromBlob(pooled, hash), t)).toBe(true);
    }
  });

  it("address content: equal tensors share a hash, any change of entry, shape or dtype does not", () => {
    const t = fillTensor([2, 3], "f64", 4) as Tensor<"f64">;
    const h = tensorBlob(t).hash;
    expect(tensorBlob(new Tensor("f64", [2, 3], t.data.slice())).hash).toBe(h);
    const changed = t.data.slice();
    changed[5] = Number.EPSILON + changed[5]!;
    expect(tensorBlob(new Tensor("f64", [2, 3], changed)).hash).not.toBe(h);
    expect(tensorBlob(new Tensor("f64", [3, 2], t.data.slice())).hash).not.toBe(h);
    expect(tensorBlob(new Tensor("c128", [3], t.data.slice())).hash).not.toBe(h);
  });

  it("refuse corrupt bytes and foreign blobs", () => {
    const { hash, bytes } = tensorBlob(fillTensor([4], "f64", 5));
    const flipped = bytes.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(() => tensorFromBlob(flipped, hash)).toThrow(FormatError);
    const foreign = new TextEncoder().encode("not a blob at all");
    expect(() => tensorFromBlob(foreign, tensorBlob(zeros([1])).hash)).toThrow(/hash to/);
  });
});

describe("the wire codec", () => {
  it("keeps every number exact, tensors by the caller's reference", () => {
    const t = fillTensor([2, 2], "f64", 6);
    const value = { a: [1.1, -0, NaN, Infinity, -Infinity, 5e-324], s: "x", b: true, n: null, t, skip: undefined };
    const blobs = new Map<string, Tensor>();
    const wire = toWire(value, (x) => {
      const { hash } = tensorBlob(x);
      blobs.set(hash, x);
      return { $blob: hash };
    });
    const text = JSON.stringify(wire);
    expect(text).not.toContain("skip");
    const back = fromWire(JSON.parse(text), (ref) => blobs.get((ref as BlobRef).$blob)!) as typeof value;
    // Object.is tells −0 from 0 and takes NaN as equal to NaN.
    expect(back.a.every((x, i) => Object.is(x, value.a[i]))).toBe(true);
    expect(back.t).toBe(t);
    expect([back.s, back.b, back.n]).toEqual(["x", true, null]);
    // Results carry their tensors inline.
    const inline = JSON.parse(JSON.stringify(toWire({ cores: [t] }, inlineTensor))) as unknown;
    expect(sameBits((fromWire(inline, tensorFromInline) as { cores: Tensor[] }).cores[0]!, t)).toBe(true);
  });

  it("refuses what JSON cannot carry faithfully, naming the path", () => {
    expect(() => toWire({ f: () => 1 }, inlineTensor)).toThrow(/payload\.f is a function/);
    expect(() => toWire({ d: new Date(0) }, inlineTensor)).toThrow(/payload\.d is \[object Date\]/);
    expect(() => toWire({ x: [new Float64Array(2)] }, inlineTensor)).toThrow(/payload\.x\[0\]/);
    expect(() => toWire({ $blob: "x" }, inlineTensor)).toThrow(/keys beginning with \$/);
    expect(() => fromWire({ r: { $number: "7" } }, tensorFromInline)).toThrow(/payload\.r/);
    expect(() => fromWire({ c: [{ $tensor: { dtype: "f64", shape: [3], data: "AAAA" } }] }, tensorFromInline)).toThrow(FormatError);
    expect(() => fromWire({ c: { $blob: "ab" } }, tensorFromInline)).toThrow(/is not a tensor/);
  });

  it("gives jobs ids from their content, whatever the key order", () => {
    expect(canonicalJson({ b: [1, { d: 2, c: 3 }], a: "x" })).toBe('{"a":"x","b":[1,{"c":3,"d":2}]}');
    const id = queueJobId("search/evaluate", { arbor: "1", payload: { x: 1 } });
    expect(id).toMatch(/^search-evaluate-[0-9a-f]{64}$/);
    expect(queueJobId("search/evaluate", { payload: { x: 1 }, arbor: "1" })).toBe(id);
    expect(queueJobId("search/evaluate", { arbor: "2", payload: { x: 1 } })).not.toBe(id);
    expect(queueJobId("queue/echo", { arbor: "1", payload: { x: 1 } })).not.toBe(id.replace("search-evaluate", "queue-echo"));
  });
});
