// Single-precision GEMM on row-major storage: C[m×n] += alpha · op(A) · op(B).
// Same Goto/BLIS blocking as the f64 kernel with a 4×8 register tile of f32x4 lanes.

const MR: i32 = 4;
const NR: i32 = 8;
export const F32_KC: i32 = 256;
export const F32_MC: i32 = 128;
export const F32_NC: i32 = 4096;

/** Floats of workspace one `sgemm` call with `n` output columns needs. */
export function sgemmWorkspace(n: i32): i32 {
  const ncap = min(F32_NC, (n + NR - 1) / NR * NR);
  return F32_MC * F32_KC + MR * NR + F32_KC * ncap;
}

function packA(transA: i32, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    for (let r = 0; r < MR; r++) {
      let d = dst + (<usize>r << 2);
      if (r >= rows) {
        for (let p = 0; p < kc; p++) { store<f32>(d, 0); d += <usize>MR << 2; }
        continue;
      }
      let s: usize; let step: usize;
      if (transA == 0) { s = a + ((<usize>(i0 + ir + r) * lda + p0) << 2); step = 4; }
      else { s = a + ((<usize>p0 * lda + i0 + ir + r) << 2); step = <usize>lda << 2; }
      for (let p = 0; p < kc; p++) { store<f32>(d, load<f32>(s)); s += step; d += <usize>MR << 2; }
    }
    dst += <usize>(MR * kc) << 2;
  }
}

function packB(transB: i32, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    if (transB == 0 && cols == NR) {
      let s = b + ((<usize>p0 * ldb + j0 + jr) << 2);
      const step = <usize>ldb << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s)); v128.store(dst, v128.load(s, 16), 16);
        s += step; dst += <usize>NR << 2;
      }
      continue;
    }
    for (let q = 0; q < NR; q++) {
      let d = dst + (<usize>q << 2);
      if (q >= cols) {
        for (let p = 0; p < kc; p++) { store<f32>(d, 0); d += <usize>NR << 2; }
        continue;
      }
      let s: usize; let step: usize;
      if (transB == 0) { s = b + ((<usize>p0 * ldb + j0 + jr + q) << 2); step = <usize>ldb << 2; }
      else { s = b + ((<usize>(j0 + jr + q) * ldb + p0) << 2); step = 4; }
      for (let p = 0; p < kc; p++) { store<f32>(d, load<f32>(s)); s += step; d += <usize>NR << 2; }
    }
    dst += <usize>(NR * kc) << 2;
  }
}

@inline function kernel(kc: i32, ap: usize, bp: usize, alpha: f32, out: usize, ldo: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = f32x4.add(c00, f32x4.mul(a, b0)); c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0)); c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0)); c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0)); c31 = f32x4.add(c31, f32x4.mul(a, b1));
    ap += 16; bp += 32;
  }
  const al = f32x4.splat(alpha);
  const rs = <usize>ldo << 2;
  v128.store(out, f32x4.add(v128.load(out), f32x4.mul(al, c00)));
  v128.store(out, f32x4.add(v128.load(out, 16), f32x4.mul(al, c01)), 16); out += rs;
  v128.store(out, f32x4.add(v128.load(out), f32x4.mul(al, c10)));
  v128.store(out, f32x4.add(v128.load(out, 16), f32x4.mul(al, c11)), 16); out += rs;
  v128.store(out, f32x4.add(v128.load(out), f32x4.mul(al, c20)));
  v128.store(out, f32x4.add(v128.load(out, 16), f32x4.mul(al, c21)), 16); out += rs;
  v128.store(out, f32x4.add(v128.load(out), f32x4.mul(al, c30)));
  v128.store(out, f32x4.add(v128.load(out, 16), f32x4.mul(al, c31)), 16);
}

/** C[m×n] += alpha · op(A) · op(B), f32 row-major; `work` holds `sgemmWorkspace(n)` floats. */
export function sgemm(transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize): void {
  if (m <= 0 || n <= 0 || k <= 0 || alpha == 0) return;
  const apack = work;
  const tile = apack + (<usize>(F32_MC * F32_KC) << 2);
  const bpack = tile + (<usize>(MR * NR) << 2);
  for (let j0 = 0; j0 < n; j0 += F32_NC) {
    const nc = min(F32_NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += F32_KC) {
      const kc = min(F32_KC, k - p0);
      packB(transB, b, ldb, p0, j0, kc, nc, bpack);
      for (let i0 = 0; i0 < m; i0 += F32_MC) {
        const mc = min(F32_MC, m - i0);
        packA(transA, a, lda, i0, p0, mc, kc, apack);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = bpack + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = apack + (<usize>(ir * kc) << 2);
            const cp = c + ((<usize>(i0 + ir) * ldc + j0 + jr) << 2);
            if (rows == MR && cols == NR) {
              kernel(kc, ap, bp, alpha, cp, ldc);
            } else {
              for (let t = 0; t < MR * NR; t++) store<f32>(tile + (<usize>t << 2), 0);
              kernel(kc, ap, bp, alpha, tile, NR);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const dst = cp + ((<usize>r * ldc + q) << 2);
                  store<f32>(dst, load<f32>(dst) + load<f32>(tile + (<usize>(r * NR + q) << 2)));
                }
              }
            }
          }
        }
      }
    }
  }
}
