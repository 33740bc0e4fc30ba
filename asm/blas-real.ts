// Level-1 and level-2 kernels for real doubles. Matrices are column-major with leading
// dimension `lda` (the layout LAPACK-style factorisations use: columns are contiguous);
// vectors are contiguous. Pointers are byte offsets; sizes count elements.

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ x_i y_i. */
export function ddot(n: i32, x: usize, y: usize): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 = f64x2.add(a0, f64x2.mul(v128.load(x), v128.load(y)));
    a1 = f64x2.add(a1, f64x2.mul(v128.load(x, 16), v128.load(y, 16)));
    x += 32; y += 32;
  }
  let s = hsum(f64x2.add(a0, a1));
  for (; i < n; i++) { s += load<f64>(x) * load<f64>(y); x += 8; y += 8; }
  return s;
}

/** y += alpha·x. */
export function daxpy(n: i32, alpha: f64, x: usize, y: usize): void {
  if (alpha == 0) return;
  const al = f64x2.splat(alpha);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(y, f64x2.add(v128.load(y), f64x2.mul(al, v128.load(x))));
    v128.store(y, f64x2.add(v128.load(y, 16), f64x2.mul(al, v128.load(x, 16))), 16);
    x += 32; y += 32;
  }
  for (; i < n; i++) { store<f64>(y, load<f64>(y) + alpha * load<f64>(x)); x += 8; y += 8; }
}

/** x *= alpha (alpha = 0 writes exact zeros, as BLAS does). */
export function dscal(n: i32, alpha: f64, x: usize): void {
  if (alpha == 1) return;
  if (alpha == 0) { memory.fill(x, 0, <usize>n << 3); return; }
  const al = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) { v128.store(x, f64x2.mul(al, v128.load(x))); x += 16; }
  if (i < n) store<f64>(x, alpha * load<f64>(x));
}

/** Σ x_i² without scaling (may overflow or underflow; see dnrm2). */
export function dsumsq(n: i32, x: usize): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const u = v128.load(x), v = v128.load(x, 16);
    a0 = f64x2.add(a0, f64x2.mul(u, u));
    a1 = f64x2.add(a1, f64x2.mul(v, v));
    x += 32;
  }
  let s = hsum(f64x2.add(a0, a1));
  for (; i < n; i++) { const u = load<f64>(x); s += u * u; x += 8; }
  return s;
}

/** max |x_i|. */
export function damax(n: i32, x: usize): f64 {
  let m: f64 = 0;
  for (let i = 0; i < n; i++) { m = max(m, abs(load<f64>(x))); x += 8; }
  return m;
}

// Below this the sum of squares loses digits to underflow; above the other, it overflows.
const SUMSQ_TINY: f64 = 1.4916681462400413e-154; // 2^-511
const SUMSQ_HUGE: f64 = 1.9979190722022350e+146; // 2^486 / sqrt(n) headroom for n ≤ 2^31

/** Euclidean norm, exact to rounding without spurious overflow or underflow. */
export function dnrm2(n: i32, x: usize): f64 {
  const s = dsumsq(n, x);
  if (s > SUMSQ_TINY * SUMSQ_TINY && s < SUMSQ_HUGE * SUMSQ_HUGE) return sqrt(s);
  const m = damax(n, x);
  if (m == 0 || !isFinite(m)) return m;
  const inv = 1 / m;
  let t: f64 = 0;
  for (let i = 0; i < n; i++) { const u = load<f64>(x) * inv; t += u * u; x += 8; }
  return m * sqrt(t);
}

/** Plane rotation of two vectors: x ← c·x + s·y, y ← c·y − s·x. */
export function drot(n: i32, x: usize, y: usize, c: f64, s: f64): void {
  const vc = f64x2.splat(c), vs = f64x2.splat(s);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const u = v128.load(x), v = v128.load(y);
    v128.store(x, f64x2.add(f64x2.mul(vc, u), f64x2.mul(vs, v)));
    v128.store(y, f64x2.sub(f64x2.mul(vc, v), f64x2.mul(vs, u)));
    x += 16; y += 16;
  }
  if (i < n) {
    const u = load<f64>(x), v = load<f64>(y);
    store<f64>(x, c * u + s * v);
    store<f64>(y, c * v - s * u);
  }
}

/** y_j ← beta·y_j + alpha·(A[:, j] · x) for j < n; A is m×n column-major. */
export function dgemvT(m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, beta: f64, y: usize): void {
  const col = <usize>lda << 3;
  for (let j = 0; j < n; j++) {
    const d = ddot(m, a, x);
    const yj = beta == 0 ? 0 : beta * load<f64>(y);
    store<f64>(y, yj + alpha * d);
    a += col; y += 8;
  }
}

/** y += alpha·A·x; A is m×n column-major. */
export function dgemvN(m: i32, n: i32, alpha: f64, a: usize, lda: i32, x: usize, y: usize): void {
  const col = <usize>lda << 3;
  let j = 0;
  // Two columns per pass halve the loads and stores of y.
  for (; j + 2 <= n; j += 2) {
    const t0 = f64x2.splat(alpha * load<f64>(x)), t1 = f64x2.splat(alpha * load<f64>(x, 8));
    const s0 = alpha * load<f64>(x), s1 = alpha * load<f64>(x, 8);
    let p = a, q = a + col, yy = y;
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      v128.store(yy, f64x2.add(v128.load(yy), f64x2.add(f64x2.mul(t0, v128.load(p)), f64x2.mul(t1, v128.load(q)))));
      p += 16; q += 16; yy += 16;
    }
    if (i < m) store<f64>(yy, load<f64>(yy) + s0 * load<f64>(p) + s1 * load<f64>(q));
    a += col << 1; x += 16;
  }
  if (j < n) daxpy(m, alpha * load<f64>(x), a, y);
}

/** A += alpha·x·yᵀ; A is m×n column-major. */
export function dger(m: i32, n: i32, alpha: f64, x: usize, y: usize, a: usize, lda: i32): void {
  const col = <usize>lda << 3;
  for (let j = 0; j < n; j++) {
    daxpy(m, alpha * load<f64>(y), x, a);
    a += col; y += 8;
  }
}

/** y += alpha·A·x for symmetric A given by its lower triangle (column-major). */
export function dsymvL(n: i32, alpha: f64, a: usize, lda: i32, x: usize, y: usize): void {
  const col = <usize>lda << 3;
  for (let j = 0; j < n; j++) {
    const ajj = a + (<usize>j << 3) + <usize>j * col;
    const xj = load<f64>(x + (<usize>j << 3));
    const t1 = alpha * xj;
    const len = n - j - 1;
    // Fused: y[j+1:] += t1·A[j+1:, j] and t2 = A[j+1:, j]·x[j+1:], one pass over the column.
    let p = ajj + 8, xx = x + (<usize>(j + 1) << 3), yy = y + (<usize>(j + 1) << 3);
    const vt1 = f64x2.splat(t1);
    let acc = f64x2.splat(0);
    let i = 0;
    for (; i + 2 <= len; i += 2) {
      const av = v128.load(p);
      v128.store(yy, f64x2.add(v128.load(yy), f64x2.mul(vt1, av)));
      acc = f64x2.add(acc, f64x2.mul(av, v128.load(xx)));
      p += 16; xx += 16; yy += 16;
    }
    let t2 = hsum(acc);
    if (i < len) {
      const av = load<f64>(p);
      store<f64>(yy, load<f64>(yy) + t1 * av);
      t2 += av * load<f64>(xx);
    }
    const yj = y + (<usize>j << 3);
    store<f64>(yj, load<f64>(yj) + t1 * load<f64>(ajj) + alpha * t2);
  }
}

/** A_lower += alpha·(x·yᵀ + y·xᵀ), updating only the lower triangle (column-major). */
export function dsyr2L(n: i32, alpha: f64, x: usize, y: usize, a: usize, lda: i32): void {
  const col = <usize>lda << 3;
  for (let j = 0; j < n; j++) {
    const t1 = f64x2.splat(alpha * load<f64>(y + (<usize>j << 3)));
    const t2 = f64x2.splat(alpha * load<f64>(x + (<usize>j << 3)));
    const s1 = alpha * load<f64>(y + (<usize>j << 3)), s2 = alpha * load<f64>(x + (<usize>j << 3));
    let p = a + (<usize>j * col) + (<usize>j << 3);
    let xx = x + (<usize>j << 3), yy = y + (<usize>j << 3);
    const len = n - j;
    let i = 0;
    for (; i + 2 <= len; i += 2) {
      v128.store(p, f64x2.add(v128.load(p), f64x2.add(f64x2.mul(t1, v128.load(xx)), f64x2.mul(t2, v128.load(yy)))));
      p += 16; xx += 16; yy += 16;
    }
    if (i < len) store<f64>(p, load<f64>(p) + s1 * load<f64>(xx) + s2 * load<f64>(yy));
  }
}

// One pass of a rotation sequence over `w` doubles (w ∈ {2, 8}) of each column, starting at row
// offset `off` (bytes). The rotated column j+1 is carried to the next rotation in registers, so
// every column is read and written once per sequence (the access pattern of LAPACK's dlasr).
@inline function rotSeqForward8(count: i32, c: usize, s: usize, a: usize, col: usize): void {
  let x0 = v128.load(a), x1 = v128.load(a, 16), x2 = v128.load(a, 32), x3 = v128.load(a, 48);
  let p = a;
  for (let j = 0; j < count; j++) {
    const vc = v128.load64_splat(c + (<usize>j << 3)), vs = v128.load64_splat(s + (<usize>j << 3));
    const q = p + col;
    const y0 = v128.load(q), y1 = v128.load(q, 16), y2 = v128.load(q, 32), y3 = v128.load(q, 48);
    v128.store(p, f64x2.add(f64x2.mul(vc, x0), f64x2.mul(vs, y0)));
    v128.store(p, f64x2.add(f64x2.mul(vc, x1), f64x2.mul(vs, y1)), 16);
    v128.store(p, f64x2.add(f64x2.mul(vc, x2), f64x2.mul(vs, y2)), 32);
    v128.store(p, f64x2.add(f64x2.mul(vc, x3), f64x2.mul(vs, y3)), 48);
    x0 = f64x2.sub(f64x2.mul(vc, y0), f64x2.mul(vs, x0));
    x1 = f64x2.sub(f64x2.mul(vc, y1), f64x2.mul(vs, x1));
    x2 = f64x2.sub(f64x2.mul(vc, y2), f64x2.mul(vs, x2));
    x3 = f64x2.sub(f64x2.mul(vc, y3), f64x2.mul(vs, x3));
    p = q;
  }
  v128.store(p, x0); v128.store(p, x1, 16); v128.store(p, x2, 32); v128.store(p, x3, 48);
}

@inline function rotSeqBackward8(count: i32, c: usize, s: usize, a: usize, col: usize): void {
  let p = a + <usize>count * col;
  let y0 = v128.load(p), y1 = v128.load(p, 16), y2 = v128.load(p, 32), y3 = v128.load(p, 48);
  for (let j = count - 1; j >= 0; j--) {
    const vc = v128.load64_splat(c + (<usize>j << 3)), vs = v128.load64_splat(s + (<usize>j << 3));
    const q = p - col;
    const x0 = v128.load(q), x1 = v128.load(q, 16), x2 = v128.load(q, 32), x3 = v128.load(q, 48);
    v128.store(p, f64x2.sub(f64x2.mul(vc, y0), f64x2.mul(vs, x0)));
    v128.store(p, f64x2.sub(f64x2.mul(vc, y1), f64x2.mul(vs, x1)), 16);
    v128.store(p, f64x2.sub(f64x2.mul(vc, y2), f64x2.mul(vs, x2)), 32);
    v128.store(p, f64x2.sub(f64x2.mul(vc, y3), f64x2.mul(vs, x3)), 48);
    y0 = f64x2.add(f64x2.mul(vc, x0), f64x2.mul(vs, y0));
    y1 = f64x2.add(f64x2.mul(vc, x1), f64x2.mul(vs, y1));
    y2 = f64x2.add(f64x2.mul(vc, x2), f64x2.mul(vs, y2));
    y3 = f64x2.add(f64x2.mul(vc, x3), f64x2.mul(vs, y3));
    p = q;
  }
  v128.store(p, y0); v128.store(p, y1, 16); v128.store(p, y2, 32); v128.store(p, y3, 48);
}

/**
 * Applies a sequence of plane rotations to adjacent column pairs of a column-major block:
 * for j = 0..count-1 (forward) or count-1..0 (backward), with (c_j, s_j) read from `c`, `s`:
 * col_j ← c_j·col_j + s_j·col_{j+1},  col_{j+1} ← c_j·col_{j+1} − s_j·col_j.
 * The block has count+1 columns of `len` doubles and leading dimension `lda`.
 */
export function drotSeq(len: i32, count: i32, c: usize, s: usize, a: usize, lda: i32, backward: i32): void {
  if (count <= 0 || len <= 0) return;
  const col = <usize>lda << 3;
  let r = 0;
  for (; r + 8 <= len; r += 8) {
    if (backward) rotSeqBackward8(count, c, s, a + (<usize>r << 3), col);
    else rotSeqForward8(count, c, s, a + (<usize>r << 3), col);
  }
  for (; r < len; r++) {
    const base = a + (<usize>r << 3);
    if (backward) {
      let p = base + <usize>count * col;
      let y = load<f64>(p);
      for (let j = count - 1; j >= 0; j--) {
        const cj = load<f64>(c + (<usize>j << 3)), sj = load<f64>(s + (<usize>j << 3));
        const q = p - col;
        const x = load<f64>(q);
        store<f64>(p, cj * y - sj * x);
        y = cj * x + sj * y;
        p = q;
      }
      store<f64>(p, y);
    } else {
      let p = base;
      let x = load<f64>(p);
      for (let j = 0; j < count; j++) {
        const cj = load<f64>(c + (<usize>j << 3)), sj = load<f64>(s + (<usize>j << 3));
        const q = p + col;
        const y = load<f64>(q);
        store<f64>(p, cj * x + sj * y);
        x = cj * y - sj * x;
        p = q;
      }
      store<f64>(p, x);
    }
  }
}

/**
 * Applies a batch of rotation sequences ("sweeps"), in order, to a column-major block. Sweep k
 * is described by four i32 at `meta + 16k`: first column, rotation count, backward flag, and
 * the offset (in doubles) of its cosines and sines in `c` and `s`. The result is exactly that
 * of calling `drotSeq` once per sweep, but the loop runs over 8-row chunks outermost, so each
 * cache line of the block is loaded once per batch instead of once per sweep.
 */
export function drotSweeps(len: i32, nsweeps: i32, meta: usize, c: usize, s: usize, a: usize, lda: i32): void {
  const col = <usize>lda << 3;
  let r = 0;
  for (; r + 8 <= len; r += 8) {
    const rowOff = <usize>r << 3;
    for (let k = 0; k < nsweeps; k++) {
      const m = meta + (<usize>k << 4);
      const first = load<i32>(m), count = load<i32>(m, 4), backward = load<i32>(m, 8), off = <usize>load<i32>(m, 12) << 3;
      const base = a + <usize>first * col + rowOff;
      if (backward) rotSeqBackward8(count, c + off, s + off, base, col);
      else rotSeqForward8(count, c + off, s + off, base, col);
    }
  }
  if (r < len) {
    for (let k = 0; k < nsweeps; k++) {
      const m = meta + (<usize>k << 4);
      const first = load<i32>(m), count = load<i32>(m, 4), backward = load<i32>(m, 8), off = <usize>load<i32>(m, 12) << 3;
      drotSeq(len - r, count, c + off, s + off, a + <usize>first * col + (<usize>r << 3), lda, backward);
    }
  }
}

/**
 * Batched vector–matrix products, one per sample: out[s, :] = Σ_b v[s, b] · T[s, b, :] for
 * s < n, with v: n×r, T: n×r×q, out: n×q, all contiguous row-major. This is the per-sample
 * contraction of tree-network entry evaluation (a node absorbing a child's vector).
 */
export function dbatchedReduce(n: i32, r: i32, q: i32, v: usize, t: usize, out: usize): void {
  const rowBytes = <usize>q << 3;
  for (let s = 0; s < n; s++) {
    const o = out + <usize>s * rowBytes;
    memory.fill(o, 0, rowBytes);
    for (let b = 0; b < r; b++) {
      daxpy(q, load<f64>(v + ((<usize>s * r + b) << 3)), t + (<usize>s * r + b) * rowBytes, o);
    }
  }
}
