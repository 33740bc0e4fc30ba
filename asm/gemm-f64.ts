// Real double-precision GEMM on row-major storage: C := alpha·op(A)·op(B) + C.
// The caller scales C by beta first (see `dscalMatrix`), so the kernel only accumulates.
// Blocking follows the Goto/BLIS scheme: B is packed into KC×NC panels of width NR,
// A into MC×KC panels of height MR, and a 4×4 register tile is computed from them.
// All pointers are byte offsets into linear memory; strides count elements.

const MR: i32 = 4;
const NR: i32 = 4;
export const F64_KC: i32 = 256;
export const F64_MC: i32 = 128;
export const F64_NC: i32 = 2048;

/** Doubles of workspace one `dgemm` call with `n` output columns needs (packed A, edge tile, packed B). */
export function dgemmWorkspace(n: i32): i32 {
  const ncap = min(F64_NC, (n + NR - 1) / NR * NR);
  return F64_MC * F64_KC + MR * NR + F64_KC * ncap;
}

// Pack rows i0..i0+mc of op(A), columns p0..p0+kc, into MR-high panels, zero-padded.
function packA(transA: i32, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    if (transA == 0) {
      for (let r = 0; r < MR; r++) {
        let d = dst + (<usize>r << 3);
        if (r < rows) {
          let s = a + ((<usize>(i0 + ir + r) * lda + p0) << 3);
          for (let p = 0; p < kc; p++) {
            store<f64>(d, load<f64>(s));
            s += 8; d += <usize>MR << 3;
          }
        } else {
          for (let p = 0; p < kc; p++) { store<f64>(d, 0); d += <usize>MR << 3; }
        }
      }
    } else {
      // op(A)(i, p) = A(p, i): each k-step reads MR consecutive doubles.
      let d = dst;
      let s = a + ((<usize>p0 * lda + i0 + ir) << 3);
      const step = <usize>lda << 3;
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(s)); v128.store(d, v128.load(s, 16), 16);
          s += step; d += <usize>MR << 3;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let r = 0; r < MR; r++) store<f64>(d + (<usize>r << 3), r < rows ? load<f64>(s + (<usize>r << 3)) : 0);
          s += step; d += <usize>MR << 3;
        }
      }
    }
    dst += <usize>(MR * kc) << 3;
  }
}

// Pack rows p0..p0+kc, columns j0..j0+nc of op(B) into NR-wide panels, zero-padded.
function packB(transB: i32, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    if (transB == 0) {
      let s = b + ((<usize>p0 * ldb + j0 + jr) << 3);
      const step = <usize>ldb << 3;
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst, v128.load(s)); v128.store(dst, v128.load(s, 16), 16);
          s += step; dst += <usize>NR << 3;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let c = 0; c < NR; c++) store<f64>(dst + (<usize>c << 3), c < cols ? load<f64>(s + (<usize>c << 3)) : 0);
          s += step; dst += <usize>NR << 3;
        }
      }
    } else {
      // op(B)(p, j) = B(j, p): column c of the panel is a contiguous row of B.
      for (let c = 0; c < NR; c++) {
        let d = dst + (<usize>c << 3);
        if (c < cols) {
          let s = b + ((<usize>(j0 + jr + c) * ldb + p0) << 3);
          for (let p = 0; p < kc; p++) { store<f64>(d, load<f64>(s)); s += 8; d += <usize>NR << 3; }
        } else {
          for (let p = 0; p < kc; p++) { store<f64>(d, 0); d += <usize>NR << 3; }
        }
      }
      dst += <usize>(NR * kc) << 3;
    }
  }
}

// 4×4 register tile: out(MR×NR, row stride ldo) += alpha · Apanel·Bpanel.
@inline function kernel(kc: i32, ap: usize, bp: usize, alpha: f64, out: usize, ldo: i32): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load64_splat(ap);
    c00 = f64x2.add(c00, f64x2.mul(a, b0)); c01 = f64x2.add(c01, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 8);
    c10 = f64x2.add(c10, f64x2.mul(a, b0)); c11 = f64x2.add(c11, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 16);
    c20 = f64x2.add(c20, f64x2.mul(a, b0)); c21 = f64x2.add(c21, f64x2.mul(a, b1));
    a = v128.load64_splat(ap, 24);
    c30 = f64x2.add(c30, f64x2.mul(a, b0)); c31 = f64x2.add(c31, f64x2.mul(a, b1));
    ap += 32; bp += 32;
  }
  const al = f64x2.splat(alpha);
  const rs = <usize>ldo << 3;
  v128.store(out, f64x2.add(v128.load(out), f64x2.mul(al, c00)));
  v128.store(out, f64x2.add(v128.load(out, 16), f64x2.mul(al, c01)), 16); out += rs;
  v128.store(out, f64x2.add(v128.load(out), f64x2.mul(al, c10)));
  v128.store(out, f64x2.add(v128.load(out, 16), f64x2.mul(al, c11)), 16); out += rs;
  v128.store(out, f64x2.add(v128.load(out), f64x2.mul(al, c20)));
  v128.store(out, f64x2.add(v128.load(out, 16), f64x2.mul(al, c21)), 16); out += rs;
  v128.store(out, f64x2.add(v128.load(out), f64x2.mul(al, c30)));
  v128.store(out, f64x2.add(v128.load(out, 16), f64x2.mul(al, c31)), 16);
}

/**
 * C[m×n] += alpha · op(A)[m×k] · op(B)[k×n], row-major, transX = 0 (as stored) or 1 (transposed).
 * `work` must hold `dgemmWorkspace(n)` doubles.
 */
export function dgemm(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f64,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize): void {
  if (m <= 0 || n <= 0 || k <= 0 || alpha == 0) return;
  const apack = work;
  const tile = apack + (<usize>(F64_MC * F64_KC) << 3);
  const bpack = tile + (<usize>(MR * NR) << 3);
  for (let j0 = 0; j0 < n; j0 += F64_NC) {
    const nc = min(F64_NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += F64_KC) {
      const kc = min(F64_KC, k - p0);
      packB(transB, b, ldb, p0, j0, kc, nc, bpack);
      for (let i0 = 0; i0 < m; i0 += F64_MC) {
        const mc = min(F64_MC, m - i0);
        packA(transA, a, lda, i0, p0, mc, kc, apack);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = bpack + (<usize>(jr * kc) << 3);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = apack + (<usize>(ir * kc) << 3);
            const cp = c + ((<usize>(i0 + ir) * ldc + j0 + jr) << 3);
            if (rows == MR && cols == NR) {
              kernel(kc, ap, bp, alpha, cp, ldc);
            } else {
              for (let t = 0; t < MR * NR; t++) store<f64>(tile + (<usize>t << 3), 0);
              kernel(kc, ap, bp, alpha, tile, NR);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const dst = cp + ((<usize>r * ldc + q) << 3);
                  store<f64>(dst, load<f64>(dst) + load<f64>(tile + (<usize>(r * NR + q) << 3)));
                }
              }
            }
          }
        }
      }
    }
  }
}
