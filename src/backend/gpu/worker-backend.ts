/**
 * The synchronous {@link ComputeBackend} of the gpu.js engines: a worker thread owns the engine
 * (./worker.ts) and this side blocks on each call (`Atomics.wait`, then `receiveMessageOnPort`),
 * so algorithms call the GPU like the CPU, while the device's asynchronous API (readback is a
 * Promise in WebGPU) runs on the worker's event loop. Arrays stay in the worker (on the device
 * in `gpu` mode); only what `read` and the domain kernels return crosses over.
 *
 * The worker runs the compiled module under dist/ (tests run src/ and need `npm run build`, as
 * the worker pool does). `dispose` destroys the device and terminates the worker; the worker is
 * unref'd, so a forgotten backend does not keep the process alive — but Dawn may, so a CLI
 * should still dispose and exit explicitly.
 * @module
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { ArborError, ArgumentError } from "../../errors.js";
import { compiledModuleUrl } from "../pool/module-url.js";
import { checkBatchedGemm, GpuUnavailableError, type BackendArray, type BatchedGemmSpec, type BatchOperand, type ComputeBackend, type GemmShape, type NormalEquations, type SliceNormalSpec } from "../compute/backend.js";
import type { EngineInfo, EngineOperand, EngineOptions, GemmKernelChoice } from "./engine.js";
import type { Reply, Request } from "./protocol.js";
import type { GemmTiling } from "./wgsl-gemm.js";

class WorkerArray implements BackendArray {
  freed = false;
  constructor(readonly handle: number, readonly owner: object, readonly length: number) {}
}

/** How long one call may take before the backend gives up on the worker (ms). */
const CALL_TIMEOUT_MS = 10 * 60 * 1000;
/** How long opening may take (loading gpu.js and Dawn, finding an adapter, a device). */
const OPEN_TIMEOUT_MS = 120 * 1000;

let webgpuLoaded = false;

/**
 * Whether this process has started a WebGPU engine (loaded Dawn). A CLI should then exit
 * explicitly (`process.exit`) when done: Dawn can keep a process alive after its device is gone.
 */
export function webgpuWasLoaded(): boolean {
  return webgpuLoaded;
}

/** A gpu.js engine (`gpujs-cpu` or `gpu`) in a worker thread, called synchronously. */
export class WorkerBackend implements ComputeBackend {
  readonly precision = "f32" as const;
  private next = 1;
  private done = false;
  private constructor(
    readonly name: "gpujs-cpu" | "gpu",
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly flag: Int32Array,
    private info: EngineInfo | undefined,
  ) {}

  /**
   * Starts the worker and opens its engine.
   * @throws {@link GpuUnavailableError} naming why the engine cannot run (no adapter, a
   * missing optional package); the worker is gone by then.
   */
  static open(options: EngineOptions): WorkerBackend {
    if (options.mode === "gpu") webgpuLoaded = true;
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const url = new URL(compiledModuleUrl(import.meta.url, "./worker.js"));
    const worker = new Worker(url, { workerData: { port: port2, flag, options }, transferList: [port2] });
    worker.unref();
    port1.unref();
    const backend = new WorkerBackend(options.mode, worker, port1, flag, undefined);
    try {
      backend.info = backend.call({ op: "open" }, OPEN_TIMEOUT_MS) as EngineInfo;
    } catch (e) {
      backend.done = true;
      void worker.terminate();
      throw e;
    }
    return backend;
  }

  get device(): string {
    return this.info?.device ?? "not opened";
  }

  /** Adapter details (`gpu` mode). */
  get adapter(): EngineInfo["adapter"] {
    return this.info?.adapter;
  }

  get disposed(): boolean {
    return this.done;
  }

  private call(req: Request, timeoutMs = CALL_TIMEOUT_MS, transfer: ArrayBuffer[] = []): unknown {
    if (this.done && req.op !== "open") throw new ArborError("E_STATE", `${this.name} backend: used after dispose()`);
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(req, transfer);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        this.done = true;
        void this.worker.terminate();
        throw new ArborError("E_GPU_TIMEOUT", `${this.name} backend: the worker did not answer "${req.op}" within ${Math.round(timeoutMs / 1000)} s; it was terminated`);
      }
      Atomics.wait(this.flag, 0, 0, Math.min(left, 1000));
      const msg = receiveMessageOnPort(this.port);
      if (msg === undefined) continue;
      const r = msg.message as Reply;
      if (r.ok) return r.value;
      if (r.code === "E_GPU_UNAVAILABLE") throw new GpuUnavailableError(r.message);
      throw new ArborError(r.code ?? "E_GPU", `${this.name} backend: ${r.message}`);
    }
  }

  private own(x: BackendArray): WorkerArray {
    if (!(x instanceof WorkerArray) || x.owner !== this) throw new ArgumentError(`${this.name} backend: the array belongs to another backend`);
    if (x.freed) throw new ArborError("E_STATE", `${this.name} backend: the array was freed`);
    return x;
  }

  private make(length: number): WorkerArray {
    return new WorkerArray(this.next++, this, length);
  }

  upload(data: ArrayLike<number>): BackendArray {
    const x = this.make(data.length);
    const f = Float32Array.from(data);
    this.call({ op: "upload", h: x.handle, data: f }, CALL_TIMEOUT_MS, [f.buffer]);
    return x;
  }

  zeros(length: number): BackendArray {
    const x = this.make(length);
    this.call({ op: "zeros", h: x.handle, length });
    return x;
  }

  write(array: BackendArray, data: ArrayLike<number>, offset = 0): void {
    const x = this.own(array);
    if (offset < 0 || offset + data.length > x.length) throw new ArgumentError(`${this.name} backend: writing ${data.length} elements at ${offset} into ${x.length}`);
    const f = Float32Array.from(data);
    this.call({ op: "write", h: x.handle, data: f, offset }, CALL_TIMEOUT_MS, [f.buffer]);
  }

  read(array: BackendArray, offset = 0, length?: number): Float64Array {
    const x = this.own(array);
    const len = length ?? x.length - offset;
    return Float64Array.from(this.call({ op: "read", h: x.handle, offset, length: len }) as Float32Array);
  }

  free(array: BackendArray): void {
    if (!(array instanceof WorkerArray) || array.owner !== this || array.freed || this.done) return;
    array.freed = true;
    this.call({ op: "free", h: array.handle });
  }

  gemm(shape: GemmShape, A: BackendArray, B: BackendArray): BackendArray {
    return this.gemmWith(shape, A, B);
  }

  /** {@link gemm} with a choice of kernel in `gpu` mode (the benchmark measures each). */
  gemmWith(shape: GemmShape, A: BackendArray, B: BackendArray, kernel?: GemmKernelChoice): BackendArray {
    const { m, n, k, transA = false, transB = false } = shape;
    const a = this.own(A), b = this.own(B);
    if (a.length < m * k || b.length < k * n) throw new ArgumentError(`${this.name} backend gemm: operands of ${a.length} and ${b.length} elements for m=${m}, n=${n}, k=${k}`);
    const c = this.make(m * n);
    this.call({ op: "gemm", spec: { out: c.handle, a: a.handle, b: b.handle, m, n, k, transA, transB, ...(kernel === undefined ? {} : { kernel }) } });
    return c;
  }

  private operand(op: BatchOperand): EngineOperand {
    const array = this.own(op.array).handle;
    const base = { array, offset: op.offset ?? 0, stride: op.stride, transpose: op.transpose ?? false };
    return op.gather === undefined ? base : { ...base, gather: { index: this.own(op.gather.index).handle, step: op.gather.step, at: op.gather.at } };
  }

  batchedGemm(spec: BatchedGemmSpec): void {
    checkBatchedGemm(spec, `${this.name} backend batchedGemm`);
    const { batch, m, n, k, cStride } = spec;
    this.call({ op: "batched", spec: { batch, m, n, k, cStride, a: this.operand(spec.a), b: this.operand(spec.b), c: this.own(spec.c).handle } });
  }

  sliceNormalEquations(spec: SliceNormalSpec): NormalEquations {
    const { samples, r0, rl, rr, stride, starts } = spec;
    const r = this.call({
      op: "sliceNormal",
      spec: { samples, r0, rl, rr, stride, starts, P: this.own(spec.P).handle, Q: this.own(spec.Q).handle, values: this.own(spec.values).handle, order: this.own(spec.order).handle },
    }) as { gram: Float32Array; rhs: Float32Array };
    return { gram: Float64Array.from(r.gram), rhs: Float64Array.from(r.rhs) };
  }

  leastSquaresNormal(B: BackendArray, X: BackendArray, rows: number, cols: number, n: number): NormalEquations {
    const r = this.call({ op: "leastSquaresNormal", B: this.own(B).handle, X: this.own(X).handle, rows, cols, n }) as { gram: Float32Array; rhs: Float32Array };
    return { gram: Float64Array.from(r.gram), rhs: Float64Array.from(r.rhs) };
  }

  /** Waits until the device has finished all work submitted so far (for timing). */
  sync(): void {
    this.call({ op: "finish" });
  }

  /** Dawn's compiler messages for the tiled WGSL GEMM (empty: it compiled); `gpu` mode. */
  compileTiled(tiling: GemmTiling, transA: boolean, transB: boolean): string[] {
    return this.call({ op: "compileTiled", tiling, transA, transB }) as string[];
  }

  dispose(): void {
    if (this.done) return;
    try {
      this.call({ op: "dispose" }, 30_000);
    } finally {
      this.done = true;
      this.port.close();
      void this.worker.terminate();
    }
  }
}
