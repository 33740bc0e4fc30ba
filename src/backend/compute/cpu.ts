/**
 * The CPU compute backend: f64 throughout, on the existing kernels (GEMMs through
 * `gemmStorage`, i.e. the SIMD WebAssembly kernels on `getNumThreads()` threads; small batched
 * products in plain loops, as the completion solver has always done them).
 * @module
 */
import { cpus } from "node:os";
import { ArborError, ArgumentError } from "../../errors.js";
import { gemmStorage } from "../../linalg/matmul.js";
import { getNumThreads } from "../cpu/threads.js";
import { checkBatchedGemm, type BackendArray, type BatchedGemmSpec, type ComputeBackend, type GemmShape, type NormalEquations, type SliceNormalSpec } from "./backend.js";
import { environmentRows } from "./environment.js";

class CpuArray implements BackendArray {
  constructor(readonly handle: number, readonly owner: object, public data: Float64Array) {}
  get length(): number {
    return this.data.length;
  }
}

// Samples per block of the grouped Gram products: enough rows for the dense kernels to pay
// off, few enough that the block stays in cache (as in the completion solver).
const BLOCK = 256;

/** The f64 CPU backend. Cheap to create; `dispose` only marks it unusable. */
export class CpuBackend implements ComputeBackend {
  readonly name = "cpu" as const;
  readonly precision = "f64" as const;
  private next = 1;
  private done = false;

  get device(): string {
    const model = cpus()[0]?.model.trim() ?? "unknown CPU";
    return `${model}, ${getNumThreads()} kernel thread${getNumThreads() === 1 ? "" : "s"}`;
  }

  get disposed(): boolean {
    return this.done;
  }

  private own(x: BackendArray): Float64Array {
    if (this.done) throw new ArborError("E_STATE", "cpu backend: used after dispose()");
    if (!(x instanceof CpuArray) || x.owner !== this) throw new ArgumentError("cpu backend: the array belongs to another backend");
    if (x.data.length === 0 && x.handle < 0) throw new ArborError("E_STATE", "cpu backend: the array was freed");
    return x.data;
  }

  private make(data: Float64Array): CpuArray {
    if (this.done) throw new ArborError("E_STATE", "cpu backend: used after dispose()");
    return new CpuArray(this.next++, this, data);
  }

  upload(data: ArrayLike<number>): BackendArray {
    return this.make(Float64Array.from(data));
  }

  zeros(length: number): BackendArray {
    return this.make(new Float64Array(length));
  }

  write(array: BackendArray, data: ArrayLike<number>, offset = 0): void {
    const d = this.own(array);
    if (offset < 0 || offset + data.length > d.length) throw new ArgumentError(`cpu backend: writing ${data.length} elements at ${offset} into ${d.length}`);
    d.set(data, offset);
  }

  read(array: BackendArray, offset = 0, length?: number): Float64Array {
    const d = this.own(array);
    return d.slice(offset, length === undefined ? d.length : offset + length);
  }

  free(array: BackendArray): void {
    if (array instanceof CpuArray && array.owner === this) {
      array.data = new Float64Array(0);
      (array as { handle: number }).handle = -1;
    }
  }

  gemm(shape: GemmShape, A: BackendArray, B: BackendArray): BackendArray {
    const { m, n, k, transA = false, transB = false } = shape;
    const a = this.own(A), b = this.own(B);
    if (a.length < m * k || b.length < k * n) throw new ArgumentError(`cpu backend gemm: operands of ${a.length} and ${b.length} elements for m=${m}, n=${n}, k=${k}`);
    const c = gemmStorage("f64", transA ? 1 : 0, transB ? 1 : 0, m, n, k, a, transA ? m : k, b, transB ? k : n) as Float64Array;
    return this.make(c);
  }

  batchedGemm(spec: BatchedGemmSpec): void {
    checkBatchedGemm(spec, "cpu backend batchedGemm");
    const { batch, m, n, k, a, b, cStride } = spec;
    const A = this.own(a.array), B = this.own(b.array), C = this.own(spec.c);
    const gA = a.gather === undefined ? undefined : this.own(a.gather.index);
    const gB = b.gather === undefined ? undefined : this.own(b.gather.index);
    // Element strides of op(A) (rows i, inner p) and op(B) (inner p, columns j).
    const sai = a.transpose ? 1 : k, sap = a.transpose ? m : 1;
    const sbp = b.transpose ? 1 : n, sbj = b.transpose ? k : 1;
    const aOff = a.offset ?? 0, bOff = b.offset ?? 0;
    C.fill(0);
    for (let t = 0; t < batch; t++) {
      const ta = gA === undefined ? t : gA[t * a.gather!.step + a.gather!.at]!;
      const tb = gB === undefined ? t : gB[t * b.gather!.step + b.gather!.at]!;
      const ao = aOff + ta * a.stride, bo = bOff + tb * b.stride, co = t * cStride;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0, ia = ao + i * sai, ib = bo + j * sbj; p < k; p++, ia += sap, ib += sbp) s += A[ia]! * B[ib]!;
          C[co + i * n + j] = s;
        }
      }
    }
  }

  sliceNormalEquations(spec: SliceNormalSpec): NormalEquations {
    const { r0, rl, rr, stride, starts } = spec;
    const env = { P: this.own(spec.P), Q: this.own(spec.Q), values: this.own(spec.values), order: this.own(spec.order), stride, r0, rl, rr };
    const R = rl * rr, slices = starts.length - 1;
    const gram = new Float64Array(slices * R * R), rhs = new Float64Array(slices * R);
    const E = new Float64Array(BLOCK * R), y = new Float64Array(BLOCK);
    for (let j = 0; j < slices; j++) {
      for (let t0 = starts[j]!; t0 < starts[j + 1]!; t0 += BLOCK) {
        const rows = Math.min(BLOCK, starts[j + 1]! - t0);
        environmentRows(env, t0, rows, E, y);
        const G = gemmStorage("f64", 1, 0, R, R, rows, E, R, E, R) as Float64Array;
        const h = gemmStorage("f64", 1, 0, R, 1, rows, E, R, y, 1) as Float64Array;
        const g = j * R * R, r = j * R;
        for (let i = 0; i < R * R; i++) gram[g + i] += G[i]!;
        for (let a = 0; a < R; a++) rhs[r + a] += h[a]!;
      }
    }
    return { gram, rhs };
  }

  leastSquaresNormal(B: BackendArray, X: BackendArray, rows: number, cols: number, n: number): NormalEquations {
    const b = this.own(B), x = this.own(X);
    if (b.length < rows * cols || x.length < n * cols) throw new ArgumentError(`cpu backend leastSquaresNormal: B of ${b.length}, X of ${x.length} elements for rows=${rows}, cols=${cols}, n=${n}`);
    return {
      gram: gemmStorage("f64", 0, 1, rows, rows, cols, b, cols, b, cols) as Float64Array,
      rhs: gemmStorage("f64", 0, 1, rows, n, cols, b, cols, x, cols) as Float64Array,
    };
  }

  dispose(): void {
    this.done = true;
  }
}
