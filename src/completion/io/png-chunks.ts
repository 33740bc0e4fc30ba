/**
 * The chunk layer of PNG (ISO/IEC 15948, §5): the signature, then chunks of a 4-byte big-endian
 * length, a 4-letter type, the data and a CRC-32 of type and data. Internal to the PNG codec.
 * @module
 */
import { FormatError } from "../../errors.js";

/** The eight bytes every PNG starts with. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** One chunk: its type and its data (a view into the file's bytes). */
export interface Chunk {
  type: string;
  data: Uint8Array;
}

// PNG caps chunk lengths at 2^31 − 1 so that they fit a signed 32-bit integer.
const MAX_CHUNK_LENGTH = 2 ** 31 - 1;

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * The CRC-32 of `bytes[start, end)` (the polynomial of PNG, zlib and gzip), as an unsigned
 * integer. Written out because `zlib.crc32` needs Node 20.15 or 22.2.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = -1;
  for (let p = start; p < end; p++) c = CRC_TABLE[(c ^ bytes[p]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * The chunks of a PNG file up to and including IEND, every CRC checked. Bytes after IEND are
 * ignored, as decoders do.
 *
 * @throws {@link FormatError} for a missing signature, a chunk that runs past the end of the
 * bytes, a bad chunk type or length, a CRC mismatch, or no IEND.
 */
export function readChunks(bytes: Uint8Array): Chunk[] {
  if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    const text = new TextDecoder("latin1").decode(bytes.subarray(0, 8));
    // Files that went through a text-mode transfer lose or gain the CR/LF bytes of the signature.
    const hint = text.slice(1, 4) === "PNG" ? " (its line-ending bytes were altered, as by a text-mode transfer)" : "";
    throw new FormatError(`not a PNG file: the signature is missing${hint}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  let p = PNG_SIGNATURE.length;
  for (;;) {
    if (p + 8 > bytes.length) throw new FormatError(`truncated: the file ends at byte ${bytes.length} without an IEND chunk`);
    const length = view.getUint32(p);
    const type = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!, bytes[p + 6]!, bytes[p + 7]!);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new FormatError(`the chunk at byte ${p} has the invalid type ${JSON.stringify(type)}`);
    if (length > MAX_CHUNK_LENGTH) throw new FormatError(`the ${type} chunk at byte ${p} claims ${length} bytes, more than PNG allows`);
    const end = p + 8 + length;
    if (end + 4 > bytes.length) throw new FormatError(`truncated: the ${type} chunk at byte ${p} needs ${length + 12} bytes, ${bytes.length - p} remain`);
    const stored = view.getUint32(end);
    const actual = crc32(bytes, p + 4, end);
    if (stored !== actual) {
      throw new FormatError(`the ${type} chunk at byte ${p} is corrupt: CRC ${hex(stored)} stored, ${hex(actual)} computed`);
    }
    chunks.push({ type, data: bytes.subarray(p + 8, end) });
    p = end + 4;
    if (type === "IEND") return chunks;
  }
}

/** The bytes of a PNG file made of these chunks (signature, then each with length and CRC). */
export function writeChunks(chunks: readonly Chunk[]): Uint8Array {
  const total = PNG_SIGNATURE.length + chunks.reduce((s, c) => s + c.data.length + 12, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(PNG_SIGNATURE, 0);
  let p = PNG_SIGNATURE.length;
  for (const { type, data } of chunks) {
    view.setUint32(p, data.length);
    for (let i = 0; i < 4; i++) out[p + 4 + i] = type.charCodeAt(i);
    out.set(data, p + 8);
    view.setUint32(p + 8 + data.length, crc32(out, p + 4, p + 8 + data.length));
    p += data.length + 12;
  }
  return out;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
