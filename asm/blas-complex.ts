// Level-1 and level-2 kernels for complex doubles stored interleaved (re, im).
// Matrices column-major with leading dimension lda (in complex elements); vectors contiguous.
// Results with a complex value are written to `out` (two doubles).

// [a, b] -> [b, a]
@inline function swap(v: v128): v128 { return v128.shuffle<f64>(v, v, 1, 0); }

/** out ← Σ conj(x_i)·y_i. */
export function zdotc(n: i32, x: usize, y: usize, out: usize): void {
  let p = f64x2.splat(0), q = f64x2.splat(0);
  for (let i = 0; i < n; i++) {
    const u = v128.load(x), v = v128.load(y);
    p = f64x2.add(p, f64x2.mul(u, v));        // [xr·yr, xi·yi]
    q = f64x2.add(q, f64x2.mul(u, swap(v)));  // [xr·yi, xi·yr]
    x += 16; y += 16;
  }
  store<f64>(out, f64x2.extract_lane(p, 0) + f64x2.extract_lane(p, 1));
  store<f64>(out, f64x2.extract_lane(q, 0) - f64x2.extract_lane(q, 1), 8);
}

/** out ← Σ x_i·y_i (no conjugation). */
export function zdotu(n: i32, x: usize, y: usize, out: usize): void {
  let p = f64x2.splat(0), q = f64x2.splat(0);
  for (let i = 0; i < n; i++) {
    const u = v128.load(x), v = v128.load(y);
    p = f64x2.add(p, f64x2.mul(u, v));
    q = f64x2.add(q, f64x2.mul(u, swap(v)));
    x += 16; y += 16;
  }
  store<f64>(out, f64x2.extract_lane(p, 0) - f64x2.extract_lane(p, 1));
  store<f64>(out, f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1), 8);
}

/** y += alpha·x with alpha = ar + i·ai. */
export function zaxpy(n: i32, ar: f64, ai: f64, x: usize, y: usize): void {
  if (ar == 0 && ai == 0) return;
  const vr = f64x2.splat(ar);
  const vi = f64x2(-ai, ai);
  for (let i = 0; i < n; i++) {
    const u = v128.load(x);
    v128.store(y, f64x2.add(v128.load(y), f64x2.add(f64x2.mul(vr, u), f64x2.mul(vi, swap(u)))));
    x += 16; y += 16;
  }
}

/** x *= alpha with alpha = ar + i·ai. */
export function zscal(n: i32, ar: f64, ai: f64, x: usize): void {
  if (ar == 1 && ai == 0) return;
  if (ar == 0 && ai == 0) { memory.fill(x, 0, <usize>n << 4); return; }
  const vr = f64x2.splat(ar);
  const vi = f64x2(-ai, ai);
  for (let i = 0; i < n; i++) {
    const u = v128.load(x);
    v128.store(x, f64x2.add(f64x2.mul(vr, u), f64x2.mul(vi, swap(u))));
    x += 16;
  }
}

/** y_j ← beta·y_j + alpha·(A[:, j]ᴴ · x); A is m×n column-major. */
export function zgemvC(m: i32, n: i32, ar: f64, ai: f64, a: usize, lda: i32, x: usize,
  br: f64, bi: f64, y: usize, scratch: usize): void {
  const col = <usize>lda << 4;
  for (let j = 0; j < n; j++) {
    zdotc(m, a, x, scratch);
    const dr = load<f64>(scratch), di = load<f64>(scratch, 8);
    let yr: f64 = 0, yi: f64 = 0;
    if (br != 0 || bi != 0) {
      const or = load<f64>(y), oi = load<f64>(y, 8);
      yr = br * or - bi * oi; yi = br * oi + bi * or;
    }
    store<f64>(y, yr + ar * dr - ai * di);
    store<f64>(y, yi + ar * di + ai * dr, 8);
    a += col; y += 16;
  }
}

/** y += alpha·A·x; A is m×n column-major. */
export function zgemvN(m: i32, n: i32, ar: f64, ai: f64, a: usize, lda: i32, x: usize, y: usize): void {
  const col = <usize>lda << 4;
  for (let j = 0; j < n; j++) {
    const xr = load<f64>(x), xi = load<f64>(x, 8);
    zaxpy(m, ar * xr - ai * xi, ar * xi + ai * xr, a, y);
    a += col; x += 16;
  }
}

/** A += alpha·x·yᴴ; A is m×n column-major. */
export function zgerc(m: i32, n: i32, ar: f64, ai: f64, x: usize, y: usize, a: usize, lda: i32): void {
  const col = <usize>lda << 4;
  for (let j = 0; j < n; j++) {
    const yr = load<f64>(y), yi = -load<f64>(y, 8);
    zaxpy(m, ar * yr - ai * yi, ar * yi + ai * yr, x, a);
    a += col; y += 16;
  }
}

/** y += alpha·A·x for Hermitian A given by its lower triangle (diagonal taken as real). */
export function zhemvL(n: i32, ar: f64, ai: f64, a: usize, lda: i32, x: usize, y: usize): void {
  const col = <usize>lda << 4;
  for (let j = 0; j < n; j++) {
    const ajj = a + <usize>j * col + (<usize>j << 4);
    const xr = load<f64>(x + (<usize>j << 4)), xi = load<f64>(x + (<usize>j << 4), 8);
    const t1r = ar * xr - ai * xi, t1i = ar * xi + ai * xr;    // t1 = alpha·x_j
    const vt1r = f64x2.splat(t1r), vt1i = f64x2(-t1i, t1i);
    // t2 = Σ_{i>j} conj(A_ij)·x_i, accumulated as in zdotc.
    let p2 = f64x2.splat(0), q2 = f64x2.splat(0);
    let pa = ajj + 16, xx = x + (<usize>(j + 1) << 4), yy = y + (<usize>(j + 1) << 4);
    for (let i = j + 1; i < n; i++) {
      const av = v128.load(pa), xv = v128.load(xx);
      v128.store(yy, f64x2.add(v128.load(yy), f64x2.add(f64x2.mul(vt1r, av), f64x2.mul(vt1i, swap(av)))));
      p2 = f64x2.add(p2, f64x2.mul(av, xv));
      q2 = f64x2.add(q2, f64x2.mul(av, swap(xv)));
      pa += 16; xx += 16; yy += 16;
    }
    const t2r = f64x2.extract_lane(p2, 0) + f64x2.extract_lane(p2, 1);
    const t2i = f64x2.extract_lane(q2, 0) - f64x2.extract_lane(q2, 1);
    const d = load<f64>(ajj);
    const yj = y + (<usize>j << 4);
    store<f64>(yj, load<f64>(yj) + t1r * d + ar * t2r - ai * t2i);
    store<f64>(yj, load<f64>(yj, 8) + t1i * d + ar * t2i + ai * t2r, 8);
  }
}

/** A_lower += alpha·x·yᴴ + conj(alpha)·y·xᴴ; the diagonal is kept real. */
export function zher2L(n: i32, ar: f64, ai: f64, x: usize, y: usize, a: usize, lda: i32): void {
  const col = <usize>lda << 4;
  for (let j = 0; j < n; j++) {
    const yr = load<f64>(y + (<usize>j << 4)), yi = load<f64>(y + (<usize>j << 4), 8);
    const xr = load<f64>(x + (<usize>j << 4)), xi = load<f64>(x + (<usize>j << 4), 8);
    // t1 = alpha·conj(y_j), t2 = conj(alpha·x_j)
    const t1r = ar * yr + ai * yi, t1i = ai * yr - ar * yi;
    const t2r = ar * xr - ai * xi, t2i = -(ar * xi + ai * xr);
    const len = n - j;
    const p0 = a + <usize>j * col + (<usize>j << 4);
    zaxpy(len, t1r, t1i, x + (<usize>j << 4), p0);
    zaxpy(len, t2r, t2i, y + (<usize>j << 4), p0);
    store<f64>(p0, 0, 8);
  }
}

/** Complex {@link dbatchedReduce}: out[s, :] = Σ_b v[s, b] · T[s, b, :], interleaved storage. */
export function zbatchedReduce(n: i32, r: i32, q: i32, v: usize, t: usize, out: usize): void {
  const rowBytes = <usize>q << 4;
  for (let s = 0; s < n; s++) {
    const o = out + <usize>s * rowBytes;
    memory.fill(o, 0, rowBytes);
    for (let b = 0; b < r; b++) {
      const c = v + ((<usize>s * r + b) << 4);
      zaxpy(q, load<f64>(c), load<f64>(c, 8), t + (<usize>s * r + b) * rowBytes, o);
    }
  }
}
