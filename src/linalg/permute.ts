import { allocStorage, type DType, type StorageOf } from "./dtype.js";
import { assertRank, conj } from "./elementwise.js";
import { rowMajorStrides, validatePermutation } from "./shape.js";
import { Tensor } from "./tensor.js";

type Words = Float64Array | Float32Array;

// Tile edge of the blocked 2-D transpose: a 32×32 tile of doubles (8 KiB) in and out stays in L1.
const TILE = 32;

/**
 * Simplifies a permutation: drops unit axes and merges runs of input axes that stay adjacent
 * and in order, so e.g. (a, b, c, d) → (c, d, a, b) becomes a plain 2-D transpose.
 */
function simplify(shape: readonly number[], axes: readonly number[]): { dims: number[]; perm: number[] } {
  const kept = axes.filter((a) => shape[a] !== 1);
  const groups: number[][] = [];
  for (const a of kept) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[last.length - 1]! + 1 === a) last.push(a);
    else groups.push([a]);
  }
  // Groups in input order get merged-axis ids; perm lists them in output order.
  const order = groups.map((g, i) => ({ first: g[0]!, i })).sort((x, y) => x.first - y.first);
  const idOf = new Array<number>(groups.length);
  order.forEach((o, id) => (idOf[o.i] = id));
  const dims = new Array<number>(groups.length);
  groups.forEach((g, i) => (dims[idOf[i]!] = g.reduce((p, a) => p * shape[a]!, 1)));
  return { dims, perm: groups.map((_, i) => idOf[i]!) };
}

/**
 * Blocked transposing copy: `dst[dOff + j·dLd + i] = src[sOff + i·sLd + j]` for i < rows,
 * j < cols, offsets and leading dimensions in elements of `w` words (w = 2: complex, and
 * `conjugate` negates imaginary parts on the way).
 */
export function transposeInto(
  src: Words, sOff: number, sLd: number, rows: number, cols: number, w: number,
  dst: Words, dOff: number, dLd: number, conjugate = false,
): void {
  const sign = conjugate ? -1 : 1;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      if (w === 1) {
        for (let i = i0; i < i1; i++) {
          let s = sOff + i * sLd + j0, d = dOff + j0 * dLd + i;
          for (let j = j0; j < j1; j++, s++, d += dLd) dst[d] = src[s]!;
        }
      } else {
        const dStep = 2 * dLd;
        for (let i = i0; i < i1; i++) {
          let s = 2 * (sOff + i * sLd + j0), d = 2 * (dOff + j0 * dLd + i);
          for (let j = j0; j < j1; j++, s += 2, d += dStep) {
            dst[d] = src[s]!;
            dst[d + 1] = sign * src[s + 1]!;
          }
        }
      }
    }
  }
}

/*
 * General case, in words (w per element). The input's last axis `a` is contiguous in the
 * input, the input axis `b` that becomes the output's last is contiguous in the output: if they
 * are the same, whole runs are copied; otherwise every (a, b) plane is copied in TILE×TILE
 * blocks (reads along a, writes along b stay within L1). The other axes are walked by an
 * odometer outside.
 */
function permuteBlocked(src: Words, dims: number[], perm: number[], w: number, dst: Words): void {
  const n = dims.length;
  const inStrides = rowMajorStrides(dims).map((s) => s * w);
  const outByPosition = rowMajorStrides(perm.map((p) => dims[p]!));
  const outStrides = new Array<number>(n);
  perm.forEach((p, o) => (outStrides[p] = outByPosition[o]! * w));
  const a = n - 1;
  const b = perm[n - 1]!;
  const rest = dims.map((_, i) => i).filter((i) => i !== a && i !== b);
  let count = 1;
  for (const ax of rest) count *= dims[ax]!;
  const counter = new Array<number>(rest.length).fill(0);
  const na = dims[a]!, nb = dims[b]!;
  const sb = inStrides[b]!, da = outStrides[a]!;
  let inBase = 0, outBase = 0;
  for (let k = 0; k < count; k++) {
    if (a === b) {
      const len = na * w;
      if (len >= 64) dst.set(src.subarray(inBase, inBase + len), outBase);
      else for (let q = 0; q < len; q++) dst[outBase + q] = src[inBase + q]!;
    } else {
      for (let ib0 = 0; ib0 < nb; ib0 += TILE) {
        const ib1 = Math.min(nb, ib0 + TILE);
        for (let ia0 = 0; ia0 < na; ia0 += TILE) {
          const ia1 = Math.min(na, ia0 + TILE);
          if (w === 1) {
            for (let ib = ib0; ib < ib1; ib++) {
              let s = inBase + ib * sb + ia0, d = outBase + ib + ia0 * da;
              for (let ia = ia0; ia < ia1; ia++, s++, d += da) dst[d] = src[s]!;
            }
          } else {
            for (let ib = ib0; ib < ib1; ib++) {
              let s = inBase + ib * sb + 2 * ia0, d = outBase + 2 * ib + ia0 * da;
              for (let ia = ia0; ia < ia1; ia++, s += 2, d += da) {
                dst[d] = src[s]!;
                dst[d + 1] = src[s + 1]!;
              }
            }
          }
        }
      }
    }
    for (let r = rest.length - 1; r >= 0; r--) {
      const ax = rest[r]!;
      inBase += inStrides[ax]!;
      outBase += outStrides[ax]!;
      if (++counter[r]! < dims[ax]!) break;
      inBase -= inStrides[ax]! * dims[ax]!;
      outBase -= outStrides[ax]! * dims[ax]!;
      counter[r] = 0;
    }
  }
}

/** Permuted copy of raw row-major storage (used by contractions on plain arrays too). */
export function permuteStorage<S extends Words>(src: S, shape: readonly number[], axes: readonly number[], w: number, dst: S): void {
  const { dims, perm } = simplify(shape, axes);
  const identity = perm.every((p, i) => p === i);
  if (identity) dst.set(src.subarray(0, dst.length));
  else if (perm.length === 2) transposeInto(src, 0, dims[1]!, dims[0]!, dims[1]!, w, dst, 0, dims[0]!);
  else permuteBlocked(src, dims, perm, w, dst);
}

/**
 * Axes reordered: `result.shape[i] = t.shape[axes[i]]` (numpy's `transpose(axes)`), as a
 * contiguous copy. Negative axes count from the end.
 *
 * @example
 * ```ts
 * const t = tensor([[1, 2, 3], [4, 5, 6]]);
 * const p = permute(t, [1, 0]);
 * console.assert(p.shape[0] === 3 && p.get(2, 1) === t.get(1, 2));
 * ```
 */
export function permute<D extends DType>(t: Tensor<D>, axes: readonly number[]): Tensor<D> {
  const ax = validatePermutation(axes, t.ndim);
  const shape = ax.map((a) => t.shape[a]!);
  const out = allocStorage(t.dtype, t.size) as StorageOf<D>;
  permuteStorage(t.data, t.shape, ax, t.dtype === "c128" ? 2 : 1, out);
  return new Tensor(t.dtype, shape, out);
}

/**
 * All axes reversed (the matrix transpose for 2-D tensors).
 *
 * @example
 * ```ts
 * const a = randn([2, 5], 3);
 * console.assert(transpose(a).get(4, 1) === a.get(1, 4));
 * ```
 */
export function transpose<D extends DType>(t: Tensor<D>): Tensor<D> {
  return permute(
    t,
    t.shape.map((_, i) => t.ndim - 1 - i),
  );
}

/**
 * Conjugate transpose of a matrix.
 *
 * @example
 * ```ts
 * const z = tensor([[{ re: 1, im: 2 }, { re: 0, im: 0 }]]);
 * console.assert((adjoint(z).get(0, 0) as Complex).im === -2 && adjoint(z).shape.join() === "2,1");
 * ```
 */
export function adjoint<D extends DType>(t: Tensor<D>): Tensor<D> {
  assertRank(t, 2, "adjoint");
  const tt = transpose(t);
  return t.dtype === "c128" ? conj(tt) : tt;
}
