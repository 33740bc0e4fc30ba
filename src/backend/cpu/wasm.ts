import { ArborError } from "../../errors.js";
import { KERNELS_WASM_BASE64 } from "./generated/kernels-wasm.js";

/** The functions arbor's WebAssembly kernel module exports (pointers are byte offsets). */
export interface KernelExports {
  dgemm(tA: number, tB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, c: number, ldc: number, work: number): void;
  dgemmWorkspace(n: number): number;
  zgemm(opA: number, opB: number, m: number, n: number, k: number, alphaRe: number, alphaIm: number,
    a: number, lda: number, b: number, ldb: number, c: number, ldc: number, work: number): void;
  zgemmWorkspace(n: number): number;
  sgemm(tA: number, tB: number, m: number, n: number, k: number, alpha: number,
    a: number, lda: number, b: number, ldb: number, c: number, ldc: number, work: number): void;
  sgemmWorkspace(n: number): number;
  ddot(n: number, x: number, y: number): number;
  daxpy(n: number, alpha: number, x: number, y: number): void;
  dscal(n: number, alpha: number, x: number): void;
  dsumsq(n: number, x: number): number;
  damax(n: number, x: number): number;
  dnrm2(n: number, x: number): number;
  drot(n: number, x: number, y: number, c: number, s: number): void;
  drotSeq(len: number, count: number, c: number, s: number, a: number, lda: number, backward: number): void;
  drotSweeps(len: number, nsweeps: number, meta: number, c: number, s: number, a: number, lda: number): void;
  dbatchedReduce(n: number, r: number, q: number, v: number, t: number, out: number): void;
  zbatchedReduce(n: number, r: number, q: number, v: number, t: number, out: number): void;
  dgemvT(m: number, n: number, alpha: number, a: number, lda: number, x: number, beta: number, y: number): void;
  dgemvN(m: number, n: number, alpha: number, a: number, lda: number, x: number, y: number): void;
  dger(m: number, n: number, alpha: number, x: number, y: number, a: number, lda: number): void;
  dsymvL(n: number, alpha: number, a: number, lda: number, x: number, y: number): void;
  dsyr2L(n: number, alpha: number, x: number, y: number, a: number, lda: number): void;
  zdotc(n: number, x: number, y: number, out: number): void;
  zdotu(n: number, x: number, y: number, out: number): void;
  zaxpy(n: number, ar: number, ai: number, x: number, y: number): void;
  zscal(n: number, ar: number, ai: number, x: number): void;
  zgemvC(m: number, n: number, ar: number, ai: number, a: number, lda: number, x: number,
    br: number, bi: number, y: number, scratch: number): void;
  zgemvN(m: number, n: number, ar: number, ai: number, a: number, lda: number, x: number, y: number): void;
  zgerc(m: number, n: number, ar: number, ai: number, x: number, y: number, a: number, lda: number): void;
  zhemvL(n: number, ar: number, ai: number, a: number, lda: number, x: number, y: number): void;
  zher2L(n: number, ar: number, ai: number, x: number, y: number, a: number, lda: number): void;
}

/** The compiled module, its shared linear memory and this thread's instance. */
export interface WasmRuntime {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
}

const PAGE = 65536;
const INITIAL_PAGES = 32;
// The memory is shared with kernel threads, so its maximum is reserved up front (address space
// only). 4 GiB is the wasm32 limit; smaller limits are tried where address space is scarce.
const MAXIMUM_PAGES = [65536, 16384, 4096];

let runtime: WasmRuntime | undefined;

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, "base64"));
}

function createMemory(): WebAssembly.Memory {
  let lastError: unknown;
  for (const maximum of MAXIMUM_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum, shared: true });
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`arbor: cannot reserve WebAssembly memory for the kernels: ${String(lastError)}`);
}

/** Imports the kernel module needs; shared by the main thread and kernel threads. */
export function kernelImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort() {
        throw new Error("arbor kernel aborted");
      },
    },
  };
}

/**
 * The kernel runtime, compiled and instantiated on first use (synchronously: the module is a
 * few kilobytes). Every tensor operation that reaches a kernel goes through this.
 */
export function wasmRuntime(): WasmRuntime {
  if (runtime === undefined) {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
    } catch (e) {
      throw new ArborError(
        "E_RUNTIME",
        `arbor's kernels need WebAssembly with SIMD and threads (Node ≥ 20 on x86-64 or arm64); this runtime rejected them: ${String(e)}`,
      );
    }
    const memory = createMemory();
    const instance = new WebAssembly.Instance(module, kernelImports(memory));
    runtime = { module, memory, kernels: instance.exports as unknown as KernelExports };
  }
  return runtime;
}

/** Bytes in one WebAssembly page. */
export const WASM_PAGE_BYTES = PAGE;
