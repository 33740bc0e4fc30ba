/**
 * PNG images as tensors of shape [height, width, channels] with values in [0, 1]: the image
 * input of tensor completion and its output. A small codec of its own (PNG is chunks, zlib and
 * five row filters; `node:zlib` does the zlib part), so that arbor needs no image dependency.
 *
 * Decoded: every colour type (grey, grey + alpha, RGB, RGBA, palette) at every bit depth PNG
 * allows for it (1, 2, 4, 8, 16), all five filter types; CRCs checked. Not decoded: Adam7
 * interlaced files (refused with a clear error: re-save them non-interlaced). Colour management
 * (gAMA, cHRM, iCCP, sRGB) is ignored: the values are the stored samples over their maximum.
 * @module
 */
import { readFileSync } from "node:fs";
import { deflateSync, inflateSync } from "node:zlib";
import { ArgumentError, DTypeError, FormatError, NonFiniteError, ShapeError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";
import { readChunks, writeChunks, type Chunk } from "./png-chunks.js";
import { filterRows, unfilterRows } from "./png-filters.js";

/** A PNG colour type by name: 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
export type PngColorType = "grey" | "rgb" | "palette" | "grey-alpha" | "rgba";

/** What a PNG file's header says (see {@link pngInfo}). */
export interface PngInfo {
  width: number;
  height: number;
  /** Bits per sample (per palette index for palette images): 1, 2, 4, 8 or 16. */
  bitDepth: number;
  colorType: PngColorType;
  /** Whether the file is Adam7 interlaced (which {@link decodePng} does not read). */
  interlaced: boolean;
}

/** Options of {@link decodePng} and {@link readPng}. */
export interface PngDecodeOptions {
  /**
   * `"keep"` (default): an alpha channel, or a palette's transparency, becomes the last
   * channel. `"drop"`: only the grey or colour channels are returned.
   */
  alpha?: "keep" | "drop";
}

/** Options of {@link encodePng} and {@link writePng}. */
export interface PngEncodeOptions {
  /** Bits per sample, 8 (default) or 16. */
  bitDepth?: 8 | 16;
  /** `"adaptive"` (default): per row the filter that compresses best; `"none"`: filter 0. */
  filter?: "adaptive" | "none";
}

const COLOR_TYPES: ReadonlyMap<number, { name: PngColorType; samples: number; depths: readonly number[] }> = new Map([
  [0, { name: "grey", samples: 1, depths: [1, 2, 4, 8, 16] }],
  [2, { name: "rgb", samples: 3, depths: [8, 16] }],
  [3, { name: "palette", samples: 1, depths: [1, 2, 4, 8] }],
  [4, { name: "grey-alpha", samples: 2, depths: [8, 16] }],
  [6, { name: "rgba", samples: 4, depths: [8, 16] }],
] as const);

// The decoded tensor holds 8 bytes per sample; 2^27 samples (1 GiB) is the most we allocate,
// so that a forged header cannot ask for more memory than any real image needs.
const MAX_SAMPLES = 2 ** 27;
const KNOWN_CRITICAL = new Set(["IHDR", "PLTE", "IDAT", "IEND"]);

interface Header extends PngInfo {
  code: number;
  samples: number;
}

/**
 * The header of a PNG file: size, bit depth, colour type, interlacing. Reads only the chunks
 * (with their CRCs), not the pixels.
 *
 * @throws {@link FormatError} for bytes that are not a well-formed PNG header.
 * @example
 * ```ts
 * const info = pngInfo(encodePng(zeros([2, 3, 4])));
 * console.assert(info.width === 3 && info.height === 2 && info.colorType === "rgba" && info.bitDepth === 8);
 * ```
 */
export function pngInfo(bytes: Uint8Array): PngInfo {
  const { width, height, bitDepth, colorType, interlaced } = parseHeader(readChunks(checkBytes(bytes, "pngInfo")));
  return { width, height, bitDepth, colorType, interlaced };
}

/**
 * Decodes a PNG file into a tensor of shape [height, width, channels] with values in [0, 1]
 * (each sample over 2^bitDepth − 1): 1 channel for grey, 2 for grey + alpha, 3 for RGB, 4 for
 * RGBA; palette images give RGB, or RGBA when the file has palette transparency (tRNS). A grey
 * or RGB file's single transparent colour (tRNS) is ignored.
 *
 * @throws {@link FormatError} for a wrong signature, a corrupt chunk (CRC), a malformed or
 * missing IHDR, PLTE, IDAT or IEND, an unknown critical chunk, bad zlib data, too little or too
 * much pixel data, an unknown filter type, a palette index beyond the palette, an image of more
 * than 2^27 samples, or an interlaced file.
 * @example
 * ```ts
 * const img = tensor([[[1, 0, 0], [0, 0.2, 1]]]); // 1×2 RGB: red, and a blue with some green
 * const back = decodePng(encodePng(img));
 * console.assert(back.shape.join() === "1,2,3" && back.get(0, 1, 1) === 51 / 255);
 * ```
 */
export function decodePng(bytes: Uint8Array, options: PngDecodeOptions = {}): Tensor<"f64"> {
  const alpha = options?.alpha ?? "keep";
  if (alpha !== "keep" && alpha !== "drop") throw new ArgumentError(`decodePng: alpha must be "keep" or "drop", got ${String(alpha)}`);
  const chunks = readChunks(checkBytes(bytes, "decodePng"));
  const h = parseHeader(chunks);
  if (h.interlaced) {
    throw new FormatError(`the ${h.width}×${h.height} image is Adam7 interlaced, which arbor does not read; re-save it without interlacing`);
  }
  let palette: Uint8Array | undefined, transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (const c of chunks.slice(1)) {
    if (c.type === "IHDR") throw new FormatError("a second IHDR chunk");
    if (c.type === "PLTE") palette = c.data;
    else if (c.type === "tRNS") transparency = c.data;
    else if (c.type === "IDAT") idat.push(c.data);
    else if (isCritical(c) && !KNOWN_CRITICAL.has(c.type)) throw new FormatError(`the unknown critical chunk ${c.type} (a decoder must not skip it)`);
  }
  if (idat.length === 0) throw new FormatError("no IDAT chunk: the file has no pixel data");
  const paletteSize = palette === undefined ? 0 : palette.length / 3;
  if (h.colorType === "palette") {
    if (palette === undefined) throw new FormatError("a palette image without a PLTE chunk");
    if (!Number.isInteger(paletteSize) || paletteSize < 1 || paletteSize > 256) {
      throw new FormatError(`the PLTE chunk has ${palette.length} bytes; a palette holds 1 to 256 RGB triples`);
    }
  }
  const paletteAlpha = h.colorType === "palette" && transparency !== undefined;
  const stored = h.colorType === "palette" ? (paletteAlpha ? 4 : 3) : h.samples;
  const hasAlpha = h.colorType === "grey-alpha" || h.colorType === "rgba" || paletteAlpha;
  const channels = hasAlpha && alpha === "drop" ? stored - 1 : stored;
  if (h.width * h.height * stored > MAX_SAMPLES) {
    throw new FormatError(`the ${h.width}×${h.height} image has ${h.width * h.height * stored} samples, more than the ${MAX_SAMPLES} arbor decodes`);
  }

  const bitsPerPixel = h.samples * h.bitDepth;
  const stride = Math.ceil((h.width * bitsPerPixel) / 8);
  const rows = unfilterRows(inflate(idat, h.height * (stride + 1)), h.height, stride, Math.max(1, bitsPerPixel >> 3));

  const out = new Tensor("f64", [h.height, h.width, channels]);
  const data = out.data;
  if (h.colorType === "palette") {
    // Palette entries as [0, 1] RGBA, opaque where tRNS says nothing.
    const lut = new Float64Array(4 * paletteSize);
    for (let e = 0; e < paletteSize; e++) {
      for (let c = 0; c < 3; c++) lut[4 * e + c] = palette![3 * e + c]! / 255;
      lut[4 * e + 3] = transparency !== undefined && e < transparency.length ? transparency[e]! / 255 : 1;
    }
    for (let y = 0; y < h.height; y++) {
      for (let x = 0; x < h.width; x++) {
        const e = sampleAt(rows, y * stride, x, h.bitDepth);
        if (e >= paletteSize) throw new FormatError(`pixel (${y}, ${x}) uses palette entry ${e}, but the palette has ${paletteSize}`);
        for (let c = 0; c < channels; c++) data[(y * h.width + x) * channels + c] = lut[4 * e + c]!;
      }
    }
    return out;
  }
  const max = 2 ** h.bitDepth - 1;
  for (let y = 0; y < h.height; y++) {
    for (let x = 0; x < h.width; x++) {
      for (let c = 0; c < channels; c++) {
        data[(y * h.width + x) * channels + c] = sampleAt(rows, y * stride, x * h.samples + c, h.bitDepth) / max;
      }
    }
  }
  return out;
}

/**
 * Encodes an image tensor of shape [height, width] (grey) or [height, width, channels] with 1
 * (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels as a PNG file. Values are clamped to
 * [0, 1] (completed images overshoot a little) and rounded to the nearest of the 2^bitDepth
 * levels, so `decodePng(encodePng(x))` is x to within half a level, and exactly x when x is
 * already on the levels.
 *
 * @throws {@link ShapeError} for another shape or an empty image; {@link DTypeError} for a
 * complex tensor; {@link NonFiniteError} for NaN or ±Infinity; {@link ArgumentError} for a bad
 * option.
 * @example
 * ```ts
 * const grey = tensor([[0, 0.5], [1, 0.25]]);
 * const bytes = encodePng(grey, { bitDepth: 16 });
 * console.assert(bytes[0] === 0x89 && bytes[1] === 0x50); // "\x89PNG"
 * console.assert(decodePng(bytes).get(1, 1, 0) === Math.round(0.25 * 65535) / 65535);
 * ```
 */
export function encodePng(image: Tensor, options: PngEncodeOptions = {}): Uint8Array {
  const { bitDepth = 8, filter = "adaptive" } = options ?? {};
  if (bitDepth !== 8 && bitDepth !== 16) throw new ArgumentError(`encodePng: bitDepth must be 8 or 16, got ${String(bitDepth)}`);
  if (filter !== "adaptive" && filter !== "none") throw new ArgumentError(`encodePng: filter must be "adaptive" or "none", got ${String(filter)}`);
  if (!(image instanceof Tensor)) throw new ArgumentError("encodePng: the image must be a tensor");
  if (image.dtype === "c128") throw new DTypeError("encodePng: the image must be real, got c128");
  const [height = 0, width = 0, channels = 1] = image.shape;
  if (image.ndim < 2 || image.ndim > 3 || channels < 1 || channels > 4 || height < 1 || width < 1) {
    throw new ShapeError(`encodePng: expected an image of shape [height, width] or [height, width, 1 to 4 channels], got ${formatShape(image.shape)}`);
  }
  if (width > 2 ** 31 - 1 || height > 2 ** 31 - 1) throw new ShapeError(`encodePng: PNG sizes end at 2^31 − 1, got ${formatShape(image.shape)}`);
  const code = [0, 0, 4, 2, 6][channels]!;
  const bytesPerSample = bitDepth / 8, max = 2 ** bitDepth - 1;
  const stride = width * channels * bytesPerSample;
  const raw = new Uint8Array(height * stride);
  const src = image.data;
  for (let q = 0; q < image.size; q++) {
    const v = src[q]!;
    if (!Number.isFinite(v)) {
      const c = q % channels, x = Math.floor(q / channels) % width, y = Math.floor(q / (channels * width));
      throw new NonFiniteError(`encodePng: the sample at (${y}, ${x}, ${c}) is ${v}; an image needs finite values`);
    }
    const level = Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * max);
    if (bitDepth === 8) raw[q] = level;
    else {
      raw[2 * q] = level >>> 8;
      raw[2 * q + 1] = level & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([bitDepth, code, 0, 0, 0], 8);
  const filtered = filterRows(raw, height, stride, channels * bytesPerSample, filter);
  const chunks: Chunk[] = [
    { type: "IHDR", data: ihdr },
    { type: "IDAT", data: new Uint8Array(deflateSync(filtered)) },
    { type: "IEND", data: new Uint8Array(0) },
  ];
  return writeChunks(chunks);
}

/**
 * Reads a PNG file ({@link decodePng}); messages start with the path.
 *
 * @throws as {@link decodePng}; file-system errors are passed through.
 * @example
 * ```ts
 * writePng("/tmp/arbor-example.png", tensor([[[0, 1, 0]]]));
 * const img = readPng("/tmp/arbor-example.png");
 * console.assert(img.shape.join() === "1,1,3" && img.get(0, 0, 1) === 1);
 * ```
 */
export function readPng(path: string, options: PngDecodeOptions = {}): Tensor<"f64"> {
  const bytes = readFileSync(path);
  try {
    return decodePng(bytes, options);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * Writes an image tensor as a PNG file ({@link encodePng}), atomically.
 *
 * @example
 * ```ts
 * writePng("/tmp/arbor-example-2.png", tensor([[0.5, 1], [0, 1]]));
 * console.assert(readPng("/tmp/arbor-example-2.png").get(0, 0, 0) === 128 / 255);
 * ```
 */
export function writePng(path: string, image: Tensor, options: PngEncodeOptions = {}): void {
  writeFileAtomic(path, encodePng(image, options));
}

function checkBytes(bytes: Uint8Array, where: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(`${where}: expected the file's bytes as a Uint8Array (or Buffer)`);
  return bytes;
}

function parseHeader(chunks: readonly Chunk[]): Header {
  const first = chunks[0]!;
  if (first.type !== "IHDR") throw new FormatError(`the first chunk is ${first.type}, not IHDR`);
  if (first.data.length !== 13) throw new FormatError(`the IHDR chunk has ${first.data.length} bytes, not 13`);
  const view = new DataView(first.data.buffer, first.data.byteOffset, 13);
  const width = view.getUint32(0), height = view.getUint32(4);
  const [bitDepth, code, compression, filterMethod, interlace] = first.data.subarray(8, 13) as unknown as [number, number, number, number, number];
  if (width < 1 || height < 1 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1) {
    throw new FormatError(`the image is ${width}×${height}; PNG sizes lie in [1, 2^31 − 1]`);
  }
  const type = COLOR_TYPES.get(code);
  if (type === undefined) throw new FormatError(`unknown colour type ${code} (PNG defines 0, 2, 3, 4, 6)`);
  if (!type.depths.includes(bitDepth)) {
    throw new FormatError(`bit depth ${bitDepth} is not allowed for colour type ${code} (${type.name}): allowed are ${type.depths.join(", ")}`);
  }
  if (compression !== 0) throw new FormatError(`unknown compression method ${compression} (PNG defines 0, deflate)`);
  if (filterMethod !== 0) throw new FormatError(`unknown filter method ${filterMethod} (PNG defines 0)`);
  if (interlace > 1) throw new FormatError(`unknown interlace method ${interlace} (PNG defines 0 and 1)`);
  return { width, height, bitDepth, colorType: type.name, interlaced: interlace === 1, code, samples: type.samples };
}

function isCritical(chunk: Chunk): boolean {
  // Bit 5 of the first letter (lower case) marks an ancillary chunk.
  return (chunk.type.charCodeAt(0) & 0x20) === 0;
}

/** The concatenated IDAT data inflated, which must come to exactly `expected` bytes. */
function inflate(idat: readonly Uint8Array[], expected: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(1, expected) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ERR_BUFFER_TOO_LARGE") throw new FormatError(`the image data inflates to more than the ${expected} bytes its header allows`);
    throw new FormatError(`the image data is not valid zlib data (${err.message})`);
  }
  if (out.length < expected) throw new FormatError(`truncated: the image data inflates to ${out.length} bytes, the header needs ${expected}`);
  return out;
}

/** Sample `k` of the row starting at byte `start`, for samples of `depth` bits. */
function sampleAt(rows: Uint8Array, start: number, k: number, depth: number): number {
  if (depth === 8) return rows[start + k]!;
  if (depth === 16) return (rows[start + 2 * k]! << 8) | rows[start + 2 * k + 1]!;
  // Sub-byte samples are packed from the most significant bit of each byte.
  const bit = k * depth;
  return (rows[start + (bit >>> 3)]! >>> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}
