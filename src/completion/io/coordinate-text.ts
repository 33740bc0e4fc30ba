/**
 * The scanner behind the `.tns` and CSV readers and writers: one line-oriented text grammar
 * (d integer indices, then a value) with two field separators. Internal to src/completion.
 *
 * Coordinate files of 10⁶ lines and more are common (FROSTT tensors have up to 10⁹), so the
 * scanner walks the text once with `charCodeAt` and writes straight into growable typed arrays:
 * no per-line strings, arrays or objects. Only a value that is not a plain integer is handed to
 * `Number` as a substring.
 * @module
 */
import { ArgumentError, FormatError, ShapeError } from "../../errors.js";
import { formatShape } from "../../linalg/shape.js";
import { checkObserved, type ObservedEntries } from "../../search/fit/observed.js";

/** How one coordinate text format spells its lines. */
export interface CoordinateGrammar {
  /** Name for messages: ".tns" or "CSV". */
  format: string;
  /** The reader's name, for messages that have no line. */
  where: string;
  /** `null` splits fields at runs of spaces and tabs; a character splits at each occurrence. */
  delimiter: string | null;
  /** Whether indices in the text start at 1. */
  oneBased: boolean;
  /** Whether `#` starts a comment running to the end of the line. */
  comments: boolean;
  /** Whether the first non-blank line is a header: `"auto"` when its first field is not a number. */
  header: boolean | "auto";
}

/** Mode sizes given by the caller, and the prefix (a path) for every message. */
export interface ScanOptions {
  shape?: readonly number[] | undefined;
  source?: string | undefined;
}

const CR = 13, SPACE = 32, TAB = 9, PLUS = 43, MINUS = 45, POINT = 46, ZERO = 48, NINE = 57;
const MAX_INDEX = 2 ** 31 - 1;
// Integers with at most 15 digits are exact in f64, so they are accumulated digit by digit
// without calling Number on a substring.
const FAST_DIGITS = 15;
const NON_FINITE_WORDS = new Set(["nan", "inf", "infinity"]);
// A `# shape: 4 5 6` comment before the data records mode sizes that the largest indices may
// not reach (an unobserved last slice); formatCoordinates writes it for .tns.
const SHAPE_COMMENT = /^#\s*shape\s*:?\s*(\d[\d\s]*)$/i;

/** Growable typed-array storage for the parsed samples. */
class Samples {
  indices: Int32Array;
  values: Float64Array;
  lines: Int32Array;
  count = 0;

  constructor(readonly d: number, capacity: number) {
    this.indices = new Int32Array(capacity * d);
    this.values = new Float64Array(capacity);
    this.lines = new Int32Array(capacity);
  }

  /** Makes room for one more sample and returns its position. */
  next(line: number): number {
    if (this.count === this.values.length) {
      const cap = 2 * this.values.length;
      const indices = new Int32Array(cap * this.d);
      indices.set(this.indices);
      const values = new Float64Array(cap);
      values.set(this.values);
      const lines = new Int32Array(cap);
      lines.set(this.lines);
      this.indices = indices;
      this.values = values;
      this.lines = lines;
    }
    this.lines[this.count] = line;
    return this.count++;
  }
}

/**
 * Parses coordinate text into validated observed entries. Errors carry the line number:
 * {@link FormatError} for the syntax (field counts, non-integer or non-positive indices, a value
 * that is not a number), {@link ShapeError} for an index beyond a given shape and
 * {@link ArgumentError} for a non-finite value or a coordinate listed twice, as
 * `observedEntries` would.
 */
export function parseCoordinates(text: string, grammar: CoordinateGrammar, options: ScanOptions = {}): ObservedEntries {
  if (typeof text !== "string") throw new ArgumentError(`${grammar.where}: expected the file's text as a string, got ${typeof text}`);
  const prefix = options.source === undefined ? "" : `${options.source}: `;
  let shape = options.shape === undefined ? undefined : checkGivenShape(options.shape, prefix);
  const fail = (line: number, message: string): FormatError => new FormatError(`${prefix}line ${line}: ${message}`);
  const base = grammar.oneBased ? 1 : 0;
  const delim = grammar.delimiter === null ? -1 : grammar.delimiter.charCodeAt(0);
  const n = text.length;

  let samples: Samples | undefined;
  let d = shape?.length ?? -1;
  let maxIndex: Int32Array | undefined;
  let headerPending = grammar.header !== false;
  // A byte-order mark (spreadsheet programs write one) would otherwise hide a first data line
  // from the header detection.
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0, line = 0, nextHash = -1;

  const readIndex = (a: number, b: number, k: number): number => {
    const i = parseIndex(text, a, b);
    if (i === null) throw fail(line, `index ${k + 1} is '${text.slice(a, b)}', not an integer`);
    if (i < base) {
      throw fail(line, i === 0 && base === 1
        ? `index ${k + 1} is 0, but ${grammar.format} indices start at 1`
        : `index ${k + 1} is ${i}; indices start at ${base}`);
    }
    const i0 = i - base;
    if (i0 >= MAX_INDEX) throw fail(line, `index ${k + 1} is ${i}, beyond the largest supported mode size 2^31 − 1`);
    if (shape !== undefined && i0 >= shape[k]!) {
      throw new ShapeError(`${prefix}line ${line}: index ${k + 1} is ${i}, outside mode ${k} of size ${shape[k]} (shape ${formatShape(shape)}, ${base}-based indices)`);
    }
    if (i0 > maxIndex![k]!) maxIndex![k] = i0;
    return i0;
  };
  const readValue = (a: number, b: number): number => {
    const x = parseValue(text, a, b);
    if (Number.isNaN(x) && !NON_FINITE_WORDS.has(text.slice(a, b).replace(/^[+-]/, "").toLowerCase())) {
      throw fail(line, `the value '${text.slice(a, b)}' is not a number`);
    }
    if (!Number.isFinite(x)) throw new ArgumentError(`${prefix}line ${line}: the value ${text.slice(a, b)} is not finite; observed values must be finite numbers`);
    return x;
  };

  while (pos < n) {
    line++;
    let end = text.indexOf("\n", pos);
    if (end < 0) end = n;
    const next = end + 1;
    if (end > pos && text.charCodeAt(end - 1) === CR) end--;
    if (grammar.comments) {
      // The next '#' is searched once and remembered: searching from every line start would
      // rescan the rest of a comment-free file for each line.
      if (nextHash < pos) nextHash = text.indexOf("#", pos) >>> 0;
      const hash = nextHash;
      if (hash < end) {
        if (samples === undefined && shape === undefined) {
          const m = SHAPE_COMMENT.exec(text.slice(hash, end).trim());
          if (m !== null && isBlank(text, pos, hash)) shape = checkGivenShape(m[1]!.trim().split(/\s+/).map(Number), `${prefix}line ${line}: `);
        }
        end = hash;
      }
    }
    let start = pos;
    pos = next;
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    if (start === end) continue;

    if (headerPending) {
      headerPending = false;
      const c = text.charCodeAt(start);
      if (grammar.header === true || !(isDigit(c) || c === PLUS || c === MINUS || c === POINT)) continue;
    }
    if (samples === undefined) {
      const fields = countFields(text, start, end, delim);
      if (d < 0) {
        if (fields < 2) throw fail(line, `expected at least one index and a value, got ${fields} field${fields === 1 ? "" : "s"}`);
        d = fields - 1;
      }
      // A first guess of 8 characters per field; the arrays double when the file has more lines.
      samples = new Samples(d, Math.max(16, Math.min(1 << 20, Math.ceil(n / (8 * (d + 1))))));
      maxIndex = new Int32Array(d).fill(-1);
    }
    if (shape !== undefined && shape.length !== d) {
      throw fail(line, `the data has ${d} indices per line but the shape ${formatShape(shape)} has ${shape.length} modes`);
    }

    const s = samples.next(line);
    let p = start;
    for (let k = 0; k <= d; k++) {
      // Find field k in [p, q); p is at the line start or at the end of field k − 1.
      if (delim < 0) {
        while (p < end && isSpace(text.charCodeAt(p))) p++;
      } else if (k > 0) {
        if (p < end) p++; // the delimiter
        else p = end + 1;
      }
      if (p >= end && !(delim >= 0 && p === end)) throw fail(line, fieldCountMessage(d, countFields(text, start, end, delim)));
      let q = p;
      if (delim < 0) while (q < end && !isSpace(text.charCodeAt(q))) q++;
      else while (q < end && text.charCodeAt(q) !== delim) q++;
      let a = p, b = q;
      while (a < b && isSpace(text.charCodeAt(a))) a++;
      while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
      if (a === b) throw fail(line, `field ${k + 1} is empty`);
      if (k < d) samples.indices[s * d + k] = readIndex(a, b, k);
      else samples.values[s] = readValue(a, b);
      p = q;
    }
    if (delim < 0) while (p < end && isSpace(text.charCodeAt(p))) p++;
    if (p < end) throw fail(line, fieldCountMessage(d, countFields(text, start, end, delim)));
  }

  if (samples === undefined) {
    if (shape === undefined) throw new FormatError(`${prefix}no entries, and no shape to give an empty list of observed entries`);
    return Object.freeze({ shape: Object.freeze(shape.slice()), indices: new Int32Array(0), values: new Float64Array(0) });
  }
  const m = samples.count;
  const dims = shape ?? Array.from(maxIndex!, (i) => i + 1);
  const obs = { shape: Object.freeze(dims.slice()), indices: samples.indices.slice(0, m * d), values: samples.values.slice(0, m) };
  try {
    checkObserved(obs, dims, `${prefix}${grammar.where}`);
  } catch (e) {
    throw duplicateWithLines(obs.indices, d, samples.lines, base, prefix) ?? e;
  }
  return Object.freeze(obs);
}

/**
 * The text of a coordinate list: one line per sample, indices in the grammar's base, values
 * with the shortest decimal that reads back to the same double. `head` lines come first.
 */
export function formatCoordinates(obs: ObservedEntries, separator: string, oneBased: boolean, head: readonly string[]): string {
  const d = obs.shape.length, m = obs.values.length, base = oneBased ? 1 : 0;
  const parts: string[] = head.map((h) => `${h}\n`);
  // Lines are gathered into chunks of about 1 MB: one string per line for 10⁶ lines would be a
  // large array of small strings, one string overall would be rebuilt by every append.
  let chunk = "";
  for (let s = 0; s < m; s++) {
    let lineText = "";
    for (let k = 0; k < d; k++) lineText += `${obs.indices[s * d + k]! + base}${separator}`;
    const x = obs.values[s]!;
    // String(-0) is "0"; the sign is kept so that reading the text back is exact.
    chunk += `${lineText}${Object.is(x, -0) ? "-0" : String(x)}\n`;
    if (chunk.length > 1 << 20) {
      parts.push(chunk);
      chunk = "";
    }
  }
  parts.push(chunk);
  return parts.join("");
}

function checkGivenShape(shape: readonly number[], prefix: string): number[] {
  if (!Array.isArray(shape) || shape.length === 0) throw new ShapeError(`${prefix}shape must be a non-empty array of mode sizes`);
  shape.forEach((n, k) => {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_INDEX) {
      throw new ShapeError(`${prefix}mode ${k} of the shape has size ${n}; sizes must be integers in [1, 2^31 − 1]`);
    }
  });
  return shape.slice();
}

function fieldCountMessage(d: number, got: number): string {
  return `expected ${d} ind${d === 1 ? "ex" : "ices"} and a value, got ${got} field${got === 1 ? "" : "s"}`;
}

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isBlank(text: string, a: number, b: number): boolean {
  for (let p = a; p < b; p++) if (!isSpace(text.charCodeAt(p))) return false;
  return true;
}

function countFields(text: string, a: number, b: number, delim: number): number {
  let count = 0;
  if (delim >= 0) {
    count = 1;
    for (let p = a; p < b; p++) if (text.charCodeAt(p) === delim) count++;
    return count;
  }
  for (let p = a; p < b;) {
    while (p < b && isSpace(text.charCodeAt(p))) p++;
    if (p < b) count++;
    while (p < b && !isSpace(text.charCodeAt(p))) p++;
  }
  return count;
}

/** An integer index; also `3.0` or `3e0` as numpy's `savetxt` writes them. Null if not one. */
function parseIndex(text: string, a: number, b: number): number | null {
  let p = a;
  if (text.charCodeAt(p) === PLUS) p++;
  if (p < b && b - p <= FAST_DIGITS) {
    let v = 0, q = p;
    for (; q < b; q++) {
      const c = text.charCodeAt(q);
      if (!isDigit(c)) break;
      v = 10 * v + (c - ZERO);
    }
    if (q === b) return v;
  }
  const x = parseValue(text, a, b);
  return Number.isInteger(x) ? x : null;
}

/** A decimal number; NaN for anything else (hexadecimal and binary literals included). */
function parseValue(text: string, a: number, b: number): number {
  let p = a, negative = false;
  const c0 = text.charCodeAt(p);
  if (c0 === MINUS || c0 === PLUS) {
    negative = c0 === MINUS;
    p++;
  }
  if (p < b && b - p <= FAST_DIGITS) {
    let v = 0, q = p;
    for (; q < b; q++) {
      const c = text.charCodeAt(q);
      if (!isDigit(c)) break;
      v = 10 * v + (c - ZERO);
    }
    if (q === b) return negative ? -v : v;
  }
  for (let q = p; q < b; q++) {
    const c = text.charCodeAt(q);
    // Number() would also take 0x…, 0b…, 0o… and "Infinity"; a data file means decimals.
    if (!(isDigit(c) || c === POINT || c === 101 || c === 69 || c === PLUS || c === MINUS)) {
      const word = text.slice(p, b).toLowerCase();
      return word === "inf" || word === "infinity" ? (negative ? -Infinity : Infinity) : NaN;
    }
  }
  return p === b ? NaN : Number(text.slice(a, b));
}

/** The line-numbered error for the first coordinate listed twice, or null if there is none. */
function duplicateWithLines(indices: Int32Array, d: number, lines: Int32Array, base: number, prefix: string): ArgumentError | null {
  const seen = new Map<string, number>();
  const m = indices.length / d;
  for (let s = 0; s < m; s++) {
    const key = indices.subarray(s * d, s * d + d).join(",");
    const first = seen.get(key);
    if (first !== undefined) {
      const shown = Array.from(indices.subarray(s * d, s * d + d), (i) => i + base).join(", ");
      return new ArgumentError(`${prefix}line ${lines[s]}: the entry (${shown}) was already given on line ${lines[first]}; coordinates must be distinct`);
    }
    seen.set(key, s);
  }
  return null;
}
