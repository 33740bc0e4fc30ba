/**
 * Correctness checks of a GPU backend against the f64 CPU backend, within f32 tolerances
 * (relative Frobenius error ≤ 1e-5·√k for sums of k products of unit-size operands). Used by
 * the real-adapter tests (test/backend/gpu/real-adapter.test.ts, skipped without an adapter) and,
 * compiled, by scripts/gpu-device-check.sh on a lent GPU machine, where vitest is not installed:
 *
 *   node dist/bench/gpu-check.js [--out FILE]   → one JSON line per check; exit 0 all passed,
 *                                                 1 a check failed, 2 no GPU backend
 * @module
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { ComputeBackend } from "../src/backend/compute/backend.js";
import { CpuBackend } from "../src/backend/compute/cpu.js";
import { WorkerBackend } from "../src/backend/gpu/worker-backend.js";
import { completeTensor } from "../src/completion/complete.js";
import { Rng } from "../src/linalg/random.js";
import { sampleObserved } from "../src/search/fit/observed.js";
import { TensorNetwork } from "../src/search/network/network.js";
import { NetworkStructure } from "../src/search/network/structure.js";

/** One check: its error against the CPU and the tolerance it must meet. */
export interface CheckResult {
  name: string;
  error: number;
  tolerance: number;
  pass: boolean;
  ms: number;
}

function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (x[i]! - y[i]!) ** 2;
    den += y[i]! ** 2;
  }
  return Math.sqrt(num / (den || 1));
}

const tol = (k: number): number => 1e-5 * Math.sqrt(Math.max(1, k));

/**
 * Runs every check of `be` (a GPU or gpu.js backend) against the CPU backend; `small` shrinks
 * the sizes for gpu.js's cpu mode (the full sizes are for a GPU: GEMMs to 2048³).
 */
export function gpuChecks(be: ComputeBackend, small = false): CheckResult[] {
  const cpu = new CpuBackend();
  const rng = new Rng(42);
  const rand = (n: number) => Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
  const out: CheckResult[] = [];
  const check = (name: string, k: number, fn: () => [ArrayLike<number>, ArrayLike<number>]): void => {
    const t0 = performance.now();
    let error = Infinity;
    try {
      const [got, want] = fn();
      error = got.length === want.length ? relErr(got, want) : Infinity;
    } catch (e) {
      name += ` (threw: ${(e as Error).message.split("\n")[0]})`;
    }
    const tolerance = tol(k);
    out.push({ name, error, tolerance, pass: error <= tolerance, ms: performance.now() - t0 });
  };
  const gemmKernels = be instanceof WorkerBackend && be.name === "gpu" ? (["gpujs", "tiled"] as const) : (["gpujs"] as const);
  const gemmSizes: (readonly [number, number, number])[] = small ? [[100, 70, 50], [65, 33, 129]] : [[100, 70, 50], [513, 257, 129], [1024, 1024, 1024], [2048, 2048, 2048]];
  for (const [m, n, k] of gemmSizes) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      if (m >= 1024 && (transA || transB)) continue;
      const A = rand(m * k), B = rand(k * n);
      const want = cpu.read(cpu.gemm({ m, n, k, transA, transB }, cpu.upload(A), cpu.upload(B)));
      for (const kernel of gemmKernels) {
        check(`gemm ${kernel} ${m}×${n}×${k}${transA ? " Aᵀ" : ""}${transB ? " Bᵀ" : ""}`, k, () => {
          const a = be.upload(A), b = be.upload(B);
          const c = be instanceof WorkerBackend ? be.gemmWith({ m, n, k, transA, transB }, a, b, kernel) : be.gemm({ m, n, k, transA, transB }, a, b);
          const got = be.read(c);
          [a, b, c].forEach((x) => be.free(x));
          return [got, want];
        });
      }
    }
  }
  // Batched gathered products over many items (the completion interfaces' shape).
  for (const batch of small ? [1000] : [1000, 100_000]) {
    const r = 4, stride = 20, tables = 30;
    const X = rand(batch * stride), T = rand(tables * r * r), idx = Float64Array.from({ length: 3 * batch }, (_, i) => (i * 7) % tables);
    const spec = (b: ComputeBackend, x: ReturnType<ComputeBackend["upload"]>, t: ReturnType<ComputeBackend["upload"]>, g: ReturnType<ComputeBackend["upload"]>, c: ReturnType<ComputeBackend["upload"]>) =>
      b.batchedGemm({ batch, m: r, n: r, k: r, cStride: stride, c, a: { array: x, stride, transpose: true }, b: { array: t, stride: r * r, gather: { index: g, step: 3, at: 2 } } });
    const cc = cpu.zeros(batch * stride);
    spec(cpu, cpu.upload(X), cpu.upload(T), cpu.upload(idx), cc);
    const want = cpu.read(cc);
    check(`batched gathered products, ${batch} items of 4×4·4×4`, r, () => {
      const x = be.upload(X), t = be.upload(T), g = be.upload(idx), c = be.zeros(batch * stride);
      spec(be, x, t, g, c);
      const got = be.read(c);
      [x, t, g, c].forEach((a) => be.free(a));
      return [got, want];
    });
  }
  // Per-slice normal equations (ring interfaces, r0 = 2).
  {
    const samples = small ? 16_000 : 200_000, r0 = 2, rl = 3, rr = 4, stride = 8, slices = 16;
    const P = rand(samples * stride), Q = rand(samples * stride), values = rand(samples);
    const order = Float64Array.from({ length: samples }, (_, i) => (i % slices) * (samples / slices) + Math.floor(i / slices));
    const starts = Int32Array.from({ length: slices + 1 }, (_, j) => (j * samples) / slices);
    const want = cpu.sliceNormalEquations({ samples, r0, rl, rr, stride, starts, P: cpu.upload(P), Q: cpu.upload(Q), values: cpu.upload(values), order: cpu.upload(order) });
    let got: { gram: Float64Array; rhs: Float64Array } | undefined;
    check(`slice normal equations: Gram, ${samples} samples, R = 12`, (samples / slices) * r0, () => {
      const arrs = [be.upload(P), be.upload(Q), be.upload(values), be.upload(order)] as const;
      got = be.sliceNormalEquations({ samples, r0, rl, rr, stride, starts, P: arrs[0], Q: arrs[1], values: arrs[2], order: arrs[3] });
      arrs.forEach((a) => be.free(a));
      return [got.gram, want.gram];
    });
    check("slice normal equations: right-hand sides", (samples / slices) * r0, () => [got?.rhs ?? [], want.rhs]);
  }
  // A whole completion run against the CPU code path.
  {
    const structure = NetworkStructure.tensorTrain([8, 8, 8, 8, 8], 3);
    const x = TensorNetwork.random(structure, 1).toFull();
    const observed = sampleObserved(x, 0.2, 2);
    const options = { structure: { format: "tt" as const, rank: 3 }, maxSweeps: small ? 12 : 25, targetRse: 0, seed: 3, restarts: 0 };
    const ref = completeTensor(observed, options);
    check("completion run: validation error within f32 of the CPU run's (or ≤ 1e-3)", 1, () => {
      const run = completeTensor(observed, { ...options, backend: be });
      return [[Math.max(run.validationRse!, 1e-3)], [Math.max(ref.validationRse!, 1e-3)]];
    });
    out[out.length - 1]!.tolerance = 1; // within a factor 2 (relative error ≤ 1) of the CPU run's validation error
    out[out.length - 1]!.pass = out[out.length - 1]!.error <= 1;
  }
  return out;
}

function main(argv: string[]): number {
  const outAt = argv.indexOf("--out");
  const file = outAt >= 0 ? argv[outAt + 1] : undefined;
  let be: WorkerBackend;
  try {
    be = WorkerBackend.open({ mode: "gpu" });
  } catch (e) {
    const line = JSON.stringify({ device: null, error: (e as Error).message });
    process.stdout.write(line + "\n");
    if (file !== undefined) writeFileSync(file, line + "\n");
    return 2;
  }
  try {
    const results = gpuChecks(be);
    const lines = [JSON.stringify({ device: be.device, adapter: be.adapter }), ...results.map((r) => JSON.stringify(r))];
    process.stdout.write(lines.join("\n") + "\n");
    if (file !== undefined) writeFileSync(file, lines.join("\n") + "\n");
    const failed = results.filter((r) => !r.pass);
    process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed\n`);
    return failed.length === 0 ? 0 : 1;
  } finally {
    be.dispose();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let code = 1;
  try {
    code = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`gpu-check: ${(e as Error).stack ?? String(e)}\n`);
  }
  // Dawn can keep the process alive after the device is gone: exit explicitly.
  process.exit(code);
}
