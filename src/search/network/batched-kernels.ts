/**
 * The batched small-matrix machinery that {@link networkEntries} (entries.ts) and the per-sample
 * environments (sample-environments.ts) share: both fix each core's open leg by a sample's
 * multi-index and contract what is left of the network along one pairwise order, for a chunk of
 * samples at a time, each step one small matrix product per sample read in place from the cores.
 * Here are the plan's pieces (steps, layouts, gathers), the code that follows a plan over a chunk,
 * and the kernels. Internal to src/search/network.
 * @module
 */
import { countFlops } from "../../backend/cpu/flops.js";
import { permute } from "../../linalg/permute.js";
import type { NetworkDType, TensorNetwork } from "./network.js";
import type { NetworkStructure } from "./structure.js";

/** Where a step reads an operand: a core's open-leg slice, or an intermediate's buffer. */
export interface Source {
  /** The vertex whose core this is, or −1 for an intermediate. */
  vertex: number;
  /** The intermediate's buffer slot (−1 for a core). */
  slot: number;
}

/** An operand while a plan is built: where it lies, and its labels in the order it is laid out. */
export interface Operand extends Source {
  labels: readonly number[];
}

/**
 * One pairwise step, the same for every sample: C[s] (M×N) = A[s] (M×K) · B[s] (K×N), where
 * element (i, k) of A[s] lies at `i·aRow + k·aCol` in the sample's block, (k, j) of B[s] at
 * `k·bRow + j·bCol`, and C[s] is row-major.
 */
export interface Step {
  a: Source;
  b: Source;
  /** Relayout of an intermediate operand before the product: new position → old position. */
  gatherA?: Int32Array;
  gatherB?: Int32Array;
  M: number;
  K: number;
  N: number;
  aRow: number;
  aCol: number;
  bRow: number;
  bCol: number;
  /** The intermediate slot C[s] is written to. */
  out: number;
}

/**
 * A cache of plans per structure (weakly held) and key, so that a plan is built once for each
 * structure and e.g. optimiser, however many calls follow it.
 */
export function planCache<P>(): (structure: NetworkStructure, key: string, build: () => P) => P {
  const cache = new WeakMap<NetworkStructure, Map<string, P>>();
  return (structure, key, build) => {
    let byKey = cache.get(structure);
    if (byKey === undefined) cache.set(structure, (byKey = new Map()));
    let p = byKey.get(key);
    if (p === undefined) {
      p = build();
      byKey.set(key, p);
    }
    return p;
  };
}

/** The number of elements spanned by `labels`: the product of their sizes. */
export function product(labels: readonly number[], sizes: readonly number[]): number {
  return labels.reduce((p, l) => p * sizes[l]!, 1);
}

/** Whether two label lists are equal, element by element. */
export function sameList(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((l, i) => l === y[i]);
}

/** For each flat position of layout `to`, the flat position of the same element in layout `from`. */
export function gatherMap(from: readonly number[], to: readonly number[], sizes: readonly number[]): Int32Array {
  const strideFrom = new Map<number, number>();
  let total = 1;
  for (let i = from.length - 1; i >= 0; i--) {
    strideFrom.set(from[i]!, total);
    total *= sizes[from[i]!]!;
  }
  const map = new Int32Array(total);
  const dims = to.map((l) => sizes[l]!);
  const strides = to.map((l) => strideFrom.get(l)!);
  const index = new Array<number>(to.length).fill(0);
  for (let p = 0; p < total; p++) {
    let off = 0;
    for (let i = 0; i < to.length; i++) off += index[i]! * strides[i]!;
    map[p] = off;
    for (let i = to.length - 1; i >= 0; i--) {
      if (++index[i]! < dims[i]!) break;
      index[i] = 0;
    }
  }
  return map;
}

/**
 * The step that contracts operands `x` and `y` (their shared labels are the summed ones), its
 * product written to slot `out`. Lays the operands out so that the step is one strided small
 * matrix product per sample: a core is to be permuted into the order its step wants, which
 * `layOut(vertex, labels)` is told; an intermediate is used as it lies when its summed labels
 * form a block at either end (in the other operand's order), and gathered into that order
 * otherwise. An intermediate goes first, as A, since its layout fixes the order of the summed
 * labels. Returns the step and the free labels of A and of B, which C[s] holds in that order.
 */
export function pairStep(
  x: Operand, y: Operand, sizes: readonly number[], out: number, layOut: (vertex: number, labels: readonly number[]) => void,
): { step: Step; freeX: number[]; freeY: number[] } {
  let X = x, Y = y;
  if (X.vertex >= 0 && Y.vertex < 0) [X, Y] = [Y, X];
  const S = X.labels.filter((l) => Y.labels.includes(l));
  const freeX = X.labels.filter((l) => !S.includes(l));
  const freeY = Y.labels.filter((l) => !S.includes(l));
  const M = product(freeX, sizes), K = product(S, sizes), N = product(freeY, sizes);
  const step: Step = { a: { vertex: X.vertex, slot: X.slot }, b: { vertex: Y.vertex, slot: Y.slot }, M, K, N, aRow: K, aCol: 1, bRow: N, bCol: 1, out };
  if (X.vertex < 0) {
    if (sameList(X.labels, [...S, ...freeX])) [step.aRow, step.aCol] = [1, M];
    else if (!sameList(X.labels, [...freeX, ...S])) step.gatherA = gatherMap(X.labels, [...freeX, ...S], sizes);
  } else layOut(X.vertex, [...freeX, ...S]);
  if (Y.vertex < 0) {
    if (sameList(Y.labels, [...freeY, ...S])) [step.bRow, step.bCol] = [1, K];
    else if (!sameList(Y.labels, [...S, ...freeY])) step.gatherB = gatherMap(Y.labels, [...S, ...freeY], sizes);
  } else layOut(Y.vertex, [...S, ...freeY]);
  return { step, freeX, freeY };
}

/** What {@link stepRunner} returns: the buffers of a chunk and the means to follow a plan over it. */
export interface StepRunner {
  /** Per slot, the chunk's intermediates (n blocks of the slot's size, back to back). */
  slots: Float64Array[];
  /** Offsets filled by `run` for A of each step; reusable for reading the result after it. */
  offA: Int32Array;
  /**
   * Sets the offset (in elements) of each sample's block of an operand for samples
   * s0 … s0 + n − 1 into `into`, and returns the operand's storage.
   */
  locate(src: Source, s0: number, n: number, into: Int32Array): Float64Array;
  /** Follows `steps` for samples s0 … s0 + n − 1 (n ≤ the chunk), counting their flops. */
  run(steps: readonly Step[], s0: number, n: number): void;
}

/**
 * Buffers and operand lookup for following a plan over chunks of at most `chunk` samples of
 * `idx` (m×N row-major, in range): each core laid out once by its `coreAxes` entry (a vertex
 * without one is not read), the intermediate slots of `slotSizes`, and the kernel of the
 * network's dtype.
 */
export function stepRunner(
  net: TensorNetwork<NetworkDType>, coreAxes: readonly (readonly number[] | undefined)[], idx: Int32Array,
  slotSizes: readonly number[], chunk: number,
): StepRunner {
  const { structure } = net;
  const w = net.dtype === "c128" ? 2 : 1;
  const N = structure.numModes;
  const cores = net.cores.map((core, v) => {
    const axes = coreAxes[v];
    if (axes === undefined) return new Float64Array(0);
    return (axes.every((a, i) => a === i) ? core : permute(core, axes)).data as Float64Array;
  });
  const blocks = net.cores.map((core) => core.size / core.shape[0]!);
  const modes = structure.perm;
  const slots = slotSizes.map((size) => new Float64Array(w * chunk * size));
  const gatheredA = new Float64Array(w * chunk * Math.max(1, ...slotSizes));
  const gatheredB = new Float64Array(gatheredA.length);
  const offA = new Int32Array(chunk), offB = new Int32Array(chunk);
  const kernel = w === 2 ? productComplex : productReal;
  const locate = (src: Source, s0: number, n: number, into: Int32Array): Float64Array => {
    if (src.vertex >= 0) {
      const mode = modes[src.vertex]!, block = blocks[src.vertex]!;
      for (let s = 0; s < n; s++) into[s] = mode >= 0 ? idx[(s0 + s) * N + mode]! * block : 0;
      return cores[src.vertex]!;
    }
    const size = slotSizes[src.slot]!;
    for (let s = 0; s < n; s++) into[s] = s * size;
    return slots[src.slot]!;
  };
  const run = (steps: readonly Step[], s0: number, n: number): void => {
    for (const step of steps) {
      let A = locate(step.a, s0, n, offA);
      let B = locate(step.b, s0, n, offB);
      if (step.gatherA !== undefined) A = gatherBlocks(A, step.gatherA, n, w, gatheredA);
      if (step.gatherB !== undefined) B = gatherBlocks(B, step.gatherB, n, w, gatheredB);
      kernel(n, step.M, step.K, step.N, A, offA, step.aRow, step.aCol, B, offB, step.bRow, step.bCol, slots[step.out]!);
      countFlops(2 * w * w * n * step.M * step.K * step.N);
    }
  };
  return { slots, offA, locate, run };
}

/**
 * Copies each sample's block of an intermediate into a new layout (`map`: new position → old);
 * offsets stay s·size. `w` is 2 for interleaved complex storage, else 1.
 */
export function gatherBlocks(src: Float64Array, map: Int32Array, n: number, w: number, dst: Float64Array): Float64Array {
  const size = map.length;
  for (let s = 0; s < n; s++) {
    const base = s * w * size;
    if (w === 1) for (let p = 0; p < size; p++) dst[base + p] = src[base + map[p]!]!;
    else for (let p = 0; p < size; p++) {
      dst[base + 2 * p] = src[base + 2 * map[p]!]!;
      dst[base + 2 * p + 1] = src[base + 2 * map[p]! + 1]!;
    }
  }
  return dst;
}

/** C[s] = A[s]·B[s] for n samples; offsets and strides count elements (complex: pairs of words). */
export type BatchedProduct = (
  n: number, M: number, K: number, N: number,
  A: Float64Array, offA: Int32Array, aRow: number, aCol: number,
  B: Float64Array, offB: Int32Array, bRow: number, bCol: number, C: Float64Array,
) => void;

/**
 * The real kernel. The products are tiny (sizes are bond ranks), so loop overhead and memory
 * traffic decide the speed, not arithmetic: four values of A's row are held in locals while a
 * row of C is formed from them, so each element of C is written once per four terms. Measured
 * on a 4×4×4 product per sample (Node 20, one core): 0.75 G multiply-adds/s, against 0.2 for the
 * plain i-k-j loop and 0.4 for loops over the samples innermost.
 */
export const productReal: BatchedProduct = (n, M, K, N, A, offA, aRow, aCol, B, offB, bRow, bCol, C) => {
  const MN = M * N, K4 = K - (K & 3);
  const b1 = bRow, b2 = 2 * bRow, b3 = 3 * bRow;
  for (let s = 0; s < n; s++) {
    const a0 = offA[s]!, b0 = offB[s]!, c0 = s * MN;
    for (let i = 0; i < M; i++) {
      const ci = c0 + i * N, ai = a0 + i * aRow;
      for (let k = 0; k < K4; k += 4) {
        const pa = ai + k * aCol;
        const x0 = A[pa]!, x1 = A[pa + aCol]!, x2 = A[pa + 2 * aCol]!, x3 = A[pa + 3 * aCol]!;
        let q = b0 + k * bRow;
        if (k === 0) for (let j = 0; j < N; j++, q += bCol) C[ci + j] = x0 * B[q]! + x1 * B[q + b1]! + x2 * B[q + b2]! + x3 * B[q + b3]!;
        else for (let j = 0; j < N; j++, q += bCol) C[ci + j] = C[ci + j]! + x0 * B[q]! + x1 * B[q + b1]! + x2 * B[q + b2]! + x3 * B[q + b3]!;
      }
      for (let k = K4; k < K; k++) {
        const x = A[ai + k * aCol]!;
        let q = b0 + k * bRow;
        if (k === 0) for (let j = 0; j < N; j++, q += bCol) C[ci + j] = x * B[q]!;
        else for (let j = 0; j < N; j++, q += bCol) C[ci + j] = C[ci + j]! + x * B[q]!;
      }
    }
  }
};

/** The same on interleaved (re, im) storage, one term at a time. */
export const productComplex: BatchedProduct = (n, M, K, N, A, offA, aRow, aCol, B, offB, bRow, bCol, C) => {
  const MN = M * N;
  for (let s = 0; s < n; s++) {
    const a0 = offA[s]!, b0 = offB[s]!, c0 = s * MN;
    for (let i = 0; i < M; i++) {
      const ci = 2 * (c0 + i * N);
      C.fill(0, ci, ci + 2 * N);
      for (let k = 0; k < K; k++) {
        const pa = 2 * (a0 + i * aRow + k * aCol);
        const xr = A[pa]!, xi = A[pa + 1]!;
        let q = 2 * (b0 + k * bRow);
        for (let j = 0; j < N; j++, q += 2 * bCol) {
          const yr = B[q]!, yi = B[q + 1]!;
          C[ci + 2 * j] = C[ci + 2 * j]! + xr * yr - xi * yi;
          C[ci + 2 * j + 1] = C[ci + 2 * j + 1]! + xr * yi + xi * yr;
        }
      }
    }
  }
};
