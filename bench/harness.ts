/**
 * Shared benchmark machinery: the timing rule (also implemented, identically, by the numpy
 * scripts), comparison records, the fixed-width table and the atomic JSON writer.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * How a case is timed. The same numbers are sent to the numpy script so both sides are
 * measured by the same rule: `warmup` untimed calls, then timed calls until at least
 * `minReps` calls and `minTotalMs` of timed work, or `maxReps` calls; the best call counts.
 */
export interface TimingOptions {
  warmup: number;
  minReps: number;
  maxReps: number;
  minTotalMs: number;
}

/** The timing rule for full runs (`quick = false`) and for `--quick` smoke runs. */
export function timingOptions(quick: boolean): TimingOptions {
  return quick
    ? { warmup: 1, minReps: 2, maxReps: 50, minTotalMs: 50 }
    : { warmup: 1, minReps: 3, maxReps: 1000, minTotalMs: 300 };
}

/** Best wall time of `fn` in milliseconds under the rule of {@link TimingOptions}. */
export function bestOfMs(fn: () => unknown, options: TimingOptions): number {
  for (let i = 0; i < options.warmup; i++) fn();
  let best = Infinity;
  let total = 0;
  let reps = 0;
  while (reps < options.maxReps && (reps < options.minReps || total < options.minTotalMs)) {
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    total += dt;
    reps++;
    if (dt < best) best = dt;
  }
  return best;
}

/**
 * One benchmark case measured on both sides, as written to `bench/results/<suite>.json`.
 * Field names are snake_case because the file is read by Python tooling too.
 */
export interface ComparisonRecord<K extends string = string> {
  kernel: K;
  dtype: "f64" | "c128";
  /** The characteristic size (the square size, or the small dimension of a tall shape). */
  n: number;
  /** Operand shapes, e.g. `"512x512"` or `"4096x64*64x64"` for a product. */
  shape: string;
  threads: number;
  arbor_ms: number;
  /** `null` when numpy could not be run. */
  numpy_ms: number | null;
  /** `arbor_ms / numpy_ms`; above 1 means arbor is slower. `null` without a numpy time. */
  ratio: number | null;
}

// Sub-microsecond digits are timer noise; rounding keeps the JSON readable.
function roundMs(ms: number): number {
  return Math.round(ms * 1e4) / 1e4;
}

/**
 * Builds a record from raw timings. The ratio is computed from the rounded times that are
 * stored, so `ratio === arbor_ms / numpy_ms` holds exactly for readers of the file.
 */
export function comparisonRecord<K extends string>(
  c: { kernel: K; dtype: "f64" | "c128"; n: number; shape: string; threads: number },
  arborMs: number,
  numpyMs: number | null,
): ComparisonRecord<K> {
  const arbor_ms = roundMs(arborMs);
  const numpy_ms = numpyMs === null || !Number.isFinite(numpyMs) ? null : roundMs(numpyMs);
  const ratio = numpy_ms === null || numpy_ms <= 0 ? null : arbor_ms / numpy_ms;
  return { kernel: c.kernel, dtype: c.dtype, n: c.n, shape: c.shape, threads: c.threads, arbor_ms, numpy_ms, ratio };
}

/** What a suite needs from its caller. */
export interface SuiteRunOptions {
  quick: boolean;
  threads: readonly number[];
  progress: Progress;
  /** Called with a reason when the comparison side cannot run; the suite goes on without it. */
  warn: (message: string) => void;
}

/** What a suite run produces: its records, and free-text notes (library versions) for the table header. */
export interface SuiteOutput<R> {
  records: R[];
  notes: string[];
}

/** A table column: header text, how to render a row's cell, and which side to pad. */
export interface Column<R> {
  header: string;
  cell: (row: R) => string;
  align?: "left" | "right";
}

/** Renders rows as a fixed-width text table (header, rule, rows), lines joined by "\n". */
export function formatTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, j) => Math.max(c.header.length, ...cells.map((row) => row[j]!.length)));
  const pad = (s: string, j: number) => (columns[j]!.align === "left" ? s.padEnd(widths[j]!) : s.padStart(widths[j]!));
  const line = (row: readonly string[]) => row.map(pad).join("  ").trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** A number with 3 significant digits (fixed notation), or "-" for a missing value. */
export function fmt3(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  if (x === 0) return "0";
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toFixed(Math.min(digits, 6));
}

/**
 * Writes `value` as pretty JSON so that readers never see a half-written file: the text goes
 * to a temporary file in the same directory (a rename is atomic only within a file system),
 * which then replaces `path`. Creates missing parent directories.
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Where progress lines go; `line` does nothing when progress is off. */
export interface Progress {
  readonly enabled: boolean;
  line(text: string): void;
}

/**
 * Progress reporting on stderr, on only when stderr is a terminal and not `quiet`, so logs
 * and pipes get just the results.
 */
export function stderrProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  const enabled = !quiet && stream.isTTY === true;
  return { enabled, line: (text) => (enabled ? void stream.write(text + "\n") : undefined) };
}
