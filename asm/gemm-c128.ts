// Complex double GEMM on row-major interleaved storage (re, im pairs):
// C[m×n] += alpha · op(A) · op(B), op ∈ {0: as stored, 1: transpose, 2: conjugate transpose}.
// Panels are packed with real and imaginary parts split, so the 4×2 register tile
// needs only real SIMD arithmetic: four real multiply-adds per complex multiply-add.

const MR: i32 = 4;
const NR: i32 = 2;
export const C128_KC: i32 = 192;
export const C128_MC: i32 = 96;
export const C128_NC: i32 = 1024;

/** Doubles of workspace one `zgemm` call with `n` output columns needs. */
export function zgemmWorkspace(n: i32): i32 {
  const ncap = min(C128_NC, (n + NR - 1) / NR * NR);
  return 2 * (C128_MC * C128_KC + MR * NR + C128_KC * ncap);
}

// Panel layout per k-step: MR real parts, then MR imaginary parts.
function packA(op: i32, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  const sign: f64 = op == 2 ? -1 : 1;
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    for (let r = 0; r < MR; r++) {
      let d = dst + (<usize>r << 3);
      if (r >= rows) {
        for (let p = 0; p < kc; p++) { store<f64>(d, 0); store<f64>(d, 0, MR * 8); d += <usize>(2 * MR) << 3; }
        continue;
      }
      const i = i0 + ir + r;
      let s: usize; let step: usize;
      if (op == 0) { s = a + ((<usize>i * lda + p0) << 4); step = 16; }
      else { s = a + ((<usize>p0 * lda + i) << 4); step = <usize>lda << 4; }
      for (let p = 0; p < kc; p++) {
        store<f64>(d, load<f64>(s));
        store<f64>(d, sign * load<f64>(s, 8), MR * 8);
        s += step; d += <usize>(2 * MR) << 3;
      }
    }
    dst += <usize>(2 * MR * kc) << 3;
  }
}

// Panel layout per k-step: NR real parts, then NR imaginary parts.
function packB(op: i32, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const sign: f64 = op == 2 ? -1 : 1;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    for (let q = 0; q < NR; q++) {
      let d = dst + (<usize>q << 3);
      if (q >= cols) {
        for (let p = 0; p < kc; p++) { store<f64>(d, 0); store<f64>(d, 0, NR * 8); d += <usize>(2 * NR) << 3; }
        continue;
      }
      const j = j0 + jr + q;
      let s: usize; let step: usize;
      if (op == 0) { s = b + ((<usize>p0 * ldb + j) << 4); step = <usize>ldb << 4; }
      else { s = b + ((<usize>j * ldb + p0) << 4); step = 16; }
      for (let p = 0; p < kc; p++) {
        store<f64>(d, load<f64>(s));
        store<f64>(d, sign * load<f64>(s, 8), NR * 8);
        s += step; d += <usize>(2 * NR) << 3;
      }
    }
    dst += <usize>(2 * NR * kc) << 3;
  }
}

@inline function storeRow(out: usize, cr: v128, ci: v128, alr: v128, ali: v128): void {
  const re = f64x2.sub(f64x2.mul(alr, cr), f64x2.mul(ali, ci));
  const im = f64x2.add(f64x2.mul(alr, ci), f64x2.mul(ali, cr));
  v128.store(out, f64x2.add(v128.load(out), v128.shuffle<f64>(re, im, 0, 2)));
  v128.store(out, f64x2.add(v128.load(out, 16), v128.shuffle<f64>(re, im, 1, 3)), 16);
}

// 4×2 complex register tile; `out` is interleaved with row stride ldo (complex elements).
@inline function kernel(kc: i32, ap: usize, bp: usize, alphaRe: f64, alphaIm: f64, out: usize, ldo: i32): void {
  let r0 = f64x2.splat(0), r1 = f64x2.splat(0), r2 = f64x2.splat(0), r3 = f64x2.splat(0);
  let i0 = f64x2.splat(0), i1 = f64x2.splat(0), i2 = f64x2.splat(0), i3 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const br = v128.load(bp), bi = v128.load(bp, 16);
    let ar = v128.load64_splat(ap), ai = v128.load64_splat(ap, 32);
    r0 = f64x2.sub(f64x2.add(r0, f64x2.mul(ar, br)), f64x2.mul(ai, bi));
    i0 = f64x2.add(f64x2.add(i0, f64x2.mul(ar, bi)), f64x2.mul(ai, br));
    ar = v128.load64_splat(ap, 8); ai = v128.load64_splat(ap, 40);
    r1 = f64x2.sub(f64x2.add(r1, f64x2.mul(ar, br)), f64x2.mul(ai, bi));
    i1 = f64x2.add(f64x2.add(i1, f64x2.mul(ar, bi)), f64x2.mul(ai, br));
    ar = v128.load64_splat(ap, 16); ai = v128.load64_splat(ap, 48);
    r2 = f64x2.sub(f64x2.add(r2, f64x2.mul(ar, br)), f64x2.mul(ai, bi));
    i2 = f64x2.add(f64x2.add(i2, f64x2.mul(ar, bi)), f64x2.mul(ai, br));
    ar = v128.load64_splat(ap, 24); ai = v128.load64_splat(ap, 56);
    r3 = f64x2.sub(f64x2.add(r3, f64x2.mul(ar, br)), f64x2.mul(ai, bi));
    i3 = f64x2.add(f64x2.add(i3, f64x2.mul(ar, bi)), f64x2.mul(ai, br));
    ap += 64; bp += 32;
  }
  const alr = f64x2.splat(alphaRe), ali = f64x2.splat(alphaIm);
  const rs = <usize>ldo << 4;
  storeRow(out, r0, i0, alr, ali); out += rs;
  storeRow(out, r1, i1, alr, ali); out += rs;
  storeRow(out, r2, i2, alr, ali); out += rs;
  storeRow(out, r3, i3, alr, ali);
}

/**
 * C[m×n] += (alphaRe + i·alphaIm) · op(A) · op(B) on interleaved complex row-major storage.
 * `work` must hold `zgemmWorkspace(n)` doubles.
 */
export function zgemm(opA: i32, opB: i32, m: i32, n: i32, k: i32, alphaRe: f64, alphaIm: f64,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize): void {
  if (m <= 0 || n <= 0 || k <= 0 || (alphaRe == 0 && alphaIm == 0)) return;
  const apack = work;
  const tile = apack + (<usize>(2 * C128_MC * C128_KC) << 3);
  const bpack = tile + (<usize>(2 * MR * NR) << 3);
  for (let j0 = 0; j0 < n; j0 += C128_NC) {
    const nc = min(C128_NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += C128_KC) {
      const kc = min(C128_KC, k - p0);
      packB(opB, b, ldb, p0, j0, kc, nc, bpack);
      for (let ib = 0; ib < m; ib += C128_MC) {
        const mc = min(C128_MC, m - ib);
        packA(opA, a, lda, ib, p0, mc, kc, apack);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min(NR, nc - jr);
          const bp = bpack + (<usize>(2 * jr * kc) << 3);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const ap = apack + (<usize>(2 * ir * kc) << 3);
            const cp = c + ((<usize>(ib + ir) * ldc + j0 + jr) << 4);
            if (rows == MR && cols == NR) {
              kernel(kc, ap, bp, alphaRe, alphaIm, cp, ldc);
            } else {
              for (let t = 0; t < 2 * MR * NR; t++) store<f64>(tile + (<usize>t << 3), 0);
              kernel(kc, ap, bp, alphaRe, alphaIm, tile, NR);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const dst = cp + ((<usize>r * ldc + q) << 4);
                  const src = tile + (<usize>(r * NR + q) << 4);
                  store<f64>(dst, load<f64>(dst) + load<f64>(src));
                  store<f64>(dst, load<f64>(dst, 8) + load<f64>(src, 8), 8);
                }
              }
            }
          }
        }
      }
    }
  }
}
