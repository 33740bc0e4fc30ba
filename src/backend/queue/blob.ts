/**
 * Tensors as content-addressed blobs: the bytes stored once in Redis under their SHA-256, so
 * that a job carries a 64-character hash instead of its target, and a worker that fetched a
 * hash once never fetches it again (the same hash is the same tensor, forever).
 * @module
 */
import { createHash } from "node:crypto";
import { endianness } from "node:os";
import { ArborError, FormatError } from "../../errors.js";
import { DTYPES, type DType } from "../../linalg/dtype.js";
import { Tensor } from "../../linalg/tensor.js";

/** A tensor's blob: its bytes and their SHA-256 in hex. */
export interface TensorBlob {
  hash: string;
  bytes: Uint8Array;
}

// A blob is this line, a JSON line with the dtype and shape, then the storage's bytes; the hash
// covers all of it, so equal hashes mean equal dtype, shape and entries.
const MAGIC = "arbor-blob/1\n";

function checkEndianness(): void {
  // Storage goes as the host's bytes; every platform arbor is used on is little-endian.
  if (endianness() !== "LE") throw new ArborError("E_PLATFORM", "tensor blobs are little-endian and this host is big-endian");
}

/** SHA-256 of `bytes` in hex. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The blob of a tensor.
 *
 * @example
 * ```ts
 * const a = tensorBlob(Tensor.fromArray([[1, 2], [3, 4]]));
 * console.assert(a.hash === tensorBlob(Tensor.fromArray([[1, 2], [3, 4]])).hash && /^[0-9a-f]{64}$/.test(a.hash));
 * console.assert(a.hash !== tensorBlob(Tensor.fromArray([1, 2, 3, 4])).hash); // same entries, another shape
 * ```
 */
export function tensorBlob(t: Tensor): TensorBlob {
  checkEndianness();
  const header = new TextEncoder().encode(`${MAGIC}${JSON.stringify({ dtype: t.dtype, shape: t.shape })}\n`);
  const body = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  return { hash: sha256Hex(bytes), bytes };
}

/**
 * The tensor of a blob, checked against the hash it was fetched by.
 *
 * @throws {@link FormatError} if the bytes do not hash to `hash` or are not a tensor blob.
 * @example
 * ```ts
 * const t = Tensor.fromArray([[1, 2], [3, 4]]);
 * const { hash, bytes } = tensorBlob(t);
 * console.assert(tensorFromBlob(bytes, hash).get(1, 0) === 3);
 * let caught: unknown;
 * try { tensorFromBlob(bytes, tensorBlob(Tensor.fromArray([0])).hash); } catch (e) { caught = e; }
 * console.assert(caught instanceof FormatError);
 * ```
 */
export function tensorFromBlob(bytes: Uint8Array, hash: string): Tensor {
  checkEndianness();
  const actual = sha256Hex(bytes);
  if (actual !== hash) throw new FormatError(`tensor blob ${hash.slice(0, 12)}…: its bytes hash to ${actual.slice(0, 12)}…; it is corrupt or another blob`);
  const magic = new TextEncoder().encode(MAGIC);
  const end = bytes.indexOf(0x0a, magic.length);
  if (!magic.every((b, i) => bytes[i] === b) || end < 0) throw new FormatError(`tensor blob ${hash.slice(0, 12)}… does not start with an arbor blob header`);
  let header: { dtype: DType; shape: number[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(magic.length, end))) as typeof header;
  } catch {
    throw new FormatError(`tensor blob ${hash.slice(0, 12)}… has an unreadable header`);
  }
  if (!DTYPES.includes(header.dtype)) throw new FormatError(`tensor blob ${hash.slice(0, 12)}… has dtype ${JSON.stringify(header.dtype)}`);
  // Copied out so that the storage is aligned and owned by the tensor (Buffer's slice would
  // share Node's pooled memory at an arbitrary offset).
  const body = new Uint8Array(bytes.length - end - 1);
  body.set(bytes.subarray(end + 1));
  const word = header.dtype === "f32" ? 4 : 8;
  if (body.length % word !== 0) throw new FormatError(`tensor blob ${hash.slice(0, 12)}… has ${body.length} bytes of ${header.dtype} storage`);
  const data = header.dtype === "f32" ? new Float32Array(body.buffer, 0, body.length / 4) : new Float64Array(body.buffer, 0, body.length / 8);
  try {
    return new Tensor(header.dtype, header.shape, data as never);
  } catch (e) {
    throw new FormatError(`tensor blob ${hash.slice(0, 12)}…: ${(e as Error).message}`);
  }
}
