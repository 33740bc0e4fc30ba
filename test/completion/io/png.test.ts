import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePng, encodePng, pngInfo, readPng, writePng } from "../../../src/completion/io/png.js";
import { crc32, writeChunks, type Chunk } from "../../../src/completion/io/png-chunks.js";
import { ArgumentError, DTypeError, FormatError, NonFiniteError, ShapeError } from "../../../src/errors.js";
import { Tensor, tensor } from "../../../src/linalg/tensor.js";
import { captureError } from "../../helpers/reference.js";

const fixtures = join(import.meta.dirname, "../../fixtures/png");

interface Expected {
  width: number;
  height: number;
  channels: number;
  max: number;
  samples: number[];
}
const expected = JSON.parse(readFileSync(join(fixtures, "expected.json"), "utf8")) as Record<string, Expected>;


/** A PNG built chunk by chunk from raw (already filtered) scanlines, for the error cases. */
function png(ihdr: { width: number; height: number; depth: number; color: number; interlace?: number }, scanlines: number[], extra: Chunk[] = []): Uint8Array {
  const h = new Uint8Array(13);
  const v = new DataView(h.buffer);
  v.setUint32(0, ihdr.width);
  v.setUint32(4, ihdr.height);
  h.set([ihdr.depth, ihdr.color, 0, 0, ihdr.interlace ?? 0], 8);
  return writeChunks([{ type: "IHDR", data: h }, ...extra, { type: "IDAT", data: deflateSync(Uint8Array.from(scanlines)) }, { type: "IEND", data: new Uint8Array(0) }]);
}

/** Python with Pillow, if this machine has one: the third decoder for arbor's encoder. */
function pillowPython(): string | null {
  for (const python of [process.env.ARBOR_PYTHON, "python3", "/usr/bin/python3"]) {
    if (python === undefined || python === "") continue;
    const r = spawnSync(python, ["-c", "import PIL"], { encoding: "utf8" });
    if (r.error === undefined && r.status === 0) return python;
  }
  return null;
}

describe("decodePng on files from Pillow and from an independent encoder", () => {
  const names = Object.keys(expected).filter((n) => !n.includes("adam7"));

  it("covers every colour type, the sub-byte depths and 16 bits", () => {
    const kinds = new Set(names.map((n) => { const i = pngInfo(readFileSync(join(fixtures, n))); return `${i.colorType}/${i.bitDepth}`; }));
    for (const k of ["grey/1", "grey/2", "grey/4", "grey/8", "grey/16", "grey-alpha/8", "grey-alpha/16", "rgb/8", "rgb/16", "rgba/8", "rgba/16", "palette/4", "palette/8"]) {
      expect(kinds, k).toContain(k);
    }
  });

  for (const name of names) {
    it(`${name}: every sample equals the one it was made from, over 2^depth − 1`, () => {
      const e = expected[name]!;
      const img = readPng(join(fixtures, name));
      expect(img.shape).toEqual([e.height, e.width, e.channels]);
      expect(Array.from(img.data)).toEqual(e.samples.map((s) => s / e.max));
    });
  }

  it("drops the alpha channel, or a palette's transparency, on request", () => {
    for (const [name, keep] of [["pil_rgba8.png", 3], ["hand_grey_alpha16.png", 1], ["pil_palette_trns.png", 3]] as const) {
      const e = expected[name]!;
      const img = readPng(join(fixtures, name), { alpha: "drop" });
      expect(img.shape).toEqual([e.height, e.width, keep]);
      const want = e.samples.filter((_, q) => q % e.channels < keep).map((s) => s / e.max);
      expect(Array.from(img.data)).toEqual(want);
    }
    // Without alpha, "drop" changes nothing.
    expect(readPng(join(fixtures, "pil_rgb8.png"), { alpha: "drop" }).shape[2]).toBe(3);
    expect(captureError(() => readPng(join(fixtures, "pil_rgb8.png"), { alpha: "no" } as never))).toBeInstanceOf(ArgumentError);
  });

  it("refuses the Adam7 interlaced file (which Pillow reads) with a clear error naming the path", () => {
    const path = join(fixtures, "hand_rgb8_adam7.png");
    expect(pngInfo(readFileSync(path)).interlaced).toBe(true);
    const e = captureError(() => readPng(path));
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toBe(`${path}: the 9×9 image is Adam7 interlaced, which arbor does not read; re-save it without interlacing`);
  });
});

describe("encodePng", () => {
  const arbImage = fc.record({
    height: fc.integer({ min: 1, max: 9 }),
    width: fc.integer({ min: 1, max: 9 }),
    channels: fc.integer({ min: 1, max: 4 }),
    bitDepth: fc.constantFrom(8 as const, 16 as const),
    filter: fc.constantFrom("adaptive" as const, "none" as const),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  function levels(p: { height: number; width: number; channels: number; bitDepth: number; seed: number }): Tensor<"f64"> {
    const max = 2 ** p.bitDepth - 1;
    const data = new Float64Array(p.height * p.width * p.channels);
    let s = p.seed;
    // Mostly smooth ramps with some noise, so every filter type wins somewhere.
    for (let q = 0; q < data.length; q++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      data[q] = s % 3 === 0 ? (s >>> 8) % (max + 1) : Math.min(max, (q * 37) % (max + 1));
    }
    return new Tensor("f64", [p.height, p.width, p.channels], data.map((x) => x / max));
  }

  it("round-trips images on the 2^depth levels exactly, for every channel count, depth and filter", () => {
    fc.assert(fc.property(arbImage, (p) => {
      const img = levels(p);
      const back = decodePng(encodePng(img, { bitDepth: p.bitDepth, filter: p.filter }));
      expect(back.shape).toEqual(img.shape);
      expect(Array.from(back.data)).toEqual(Array.from(img.data));
    }), { numRuns: 200 });
  });

  it("rounds other values to the nearest level and clamps to [0, 1]", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -0.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 20 }), (xs) => {
      const back = decodePng(encodePng(new Tensor("f64", [1, xs.length], Float64Array.from(xs))));
      xs.forEach((x, i) => expect(Math.abs(back.data[i]! - Math.min(1, Math.max(0, x)))).toBeLessThanOrEqual(0.5 / 255 + 1e-15));
    }));
  });

  it("makes files Pillow reads back to the same samples", (ctx) => {
    const python = pillowPython();
    if (python === null) {
      ctx.skip();
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "arbor-png-"));
    const cases = [
      { height: 5, width: 7, channels: 1, bitDepth: 8, seed: 1 }, { height: 6, width: 3, channels: 2, bitDepth: 8, seed: 2 },
      { height: 4, width: 9, channels: 3, bitDepth: 8, seed: 3 }, { height: 7, width: 5, channels: 4, bitDepth: 8, seed: 4 },
      { height: 5, width: 6, channels: 1, bitDepth: 16, seed: 5 },
    ];
    cases.forEach((c, k) => writePng(join(dir, `${k}.png`), levels(c), { bitDepth: c.bitDepth as 8 | 16 }));
    const script = [
      "import json, sys", "from PIL import Image", "out = []",
      `for k in range(${cases.length}):`,
      `    im = Image.open(sys.argv[1] + '/' + str(k) + '.png')`,
      "    out.append([v for px in im.getdata() for v in (px if isinstance(px, tuple) else (px,))])",
      "print(json.dumps(out))",
    ].join("\n");
    const r = spawnSync(python, ["-c", script, dir], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    const pillow = JSON.parse(r.stdout) as number[][];
    cases.forEach((c, k) => {
      const max = 2 ** c.bitDepth - 1;
      expect(pillow[k], `case ${k}`).toEqual(Array.from(levels(c).data, (x) => Math.round(x * max)));
    });
  });

  it("takes [height, width] as grey and refuses other shapes, complex data, non-finite values and bad options", () => {
    expect(decodePng(encodePng(tensor([[0, 1]]))).shape).toEqual([1, 2, 1]);
    expect(captureError(() => encodePng(tensor([1, 2])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => encodePng(new Tensor("f64", [2, 2, 5])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => encodePng(new Tensor("f64", [0, 2, 3])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => encodePng(new Tensor("c128", [2, 2])))).toBeInstanceOf(DTypeError);
    const e = captureError(() => encodePng(tensor([[[0, NaN, 0]]])));
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e.message).toMatch(/\(0, 0, 1\) is NaN/);
    expect(captureError(() => encodePng(tensor([[0]]), { bitDepth: 4 as never }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => encodePng(tensor([[0]]), { filter: "paeth" as never }))).toBeInstanceOf(ArgumentError);
  });
});

describe("decodePng on malformed files", () => {
  const good = encodePng(tensor([[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7, 0.8, 0.9], [1, 0, 0.5]]]));
  const formatError = (bytes: Uint8Array, pattern: RegExp): void => {
    const e = captureError(() => decodePng(bytes));
    expect(e, e.stack).toBeInstanceOf(FormatError);
    expect(e.message).toMatch(pattern);
  };

  it("checks the CRC with the standard CRC-32 (check value of '123456789')", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("reports a missing signature, corruption, truncation and a missing IEND", () => {
    formatError(new Uint8Array([1, 2, 3]), /not a PNG file/);
    const crlf = good.slice();
    crlf[4] = 0x0a; // "\r" of the signature lost to a text-mode transfer
    formatError(crlf, /text-mode transfer/);
    const flipped = good.slice();
    flipped[good.length - 20] ^= 0x40; // inside the IDAT data
    formatError(flipped, /IDAT chunk at byte \d+ is corrupt: CRC/);
    formatError(good.subarray(0, good.length - 30), /truncated/);
    formatError(good.subarray(0, good.length - 12), /without an IEND chunk/);
  });

  it("reports bad headers", () => {
    formatError(png({ width: 2, height: 1, depth: 4, color: 2 }, [0, 0, 0, 0]), /bit depth 4 is not allowed for colour type 2 \(rgb\)/);
    formatError(png({ width: 2, height: 1, depth: 8, color: 5 }, [0, 0, 0]), /unknown colour type 5/);
    formatError(png({ width: 0, height: 1, depth: 8, color: 0 }, [0]), /the image is 0×1/);
    formatError(png({ width: 100_000, height: 100_000, depth: 8, color: 0 }, [0]), /more than the 134217728 arbor decodes/);
    formatError(writeChunks([{ type: "IEND", data: new Uint8Array(0) }]), /first chunk is IEND, not IHDR/);
  });

  it("reports bad image data", () => {
    formatError(png({ width: 2, height: 2, depth: 8, color: 0 }, [0, 1, 2, 5, 3, 4]), /row 1 has the unknown filter type 5/);
    formatError(png({ width: 2, height: 2, depth: 8, color: 0 }, [0, 1, 2, 0, 3]), /truncated: the image data inflates to 5 bytes, the header needs 6/);
    formatError(png({ width: 2, height: 2, depth: 8, color: 0 }, [0, 1, 2, 0, 3, 4, 0]), /inflates to more than the 6 bytes/);
    const h = png({ width: 1, height: 1, depth: 8, color: 0 }, [0, 0]);
    const noData = writeChunks([{ type: "IHDR", data: h.subarray(16, 29) }, { type: "IEND", data: new Uint8Array(0) }]);
    formatError(noData, /no IDAT chunk/);
    const badZlib = writeChunks([{ type: "IHDR", data: h.subarray(16, 29) }, { type: "IDAT", data: Uint8Array.of(1, 2, 3) }, { type: "IEND", data: new Uint8Array(0) }]);
    formatError(badZlib, /not valid zlib data/);
  });

  it("reports palette errors, unknown critical chunks, and skips unknown ancillary ones", () => {
    const plte: Chunk = { type: "PLTE", data: Uint8Array.of(255, 0, 0, 0, 0, 255) };
    const img = decodePng(png({ width: 3, height: 1, depth: 2, color: 3 }, [0, 0b01_00_01_00], [plte, { type: "teXt", data: Uint8Array.of(65) }]));
    expect(Array.from(img.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 1]);
    formatError(png({ width: 3, height: 1, depth: 2, color: 3 }, [0, 0b01_10_00_00], [plte]), /pixel \(0, 1\) uses palette entry 2, but the palette has 2/);
    formatError(png({ width: 1, height: 1, depth: 8, color: 3 }, [0, 0]), /palette image without a PLTE chunk/);
    formatError(png({ width: 1, height: 1, depth: 8, color: 3 }, [0, 0], [{ type: "PLTE", data: Uint8Array.of(1, 2) }]), /PLTE chunk has 2 bytes/);
    formatError(png({ width: 1, height: 1, depth: 8, color: 0 }, [0, 0], [{ type: "ABCD", data: new Uint8Array(0) }]), /unknown critical chunk ABCD/);
    formatError(png({ width: 1, height: 1, depth: 8, color: 0 }, [0, 0], [{ type: "IHDR", data: new Uint8Array(13) }]), /second IHDR/);
  });

  it("throws only FormatError, or decodes to values in [0, 1], whatever bytes it is given", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
      const bytes = good.slice();
      for (const [at, b] of edits) bytes[at] = b;
      try {
        const img = decodePng(bytes);
        expect(img.data.every((x) => x >= 0 && x <= 1)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
      }
    }), { numRuns: 300 });
    // Past the CRC: corrupt the scanlines themselves, filter bytes included, with valid chunks.
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 0, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), (raw, width) => {
      try {
        const img = decodePng(png({ width, height: 2, depth: 8, color: 6 }, raw));
        expect(img.data.every((x) => x >= 0 && x <= 1)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
      }
    }), { numRuns: 300 });
  });

  it("prefixes file errors with the path", () => {
    const path = join(mkdtempSync(join(tmpdir(), "arbor-png-")), "bad.png");
    writeFileSync(path, "not a png");
    expect(captureError(() => readPng(path)).message).toBe(`${path}: not a PNG file: the signature is missing`);
    expect(captureError(() => decodePng("abc" as never))).toBeInstanceOf(ArgumentError);
  });
});
