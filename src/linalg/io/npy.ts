/**
 * Reading and writing numpy's `.npy` format (versions 1.0, 2.0 and 3.0).
 *
 * A `.npy` file is: the magic `\x93NUMPY`, a major and minor version byte, the header length
 * (2 bytes little endian in 1.0, 4 bytes in 2.0 and 3.0), a header that is a Python dict literal
 * `{'descr': …, 'fortran_order': …, 'shape': (…), }` padded with spaces and a final newline,
 * then the raw element data.
 */
import { readFileSync } from "node:fs";
import { DTypeError, FormatError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import type { DType } from "../dtype.js";
import { permuteStorage } from "../permute.js";
import { Tensor } from "../tensor.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const MAGIC_TEXT = "\\x93NUMPY";

// numpy pads the whole preamble (magic, version, length, header) to this boundary so the data
// can be memory-mapped aligned; matching it makes our files byte-identical to numpy's.
const HEADER_ALIGN = 64;

// numpy leaves room for the growing axis to reach 21 digits so a file can be appended to in
// place without rewriting the header; we reproduce that padding for byte-identical output.
const GROWTH_AXIS_MAX_DIGITS = 21;

// Version 1.0 stores the header length in a uint16.
const MAX_V1_HEADER_LENGTH = 0xffff;

// Python literals nest only a few levels in any real header; the cap keeps a hostile header
// from exhausting the stack of the recursive parser.
const MAX_LITERAL_DEPTH = 32;

// Integers beyond this magnitude do not all have an exact f64 representation.
const MAX_EXACT_INTEGER = 2n ** 53n;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Element types

/** How the elements of one supported numpy dtype are stored and which tensor dtype they become. */
interface ElementType {
  /** numpy kind character: f (float), c (complex), i (signed), u (unsigned), b (bool). */
  kind: "f" | "c" | "i" | "u" | "b";
  /** Bytes per element (both components for complex). */
  itemsize: number;
  /** The tensor dtype the data is read into. */
  dtype: DType;
}

const ELEMENT_TYPES: ReadonlyMap<string, ElementType> = new Map<string, ElementType>([
  ["f8", { kind: "f", itemsize: 8, dtype: "f64" }],
  ["f4", { kind: "f", itemsize: 4, dtype: "f32" }],
  ["c16", { kind: "c", itemsize: 16, dtype: "c128" }],
  ["c8", { kind: "c", itemsize: 8, dtype: "c128" }],
  ["b1", { kind: "b", itemsize: 1, dtype: "f64" }],
  ["i1", { kind: "i", itemsize: 1, dtype: "f64" }],
  ["u1", { kind: "u", itemsize: 1, dtype: "f64" }],
  ["i2", { kind: "i", itemsize: 2, dtype: "f64" }],
  ["u2", { kind: "u", itemsize: 2, dtype: "f64" }],
  ["i4", { kind: "i", itemsize: 4, dtype: "f64" }],
  ["u4", { kind: "u", itemsize: 4, dtype: "f64" }],
  ["i8", { kind: "i", itemsize: 8, dtype: "f64" }],
  ["u8", { kind: "u", itemsize: 8, dtype: "f64" }],
]);

const SUPPORTED_DESCRS =
  "'<f8' (f64), '<f4' (f32), '<c16' and '<c8' (c128), and '|b1', '|i1', '|u1', '<i2', '<u2', " +
  "'<i4', '<u4', '<i8', '<u8' (converted to f64), with byte order '<', '>' or '='";

const DESCR_OF_DTYPE: Readonly<Record<DType, string>> = { f64: "<f8", f32: "<f4", c128: "<c16" };

/** A parsed descr: the element type and whether its bytes are little endian. */
interface Descr {
  text: string;
  type: ElementType;
  littleEndian: boolean;
}

function unsupportedDescr(shown: string, why = ""): FormatError {
  return new FormatError(`unsupported descr ${shown}${why}: arbor reads ${SUPPORTED_DESCRS}`);
}

function parseDescr(value: PyValue): Descr {
  if (value.kind !== "str") {
    const why = value.kind === "list" ? " (structured dtype)" : "";
    throw unsupportedDescr(formatPy(value), why);
  }
  const m = /^([<>=|])([a-z])(\d+)$/.exec(value.value);
  const type = m === null ? undefined : ELEMENT_TYPES.get(m[2]! + m[3]!);
  if (m === null || type === undefined) throw unsupportedDescr(formatPy(value));
  const order = m[1]!;
  // '|' means "byte order not applicable", which is only true of single-byte types.
  if (order === "|" && type.itemsize !== 1) throw unsupportedDescr(formatPy(value), " (no byte order given)");
  const littleEndian = order === "<" || (order !== ">" && HOST_LITTLE_ENDIAN);
  return { text: value.value, type, littleEndian };
}

// ---------------------------------------------------------------------------------------------
// A strict parser for the Python literals that appear in .npy headers

/** A Python literal value. */
type PyValue =
  | { kind: "str"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "float"; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "none" }
  | { kind: "tuple"; items: PyValue[] }
  | { kind: "list"; items: PyValue[] }
  | { kind: "dict"; entries: Array<[PyValue, PyValue]> };

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\", "'": "'", '"': '"', n: "\n", r: "\r", t: "\t", "0": "\0",
};

const NUMBER_PATTERN = /[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[lL]?/y;
const IDENTIFIER_PATTERN = /[A-Za-z_][A-Za-z0-9_]*/y;

class LiteralParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  /** Parses the whole text as one literal followed only by whitespace. */
  parseDocument(): PyValue {
    const value = this.parseValue(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.pos])} after the literal`);
    return value;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at offset ${this.pos}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && " \t\r\n".includes(this.text[this.pos]!)) this.pos++;
  }

  private parseValue(depth: number): PyValue {
    if (depth > MAX_LITERAL_DEPTH) this.fail(`literal nested deeper than ${MAX_LITERAL_DEPTH} levels`);
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) this.fail("unexpected end of header");
    if (c === "{") return this.parseDict(depth);
    if (c === "(") return this.parseParenthesized(depth);
    if (c === "[") return { kind: "list", items: this.parseSequence("[", "]", depth).items };
    if (c === "'" || c === '"') return { kind: "str", value: this.parseString(c) };
    if (/[0-9+\-.]/.test(c)) return this.parseNumber();
    return this.parseKeyword();
  }

  private parseDict(depth: number): PyValue {
    this.pos++; // "{"
    const entries: Array<[PyValue, PyValue]> = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === "}") break;
      const key = this.parseValue(depth + 1);
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail("expected ':' after a dict key");
      this.pos++;
      entries.push([key, this.parseValue(depth + 1)]);
      this.skipSpace();
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] !== "}") this.fail("expected ',' or '}' in a dict");
    }
    this.pos++; // "}"
    return { kind: "dict", entries };
  }

  // In Python "(5)" is just 5 and "(5,)" is a 1-tuple: the comma makes the tuple.
  private parseParenthesized(depth: number): PyValue {
    const { items, sawComma } = this.parseSequence("(", ")", depth);
    if (items.length === 1 && !sawComma) return items[0]!;
    return { kind: "tuple", items };
  }

  private parseSequence(open: string, close: string, depth: number): { items: PyValue[]; sawComma: boolean } {
    this.pos++; // open
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) break;
      items.push(this.parseValue(depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ",") {
        this.pos++;
        sawComma = true;
      } else if (this.text[this.pos] !== close) this.fail(`expected ',' or '${close}' after an item of '${open}…${close}'`);
    }
    this.pos++; // close
    return { items, sawComma };
  }

  private parseString(quote: string): string {
    this.pos++;
    let out = "";
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === "\n") this.fail("unterminated string");
      this.pos++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.pos];
      const replacement = e === undefined ? undefined : STRING_ESCAPES[e];
      if (replacement === undefined) this.fail(`unsupported escape '\\${e ?? ""}' in a string`);
      out += replacement;
      this.pos++;
    }
  }

  private parseNumber(): PyValue {
    NUMBER_PATTERN.lastIndex = this.pos;
    const m = NUMBER_PATTERN.exec(this.text);
    if (m === null) this.fail(`malformed number`);
    this.pos += m[0].length;
    const text = m[0].replace(/[lL]$/, ""); // Python 2 long suffix, as in headers numpy 1.x wrote
    if (/[.eE]/.test(text)) return { kind: "float", text };
    return { kind: "int", value: BigInt(text) };
  }

  private parseKeyword(): PyValue {
    IDENTIFIER_PATTERN.lastIndex = this.pos;
    const m = IDENTIFIER_PATTERN.exec(this.text);
    const word = m?.[0];
    if (word === "True" || word === "False") {
      this.pos += word.length;
      return { kind: "bool", value: word === "True" };
    }
    if (word === "None") {
      this.pos += word.length;
      return { kind: "none" };
    }
    return this.fail(`unexpected ${JSON.stringify(word ?? this.text[this.pos])}`);
  }
}

/** Python-like text of a literal, for error messages. */
function formatPy(v: PyValue): string {
  switch (v.kind) {
    case "str":
      return `'${v.value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    case "int":
      return v.value.toString();
    case "float":
      return v.text;
    case "bool":
      return v.value ? "True" : "False";
    case "none":
      return "None";
    case "tuple":
      return v.items.length === 1 ? `(${formatPy(v.items[0]!)},)` : `(${v.items.map(formatPy).join(", ")})`;
    case "list":
      return `[${v.items.map(formatPy).join(", ")}]`;
    case "dict":
      return `{${v.entries.map(([k, x]) => `${formatPy(k)}: ${formatPy(x)}`).join(", ")}}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Header

interface Header {
  descr: Descr;
  fortranOrder: boolean;
  shape: number[];
}

const HEADER_KEYS = ["descr", "fortran_order", "shape"] as const;

function excerpt(text: string): string {
  const trimmed = text.trimEnd();
  return JSON.stringify(trimmed.length > 120 ? `${trimmed.slice(0, 120)}…` : trimmed);
}

function parseHeader(text: string): Header {
  let literal: PyValue;
  try {
    literal = new LiteralParser(text).parseDocument();
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new FormatError(`header is not a valid dict literal (${e.message}): ${excerpt(text)}`);
  }
  if (literal.kind !== "dict") throw new FormatError(`header is not a dict literal: ${excerpt(text)}`);
  const fields = headerFields(literal, text);
  return {
    descr: parseDescr(fields.get("descr")!),
    fortranOrder: parseFortranOrder(fields.get("fortran_order")!),
    shape: parseShape(fields.get("shape")!),
  };
}

/** The dict's entries by key, requiring exactly the three keys numpy writes. */
function headerFields(dict: Extract<PyValue, { kind: "dict" }>, text: string): Map<string, PyValue> {
  const fields = new Map<string, PyValue>();
  for (const [key, value] of dict.entries) {
    if (key.kind !== "str") throw new FormatError(`header key ${formatPy(key)} is not a string: ${excerpt(text)}`);
    if (fields.has(key.value)) throw new FormatError(`header repeats key '${key.value}': ${excerpt(text)}`);
    if (!(HEADER_KEYS as readonly string[]).includes(key.value)) {
      throw new FormatError(`header has unexpected key '${key.value}' (expected only 'descr', 'fortran_order', 'shape')`);
    }
    fields.set(key.value, value);
  }
  const missing = HEADER_KEYS.filter((k) => !fields.has(k));
  if (missing.length > 0) {
    throw new FormatError(`header is missing key${missing.length > 1 ? "s" : ""} ${missing.map((k) => `'${k}'`).join(", ")}: ${excerpt(text)}`);
  }
  return fields;
}

function parseFortranOrder(v: PyValue): boolean {
  if (v.kind !== "bool") throw new FormatError(`header 'fortran_order' is ${formatPy(v)}, expected True or False`);
  return v.value;
}

function parseShape(v: PyValue): number[] {
  if (v.kind !== "tuple") throw new FormatError(`header 'shape' is ${formatPy(v)}, expected a tuple of integers`);
  return v.items.map((d, i) => {
    if (d.kind !== "int") {
      throw new FormatError(`header 'shape' ${formatPy(v)}: dimension ${i} is ${formatPy(d)}, not an integer`);
    }
    if (d.value < 0n) throw new FormatError(`header 'shape' ${formatPy(v)}: dimension ${i} is negative`);
    if (d.value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new FormatError(`header 'shape' ${formatPy(v)}: dimension ${i} is too large`);
    }
    return Number(d.value);
  });
}

// ---------------------------------------------------------------------------------------------
// Preamble: magic, version, header bytes

interface Preamble {
  header: string;
  dataOffset: number;
}

/** Bytes before the header text in each version: magic, 2 version bytes, then the length field. */
function lengthFieldSize(major: number): number {
  return major === 1 ? 2 : 4;
}

function describeStart(bytes: Uint8Array): string {
  const head = Array.from(bytes.subarray(0, 8), (b) =>
    b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`,
  ).join("");
  return `expected the magic "${MAGIC_TEXT}", found "${head}"`;
}

function checkMagic(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new FormatError("not a .npy file: the input is empty");
  const n = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < n; i++) {
    if (bytes[i] !== MAGIC[i]) throw new FormatError(`not a .npy file: ${describeStart(bytes)}`);
  }
  if (bytes.length < MAGIC.length) {
    throw new FormatError(`truncated header: ${bytes.length} bytes, shorter than the .npy magic`);
  }
}

function readPreamble(bytes: Uint8Array): Preamble {
  checkMagic(bytes);
  if (bytes.length < MAGIC.length + 2) throw new FormatError(`truncated header: the file ends inside the version bytes`);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new FormatError(`unsupported .npy format version ${major}.${minor} (arbor reads 1.0, 2.0 and 3.0)`);
  }
  const headerStart = MAGIC.length + 2 + lengthFieldSize(major);
  if (bytes.length < headerStart) throw new FormatError(`truncated header: the file ends inside the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = headerStart + headerLength;
  if (dataOffset > bytes.length) {
    throw new FormatError(
      `truncated header: it declares ${headerLength} bytes but only ${bytes.length - headerStart} follow`,
    );
  }
  const headerBytes = bytes.subarray(headerStart, dataOffset);
  return { header: major === 3 ? decodeUtf8(headerBytes) : decodeLatin1(headerBytes), dataOffset };
}

// Not TextDecoder("latin1"): the WHATWG label maps to windows-1252, which differs in 0x80–0x9f.
function decodeLatin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError("a version 3.0 header is not valid UTF-8");
  }
}

// ---------------------------------------------------------------------------------------------
// Data

type Words = Float64Array | Float32Array;

/** Reads one scalar component (a whole element, or one half of a complex) at a byte offset. */
type ComponentReader = (view: DataView, offset: number, littleEndian: boolean, index: number) => number;

function integerTooLarge(descr: string, index: number, value: bigint): FormatError {
  return new FormatError(
    `element ${index} of the '${descr}' data is ${value}, whose magnitude exceeds 2^53: it has no exact f64 value`,
  );
}

function componentReader(descr: Descr): ComponentReader {
  const { kind, itemsize } = descr.type;
  const size = kind === "c" ? itemsize / 2 : itemsize;
  if (kind === "f" || kind === "c") {
    return size === 8 ? (v, o, le) => v.getFloat64(o, le) : (v, o, le) => v.getFloat32(o, le);
  }
  if (kind === "b") return (v, o) => (v.getUint8(o) !== 0 ? 1 : 0);
  if (size === 8) {
    const get = kind === "i" ? DataView.prototype.getBigInt64 : DataView.prototype.getBigUint64;
    return (v, o, le, index) => {
      const x = get.call(v, o, le);
      if (x > MAX_EXACT_INTEGER || x < -MAX_EXACT_INTEGER) throw integerTooLarge(descr.text, index, x);
      return Number(x);
    };
  }
  const signed = kind === "i";
  if (size === 4) return signed ? (v, o, le) => v.getInt32(o, le) : (v, o, le) => v.getUint32(o, le);
  if (size === 2) return signed ? (v, o, le) => v.getInt16(o, le) : (v, o, le) => v.getUint16(o, le);
  return signed ? (v, o) => v.getInt8(o) : (v, o) => v.getUint8(o);
}

/**
 * The data as tensor storage, in file order. Floats whose byte order matches the host are
 * copied in bulk into a fresh buffer, which is aligned whatever the alignment of the source.
 */
function readWords(bytes: Uint8Array, offset: number, count: number, descr: Descr): Words {
  const { kind, itemsize, dtype } = descr.type;
  const perElement = kind === "c" ? 2 : 1;
  const componentSize = itemsize / perElement;
  const n = count * perElement;
  const isFloat = kind === "f" || kind === "c";
  if (isFloat && descr.littleEndian === HOST_LITTLE_ENDIAN) {
    // An explicit copy: Buffer#slice would share memory (and a pooled ArrayBuffer) instead.
    const copy = new Uint8Array(n * componentSize);
    copy.set(bytes.subarray(offset, offset + copy.length));
    const raw = componentSize === 8 ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer);
    return dtype === "f32" || raw instanceof Float64Array ? raw : Float64Array.from(raw);
  }
  const out: Words = dtype === "f32" ? new Float32Array(n) : new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, n * componentSize);
  const read = componentReader(descr);
  for (let i = 0; i < n; i++) out[i] = read(view, i * componentSize, descr.littleEndian, i);
  return out;
}

/** Fortran-order storage of `shape` is C-order storage of the reversed shape, transposed. */
function fortranToC(words: Words, shape: readonly number[], wordsPerElement: number): Words {
  const reversed = [...shape].reverse();
  const axes = reversed.map((_, i) => reversed.length - 1 - i);
  const out = words instanceof Float32Array ? new Float32Array(words.length) : new Float64Array(words.length);
  permuteStorage(words, reversed, axes, wordsPerElement, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Python's repr of a tuple of ints: `()`, `(5,)`, `(2, 3)`. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** The header dict exactly as numpy writes it, including its spare room for a growing axis. */
function headerDict(descr: string, shape: readonly number[]): string {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pythonTuple(shape)}, }`;
  const growth = shape.length > 0 ? Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length) : 0;
  return dict + " ".repeat(growth);
}

/**
 * Length of the padded header text (newline included) after a preamble of `prefix` bytes. Like
 * numpy, the padding is never empty: an already aligned header gets a full block of spaces.
 */
function paddedHeaderLength(dict: string, prefix: number): number {
  const withNewline = dict.length + 1;
  return withNewline + HEADER_ALIGN - ((prefix + withNewline) % HEADER_ALIGN);
}

/** Magic, version, header length and the header padded with spaces and a final newline. */
function preambleBytes(dict: string): Uint8Array {
  const v1Length = paddedHeaderLength(dict, MAGIC.length + 2 + lengthFieldSize(1));
  const major = v1Length <= MAX_V1_HEADER_LENGTH ? 1 : 2;
  const prefix = MAGIC.length + 2 + lengthFieldSize(major);
  const headerLength = paddedHeaderLength(dict, prefix);
  const out = new Uint8Array(prefix + headerLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  out.fill(0x20, prefix + dict.length, out.length - 1);
  out[out.length - 1] = 0x0a;
  return out;
}

/** Little-endian bytes of the storage words. */
function littleEndianBytes(words: Words): Uint8Array {
  if (HOST_LITTLE_ENDIAN) return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  const out = new Uint8Array(words.byteLength);
  const view = new DataView(out.buffer);
  const size = words.BYTES_PER_ELEMENT;
  for (let i = 0; i < words.length; i++) {
    if (size === 8) view.setFloat64(i * 8, words[i]!, true);
    else view.setFloat32(i * 4, words[i]!, true);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Encodes a tensor as the bytes of a `.npy` file, byte for byte what numpy's `np.save` writes
 * for the same array: descr `'<f8'` (f64), `'<f4'` (f32) or `'<c16'` (c128), C order, format
 * version 1.0 (2.0 only when the header does not fit in 65535 bytes), header padded so the data
 * starts at a multiple of 64 bytes.
 *
 * @throws {@link DTypeError} if the tensor's dtype has no `.npy` encoding.
 *
 * @example
 * ```ts
 * const bytes = encodeNpy(tensor([[1, 2, 3], [4, 5, 6]]));
 * console.assert(bytes[0] === 0x93 && bytes.length === 128 + 6 * 8);
 * ```
 */
export function encodeNpy(t: Tensor): Uint8Array {
  const descr = DESCR_OF_DTYPE[t.dtype];
  if (descr === undefined) throw new DTypeError(`encodeNpy: no .npy descr for dtype ${String(t.dtype)}`);
  const dict = headerDict(descr, t.shape);
  const preamble = preambleBytes(dict);
  const data = littleEndianBytes(t.data);
  const out = new Uint8Array(preamble.length + data.length);
  out.set(preamble, 0);
  out.set(data, preamble.length);
  return out;
}

/**
 * Decodes the bytes of a `.npy` file (format versions 1.0, 2.0 and 3.0) into a new tensor in
 * C order; `fortran_order: True` data is reordered. The bytes may sit at any offset of any
 * buffer; nothing is shared with them.
 *
 * Element types: `f8` → f64, `f4` → f32, `c16` → c128, `c8` → c128 (promoted); `b1`, `i1`,
 * `u1`, `i2`, `u2`, `i4`, `u4`, `i8` and `u8` are converted to f64 (bool as 0/1), in any byte
 * order (`<`, `>`, `=` for native; `|` for single bytes).
 *
 * @throws {@link FormatError} for a wrong magic, an unsupported version, a truncated or malformed
 * header, an unsupported descr (object, string, structured, f2, f16, c32, …), a negative or
 * non-integer dimension, too few or too many data bytes, or an `i8`/`u8` value whose magnitude
 * exceeds 2^53 (which f64 could not hold exactly).
 *
 * @example
 * ```ts
 * const t = decodeNpy(encodeNpy(tensor([[1, 2], [3, 4]])));
 * console.assert(t.dtype === "f64" && t.shape.length === 2 && t.get(1, 0) === 3);
 * ```
 */
export function decodeNpy(bytes: Uint8Array): Tensor {
  const { header, dataOffset } = readPreamble(bytes);
  const { descr, fortranOrder, shape } = parseHeader(header);
  const count = shape.reduce((p, d) => p * BigInt(d), 1n);
  const expected = count * BigInt(descr.type.itemsize);
  const found = BigInt(bytes.length - dataOffset);
  if (found < expected) {
    throw new FormatError(`truncated: expected ${expected} bytes of data, found ${found}`);
  }
  if (found > expected) {
    throw new FormatError(`${found - expected} unexpected trailing bytes: expected ${expected} bytes of data, found ${found}`);
  }
  let words = readWords(bytes, dataOffset, Number(count), descr);
  if (fortranOrder && shape.length > 1) words = fortranToC(words, shape, descr.type.kind === "c" ? 2 : 1);
  return new Tensor(descr.type.dtype, shape, words);
}

/**
 * Reads a `.npy` file synchronously; see {@link decodeNpy} for what is supported.
 *
 * @throws {@link FormatError} (its message starts with the path) if the file is not a readable
 * `.npy` file; file-system errors are passed through.
 *
 * @example
 * ```ts
 * writeNpy("/tmp/a.npy", tensor([1, 2, 3]));
 * console.assert(readNpy("/tmp/a.npy").get(2) === 3);
 * ```
 */
export function readNpy(path: string): Tensor {
  const bytes = readFileSync(path);
  try {
    return decodeNpy(bytes);
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * Writes a tensor as a `.npy` file ({@link encodeNpy}). The write is atomic: the bytes go to a
 * temporary file in the same directory, are flushed to disk, and the file is renamed over the
 * target, so readers see the old file or the complete new one, never a partial one. The
 * temporary file is removed if anything fails.
 *
 * @example
 * ```ts
 * writeNpy("/tmp/b.npy", tensor([[1, 2], [3, 4]]));
 * console.assert(readNpy("/tmp/b.npy").shape[1] === 2);
 * ```
 */
export function writeNpy(path: string, t: Tensor): void {
  writeFileAtomic(path, encodeNpy(t));
}
