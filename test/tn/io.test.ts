import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureError, expectFormatErrorFrom } from "../helpers/reference.js";
import { ArgumentError, FormatError } from "../../src/errors.js";
import { encodeNpy } from "../../src/linalg/io/npy.js";
import { Tensor, tensor } from "../../src/linalg/tensor.js";
import { decodeTtn, encodeTtn, loadTtn, saveTtn } from "../../src/tn/io.js";
import { Tree, type TreeSpec } from "../../src/tn/tree.js";
import { Ttn, type TtnDType } from "../../src/tn/ttn.js";
import { namedTrees } from "../helpers/trees.js";

// ---------------------------------------------------------------------------------------------
// Helpers

const DTYPES: readonly TtnDType[] = ["f64", "c128"];

/** The raw bytes of a tensor's storage, so NaN payloads and −0 are compared exactly. */
function bitsOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function expectSameTtn(actual: Ttn, expected: Ttn): void {
  expect(actual.tree.toSpec()).toEqual(expected.tree.toSpec());
  expect(actual.dims).toEqual(expected.dims);
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.tensors.length).toBe(expected.tensors.length);
  actual.tensors.forEach((t, v) => {
    expect(t.dtype).toBe(expected.dtype);
    expect(t.shape).toEqual(expected.tensors[v]!.shape);
    expect(bitsOf(t)).toEqual(bitsOf(expected.tensors[v]!));
  });
}

/** Writes one float64 as two u32 words, so that no NaN ever passes through a float register. */
function setBits(t: Tensor, word: number, hi: number, lo: number): void {
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  view.setUint32(word * 8 + (littleEndian ? 4 : 0), hi, littleEndian);
  view.setUint32(word * 8 + (littleEndian ? 0 : 4), lo, littleEndian);
}

/** Bit patterns (high word, low word) that a careless reader or writer would change. */
const SPECIALS: ReadonlyArray<readonly [string, number, number]> = [
  ["quiet NaN with a payload", 0x7ff80000, 0xdeadbeef],
  ["signalling NaN", 0x7ff00000, 0x00000001],
  ["negative NaN", 0xfff80000, 0x12345678],
  ["-0", 0x80000000, 0],
  ["smallest subnormal", 0, 1],
  ["largest negative subnormal", 0x800fffff, 0xffffffff],
  ["+Infinity", 0x7ff00000, 0],
  ["-Infinity", 0xfff00000, 0],
];

/** Writes the special values into the first words of some node tensors of `y` (in place). */
function plantSpecials(y: Ttn): void {
  const nodes = [0, y.tree.leaf(0), y.tree.numNodes - 1];
  let k = 0;
  for (const v of nodes) {
    const t = y.tensors[v]!;
    for (let w = 0; w < t.data.length && k < SPECIALS.length; w++, k++) setBits(t, w, SPECIALS[k]![1], SPECIALS[k]![2]);
  }
}

function dimsFor(d: number): number[] {
  return Array.from({ length: d }, (_, m) => 2 + (m % 3));
}

function expectFormatError(bytes: Uint8Array, ...fragments: Array<string | RegExp>): FormatError {
  return expectFormatErrorFrom(() => decodeTtn(bytes), ...fragments);
}

interface Parts {
  header: Record<string, unknown> & { tensors: Array<{ shape: number[]; offset: number }> };
  payload: Uint8Array;
}

/** Splits a file into its header (parsed) and payload, independently of decodeTtn. */
function split(bytes: Uint8Array): Parts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = view.getUint32(12, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + h))) as Parts["header"];
  return { header, payload: bytes.slice(Math.ceil((16 + h) / 8) * 8) };
}

/**
 * A file assembled by hand from header text and payload bytes, independently of encodeTtn, so
 * malformed headers and layouts can be fed to the decoder.
 */
function assemble(header: unknown, payload: Uint8Array = new Uint8Array(), options: { version?: number; magic?: string } = {}): Uint8Array {
  const text = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  return assembleRaw(text, payload, options);
}

function assembleRaw(text: Uint8Array, payload: Uint8Array, options: { version?: number; magic?: string } = {}): Uint8Array {
  const start = Math.ceil((16 + text.length) / 8) * 8;
  const out = new Uint8Array(start + payload.length);
  out.set(new TextEncoder().encode(options.magic ?? "ARBORTTN"), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, options.version ?? 1, true);
  view.setUint32(12, text.length, true);
  out.set(text, 16);
  out.set(payload, start);
  return out;
}

/** A small f64 network on [[0, 1], 2] used by the error cases: 5 nodes, ranks 2. */
function smallTtn(): Ttn {
  return Ttn.random(Tree.fromSpec([[0, 1], 2]), [2, 3, 2], 2, 3);
}

function smallParts(): Parts {
  return split(encodeTtn(smallTtn(), { step: 1 }));
}

// ---------------------------------------------------------------------------------------------

describe("encodeTtn / decodeTtn round trips", () => {
  const irregular: TreeSpec = [[3, 0], [4, [1, 5, 2]], 6];
  const trees: Array<[string, Tree]> = [...namedTrees(5), ["irregular", Tree.fromSpec(irregular)]];

  for (const [name, tree] of trees) {
    for (const dtype of DTYPES) {
      it(`is bit-identical on a ${dtype} ${name} tree, special values included`, () => {
        const d = tree.numModes;
        const y = Ttn.random(tree, dimsFor(d), 3, 11 + d, { dtype, normalize: false });
        plantSpecials(y);
        const { ttn, metadata } = decodeTtn(encodeTtn(y));
        expectSameTtn(ttn, y);
        expect(metadata).toEqual({});
      });

      it(`reproduces toFull() exactly on a ${dtype} ${name} tree`, () => {
        const y = Ttn.random(tree, dimsFor(tree.numModes), 2, 5, { dtype });
        const back = decodeTtn(encodeTtn(y)).ttn;
        expect(bitsOf(back.toFull())).toEqual(bitsOf(y.toFull()));
        expect(back.ranks()).toEqual(y.ranks());
      });
    }
  }

  it("round-trips product states, real and complex", () => {
    const tree = Tree.balancedBinary(3);
    const real = Ttn.product(tree, [tensor([1, 0]), tensor([0.5, -0.5, 2]), tensor([0, 1])]);
    const cplx = Ttn.product(tree, [tensor([{ re: 0, im: 1 }, 1]), tensor([1, 2, 3]), tensor([-0, 1])]);
    for (const y of [real, cplx]) {
      const back = decodeTtn(encodeTtn(y)).ttn;
      expectSameTtn(back, y);
      expect(back.entry([0, 2, 1])).toEqual(y.entry([0, 2, 1]));
    }
    expect(decodeTtn(encodeTtn(cplx)).ttn.dtype).toBe("c128");
  });

  it("checks every special value survives at its position", () => {
    const y = Ttn.random(Tree.tucker(3), [3, 3, 3], 3, 2, { dtype: "c128" });
    plantSpecials(y);
    const back = decodeTtn(encodeTtn(y)).ttn;
    const root = new DataView(back.tensors[0]!.data.buffer, back.tensors[0]!.data.byteOffset);
    const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    // The root has 27 complex entries = 54 words, enough for all specials.
    SPECIALS.forEach(([what, hi, lo], w) => {
      const got = [root.getUint32(w * 8 + (littleEndian ? 4 : 0), littleEndian), root.getUint32(w * 8 + (littleEndian ? 0 : 4), littleEndian)];
      expect(got, what).toEqual([hi, lo]);
    });
  });

  it("is deterministic: re-encoding a decoded file gives the same bytes", () => {
    const y = Ttn.random(Tree.balancedBinary(5), dimsFor(5), 3, 8, { dtype: "c128" });
    plantSpecials(y);
    const bytes = encodeTtn(y, { t: 1 });
    expect(encodeTtn(y, { t: 1 })).toEqual(bytes);
    const { ttn, metadata } = decodeTtn(bytes);
    expect(encodeTtn(ttn, metadata)).toEqual(bytes);
  });

  it("round-trips metadata exactly", () => {
    const metadata = {
      time: 0.1 + 0.2,
      step: 12345,
      tiny: 5e-324,
      huge: -1.7976931348623157e308,
      done: false,
      nothing: null,
      label: "TDVP ✓ 東京 \u{1F333} \ud800 \"quoted\" \\ \n",
      options: { integrator: "bug", tol: 1e-8, ranks: [1, 2, [3, { deep: [] }]], empty: {} },
      "key with spaces": 1,
    };
    const back = decodeTtn(encodeTtn(smallTtn(), metadata)).metadata;
    expect(back).toEqual(metadata);
    expect(Object.keys(back)).toEqual(Object.keys(metadata));
    expect(back.time).toBe(0.30000000000000004);
  });

  it("stores −0 in metadata as 0 (the one alteration JSON makes that compares equal)", () => {
    const back = decodeTtn(encodeTtn(smallTtn(), { x: -0 })).metadata;
    expect(Object.is(back.x, 0)).toBe(true);
  });

  it("decodes input at any byte offset, and shares no memory with it", () => {
    const y = Ttn.random(Tree.tensorTrain(4), [2, 3, 2, 3], 3, 4, { dtype: "c128" });
    plantSpecials(y);
    const bytes = encodeTtn(y, { note: "unaligned" });
    for (const shift of [1, 3, 4, 7]) {
      const big = new Uint8Array(bytes.length + shift + 5);
      big.set(bytes, shift);
      const view = big.subarray(shift, shift + bytes.length);
      const { ttn, metadata } = decodeTtn(view);
      expectSameTtn(ttn, y);
      expect(metadata).toEqual({ note: "unaligned" });
      view.fill(0xff, 16); // overwrite the input: the decoded network must not change
      expectSameTtn(ttn, y);
    }
    const pooled = Buffer.from(bytes); // small Buffers live at odd offsets of a shared pool
    expectSameTtn(decodeTtn(pooled).ttn, y);
  });
});

describe("the byte layout", () => {
  it("matches the specification exactly", () => {
    const y = Ttn.random(Tree.fromSpec([[0, 1], 2]), [2, 3, 2], 2, 1, { dtype: "c128" });
    const bytes = encodeTtn(y, { time: 0.5 });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x41, 0x52, 0x42, 0x4f, 0x52, 0x54, 0x54, 0x4e]);
    expect(view.getUint32(8, true)).toBe(1);
    const h = view.getUint32(12, true);
    const text = new TextDecoder().decode(bytes.subarray(16, 16 + h));
    const shapes = y.tensors.map((t) => t.shape);
    const offsets: number[] = [];
    shapes.reduce((o, s) => (offsets.push(o), o + 16 * s.reduce((p, n) => p * n, 1)), 0);
    const expected = {
      tree: [[0, 1], 2],
      dims: [2, 3, 2],
      dtype: "c128",
      tensors: shapes.map((shape, v) => ({ shape, offset: offsets[v] })),
      metadata: { time: 0.5 },
    };
    expect(text).toBe(JSON.stringify(expected));
    const start = Math.ceil((16 + h) / 8) * 8;
    expect(start % 8).toBe(0);
    expect(Array.from(bytes.subarray(16 + h, start)).every((b) => b === 0)).toBe(true);
    const words = y.numParameters() * 2;
    expect(bytes.length).toBe(start + 8 * words);
    // Each tensor's storage, little endian, at its offset.
    y.tensors.forEach((t, v) => {
      for (let i = 0; i < t.data.length; i++) expect(view.getFloat64(start + offsets[v]! + 8 * i, true)).toBe(t.data[i]);
    });
  });

  it("agrees with the worked example in docs/tn-format.md", () => {
    const y = Ttn.random(Tree.tensorTrain(3), [2, 2, 2], 2, 1);
    const bytes = encodeTtn(y, { time: 0.5 });
    const { header } = split(bytes);
    expect(header.tensors).toEqual([
      { shape: [1, 2, 2], offset: 0 },
      { shape: [2, 2], offset: 32 },
      { shape: [2, 2, 2], offset: 64 },
      { shape: [2, 2], offset: 128 },
      { shape: [2, 2], offset: 160 },
    ]);
    const h = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    const doc = readFileSync(new URL("../../docs/tn-format.md", import.meta.url), "utf8");
    expect(doc).toContain(`(H = ${h} bytes`);
    expect(doc).toContain(`P = 16 + ${h} = ${16 + h} rounded up to ${Math.ceil((16 + h) / 8) * 8}`);
    expect(doc).toContain(`the file is ${bytes.length} bytes long`);
  });

  it("accepts any disjoint, aligned layout, ignoring gaps", () => {
    const y = smallTtn();
    const { header, payload } = smallParts();
    // Reverse the node order in the payload and leave an 8-byte gap between tensors.
    const sizes = header.tensors.map((t) => 8 * t.shape.reduce((p, n) => p * n, 1));
    const out = new Uint8Array(payload.length + 8 * sizes.length);
    let at = 0;
    for (let v = sizes.length - 1; v >= 0; v--) {
      out.set(payload.subarray(header.tensors[v]!.offset, header.tensors[v]!.offset + sizes[v]!), at);
      out.fill(0xab, at + sizes[v]!, at + sizes[v]! + 8);
      header.tensors[v]!.offset = at;
      at += sizes[v]! + 8;
    }
    // The file must end where the last tensor ends: drop the final gap.
    const { ttn, metadata } = decodeTtn(assemble(header, out.subarray(0, at - 8)));
    expectSameTtn(ttn, y);
    expect(metadata).toEqual({ step: 1 });
  });
});

describe("decodeTtn rejects malformed input", () => {
  it("without the magic", () => {
    expectFormatError(new Uint8Array(), "not an arbor TTN file", "empty");
    expectFormatError(new TextEncoder().encode("ARBORTTX and more bytes"), "not an arbor TTN file", 'found "ARBORTTX"');
    expectFormatError(encodeNpy(tensor([1, 2])), "not an arbor TTN file", "\\x93NUMPY");
    expectFormatError(new TextEncoder().encode("hello"), "not an arbor TTN file");
  });

  it("of an unsupported version", () => {
    const { header, payload } = smallParts();
    expectFormatError(assemble(header, payload, { version: 2 }), "unsupported arbor TTN format version 2", "supports version 1");
    expectFormatError(assemble(header, payload, { version: 0 }), "unsupported arbor TTN format version 0");
  });

  it("truncated anywhere", () => {
    const bytes = encodeTtn(smallTtn(), { step: 1 });
    for (let n = 1; n < bytes.length; n++) {
      const e = expectFormatError(bytes.subarray(0, n), /^truncated: expected (at least )?\d+ bytes/);
      expect(e.message).toContain(`found ${n}`);
    }
    expectFormatError(bytes.subarray(0, 10), "truncated: expected at least 16 bytes", "found 10");
    expectFormatError(bytes.subarray(0, bytes.length - 8), `truncated: expected ${bytes.length} bytes`, `found ${bytes.length - 8}`);
  });

  it("whose header is not UTF-8 JSON", () => {
    expectFormatError(assemble("{not json"), "header is not valid JSON");
    expectFormatError(assemble(""), "header is not valid JSON");
    expectFormatError(assembleRaw(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), new Uint8Array()), "header is not valid UTF-8");
    const { header, payload } = smallParts();
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify(header))]);
    expectFormatError(assembleRaw(bom, payload), "header is not valid JSON");
    expectFormatError(assemble("[1, 2]"), "header is not a JSON object");
    expectFormatError(assemble("null"), "header is not a JSON object");
  });

  it("whose header lacks keys, has extra ones or ill-typed values", () => {
    const { header, payload } = smallParts();
    const without = (k: string): Record<string, unknown> => Object.fromEntries(Object.entries(header).filter(([key]) => key !== k));
    expectFormatError(assemble(without("dims"), payload), 'header is missing key "dims"');
    expectFormatError(assemble(without("metadata"), payload), 'header is missing key "metadata"');
    expectFormatError(assemble({ ...header, extra: 1 }, payload), 'header has an unexpected key "extra"');
    expectFormatError(assemble({ ...header, dims: "2,3,2" }, payload), 'header "dims" must be an array');
    expectFormatError(assemble({ ...header, dims: [2, 3] }, payload), 'header "dims" has 2 mode sizes for a tree over 3 modes');
    expectFormatError(assemble({ ...header, dims: [2, 0, 2] }, payload), 'header "dims": mode 1 has size 0');
    expectFormatError(assemble({ ...header, dims: [2, 3.5, 2] }, payload), 'mode 1 has size 3.5');
    expectFormatError(assemble({ ...header, dtype: "f32" }, payload), 'header "dtype" must be "f64" or "c128", got "f32"');
    expectFormatError(assemble({ ...header, metadata: [1] }, payload), 'header "metadata" must be a JSON object');
    expectFormatError(assemble({ ...header, metadata: null }, payload), 'header "metadata" must be a JSON object');
    expectFormatError(assemble({ ...header, tensors: {} }, payload), 'header "tensors" must be an array');
    expectFormatError(assemble({ ...header, tensors: header.tensors.slice(1) }, payload), 'lists 4 tensors for a tree of 5 nodes');
  });

  it("whose tensor entries are malformed", () => {
    const { header, payload } = smallParts();
    const withEntry = (v: number, entry: unknown): unknown => ({ ...header, tensors: header.tensors.map((t, u) => (u === v ? entry : t)) });
    const t2 = header.tensors[2]!;
    expectFormatError(assemble(withEntry(2, [1, 2]), payload), 'header "tensors"[2] (node 2) must be an object');
    expectFormatError(assemble(withEntry(2, { shape: t2.shape }), payload), '"tensors"[2] (node 2) is missing key "offset"');
    expectFormatError(assemble(withEntry(2, { ...t2, dtype: "f64" }), payload), 'unexpected key "dtype"');
    expectFormatError(assemble(withEntry(2, { ...t2, shape: 6 }), payload), '"shape" must be an array');
    expectFormatError(assemble(withEntry(2, { ...t2, shape: [2, -1] }), payload), "dimension 1 = -1, not a non-negative integer");
    expectFormatError(assemble(withEntry(2, { ...t2, shape: [2, "2"] }), payload), 'dimension 1 = "2"');
    expectFormatError(assemble(withEntry(2, { ...t2, shape: [2 ** 40, 2 ** 40] }), payload), "too large");
    expectFormatError(assemble(withEntry(2, { ...t2, offset: t2.offset + 4 }), payload), '"offset" must be a non-negative multiple of 8, got ' + String(t2.offset + 4));
    expectFormatError(assemble(withEntry(2, { ...t2, offset: -8 }), payload), '"offset" must be a non-negative multiple of 8');
    expectFormatError(assemble(withEntry(2, { ...t2, offset: "0" }), payload), '"offset" must be a non-negative multiple of 8, got "0"');
  });

  it("whose tree spec is not a valid tree, with Tree.fromSpec's reason", () => {
    const { header, payload } = smallParts();
    expectFormatError(assemble({ ...header, tree: [[0, 0], 2] }, payload), 'header "tree" is not a valid tree', "mode 0 appears twice");
    expectFormatError(assemble({ ...header, tree: [[0], 1, 2] }, payload), 'header "tree" is not a valid tree', "single child");
    expectFormatError(assemble({ ...header, tree: [[0, 1], 3] }, payload), 'header "tree" is not a valid tree', "mode 2 is missing");
    expectFormatError(assemble({ ...header, tree: 0 }, payload), 'header "tree" is not a valid tree');
    expectFormatError(assemble({ ...header, tree: { a: 1 } }, payload), 'header "tree" is not a valid tree');
    expectFormatError(assemble({ ...header, tree: [[0, "1"], 2] }, payload), 'header "tree" is not a valid tree');
    // A valid tree with the same number of nodes but a different shape.
    expectFormatError(assemble({ ...header, tree: [0, [1, 2]] }, payload), "tensor shapes do not fit the tree");
  });

  it("whose shapes do not fit the tree, with the Ttn constructor's reason", () => {
    const y = smallTtn();
    const base = { tree: y.tree.toSpec(), dims: Array.from(y.dims), dtype: "f64", metadata: {} };
    /** A consistently laid-out file (zero data) for the given shapes. */
    const fileWith = (header: Record<string, unknown>, shapes: number[][]): Uint8Array => {
      const sizes = shapes.map((s) => 8 * s.reduce((p, n) => p * n, 1));
      const offsets = sizes.map((_, v) => sizes.slice(0, v).reduce((a, b) => a + b, 0));
      const tensors = shapes.map((shape, v) => ({ shape, offset: offsets[v] }));
      return assemble({ ...header, tensors }, new Uint8Array(sizes.reduce((a, b) => a + b, 0)));
    };
    const shapes = (): number[][] => y.tensors.map((t) => Array.from(t.shape));
    expect(decodeTtn(fileWith(base, shapes())).ttn.ranks()).toEqual(y.ranks());
    // Leaf 2 (mode 0) with one rank too many.
    const leaf = y.tree.leaf(0);
    const wideLeaf = shapes();
    wideLeaf[leaf] = [wideLeaf[leaf]![0]!, wideLeaf[leaf]![1]! + 1];
    expectFormatError(fileWith(base, wideLeaf), "tensor shapes do not fit the tree: Ttn: edge above node 2 has rank 3 at the node but 2 at its parent 1");
    // A leaf whose first axis is not its mode size.
    expectFormatError(fileWith({ ...base, dims: [3, 3, 2] }, shapes()), "tensor shapes do not fit the tree", "leaf 2 (mode 0, size 3)");
    // The root's axis 0 must be 1.
    const wideRoot = shapes();
    wideRoot[0] = [2, ...wideRoot[0]!.slice(1)];
    expectFormatError(fileWith(base, wideRoot), "tensor shapes do not fit the tree", "axis 0 must have size 1");
    // An inner node with the wrong number of axes.
    const flat = shapes();
    flat[1] = [flat[1]!.reduce((p, n) => p * n, 1)];
    expectFormatError(fileWith(base, flat), "tensor shapes do not fit the tree", "inner node 1 has 2 children");
  });

  it("whose offsets are out of range or overlap", () => {
    const { header, payload } = smallParts();
    const last = header.tensors.length - 1;
    const moved = (v: number, offset: number): unknown => ({ ...header, tensors: header.tensors.map((t, u) => (u === v ? { ...t, offset } : t)) });
    expectFormatError(assemble(moved(last, header.tensors[last]!.offset + 8), payload), "tensor of node 4", "is out of range", `the payload has ${payload.length} bytes`);
    expectFormatError(assemble(moved(0, 1 << 30), payload), "tensor of node 0", "out of range");
    expectFormatError(assemble(moved(2, header.tensors[1]!.offset), payload), "tensors of nodes", "overlap in the payload");
    expectFormatError(assemble(moved(1, header.tensors[1]!.offset + 8), payload), "overlap in the payload");
  });

  it("with non-zero padding", () => {
    const bytes = encodeTtn(smallTtn(), { step: 1 });
    const h = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
    if ((16 + h) % 8 === 0) throw new Error("test needs a header whose end is not aligned");
    const bad = bytes.slice();
    bad[16 + h] = 0x20;
    expectFormatError(bad, `padding byte ${16 + h}`, "0x20, not zero");
  });

  it("with trailing bytes", () => {
    const bytes = encodeTtn(smallTtn(), { step: 1 });
    for (const extra of [1, 8, 100]) {
      const longer = new Uint8Array(bytes.length + extra);
      longer.set(bytes);
      expectFormatError(longer, `${extra} trailing byte${extra > 1 ? "s" : ""} after the last tensor`, `expected ${bytes.length} bytes, found ${bytes.length + extra}`);
    }
  });

  it("allocating nothing for absurd sizes", () => {
    const { header } = smallParts();
    const huge = { ...header, tensors: header.tensors.map((t, v) => (v === 0 ? { shape: [1, 2 ** 20, 2 ** 20], offset: 0 } : t)) };
    expectFormatError(assemble(huge, new Uint8Array(64)), /^truncated: expected \d+ bytes/);
  });
});

describe("encodeTtn rejects metadata JSON would not store faithfully", () => {
  const y = smallTtn();
  const cases: Array<[string, unknown, string | RegExp]> = [
    ["NaN", { t: NaN }, "metadata.t is NaN, which JSON cannot represent (JSON.stringify would write null)"],
    ["Infinity", { a: { b: Infinity } }, "metadata.a.b is Infinity"],
    ["-Infinity in an array", { a: [1, -Infinity] }, "metadata.a[1] is -Infinity"],
    ["undefined", { t: undefined }, "metadata.t is undefined, which JSON cannot represent"],
    ["a function", { f: () => 1 }, "metadata.f is a function"],
    ["a bigint", { n: 10n }, "metadata.n is a bigint"],
    ["a symbol", { s: Symbol("x") }, "metadata.s is a symbol"],
    ["a Date", { when: new Date(0) }, "metadata.when is a Date, not a plain object"],
    ["a Map", { m: new Map() }, "metadata.m is a Map"],
    ["a typed array", { v: new Float64Array(2) }, "metadata.v is a Float64Array, not a plain object"],
    ["a class instance", { opts: new (class Options {})() }, "metadata.opts is an Options, not a plain object"],
    ["a sparse array", { a: [1, , 3] }, "metadata.a[1] is a hole"],
    ["symbol keys", { o: { [Symbol("k")]: 1 } }, "metadata.o has symbol keys"],
    ["an odd key", { "a b": { c: NaN } }, 'metadata["a b"].c is NaN'],
    ["an array", [1, 2], "metadata must be a plain object, got an array"],
    ["null", null, "metadata must be a plain object, got null"],
  ];
  for (const [what, metadata, message] of cases) {
    it(`such as ${what}`, () => {
      const e = captureError(() => encodeTtn(y, metadata as Record<string, unknown>));
      expect(e).toBeInstanceOf(ArgumentError);
      if (typeof message === "string") expect(e.message).toContain(message);
      else expect(e.message).toMatch(message);
    });
  }

  it("such as cycles, while accepting shared subobjects", () => {
    const shared = { tol: 1e-8 };
    expect(decodeTtn(encodeTtn(y, { a: shared, b: [shared] })).metadata).toEqual({ a: shared, b: [shared] });
    const cyclic: Record<string, unknown> = { x: 1 };
    cyclic.self = { inner: cyclic };
    expect(() => encodeTtn(y, cyclic)).toThrow(/metadata\.self\.inner refers back to one of its ancestors/);
  });

  it("accepting objects without a prototype", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { step: 3 });
    expect(decodeTtn(encodeTtn(y, bare)).metadata).toEqual({ step: 3 });
  });
});

describe("saveTtn / loadTtn", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "arbor-ttn-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("round-trips through a file and leaves no temporary file behind", () => {
    const y = Ttn.random(Tree.balancedBinary(4), [2, 3, 2, 3], 3, 21, { dtype: "c128" });
    plantSpecials(y);
    const path = join(dir, "state.ttn");
    saveTtn(path, y, { time: 2.5, step: 250 });
    const { ttn, metadata } = loadTtn(path);
    expectSameTtn(ttn, y);
    expect(metadata).toEqual({ time: 2.5, step: 250 });
    expect(new Uint8Array(readFileSync(path))).toEqual(encodeTtn(y, { time: 2.5, step: 250 }));
    expect(readdirSync(dir)).toEqual(["state.ttn"]);
  });

  it("replaces an existing checkpoint", () => {
    const path = join(dir, "state.ttn");
    saveTtn(path, smallTtn(), { step: 1 });
    const z = Ttn.random(Tree.tucker(3), [2, 2, 2], 2, 4, { dtype: "c128" });
    saveTtn(path, z, { step: 2 });
    const back = loadTtn(path);
    expectSameTtn(back.ttn, z);
    expect(back.metadata).toEqual({ step: 2 });
    expect(readdirSync(dir)).toEqual(["state.ttn"]);
  });

  it("fails cleanly in a missing directory, creating nothing", () => {
    expect(() => saveTtn(join(dir, "missing", "state.ttn"), smallTtn())).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("removes the temporary file when the rename fails", () => {
    const target = join(dir, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "keep"), "x");
    expect(() => saveTtn(target, smallTtn())).toThrow();
    expect(readdirSync(dir)).toEqual(["occupied"]);
    expect(readdirSync(target)).toEqual(["keep"]);
  });

  it("writes nothing when the metadata is rejected, keeping the old file", () => {
    const path = join(dir, "state.ttn");
    saveTtn(path, smallTtn(), { step: 1 });
    const before = readFileSync(path);
    expect(() => saveTtn(path, smallTtn(), { step: NaN })).toThrow(ArgumentError);
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir)).toEqual(["state.ttn"]);
  });

  it("reports malformed files with their path, and passes file-system errors through", () => {
    const path = join(dir, "bad.ttn");
    writeFileSync(path, "hello");
    const e = captureError(() => loadTtn(path));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toBe(`${path}: not an arbor TTN file: expected the magic "ARBORTTN", found "hello"`);
    const missing = captureError(() => loadTtn(join(dir, "nope.ttn")));
    expect(missing).not.toBeInstanceOf(FormatError);
    expect((missing as NodeJS.ErrnoException).code).toBe("ENOENT");
  });
});

describe("property: decode(encode(y)) reproduces y", () => {
  it("bit for bit on random small networks", () => {
    const makers = [Tree.balancedBinary, Tree.tensorTrain, Tree.tucker] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 11, maxLength: 11 }),
        fc.constantFrom(...DTYPES),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.boolean(),
        (kind, d, allDims, allRanks, dtype, seed, normalize) => {
          const tree = makers[kind]!(d);
          const dims = allDims.slice(0, d);
          const ranks = allRanks.slice(0, tree.numNodes);
          const y = Ttn.random(tree, dims, ranks, seed, { dtype, normalize });
          const metadata = { seed, kind, dims };
          const back = decodeTtn(encodeTtn(y, metadata));
          expectSameTtn(back.ttn, y);
          expect(back.metadata).toEqual(metadata);
          expect(bitsOf(back.ttn.toFull())).toEqual(bitsOf(y.toFull()));
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The Python reader documented in docs/tn-format.md, run on files written here.

function pythonWithNumpy(): { ok: true } | { ok: false; why: string } {
  const probe = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8", timeout: 60_000 });
  if (probe.error !== undefined) return { ok: false, why: `python3 is not available (${probe.error.message})` };
  if (probe.status !== 0) return { ok: false, why: `python3 has no numpy (${probe.stderr.trim().split("\n").pop() ?? ""})` };
  return { ok: true };
}

/** The ```python block of the format documentation that defines load_ttn. */
function documentedPythonReader(): string {
  const doc = readFileSync(new URL("../../docs/tn-format.md", import.meta.url), "utf8");
  const blocks = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const reader = blocks.find((b) => b.includes("def load_ttn("));
  if (reader === undefined) throw new Error("docs/tn-format.md has no ```python block defining load_ttn");
  return reader;
}

// Contracts a network from the documented conventions alone (pre-order ids, axis 0 to the
// parent, leaf bases [n, r], modes in mode order), independently of arbor's own toFull.
const PYTHON_CHECK = `
import sys

def full(header, tensors):
    ids = iter(range(len(tensors)))
    def walk(spec):
        v = next(ids)
        if isinstance(spec, int):
            return tensors[v], [spec]
        res, modes = tensors[v], []
        for child in spec:
            f, m = walk(child)
            res = np.tensordot(res, f, axes=([1], [f.ndim - 1]))
            modes += m
        return np.moveaxis(res, 0, -1), modes
    res, modes = walk(header["tree"])
    return np.transpose(res[..., 0], np.argsort(modes))

out = []
for path in sys.argv[1:]:
    header, tensors = load_ttn(path)
    entry = {
        "dtype": header["dtype"], "dims": header["dims"], "tree": header["tree"], "metadata": header["metadata"],
        "tensors": [{"numpy": str(t.dtype), "shape": list(t.shape), "hex": t.tobytes().hex()} for t in tensors],
    }
    if all(np.isfinite(t).all() for t in tensors):
        a = full(header, tensors).astype(np.complex128).ravel()
        entry["full"] = {"shape": list(full(header, tensors).shape), "re": a.real.tolist(), "im": a.imag.tolist()}
    out.append(entry)
print(json.dumps(out))
`;

function hexOf(t: Tensor): string {
  return Buffer.from(bitsOf(t)).toString("hex");
}

describe("the Python reader in docs/tn-format.md", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "arbor-ttn-py-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads files written by saveTtn bit for bit (needs python3 with numpy)", (ctx) => {
    const python = pythonWithNumpy();
    if (!python.ok) ctx.skip(`skipped: ${python.why}`);
    const networks: Array<[Ttn, Record<string, unknown>]> = [
      [Ttn.random(Tree.fromSpec([[3, 0], [4, [1, 5, 2]]]), [2, 3, 2, 2, 3, 2], 3, 31, { normalize: false }), { time: 0.25, options: { tol: 1e-10 } }],
      [Ttn.random(Tree.tensorTrain(4), [2, 3, 2, 3], 2, 32, { dtype: "c128" }), { step: 7 }],
      [Ttn.random(Tree.tucker(3), [2, 2, 3], 2, 33, { dtype: "c128" }), { special: true }],
    ];
    plantSpecials(networks[2]![0]);
    const paths = networks.map(([y, metadata], k) => {
      const path = join(dir, `net${k}.ttn`);
      saveTtn(path, y, metadata);
      return path;
    });
    expect(paths.every((p) => existsSync(p))).toBe(true);
    const run = spawnSync("python3", ["-c", `${documentedPythonReader()}\n${PYTHON_CHECK}`, ...paths], { encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    type Out = {
      dtype: string; dims: number[]; tree: TreeSpec; metadata: unknown;
      tensors: Array<{ numpy: string; shape: number[]; hex: string }>;
      full?: { shape: number[]; re: number[]; im: number[] };
    };
    const results = JSON.parse(run.stdout) as Out[];
    expect(results.length).toBe(networks.length);
    results.forEach((r, k) => {
      const [y, metadata] = networks[k]!;
      expect(r.dtype).toBe(y.dtype);
      expect(r.dims).toEqual(y.dims);
      expect(r.tree).toEqual(y.tree.toSpec());
      expect(r.metadata).toEqual(metadata);
      r.tensors.forEach((t, v) => {
        expect(t.numpy).toBe(y.dtype === "f64" ? "float64" : "complex128");
        expect(t.shape).toEqual(y.tensors[v]!.shape);
        expect(t.hex).toBe(hexOf(y.tensors[v]!));
      });
      if (k < 2) {
        // Contracted by numpy from the documented conventions; summation order differs.
        const A = y.toFull();
        expect(r.full?.shape).toEqual(A.shape);
        const w = A.dtype === "c128" ? 2 : 1;
        const scale = Math.max(1, ...Array.from(A.data, Math.abs));
        let err = 0;
        for (let i = 0; i < A.size; i++) {
          err = Math.max(err, Math.abs(r.full!.re[i]! - A.data[w * i]!), Math.abs(r.full!.im[i]! - (w === 2 ? A.data[2 * i + 1]! : 0)));
        }
        expect(err).toBeLessThan(1e-12 * scale);
      } else {
        expect(r.full).toBeUndefined();
      }
    });
  });
});
