import { ArgumentError } from "../errors.js";

/** One curve of a {@link linePlotSvg}. */
export interface PlotSeries {
  label: string;
  x: readonly number[];
  y: readonly number[];
  /** Draw markers at the points (default true), a line through them (default true). */
  markers?: boolean;
  line?: boolean;
  /** Dashed line (reference slopes, bounds). */
  dashed?: boolean;
}

/** Options of {@link linePlotSvg}. */
export interface LinePlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

// A colour-blind-safe palette (Okabe–Ito), cycled over the series.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

const escapeXml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// "Nice" ticks covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `count` of them.
function linearTicks(lo: number, hi: number, count = 6): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

function formatTick(v: number, log: boolean): string {
  if (log) return `1e${Math.round(Math.log10(v))}`;
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

/**
 * A line plot as a standalone SVG document (no dependencies): axes with ticks, linear or
 * logarithmic on each axis, one colour per series, a legend. Non-finite points and, on a
 * log axis, non-positive ones are left out (a gap in the line).
 *
 * @throws {@link ArgumentError} if a series' x and y differ in length or nothing is plottable.
 * @example
 * ```ts
 * const h = [0.1, 0.05, 0.025];
 * const svg = linePlotSvg([{ label: "error", x: h, y: h.map((t) => 2 * t) }], { logX: true, logY: true, xLabel: "h" });
 * console.assert(svg.startsWith("<svg") && svg.includes("error") && svg.includes("<path"));
 * ```
 */
export function linePlotSvg(series: readonly PlotSeries[], options: LinePlotOptions = {}): string {
  const { width = 640, height = 420, logX = false, logY = false } = options;
  for (const s of series) {
    if (s.x.length !== s.y.length) throw new ArgumentError(`linePlotSvg: series "${s.label}" has ${s.x.length} x and ${s.y.length} y values`);
  }
  const ok = (v: number, log: boolean): boolean => Number.isFinite(v) && (!log || v > 0);
  const points = series.flatMap((s) => s.x.map((x, i) => [x, s.y[i]!] as const).filter(([x, y]) => ok(x, logX) && ok(y, logY)));
  if (points.length === 0) throw new ArgumentError("linePlotSvg: no finite point to plot");
  const tx = (v: number) => (logX ? Math.log10(v) : v);
  const ty = (v: number) => (logY ? Math.log10(v) : v);
  let [x0, x1] = [Math.min(...points.map((p) => tx(p[0]))), Math.max(...points.map((p) => tx(p[0])))];
  let [y0, y1] = [Math.min(...points.map((p) => ty(p[1]))), Math.max(...points.map((p) => ty(p[1])))];
  if (logX) [x0, x1] = [Math.floor(x0), Math.ceil(x1)];
  if (logY) [y0, y1] = [Math.floor(y0), Math.ceil(y1)];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  if (!logY) {
    const pad = 0.05 * (y1 - y0);
    [y0, y1] = [y0 - pad, y1 + pad];
  }
  const m = { left: 78, right: 170, top: options.title ? 36 : 16, bottom: 52 };
  const pw = width - m.left - m.right, ph = height - m.top - m.bottom;
  const px = (v: number) => m.left + ((tx(v) - x0) / (x1 - x0)) * pw;
  const py = (v: number) => m.top + ph - ((ty(v) - y0) / (y1 - y0)) * ph;
  const ticks = (lo: number, hi: number, log: boolean): number[] => {
    if (!log) return linearTicks(lo, hi);
    const every = Math.max(1, Math.ceil((hi - lo) / 8));
    const out: number[] = [];
    for (let k = Math.ceil(lo); k <= hi; k += every) out.push(10 ** k);
    return out;
  };
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  if (options.title) parts.push(`<text x="${m.left + pw / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`);
  for (const t of ticks(x0, x1, logX)) {
    const x = px(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle">${formatTick(t, logX)}</text>`);
  }
  for (const t of ticks(y0, y1, logY)) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t, logY)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  if (options.xLabel) parts.push(`<text x="${m.left + pw / 2}" y="${height - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  if (options.yLabel) parts.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  series.forEach((s, k) => {
    const colour = COLOURS[k % COLOURS.length]!;
    const segments: string[][] = [[]];
    s.x.forEach((x, i) => {
      const y = s.y[i]!;
      if (ok(x, logX) && ok(y, logY)) segments[segments.length - 1]!.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
      else if (segments[segments.length - 1]!.length > 0) segments.push([]);
    });
    if (s.line !== false) {
      for (const seg of segments.filter((g) => g.length > 1)) {
        parts.push(`<path d="M${seg.join(" L")}" fill="none" stroke="${colour}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
      }
    }
    if (s.markers !== false) for (const p of segments.flat()) parts.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="2.8" fill="${colour}"/>`);
    const ly = m.top + 10 + 18 * k;
    parts.push(`<line x1="${m.left + pw + 12}" y1="${ly}" x2="${m.left + pw + 36}" y2="${ly}" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    parts.push(`<text x="${m.left + pw + 42}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
