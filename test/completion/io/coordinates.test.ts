import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCsv, formatTns, parseCsv, parseTns, readCsv, readTns, writeCsv, writeTns } from "../../../src/completion/io/coordinates.js";
import { ArgumentError, FormatError, ShapeError } from "../../../src/errors.js";
import { readNpy } from "../../../src/linalg/io/npy.js";
import { observedEntries, type ObservedEntries } from "../../../src/search/fit/observed.js";
import { captureError } from "../../helpers/reference.js";

const fixtures = join(import.meta.dirname, "../../fixtures/completion");


function rows(obs: ObservedEntries): number[][] {
  const d = obs.shape.length;
  return Array.from({ length: obs.values.length }, (_, s) => Array.from(obs.indices.subarray(s * d, s * d + d)));
}

/** The coordinate list numpy wrote (0-based int64 indices, f64 values), as plain arrays. */
function numpyReference(): { indices: number[][]; values: number[] } {
  const idx = readNpy(join(fixtures, "coo_indices.npy"));
  const val = readNpy(join(fixtures, "coo_values.npy"));
  const d = idx.shape[1]!;
  return {
    indices: Array.from({ length: idx.shape[0]! }, (_, s) => Array.from(idx.data.subarray(s * d, s * d + d))),
    values: Array.from(val.data),
  };
}

/** Random valid observed entries: distinct coordinates, values of every magnitude and sign. */
const arbObserved = fc
  .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 })
  .chain((shape) => {
    const size = shape.reduce((p, n) => p * n, 1);
    return fc.tuple(
      fc.constant(shape),
      fc.uniqueArray(fc.integer({ min: 0, max: size - 1 }), { minLength: 1, maxLength: Math.min(size, 30) }),
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 30, maxLength: 30 }),
    );
  })
  .map(([shape, offsets, vals]) => {
    const idx = offsets.map((p) => {
      const out: number[] = [];
      for (let k = shape.length - 1; k >= 0; k--) {
        out.unshift(p % shape[k]!);
        p = Math.floor(p / shape[k]!);
      }
      return out;
    });
    return observedEntries(shape, idx, vals.slice(0, offsets.length));
  });

function sameEntries(a: ObservedEntries, b: ObservedEntries): void {
  expect(b.shape).toEqual(a.shape);
  expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
  // Bit for bit, -0 included.
  expect(Array.from(b.values).map((x) => Object.is(x, -0) ? "-0" : x)).toEqual(Array.from(a.values).map((x) => Object.is(x, -0) ? "-0" : x));
}

describe("parseTns", () => {
  it("reads 1-based indices and values, skipping comments, blank lines, tabs and CRLF", () => {
    const text = "# a comment\n\n1 2 3 0.5\r\n  2\t1  1   -1e-3   # trailing comment\n\n3 3 3 7\n";
    const obs = parseTns(text);
    expect(obs.shape).toEqual([3, 3, 3]);
    expect(rows(obs)).toEqual([[0, 1, 2], [1, 0, 0], [2, 2, 2]]);
    expect(Array.from(obs.values)).toEqual([0.5, -1e-3, 7]);
  });

  it("takes the shape from the option, else from a '# shape:' comment, else from the largest indices", () => {
    const text = "1 1 2\n2 1 3\n";
    expect(parseTns(text).shape).toEqual([2, 1]);
    expect(parseTns(`# shape: 4 5\n${text}`).shape).toEqual([4, 5]);
    expect(parseTns(`# shape: 4 5\n${text}`, { shape: [3, 3] }).shape).toEqual([3, 3]);
    // A shape comment after the data is only a comment.
    expect(parseTns(`${text}# shape: 9 9\n`).shape).toEqual([2, 1]);
    expect(parseTns("", { shape: [2, 2] }).values.length).toBe(0);
  });

  it("reads the .tns file numpy.savetxt wrote, equal to numpy's arrays", () => {
    const ref = numpyReference();
    const obs = readTns(join(fixtures, "coo.tns"), { shape: [5, 4, 6] });
    expect(rows(obs)).toEqual(ref.indices);
    expect(Array.from(obs.values)).toEqual(ref.values);
  });

  it("names the line of every malformed entry", () => {
    const good = Array.from({ length: 16 }, (_, i) => `${(i % 4) + 1} ${Math.floor(i / 4) + 1} 1 ${i}`).join("\n");
    const at17 = (line: string): Error => captureError(() => parseTns(`${good}\n${line}\n`));
    let e = at17("1 2 3");
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toBe("line 17: expected 3 indices and a value, got 3 fields");
    expect(at17("1 2 3 4 5").message).toBe("line 17: expected 3 indices and a value, got 5 fields");
    e = at17("1 2.5 1 4");
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toBe("line 17: index 2 is '2.5', not an integer");
    expect(at17("1 0 1 4").message).toBe("line 17: index 2 is 0, but .tns indices start at 1");
    expect(at17("1 -2 1 4").message).toBe("line 17: index 2 is -2; indices start at 1");
    expect(at17("x 1 1 4").message).toBe("line 17: index 1 is 'x', not an integer");
    expect(at17("1 1 1 abc").message).toBe("line 17: the value 'abc' is not a number");
    expect(at17("1 1 1 0x10").message).toBe("line 17: the value '0x10' is not a number");
    expect(at17("99999999999 1 1 4").message).toBe("line 17: index 1 is 99999999999, beyond the largest supported mode size 2^31 − 1");
    e = at17("5 5 1 nan");
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toMatch(/^line 17: the value nan is not finite/);
    expect(at17("5 5 1 -Inf").message).toMatch(/^line 17: the value -Inf is not finite/);
    expect(at17("5 5 1 1e999").message).toMatch(/^line 17: the value 1e999 is not finite/);
    e = at17("2 3 1 4");
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toBe("line 17: the entry (2, 3, 1) was already given on line 10; coordinates must be distinct");
  });

  it("checks indices against a given shape and the shape against the data", () => {
    let e = captureError(() => parseTns("1 1 1\n3 1 1\n", { shape: [2, 2] }));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/^line 2: index 1 is 3, outside mode 0 of size 2/);
    e = captureError(() => parseTns("1 1 1\n", { shape: [2, 2, 2] }));
    expect(e.message).toMatch(/line 1: expected 3 indices and a value, got 3 fields/);
    e = captureError(() => parseTns("# shape: 2 2 2\n1 1 1\n"));
    expect(e.message).toMatch(/line 2: the data has 2 indices per line but the shape \[2, 2, 2\] has 3 modes/);
    expect(captureError(() => parseTns("# nothing\n\n"))).toBeInstanceOf(FormatError);
    expect(captureError(() => parseTns("5\n")).message).toBe("line 1: expected at least one index and a value, got 1 field");
    expect(captureError(() => parseTns("1 1\n", { shape: [0] }))).toBeInstanceOf(ShapeError);
  });

  it("prefixes messages with the path when reading a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "arbor-tns-"));
    writeFileSync(join(dir, "bad.tns"), "1 1 1\n1\n");
    expect(captureError(() => readTns(join(dir, "bad.tns"))).message).toBe(`${join(dir, "bad.tns")}: line 2: expected 2 indices and a value, got 1 field`);
  });

  it("round-trips any observed entries through formatTns and parseTns, bit for bit", () => {
    fc.assert(fc.property(arbObserved, (obs) => sameEntries(obs, parseTns(formatTns(obs)))), { numRuns: 150 });
  });

  it("writes and reads back a file of 3·10⁴ entries (more than the first guess of the buffers)", () => {
    const m = 30_000, shape = [100, 100, 100];
    const idx = new Int32Array(3 * m), vals = new Float64Array(m);
    for (let s = 0; s < m; s++) {
      idx.set([s % 100, Math.floor(s / 100) % 100, Math.floor(s / 10_000)], 3 * s);
      vals[s] = Math.sin(s) * 1e3;
    }
    const obs = observedEntries(shape, idx, vals);
    const path = join(mkdtempSync(join(tmpdir(), "arbor-tns-")), "big.tns");
    writeTns(path, obs);
    sameEntries(obs, readTns(path));
  });
});

describe("parseCsv", () => {
  it("reads 0-based CSV with or without a header", () => {
    const a = parseCsv("i0,i1,value\n0,1,2.5\n1, 0 ,-1\n");
    const b = parseCsv("0,1,2.5\n1,0,-1\n");
    for (const obs of [a, b]) {
      expect(obs.shape).toEqual([2, 2]);
      expect(rows(obs)).toEqual([[0, 1], [1, 0]]);
      expect(Array.from(obs.values)).toEqual([2.5, -1]);
    }
    expect(parseCsv('"row","col","v"\n0,0,1\n').values.length).toBe(1);
    // A byte-order mark does not turn the first data line into a header.
    expect(parseCsv("\uFEFF0,1,2.5\n1,0,-1\n").values.length).toBe(2);
  });

  it("honours oneBased, header and delimiter", () => {
    expect(rows(parseCsv("1;2;3\n", { oneBased: true, delimiter: ";" }))).toEqual([[0, 1]]);
    expect(rows(parseCsv("1\t2\t3\n2\t2\t4\n", { delimiter: "\t" }))).toEqual([[1, 2], [2, 2]]);
    // A header forced on: the first line is skipped even though it is numeric.
    expect(rows(parseCsv("9,9,9\n0,1,3\n", { header: true }))).toEqual([[0, 1]]);
    // A header forced off: a textual first line is then an error on line 1.
    expect(captureError(() => parseCsv("i,j,v\n0,1,3\n", { header: false })).message).toBe("line 1: index 1 is 'i', not an integer");
    expect(captureError(() => parseCsv("0,1\n", { oneBased: true })).message).toBe("line 1: index 1 is 0, but CSV indices start at 1");
  });

  it("reads the CSV numpy.savetxt wrote (indices as %.18e), equal to numpy's arrays", () => {
    const ref = numpyReference();
    const obs = readCsv(join(fixtures, "coo.csv"), { shape: [5, 4, 6] });
    expect(rows(obs)).toEqual(ref.indices);
    expect(Array.from(obs.values)).toEqual(ref.values);
  });

  it("names the line of empty and missing fields", () => {
    expect(captureError(() => parseCsv("0,0,1\n1,,2\n")).message).toBe("line 2: field 2 is empty");
    expect(captureError(() => parseCsv("0,0,1\n1,2,\n")).message).toBe("line 2: field 3 is empty");
    expect(captureError(() => parseCsv("0,0,1\n1,2\n")).message).toBe("line 2: expected 2 indices and a value, got 2 fields");
    expect(captureError(() => parseCsv("0,0,1\n1,2,3,4\n")).message).toBe("line 2: expected 2 indices and a value, got 4 fields");
    expect(captureError(() => parseCsv("0,0,1\n0,0,2\n")).message).toBe("line 2: the entry (0, 0) was already given on line 1; coordinates must be distinct");
  });

  it("refuses bad options", () => {
    expect(captureError(() => parseCsv("0,1\n", { delimiter: "." }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => parseCsv("0,1\n", { delimiter: ",," }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => parseCsv("0,1\n", { base: 1 } as never))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => parseCsv("0,1\n", { header: "yes" } as never))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => parseCsv(42 as never))).toBeInstanceOf(ArgumentError);
  });

  it("round-trips any observed entries through formatCsv and parseCsv, in either base", () => {
    fc.assert(fc.property(arbObserved, fc.boolean(), fc.boolean(), (obs, oneBased, header) => {
      sameEntries(obs, parseCsv(formatCsv(obs, { oneBased, header }), { oneBased, shape: obs.shape }));
    }), { numRuns: 150 });
  });

  it("writes files readers of CSV understand: a header, then plain decimal fields", () => {
    const obs = observedEntries([3, 2], [[2, 1], [0, 0]], [0.1, -2e-20]);
    const path = join(mkdtempSync(join(tmpdir(), "arbor-csv-")), "a.csv");
    writeCsv(path, obs);
    expect(formatCsv(obs)).toBe("i0,i1,value\n2,1,0.1\n0,0,-2e-20\n");
    sameEntries(obs, readCsv(path));
  });
});
