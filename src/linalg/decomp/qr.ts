import { ArgumentError } from "../../errors.js";
import type { Complex } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { at, checkMatrix, loadColMajor, matrixTensor, storeRowMajor } from "./colmajor.js";
import { fieldFor, type Field } from "./field.js";
import {
  applyBlockReflectorLeft,
  applyReflectorLeft,
  blockReflectorFactor,
  explicitReflectors,
  larfg,
} from "./householder.js";

// Panel width of the blocked algorithms: the trailing update is then three GEMMs of inner
// dimension 32, enough to run the kernels near their peak (see docs/performance.md).
const BLOCK = 32;
// Below this many columns the unblocked algorithm wins (fewer, larger level-2 calls).
const BLOCKED_FROM = 2 * BLOCK;

const conj = (z: Complex): Complex => ({ re: z.re, im: -z.im });

/**
 * Unblocked Householder QR of the m×n column-major block at `a` (LAPACK's xGEQR2): on return
 * R is on and above the diagonal and the reflectors' vectors below it; taus are appended.
 */
export function geqr2(F: Field, m: number, n: number, a: number, lda: number, taus: Complex[]): void {
  const k = Math.min(m, n);
  F.arena.scope(() => {
    const work = F.arena.allocF64(F.w * Math.max(1, n));
    for (let i = 0; i < k; i++) {
      const tau = larfg(F, m - i, at(F, a, lda, i, i), at(F, a, lda, Math.min(i + 1, m - 1), i));
      taus.push(tau);
      if (i + 1 < n) applyReflectorLeft(F, at(F, a, lda, i, i), conj(tau), at(F, a, lda, i, i + 1), lda, m - i, n - i - 1, work);
    }
  });
}

/**
 * Blocked Householder QR (LAPACK's xGEQRF): panels of {@link BLOCK} columns factored by
 * {@link geqr2}, the trailing matrix updated with block reflectors (GEMM). Returns the taus.
 */
export function geqrf(F: Field, m: number, n: number, a: number, lda: number): Complex[] {
  const k = Math.min(m, n);
  const taus: Complex[] = [];
  if (k < BLOCKED_FROM) {
    geqr2(F, m, n, a, lda, taus);
    return taus;
  }
  for (let j = 0; j < k; j += BLOCK) {
    const jb = Math.min(BLOCK, k - j);
    const panel: Complex[] = [];
    geqr2(F, m - j, jb, at(F, a, lda, j, j), lda, panel);
    taus.push(...panel);
    if (j + jb < n) {
      F.arena.scope(() => {
        const V = explicitReflectors(F, at(F, a, lda, j, j), lda, m - j, jb);
        const T = blockReflectorFactor(F, V, m - j, jb, panel);
        applyBlockReflectorLeft(F, V, T, jb, at(F, a, lda, j, j + jb), lda, m - j, n - j - jb, true);
      });
    }
  }
  return taus;
}

/**
 * Forms Q = H₀H₁…H_{k−1} explicitly as a new m×nq column-major matrix (leading dimension
 * `ldq`, default m; nq ≥ k) from reflectors stored below the diagonal of the block at `a`
 * (LAPACK's xORGQR/xUNGQR).
 */
export function orgqr(F: Field, m: number, nq: number, a: number, lda: number, taus: readonly Complex[], ldq = m): number {
  const k = taus.length;
  const Q = F.arena.zerosF64(F.w * ldq * nq);
  const f = F.arena.f64;
  for (let i = 0; i < Math.min(m, nq); i++) f[at(F, Q, ldq, i, i)] = 1;
  if (k < BLOCKED_FROM) {
    F.arena.scope(() => {
      const work = F.arena.allocF64(F.w * Math.max(1, nq));
      for (let i = k - 1; i >= 0; i--) {
        applyReflectorLeft(F, at(F, a, lda, i, i), taus[i]!, at(F, Q, ldq, i, i), ldq, m - i, nq - i, work);
      }
    });
    return Q;
  }
  for (let j = Math.floor((k - 1) / BLOCK) * BLOCK; j >= 0; j -= BLOCK) {
    const jb = Math.min(BLOCK, k - j);
    F.arena.scope(() => {
      const V = explicitReflectors(F, at(F, a, lda, j, j), lda, m - j, jb);
      const T = blockReflectorFactor(F, V, m - j, jb, taus.slice(j, j + jb));
      applyBlockReflectorLeft(F, V, T, jb, at(F, Q, ldq, j, j), ldq, m - j, nq - j, false);
    });
  }
  return Q;
}

/** Options of {@link qr}. */
export interface QrOptions {
  /**
   * `"reduced"` (default): Q is m×k and R is k×n with k = min(m, n).
   * `"complete"`: Q is m×m and R is m×n. `"r"`: only R (k×n); `Q` is omitted.
   */
  mode?: "reduced" | "complete" | "r";
}

/** Result of {@link qr}: A = Q·R with Q having orthonormal columns and R upper triangular. */
export interface QrResult {
  Q?: Tensor;
  R: Tensor;
}

/**
 * Householder QR factorisation A = Q·R of a real or complex matrix (blocked, LAPACK's
 * xGEQRF + xORGQR algorithms on the SIMD kernels). R's diagonal is real; it is not made
 * non-negative (as in LAPACK and numpy). f32 input is factorised in f64 and returned as f64.
 *
 * @throws {@link NonFiniteError} for NaN or infinite input; {@link ShapeError} unless 2-D.
 * @example
 * ```ts
 * const A = randn([6, 4], 7);
 * const { Q, R } = qr(A);
 * console.assert(distance(matmul(Q!, R), A) < 1e-14 * norm(A) * 10);
 * console.assert(distance(matmul(Q!, Q!, { adjointA: true }), eye(4)) < 1e-14 * 50);
 * ```
 */
export function qr(A: Tensor, options: QrOptions = {}): QrResult {
  const mode = options.mode ?? "reduced";
  if (mode !== "reduced" && mode !== "complete" && mode !== "r") {
    throw new ArgumentError(`qr: unknown mode ${JSON.stringify(mode)}; expected "reduced", "complete" or "r"`);
  }
  const [m, n] = checkMatrix(A, "qr");
  const F = fieldFor(A.dtype === "c128");
  const k = Math.min(m, n);
  return F.arena.scope(() => {
    const a = loadColMajor(F, A);
    const taus = geqrf(F, m, n, a, m);
    const rRows = mode === "complete" ? m : k;
    const R = storeRowMajor(F, a, rRows, n, m);
    const w = F.w;
    for (let i = 0; i < rRows; i++) R.fill(0, w * i * n, w * (i * n + Math.min(i, n)));
    const result: QrResult = { R: matrixTensor(F, R, rRows, n) };
    if (mode !== "r") {
      const qCols = mode === "complete" ? m : k;
      const Q = orgqr(F, m, qCols, a, m, taus);
      result.Q = matrixTensor(F, storeRowMajor(F, Q, m, qCols, m), m, qCols);
    }
    return result;
  });
}
