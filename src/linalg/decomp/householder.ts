import { cdiv } from "../complex.js";
import type { Complex } from "../dtype.js";
import { at } from "./colmajor.js";
import type { Field } from "./field.js";

// LAPACK's safe minimum divided by epsilon: below this a reflector's beta is rescaled so that
// 1/(alpha − beta) does not overflow.
const SAFMIN = 2 ** -1022 / 2 ** -53;
const ONE: Complex = { re: 1, im: 0 };
const ZERO: Complex = { re: 0, im: 0 };

/**
 * Elementary reflector in LAPACK's xLARFG convention. With alpha at `alphaPtr` and x the n−1
 * elements at `x`, finds tau and v (v₀ = 1) such that Hᴴ·[alpha; x] = [beta; 0] for
 * H = I − tau·v·vᴴ, with beta real. Overwrites alpha with beta and x with v₁…; returns tau
 * (0 when the vector is already of that form; real when alpha and x are real).
 */
export function larfg(F: Field, n: number, alphaPtr: number, x: number): Complex {
  if (n <= 0) return ZERO;
  const f = F.arena.f64;
  let ar = f[alphaPtr]!;
  let ai = F.complex ? f[alphaPtr + 1]! : 0;
  let xnorm = n > 1 ? F.nrm2(n - 1, x) : 0;
  if (xnorm === 0 && ai === 0) return ZERO;
  let beta = -Math.sign(ar || 1) * Math.hypot(ar, ai, xnorm);
  let rescaled = 0;
  if (Math.abs(beta) < SAFMIN) {
    // Scale x, alpha and beta up until beta is representable without loss, then scale back.
    do {
      rescaled++;
      if (n > 1) F.rscal(n - 1, 1 / SAFMIN, x);
      beta /= SAFMIN;
      ar /= SAFMIN;
      ai /= SAFMIN;
    } while (Math.abs(beta) < SAFMIN && rescaled < 20);
    xnorm = n > 1 ? F.nrm2(n - 1, x) : 0;
    beta = -Math.sign(ar || 1) * Math.hypot(ar, ai, xnorm);
  }
  const tau: Complex = { re: (beta - ar) / beta, im: -ai / beta };
  if (n > 1) F.scal(n - 1, cdiv(ONE, { re: ar - beta, im: ai }), x);
  for (let j = 0; j < rescaled; j++) beta *= SAFMIN;
  f[alphaPtr] = beta;
  if (F.complex) f[alphaPtr + 1] = 0;
  return tau;
}

// A reflector's vector is stored with its first element overwritten (by beta, in LAPACK's
// packed form); the products need it as 1, so it is set for the duration of `fn`.
function withUnitHead(F: Field, v: number, fn: () => void): void {
  const f = F.arena.f64;
  const v0r = f[v]!, v0i = F.complex ? f[v + 1]! : 0;
  f[v] = 1;
  if (F.complex) f[v + 1] = 0;
  try {
    fn();
  } finally {
    f[v] = v0r;
    if (F.complex) f[v + 1] = v0i;
  }
}

/**
 * C ← (I − tau·v·vᴴ)·C for the mc×nc column-major block C; v starts at `v` with an implicit
 * v₀ = 1 (its stored first element is set to 1 and restored). `work` holds nc elements.
 */
export function applyReflectorLeft(
  F: Field, v: number, tau: Complex, c: number, ldc: number, mc: number, nc: number, work: number,
): void {
  if ((tau.re === 0 && tau.im === 0) || nc === 0) return;
  withUnitHead(F, v, () => {
    F.gemvC(mc, nc, ONE, c, ldc, v, ZERO, work);
    F.gerc(mc, nc, { re: -tau.re, im: -tau.im }, v, work, c, ldc);
  });
}

/**
 * C ← C·(I − tau·v·vᴴ) for the mc×nc block C (v of length nc, v₀ = 1 implicit).
 * `work` holds mc elements.
 */
export function applyReflectorRight(
  F: Field, v: number, tau: Complex, c: number, ldc: number, mc: number, nc: number, work: number,
): void {
  if ((tau.re === 0 && tau.im === 0) || mc === 0) return;
  withUnitHead(F, v, () => {
    F.arena.f64.fill(0, work, work + F.w * mc);
    F.gemvN(mc, nc, ONE, c, ldc, v, work);
    F.gerc(mc, nc, { re: -tau.re, im: -tau.im }, work, v, c, ldc);
  });
}

/**
 * The reflectors of a panel as an explicit mp×k column-major matrix (ld = mp): column i is
 * v_i with v_i[i] = 1 and zeros above, copied from the panel at `a` (ld `lda`).
 */
export function explicitReflectors(F: Field, a: number, lda: number, mp: number, k: number): number {
  const V = F.arena.zerosF64(F.w * mp * k);
  const f = F.arena.f64;
  for (let i = 0; i < k; i++) {
    const dst = at(F, V, mp, i, i);
    f[dst] = 1;
    const src = at(F, a, lda, i + 1, i);
    const len = F.w * (mp - i - 1);
    f.copyWithin(dst + F.w, src, src + len);
  }
  return V;
}

/**
 * The k×k upper triangular factor T (column-major, ld = k, zeros below) of the block
 * reflector H₀H₁…H_{k−1} = I − V·T·Vᴴ for explicit reflectors V (mp×k, ld = mp).
 */
export function blockReflectorFactor(F: Field, V: number, mp: number, k: number, taus: readonly Complex[]): number {
  const T = F.arena.zerosF64(F.w * k * k);
  const col = F.arena.allocF64(F.w * k);
  const g = F.arena.f64;
  for (let i = 0; i < k; i++) {
    const tau = taus[i]!;
    const tii = at(F, T, k, i, i);
    g[tii] = tau.re;
    if (F.complex) g[tii + 1] = tau.im;
    if (i === 0 || (tau.re === 0 && tau.im === 0)) continue;
    // T[0:i, i] = −tau·V[i:, 0:i]ᴴ·V[i:, i]  (rows above i of column i of V are zero)
    F.gemvC(mp - i, i, { re: -tau.re, im: -tau.im }, at(F, V, mp, i, 0), mp, at(F, V, mp, i, i), { re: 0, im: 0 }, col);
    // T[0:i, i] = T[0:i, 0:i]·that (upper triangular, in place through `col`)
    for (let r = 0; r < i; r++) {
      let sr = 0, si = 0;
      for (let c = r; c < i; c++) {
        const t = at(F, T, k, r, c);
        const tr = g[t]!, ti = F.complex ? g[t + 1]! : 0;
        const xr = g[col + F.w * c]!, xi = F.complex ? g[col + F.w * c + 1]! : 0;
        sr += tr * xr - ti * xi;
        si += tr * xi + ti * xr;
      }
      const dst = at(F, T, k, r, i);
      g[dst] = sr;
      if (F.complex) g[dst + 1] = si;
    }
  }
  return T;
}

/**
 * C ← H·C (adjoint = false) or C ← Hᴴ·C (adjoint = true) for the block reflector
 * H = I − V·T·Vᴴ, V explicit (mc×k, ld = mc), T from {@link blockReflectorFactor}.
 * Three GEMMs: W = VᴴC, W = op(T)·W, C −= V·W.
 */
export function applyBlockReflectorLeft(
  F: Field, V: number, T: number, k: number, c: number, ldc: number, mc: number, nc: number, adjoint: boolean,
): void {
  if (nc === 0 || k === 0) return;
  F.arena.scope(() => {
    const W = F.arena.allocF64(F.w * k * nc);
    const W2 = F.arena.allocF64(F.w * k * nc);
    const one = { re: 1, im: 0 }, zero = { re: 0, im: 0 };
    F.gemm(2, 0, k, nc, mc, one, V, mc, c, ldc, zero, W, k);
    F.gemm(adjoint ? 2 : 0, 0, k, nc, k, one, T, k, W, k, zero, W2, k);
    F.gemm(0, 0, mc, nc, k, { re: -1, im: 0 }, V, mc, W2, k, one, c, ldc);
  });
}

