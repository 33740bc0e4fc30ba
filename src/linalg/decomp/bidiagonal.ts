import type { Complex } from "../dtype.js";
import { at } from "./colmajor.js";
import type { Field } from "./field.js";
import { applyReflectorLeft, applyReflectorRight, larfg } from "./householder.js";
import { orgqr } from "./qr.js";

/** Result of {@link gebrd}: A = Q·B·Pᴴ with B real upper bidiagonal (diagonal d, superdiagonal e). */
export interface Bidiagonal {
  d: Float64Array;
  e: Float64Array;
  tauq: Complex[];
  taup: Complex[];
}

const conj = (z: Complex): Complex => ({ re: z.re, im: -z.im });

/**
 * Householder bidiagonalisation of the m×n column-major block at `a` (m ≥ n; LAPACK's
 * xGEBD2). Left reflector i zeroes column i below the diagonal, right reflector i zeroes row
 * i right of the superdiagonal; both produce real betas, so B is real even for complex A.
 * On return the left vectors sit below the diagonal and the right vectors u_i (unconjugated,
 * u_i[0] = 1 implicit) in row i right of the superdiagonal.
 */
export function gebrd(F: Field, m: number, n: number, a: number, lda: number): Bidiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const tauq: Complex[] = [];
  const taup: Complex[] = [];
  F.arena.scope(() => {
    const work = F.arena.allocF64(F.w * Math.max(m, n, 1));
    const row = F.arena.allocF64(F.w * Math.max(n, 1));
    const f = F.arena.f64;
    for (let i = 0; i < n; i++) {
      const tq = larfg(F, m - i, at(F, a, lda, i, i), at(F, a, lda, Math.min(i + 1, m - 1), i));
      tauq.push(tq);
      d[i] = f[at(F, a, lda, i, i)]!;
      if (i + 1 < n) applyReflectorLeft(F, at(F, a, lda, i, i), conj(tq), at(F, a, lda, i, i + 1), lda, m - i, n - i - 1, work);
      if (i + 1 >= n) continue;
      // The row is strided in column-major storage: reflect a contiguous (conjugated) copy.
      const len = n - i - 1;
      for (let j = 0; j < len; j++) {
        const src = at(F, a, lda, i, i + 1 + j);
        f[row + F.w * j] = f[src]!;
        if (F.complex) f[row + 2 * j + 1] = -f[src + 1]!;
      }
      const tp = larfg(F, len, row, row + F.w);
      taup.push(tp);
      e[i] = f[row]!;
      for (let j = 0; j < len; j++) {
        const dst = at(F, a, lda, i, i + 1 + j);
        f[dst] = f[row + F.w * j]!;
        if (F.complex) f[dst + 1] = f[row + 2 * j + 1]!;
      }
      applyReflectorRight(F, row, tp, at(F, a, lda, i + 1, i + 1), lda, m - i - 1, len, work);
    }
  });
  return { d, e, tauq, taup };
}

/** Q (m×n, column-major, leading dimension `ldq`) of a bidiagonalisation. */
export function bidiagonalQ(F: Field, m: number, n: number, a: number, lda: number, b: Bidiagonal, ldq = m): number {
  return orgqr(F, m, n, a, lda, b.tauq, ldq);
}

/**
 * P (n×n, column-major, leading dimension `ldp`) of a bidiagonalisation: P = diag(1, P′) where
 * P′ is the product of the right reflectors, formed by {@link orgqr} from their vectors moved
 * into columns.
 */
export function bidiagonalP(F: Field, n: number, a: number, lda: number, b: Bidiagonal, ldp = n): number {
  const P = F.arena.zerosF64(F.w * ldp * n);
  const f = F.arena.f64;
  if (n === 0) return P;
  f[P] = 1;
  if (n === 1) return P;
  const k = n - 1;
  F.arena.scope(() => {
    const V = F.arena.zerosF64(F.w * k * k);
    const g = F.arena.f64;
    for (let i = 0; i < k; i++)
      for (let t = 1; i + t < k; t++) {
        const src = at(F, a, lda, i, i + 1 + t);
        const dst = at(F, V, k, i + t, i);
        g[dst] = g[src]!;
        if (F.complex) g[dst + 1] = g[src + 1]!;
      }
    const Pk = orgqr(F, k, k, V, k, b.taup);
    const h = F.arena.f64;
    for (let j = 0; j < k; j++) {
      const src = at(F, Pk, k, 0, j);
      h.copyWithin(at(F, P, ldp, 1, j + 1), src, src + F.w * k);
    }
  });
  return P;
}
