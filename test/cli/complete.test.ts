import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { psnr, readPng, ssim, writePng, writeTns } from "../../src/completion/index.js";
import { readNpy, writeNpy } from "../../src/linalg/io/npy.js";
import { Tensor } from "../../src/linalg/tensor.js";
import { sampleObserved } from "../../src/search/fit/observed.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { arbor } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "arbor-cli-complete-"));
// A rank-2 train of shape 5⁴: in full, with half its entries NaN, and half of them as a .tns.
const x = TensorNetwork.random(NetworkStructure.tensorTrain([5, 5, 5, 5], 2), 1).toFull() as Tensor<"f64">;
// A scattered pattern of holes (a fixed hash of the offset), about half of the entries.
const hole = (p: number): boolean => {
  const h = Math.sin(p * 12.9898 + 1) * 43758.5453;
  return h - Math.floor(h) < 0.5;
};

interface Report {
  format: string;
  reason: string;
  trainRse: number;
  validationRse: number | null;
  hiddenRse: number | null;
  psnr: number | null;
  ssim: number | null;
  parameters: number;
  sweeps: number;
  observed: number;
  hidden: number;
  input: { shape: number[]; imageShape?: number[] };
  structure: { format: string; dims: number[]; ranks: number[] };
  records: { sweep: number; trainRse: number }[];
}

beforeAll(() => {
  writeNpy(join(dir, "full.npy"), x);
  writeNpy(join(dir, "holes.npy"), new Tensor("f64", x.shape, Float64Array.from(x.data, (v, p) => (hole(p) ? NaN : v))));
  writeNpy(join(dir, "mask.npy"), new Tensor("f64", x.shape, Float64Array.from(x.data, (_, p) => (hole(p) ? 0 : 1))));
  writeTns(join(dir, "entries.tns"), sampleObserved(x, 0.5, 3));
  // A smooth grey gradient: additive over the row and column bits, so rank 2 once tensorised.
  writePng(join(dir, "gradient.png"), new Tensor("f64", [16, 16], Float64Array.from({ length: 256 }, (_, p) => 0.1 + (Math.floor(p / 16) + (p % 16)) / 40)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => arbor(["complete", ...args], { cwd: dir });
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>, keep: (p: number) => boolean): number => {
  let d = 0;
  for (let p = 0; p < a.length; p++) if (keep(p)) d = Math.max(d, Math.abs(a[p]! - b[p]!));
  return d;
};

describe("arbor complete", () => {
  it("completes a .npy with NaN holes, restoring the observed entries, and writes the network and report", () => {
    const r = run(["holes.npy", "--format", "tt", "--rank", "2", "--out", "out/completed.npy", "--network", "out/net.json", "--report", "out/report.json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^tt rank 2: converged, train RSE \S+, validation RSE \S+, 60 parameters, \d+ sweeps, [\d.]+ s\n$/);
    const completed = readNpy(join(dir, "out/completed.npy"));
    expect(completed.shape).toEqual([5, 5, 5, 5]);
    // Observed entries exactly as given; the missing ones recovered.
    expect(maxDiff(completed.data as Float64Array, x.data, (p) => !hole(p))).toBe(0);
    expect(maxDiff(completed.data as Float64Array, x.data, hole)).toBeLessThan(1e-6);
    const report = JSON.parse(readFileSync(join(dir, "out/report.json"), "utf8")) as Report;
    expect(report.format).toBe("arbor-completion/1");
    expect(report.reason).toBe("converged");
    expect(report.observed).toBe(Array.from({ length: x.size }, (_, p) => p).filter((p) => !hole(p)).length);
    expect(report.records).toHaveLength(report.sweeps);
    expect(report.structure).toMatchObject({ format: "tt", dims: [5, 5, 5, 5], ranks: [2, 2, 2] });
    const net = JSON.parse(readFileSync(join(dir, "out/net.json"), "utf8")) as { structure: { dims: number[] }; cores: { shape: number[] }[] };
    expect(net.structure.dims).toEqual([5, 5, 5, 5]);
    expect(net.cores.map((c) => c.shape.reduce((a, b) => a * b, 1)).reduce((a, b) => a + b, 0)).toBe(60);
  });

  it("--backend: auto without a measured crossover runs on the CPU and says why in the report; greedy refuses it", () => {
    const r = run(["full.npy", "--format", "tt", "--rank", "2", "--max-sweeps", "2", "--backend", "auto", "--precision", "f32", "--json"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { backend: { name: string; precision: string; reason: string } };
    expect(report.backend).toMatchObject({ name: "cpu", precision: "f64" });
    expect(report.backend.reason).toMatch(/no crossover measured on a GPU/);
    const g = run(["full.npy", "--format", "greedy", "--backend", "cpu"]);
    expect([g.status, g.stderr]).toEqual([2, "arbor: --backend and --precision apply to --format tt and tr; greedy fits on the CPU\n"]);
  });

  it("reads a mask, and with --model-only writes the model output at the observed entries too", () => {
    const r = run(["full.npy", "--mask", "mask.npy", "--format", "tt", "--rank", "2", "--model-only", "--out", "model.npy", "--quiet"]);
    expect(r.status).toBe(0);
    const model = readNpy(join(dir, "model.npy")).data as Float64Array;
    expect(maxDiff(model, x.data, () => true)).toBeLessThan(1e-6);
    expect(maxDiff(model, x.data, (p) => !hole(p))).toBeGreaterThan(0);
  });

  it("hides a seeded fraction of a fully known tensor and reports the error on it, as JSON", () => {
    const args = ["full.npy", "--format", "tr", "--rank", "2", "--missing", "0.6", "--seed", "4", "--json"];
    const r = run(args);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.observed + report.hidden).toBe(625);
    expect(report.hidden).toBe(375);
    expect(report.hiddenRse).toBeLessThan(1e-6);
    expect(report.psnr).toBeNull();
    expect(report.ssim).toBeNull();
    expect(report.structure.ranks).toEqual([2, 2, 2, 2]);
    // Seeded: the same run gives the same fit.
    const again = JSON.parse(run(args).stdout) as Report;
    expect([again.trainRse, again.hiddenRse]).toEqual([report.trainRse, report.hiddenRse]);
  });

  it("reads a .tns with per-bond ranks and a maximum number of sweeps", () => {
    const r = run(["entries.tns", "--format", "tt", "--rank", "2,2,2", "--max-sweeps", "3", "--validation", "0.2", "--json"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.input.shape).toEqual([5, 5, 5, 5]);
    expect(report.observed).toBe(313);
    expect(report.sweeps).toBeLessThanOrEqual(3);
    expect(report.reason).toBe("max-sweeps");
    expect(report.hiddenRse).toBeNull();
  });

  it("completes a PNG image with pixels hidden, reports PSNR and SSIM and writes the completed image", () => {
    const r = run(["gradient.png", "--format", "tt", "--rank", "2", "--missing", "0.5", "--out", "gradient-completed.png", "--report", "image.json"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/hidden RSE \S+, PSNR [\d.]+ dB, SSIM [\d.]+, /);
    const report = JSON.parse(readFileSync(join(dir, "image.json"), "utf8")) as Report;
    expect(report.input.imageShape).toEqual([16, 16, 1]);
    expect(report.input.shape).toEqual([4, 4, 4, 4, 1]);
    expect(report.observed + report.hidden).toBe(256);
    expect(report.psnr).toBeGreaterThan(35);
    expect(report.ssim).toBeGreaterThan(0.95);
    expect(report.ssim).toBeLessThanOrEqual(1);
    expect(report.hiddenRse).toBeLessThan(0.02);
    const original = readPng(join(dir, "gradient.png")), completed = readPng(join(dir, "gradient-completed.png"));
    expect(completed.shape).toEqual(original.shape);
    expect(maxDiff(completed.data as Float64Array, original.data as Float64Array, () => true)).toBeLessThan(0.05);
    // The reported numbers are those of the written image (observed pixels restored), up to its
    // 8-bit rounding, which here only brings the near-exact pixels closer (≈ 60 dB before it).
    expect(psnr(original, completed)).toBeGreaterThanOrEqual(report.psnr! - 0.5);
    expect(Math.abs(ssim(original, completed) - report.ssim!)).toBeLessThan(1e-3);
  });

  it("learns the ranks with --format greedy and completes the hidden entries", () => {
    const r = run(["full.npy", "--format", "greedy", "--candidates", "train", "--missing", "0.6", "--seed", "2", "--json"]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as Report & { stop: string; steps: { rse: number }[] };
    // The planted rank-2 train 5⁴ has 60 parameters.
    expect(report.structure.ranks).toEqual([2, 2, 2]);
    expect(report.parameters).toBe(60);
    expect(report.stop).toBe("target");
    expect(report.hiddenRse).toBeLessThan(1e-6);
    expect(report.steps.at(-1)!.rse).toBe(report.validationRse);
    const text = run(["full.npy", "--format", "greedy", "--candidates", "train", "--missing", "0.6", "--seed", "2"]);
    expect(text.stdout).toMatch(/^greedy \(train\) n=5,5,5,5\|e=0-1:2,1-2:2,2-3:2: target, train RSE \S+, validation RSE \S+, hidden RSE \S+, 60 parameters, 3 raises, [\d.]+ s\n$/);
  });

  it("refuses an unknown input type and bad --format, --rank or --missing with exit 2 and one line", () => {
    const cases: [string[], string][] = [
      [["data.txt", "--format", "tt", "--rank", "2"], "arbor: data.txt: unknown input type '.txt'; expected .tns, .csv, .npy, .png"],
      [["full.npy", "--format", "cp", "--rank", "2"], "arbor: --format must be tt, tr or greedy, got cp"],
      [["full.npy", "--format", "greedy", "--rank", "2"], "arbor: --rank does not apply to --format greedy, which learns the ranks"],
      [["full.npy", "--format", "greedy", "--candidates", "star"], "arbor: --candidates must be all-pairs, ring or train, got star"],
      [["full.npy", "--format", "tt", "--rank", "two"], "arbor: --rank must be a whole number ≥ 1 or a comma-separated list of them, got two"],
      [["full.npy", "--format", "tt", "--rank", "2", "--missing", "1"], "arbor: --missing must lie in [0, 1), got 1"],
    ];
    for (const [args, line] of cases) {
      const r = run(args);
      expect([r.status, r.stderr]).toEqual([2, `${line}\n`]);
    }
  });

  it("refuses a missing --format, an output of the wrong type and a missing file with exit 2", () => {
    const cases: [string[], string][] = [
      [["full.npy", "--rank", "2"], "arbor: --format is required: tt, tr or greedy"],
      [["full.npy", "--format", "tt", "--rank", "2", "--out", "x.png"], "arbor: --out .png needs an image (.png) input; write .npy instead"],
    ];
    for (const [args, line] of cases) {
      const r = run(args);
      expect([r.status, r.stderr]).toEqual([2, `${line}\n`]);
    }
    expect(existsSync(join(dir, "x.png"))).toBe(false);
    expect(run(["absent.npy", "--format", "tt", "--rank", "2"]).status).toBe(2);
  });
});
