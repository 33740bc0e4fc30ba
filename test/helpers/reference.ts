import { expect } from "vitest";
import { FormatError } from "../../src/errors.js";
import { Tensor } from "../../src/linalg/tensor.js";

// Independent, deliberately naive reference implementations used as test oracles.

/** C = op(A)·op(B) for row-major real matrices given as flat arrays. */
export function naiveGemm(
  tA: boolean, tB: boolean, m: number, n: number, k: number,
  a: ArrayLike<number>, lda: number, b: ArrayLike<number>, ldb: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const x = tA ? a[p * lda + i]! : a[i * lda + p]!;
        const y = tB ? b[j * ldb + p]! : b[p * ldb + j]!;
        s += x * y;
      }
      c[i * n + j] = s;
    }
  return c;
}

/** C = op(A)·op(B) for row-major interleaved complex matrices; op ∈ {0: N, 1: T, 2: C}. */
export function naiveZgemm(
  opA: number, opB: number, m: number, n: number, k: number,
  a: ArrayLike<number>, lda: number, b: ArrayLike<number>, ldb: number,
): Float64Array {
  const c = new Float64Array(2 * m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let sr = 0;
      let si = 0;
      for (let p = 0; p < k; p++) {
        const ia = opA === 0 ? i * lda + p : p * lda + i;
        const ib = opB === 0 ? p * ldb + j : j * ldb + p;
        const ar = a[2 * ia]!;
        const ai = opA === 2 ? -a[2 * ia + 1]! : a[2 * ia + 1]!;
        const br = b[2 * ib]!;
        const bi = opB === 2 ? -b[2 * ib + 1]! : b[2 * ib + 1]!;
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      c[2 * (i * n + j)] = sr;
      c[2 * (i * n + j) + 1] = si;
    }
  return c;
}

/** max_i |x_i − y_i| */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`length ${x.length} vs ${y.length}`);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}

/** A small deterministic generator for test data (not the library's PRNG, on purpose). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export function randomArray(n: number, seed: number): Float64Array {
  const r = lcg(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r();
  return out;
}

/**
 * Naive labelled contraction by looping over every assignment of every label: the oracle
 * for tensordot / contract / einsum. Works on interleaved complex data when `complex`.
 */
export function naiveContract(
  a: { shape: readonly number[]; data: ArrayLike<number> }, la: readonly (string | number)[],
  b: { shape: readonly number[]; data: ArrayLike<number> }, lb: readonly (string | number)[],
  out: readonly (string | number)[], complex: boolean,
): { shape: number[]; data: Float64Array } {
  const labels = [...new Set([...la, ...lb])];
  const size = new Map<string | number, number>();
  la.forEach((l, i) => size.set(l, a.shape[i]!));
  lb.forEach((l, i) => size.set(l, b.shape[i]!));
  const outShape = out.map((l) => size.get(l)!);
  const outSize = outShape.reduce<number>((p, d) => p * d, 1);
  const w = complex ? 2 : 1;
  const res = new Float64Array(w * outSize);
  const idx = new Map<string | number, number>();
  const flat = (ls: readonly (string | number)[], shape: readonly number[]) =>
    ls.reduce<number>((off, l, i) => off * shape[i]! + idx.get(l)!, 0);
  const total = labels.reduce<number>((p, l) => p * size.get(l)!, 1);
  for (let t = 0; t < total; t++) {
    let r = t;
    for (let i = labels.length - 1; i >= 0; i--) {
      const d = size.get(labels[i]!)!;
      idx.set(labels[i]!, r % d);
      r = Math.floor(r / d);
    }
    const ia = flat(la, a.shape), ib = flat(lb, b.shape), io = flat(out, outShape);
    if (complex) {
      const ar = a.data[2 * ia]!, ai = a.data[2 * ia + 1]!, br = b.data[2 * ib]!, bi = b.data[2 * ib + 1]!;
      res[2 * io] = res[2 * io]! + ar * br - ai * bi;
      res[2 * io + 1] = res[2 * io + 1]! + ar * bi + ai * br;
    } else {
      res[io] = res[io]! + a.data[ia]! * b.data[ib]!;
    }
  }
  return { shape: outShape, data: res };
}

/** A tensor of test data in [-0.5, 0.5) from the helper LCG (independent of arbor's PRNG). */
export function fillTensor(shape: number[], dtype: "f64" | "c128" | "f32", seed: number): Tensor {
  const t = new Tensor(dtype, shape);
  const r = lcg(seed);
  for (let i = 0; i < t.data.length; i++) t.data[i] = r();
  return t;
}

/** The error `f` throws (the test fails if it returns normally). */
export function captureError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

/**
 * Runs `f`, expects a FormatError (code E_FORMAT) whose message holds every fragment (a string
 * to contain or a pattern to match), and returns it.
 */
export function expectFormatErrorFrom(f: () => unknown, ...fragments: Array<string | RegExp>): FormatError {
  const e = captureError(f);
  expect(e).toBeInstanceOf(FormatError);
  expect((e as FormatError).code).toBe("E_FORMAT");
  for (const fragment of fragments) {
    if (typeof fragment === "string") expect(e.message).toContain(fragment);
    else expect(e.message).toMatch(fragment);
  }
  return e as FormatError;
}
