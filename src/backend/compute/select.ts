/**
 * The backend registry and the selection rules (`--backend auto|cpu|gpu` on the CLI, the
 * `backend` option in the library):
 *
 * - `cpu`: the f64 CPU backend, always.
 * - `gpu`: the WebGPU backend, f32. Fails with {@link GpuUnavailableError} saying why when it
 *   cannot run: the caller asked for f64 precision, an optional package (gpu.js, webgpu) is not
 *   installed, or Dawn finds no adapter.
 * - `auto`: the CPU unless every one of these holds: the caller allows f32; a measured
 *   crossover table exists for the operation ({@link MEASURED_CROSSOVERS}, or the file named by
 *   `ARBOR_GPU_CROSSOVERS`, or `crossovers`); the operation's size is at least its crossover;
 *   and a WebGPU adapter answers. Whatever fails, `auto` falls back to the CPU silently (the
 *   reason is in the selection). Nothing GPU-related is loaded, and no device acquired, unless
 *   all the other conditions hold.
 *
 * Until the benchmark has measured crossovers on a GPU, {@link MEASURED_CROSSOVERS} is null and
 * `auto` never chooses the GPU.
 * @module
 */
import { readFileSync } from "node:fs";
import { ArgumentError } from "../../errors.js";
import { WorkerBackend } from "../gpu/worker-backend.js";
import { GpuUnavailableError, type BackendChoice, type BackendName, type ComputeBackend, type Precision } from "./backend.js";
import { CpuBackend } from "./cpu.js";

/** Operations with a measured crossover. */
export type CrossoverOperation = "gemm" | "completion-sweep" | "fit-sweep";

/**
 * Where the GPU starts to win, as measured by `npm run bench -- gpu` (bench/results/gpu.json,
 * field `crossovers`). Sizes: `gemm`, the n of an n×n·n×n product; `completion-sweep`, training
 * entries of one sweep; `fit-sweep`, entries of the fitted tensor. `null`: the GPU never won in
 * the measured range.
 */
export interface CrossoverTable {
  /** The adapter that was measured. */
  device: string;
  /** When (ISO date). */
  measured: string;
  crossovers: Partial<Record<CrossoverOperation, number | null>>;
}

/**
 * The crossovers measured on a GPU, built into the library. Null until a benchmark run on a GPU
 * has been recorded here (see docs/gpu.md): so `auto` never chooses the GPU.
 */
export const MEASURED_CROSSOVERS: CrossoverTable | null = null;

/** Options of {@link selectBackend}. */
export interface SelectOptions {
  /** What is asked for (default `"auto"`); `"gpujs-cpu"` names the gpu.js cpu-mode backend (tests). */
  backend?: BackendChoice | BackendName;
  /**
   * The precision the caller allows. `"f64"` rules the GPU out (`auto` → CPU, `gpu` → error);
   * `"f32"` allows it. Default: `"f32"` when `gpu` is asked for by name, `"f64"` otherwise.
   */
  precision?: Precision;
  /** The operation about to run and its size, for `auto` (see {@link CrossoverTable}). */
  operation?: CrossoverOperation;
  size?: number;
  /** Crossovers to use instead of the built-in (or `ARBOR_GPU_CROSSOVERS`) table; null: none. */
  crossovers?: CrossoverTable | null;
  /** Dawn toggles for the WebGPU backend, e.g. `["backend=null"]` in tests. */
  dawn?: string[];
}

/** A chosen backend and why. The caller owns it and must `dispose()` it. */
export interface BackendSelection {
  backend: ComputeBackend;
  reason: string;
}

/** The backends by name: what each is, and how to make one. */
export const BACKENDS: Readonly<Record<BackendName, { description: string; precision: Precision; create(options: SelectOptions): ComputeBackend }>> = {
  cpu: { description: "the f64 CPU kernels (WebAssembly SIMD, kernel threads)", precision: "f64", create: () => new CpuBackend() },
  "gpujs-cpu": { description: "the gpu.js kernels in gpu.js's cpu mode (f32, JavaScript; for tests)", precision: "f32", create: () => WorkerBackend.open({ mode: "gpujs-cpu" }) },
  gpu: {
    description: "the gpu.js kernels on WebGPU (Dawn), with a tiled WGSL GEMM (f32)",
    precision: "f32",
    create: (o) => WorkerBackend.open({ mode: "gpu", ...(o.dawn === undefined ? {} : { dawn: o.dawn }) }),
  },
};

/**
 * A crossover table read from a file: `bench/results/gpu.json` (the suite's records; the
 * `summary` record's `crossovers`) or a bare table.
 * @throws {@link ArgumentError} if the file holds no table (a summary without a GPU has none).
 */
export function loadCrossovers(path: string): CrossoverTable {
  const json = JSON.parse(readFileSync(path, "utf8")) as unknown;
  const summary = Array.isArray(json) ? (json as { kind?: string; crossovers?: unknown }[]).find((r) => r?.kind === "summary") : undefined;
  const table = (summary !== undefined ? summary.crossovers : json) as CrossoverTable | null;
  if (table === null || typeof table !== "object" || typeof table.device !== "string" || typeof table.crossovers !== "object" || table.crossovers === null) {
    throw new ArgumentError(`${path}: not a crossover table ({ device, measured, crossovers }), nor benchmark results with one`);
  }
  return table;
}

function defaultCrossovers(): CrossoverTable | null {
  const path = process.env.ARBOR_GPU_CROSSOVERS;
  if (path !== undefined && path !== "") return loadCrossovers(path);
  return MEASURED_CROSSOVERS;
}

/**
 * Chooses and creates a backend by the rules in the module notes.
 *
 * @throws {@link GpuUnavailableError} when `gpu` (or `gpujs-cpu`) is asked for by name and
 * cannot run, saying why; {@link ArgumentError} for an unknown backend name.
 * @example
 * ```ts
 * const { backend, reason } = selectBackend({ backend: "auto", precision: "f64" });
 * console.assert(backend.name === "cpu" && /f64/.test(reason));
 * backend.dispose();
 * ```
 */
export function selectBackend(options: SelectOptions = {}): BackendSelection {
  const choice = options.backend ?? "auto";
  if (choice === "cpu") return { backend: BACKENDS.cpu.create(options), reason: "cpu asked for" };
  if (choice === "gpu" || choice === "gpujs-cpu") {
    if (options.precision === "f64") {
      throw new GpuUnavailableError(`the ${choice} backend computes in f32 only (WebGPU has no f64), and f64 precision was asked for; use the cpu backend, or allow f32`);
    }
    return { backend: BACKENDS[choice].create(options), reason: `${choice} asked for` };
  }
  if (choice !== "auto") throw new ArgumentError(`unknown backend ${JSON.stringify(choice)}; expected auto, cpu or gpu`);
  const cpu = (reason: string): BackendSelection => ({ backend: BACKENDS.cpu.create(options), reason: `auto: ${reason}` });
  if ((options.precision ?? "f64") !== "f32") return cpu("f64 precision asked for, and the GPU computes in f32");
  const table = options.crossovers !== undefined ? options.crossovers : defaultCrossovers();
  if (table === null) return cpu("no crossover measured on a GPU yet, so the GPU is never chosen");
  if (options.operation === undefined || options.size === undefined) return cpu("no operation size given to compare with the measured crossover");
  const at = table.crossovers[options.operation];
  if (at === undefined || at === null) return cpu(`the GPU never beat the CPU at ${options.operation} on ${table.device}`);
  if (options.size < at) return cpu(`${options.operation} of size ${options.size} is below the measured crossover ${at} (${table.device})`);
  try {
    const backend = BACKENDS.gpu.create(options);
    return { backend, reason: `auto: ${options.operation} of size ${options.size} ≥ crossover ${at}; on ${backend.device}` };
  } catch (e) {
    return cpu(`the GPU cannot run (${(e as Error).message})`);
  }
}

/** {@link selectBackend} for a name, a ready backend, or nothing (→ undefined: the caller's CPU code path). */
export function resolveBackend(backend: BackendChoice | BackendName | ComputeBackend | undefined, options: Omit<SelectOptions, "backend"> = {}): { backend: ComputeBackend; owned: boolean; reason: string } | undefined {
  if (backend === undefined) return undefined;
  if (typeof backend === "object") return { backend, owned: false, reason: `${backend.name} given` };
  const s = selectBackend({ ...options, backend });
  return { backend: s.backend, owned: true, reason: s.reason };
}
