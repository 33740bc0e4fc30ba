/**
 * One narrow interface for the hot dense operations — GEMM, batched small GEMMs (with gathered
 * operands), and two domain kernels stated on plain arrays: the per-slice normal equations of
 * completion (per-sample environment products, grouped Gram matrices) and the normal equations
 * of a least-squares core update (structure-search fitting). The dense layer knows nothing of
 * trees or networks; algorithms call this interface and do not know which backend runs.
 *
 * Backends: `cpu` (the f64 kernels of src/backend/cpu), `gpujs-cpu` (the gpu.js kernels in
 * gpu.js's `cpu` mode, f32: what CI runs to check the kernels' logic) and `gpu` (the same
 * gpu.js kernels on WebGPU, plus a tiled WGSL GEMM on the same device; f32). Choose one with
 * {@link selectBackend}; see docs/gpu.md.
 *
 * Arrays live where the backend computes ({@link BackendArray}): a sweep uploads its data once
 * and chains kernels on resident arrays; only the small results the CPU needs (Gram matrices,
 * right-hand sides) come back, as f64.
 * @module
 */
import { ArborError, ArgumentError } from "../../errors.js";

/** The backends by name. */
export type BackendName = "cpu" | "gpujs-cpu" | "gpu";

/** What a caller asks for: `auto` picks by measured crossovers and precision. */
export type BackendChoice = "auto" | "cpu" | "gpu";

/** The arithmetic a backend computes in. WebGPU has no f64. */
export type Precision = "f64" | "f32";

/**
 * An array held by a backend (on the device for the GPU backends). Opaque: read it back with
 * {@link ComputeBackend.read}. Only the backend that made it accepts it.
 */
export interface BackendArray {
  readonly length: number;
  /** @internal The owning backend's handle. */
  readonly handle: number;
  /** @internal The owning backend instance. */
  readonly owner: object;
}

/** `C = op(A)·op(B)` with A m×k (k×m stored when `transA`), B k×n (n×k when `transB`), all row-major and dense. */
export interface GemmShape {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
}

/**
 * One operand of {@link BatchedGemmSpec}: item t's matrix starts at `offset + t·stride` of
 * `array`, dense row-major in its stored shape (m×k for A, k×n for B; transposed when
 * `transpose`). With `gather`, item t uses matrix `g = gather.index[t·gather.step + gather.at]`
 * instead, at `offset + g·stride` (the index array holds whole numbers below 2²⁴).
 */
export interface BatchOperand {
  array: BackendArray;
  offset?: number;
  stride: number;
  transpose?: boolean;
  gather?: { index: BackendArray; step: number; at: number };
}

/**
 * A batch of small products `C_t = op(A_t)·op(B_t)`, t < batch, each m×n with inner size k.
 * Item t is written at `t·cStride` of `c` (dense row-major m×n, `cStride ≥ m·n`); every other
 * element of `c` is set to zero. `c.length` must be `batch·cStride`.
 */
export interface BatchedGemmSpec {
  batch: number;
  m: number;
  n: number;
  k: number;
  a: BatchOperand;
  b: BatchOperand;
  c: BackendArray;
  cStride: number;
}

/**
 * The per-slice normal equations of completion, from per-sample environment products.
 * Sample s has a left interface P_s (r0×rl, at s·stride of `P`) and a right interface Q_s
 * (rr×r0, at s·stride of `Q`); its environment is the rl×rr matrix E_s = P_sᵀ·Q_sᵀ, read as a
 * vector of R = rl·rr numbers. Samples are grouped into slices: slice j holds samples
 * `order[starts[j]] … order[starts[j+1] − 1]`. The result holds, per slice j, the Gram matrix
 * Σ E_s·E_sᵀ (R×R, at j·R²) and the right-hand side Σ y_s·E_s (R, at j·R), y = `values`.
 */
export interface SliceNormalSpec {
  samples: number;
  r0: number;
  rl: number;
  rr: number;
  stride: number;
  P: BackendArray;
  Q: BackendArray;
  /** The m sample values, in sample order. */
  values: BackendArray;
  /** A permutation of the samples, slice by slice (whole numbers below 2²⁴). */
  order: BackendArray;
  /** Slice boundaries into `order` (slices + 1 entries, host side). */
  starts: Int32Array;
}

/** Per-slice Gram matrices and right-hand sides, f64 on the host. */
export interface NormalEquations {
  gram: Float64Array;
  rhs: Float64Array;
}

/**
 * A compute backend. Every method is synchronous for the caller (a GPU backend blocks while
 * its device works). Not thread-safe; one backend per thread.
 */
export interface ComputeBackend {
  readonly name: BackendName;
  readonly precision: Precision;
  /** What runs the kernels, in words (CPU model and threads, or the GPU adapter). */
  readonly device: string;
  /** True after {@link dispose}; every other call then throws. */
  readonly disposed: boolean;

  /** A new array holding `data` (converted to the backend's precision). */
  upload(data: ArrayLike<number>): BackendArray;
  /** A new array of `length` zeros. */
  zeros(length: number): BackendArray;
  /** Overwrites `array` from element `offset` on with `data`. */
  write(array: BackendArray, data: ArrayLike<number>, offset?: number): void;
  /** The contents of `array` (or `length` elements from `offset`), as f64. */
  read(array: BackendArray, offset?: number, length?: number): Float64Array;
  /** Releases `array`; it may not be used again. Releasing twice is a no-op. */
  free(array: BackendArray): void;

  /** `op(A)·op(B)` as a new m×n array. */
  gemm(shape: GemmShape, A: BackendArray, B: BackendArray): BackendArray;
  /** A batch of small products into `spec.c`; see {@link BatchedGemmSpec}. */
  batchedGemm(spec: BatchedGemmSpec): void;
  /** Completion's per-slice normal equations; see {@link SliceNormalSpec}. */
  sliceNormalEquations(spec: SliceNormalSpec): NormalEquations;
  /**
   * The normal equations of a least-squares core update: for B (rows×cols) and X (n×cols),
   * `gram = B·Bᵀ` (rows×rows) and `rhs = B·Xᵀ` (rows×n), on the host as f64.
   */
  leastSquaresNormal(B: BackendArray, X: BackendArray, rows: number, cols: number, n: number): NormalEquations;

  /** Releases the device (and any thread the backend started). Idempotent. */
  dispose(): void;
}

/**
 * The GPU path was asked for and cannot run: no adapter, the optional packages are not
 * installed, or the requested precision is f64. `code` is `E_GPU_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * let caught: unknown;
 * try { selectBackend({ backend: "gpu", precision: "f64" }); } catch (e) { caught = e; }
 * console.assert(caught instanceof GpuUnavailableError && (caught as GpuUnavailableError).code === "E_GPU_UNAVAILABLE");
 * ```
 */
export class GpuUnavailableError extends ArborError {
  constructor(message: string) {
    super("E_GPU_UNAVAILABLE", message);
  }
}

/** Floating-point operations of one {@link GemmShape}. */
export function gemmFlops(shape: GemmShape): number {
  return 2 * shape.m * shape.n * shape.k;
}

/** Host convenience: `op(A)·op(B)` of host arrays on `backend` (upload, product, read, free). */
export function gemmOnHost(backend: ComputeBackend, shape: GemmShape, A: ArrayLike<number>, B: ArrayLike<number>): Float64Array {
  const a = backend.upload(A), b = backend.upload(B);
  try {
    const c = backend.gemm(shape, a, b);
    try {
      return backend.read(c);
    } finally {
      backend.free(c);
    }
  } finally {
    backend.free(a);
    backend.free(b);
  }
}

/** Throws unless `spec` describes arrays that hold what it says (shared by every backend). */
export function checkBatchedGemm(spec: BatchedGemmSpec, where: string): void {
  const { batch, m, n, k, a, b, c, cStride } = spec;
  const whole = (x: number) => Number.isSafeInteger(x) && x >= 0;
  if (![batch, m, n, k, cStride, a.stride, b.stride, a.offset ?? 0, b.offset ?? 0].every(whole)) {
    throw new ArgumentError(`${where}: sizes, strides and offsets must be whole numbers ≥ 0`);
  }
  if (cStride < m * n) throw new ArgumentError(`${where}: cStride ${cStride} < m·n = ${m * n}`);
  if (c.length !== batch * cStride) throw new ArgumentError(`${where}: c has ${c.length} elements, expected batch·cStride = ${batch * cStride}`);
  for (const [name, op, size] of [["a", a, m * k], ["b", b, k * n]] as const) {
    if (op.gather === undefined && batch > 0 && (op.offset ?? 0) + (batch - 1) * op.stride + size > op.array.length) {
      throw new ArgumentError(`${where}: operand ${name} (${op.array.length} elements) is too short for ${batch} items of ${size} at stride ${op.stride}`);
    }
    if (op.gather !== undefined && batch > 0 && (batch - 1) * op.gather.step + op.gather.at >= op.gather.index.length) {
      throw new ArgumentError(`${where}: the gather index of operand ${name} (${op.gather.index.length} entries) is too short for ${batch} items`);
    }
  }
}
