import type { Complex } from "../../linalg/dtype.js";
import { getArena } from "./arena.js";
import { countFlops } from "./flops.js";
import { getNumThreads, kernelTeam, type ThreadedKernel } from "./threads.js";

/** Operand transform: 0 as stored, 1 transpose, 2 conjugate transpose (= 1 for real dtypes). */
export type Op = 0 | 1 | 2;

// A kernel thread costs tens of microseconds to wake; below this much work per thread the
// caller is faster alone.
const MIN_FLOPS_PER_THREAD = 2e6;
// Row/column chunks given to threads are multiples of this (the register tile sizes divide it).
const CHUNK_ALIGN = 8;

interface Split {
  byRows: boolean;
  bounds: number[];
}

function planSplit(m: number, n: number, k: number, flopsPerMac: number): Split | undefined {
  const threads = Math.min(getNumThreads(), Math.floor((flopsPerMac * m * n * k) / MIN_FLOPS_PER_THREAD));
  if (threads < 2) return undefined;
  const byRows = m >= n;
  const total = byRows ? m : n;
  const parts = Math.min(threads, Math.floor(total / CHUNK_ALIGN));
  if (parts < 2) return undefined;
  const bounds = [0];
  for (let t = 1; t < parts; t++) bounds.push(Math.round((total * t) / parts / CHUNK_ALIGN) * CHUNK_ALIGN);
  bounds.push(total);
  return { byRows, bounds };
}

/** How the operands of one GEMM sit in memory: transforms, leading dimensions, words per element. */
interface Layout {
  m: number;
  n: number;
  opA: Op;
  lda: number;
  opB: Op;
  ldb: number;
  ldc: number;
  w: number;
}

// Runs the sub-problems of a split on the kernel team: thread t gets rows (or columns)
// bounds[t]..bounds[t+1] of C with the matching rows of op(A) (or columns of op(B)), offsets
// in doubles (or floats) given to `job`, and its own packing workspace.
function runSplit(
  name: ThreadedKernel,
  split: Split,
  L: Layout,
  workspaceFor: (cols: number) => number,
  job: (mm: number, nn: number, dA: number, dB: number, dC: number, work: number) => number[],
): void {
  const jobs: number[][] = [];
  for (let t = 0; t + 1 < split.bounds.length; t++) {
    const lo = split.bounds[t]!;
    const hi = split.bounds[t + 1]!;
    if (split.byRows) {
      const dA = L.w * (L.opA === 0 ? lo * L.lda : lo);
      jobs.push(job(hi - lo, L.n, dA, 0, L.w * lo * L.ldc, workspaceFor(L.n)));
    } else {
      const dB = L.w * (L.opB === 0 ? lo : lo * L.ldb);
      jobs.push(job(L.m, hi - lo, 0, dB, L.w * lo, workspaceFor(hi - lo)));
    }
  }
  kernelTeam(jobs.length).run(name, jobs);
}

/**
 * Row-major real GEMM on arena memory: C ← alpha·op(A)·op(B) + beta·C.
 * `a`, `b`, `c` index `getArena().f64`; leading dimensions count elements.
 */
export function dgemmArena(
  opA: Op, opB: Op, m: number, n: number, k: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
): void {
  if (m === 0 || n === 0) return;
  const arena = getArena();
  const K = arena.kernels;
  if (beta !== 1) for (let i = 0; i < m; i++) K.dscal(n, beta, 8 * (c + i * ldc));
  if (k === 0 || alpha === 0) return;
  countFlops(2 * m * n * k);
  const tA = opA === 0 ? 0 : 1;
  const tB = opB === 0 ? 0 : 1;
  arena.scope(() => {
    const split = planSplit(m, n, k, 2);
    if (split === undefined) {
      const work = arena.allocF64(K.dgemmWorkspace(n));
      K.dgemm(tA, tB, m, n, k, alpha, 8 * a, lda, 8 * b, ldb, 8 * c, ldc, 8 * work);
      return;
    }
    runSplit("dgemm", split, { m, n, opA, lda, opB, ldb, ldc, w: 1 }, (nn) => arena.allocF64(K.dgemmWorkspace(nn)),
      (mm, nn, dA, dB, dC, work) => [tA, tB, mm, nn, k, alpha, 8 * (a + dA), lda, 8 * (b + dB), ldb, 8 * (c + dC), ldc, 8 * work]);
  });
}

/**
 * Row-major complex GEMM on interleaved arena memory: C ← alpha·op(A)·op(B) + beta·C.
 * `a`, `b`, `c` index `getArena().f64` (a complex element is two doubles); leading dimensions
 * count complex elements.
 */
export function zgemmArena(
  opA: Op, opB: Op, m: number, n: number, k: number, alpha: Complex,
  a: number, lda: number, b: number, ldb: number, beta: Complex, c: number, ldc: number,
): void {
  if (m === 0 || n === 0) return;
  const arena = getArena();
  const K = arena.kernels;
  if (beta.re !== 1 || beta.im !== 0) for (let i = 0; i < m; i++) K.zscal(n, beta.re, beta.im, 8 * (c + 2 * i * ldc));
  if (k === 0 || (alpha.re === 0 && alpha.im === 0)) return;
  countFlops(8 * m * n * k);
  arena.scope(() => {
    const split = planSplit(m, n, k, 8);
    if (split === undefined) {
      const work = arena.allocF64(K.zgemmWorkspace(n));
      K.zgemm(opA, opB, m, n, k, alpha.re, alpha.im, 8 * a, lda, 8 * b, ldb, 8 * c, ldc, 8 * work);
      return;
    }
    runSplit("zgemm", split, { m, n, opA, lda, opB, ldb, ldc, w: 2 }, (nn) => arena.allocF64(K.zgemmWorkspace(nn)),
      (mm, nn, dA, dB, dC, work) => [opA, opB, mm, nn, k, alpha.re, alpha.im, 8 * (a + dA), lda, 8 * (b + dB), ldb, 8 * (c + dC), ldc, 8 * work]);
  });
}

/**
 * Row-major single-precision GEMM on arena memory: C ← alpha·op(A)·op(B) + beta·C.
 * `a`, `b`, `c` index `getArena().f32`.
 */
export function sgemmArena(
  opA: Op, opB: Op, m: number, n: number, k: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
): void {
  if (m === 0 || n === 0) return;
  const arena = getArena();
  const K = arena.kernels;
  if (beta !== 1) {
    const f = arena.f32;
    for (let i = 0; i < m; i++) {
      const row = c + i * ldc;
      if (beta === 0) f.fill(0, row, row + n);
      else for (let j = 0; j < n; j++) f[row + j] = beta * f[row + j]!;
    }
  }
  if (k === 0 || alpha === 0) return;
  countFlops(2 * m * n * k);
  const tA = opA === 0 ? 0 : 1;
  const tB = opB === 0 ? 0 : 1;
  arena.scope(() => {
    const split = planSplit(m, n, k, 2);
    if (split === undefined) {
      const work = arena.allocF32(K.sgemmWorkspace(n));
      K.sgemm(tA, tB, m, n, k, alpha, 4 * a, lda, 4 * b, ldb, 4 * c, ldc, 4 * work);
      return;
    }
    runSplit("sgemm", split, { m, n, opA, lda, opB, ldb, ldc, w: 1 }, (nn) => arena.allocF32(K.sgemmWorkspace(nn)),
      (mm, nn, dA, dB, dC, work) => [tA, tB, mm, nn, k, alpha, 4 * (a + dA), lda, 4 * (b + dB), ldb, 4 * (c + dC), ldc, 4 * work]);
  });
}
