/**
 * The asynchronous engine behind the gpu.js backends: the kernels of ./gpujs-kernels.ts on a
 * gpu.js `GPU` in `cpu` mode (`gpujs-cpu`) or in `webgpu` mode (`gpu`, with the tiled WGSL GEMM
 * of ./wgsl-gemm.ts on the same device), over arrays named by handles. In `gpu` mode every array
 * stays on the device (gpu.js pipeline results, `immutable` so that each call gets its own
 * buffer) until read back. The engine runs in a worker thread (./worker.ts) behind the
 * synchronous {@link ComputeBackend} of ./worker-backend.ts; tests also drive it directly.
 *
 * The optional packages `gpu.js` and `webgpu` are loaded here, lazily, and the WebGPU device is
 * acquired only by {@link GpuEngine.open} in `gpu` mode and destroyed by `dispose` (Dawn keeps a
 * CPU core busy while a device lives).
 * @module
 */
import { createRequire } from "node:module";
import { GpuUnavailableError } from "../compute/backend.js";
import { BATCHED_GEMM, GEMM, LOOP_MAX, SLICE_GRAM, type KernelSource } from "./gpujs-kernels.js";
import { GEMM_TILINGS, GEMM_UNIFORM_BYTES, gemmDispatch, tiledGemmWgsl, type GemmTiling } from "./wgsl-gemm.js";

/** Which engine: gpu.js's cpu mode, or WebGPU. */
export type EngineMode = "gpujs-cpu" | "gpu";

/** How large GEMMs run in `gpu` mode. */
export type GemmKernelChoice = "auto" | "gpujs" | "tiled";

/** Options of {@link GpuEngine.open}. */
export interface EngineOptions {
  mode: EngineMode;
  /**
   * Dawn toggles for `create()` of the `webgpu` package, e.g. `["backend=null"]` (Dawn's null
   * device: every call validates, shaders compile, nothing executes — what CI uses to check the
   * WGSL) or `["adapter=NVIDIA"]`.
   */
  dawn?: string[];
  /** GEMM kernel in `gpu` mode (default "auto": tiled from {@link TILED_MIN} on). */
  gemmKernel?: GemmKernelChoice;
  /** Tiling of the WGSL GEMM (default the first of GEMM_TILINGS). */
  tiling?: GemmTiling;
}

/** The smallest m, n and k for which `auto` uses the tiled WGSL GEMM. */
export const TILED_MIN = 64;

/** What {@link GpuEngine.open} found. */
export interface EngineInfo {
  mode: EngineMode;
  /** The adapter in words, or "gpu.js cpu mode". */
  device: string;
  /** Adapter details in `gpu` mode. */
  adapter?: { vendor: string; architecture: string; device: string; description: string };
}

/** Plain shapes and handles of the engine's operations (what crosses the thread boundary). */
export interface EngineGemm {
  out: number;
  a: number;
  b: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  kernel?: GemmKernelChoice;
}

/** One operand of {@link EngineBatched}: as BatchOperand, with handles. */
export interface EngineOperand {
  array: number;
  offset: number;
  stride: number;
  transpose: boolean;
  gather?: { index: number; step: number; at: number };
}

export interface EngineBatched {
  batch: number;
  m: number;
  n: number;
  k: number;
  a: EngineOperand;
  b: EngineOperand;
  c: number;
  cStride: number;
}

export interface EngineSliceNormal {
  samples: number;
  r0: number;
  rl: number;
  rr: number;
  stride: number;
  P: number;
  Q: number;
  values: number;
  order: number;
  starts: Int32Array;
}

// ---- minimal structural types of what is used from gpu.js and WebGPU -------------------------

interface GpuJsKernel {
  (...args: unknown[]): unknown;
  setOutput(output: number[]): unknown;
}
interface GpuJsGpu {
  createKernel(source: string, settings: Record<string, unknown>): GpuJsKernel;
  destroy(): unknown;
}
interface BufferResult {
  buffer: GpuBuffer;
  delete(): void;
}
interface GpuJsModule {
  GPU: new (settings: { mode: string }) => GpuJsGpu;
  WebGPUContext: { acquire(): Promise<GpuContext>; destroy(): Promise<void> };
  WebGPUBufferResult: new (settings: { buffer: GpuBuffer; output: number[]; context: GpuContext; kernel: unknown }) => BufferResult;
}
interface GpuBuffer {
  size: number;
  destroy(): void;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
}
interface GpuPipeline {
  getBindGroupLayout(i: number): unknown;
}
interface GpuPass {
  setPipeline(p: GpuPipeline): void;
  setBindGroup(i: number, g: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
interface GpuEncoder {
  beginComputePass(): GpuPass;
  copyBufferToBuffer(src: GpuBuffer, srcOffset: number, dst: GpuBuffer, dstOffset: number, size: number): void;
  finish(): unknown;
}
interface GpuDevice {
  limits: Record<string, number>;
  queue: { writeBuffer(b: GpuBuffer, offset: number, data: ArrayBufferView): void; submit(c: unknown[]): void; onSubmittedWorkDone(): Promise<void> };
  createBuffer(d: { size: number; usage: number }): GpuBuffer;
  createShaderModule(d: { code: string }): { getCompilationInfo(): Promise<{ messages: { type: string; message: string; lineNum: number }[] }> };
  createComputePipeline(d: unknown): GpuPipeline;
  createBindGroup(d: unknown): unknown;
  createCommandEncoder(): GpuEncoder;
  pushErrorScope(filter: string): void;
  popErrorScope(): Promise<{ message: string } | null>;
  destroy(): void;
}
interface GpuAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}
interface GpuContext {
  adapter: GpuAdapter;
  device: GpuDevice;
}

// WebGPU's constants (fixed by the spec), so this module loads where WebGPU does not exist.
const USAGE = { MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, UNIFORM: 0x0040, STORAGE: 0x0080 };
const MAP_READ = 0x0001;

const require = createRequire(import.meta.url);

/** gpu.js, or a GpuUnavailableError saying why it cannot be loaded. */
export function loadGpuJs(): GpuJsModule {
  try {
    return require("gpu.js") as GpuJsModule;
  } catch (e) {
    throw new GpuUnavailableError(`the optional package gpu.js could not be loaded (${(e as Error).message.split("\n")[0]}); install it with \`npm install gpu.js@2.24.1\``);
  }
}

/** The `webgpu` package (Dawn for Node), or a GpuUnavailableError saying why it cannot be loaded. */
export async function loadWebGpu(): Promise<{ create(flags: string[]): { requestAdapter(o?: unknown): Promise<GpuAdapter | null> }; globals: Record<string, unknown> }> {
  try {
    // A computed specifier: the package is optional, and its types are not needed here.
    const name = "webgpu";
    return (await import(name)) as never;
  } catch (e) {
    throw new GpuUnavailableError(`the optional package webgpu (Dawn for Node, ≥ 0.6.2) could not be loaded (${(e as Error).message.split("\n")[0]}); install it with \`npm install webgpu@^0.6.2\``);
  }
}

type Stored = Float32Array | BufferResult;

function flatten(x: unknown, length: number): Float32Array {
  if (x instanceof Float32Array) return x.length === length ? x : x.subarray(0, length);
  const out = new Float32Array(length);
  let at = 0;
  const walk = (v: unknown): void => {
    if (at >= length) return;
    if (v instanceof Float32Array) {
      const n = Math.min(v.length, length - at);
      out.set(v.subarray(0, n), at);
      at += n;
    } else for (const w of v as unknown[]) walk(w);
  };
  walk(x);
  return out;
}

/** One gpu.js or WebGPU engine; see the module notes. */
export class GpuEngine {
  private readonly arrays = new Map<number, { data: Stored; length: number }>();
  private readonly kernels = new Map<string, GpuJsKernel>();
  private readonly pipelines = new Map<string, GpuPipeline>();
  private uniform: GpuBuffer | undefined;
  private dummy = -1;
  private closed = false;

  private constructor(
    readonly info: EngineInfo,
    private readonly gpujs: GpuJsModule,
    private readonly gpu: GpuJsGpu,
    private readonly context: GpuContext | undefined,
    private readonly options: EngineOptions,
  ) {}

  /**
   * Loads gpu.js (and in `gpu` mode the `webgpu` package, an adapter and a device).
   * @throws {@link GpuUnavailableError} naming why the engine cannot run.
   */
  static async open(options: EngineOptions): Promise<GpuEngine> {
    const gpujs = loadGpuJs();
    if (options.mode === "gpujs-cpu") return new GpuEngine({ mode: "gpujs-cpu", device: "gpu.js cpu mode (JavaScript, f32)" }, gpujs, new gpujs.GPU({ mode: "cpu" }), undefined, options);
    const webgpu = await loadWebGpu();
    Object.assign(globalThis, webgpu.globals);
    const api = webgpu.create(options.dawn ?? []);
    Object.defineProperty(globalThis, "navigator", { value: { gpu: api }, configurable: true, writable: true });
    const adapter = await api.requestAdapter();
    if (adapter === null) {
      throw new GpuUnavailableError(
        "no WebGPU adapter: Dawn found no usable GPU (on Linux it needs the Vulkan loader libvulkan.so.1 and a GPU driver that Vulkan finds, e.g. through VK_DRIVER_FILES; see docs/gpu.md)",
      );
    }
    const context = await gpujs.WebGPUContext.acquire();
    const a = context.adapter.info ?? {};
    const adapterInfo = { vendor: a.vendor ?? "", architecture: a.architecture ?? "", device: a.device ?? "", description: a.description ?? "" };
    const words = [adapterInfo.description, adapterInfo.vendor, adapterInfo.architecture, adapterInfo.device].filter((s) => s !== "");
    const device = `WebGPU (Dawn): ${words.length > 0 ? [...new Set(words)].join(", ") : "unnamed adapter"}${(options.dawn ?? []).length > 0 ? ` [${options.dawn!.join(" ")}]` : ""}`;
    return new GpuEngine({ mode: "gpu", device, adapter: adapterInfo }, gpujs, new gpujs.GPU({ mode: "webgpu" }), context, options);
  }

  private get onDevice(): boolean {
    return this.context !== undefined;
  }

  private check(): void {
    if (this.closed) throw new Error("gpu engine: used after dispose()");
  }

  private get(h: number): { data: Stored; length: number } {
    this.check();
    const x = this.arrays.get(h);
    if (x === undefined) throw new Error(`gpu engine: no array ${h} (freed?)`);
    return x;
  }

  private set(h: number, data: Stored, length: number): void {
    const old = this.arrays.get(h);
    if (old !== undefined && old.data !== data && !(old.data instanceof Float32Array)) old.data.delete();
    this.arrays.set(h, { data, length });
  }

  // What a gpu.js kernel takes for array h.
  private arg(h: number): Stored {
    return this.get(h).data;
  }

  private newBuffer(length: number): GpuBuffer {
    return this.context!.device.createBuffer({ size: 4 * Math.max(1, length), usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  }

  private wrap(buffer: GpuBuffer, length: number): BufferResult {
    return new this.gpujs.WebGPUBufferResult({ buffer, output: [Math.max(1, length)], context: this.context!, kernel: null });
  }

  /** Array h ← data. */
  upload(h: number, data: Float32Array): void {
    this.check();
    if (!this.onDevice) return this.set(h, data.slice(), data.length);
    const buffer = this.newBuffer(data.length);
    if (data.length > 0) this.context!.device.queue.writeBuffer(buffer, 0, data);
    this.set(h, this.wrap(buffer, data.length), data.length);
  }

  /** Array h ← `length` zeros. */
  zeros(h: number, length: number): void {
    this.check();
    if (!this.onDevice) return this.set(h, new Float32Array(length), length);
    this.set(h, this.wrap(this.newBuffer(length), length), length); // WebGPU zero-initialises buffers
  }

  /** Elements offset… of array h ← data. */
  write(h: number, data: Float32Array, offset: number): void {
    const x = this.get(h);
    if (offset < 0 || offset + data.length > x.length) throw new Error(`gpu engine: writing ${data.length} elements at ${offset} into ${x.length}`);
    if (x.data instanceof Float32Array) {
      x.data.set(data, offset);
      return;
    }
    // gpu.js outputs cannot be written to (no COPY_DST): copy into a buffer that can.
    const device = this.context!.device;
    const buffer = this.newBuffer(x.length);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(x.data.buffer, 0, buffer, 0, 4 * Math.max(1, x.length));
    device.queue.submit([enc.finish()]);
    if (data.length > 0) device.queue.writeBuffer(buffer, 4 * offset, data);
    this.set(h, this.wrap(buffer, x.length), x.length);
  }

  /** `length` elements of array h from `offset`. */
  async read(h: number, offset: number, length: number): Promise<Float32Array> {
    const x = this.get(h);
    if (offset < 0 || offset + length > x.length) throw new Error(`gpu engine: reading ${length} elements at ${offset} from ${x.length}`);
    if (x.data instanceof Float32Array) return x.data.slice(offset, offset + length);
    if (length === 0) return new Float32Array(0);
    const device = this.context!.device;
    const staging = device.createBuffer({ size: 4 * length, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(x.data.buffer, 4 * offset, staging, 0, 4 * length);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(MAP_READ, 0, 4 * length);
    const out = new Float32Array(staging.getMappedRange(0, 4 * length).slice(0));
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** Releases array h (no-op when unknown). */
  free(h: number): void {
    const x = this.arrays.get(h);
    if (x === undefined) return;
    if (!(x.data instanceof Float32Array)) x.data.delete();
    this.arrays.delete(h);
  }

  /** Waits until the device has finished the work submitted so far (timing). */
  async finish(): Promise<void> {
    if (this.onDevice) await this.context!.device.queue.onSubmittedWorkDone();
  }

  private kernel(src: KernelSource): GpuJsKernel {
    let k = this.kernels.get(src.name);
    if (k === undefined) {
      k = this.gpu.createKernel(src.source, {
        output: src.rank === 2 ? [1, 1] : [1, 1, 1],
        dynamicOutput: true,
        dynamicArguments: true,
        pipeline: this.onDevice,
        immutable: true,
        argumentTypes: src.argumentTypes,
        loopMaxIterations: LOOP_MAX,
        tactic: "precision",
      });
      this.kernels.set(src.name, k);
    }
    return k;
  }

  // Runs a gpu.js kernel over `output`; its result becomes array h of `length` elements.
  private async runKernel(src: KernelSource, output: number[], length: number, h: number, args: unknown[]): Promise<void> {
    const k = this.kernel(src);
    k.setOutput(output);
    const result = await k(...args);
    if (this.onDevice) this.set(h, result as BufferResult, length);
    else this.set(h, flatten(result, length), length);
  }

  /** A one-element array, for gather arguments that are off. */
  private dummyArray(): number {
    if (this.dummy < 0) {
      this.dummy = -2;
      this.upload(this.dummy, new Float32Array(1));
    }
    return this.dummy;
  }

  /** Array `out` ← op(A)·op(B). */
  async gemm(g: EngineGemm): Promise<void> {
    const { m, n, k, transA, transB } = g;
    if (m === 0 || n === 0) return this.zeros(g.out, m * n);
    const choice = g.kernel ?? this.options.gemmKernel ?? "auto";
    const tiled = this.onDevice && (choice === "tiled" || (choice === "auto" && m >= TILED_MIN && n >= TILED_MIN && k >= TILED_MIN));
    if (tiled) return this.tiledGemm(g);
    if (k === 0) return this.zeros(g.out, m * n);
    const sai = transA ? 1 : k, sap = transA ? m : 1, sbp = transB ? 1 : n, sbj = transB ? k : 1;
    await this.runKernel(GEMM, [n, m], m * n, g.out, [this.arg(g.a), this.arg(g.b), k, 0, sai, sap, 0, sbp, sbj]);
  }

  private tiledPipeline(t: GemmTiling, transA: boolean, transB: boolean): GpuPipeline {
    const key = `${t.BM}/${t.BN}/${t.BK}/${t.TM}/${t.TN}/${transA}/${transB}`;
    let p = this.pipelines.get(key);
    if (p === undefined) {
      const device = this.context!.device;
      const limits = {
        maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup ?? 256,
        maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize ?? 16384,
        maxComputeWorkgroupSizeX: device.limits.maxComputeWorkgroupSizeX ?? 256,
        maxComputeWorkgroupSizeY: device.limits.maxComputeWorkgroupSizeY ?? 256,
      };
      const module = device.createShaderModule({ code: tiledGemmWgsl(t, transA, transB, limits) });
      p = device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
      this.pipelines.set(key, p);
    }
    return p;
  }

  private tiledGemm(g: EngineGemm): void {
    const { m, n, k, transA, transB } = g;
    const t = this.options.tiling ?? GEMM_TILINGS[0]!;
    const device = this.context!.device;
    const pipeline = this.tiledPipeline(t, transA, transB);
    this.uniform ??= device.createBuffer({ size: GEMM_UNIFORM_BYTES, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    device.queue.writeBuffer(this.uniform, 0, new Uint32Array([m, n, k, 0]));
    const out = this.newBuffer(m * n);
    const a = this.get(g.a).data as BufferResult, b = this.get(g.b).data as BufferResult;
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniform } },
        { binding: 1, resource: { buffer: a.buffer } },
        { binding: 2, resource: { buffer: b.buffer } },
        { binding: 3, resource: { buffer: out } },
      ],
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    const [gx, gy] = gemmDispatch(t, m, n);
    pass.dispatchWorkgroups(gx, gy, 1);
    pass.end();
    device.queue.submit([enc.finish()]);
    this.set(g.out, this.wrap(out, m * n), m * n);
  }

  /** A batch of small products into array c (see BatchedGemmSpec). */
  async batched(s: EngineBatched): Promise<void> {
    const { batch, m, n, k, a, b, cStride } = s;
    if (batch === 0) return this.zeros(s.c, 0);
    // t = y + B1·z: WebGPU dispatches at most 65535 workgroups (of 8) per dimension.
    const B1 = Math.min(batch, 8 * 4096), B2 = Math.ceil(batch / B1);
    const ga = a.gather?.index ?? this.dummyArray(), gb = b.gather?.index ?? this.dummyArray();
    const sai = a.transpose ? 1 : k, sap = a.transpose ? m : 1, sbp = b.transpose ? 1 : n, sbj = b.transpose ? k : 1;
    await this.runKernel(BATCHED_GEMM, [cStride, B1, B2], batch * cStride, s.c, [
      this.arg(a.array), this.arg(b.array), this.arg(ga), this.arg(gb), batch, B1, m, n, k,
      a.offset, a.stride, sai, sap, a.gather ? 1 : 0, a.gather?.step ?? 0, a.gather?.at ?? 0,
      b.offset, b.stride, sbp, sbj, b.gather ? 1 : 0, b.gather?.step ?? 0, b.gather?.at ?? 0,
    ]);
  }

  /** Completion's per-slice normal equations (see SliceNormalSpec); f32 results. */
  async sliceNormal(s: EngineSliceNormal): Promise<{ gram: Float32Array; rhs: Float32Array }> {
    const { samples, r0, rl, rr, stride, starts } = s;
    const R = rl * rr, slices = starts.length - 1;
    if (slices > 65535) throw new Error(`gpu engine: ${slices} slices exceed WebGPU's 65535 workgroups per dimension`);
    // Temporary arrays get negative handles below the dummy's.
    const E = -3, ys = -4, st = -5, ones = -6, G = -7;
    try {
      // E (sorted by slice) = P[order[t]]ᵀ · Q[order[t]]ᵀ, and ys = values[order[t]].
      await this.batched({
        batch: samples, m: rl, n: rr, k: r0, cStride: R, c: E,
        a: { array: s.P, offset: 0, stride, transpose: true, gather: { index: s.order, step: 1, at: 0 } },
        b: { array: s.Q, offset: 0, stride, transpose: true, gather: { index: s.order, step: 1, at: 0 } },
      });
      this.upload(ones, new Float32Array([1]));
      await this.batched({
        batch: samples, m: 1, n: 1, k: 1, cStride: 1, c: ys,
        a: { array: s.values, offset: 0, stride: 1, transpose: false, gather: { index: s.order, step: 1, at: 0 } },
        b: { array: ones, offset: 0, stride: 0, transpose: false },
      });
      this.upload(st, Float32Array.from(starts));
      await this.runKernel(SLICE_GRAM, [R + 1, R, slices], slices * R * (R + 1), G, [this.arg(E), this.arg(ys), this.arg(st), R]);
      const both = await this.read(G, 0, slices * R * (R + 1));
      const gram = new Float32Array(slices * R * R), rhs = new Float32Array(slices * R);
      for (let j = 0; j < slices; j++) {
        for (let a = 0; a < R; a++) {
          const row = (j * R + a) * (R + 1);
          gram.set(both.subarray(row, row + R), (j * R + a) * R);
          rhs[j * R + a] = both[row + R]!;
        }
      }
      return { gram, rhs };
    } finally {
      for (const h of [E, ys, st, ones, G]) this.free(h);
    }
  }

  /** gram = B·Bᵀ, rhs = B·Xᵀ (B rows×cols, X n×cols). */
  async leastSquaresNormal(B: number, X: number, rows: number, cols: number, n: number): Promise<{ gram: Float32Array; rhs: Float32Array }> {
    const G = -8, H = -9;
    try {
      await this.gemm({ out: G, a: B, b: B, m: rows, n: rows, k: cols, transA: false, transB: true });
      await this.gemm({ out: H, a: B, b: X, m: rows, n, k: cols, transA: false, transB: true });
      return { gram: await this.read(G, 0, rows * rows), rhs: await this.read(H, 0, rows * n) };
    } finally {
      this.free(G);
      this.free(H);
    }
  }

  /**
   * Compiles the tiled WGSL GEMM for `tiling` and returns Dawn's messages (empty when it
   * compiled): used by tests on the null device.
   */
  async compileTiled(tiling: GemmTiling, transA: boolean, transB: boolean): Promise<string[]> {
    if (!this.onDevice) return ["not on a WebGPU device"];
    const device = this.context!.device;
    device.pushErrorScope("validation");
    const module = device.createShaderModule({ code: tiledGemmWgsl(tiling, transA, transB) });
    const info = await module.getCompilationInfo();
    device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
    const err = await device.popErrorScope();
    return [...info.messages.filter((x) => x.type === "error").map((x) => `line ${x.lineNum}: ${x.message}`), ...(err === null ? [] : [err.message])];
  }

  /** Frees every array, the kernels and (in `gpu` mode) destroys the device. Idempotent. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of [...this.arrays.keys()]) this.free(h);
    this.uniform?.destroy();
    try {
      await this.gpu.destroy();
    } catch {
      // a kernel that never built has nothing to destroy
    }
    if (this.onDevice) await this.gpujs.WebGPUContext.destroy();
  }
}
