import type { Complex } from "../dtype.js";
import { at } from "./colmajor.js";
import type { Field } from "./field.js";
import { larfg } from "./householder.js";
import { orgqr } from "./qr.js";

/** Result of {@link hetrd}: Qᴴ·A·Q = T with T real symmetric tridiagonal (diagonal d, off-diagonal e). */
export interface Tridiagonal {
  d: Float64Array;
  e: Float64Array;
  taus: Complex[];
}

/**
 * Householder reduction of a Hermitian matrix, given by the lower triangle of the n×n
 * column-major block at `a`, to real symmetric tridiagonal form (LAPACK's xSYTD2/xHETD2,
 * lower). Reflector i (vector below the subdiagonal of column i) is applied from both sides
 * as a rank-2 update; its beta is real, so T is real for complex A.
 */
export function hetrd(F: Field, n: number, a: number, lda: number): Tridiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const taus: Complex[] = [];
  F.arena.scope(() => {
    const w = F.arena.allocF64(F.w * Math.max(1, n));
    for (let i = 0; i < n - 1; i++) {
      const len = n - i - 1;
      const v = at(F, a, lda, i + 1, i);
      const tau = larfg(F, len, v, at(F, a, lda, Math.min(i + 2, n - 1), i));
      const f = F.arena.f64;
      e[i] = f[v]!;
      if (tau.re !== 0 || tau.im !== 0) {
        f[v] = 1;
        if (F.complex) f[v + 1] = 0;
        const sub = at(F, a, lda, i + 1, i + 1);
        // x = tau·A₂₂·v; w = x − ½·tau·(xᴴv)·v; A₂₂ −= v·wᴴ + w·vᴴ  (= Hᴴ·A₂₂·H)
        f.fill(0, w, w + F.w * len);
        F.hemvL(len, tau, sub, lda, v, w);
        const xv = F.dotc(len, w, v);
        const alpha = { re: -0.5 * (tau.re * xv.re - tau.im * xv.im), im: -0.5 * (tau.re * xv.im + tau.im * xv.re) };
        F.axpy(len, alpha, v, w);
        F.her2L(len, { re: -1, im: 0 }, v, w, sub, lda);
        f[v] = e[i]!;
        if (F.complex) f[v + 1] = 0;
      }
      d[i] = F.arena.f64[at(F, a, lda, i, i)]!;
      taus.push(tau);
    }
    if (n > 0) d[n - 1] = F.arena.f64[at(F, a, lda, n - 1, n - 1)]!;
  });
  return { d, e, taus };
}

/**
 * Q (n×n, column-major, leading dimension `ldq`) of {@link hetrd}: Q = diag(1, Q′), Q′ the
 * product of the reflectors, which sit below the diagonal of the block starting at A(1, 0).
 */
export function tridiagonalQ(F: Field, n: number, a: number, lda: number, t: Tridiagonal, ldq = n): number {
  const Q = F.arena.zerosF64(F.w * ldq * n);
  if (n === 0) return Q;
  F.arena.f64[Q] = 1;
  if (n === 1) return Q;
  F.arena.scope(() => {
    const sub = orgqr(F, n - 1, n - 1, at(F, a, lda, 1, 0), lda, t.taus);
    const f = F.arena.f64;
    for (let j = 0; j < n - 1; j++) {
      const src = at(F, sub, n - 1, 0, j);
      f.copyWithin(at(F, Q, ldq, 1, j + 1), src, src + F.w * (n - 1));
    }
  });
  return Q;
}
