/**
 * Presenting a run's result: a plain-text summary, the records as CSV, and SVG plots
 * (observables, ranks and errors against time). Pure functions of a {@link RunResult}.
 * @module
 */
import { linePlotSvg } from "../io/svg-plot.js";
import type { RunResult } from "./run.js";

const fmt = (x: number): string => (x === 0 ? "0" : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? x.toPrecision(6) : x.toExponential(3));

/**
 * A short human-readable summary: problem, settings, final observables, errors against the
 * reference, ranks, rejections and time.
 *
 * @example
 * ```ts
 * const decay = defineProblem({
 *   name: "decay", description: "Ẏ = −Y", parameters: {},
 *   defaults: { integrator: "bug-adaptive", h: 0.25, tf: 0.5, theta: 1e-10 },
 *   setup: () => ({ kind: "matrix", initial: lowRankFromDense(randn([4, 3], 1), { maxRank: 2 }),
 *     rhs: { kind: "linear", terms: [{ coeff: -1 }] }, observables: { size: (_t, y) => norm(y.S) } }),
 * });
 * const result = await runProblem(decay);
 * console.assert(summaryText(result).includes("completed 2 steps"));
 * ```
 */
export function summaryText(result: RunResult): string {
  const s = result.settings;
  const tr = s.truncation;
  const lines = [
    `${result.problem.name}${result.problem.preset ? ` (preset ${result.problem.preset})` : ""}: ${result.problem.description}`,
    `parameters: ${Object.entries(result.problem.parameters).map(([k, v]) => `${k}=${v}`).join(" ") || "(none)"}`,
    `integrator ${s.integrator}, h = ${s.h}, tf = ${s.tf} (${s.steps} steps), ϑ = ${tr.theta} (${tr.thetaMode}), rank ${tr.minRank}…${tr.maxRank ?? "∞"}, workers ${s.workers}, seed ${result.seed}`,
    result.completed ? `completed ${result.stepsDone} steps` : `STOPPED after ${result.stepsDone} of ${s.steps} steps (t = ${fmt(result.stepsDone * s.h)})`,
  ];
  const names = Object.keys(result.summary.final);
  if (names.length > 0) {
    const tFinal = result.records.t[result.records.t.length - 1]!;
    lines.push("", `at t = ${fmt(tFinal)}:`);
    for (const name of names) {
      const err = result.reference?.errors[name];
      const ref = result.reference?.observables[name];
      lines.push(`  ${name.padEnd(12)} ${fmt(result.summary.final[name]!).padStart(13)}` +
        (ref && err ? `   reference ${fmt(ref[ref.length - 1]!)}   max |error| over the run ${err.length ? fmt(Math.max(...err)) : "-"}` : ""));
    }
  }
  if (result.reference) {
    lines.push("", `reference: ${result.reference.description}`);
    if (result.reference.stateError?.length) lines.push(`  max ‖Y − reference‖ = ${fmt(Math.max(...result.reference.stateError))} (relative ${fmt(Math.max(...result.reference.relativeStateError!))})`);
  }
  const derived = Object.entries(result.derived ?? {});
  if (derived.length > 0) lines.push("", `derived: ${derived.map(([name, c]) => `${name} (${c.x.length} points${c.description ? `: ${c.description}` : ""})`).join("; ")}`);
  const stepMs = result.steps.map((x) => x.wallMs);
  lines.push("", `max rank ${result.summary.maxRank}, rejections ${result.summary.rejections}, ` +
    `${(result.timings.integrateMs / 1000).toFixed(2)} s integrating (${stepMs.length ? (stepMs.reduce((a, b) => a + b, 0) / stepMs.length).toFixed(1) : "-"} ms/step), ` +
    `${(result.timings.referenceMs / 1000).toFixed(2)} s reference, ${(result.timings.totalMs / 1000).toFixed(2)} s in all`);
  return lines.join("\n");
}

/**
 * The records as CSV: t, max rank, every observable, and (with a reference) the reference
 * values and errors.
 *
 * @example
 * ```ts
 * const decay = defineProblem({
 *   name: "decay", description: "Ẏ = −Y", parameters: {},
 *   defaults: { integrator: "bug-adaptive", h: 0.25, tf: 0.5, theta: 1e-10 },
 *   setup: () => ({ kind: "matrix", initial: lowRankFromDense(randn([4, 3], 1), { maxRank: 2 }),
 *     rhs: { kind: "linear", terms: [{ coeff: -1 }] }, observables: { size: (_t, y) => norm(y.S) } }),
 * });
 * const result = await runProblem(decay);
 * const csv = recordsCsv(result).trim().split("\n");
 * console.assert(csv[0] === "t,max_rank,size" && csv.length === 4 && csv[3]!.startsWith("0.5,2,"));
 * ```
 */
export function recordsCsv(result: RunResult): string {
  const r = result.records;
  const columns: [string, readonly number[]][] = [["t", r.t], ["max_rank", r.maxRank]];
  for (const [name, v] of Object.entries(r.observables)) columns.push([name, v]);
  const ref = result.reference;
  if (ref) {
    for (const [name, v] of Object.entries(ref.observables)) columns.push([`${name}_reference`, v]);
    for (const [name, v] of Object.entries(ref.errors)) columns.push([`${name}_error`, v]);
    if (ref.stateError) columns.push(["state_error", ref.stateError], ["relative_state_error", ref.relativeStateError!]);
  }
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = [columns.map(([n]) => quote(n)).join(",")];
  for (let i = 0; i < r.t.length; i++) rows.push(columns.map(([, v]) => (v[i] === undefined ? "" : String(v[i]))).join(","));
  return rows.join("\n") + "\n";
}

/**
 * SVG plots of a run by file-name suffix: "" (observables against t, with the reference
 * dashed), "-ranks" (max rank against t) and, with a reference, "-error" (errors against t,
 * logarithmic).
 *
 * @example
 * ```ts
 * const decay = defineProblem({
 *   name: "decay", description: "Ẏ = −Y", parameters: {},
 *   defaults: { integrator: "bug-adaptive", h: 0.25, tf: 0.5, theta: 1e-10 },
 *   setup: () => ({ kind: "matrix", initial: lowRankFromDense(randn([4, 3], 1), { maxRank: 2 }),
 *     rhs: { kind: "linear", terms: [{ coeff: -1 }] }, observables: { size: (_t, y) => norm(y.S) } }),
 * });
 * const result = await runProblem(decay);
 * const plots = runPlots(result); // no reference: no error plot
 * console.assert(Object.keys(plots).join() === ",-ranks" && plots[""]!.startsWith("<svg"));
 * ```
 */
export function runPlots(result: RunResult): Record<string, string> {
  const r = result.records;
  const title = `${result.problem.name}: ${result.settings.integrator}, h = ${result.settings.h}, ϑ = ${result.settings.truncation.theta}`;
  const plots: Record<string, string> = {};
  const observables = Object.entries(r.observables);
  if (observables.length > 0) {
    const series = observables.map(([name, y]) => ({ label: name, x: r.t, y }));
    for (const [name, y] of Object.entries(result.reference?.observables ?? {})) series.push({ label: `${name} (reference)`, x: r.t, y, dashed: true, markers: false } as (typeof series)[number]);
    plots[""] = linePlotSvg(series, { title, xLabel: "t", yLabel: "observable" });
  }
  plots["-ranks"] = linePlotSvg([{ label: "max rank", x: r.t, y: r.maxRank }], { title, xLabel: "t", yLabel: "max rank" });
  const ref = result.reference;
  if (ref) {
    const series = Object.entries(ref.errors).map(([name, y]) => ({ label: `|Δ${name}|`, x: r.t, y }));
    if (ref.stateError) series.push({ label: "‖Y − ψ‖", x: r.t, y: ref.stateError });
    const plottable = series.filter((s) => s.y.some((v) => v > 0));
    if (plottable.length > 0) plots["-error"] = linePlotSvg(plottable, { title, xLabel: "t", yLabel: "error", logY: true });
  }
  for (const [name, c] of Object.entries(result.derived ?? {})) {
    plots[`-${name}`] = linePlotSvg([{ label: name, x: c.x, y: c.y, markers: false }], { title: c.description ?? `${result.problem.name}: ${name}`, xLabel: c.xLabel, yLabel: c.yLabel });
  }
  return plots;
}
