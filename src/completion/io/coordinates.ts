/**
 * Observed entries as text: FROSTT `.tns` files and CSV. Both are coordinate lists, one observed
 * entry per line (its indices, then its value), read straight into {@link ObservedEntries}
 * without building a dense tensor, and validated as `observedEntries` validates: indices in
 * range, finite values, no coordinate twice. Every error on the text names its line.
 *
 * - `.tns` (the FROSTT format): whitespace-separated 1-based indices, then the value; `#` starts
 *   a comment; blank lines are skipped. The shape is the largest index per mode unless it is
 *   given, or unless a `# shape: n1 n2 …` comment precedes the data (arbor writes one, so that
 *   a tensor whose last slices hold no observation keeps its shape).
 * - CSV: columns `i0, …, i{d−1}, value`, 0-based by default; an optional header line (detected
 *   when its first field is not a number, or forced with `header`).
 * @module
 */
import { readFileSync } from "node:fs";
import { ArgumentError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { checkObserved, type ObservedEntries } from "../../search/fit/observed.js";
import { formatCoordinates, parseCoordinates, type CoordinateGrammar } from "./coordinate-text.js";

/** Options of {@link parseTns} and {@link readTns}. */
export interface TnsReadOptions {
  /**
   * Mode sizes. Without it, a `# shape:` comment before the data gives them, else the largest
   * index of each mode.
   */
  shape?: readonly number[];
}

/** Options of {@link parseCsv} and {@link readCsv}. */
export interface CsvReadOptions {
  /** Mode sizes; default: the largest index of each mode, plus one in 0-based files. */
  shape?: readonly number[];
  /** Whether the indices start at 1 (as in MATLAB or FROSTT); default false. */
  oneBased?: boolean;
  /** Whether the first line is a header: default `"auto"`, a header when its first field is not a number. */
  header?: boolean | "auto";
  /** The field separator, one character; default `","`. */
  delimiter?: string;
}

/** Options of {@link formatCsv} and {@link writeCsv}. */
export interface CsvWriteOptions {
  /** Write 1-based indices; default false. */
  oneBased?: boolean;
  /** Write the header line `i0,…,i{d−1},value`; default true. */
  header?: boolean;
  /** The field separator, one character; default `","`. */
  delimiter?: string;
}

const TNS: CoordinateGrammar = { format: ".tns", where: "parseTns", delimiter: null, oneBased: true, comments: true, header: false };

/**
 * Parses the text of a FROSTT `.tns` file: per line, d whitespace-separated 1-based indices and
 * a value.
 *
 * @throws {@link FormatError} naming the line for a wrong number of fields, an index that is not
 * a positive integer, a value that is not a number, or no data and no shape;
 * {@link ShapeError} for an index beyond a given shape; {@link ArgumentError} for a non-finite
 * value or a coordinate given twice (naming both lines).
 * @example
 * ```ts
 * const obs = parseTns("# a 2×3 matrix\n1 1 0.5\n2 3 -1\n");
 * console.assert(obs.shape.join() === "2,3" && obs.indices.join() === "0,0,1,2" && obs.values[1] === -1);
 * let caught: unknown;
 * try { parseTns("1 1 0.5\n2 3\n"); } catch (e) { caught = e; }
 * console.assert(caught instanceof FormatError && /line 2: expected 2 indices and a value, got 2 fields/.test(String(caught)));
 * ```
 */
export function parseTns(text: string, options: TnsReadOptions = {}): ObservedEntries {
  return parseCoordinates(text, TNS, { shape: checkOptions(options, ["shape"], "parseTns").shape });
}

/**
 * Reads a FROSTT `.tns` file ({@link parseTns}); messages start with the path.
 *
 * @throws as {@link parseTns}; file-system errors are passed through.
 * @example
 * ```ts
 * writeTns("/tmp/arbor-example.tns", observedEntries([4, 2], [[3, 0]], [7]));
 * const obs = readTns("/tmp/arbor-example.tns");
 * console.assert(obs.shape.join() === "4,2" && obs.values[0] === 7);
 * ```
 */
export function readTns(path: string, options: TnsReadOptions = {}): ObservedEntries {
  const { shape } = checkOptions(options, ["shape"], "readTns");
  return parseCoordinates(readFileSync(path, "utf8"), TNS, { shape, source: path });
}

/**
 * The `.tns` text of observed entries: a `# shape:` comment, then one line per entry with
 * 1-based indices and the value in its shortest exact decimal form, so that {@link parseTns}
 * gives back the same entries bit for bit.
 *
 * @example
 * ```ts
 * const text = formatTns(observedEntries([3, 3], [[0, 2], [1, 1]], [0.25, -4]));
 * console.assert(text === "# shape: 3 3\n1 3 0.25\n2 2 -4\n");
 * ```
 */
export function formatTns(obs: ObservedEntries): string {
  checkObserved(obs, obs?.shape ?? [], "formatTns");
  return formatCoordinates(obs, " ", true, [`# shape: ${obs.shape.join(" ")}`]);
}

/**
 * Writes observed entries as a `.tns` file ({@link formatTns}), atomically.
 *
 * @example
 * ```ts
 * const obs = observedEntries([5, 5, 5], [[0, 1, 2], [4, 4, 4]], [1.5, 2]);
 * writeTns("/tmp/arbor-example-2.tns", obs);
 * console.assert(readTns("/tmp/arbor-example-2.tns").indices.join() === obs.indices.join());
 * ```
 */
export function writeTns(path: string, obs: ObservedEntries): void {
  writeFileAtomic(path, Buffer.from(formatTns(obs), "utf8"));
}

/**
 * Parses CSV observed entries: per line, d indices and a value.
 *
 * @throws as {@link parseTns}, and {@link ArgumentError} for a delimiter that is not one
 * character other than a digit, sign, point, `e` or a space.
 * @example
 * ```ts
 * const obs = parseCsv("i,j,value\n0,1,2.5\n1,0,-1\n", { shape: [2, 2] });
 * console.assert(obs.values.join() === "2.5,-1" && obs.indices.join() === "0,1,1,0");
 * const one = parseCsv("1;2;9\n", { oneBased: true, delimiter: ";" });
 * console.assert(one.shape.join() === "1,2" && one.indices.join() === "0,1");
 * ```
 */
export function parseCsv(text: string, options: CsvReadOptions = {}): ObservedEntries {
  const { grammar, shape } = csvGrammar(options, "parseCsv");
  return parseCoordinates(text, grammar, { shape });
}

/**
 * Reads a CSV file of observed entries ({@link parseCsv}); messages start with the path.
 *
 * @throws as {@link parseCsv}; file-system errors are passed through.
 * @example
 * ```ts
 * writeCsv("/tmp/arbor-example.csv", observedEntries([2, 3], [[1, 2]], [0.5]));
 * const obs = readCsv("/tmp/arbor-example.csv", { shape: [2, 3] });
 * console.assert(obs.indices.join() === "1,2" && obs.values[0] === 0.5);
 * ```
 */
export function readCsv(path: string, options: CsvReadOptions = {}): ObservedEntries {
  const { grammar, shape } = csvGrammar(options, "readCsv");
  return parseCoordinates(readFileSync(path, "utf8"), grammar, { shape, source: path });
}

/**
 * The CSV text of observed entries: a header `i0,…,i{d−1},value` (unless `header: false`), then
 * one line per entry; values in their shortest exact decimal form. CSV has no place for the
 * shape: pass it to {@link parseCsv} when the largest indices do not reach it.
 *
 * @example
 * ```ts
 * const text = formatCsv(observedEntries([2, 2], [[1, 0]], [3.5]));
 * console.assert(text === "i0,i1,value\n1,0,3.5\n");
 * console.assert(formatCsv(observedEntries([2, 2], [[1, 0]], [3.5]), { oneBased: true, header: false }) === "2,1,3.5\n");
 * ```
 */
export function formatCsv(obs: ObservedEntries, options: CsvWriteOptions = {}): string {
  checkObserved(obs, obs?.shape ?? [], "formatCsv");
  const { oneBased = false, header = true, delimiter = "," } = checkOptions(options, ["oneBased", "header", "delimiter"], "formatCsv");
  checkDelimiter(delimiter, "formatCsv");
  const names = [...obs.shape.map((_, k) => `i${k}`), "value"].join(delimiter);
  return formatCoordinates(obs, delimiter, oneBased, header ? [names] : []);
}

/**
 * Writes observed entries as a CSV file ({@link formatCsv}), atomically.
 *
 * @example
 * ```ts
 * const obs = observedEntries([3, 4], [[2, 3], [0, 0]], [1e-300, -2]);
 * writeCsv("/tmp/arbor-example-2.csv", obs, { oneBased: true });
 * const back = readCsv("/tmp/arbor-example-2.csv", { oneBased: true, shape: [3, 4] });
 * console.assert(back.values[0] === 1e-300 && back.indices.join() === obs.indices.join());
 * ```
 */
export function writeCsv(path: string, obs: ObservedEntries, options: CsvWriteOptions = {}): void {
  writeFileAtomic(path, Buffer.from(formatCsv(obs, options), "utf8"));
}

function csvGrammar(options: CsvReadOptions, where: string): { grammar: CoordinateGrammar; shape: readonly number[] | undefined } {
  const { shape, oneBased = false, header = "auto", delimiter = "," } = checkOptions(options, ["shape", "oneBased", "header", "delimiter"], where);
  checkDelimiter(delimiter, where);
  if (typeof oneBased !== "boolean") throw new ArgumentError(`${where}: oneBased must be a boolean, got ${String(oneBased)}`);
  if (header !== "auto" && typeof header !== "boolean") throw new ArgumentError(`${where}: header must be true, false or "auto", got ${String(header)}`);
  return { grammar: { format: "CSV", where, delimiter, oneBased, comments: false, header }, shape };
}

function checkDelimiter(delimiter: unknown, where: string): void {
  // A delimiter that can occur inside a number, or a space (which the scanner trims), would
  // make the fields ambiguous.
  if (typeof delimiter !== "string" || delimiter.length !== 1 || /[\d+\-.eE \r\n]/.test(delimiter)) {
    throw new ArgumentError(`${where}: delimiter must be one character other than a digit, sign, point, 'e', space or line break, got ${JSON.stringify(delimiter)}`);
  }
}

function checkOptions<T extends object>(options: T, known: readonly string[], where: string): T {
  if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ArgumentError(`${where}: unknown option '${key}' (known: ${known.join(", ")})`);
  }
  return options;
}
