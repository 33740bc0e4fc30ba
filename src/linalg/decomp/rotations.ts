/**
 * Plane rotations and 2×2 problems for the bidiagonal and tridiagonal QR algorithms, written
 * from their mathematical definitions (Demmel & Kahan 1990, "Accurate singular values of
 * bidiagonal matrices", appendix; Anderson 2002 for safe rotations).
 */

/** A rotation [c s; −s c] and the value it produces: [c s; −s c]·[f; g] = [r; 0]. */
export interface Rotation {
  c: number;
  s: number;
  r: number;
}

const SAFE_MIN = 2 ** -1022;
const SAFE_MAX = 1 / SAFE_MIN;
// Inside [RTMIN, RTMAX] squaring f and g neither underflows nor overflows.
const RTMIN = Math.sqrt(SAFE_MIN);
const RTMAX = Math.sqrt(SAFE_MAX / 2);

/**
 * The rotation with c ≥ 0 taking (f, g) to (r, 0), r = ±√(f² + g²) with the sign of f
 * (r = g when f = 0, so c = 0, s = 1). Scales to avoid overflow and underflow.
 */
export function givens(f: number, g: number): Rotation {
  if (g === 0) return { c: 1, s: 0, r: f };
  if (f === 0) return { c: 0, s: Math.sign(g), r: Math.abs(g) };
  const f1 = Math.abs(f), g1 = Math.abs(g);
  if (f1 > RTMIN && f1 < RTMAX && g1 > RTMIN && g1 < RTMAX) {
    const d = Math.sqrt(f * f + g * g);
    const c = f1 / d;
    const r = Math.sign(f) * d;
    return { c, s: g / r, r };
  }
  const u = Math.min(SAFE_MAX, Math.max(SAFE_MIN, f1, g1));
  const fs = f / u, gs = g / u;
  const d = Math.sqrt(fs * fs + gs * gs);
  const c = Math.abs(fs) / d;
  const rs = Math.sign(f) * d;
  return { c, s: gs / rs, r: rs * u };
}

/** Singular values (smaller, larger) of the upper triangular [[f, g], [0, h]]. */
export function singularValues2x2(f: number, g: number, h: number): [number, number] {
  const fa = Math.abs(f), ga = Math.abs(g), ha = Math.abs(h);
  const fhmn = Math.min(fa, ha), fhmx = Math.max(fa, ha);
  if (fhmn === 0) {
    if (fhmx === 0) return [0, ga];
    const big = Math.max(fhmx, ga), small = Math.min(fhmx, ga);
    return [0, big * Math.sqrt(1 + (small / big) ** 2)];
  }
  if (ga < fhmx) {
    const as = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx, au = (ga / fhmx) ** 2;
    const c = 2 / (Math.sqrt(as * as + au) + Math.sqrt(at * at + au));
    return [fhmn * c, fhmx / c];
  }
  const au = fhmx / ga;
  if (au === 0) return [(fhmn * fhmx) / ga, ga];
  const as = 1 + fhmn / fhmx, at = (fhmx - fhmn) / fhmx;
  const c = 1 / (Math.sqrt(1 + (as * au) ** 2) + Math.sqrt(1 + (at * au) ** 2));
  return [2 * (fhmn * c) * au, ga / (c + c)];
}

/** SVD of [[f, g], [0, h]]: [cl sl; −sl cl]·[f g; 0 h]·[cr −sr; sr cr] = diag(ssmax, ssmin). */
export interface Svd2x2 {
  ssmin: number;
  ssmax: number;
  cl: number;
  sl: number;
  cr: number;
  sr: number;
}

const EPS = 2 ** -53;

const sgn = (a: number, b: number): number => (b >= 0 || Object.is(b, 0) ? Math.abs(a) : -Math.abs(a));

/** The 2×2 triangular SVD, accurate to a few ulps in every entry (Demmel–Kahan). */
export function svd2x2(f: number, g: number, h: number): Svd2x2 {
  let ft = f, fa = Math.abs(ft), ht = h, ha = Math.abs(h);
  // pmax: which entry has the largest magnitude (1 = f, 2 = g, 3 = h)
  let pmax = 1;
  const swap = ha > fa;
  if (swap) {
    pmax = 3;
    [ft, ht] = [ht, ft];
    [fa, ha] = [ha, fa];
  }
  const gt = g, ga = Math.abs(gt);
  let clt: number, crt: number, slt: number, srt: number, ssmin: number, ssmax: number;
  if (ga === 0) {
    ssmin = ha;
    ssmax = fa;
    clt = 1;
    crt = 1;
    slt = 0;
    srt = 0;
  } else {
    let gasmal = true;
    clt = crt = slt = srt = ssmin = ssmax = 0;
    if (ga > fa) {
      pmax = 2;
      if (fa / ga < EPS) {
        gasmal = false;
        ssmax = ga;
        ssmin = ha > 1 ? fa / (ga / ha) : (fa / ga) * ha;
        clt = 1;
        slt = ht / gt;
        srt = 1;
        crt = ft / gt;
      }
    }
    if (gasmal) {
      const dd = fa - ha;
      let l = dd === fa ? 1 : dd / fa;
      const m = gt / ft;
      let t = 2 - l;
      const mm = m * m, tt = t * t;
      const s = Math.sqrt(tt + mm);
      const r = l === 0 ? Math.abs(m) : Math.sqrt(l * l + mm);
      const a = 0.5 * (s + r);
      ssmin = ha / a;
      ssmax = fa * a;
      if (mm === 0) {
        t = l === 0 ? sgn(2, ft) * sgn(1, gt) : gt / sgn(dd, ft) + m / t;
      } else {
        t = (m / (s + t) + m / (r + l)) * (1 + a);
      }
      l = Math.sqrt(t * t + 4);
      crt = 2 / l;
      srt = t / l;
      clt = (crt + srt * m) / a;
      slt = ((ht / ft) * srt) / a;
    }
  }
  let cl: number, sl: number, cr: number, sr: number;
  if (swap) {
    cl = srt;
    sl = crt;
    cr = slt;
    sr = clt;
  } else {
    cl = clt;
    sl = slt;
    cr = crt;
    sr = srt;
  }
  let tsign: number;
  if (pmax === 1) tsign = sgn(1, cr) * sgn(1, cl) * sgn(1, f);
  else if (pmax === 2) tsign = sgn(1, sr) * sgn(1, cl) * sgn(1, g);
  else tsign = sgn(1, sr) * sgn(1, sl) * sgn(1, h);
  ssmax = sgn(ssmax, tsign);
  ssmin = sgn(ssmin, tsign * sgn(1, f) * sgn(1, h));
  return { ssmin, ssmax, cl, sl, cr, sr };
}

/** Eigen-decomposition of the symmetric [[a, b], [b, c]]: rt1 (larger |·|), rt2, and (cs, sn) with [cs sn; −sn cs]·A·[cs −sn; sn cs] = diag(rt1, rt2). */
export function symmetricEigen2x2(a: number, b: number, c: number): { rt1: number; rt2: number; cs: number; sn: number } {
  const sm = a + c, df = a - c, adf = Math.abs(df), tb = b + b, ab = Math.abs(tb);
  const [acmx, acmn] = Math.abs(a) > Math.abs(c) ? [a, c] : [c, a];
  let rt: number;
  if (adf > ab) rt = adf * Math.sqrt(1 + (ab / adf) ** 2);
  else if (adf < ab) rt = ab * Math.sqrt(1 + (adf / ab) ** 2);
  else rt = ab * Math.SQRT2;
  let rt1: number, rt2: number, sgn1: number;
  if (sm < 0) {
    rt1 = 0.5 * (sm - rt);
    sgn1 = -1;
    rt2 = (acmx / rt1) * acmn - (b / rt1) * b;
  } else if (sm > 0) {
    rt1 = 0.5 * (sm + rt);
    sgn1 = 1;
    rt2 = (acmx / rt1) * acmn - (b / rt1) * b;
  } else {
    rt1 = 0.5 * rt;
    rt2 = -0.5 * rt;
    sgn1 = 1;
  }
  let cs: number, sgn2: number;
  if (df >= 0) {
    cs = df + rt;
    sgn2 = 1;
  } else {
    cs = df - rt;
    sgn2 = -1;
  }
  let cs1: number, sn1: number;
  if (Math.abs(cs) > ab) {
    const ct = -tb / cs;
    sn1 = 1 / Math.sqrt(1 + ct * ct);
    cs1 = ct * sn1;
  } else if (ab === 0) {
    cs1 = 1;
    sn1 = 0;
  } else {
    const tn = -cs / tb;
    cs1 = 1 / Math.sqrt(1 + tn * tn);
    sn1 = tn * cs1;
  }
  if (sgn1 === sgn2) {
    const tn = cs1;
    cs1 = -sn1;
    sn1 = tn;
  }
  return { rt1, rt2, cs: cs1, sn: sn1 };
}
