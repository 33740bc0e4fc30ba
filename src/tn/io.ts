/**
 * Saving and loading tree tensor networks: the "arbor TTN v1" file format.
 *
 * Long integrations checkpoint their state, so a file must restore a network bit for bit (NaN
 * payloads, −0 and subnormals included) together with whatever the run needs to resume (time,
 * step, integrator options), and must be readable without arbor. The full specification, with a
 * reader in a few lines of Python, is docs/tn-format.md; in short (all integers little endian):
 *
 * | bytes            | content                                                             |
 * | ---------------- | ------------------------------------------------------------------- |
 * | 0–7              | ASCII magic `ARBORTTN`                                              |
 * | 8–11             | u32 format version, 1                                               |
 * | 12–15            | u32 H, the byte length of the header                                |
 * | 16 … 16+H−1      | header: UTF-8 JSON object (below), no BOM                           |
 * | 16+H … P−1       | zero bytes, P = 16+H rounded up to a multiple of 8                  |
 * | P …              | payload: every node tensor's storage, float64 little endian         |
 *
 * The header is `{ "tree", "dims", "dtype", "tensors", "metadata" }`, exactly these keys:
 * - `tree`: the nested-array spec of the tree ({@link Tree.toSpec}); node ids are its pre-order;
 * - `dims`: the size of every physical mode, in mode order;
 * - `dtype`: `"f64"` or `"c128"`;
 * - `tensors`: one `{ "shape": [...], "offset": o }` per node, in node-id order; the node's
 *   storage (row-major, complex as interleaved re, im) is the 8·size (f64) or 16·size (c128)
 *   bytes starting o bytes after P; o is a multiple of 8;
 * - `metadata`: any JSON object.
 *
 * Writers lay the tensors out back to back in node order from offset 0, so a file is exactly
 * P + (total tensor bytes) long. Readers accept any layout whose ranges are 8-aligned, inside
 * the payload and pairwise disjoint, provided the file ends where the last range ends (gaps
 * between ranges are ignored). Everything else (wrong magic, other versions, truncation,
 * malformed or extra header keys, a tree spec or shapes that do not form a valid network,
 * non-zero padding, trailing bytes) is a {@link FormatError}. Non-finite values are data and are
 * neither checked nor changed.
 * @module
 */
import { readFileSync } from "node:fs";
import { ArgumentError, FormatError, ShapeError } from "../errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { formatShape } from "../linalg/shape.js";
import { Tensor } from "../linalg/tensor.js";
import { Tree, type TreeSpec } from "./tree.js";
import { Ttn, type TtnDType } from "./ttn.js";

const MAGIC = "ARBORTTN";
const MAGIC_BYTES = new TextEncoder().encode(MAGIC);
const FORMAT_VERSION = 1;
/** Magic, version and header length. */
const PREAMBLE_BYTES = 16;
/** The payload and every tensor in it start on this boundary, so they can be mapped as float64. */
const ALIGN = 8;
const MAX_U32 = 0xffffffff;
const HEADER_KEYS = ["tree", "dims", "dtype", "tensors", "metadata"] as const;
const TENSOR_KEYS = ["shape", "offset"] as const;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A decoded file: the network and the metadata stored with it. */
export interface TtnFile {
  /** The network, with fresh storage (nothing is shared with the input bytes). */
  ttn: Ttn;
  /** The metadata object (empty if none was given when saving). */
  metadata: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Metadata

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

function describeKind(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? withArticle(name) : "an object with a custom prototype";
}

/**
 * Throws unless JSON stores `value` faithfully. JSON.stringify does not refuse what it cannot
 * represent: it writes NaN and ±Infinity as null, drops undefined and functions, turns a Date
 * into a string and a Map into `{}`. A checkpoint that silently loses its time or step would
 * resume wrongly, so all of these are errors here. (−0 is written as 0, which compares equal.)
 */
function checkJsonValue(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) {
        throw new ArgumentError(`${path} is ${value}, which JSON cannot represent (JSON.stringify would write null)`);
      }
      return;
    case "object":
      break;
    default:
      throw new ArgumentError(`${path} is ${value === undefined ? "undefined" : withArticle(typeof value)}, which JSON cannot represent; metadata holds only objects, arrays, strings, finite numbers, booleans and null`);
  }
  if (value === null) return;
  if (ancestors.has(value)) throw new ArgumentError(`${path} refers back to one of its ancestors (a cycle), which JSON cannot represent`);
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new ArgumentError(`${path}[${i}] is a hole in a sparse array, which JSON would write as null`);
      checkJsonValue(value[i], `${path}[${i}]`, ancestors);
    }
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new ArgumentError(`${path} is ${describeKind(value)}, not a plain object; JSON would not store it faithfully`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) throw new ArgumentError(`${path} has symbol keys, which JSON drops`);
    for (const [k, v] of Object.entries(value)) checkJsonValue(v, IDENTIFIER.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, ancestors);
  }
  ancestors.delete(value);
}

function checkMetadata(metadata: unknown): void {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new ArgumentError(`metadata must be a plain object, got ${Array.isArray(metadata) ? "an array" : String(metadata)}`);
  }
  checkJsonValue(metadata, "metadata", new Set());
}

// ---------------------------------------------------------------------------------------------
// Bytes

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** Reverses every 8-byte group: float64 between host order and little endian on big-endian hosts. */
function swapWords(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 8) bytes.subarray(i, i + 8).reverse();
}

/**
 * Copies storage bytes rather than reading numbers through a DataView or assigning array
 * elements: NaN payloads are then preserved on any engine, whatever it does with signalling NaNs.
 */
function writeWords(words: Float64Array, out: Uint8Array, at: number): void {
  const target = out.subarray(at, at + words.byteLength);
  target.set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  if (!HOST_LITTLE_ENDIAN) swapWords(target);
}

/** Fresh, aligned float64 storage from bytes at any offset of any buffer (a Buffer included). */
function readWords(bytes: Uint8Array, at: number, byteLength: number): Float64Array {
  // Not bytes.slice(): on a Node Buffer that is a view sharing (pooled) memory, not a copy.
  const copy = new Uint8Array(byteLength);
  copy.set(bytes.subarray(at, at + byteLength));
  if (!HOST_LITTLE_ENDIAN) swapWords(copy);
  return new Float64Array(copy.buffer);
}

function describeStart(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, MAGIC.length), (b) =>
    b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x22 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`,
  ).join("");
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** The header length H, after checking the magic, the version and that the header is present. */
function readPreamble(bytes: Uint8Array): number {
  if (bytes.length === 0) throw new FormatError("not an arbor TTN file: the input is empty");
  for (let i = 0; i < Math.min(bytes.length, MAGIC_BYTES.length); i++) {
    if (bytes[i] !== MAGIC_BYTES[i]) throw new FormatError(`not an arbor TTN file: expected the magic "${MAGIC}", found "${describeStart(bytes)}"`);
  }
  if (bytes.length < PREAMBLE_BYTES) {
    throw new FormatError(`truncated: expected at least ${PREAMBLE_BYTES} bytes (magic, version, header length), found ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, PREAMBLE_BYTES);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) {
    throw new FormatError(`unsupported arbor TTN format version ${version} (this reader supports version ${FORMAT_VERSION})`);
  }
  const headerLength = view.getUint32(12, true);
  if (bytes.length < PREAMBLE_BYTES + headerLength) {
    throw new FormatError(`truncated: expected at least ${PREAMBLE_BYTES + headerLength} bytes (a ${headerLength}-byte header after the ${PREAMBLE_BYTES}-byte preamble), found ${bytes.length}`);
  }
  return headerLength;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function describeJson(x: unknown): string {
  const text = JSON.stringify(x) ?? String(x);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Throws unless `obj` has exactly the given keys. */
function checkKeys(obj: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const k of Object.keys(obj)) {
    if (!keys.includes(k)) throw new FormatError(`${what} has an unexpected key ${JSON.stringify(k)} (expected ${keys.map((x) => `"${x}"`).join(", ")})`);
  }
  const missing = keys.filter((k) => !Object.prototype.hasOwnProperty.call(obj, k));
  if (missing.length > 0) throw new FormatError(`${what} is missing key${missing.length > 1 ? "s" : ""} ${missing.map((k) => `"${k}"`).join(", ")}`);
}

function parseHeader(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, where JSON.parse rejects it: v1 has none.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FormatError("header is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) throw new FormatError(`header is not a JSON object: ${describeJson(header)}`);
  checkKeys(header, HEADER_KEYS, "header");
  return header;
}

function readTree(spec: unknown): Tree {
  try {
    return Tree.fromSpec(spec as TreeSpec);
  } catch (e) {
    if (e instanceof ShapeError) throw new FormatError(`header "tree" is not a valid tree: ${e.message}`);
    // Tree.fromSpec recurses once per level; only a hostile spec nests deep enough to overflow.
    if (e instanceof RangeError) throw new FormatError(`header "tree" is nested too deeply to read (${e.message})`);
    throw e;
  }
}

function readDims(dims: unknown, tree: Tree): number[] {
  if (!Array.isArray(dims)) throw new FormatError(`header "dims" must be an array of mode sizes, got ${describeJson(dims)}`);
  if (dims.length !== tree.numModes) throw new FormatError(`header "dims" has ${dims.length} mode sizes for a tree over ${tree.numModes} modes`);
  dims.forEach((n: unknown, m) => {
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) throw new FormatError(`header "dims": mode ${m} has size ${describeJson(n)}, not a positive integer`);
  });
  return dims as number[];
}

function readDType(dtype: unknown): TtnDType {
  if (dtype !== "f64" && dtype !== "c128") throw new FormatError(`header "dtype" must be "f64" or "c128", got ${describeJson(dtype)}`);
  return dtype;
}

/** Where one node tensor lies in the payload. */
interface Placement {
  shape: number[];
  offset: number;
  byteLength: number;
}

function readPlacements(entries: unknown, tree: Tree, dtype: TtnDType): Placement[] {
  if (!Array.isArray(entries)) throw new FormatError(`header "tensors" must be an array, got ${describeJson(entries)}`);
  if (entries.length !== tree.numNodes) throw new FormatError(`header "tensors" lists ${entries.length} tensors for a tree of ${tree.numNodes} nodes`);
  const wordBytes = dtype === "c128" ? 16 : 8;
  return entries.map((entry: unknown, v) => {
    const what = `header "tensors"[${v}] (node ${v})`;
    if (!isPlainObject(entry)) throw new FormatError(`${what} must be an object { "shape", "offset" }, got ${describeJson(entry)}`);
    checkKeys(entry, TENSOR_KEYS, what);
    const { shape, offset } = entry;
    if (!Array.isArray(shape)) throw new FormatError(`${what}: "shape" must be an array of dimensions, got ${describeJson(shape)}`);
    let byteLength = wordBytes;
    shape.forEach((d: unknown, i) => {
      if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
        throw new FormatError(`${what}: "shape" ${describeJson(shape)} has dimension ${i} = ${describeJson(d)}, not a non-negative integer`);
      }
      byteLength *= d;
    });
    if (!Number.isSafeInteger(byteLength)) throw new FormatError(`${what}: "shape" ${formatShape(shape as number[])} is too large to address`);
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0 || offset % ALIGN !== 0) {
      throw new FormatError(`${what}: "offset" must be a non-negative multiple of ${ALIGN}, got ${describeJson(offset)}`);
    }
    return { shape: shape as number[], offset, byteLength };
  });
}

/** Checks the padding and that the tensors tile the payload without overlaps or trailing bytes. */
function checkLayout(bytes: Uint8Array, headerEnd: number, payloadStart: number, placements: readonly Placement[]): void {
  const total = placements.reduce((s, p) => s + p.byteLength, 0);
  if (bytes.length < payloadStart + total) {
    throw new FormatError(`truncated: expected ${payloadStart + total} bytes (${total} bytes of tensor data from byte ${payloadStart}), found ${bytes.length}`);
  }
  for (let i = headerEnd; i < payloadStart; i++) {
    if (bytes[i] !== 0) throw new FormatError(`padding byte ${i} between the header and the payload is 0x${bytes[i]!.toString(16).padStart(2, "0")}, not zero`);
  }
  const payloadLength = bytes.length - payloadStart;
  placements.forEach((p, v) => {
    if (p.offset + p.byteLength > payloadLength) {
      throw new FormatError(`tensor of node ${v} (${p.byteLength} bytes at offset ${p.offset}) is out of range: the payload has ${payloadLength} bytes`);
    }
  });
  const order = placements.map((_, v) => v).filter((v) => placements[v]!.byteLength > 0);
  order.sort((a, b) => placements[a]!.offset - placements[b]!.offset);
  let end = 0;
  for (let k = 0; k < order.length; k++) {
    const p = placements[order[k]!]!;
    if (k > 0 && p.offset < end) {
      const q = placements[order[k - 1]!]!;
      throw new FormatError(`tensors of nodes ${order[k - 1]} (bytes ${q.offset}–${q.offset + q.byteLength - 1}) and ${order[k]} (bytes ${p.offset}–${p.offset + p.byteLength - 1}) overlap in the payload`);
    }
    end = Math.max(end, p.offset + p.byteLength);
  }
  if (payloadLength > end) {
    const extra = payloadLength - end;
    throw new FormatError(`${extra} trailing byte${extra === 1 ? "" : "s"} after the last tensor: expected ${payloadStart + end} bytes, found ${bytes.length}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Encodes a network and a metadata object as an arbor TTN v1 file (see the module comment or
 * docs/tn-format.md). Tensors are laid out back to back in node order; the output length is a
 * multiple of 8. Encoding is deterministic: the same network and metadata give the same bytes.
 *
 * @param metadata Any JSON object, stored verbatim (e.g. `{ time, step, options }`).
 * @throws {@link ArgumentError} if `metadata` is not a plain object or holds something JSON
 * would drop or alter: NaN, ±Infinity, undefined, functions, symbols, bigints, holes in arrays,
 * class instances (Date, Map, typed arrays, …), symbol keys or cycles. (−0 is stored as 0.)
 *
 * @example
 * ```ts
 * const y = Ttn.random(Tree.tensorTrain(3), [2, 2, 2], 2, 1);
 * const bytes = encodeTtn(y, { time: 0.5 });
 * console.assert(new TextDecoder().decode(bytes.subarray(0, 8)) === "ARBORTTN");
 * console.assert(bytes.length % 8 === 0 && encodeTtn(y, { time: 0.5 }).join() === bytes.join());
 * ```
 */
export function encodeTtn(y: Ttn, metadata: Record<string, unknown> = {}): Uint8Array {
  checkMetadata(metadata);
  let end = 0;
  const tensors = y.tensors.map((t) => {
    const entry = { shape: Array.from(t.shape), offset: end };
    end += t.data.byteLength;
    return entry;
  });
  const header = new TextEncoder().encode(JSON.stringify({ tree: y.tree.toSpec(), dims: y.dims, dtype: y.dtype, tensors, metadata }));
  if (header.length > MAX_U32) throw new ArgumentError(`encodeTtn: the header would be ${header.length} bytes, more than the format's limit of ${MAX_U32}`);
  const payloadStart = alignUp(PREAMBLE_BYTES + header.length);
  const out = new Uint8Array(payloadStart + end); // zero-filled, which is the padding
  out.set(MAGIC_BYTES, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, PREAMBLE_BYTES);
  y.tensors.forEach((t, v) => writeWords(t.data as Float64Array, out, payloadStart + tensors[v]!.offset));
  return out;
}

/**
 * Decodes an arbor TTN v1 file. The bytes may sit at any offset of any buffer (no alignment is
 * needed); the network gets fresh storage, bit-identical to what was encoded.
 *
 * @throws {@link FormatError} with a message naming the problem: not an arbor TTN file (wrong
 * magic), an unsupported version, truncation ("truncated: expected … bytes, found …"), a header
 * that is not UTF-8 JSON or has missing, extra or ill-typed keys, a tree spec that
 * {@link Tree.fromSpec} rejects, dims or shapes that do not fit the tree, misaligned,
 * out-of-range or overlapping offsets, non-zero padding, or trailing bytes.
 *
 * @example
 * ```ts
 * const y = Ttn.random(Tree.balancedBinary(4), [2, 3, 2, 3], 2, 5, { dtype: "c128" });
 * const { ttn, metadata } = decodeTtn(encodeTtn(y, { step: 12 }));
 * console.assert(ttn.dtype === "c128" && ttn.tree.equals(y.tree) && metadata.step === 12);
 * console.assert(distance(ttn.toFull(), y.toFull()) === 0);
 * ```
 */
export function decodeTtn(bytes: Uint8Array): TtnFile {
  const headerLength = readPreamble(bytes);
  const headerEnd = PREAMBLE_BYTES + headerLength;
  const header = parseHeader(bytes.subarray(PREAMBLE_BYTES, headerEnd));
  const tree = readTree(header.tree);
  const dims = readDims(header.dims, tree);
  const dtype = readDType(header.dtype);
  const placements = readPlacements(header.tensors, tree, dtype);
  const metadata = header.metadata;
  if (!isPlainObject(metadata)) throw new FormatError(`header "metadata" must be a JSON object, got ${describeJson(metadata)}`);
  const payloadStart = alignUp(headerEnd);
  // Sizes are checked against the input before anything is allocated, so a corrupt header
  // cannot make the reader allocate more than the file holds.
  checkLayout(bytes, headerEnd, payloadStart, placements);
  const tensors = placements.map((p) => new Tensor(dtype, p.shape, readWords(bytes, payloadStart + p.offset, p.byteLength)));
  let ttn: Ttn;
  try {
    ttn = new Ttn(tree, dims, tensors);
  } catch (e) {
    if (e instanceof ShapeError) throw new FormatError(`tensor shapes do not fit the tree: ${e.message}`);
    throw e;
  }
  return { ttn, metadata };
}

/**
 * Writes a network and its metadata to `path` as an arbor TTN v1 file ({@link encodeTtn}). The
 * write is atomic: the bytes go to a temporary file in the same directory, are flushed to disk
 * and renamed over `path`, so a crash leaves the previous checkpoint or the new one, never a
 * partial file, and no temporary file is left behind when the write fails.
 *
 * @throws {@link ArgumentError} for metadata JSON cannot store faithfully; file-system errors
 * (e.g. `ENOENT` for a missing directory) are passed through.
 *
 * @example
 * ```ts
 * const y = Ttn.product(Tree.tucker(3), [tensor([1, 0]), tensor([0, 1]), tensor([1, 1])]);
 * saveTtn("/tmp/arbor-example.ttn", y, { time: 1.25, options: { tol: 1e-8 } });
 * const { ttn, metadata } = loadTtn("/tmp/arbor-example.ttn");
 * console.assert(ttn.entry([0, 1, 1]) === 1 && metadata.time === 1.25);
 * ```
 */
export function saveTtn(path: string, y: Ttn, metadata: Record<string, unknown> = {}): void {
  writeFileAtomic(path, encodeTtn(y, metadata));
}

/**
 * Reads an arbor TTN v1 file written by {@link saveTtn} (or any conforming writer); see
 * {@link decodeTtn}.
 *
 * @throws {@link FormatError} (its message starts with the path) if the file is malformed;
 * file-system errors are passed through.
 *
 * @example
 * ```ts
 * const y = Ttn.random(Tree.tucker(3), [2, 2, 3], 2, 9);
 * saveTtn("/tmp/arbor-example-2.ttn", y);
 * const back = loadTtn("/tmp/arbor-example-2.ttn");
 * console.assert(Object.keys(back.metadata).length === 0 && back.ttn.ranks().join() === y.ranks().join());
 * ```
 */
export function loadTtn(path: string): TtnFile {
  const bytes = readFileSync(path);
  try {
    return decodeTtn(bytes);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${path}: ${e.message}`);
    throw e;
  }
}
