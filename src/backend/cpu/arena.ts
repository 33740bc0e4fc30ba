import { ArborError } from "../../errors.js";
import { WASM_PAGE_BYTES, wasmRuntime, type KernelExports } from "./wasm.js";

// Below this offset nothing is allocated: a guard against the module's own (currently empty)
// static data and against null-pointer bugs writing over live arrays.
const ARENA_BASE = 1 << 16;
const ALIGN = 64;
// A few doubles for kernels that return complex results through memory; never allocated.
const SCRATCH_BYTES = 1 << 15;

/**
 * A stack allocator over the kernels' WebAssembly memory. Algorithms copy their operands in,
 * call kernels on byte pointers, and copy results out; `scope` releases everything allocated
 * inside it, even when the callback throws. Pointers here are indices into `f64` (or `f32`
 * for float allocations); multiply by 8 (or 4) for a kernel's byte pointer.
 *
 * Views (`f64`, `f32`) are invalidated when the memory grows, which only `alloc*` does:
 * allocate first, then read the views.
 */
export class Arena {
  private top = ARENA_BASE;
  private f64View: Float64Array;
  private f32View: Float32Array;
  private readonly memory: WebAssembly.Memory;
  /** The kernel functions, bound to this memory. */
  readonly kernels: KernelExports;

  constructor() {
    const rt = wasmRuntime();
    this.memory = rt.memory;
    this.kernels = rt.kernels;
    this.f64View = new Float64Array(this.memory.buffer);
    this.f32View = new Float32Array(this.memory.buffer);
  }

  /** Index into `f64` of 8 doubles reserved for kernel results (e.g. complex dot products). */
  readonly scratch = SCRATCH_BYTES / 8;

  /** The whole memory as doubles (refresh after every allocation). */
  get f64(): Float64Array {
    return this.f64View;
  }

  /** The whole memory as floats (refresh after every allocation). */
  get f32(): Float32Array {
    return this.f32View;
  }

  private allocBytes(bytes: number): number {
    const start = Math.ceil(this.top / ALIGN) * ALIGN;
    const end = start + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / WASM_PAGE_BYTES);
      try {
        this.memory.grow(pages);
      } catch {
        throw new ArborError(
          "E_MEMORY",
          `kernel workspace of ${(end / 2 ** 30).toFixed(2)} GiB does not fit in WebAssembly memory (limit 4 GiB); ` +
            `split the operation into smaller pieces`,
        );
      }
      this.f64View = new Float64Array(this.memory.buffer);
      this.f32View = new Float32Array(this.memory.buffer);
    }
    this.top = end;
    return start;
  }

  /** Allocates `n` doubles; returns their index into `f64`. Contents are undefined. */
  allocF64(n: number): number {
    return this.allocBytes(8 * n) / 8;
  }

  /** Allocates `n` doubles set to zero. */
  zerosF64(n: number): number {
    const p = this.allocF64(n);
    this.f64View.fill(0, p, p + n);
    return p;
  }

  /** Allocates `n` floats; returns their index into `f32`. */
  allocF32(n: number): number {
    return this.allocBytes(4 * n) / 4;
  }

  /** Runs `fn` and frees everything it allocated. */
  scope<T>(fn: () => T): T {
    const mark = this.top;
    try {
      return fn();
    } finally {
      this.top = mark;
    }
  }

  /** Bytes currently allocated (for tests and diagnostics). */
  get used(): number {
    return this.top - ARENA_BASE;
  }
}

/**
 * A leading dimension ≥ `n` for an arena matrix of elements of `w` doubles. Kernels that walk
 * across rows or columns (GEMM's C tiles, rotation sequences) touch one cache line per
 * row/column in turn; a stride near a multiple of 2 KiB maps those lines to the same few cache
 * sets. Measured: n = 512 SVDs ran twice as slow as n = 500, and a 1024² GEMM 25 % slower than
 * with ld = 1032, so such strides are padded.
 */
export function paddedLd(n: number, w = 1): number {
  let ld = n;
  while (n >= 64 && (ld * w * 8) % 2048 < 128) ld++;
  return ld;
}

let arena: Arena | undefined;

/** The process-wide arena of the main thread. */
export function getArena(): Arena {
  arena ??= new Arena();
  return arena;
}
