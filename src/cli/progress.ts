import type { RunProgress } from "../problems/run.js";

/** A one-line progress bar that redraws itself on a terminal. */
export interface ProgressBar {
  update(p: RunProgress): void;
  /** Shows a line of text until the next update (a stage that has no steps to count). */
  note(text: string): void;
  /** Clears the line (the bar never leaves output behind). */
  done(): void;
}

/** "1:05", "12:00:03". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (x: number): string => String(x).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

/** The bar's text for one progress report (width: columns of the bar itself). */
export function progressLine(label: string, p: RunProgress, width = 24): string {
  const fraction = p.steps === 0 ? 1 : p.step / p.steps;
  const filled = Math.round(fraction * width);
  const perStep = p.step > 0 ? p.elapsedMs / 1000 / p.step : NaN;
  const eta = formatDuration(perStep * (p.steps - p.step));
  return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${p.step}/${p.steps}  t = ${p.t.toPrecision(4)}  rank ${p.maxRank}  ` +
    `${Number.isFinite(perStep) ? perStep.toPrecision(2) : "?"} s/step  elapsed ${formatDuration(p.elapsedMs / 1000)}  ETA ${eta}`;
}

/**
 * A progress bar on `stream` (stderr), drawn at most ten times a second; silent when
 * `enabled` is false (not a terminal, `--quiet` or `--json`).
 */
export function progressBar(label: string, enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100 && p.step < p.steps) return;
      last = now;
      const columns = stream.columns ?? 100;
      stream.write(`\r${progressLine(label, p).slice(0, columns - 1)}\x1b[K`);
      drawn = true;
    },
    note(text) {
      if (!enabled) return;
      stream.write(`\r${`${label}: ${text}`.slice(0, (stream.columns ?? 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (enabled && drawn) stream.write("\r\x1b[K");
    },
  };
}
