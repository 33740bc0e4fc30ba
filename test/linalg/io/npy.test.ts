import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { captureError, expectFormatErrorFrom } from "../../helpers/reference.js";
import { DTypeError, FormatError } from "../../../src/errors.js";
import type { DType } from "../../../src/linalg/dtype.js";
import { decodeNpy, encodeNpy, readNpy, writeNpy } from "../../../src/linalg/io/npy.js";
import { Tensor } from "../../../src/linalg/tensor.js";

// ---------------------------------------------------------------------------------------------
// Helpers

function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/npy/${name}`, import.meta.url)));
}

/** The raw bytes of a tensor's storage, so NaN payloads and -0 are compared exactly. */
function bitsOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function expectSameTensor(actual: Tensor, expected: Tensor): void {
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.shape).toEqual(expected.shape);
  expect(bitsOf(actual)).toEqual(bitsOf(expected));
}

/**
 * A .npy file assembled by hand from a header text and data bytes, independently of encodeNpy,
 * so malformed and unusual headers can be fed to the decoder.
 */
function rawNpy(header: string, data: Uint8Array = new Uint8Array(), major = 1): Uint8Array {
  const text = new TextEncoder().encode(`${header}\n`);
  const lengthBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, 8 + lengthBytes);
  out.set(data, 8 + lengthBytes + text.length);
  return out;
}

function header(descr: string, shape: string, fortran = "False"): string {
  return `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
}

/** Data bytes written one value at a time through a DataView setter. */
function dataBytes(size: number, values: Array<number | bigint>, write: (v: DataView, o: number, x: never) => void): Uint8Array {
  const out = new Uint8Array(size * values.length);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => write(view, i * size, x as never));
  return out;
}

function f64Bytes(values: number[], littleEndian = true): Uint8Array {
  return dataBytes(8, values, (v, o, x: number) => v.setFloat64(o, x, littleEndian));
}

function expectFormatError(bytes: Uint8Array, ...fragments: Array<string | RegExp>): void {
  expectFormatErrorFrom(() => decodeNpy(bytes), ...fragments);
}

const SPECIAL_F64 = [
  Number.NaN, Infinity, -Infinity, -0, 0, 5e-324, -2.225073858507201e-308, 1.5, -Math.PI,
  Number.MAX_VALUE, Number.MIN_VALUE, 1e300,
];

const SHAPES: number[][] = [[], [0], [5], [2, 3], [2, 0, 3], [3, 1, 4, 2]];

function filledTensor(dtype: DType, shape: number[]): Tensor {
  const t = new Tensor(dtype, shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = SPECIAL_F64[i % SPECIAL_F64.length]!;
  if (t.data.length > 2) {
    // Written through a DataView so the exact NaN bit patterns land in the storage.
    const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (dtype === "f32") {
      view.setUint32(4, 0x7fa00001, true); // signalling NaN
      view.setUint32(8, 0x00000001, true); // smallest subnormal
    } else {
      view.setBigUint64(8, 0x7ff0000000000001n, true); // signalling NaN
      view.setBigUint64(16, 0xfff8000000abcdefn, true); // negative quiet NaN with payload
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------

describe("encodeNpy / decodeNpy round trip", () => {
  for (const dtype of ["f64", "f32", "c128"] as const) {
    for (const shape of SHAPES) {
      it(`is bit-identical for ${dtype} ${JSON.stringify(shape)}`, () => {
        const t = filledTensor(dtype, shape);
        const bytes = encodeNpy(t);
        const preamble = bytes.length - t.data.byteLength;
        expect(preamble % 64).toBe(0);
        expectSameTensor(decodeNpy(bytes), t);
      });
    }
  }

  it("keeps NaN payloads, -0 and subnormals exactly", () => {
    const t = filledTensor("f64", [4]);
    const back = decodeNpy(encodeNpy(t));
    const view = new DataView(back.data.buffer);
    expect(view.getBigUint64(8, true)).toBe(0x7ff0000000000001n);
    expect(view.getBigUint64(16, true)).toBe(0xfff8000000abcdefn);
    expect(Object.is(decodeNpy(encodeNpy(Tensor.fromArray([-0]))).data[0], -0)).toBe(true);
    expect(decodeNpy(encodeNpy(Tensor.fromArray([5e-324]))).data[0]).toBe(5e-324);
  });

  it("property: random shapes and doubles round-trip bit-identically", () => {
    const shapes = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });
    const cases = fc
      .tuple(shapes, fc.constantFrom<DType>("f64", "f32", "c128"))
      .chain(([shape, dtype]) => {
        const words = shape.reduce((p, d) => p * d, 1) * (dtype === "c128" ? 2 : 1);
        const value = dtype === "f32" ? fc.float() : fc.double();
        return fc.tuple(fc.constant(shape), fc.constant(dtype), fc.array(value, { minLength: words, maxLength: words }));
      });
    fc.assert(
      fc.property(cases, ([shape, dtype, values]) => {
        const data = dtype === "f32" ? Float32Array.from(values) : Float64Array.from(values);
        const t = new Tensor(dtype, shape, data as Tensor["data"]);
        const back = decodeNpy(encodeNpy(t));
        expect(back.dtype).toBe(dtype);
        expect(back.shape).toEqual(shape);
        expect(bitsOf(back)).toEqual(bitsOf(t));
      }),
      { numRuns: 300 },
    );
  });

  it("decodes from an unaligned view of a larger buffer, including a Node Buffer", () => {
    const t = filledTensor("c128", [3, 2]);
    const bytes = encodeNpy(t);
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    expectSameTensor(decodeNpy(big.subarray(3, 3 + bytes.length)), t);
    const buffer = Buffer.concat([Buffer.alloc(5), Buffer.from(bytes)]).subarray(5);
    expect(buffer.byteOffset % 8).not.toBe(0);
    expectSameTensor(decodeNpy(buffer), t);
  });

  it("does not share memory with the input bytes", () => {
    const bytes = encodeNpy(Tensor.fromArray([1, 2, 3]));
    const t = decodeNpy(bytes);
    bytes.fill(0, bytes.length - 24);
    expect(Array.from(t.data)).toEqual([1, 2, 3]);
  });

  it("switches to format 2.0 only when the header exceeds 65535 bytes", () => {
    expect(encodeNpy(new Tensor("f64", new Array<number>(64).fill(1)))[6]).toBe(1);
    const shape = new Array<number>(23_000).fill(1);
    const t = new Tensor("f64", shape, Float64Array.of(2.5));
    const bytes = encodeNpy(t);
    expect(bytes[6]).toBe(2);
    const headerLength = new DataView(bytes.buffer).getUint32(8, true);
    expect(headerLength).toBeGreaterThan(65535);
    expect((12 + headerLength) % 64).toBe(0);
    expect(bytes[12 + headerLength - 1]).toBe(0x0a);
    const back = decodeNpy(bytes);
    expect(back.shape).toEqual(shape);
    expect(back.data[0]).toBe(2.5);
  });

  it("writes the header numpy writes, with growth padding and a final newline", () => {
    const bytes = encodeNpy(Tensor.zeros([5]));
    const text = new TextDecoder().decode(bytes.subarray(10, 128));
    expect(text.startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }")).toBe(true);
    expect(text.endsWith(" \n")).toBe(true);
    expect(new DataView(bytes.buffer).getUint16(8, true)).toBe(118);
    const scalarBytes = encodeNpy(Tensor.zeros([], "c128"));
    const scalar = new TextDecoder().decode(scalarBytes.subarray(10, scalarBytes.length - 16));
    expect(scalar).toMatch(/^\{'descr': '<c16', 'fortran_order': False, 'shape': \(\), \} +\n$/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("numpy 2.4 fixtures", () => {
  it("f8 in C order, with special values", () => {
    const t = decodeNpy(fixture("f8_c.npy"));
    expect(t.dtype).toBe("f64");
    expect(t.shape).toEqual([3, 3]);
    expect(Array.from(t.data)).toEqual([1.5, -2, 0, Infinity, -Infinity, -0, NaN, 5e-324, 2.225073858507201e-308]);
  });

  it("f8 in Fortran order is reordered into C order", () => {
    const t = decodeNpy(fixture("f8_fortran.npy"));
    expect(t.shape).toEqual([2, 3, 4]);
    expect(Array.from(t.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(t.get(1, 2, 3)).toBe(23);
  });

  it("c16 in Fortran order is reordered as whole complex elements", () => {
    const t = decodeNpy(fixture("c16_fortran.npy"));
    expect(t.dtype).toBe("c128");
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([0, 1, 2, 3, 4, 5].flatMap((k) => [k, 10 * k]));
  });

  it(">f8 big endian", () => {
    const t = decodeNpy(fixture("f8_big_endian.npy"));
    expect(t.dtype).toBe("f64");
    expect(t.shape).toEqual([2, 3, 4]);
    expect(Array.from(t.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it("f4 stays f32", () => {
    const t = decodeNpy(fixture("f4.npy"));
    expect(t.dtype).toBe("f32");
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.shape).toEqual([3, 2]);
    expect(Array.from(t.data)).toEqual([0.5, -1.25, Infinity, -0, NaN, Math.fround(1e-45)]);
  });

  it("c16", () => {
    const t = decodeNpy(fixture("c16.npy"));
    expect(t.dtype).toBe("c128");
    expect(t.shape).toEqual([4]);
    expect(Array.from(t.data)).toEqual([1, 2, -0.5, 0, Infinity, NaN, 0, 3]);
  });

  it("c8 is promoted to c128", () => {
    const t = decodeNpy(fixture("c8.npy"));
    expect(t.dtype).toBe("c128");
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, -0, -3.5, 0.25, 0, -1, -1]);
  });

  it("bool becomes 0/1 f64", () => {
    const t = decodeNpy(fixture("bool.npy"));
    expect(t.dtype).toBe("f64");
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 0, 1, 0, 0, 1]);
  });

  it("int64 becomes f64, exactly up to 2^53", () => {
    const t = decodeNpy(fixture("int64.npy"));
    expect(t.dtype).toBe("f64");
    expect(Array.from(t.data)).toEqual([0, -1, 2 ** 53, -(2 ** 53), 123456789012]);
  });

  it("int64 beyond 2^53 is refused rather than rounded", () => {
    expectFormatError(fixture("int64_too_large.npy"), "9007199254740993", "2^53", "'<i8'", "element 1");
  });

  it("uint8 and big-endian int32 become f64", () => {
    const u = decodeNpy(fixture("uint8.npy"));
    expect(u.shape).toEqual([2, 2]);
    expect(Array.from(u.data)).toEqual([0, 255, 17, 128]);
    const i = decodeNpy(fixture("int32_big_endian.npy"));
    expect(Array.from(i.data)).toEqual([-7, 65536, 2 ** 31 - 1, -(2 ** 31)]);
  });

  it("a 0-d scalar", () => {
    const t = decodeNpy(fixture("scalar.npy"));
    expect(t.dtype).toBe("f64");
    expect(t.shape).toEqual([]);
    expect(t.get()).toBe(3.25);
  });

  it("an empty array", () => {
    const t = decodeNpy(fixture("f8_empty.npy"));
    expect(t.shape).toEqual([2, 0, 3]);
    expect(t.size).toBe(0);
  });

  it("format versions 2.0 and 3.0", () => {
    const v2 = decodeNpy(fixture("v2.npy"));
    expect(Array.from(v2.data)).toEqual([1, 2, 3]);
    const v3 = decodeNpy(fixture("v3.npy"));
    expect(v3.dtype).toBe("f32");
    expect(v3.shape).toEqual([1, 2]);
    expect(Array.from(v3.data)).toEqual([1, 2]);
  });

  for (const name of ["f8_c.npy", "f4.npy", "c16.npy", "scalar.npy", "f8_empty.npy"]) {
    it(`our encoding of ${name} equals numpy's bytes`, () => {
      const bytes = fixture(name);
      expect(encodeNpy(decodeNpy(bytes))).toEqual(bytes);
    });
  }

  it("tensors built in TypeScript encode to numpy's bytes", () => {
    const f8 = Tensor.fromArray([[1.5, -2, 0], [Infinity, -Infinity, -0], [NaN, 5e-324, 2.2250738585072009e-308]]);
    expect(encodeNpy(f8)).toEqual(fixture("f8_c.npy"));
    const f4 = Tensor.fromArray([[0.5, -1.25], [Infinity, -0], [NaN, 1e-45]], { dtype: "f32" });
    expect(encodeNpy(f4)).toEqual(fixture("f4.npy"));
    const c16 = Tensor.fromArray([{ re: 1, im: 2 }, { re: -0.5, im: 0 }, { re: Infinity, im: NaN }, { re: 0, im: 3 }]);
    expect(encodeNpy(c16)).toEqual(fixture("c16.npy"));
  });

  it("numpy's unsupported dtypes are refused with the descr named", () => {
    expectFormatError(fixture("f2_unsupported.npy"), "'<f2'", "'<f8'", "'<c16'");
    expectFormatError(fixture("str_unsupported.npy"), "'<U2'", "'<f8'");
    expectFormatError(fixture("structured_unsupported.npy"), "[('a', '<f8'), ('b', '<i4')]", "structured", "'<f8'");
  });
});

// ---------------------------------------------------------------------------------------------

describe("other element types and byte orders", () => {
  const le = true;
  const be = false;
  const cases: Array<[string, number, Array<number | bigint>, (v: DataView, o: number, x: never) => void, number[]]> = [
    ["|i1", 1, [-128, 127], (v, o, x: number) => v.setInt8(o, x), [-128, 127]],
    ["<u2", 2, [65535, 1], (v, o, x: number) => v.setUint16(o, x, le), [65535, 1]],
    [">i2", 2, [-2, 300], (v, o, x: number) => v.setInt16(o, x, be), [-2, 300]],
    ["<u4", 4, [4294967295, 0], (v, o, x: number) => v.setUint32(o, x, le), [4294967295, 0]],
    [">u4", 4, [7, 123456], (v, o, x: number) => v.setUint32(o, x, be), [7, 123456]],
    [">i8", 8, [-5n, 2n ** 40n], (v, o, x: bigint) => v.setBigInt64(o, x, be), [-5, 2 ** 40]],
    ["<u8", 8, [2n ** 53n, 3n], (v, o, x: bigint) => v.setBigUint64(o, x, le), [2 ** 53, 3]],
    [">f4", 4, [0.75, -2], (v, o, x: number) => v.setFloat32(o, x, be), [0.75, -2]],
    ["=f8", 8, [0.1, -0], (v, o, x: number) => v.setFloat64(o, x, le), [0.1, -0]],
  ];
  for (const [descr, size, values, write, expected] of cases) {
    it(`reads ${descr}`, () => {
      const t = decodeNpy(rawNpy(header(descr, `(${values.length},)`), dataBytes(size, values, write)));
      expect(Array.from(t.data)).toEqual(expected);
    });
  }

  it("reads >c16 and converts a nonzero bool byte to 1", () => {
    const c = decodeNpy(rawNpy(header(">c16", "(1,)"), f64Bytes([1.25, -3], false)));
    expect(Array.from(c.data)).toEqual([1.25, -3]);
    const b = decodeNpy(rawNpy(header("|b1", "(2,)"), Uint8Array.of(0, 7)));
    expect(Array.from(b.data)).toEqual([0, 1]);
  });

  it("refuses uint64 and int64 values beyond 2^53", () => {
    const big = dataBytes(8, [2n ** 64n - 1n], (v, o, x: bigint) => v.setBigUint64(o, x, false));
    expectFormatError(rawNpy(header(">u8", "(1,)"), big), "18446744073709551615", "2^53");
    const low = dataBytes(8, [-(2n ** 53n) - 1n], (v, o, x: bigint) => v.setBigInt64(o, x, true));
    expectFormatError(rawNpy(header("<i8", "(1,)"), low), "-9007199254740993");
  });

  it("accepts double quotes, extra whitespace and Python 2 long suffixes in the header", () => {
    const t = decodeNpy(rawNpy(`{"shape": (1L, 2L),\n "fortran_order": False, "descr": "<f8"}   `, f64Bytes([1, 2])));
    expect(t.shape).toEqual([1, 2]);
  });

  it("reads fortran_order data of rank 0 and 1 unchanged, and empty fortran_order data", () => {
    expect(Array.from(decodeNpy(rawNpy(header("<f8", "(2,)", "True"), f64Bytes([4, 5]))).data)).toEqual([4, 5]);
    expect(decodeNpy(rawNpy(header("<f8", "()", "True"), f64Bytes([6]))).get()).toBe(6);
    expect(decodeNpy(rawNpy(header("<c16", "(2, 0, 3)", "True"))).shape).toEqual([2, 0, 3]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("malformed input", () => {
  const good = rawNpy(header("<f8", "(2, 3)"), f64Bytes([1, 2, 3, 4, 5, 6]));

  it("a wrong magic string", () => {
    expectFormatError(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0), "not a .npy file", "\\x93NUMPY", "PK");
    expectFormatError(new TextEncoder().encode("NUMPY not really"), "not a .npy file");
    expectFormatError(new Uint8Array(), "not a .npy file", "empty");
  });

  it("a truncated preamble or header", () => {
    for (const n of [3, 7, 9, 20, 40]) expectFormatError(good.subarray(0, n), "truncated header");
    expectFormatError(good.subarray(0, 20), "declares");
  });

  it("an unsupported format version", () => {
    const v4 = good.slice();
    v4[6] = 4;
    expectFormatError(v4, "version 4.0");
    const v1_1 = good.slice();
    v1_1[7] = 1;
    expectFormatError(v1_1, "version 1.1");
  });

  it("a header that is not a valid dict literal", () => {
    const data = f64Bytes([1]);
    expectFormatError(rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ", data), "not a valid dict literal");
    expectFormatError(rawNpy("{'descr': np.float64, 'fortran_order': False, 'shape': (1,)}", data), "not a valid dict literal", "np");
    expectFormatError(rawNpy("__import__('os').system('true')", data), "not a valid dict literal");
    expectFormatError(rawNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", data), "not a valid dict literal");
    expectFormatError(rawNpy("{'descr': '<f8' 'fortran_order': False}", data), "not a valid dict literal");
    expectFormatError(rawNpy("{'descr: '<f8'}", data), "not a valid dict literal");
    expectFormatError(rawNpy("[('descr', '<f8')]", data), "not a dict literal");
    expectFormatError(rawNpy("{1: '<f8'}", data), "not a string");
  });

  it("deeply nested brackets are an error, not a stack overflow or a hang", () => {
    expectFormatError(rawNpy(`{'descr': ${"(".repeat(100_000)}`, f64Bytes([1])), "not a valid dict literal", "nested");
  });

  it("missing, repeated or unexpected keys", () => {
    expectFormatError(rawNpy("{'descr': '<f8', 'fortran_order': False}", f64Bytes([1])), "missing key 'shape'");
    expectFormatError(rawNpy("{}", f64Bytes([1])), "missing keys 'descr', 'fortran_order', 'shape'");
    expectFormatError(rawNpy(`${header("<f8", "(1,)").slice(0, -1)}'extra': 1}`, f64Bytes([1])), "unexpected key 'extra'");
    expectFormatError(rawNpy(`${header("<f8", "(1,)").slice(0, -1)}'shape': (1,)}`, f64Bytes([1])), "repeats key 'shape'");
  });

  it("a fortran_order that is not a bool", () => {
    expectFormatError(rawNpy(header("<f8", "(1,)", "1"), f64Bytes([1])), "'fortran_order' is 1");
  });

  it("a shape with negative, non-integer or oversized entries, or that is not a tuple", () => {
    expectFormatError(rawNpy(header("<f8", "(2, -1)"), f64Bytes([1])), "(2, -1)", "negative");
    expectFormatError(rawNpy(header("<f8", "(2.5,)"), f64Bytes([1])), "2.5", "not an integer");
    expectFormatError(rawNpy(header("<f8", "(2, True)"), f64Bytes([1])), "True", "not an integer");
    expectFormatError(rawNpy(header("<f8", "(1000000000000000000000000000000,)"), f64Bytes([1])), "too large");
    expectFormatError(rawNpy(header("<f8", "[1]"), f64Bytes([1])), "'shape' is [1]", "tuple");
    expectFormatError(rawNpy(header("<f8", "(1)"), f64Bytes([1])), "'shape' is 1", "tuple");
  });

  it("a data section shorter than shape × itemsize", () => {
    expectFormatError(good.subarray(0, good.length - 8), "truncated: expected 48 bytes of data, found 40");
    expectFormatError(rawNpy(header("<c16", "(4, 5)"), f64Bytes([1, 2])), "expected 320 bytes of data, found 16");
    expectFormatError(rawNpy(header("<f8", "(100000000000, 100000000000)")), "expected 80000000000000000000000 bytes");
  });

  it("trailing bytes after the data", () => {
    const extra = new Uint8Array(good.length + 8);
    extra.set(good);
    expectFormatError(extra, "8 unexpected trailing bytes", "expected 48 bytes of data, found 56");
  });

  it("unsupported descrs name the descr and list the supported ones", () => {
    for (const descr of ["|O", "<f2", "<c32", "<f16", "|S3", "<M8[ns]", "|f8", "<x8", "f8"]) {
      expectFormatError(rawNpy(header(descr, "(1,)"), new Uint8Array(8)), `'${descr}'`, "'<f8'", "'<c8'", "'<u8'");
    }
    expectFormatError(rawNpy("{'descr': None, 'fortran_order': False, 'shape': ()}"), "descr None");
  });

  it("a version 3.0 header that is not UTF-8", () => {
    const bad = rawNpy(header("<f8", "(1,)"), f64Bytes([1]), 3);
    bad[14] = 0xff;
    expectFormatError(bad, "UTF-8");
  });

  it("encodeNpy refuses a tensor whose dtype has no .npy encoding", () => {
    const fake = { dtype: "i32", shape: [1], data: new Float64Array(1) } as unknown as Tensor;
    expect(() => encodeNpy(fake)).toThrow(DTypeError);
  });
});

// ---------------------------------------------------------------------------------------------

describe("writeNpy / readNpy", () => {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "arbor-npy-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("round-trips through a file and leaves no temporary file behind", () => {
    const path = join(dir, "t.npy");
    const t = filledTensor("c128", [2, 3]);
    writeNpy(path, t);
    expectSameTensor(readNpy(path), t);
    expect(readFileSync(path)).toEqual(Buffer.from(encodeNpy(t)));
    expect(readdirSync(dir)).toEqual(["t.npy"]);
  });

  it("replaces an existing file", () => {
    const path = join(dir, "t.npy");
    writeNpy(path, Tensor.fromArray([1, 2, 3]));
    writeNpy(path, Tensor.fromArray([[4]], { dtype: "f32" }));
    const back = readNpy(path);
    expect(back.dtype).toBe("f32");
    expect(back.shape).toEqual([1, 1]);
    expect(readdirSync(dir)).toEqual(["t.npy"]);
  });

  it("removes the temporary file when the rename fails", () => {
    const target = join(dir, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "keep"), "x");
    expect(() => writeNpy(target, Tensor.fromArray([1]))).toThrow();
    expect(readdirSync(dir)).toEqual(["occupied"]);
  });

  it("fails cleanly in a missing directory", () => {
    expect(() => writeNpy(join(dir, "missing", "t.npy"), Tensor.fromArray([1]))).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports malformed files with their path", () => {
    const path = join(dir, "bad.npy");
    writeFileSync(path, "hello");
    const e = captureError(() => readNpy(path));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toContain(path);
    expect(e.message).toContain("not a .npy file");
  });
});
