/**
 * Regenerates the image-completion comparison of docs/completion.md:
 *
 *   npm run build && node dist/docs/scripts/completion-image.js [airplane] [airplane-64] [--out-dir DIR]
 *   npm run reproduce -- completion-image [parts]     (regenerates and compares with docs/results)
 *
 * (no part named: both). On the airplane photograph shipped in data/images/ (CC0; 128 × 128 RGB
 * for part "airplane", 64 × 64 for the quicker "airplane-64"), 90 % of the pixels are hidden (seed 1, every channel of a pixel together, as
 * `arbor complete --missing 0.9 --seed 1` hides them), the image is tensorised (4 × 4 × … × 4 × 3,
 * `observedFromImage`) and 10 % of the observed pixels are held out for validation (the same
 * split for every method, `completionSplit`). Every method then completes the image:
 *
 * - the per-channel mean of the observed pixels (the floor any method must clear), and the
 *   nearest observed pixel (no model at all: what a plain interpolation gets);
 * - EM imputation with TT-SVD (`completeEm`), TT-ranks 2, 4, 8;
 * - Riemannian CG on fixed-rank tensor trains (`completeRttc`), ranks 2, 4, 8;
 * - ALS on a tensor train (`completeTensor`, format "tt"), ranks 2, 4, 8;
 * - ALS on a tensor ring (format "tr"), ranks 2, 3, 4;
 * - greedy rank growth over the bonds of a ring (`completeGreedy`, candidates "ring"), which
 *   learns the ranks on the validation pixels.
 *
 * For each fit: PSNR and SSIM of the completed image (observed pixels restored, values clipped
 * to [0, 1]: the picture a user gets) against the original, the RSE of the model on the hidden
 * pixels, the errors on the training and validation pixels, parameters, iterations and seconds.
 * Within each fixed-rank family the rank with the lowest validation error is marked: that is
 * the rank a user without the hidden pixels would pick. Writes docs/results/completion-image.json
 * (part "airplane") or completion-image-airplane-64.json and, for part "airplane", the pictures
 * docs/images/completion-airplane-{original,observed,nearest,em,rttc,tt,tr,greedy}.png (the
 * missing pixels black in "observed"; each family's validation pick; magnified 2× by pixel
 * repetition, so that no smoothing of the viewer flatters them). Deterministic: the same command
 * gives the same numbers (times aside) on the same machine.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { markdownTable, repoRoot, runParts, scriptArgs } from "./script-args.js";
import { closeWorkerPools } from "../../src/backend/pool/pool.js";
import { completeTensor } from "../../src/completion/complete.js";
import { completedTensor } from "../../src/completion/completed.js";
import { completeGreedy } from "../../src/completion/greedy.js";
import { psnr, ssim } from "../../src/completion/image-metrics.js";
import { tensoriseImage, untensoriseImage, type ImageTensorLayout } from "../../src/completion/io/image-tensorise.js";
import { observedFromImage } from "../../src/completion/io/observed-image.js";
import { readPng, writePng } from "../../src/completion/io/png.js";
import { completeEm } from "../../src/completion/methods/em.js";
import { completeRttc } from "../../src/completion/methods/rttc.js";
import { completionSplit } from "../../src/completion/split.js";
import { Tensor } from "../../src/linalg/tensor.js";
import type { ObservedEntries } from "../../src/search/fit/observed.js";
import type { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";



function picture(name: string, image: Tensor, magnify: number): void {
  const path = out.imagePath(name);
  const [h, w, c] = image.shape as [number, number, number];
  const big = new Tensor("f64", [h * magnify, w * magnify, c]);
  for (let y = 0; y < h * magnify; y++) {
    for (let x = 0; x < w * magnify; x++) {
      const src = (Math.floor(y / magnify) * w + Math.floor(x / magnify)) * c, dst = (y * w * magnify + x) * c;
      for (let k = 0; k < c; k++) big.data[dst + k] = image.data[src + k]!;
    }
  }
  writePng(path, big);
}


const seconds = (t0: number): number => Number(((performance.now() - t0) / 1000).toFixed(3));

// ---- settings ----

const MISSING = 0.9;
const SEED = 1;
const VALIDATION = 0.1;
const EM = { ranks: [2, 4, 8], iterations: 200 };
const RTTC = { ranks: [2, 4, 8], patience: 20 };
const TT_RANKS = [2, 4, 8];
const TR_RANKS = [2, 3, 4];
const GREEDY = { candidates: "ring" as const };
const MAGNIFY = 2;

/** The images of the parts (paths relative to the repository repoRoot). */
const IMAGES: Record<string, string> = { airplane: "data/images/airplane-128.png", "airplane-64": "data/images/airplane-64.png" };
/** The stored results of each part. */
const RESULTS: Record<string, string> = { airplane: "completion-image.json", "airplane-64": "completion-image-airplane-64.json" };

interface Row {
  family: "mean" | "nearest" | "em" | "rttc" | "tt" | "tr" | "greedy";
  method: string;
  /** The fixed rank, or null (the baselines, greedy). */
  rank: number | null;
  structure: string;
  /** Entries of the model's cores (null: no model, the training pixels are the answer). */
  parameters: number | null;
  hiddenRse: number;
  psnr: number;
  ssim: number;
  trainRse: number;
  validationRse: number;
  /** Iterations, sweeps or accepted rank raises. */
  iterations: number;
  stop: string;
  /** Within its family, the lowest validation error (what a user without the hidden pixels would pick). */
  validationPick: boolean;
  seconds: number;
}

/** Error of a model at observed entries: ‖x − y‖ / ‖y‖. */
function entriesRse(model: Tensor, entries: ObservedEntries): number {
  const d = entries.shape.length;
  let num = 0, den = 0;
  for (let s = 0; s < entries.values.length; s++) {
    let off = 0;
    for (let k = 0; k < d; k++) off = off * entries.shape[k]! + entries.indices[s * d + k]!;
    const y = entries.values[s]!;
    num += (model.data[off]! - y) ** 2;
    den += y * y;
  }
  return Math.sqrt(num / den);
}

function part(name: string): void {
  const file = IMAGES[name]!;
  const bytes = readFileSync(join(repoRoot, file));
  const pixels = readPng(join(repoRoot, file));
  const { observed, layout, channelModes } = observedFromImage(pixels, { missing: MISSING, seed: SEED });
  const dims = layout.shape;
  const truth = tensoriseImage(pixels, layout);
  const split = completionSplit(NetworkStructure.tensorTrain(dims, 1), observed, VALIDATION, channelModes, SEED, "completion-image");
  const train = split.train, validation = split.validation!;
  const d = dims.length;
  const isObserved = new Uint8Array(truth.size);
  for (let s = 0; s < observed.values.length; s++) {
    let off = 0;
    for (let k = 0; k < d; k++) off = off * dims[k]! + observed.indices[s * d + k]!;
    isObserved[off] = 1;
  }
  const channels = pixels.shape[2] ?? 1;
  const hiddenPixels = (truth.size - observed.values.length) / channels;

  /** The image a user gets: the model's values, the observed pixels restored, clipped to [0, 1]. */
  const shown = (model: Tensor): Tensor => {
    const out = new Tensor("f64", model.shape, new Float64Array(model.size));
    for (let p = 0; p < model.size; p++) out.data[p] = isObserved[p] === 1 ? truth.data[p]! : Math.min(1, Math.max(0, model.data[p]!));
    return untensoriseImage(out, layout);
  };
  const rows: Row[] = [];
  const recovered = new Map<Row, Tensor>();
  const add = (row: Omit<Row, "hiddenRse" | "psnr" | "ssim" | "trainRse" | "validationRse" | "validationPick">, model: Tensor): void => {
    let num = 0, den = 0;
    for (let p = 0; p < model.size; p++) {
      if (isObserved[p] === 1) continue;
      const x = truth.data[p]!;
      num += (model.data[p]! - x) ** 2;
      den += x * x;
    }
    const image = shown(model);
    const full: Row = {
      ...row, hiddenRse: Math.sqrt(num / den), psnr: psnr(pixels, image), ssim: ssim(pixels, image),
      trainRse: entriesRse(model, train), validationRse: entriesRse(model, validation), validationPick: false,
    };
    rows.push(full);
    recovered.set(full, image);
    console.error(`[${name}] ${full.method}: PSNR ${full.psnr.toFixed(2)} dB, SSIM ${full.ssim.toFixed(4)}, hidden RSE ${full.hiddenRse.toFixed(4)}, ${full.parameters ?? "no"} parameters, ${full.seconds} s`);
  };
  const modelOf = (net: TensorNetwork<"f64">): Tensor => completedTensor(net, undefined, { restoreObserved: false });

  // The mean of the observed (training) pixels, per channel, everywhere.
  {
    const t0 = performance.now();
    const sum = new Float64Array(channels), count = new Float64Array(channels);
    for (let s = 0; s < train.values.length; s++) {
      const c = channels > 1 ? train.indices[s * d + d - 1]! : 0;
      sum[c] = sum[c]! + train.values[s]!;
      count[c] = count[c]! + 1;
    }
    const model = new Tensor("f64", dims, new Float64Array(truth.size));
    for (let p = 0; p < model.size; p++) model.data[p] = sum[p % channels]! / count[p % channels]!;
    add({ family: "mean", method: "mean of the observed pixels", rank: null, structure: "per-channel constant", parameters: channels, iterations: 0, stop: "–", seconds: seconds(t0) }, model);
  }
  // Every pixel takes the value of the nearest training pixel (Euclidean distance in pixel
  // coordinates; among equally near ones, the first in row-major order).
  {
    const t0 = performance.now();
    const [height, width] = pixels.shape as [number, number];
    const trainPixel = new Uint8Array(height * width);
    const image = untensoriseImage(new Tensor("f64", dims, Float64Array.from(truth.data, (_, p) => p)), layout);
    // The offset in the tensor of each pixel's channel 0, from the untensorised offsets.
    const offsetOf = Int32Array.from({ length: height * width }, (_, q) => image.data[q * channels]!);
    const inTrain = new Uint8Array(truth.size);
    for (let s = 0; s < train.values.length; s++) {
      let off = 0;
      for (let k = 0; k < d; k++) off = off * dims[k]! + train.indices[s * d + k]!;
      inTrain[off] = 1;
    }
    for (let q = 0; q < height * width; q++) trainPixel[q] = inTrain[offsetOf[q]!]!;
    const sources = Int32Array.from({ length: height * width }, (_, q) => q).filter((q) => trainPixel[q] === 1);
    const model = new Tensor("f64", dims, new Float64Array(truth.size));
    for (let q = 0; q < height * width; q++) {
      const y = Math.floor(q / width), x = q % width;
      let best = -1, bestD = Infinity;
      for (const src of sources) {
        const dy = Math.floor(src / width) - y, dx = (src % width) - x, dd = dy * dy + dx * dx;
        if (dd < bestD) (bestD = dd), (best = src);
      }
      for (let c = 0; c < channels; c++) model.data[offsetOf[q]! + c] = truth.data[offsetOf[best]! + c]!;
    }
    add({ family: "nearest", method: "nearest observed pixel", rank: null, structure: "no model", parameters: null, iterations: 0, stop: "–", seconds: seconds(t0) }, model);
  }
  for (const rank of EM.ranks) {
    const t0 = performance.now();
    const r = completeEm(train, { rank, validation, iterations: EM.iterations, seed: SEED });
    add({ family: "em", method: `EM + TT-SVD, rank ${rank}`, rank, structure: `tt ${r.ranks.join(",")}`, parameters: r.parameters, iterations: r.best, stop: r.stop, seconds: seconds(t0) }, modelOf(r.network));
  }
  for (const rank of RTTC.ranks) {
    const t0 = performance.now();
    const r = completeRttc(train, { rank, validation, patience: RTTC.patience, seed: SEED });
    add({ family: "rttc", method: `RTTC, rank ${rank}`, rank, structure: `tt ${r.ranks.join(",")}`, parameters: r.parameters, iterations: r.best, stop: r.stop, seconds: seconds(t0) }, modelOf(r.network));
  }
  for (const [format, ranks] of [["tt", TT_RANKS], ["tr", TR_RANKS]] as const) {
    for (const rank of ranks) {
      const t0 = performance.now();
      const r = completeTensor(observed, { structure: { format, rank }, validationFraction: VALIDATION, validationGroupModes: channelModes, seed: SEED });
      const ranksOf = r.network.structure.edges().map((e) => e.rank);
      add({ family: format, method: `ALS ${format === "tt" ? "tensor train" : "tensor ring"}, rank ${rank}`, rank, structure: `${format} ${ranksOf.join(",")}`, parameters: r.network.numParameters(), iterations: r.best, stop: r.reason, seconds: seconds(t0) }, modelOf(r.network));
    }
  }
  {
    const t0 = performance.now();
    const r = completeGreedy(observed, { candidates: GREEDY.candidates, validationFraction: VALIDATION, validationGroupModes: channelModes, seed: SEED });
    add({ family: "greedy", method: "greedy ring (ranks learned)", rank: null, structure: r.structure.key(), parameters: r.parameters, iterations: r.steps.length, stop: r.stop, seconds: seconds(t0) }, modelOf(r.network));
  }
  for (const family of new Set(rows.map((r) => r.family))) {
    const members = rows.filter((r) => r.family === family);
    members.reduce((best, r) => (r.validationRse < best.validationRse ? r : best)).validationPick = true;
  }

  const fmt = (r: Row): (string | number)[] => [
    r.validationPick && r.rank !== null ? `**${r.method}**` : r.method, r.psnr.toFixed(2), r.ssim.toFixed(3), r.hiddenRse.toFixed(3), r.validationRse.toFixed(3), r.parameters ?? "–", r.seconds.toFixed(1),
  ];
  console.log(`${name}: ${pixels.shape.join(" × ")}, ${(MISSING * 100).toFixed(0)} % of the pixels missing (seed ${SEED})\n`);
  console.log(markdownTable(["method", "PSNR (dB)", "SSIM", "hidden RSE", "validation RSE", "parameters", "seconds"], rows.map(fmt)));

  if (name === "airplane") {
    const stem = "completion-airplane";
    picture(`${stem}-original.png`, pixels, MAGNIFY);
    const observedImage = new Tensor("f64", truth.shape, Float64Array.from(truth.data, (x, p) => (isObserved[p] === 1 ? x : 0)));
    picture(`${stem}-observed.png`, untensoriseImage(observedImage, layout), MAGNIFY);
    for (const row of rows.filter((r) => r.validationPick && r.family !== "mean")) picture(`${stem}-${row.family}.png`, recovered.get(row)!, MAGNIFY);
  }
  out.saveJson(RESULTS[name]!, {
    settings: {
      image: file,
      imageSha256: createHash("sha256").update(bytes).digest("hex"),
      imageShape: pixels.shape,
      tensorShape: dims,
      layout: { rowFactors: layout.rowFactors, colFactors: layout.colFactors, scales: layout.scales, pair: layout.pair } satisfies Partial<ImageTensorLayout>,
      missing: MISSING,
      seed: SEED,
      validationFraction: VALIDATION,
      observedPixels: observed.values.length / channels,
      trainingPixels: train.values.length / channels,
      validationPixels: validation.values.length / channels,
      hiddenPixels,
      em: EM,
      rttc: RTTC,
      ttRanks: TT_RANKS,
      trRanks: TR_RANKS,
      greedy: GREEDY,
      metrics: "PSNR and SSIM (ssim(): Gaussian window σ 1.5, 11 × 11, K1 0.01, K2 0.03, L 1, per channel then averaged) of the completed image, observed pixels restored and values clipped to [0, 1], against the original; hiddenRse, trainRse, validationRse: ‖x − y‖/‖y‖ of the model output over the hidden, training and validation entries",
    },
    rows,
  });
}

const out = scriptArgs(process.argv.slice(2), Object.keys(IMAGES), { quickFlag: false });
await runParts(out.parts, part);
await closeWorkerPools();
