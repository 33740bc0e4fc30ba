import type { Arena } from "../../backend/cpu/arena.js";
import { ConvergenceError } from "../../errors.js";
import { RotationBatch, swapBlockColumns, type VectorBlock } from "./rotation-batch.js";
import { givens, symmetricEigen2x2 } from "./rotations.js";

const EPS = 2 ** -53;
const EPS2 = EPS * EPS;
const SAFMIN = 2 ** -1022;
const SSFMAX = Math.sqrt(1 / SAFMIN) / 3;
const SSFMIN = Math.sqrt(SAFMIN) / EPS2;
const MAXIT = 30;

/**
 * Eigenvalues (and optionally eigenvectors) of the real symmetric tridiagonal T (diagonal d,
 * off-diagonal e) by the implicit QL/QR algorithm with Wilkinson shifts, the algorithm of
 * LAPACK's xSTEQR: each unreduced block is iterated from its end of smaller magnitude, and
 * scaled first if its entries are near over- or underflow. Rotations update the columns of
 * `Z` (from the right), so with Z = Q of A = Q·T·Qᴴ the result holds A's eigenvectors.
 * On return d is sorted ascending and Z permuted to match.
 * @throws {@link ConvergenceError} if 30n iterations do not suffice.
 */
export function tridiagonalEig(arena: Arena, n: number, d: Float64Array, e: Float64Array, Z?: VectorBlock): void {
  if (n === 0) return;
  arena.scope(() => {
    if (n > 1) {
      const rot = new RotationBatch(arena, Z);
      try {
        iterate(n, d, e, rot);
      } finally {
        rot.flush();
      }
    }
    sortAscending(arena, n, d, Z);
  });
}

function blockMaxAbs(d: Float64Array, e: Float64Array, l: number, lend: number): number {
  let m = 0;
  for (let i = l; i <= lend; i++) m = Math.max(m, Math.abs(d[i]!));
  for (let i = l; i < lend; i++) m = Math.max(m, Math.abs(e[i]!));
  return m;
}

function scaleBlock(d: Float64Array, e: Float64Array, l: number, lend: number, factor: number): void {
  for (let i = l; i <= lend; i++) d[i] = d[i]! * factor;
  for (let i = l; i < lend; i++) e[i] = e[i]! * factor;
}

function iterate(n: number, d: Float64Array, e: Float64Array, rot: RotationBatch): void {
  const nmaxit = MAXIT * n;
  let jtot = 0;
  let l1 = 0;
  while (l1 < n) {
    if (l1 > 0) e[l1 - 1] = 0;
    // Split off the block l1..m at the first negligible off-diagonal entry.
    let m = l1;
    for (; m < n - 1; m++) {
      const tst = Math.abs(e[m]!);
      if (tst === 0) break;
      if (tst <= Math.sqrt(Math.abs(d[m]!)) * Math.sqrt(Math.abs(d[m + 1]!)) * EPS) {
        e[m] = 0;
        break;
      }
    }
    let l = l1;
    const lsv = l;
    let lend = m;
    const lendsv = lend;
    l1 = m + 1;
    if (lend === l) continue;
    const anorm = blockMaxAbs(d, e, l, lend);
    if (anorm === 0) continue;
    let scale = 1;
    if (anorm > SSFMAX) scale = SSFMAX / anorm;
    else if (anorm < SSFMIN) scale = SSFMIN / anorm;
    if (scale !== 1) scaleBlock(d, e, l, lend, scale);
    // Iterate from the end with the smaller diagonal entry (QL if that is the top).
    if (Math.abs(d[lend]!) < Math.abs(d[l]!)) {
      lend = lsv;
      l = lendsv;
    }
    if (lend > l) jtot = qlBlock(d, e, l, lend, rot, jtot, nmaxit);
    else jtot = qrBlock(d, e, l, lend, rot, jtot, nmaxit);
    if (scale !== 1) scaleBlock(d, e, lsv, lendsv, 1 / scale);
    if (jtot >= nmaxit) {
      const left = Array.from(e).filter((x) => x !== 0).length;
      if (left > 0) throw new ConvergenceError(`symmetric tridiagonal eigensolver: ${left} off-diagonal entries of ${n - 1} did not converge in ${nmaxit} iterations`);
    }
  }
}

// QL iteration on the block l..lend (lend > l), deflating from the top. Returns the updated
// iteration count.
function qlBlock(d: Float64Array, e: Float64Array, l: number, lend: number, rot: RotationBatch, jtot: number, nmaxit: number): number {
  for (;;) {
    let m = lend;
    for (let i = l; i < lend; i++) {
      if (Math.abs(e[i]!) ** 2 <= EPS2 * Math.abs(d[i]!) * Math.abs(d[i + 1]!) + SAFMIN) {
        m = i;
        break;
      }
    }
    if (m < lend) e[m] = 0;
    let p = d[l]!;
    if (m === l) {
      l += 1;
      if (l <= lend) continue;
      return jtot;
    }
    if (m === l + 1) {
      const r = symmetricEigen2x2(d[l]!, e[l]!, d[l + 1]!);
      rot.begin(l, 1, true);
      rot.set(0, r.cs, r.sn);
      d[l] = r.rt1;
      d[l + 1] = r.rt2;
      e[l] = 0;
      l += 2;
      if (l <= lend) continue;
      return jtot;
    }
    if (jtot === nmaxit) return jtot;
    jtot++;
    // Wilkinson shift from the leading 2×2, then one implicit QL sweep from m up to l.
    let g = (d[l + 1]! - p) / (2 * e[l]!);
    let r = Math.hypot(g, 1);
    g = d[m]! - p + e[l]! / (g + (g >= 0 ? r : -r));
    let s = 1, c = 1;
    p = 0;
    rot.begin(l, m - l, true);
    for (let i = m - 1; i >= l; i--) {
      const f = s * e[i]!;
      const b = c * e[i]!;
      const gv = givens(g, f);
      c = gv.c;
      s = gv.s;
      if (i !== m - 1) e[i + 1] = gv.r;
      g = d[i + 1]! - p;
      r = (d[i]! - g) * s + 2 * c * b;
      p = s * r;
      d[i + 1] = g + p;
      g = c * r - b;
      rot.set(i - l, c, -s);
    }
    d[l] = d[l]! - p;
    e[l] = g;
  }
}

// QR iteration on the block lend..l (lend < l), deflating from the bottom.
function qrBlock(d: Float64Array, e: Float64Array, l: number, lend: number, rot: RotationBatch, jtot: number, nmaxit: number): number {
  for (;;) {
    let m = lend;
    for (let i = l; i > lend; i--) {
      if (Math.abs(e[i - 1]!) ** 2 <= EPS2 * Math.abs(d[i]!) * Math.abs(d[i - 1]!) + SAFMIN) {
        m = i;
        break;
      }
    }
    if (m > lend) e[m - 1] = 0;
    let p = d[l]!;
    if (m === l) {
      l -= 1;
      if (l >= lend) continue;
      return jtot;
    }
    if (m === l - 1) {
      const r = symmetricEigen2x2(d[l - 1]!, e[l - 1]!, d[l]!);
      rot.begin(l - 1, 1, false);
      rot.set(0, r.cs, r.sn);
      d[l - 1] = r.rt1;
      d[l] = r.rt2;
      e[l - 1] = 0;
      l -= 2;
      if (l >= lend) continue;
      return jtot;
    }
    if (jtot === nmaxit) return jtot;
    jtot++;
    let g = (d[l - 1]! - p) / (2 * e[l - 1]!);
    let r = Math.hypot(g, 1);
    g = d[m]! - p + e[l - 1]! / (g + (g >= 0 ? r : -r));
    let s = 1, c = 1;
    p = 0;
    rot.begin(m, l - m, false);
    for (let i = m; i <= l - 1; i++) {
      const f = s * e[i]!;
      const b = c * e[i]!;
      const gv = givens(g, f);
      c = gv.c;
      s = gv.s;
      if (i !== m) e[i - 1] = gv.r;
      g = d[i]! - p;
      r = (d[i + 1]! - g) * s + 2 * c * b;
      p = s * r;
      d[i] = g + p;
      g = c * r - b;
      rot.set(i - m, c, s);
    }
    d[l] = d[l]! - p;
    e[l - 1] = g;
  }
}

function sortAscending(arena: Arena, n: number, d: Float64Array, Z?: VectorBlock): void {
  for (let i = 0; i < n - 1; i++) {
    let best = i;
    for (let j = i + 1; j < n; j++) if (d[j]! < d[best]!) best = j;
    if (best === i) continue;
    const t = d[i]!;
    d[i] = d[best]!;
    d[best] = t;
    swapBlockColumns(arena, Z, i, best);
  }
}
