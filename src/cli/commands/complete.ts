import { mkdirSync } from "node:fs";
import { dirname, extname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import {
  completedEntries,
  completedTensor,
  completeGreedy,
  completeTensor,
  type GreedyCandidates,
  observedFromImage,
  psnr as imagePsnr,
  readCsv,
  readObservedNpy,
  readPng,
  readTns,
  ssim as imageSsim,
  tensoriseImage,
  untensoriseImage,
  writePng,
  type ImageTensorLayout,
} from "../../completion/index.js";
import type { BackendChoice, Precision } from "../../backend/compute/backend.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { writeNpy } from "../../linalg/io/npy.js";
import { Tensor } from "../../linalg/tensor.js";
import { splitObserved, type ObservedEntries } from "../../search/fit/observed.js";
import type { TensorNetwork } from "../../search/network/network.js";
import { packageVersion } from "../../version.js";
import { UsageError } from "../usage-error.js";

interface CompleteArgs {
  input: string;
  mask?: string;
  shape?: string;
  oneBased: boolean;
  format?: string;
  rank?: string;
  candidates: string;
  backend?: string;
  precision?: string;
  missing?: number;
  validation: number;
  seed: number;
  maxSweeps?: number;
  out?: string;
  modelOnly: boolean;
  network?: string;
  report?: string;
  json: boolean;
  quiet: boolean;
}

const INPUTS = [".tns", ".csv", ".npy", ".png"];
const OUTPUTS = [".npy", ".png"];

/** A comma-separated list of positive integers, or a usage error naming the option. */
function positiveList(text: string, option: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((s) => !/^\d+$/.test(s)) || values.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new UsageError(`${option} must be a whole number ≥ 1 or a comma-separated list of them, got ${text}`);
  }
  return values;
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(value) + "\n"));
}

function coresJson(net: TensorNetwork<"f64">): { shape: number[]; data: string }[] {
  return net.cores.map((c) => ({ shape: c.shape.slice(), data: Buffer.from(new Float64Array(c.data).buffer).toString("base64") }));
}

/** Row-major offsets of the observed entries in a tensor of their shape. */
function observedFlags(obs: ObservedEntries, size: number): Uint8Array {
  const flags = new Uint8Array(size), N = obs.shape.length;
  for (let s = 0; s < obs.values.length; s++) {
    let off = 0;
    for (let k = 0; k < N; k++) off = off * obs.shape[k]! + obs.indices[s * N + k]!;
    flags[off] = 1;
  }
  return flags;
}

function clip01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** What either kind of run reports. */
interface Fitted<D> {
  network: TensorNetwork<"f64">;
  reason: string;
  message: string;
  trainRse: number;
  validationRse: number | null;
  warnings: string[];
  /** Fields of the report particular to the method. */
  details: D;
}

/** A network of the given format and ranks, by completeTensor. */
function fixedFit(observed: ObservedEntries, args: CompleteArgs, structure: { format: "tt" | "tr"; rank: number | number[] }, groupModes: number[], say: (text: string) => void) {
  const result = completeTensor(observed, {
    structure, validationFraction: args.validation, validationGroupModes: groupModes, seed: args.seed,
    ...(args.maxSweeps !== undefined ? { maxSweeps: args.maxSweeps } : {}),
    ...(args.backend !== undefined ? { backend: args.backend as BackendChoice } : {}),
    ...(args.precision !== undefined ? { precision: args.precision as Precision } : {}),
    onSweep: (s) => say(`sweep ${s.sweep}: train RSE ${s.trainRse.toExponential(2)}, validation RSE ${s.validationRse === null ? "–" : s.validationRse.toExponential(2)}, ridge ${s.ridge.toExponential(1)}, ${s.seconds.toFixed(1)} s`),
  });
  const { network, reason, message, trainRse, validationRse, warnings } = result;
  return { network, reason, message, trainRse, validationRse, warnings, details: { sweeps: result.records.length, best: result.best, attempts: result.attempts, solver: result.solver, backend: result.backend, records: result.records } } satisfies Fitted<unknown>;
}

/** Ranks and graph learned by completeGreedy. */
function learnedFit(observed: ObservedEntries, args: CompleteArgs, groupModes: number[], say: (text: string) => void) {
  if (!(args.validation > 0)) throw new UsageError("--format greedy learns the ranks on the validation split: --validation must be above 0");
  const result = completeGreedy(observed, {
    validationFraction: args.validation, validationGroupModes: groupModes, seed: args.seed, candidates: args.candidates as GreedyCandidates,
    onStep: (s) => say(`raise ${s.edge.join("–")}: validation RSE ${s.rse.toExponential(2)}, ${s.parameters} parameters, ${s.structure}`),
  });
  const message = `the growth ended "${result.stop}" after ${result.steps.length} raises kept and ${result.evaluations} fits, at validation RSE ${result.validationRse.toExponential(3)}`;
  return {
    network: result.network, reason: result.stop, message, trainRse: result.trainRse, validationRse: result.validationRse, warnings: [],
    details: { stop: result.stop, evaluations: result.evaluations, steps: result.steps },
  } satisfies Fitted<unknown>;
}

/** `arbor complete <input>`: fill in the missing entries of a tensor or image with a tensor train or ring. */
export const completeCommand: CommandModule<object, CompleteArgs> = {
  command: "complete <input>",
  describe: "Complete a tensor from its observed entries (.tns, .csv, .npy with NaN or a mask, or a .png image) with a tensor train or ring",
  builder: (y: Argv) =>
    y
      .positional("input", { type: "string", demandOption: true, describe: "observed entries: .tns (1-based), .csv, .npy (NaN = missing, or --mask) or .png (an image)" })
      .option("mask", { type: "string", describe: "with a .npy input: a .npy of the same shape, 1 where observed" })
      .option("shape", { type: "string", describe: "with .tns or .csv input: the mode sizes n1,n2,… [default: the largest indices]" })
      .option("one-based", { type: "boolean", default: false, describe: "with .csv input: the indices start at 1" })
      .option("format", { type: "string", describe: "the network: tt (tensor train), tr (tensor ring), or greedy (ranks and graph learned on the validation split); required" })
      .option("rank", { type: "string", describe: "the bond rank, or one per bond as r1,r2,…; required with tt and tr" })
      .option("candidates", { type: "string", default: "all-pairs", describe: "with --format greedy: the bonds that may grow: all-pairs, ring or train" })
      .option("backend", { type: "string", choices: ["auto", "cpu", "gpu"], describe: "where the per-sample work of --format tt/tr runs: gpu is WebGPU in f32 (docs/gpu.md); auto uses it only with --precision f32, above the measured crossover [default: cpu]" })
      .option("precision", { type: "string", choices: ["f64", "f32"], describe: "the precision --backend auto may use [default: f64]" })
      .option("missing", { type: "number", describe: "hide this fraction of the known entries (an image: of its pixels), seeded, and report the error on them (images: and PSNR and SSIM)" })
      .option("validation", { type: "number", default: 0.1, describe: "share of the observed entries held out for validation, in [0, 1)" })
      .option("seed", { type: "number", default: 1, describe: "seed of the hidden entries, the validation split and the start" })
      .option("max-sweeps", { type: "number", describe: "largest number of ALS sweeps [default: 100]" })
      .option("out", { type: "string", describe: "write the completed tensor: .npy, or .png for an image input" })
      .option("model-only", { type: "boolean", default: false, describe: "write the model output everywhere, without restoring the observed entries" })
      .option("network", { type: "string", describe: "write the fitted network (structure and cores) as JSON" })
      .option("report", { type: "string", describe: "write the report (with the record of every sweep) as JSON" })
      .option("json", { type: "boolean", default: false, describe: "print the report as JSON" })
      .option("quiet", { type: "boolean", default: false, describe: "no progress lines or warnings" })
      .check((a) => {
        const input = String(a.input), ext = extname(input).toLowerCase();
        if (!INPUTS.includes(ext)) throw new UsageError(`${input}: unknown input type '${ext || "(none)"}'; expected ${INPUTS.join(", ")}`);
        if (a.format === undefined) throw new UsageError("--format is required: tt, tr or greedy");
        if (a.format === "greedy" && (a.backend !== undefined || a.precision !== undefined)) throw new UsageError("--backend and --precision apply to --format tt and tr; greedy fits on the CPU");
        if (a.format !== "tt" && a.format !== "tr" && a.format !== "greedy") throw new UsageError(`--format must be tt, tr or greedy, got ${String(a.format)}`);
        if (a.format === "greedy") {
          if (a.rank !== undefined) throw new UsageError("--rank does not apply to --format greedy, which learns the ranks");
          if (!["all-pairs", "ring", "train"].includes(String(a.candidates))) throw new UsageError(`--candidates must be all-pairs, ring or train, got ${String(a.candidates)}`);
          if (a.maxSweeps !== undefined) throw new UsageError("--max-sweeps does not apply to --format greedy");
        } else {
          if (a.rank === undefined) throw new UsageError("--rank is required: a whole number ≥ 1, or one per bond as r1,r2,…");
          positiveList(String(a.rank), "--rank");
        }
        const missing = a.missing as number | undefined;
        if (missing !== undefined && !(typeof missing === "number" && missing >= 0 && missing < 1)) throw new UsageError(`--missing must lie in [0, 1), got ${String(missing)}`);
        const validation = a.validation as number;
        if (!(typeof validation === "number" && validation >= 0 && validation < 1)) throw new UsageError(`--validation must lie in [0, 1), got ${String(validation)}`);
        if (!Number.isSafeInteger(a.seed)) throw new UsageError(`--seed must be a whole number, got ${String(a.seed)}`);
        const maxSweeps = a.maxSweeps as number | undefined;
        if (maxSweeps !== undefined && !(Number.isSafeInteger(maxSweeps) && maxSweeps >= 1)) throw new UsageError(`--max-sweeps must be a whole number ≥ 1, got ${String(maxSweeps)}`);
        if (a.mask !== undefined && ext !== ".npy") throw new UsageError("--mask applies to .npy input only");
        if (a.shape !== undefined) {
          if (ext !== ".tns" && ext !== ".csv") throw new UsageError("--shape applies to .tns and .csv input only");
          positiveList(String(a.shape), "--shape");
        }
        if (a.oneBased === true && ext !== ".csv") throw new UsageError("--one-based applies to .csv input only (.tns is always 1-based)");
        if (a.out !== undefined) {
          const outExt = extname(String(a.out)).toLowerCase();
          if (!OUTPUTS.includes(outExt)) throw new UsageError(`--out ${String(a.out)}: unknown output type '${outExt || "(none)"}'; expected .npy or .png`);
          if (outExt === ".png" && ext !== ".png") throw new UsageError("--out .png needs an image (.png) input; write .npy instead");
        }
        return true;
      }) as unknown as Argv<CompleteArgs>,
  handler: (args) => {
    const ext = extname(args.input).toLowerCase();
    const format = args.format as "tt" | "tr" | "greedy";
    const ranks = format === "greedy" ? [] : positiveList(args.rank!, "--rank");
    const rank = ranks.length === 1 ? ranks[0]! : ranks;
    const shape = args.shape === undefined ? undefined : positiveList(args.shape, "--shape");
    const missing = args.missing ?? 0;
    const progress = !args.quiet && !args.json && process.stderr.isTTY === true;
    const say = (text: string): void => void (progress && process.stderr.write(text + "\n"));
    const start = performance.now();

    // The observed entries, and what is known beyond them to measure the completion against.
    let observed: ObservedEntries;
    let hidden: ObservedEntries | null = null;
    let image: { pixels: Tensor; shape: number[]; layout: ImageTensorLayout; truth: Tensor } | null = null;
    // An image's validation holds out whole pixels, as its missing ones are.
    let groupModes: number[] = [];
    if (ext === ".png") {
      const pixels = readPng(args.input);
      const r = observedFromImage(pixels, { missing, seed: args.seed });
      observed = r.observed;
      groupModes = r.channelModes;
      image = { pixels, shape: pixels.shape.slice(), layout: r.layout, truth: tensoriseImage(pixels, r.layout) };
    } else {
      const all = ext === ".tns" ? readTns(args.input, shape !== undefined ? { shape } : {})
        : ext === ".csv" ? readCsv(args.input, { oneBased: args.oneBased, ...(shape !== undefined ? { shape } : {}) })
        : readObservedNpy(args.input, args.mask !== undefined ? { mask: args.mask } : {});
      if (missing > 0) {
        const split = splitObserved(all, missing, args.seed);
        observed = split.train;
        hidden = split.validation;
      } else observed = all;
    }
    say(`complete: ${observed.values.length} observed entries of a tensor of shape ${observed.shape.join("×")}${hidden !== null ? `, ${hidden.values.length} hidden` : ""}`);

    const fitted = format === "greedy"
      ? learnedFit(observed, args, groupModes, say)
      : fixedFit(observed, args, { format, rank }, groupModes, say);
    const result = fitted.network;

    // Errors on what was hidden: the model's values there (observed entries restored and the
    // values clipped to [0, 1] for PSNR and SSIM, which judge the image a user would get).
    let hiddenRse: number | null = null, psnr: number | null = null, ssim: number | null = null;
    let completed: Tensor<"f64"> | null = null;
    const dense = (restoreObserved: boolean): Tensor<"f64"> => completedTensor(result, observed, { restoreObserved });
    if (hidden !== null && hidden.values.length > 0) {
      const y = completedEntries(result, hidden.indices);
      let num = 0, den = 0;
      hidden.values.forEach((x, s) => ((num += (y[s]! - x) ** 2), (den += x * x)));
      hiddenRse = den > 0 ? Math.sqrt(num / den) : null;
    }
    if (image !== null && missing > 0) {
      const model = dense(false), truth = image.truth.data, flags = observedFlags(observed, model.size);
      const shown = new Tensor("f64", model.shape, new Float64Array(model.size));
      let num = 0, den = 0;
      for (let p = 0; p < model.size; p++) {
        const x = truth[p] as number;
        if (flags[p] === 0) (num += (model.data[p]! - x) ** 2), (den += x * x);
        shown.data[p] = flags[p] === 1 ? x : clip01(model.data[p]!);
      }
      hiddenRse = den > 0 ? Math.sqrt(num / den) : null;
      const recovered = untensoriseImage(shown, image.layout);
      psnr = imagePsnr(image.pixels, recovered);
      // SSIM needs the 11 × 11 window to fit in the image.
      ssim = image.shape[0]! >= 11 && image.shape[1]! >= 11 ? imageSsim(image.pixels, recovered) : null;
    }

    if (args.out !== undefined) {
      completed = dense(!args.modelOnly);
      const out = image !== null ? untensoriseImage(completed, image.layout) : completed;
      mkdirSync(dirname(args.out), { recursive: true });
      if (extname(args.out).toLowerCase() === ".png") {
        const clipped = new Tensor("f64", out.shape, Float64Array.from(out.data as Float64Array, clip01));
        writePng(args.out, clipped);
      } else writeNpy(args.out, out);
    }
    const structure = result.structure;
    const seconds = (performance.now() - start) / 1000;
    const report = {
      format: "arbor-completion/1", arbor: packageVersion(), command: ["arbor", ...process.argv.slice(2)],
      input: { path: args.input, type: ext.slice(1), shape: observed.shape.slice(), ...(image !== null ? { imageShape: image.shape, layout: { rowFactors: image.layout.rowFactors, colFactors: image.layout.colFactors, scales: image.layout.scales, pair: image.layout.pair } } : {}) },
      observed: observed.values.length, hidden: image !== null ? (missing > 0 ? image.truth.size - observed.values.length : 0) : hidden?.values.length ?? 0,
      missing, validation: args.validation, seed: args.seed,
      structure: { format, dims: structure.dims.slice(), ranks: structure.edges().map((e) => e.rank), key: structure.key() },
      reason: fitted.reason, message: fitted.message, trainRse: fitted.trainRse, validationRse: fitted.validationRse, hiddenRse, psnr: psnr === Infinity ? null : psnr, ssim,
      parameters: structure.numParameters(), ...fitted.details, warnings: fitted.warnings, seconds, out: args.out ?? null, modelOnly: args.modelOnly,
    };
    if (args.network !== undefined) {
      writeJson(args.network, {
        format: "arbor-structure/1", arbor: packageVersion(), command: report.command,
        structure: { dims: structure.dims.slice(), ranks: structure.ranks(), perm: structure.perm.slice(), key: structure.key() },
        ...(image !== null ? { image: report.input } : {}), cores: coresJson(result),
      });
    }
    if (args.report !== undefined) writeJson(args.report, report);
    if (!args.quiet) for (const w of fitted.warnings) process.stderr.write(`arbor: warning: ${w}\n`);
    if (args.json) process.stdout.write(JSON.stringify(report, null, 1) + "\n");
    else {
      const fmt = (x: number | null): string => (x === null ? "–" : x.toExponential(3));
      const extra = (hiddenRse !== null ? `, hidden RSE ${fmt(hiddenRse)}` : "") + (psnr !== null ? `, PSNR ${psnr === Infinity ? "∞" : psnr.toFixed(2)} dB` : "") + (ssim !== null ? `, SSIM ${ssim.toFixed(4)}` : "");
      const what = format === "greedy" ? `greedy (${args.candidates}) ${structure.key()}` : `${format} rank ${ranks.join(",")}`;
      const d = fitted.details;
      const work = "steps" in d ? `${d.steps.length} raises` : `${d.sweeps} sweeps`;
      process.stdout.write(`${what}: ${fitted.reason}, train RSE ${fmt(fitted.trainRse)}, validation RSE ${fmt(fitted.validationRse)}${extra}, ${report.parameters} parameters, ${work}, ${seconds.toFixed(1)} s\n`);
    }
  },
};
