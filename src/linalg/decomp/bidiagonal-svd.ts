import { ConvergenceError } from "../../errors.js";
import type { Arena } from "../../backend/cpu/arena.js";
import { RotationBatch, swapBlockColumns, type VectorBlock } from "./rotation-batch.js";
import { givens, singularValues2x2, svd2x2 } from "./rotations.js";

export type { VectorBlock } from "./rotation-batch.js";

const EPS = 2 ** -53;
const UNFL = 2 ** -1022;
const MAXITR = 6;
// Demmel–Kahan relative tolerance: between 10 and 100 ulps.
const TOLMUL = Math.max(10, Math.min(100, EPS ** -0.125));
const TOL = TOLMUL * EPS;

/**
 * Singular values of the real n×n upper bidiagonal B (diagonal d, superdiagonal e) to high
 * relative accuracy by implicit zero-shift / shifted QR (Demmel & Kahan 1990), the algorithm
 * of LAPACK's xBDSQR. Rotations from the right update the columns of `V`, rotations from the
 * left the columns of `U`, so with U = Q and V = P of A = Q·B·Pᴴ the result is A's SVD. On
 * return `d` holds the singular values in decreasing order, `e` is zero and U, V are
 * permuted to match.
 * @throws {@link ConvergenceError} if some value fails to converge in 6n² inner steps.
 */
export function bidiagonalSvd(arena: Arena, n: number, d: Float64Array, e: Float64Array, U?: VectorBlock, V?: VectorBlock): void {
  if (n === 0) return;
  arena.scope(() => {
    if (n > 1) qrIteration(arena, n, d, e, U, V);
    for (let i = 0; i < n; i++) {
      if (d[i]! < 0) {
        d[i] = -d[i]!;
        if (V !== undefined) arena.kernels.dscal(V.w * V.rows, -1, 8 * (V.ptr + V.w * V.ld * i));
      }
    }
    // Selection sort: n swaps at most, each moving whole vectors once.
    for (let i = 0; i < n - 1; i++) {
      let best = i;
      for (let j = i + 1; j < n; j++) if (d[j]! > d[best]!) best = j;
      if (best !== i) {
        const t = d[i]!;
        d[i] = d[best]!;
        d[best] = t;
        swapBlockColumns(arena, U, i, best);
        swapBlockColumns(arena, V, i, best);
      }
    }
  });
}

function qrIteration(arena: Arena, n: number, d: Float64Array, e: Float64Array, U?: VectorBlock, V?: VectorBlock): void {
  const rotU = new RotationBatch(arena, U);
  const rotV = new RotationBatch(arena, V);
  try {
    qrSweeps(n, d, e, rotU, rotV);
  } finally {
    rotU.flush();
    rotV.flush();
  }
}

function qrSweeps(n: number, d: Float64Array, e: Float64Array, rotU: RotationBatch, rotV: RotationBatch): void {
  // Threshold for negligible entries: tol times a lower bound on the smallest singular value.
  let sminoa = Math.abs(d[0]!);
  if (sminoa !== 0) {
    let mu = sminoa;
    for (let i = 1; i < n; i++) {
      mu = Math.abs(d[i]!) * (mu / (mu + Math.abs(e[i - 1]!)));
      sminoa = Math.min(sminoa, mu);
      if (sminoa === 0) break;
    }
  }
  sminoa /= Math.sqrt(n);
  const thresh = Math.max(TOL * sminoa, MAXITR * (n * (n * UNFL)));
  const maxit = MAXITR * n * n;
  let iter = 0;
  let oldll = -1, oldm = -1, idir = 0;
  let m = n - 1;
  main: while (m > 0) {
    if (iter > maxit) {
      throw new ConvergenceError(`bidiagonal SVD: ${m + 1} of ${n} singular values did not converge in ${maxit} QR steps`);
    }
    // Find the bottom unreduced block ll..m, splitting at a negligible superdiagonal entry.
    let smax = Math.abs(d[m]!);
    let ll = -1;
    for (let i = m - 1; i >= 0; i--) {
      const abss = Math.abs(d[i]!), abse = Math.abs(e[i]!);
      if (abse <= thresh) {
        e[i] = 0;
        ll = i;
        break;
      }
      smax = Math.max(smax, abss, abse);
    }
    if (ll === m - 1) {
      m -= 1;
      continue;
    }
    ll += 1;
    if (ll === m - 1) {
      // A 2×2 block: solve it directly.
      const r = svd2x2(d[m - 1]!, e[m - 1]!, d[m]!);
      d[m - 1] = r.ssmax;
      e[m - 1] = 0;
      d[m] = r.ssmin;
      rotV.begin(m - 1, 1, false);
      rotV.set(0, r.cr, r.sr);
      rotU.begin(m - 1, 1, false);
      rotU.set(0, r.cl, r.sl);
      m -= 2;
      continue;
    }
    // A new block: chase the bulge from the larger end towards the smaller.
    if (ll > oldm || m < oldll) idir = Math.abs(d[ll]!) >= Math.abs(d[m]!) ? 1 : 2;
    let sminl: number;
    if (idir === 1) {
      if (Math.abs(e[m - 1]!) <= TOL * Math.abs(d[m]!)) {
        e[m - 1] = 0;
        continue;
      }
      let mu = Math.abs(d[ll]!);
      sminl = mu;
      for (let i = ll; i < m; i++) {
        if (Math.abs(e[i]!) <= TOL * mu) {
          e[i] = 0;
          continue main;
        }
        mu = Math.abs(d[i + 1]!) * (mu / (mu + Math.abs(e[i]!)));
        sminl = Math.min(sminl, mu);
      }
    } else {
      if (Math.abs(e[ll]!) <= TOL * Math.abs(d[ll]!)) {
        e[ll] = 0;
        continue;
      }
      let mu = Math.abs(d[m]!);
      sminl = mu;
      for (let i = m - 1; i >= ll; i--) {
        if (Math.abs(e[i]!) <= TOL * mu) {
          e[i] = 0;
          continue main;
        }
        mu = Math.abs(d[i]!) * (mu / (mu + Math.abs(e[i]!)));
        sminl = Math.min(sminl, mu);
      }
    }
    oldll = ll;
    oldm = m;
    // Zero shift when it would spoil relative accuracy, else the smaller singular value of
    // the 2×2 block at the end the chase heads to.
    let shift = 0;
    if (!(n * TOL * (sminl / smax) <= Math.max(EPS, 0.01 * TOL))) {
      let sll: number;
      if (idir === 1) {
        sll = Math.abs(d[ll]!);
        shift = singularValues2x2(d[m - 1]!, e[m - 1]!, d[m]!)[0];
      } else {
        sll = Math.abs(d[m]!);
        shift = singularValues2x2(d[ll]!, e[ll]!, d[ll + 1]!)[0];
      }
      if (sll > 0 && (shift / sll) ** 2 < EPS) shift = 0;
    }
    iter += m - ll;
    const count = m - ll;
    rotU.begin(ll, count, idir === 2);
    rotV.begin(ll, count, idir === 2);
    if (shift === 0) {
      if (idir === 1) zeroShiftDown(d, e, ll, m, rotU, rotV, thresh);
      else zeroShiftUp(d, e, ll, m, rotU, rotV, thresh);
    } else if (idir === 1) {
      shiftedDown(d, e, ll, m, shift, rotU, rotV, thresh);
    } else {
      shiftedUp(d, e, ll, m, shift, rotU, rotV, thresh);
    }
  }
}

function zeroShiftDown(d: Float64Array, e: Float64Array, ll: number, m: number, rotU: RotationBatch, rotV: RotationBatch, thresh: number): void {
  let cs = 1, oldcs = 1, oldsn = 0;
  for (let i = ll; i < m; i++) {
    const r1 = givens(d[i]! * cs, e[i]!);
    cs = r1.c;
    const sn = r1.s;
    if (i > ll) e[i - 1] = oldsn * r1.r;
    const r2 = givens(oldcs * r1.r, d[i + 1]! * sn);
    oldcs = r2.c;
    oldsn = r2.s;
    d[i] = r2.r;
    rotV.set(i - ll, cs, sn);
    rotU.set(i - ll, oldcs, oldsn);
  }
  const h = d[m]! * cs;
  d[m] = h * oldcs;
  e[m - 1] = h * oldsn;
  if (Math.abs(e[m - 1]!) <= thresh) e[m - 1] = 0;
}

function zeroShiftUp(d: Float64Array, e: Float64Array, ll: number, m: number, rotU: RotationBatch, rotV: RotationBatch, thresh: number): void {
  let cs = 1, oldcs = 1, oldsn = 0;
  for (let i = m; i > ll; i--) {
    const r1 = givens(d[i]! * cs, e[i - 1]!);
    cs = r1.c;
    const sn = r1.s;
    if (i < m) e[i] = oldsn * r1.r;
    const r2 = givens(oldcs * r1.r, d[i - 1]! * sn);
    oldcs = r2.c;
    oldsn = r2.s;
    d[i] = r2.r;
    rotU.set(i - 1 - ll, cs, -sn);
    rotV.set(i - 1 - ll, oldcs, -oldsn);
  }
  const h = d[ll]! * cs;
  d[ll] = h * oldcs;
  e[ll] = h * oldsn;
  if (Math.abs(e[ll]!) <= thresh) e[ll] = 0;
}

function shiftedDown(d: Float64Array, e: Float64Array, ll: number, m: number, shift: number, rotU: RotationBatch, rotV: RotationBatch, thresh: number): void {
  let f = (Math.abs(d[ll]!) - shift) * (Math.sign(d[ll]!) + shift / d[ll]!);
  let g = e[ll]!;
  for (let i = ll; i < m; i++) {
    const r = givens(f, g);
    if (i > ll) e[i - 1] = r.r;
    f = r.c * d[i]! + r.s * e[i]!;
    e[i] = r.c * e[i]! - r.s * d[i]!;
    g = r.s * d[i + 1]!;
    d[i + 1] = r.c * d[i + 1]!;
    const l = givens(f, g);
    d[i] = l.r;
    f = l.c * e[i]! + l.s * d[i + 1]!;
    d[i + 1] = l.c * d[i + 1]! - l.s * e[i]!;
    if (i < m - 1) {
      g = l.s * e[i + 1]!;
      e[i + 1] = l.c * e[i + 1]!;
    }
    rotV.set(i - ll, r.c, r.s);
    rotU.set(i - ll, l.c, l.s);
  }
  e[m - 1] = f;
  if (Math.abs(e[m - 1]!) <= thresh) e[m - 1] = 0;
}

function shiftedUp(d: Float64Array, e: Float64Array, ll: number, m: number, shift: number, rotU: RotationBatch, rotV: RotationBatch, thresh: number): void {
  let f = (Math.abs(d[m]!) - shift) * (Math.sign(d[m]!) + shift / d[m]!);
  let g = e[m - 1]!;
  for (let i = m; i > ll; i--) {
    const r = givens(f, g);
    if (i < m) e[i] = r.r;
    f = r.c * d[i]! + r.s * e[i - 1]!;
    e[i - 1] = r.c * e[i - 1]! - r.s * d[i]!;
    g = r.s * d[i - 1]!;
    d[i - 1] = r.c * d[i - 1]!;
    const l = givens(f, g);
    d[i] = l.r;
    f = l.c * e[i - 1]! + l.s * d[i - 1]!;
    d[i - 1] = l.c * d[i - 1]! - l.s * e[i - 1]!;
    if (i > ll + 1) {
      g = l.s * e[i - 2]!;
      e[i - 2] = l.c * e[i - 2]!;
    }
    rotU.set(i - 1 - ll, r.c, -r.s);
    rotV.set(i - 1 - ll, l.c, -l.s);
  }
  e[ll] = f;
  if (Math.abs(e[ll]!) <= thresh) e[ll] = 0;
}
