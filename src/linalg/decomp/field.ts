import type { Arena } from "../../backend/cpu/arena.js";
import { getArena } from "../../backend/cpu/arena.js";
import { countFlops } from "../../backend/cpu/flops.js";
import { dgemmArena, zgemmArena, type Op } from "../../backend/cpu/gemm.js";
import type { Complex } from "../dtype.js";

/**
 * The kernels a LAPACK-style algorithm needs, for real or complex column-major matrices in the
 * arena, behind one interface so QR, bidiagonalisation and tridiagonalisation are written
 * once. Pointers index `arena.f64`; element (i, j) of a matrix with leading dimension `ld`
 * sits at `p + w·(i + j·ld)`. Scalars are complex; real fields ignore imaginary parts
 * (which the algorithms keep at zero for real data).
 */
export interface Field {
  readonly complex: boolean;
  /** Doubles per element. */
  readonly w: 1 | 2;
  readonly arena: Arena;
  /** xᴴy */
  dotc(n: number, x: number, y: number): Complex;
  /** y += alpha·x */
  axpy(n: number, alpha: Complex, x: number, y: number): void;
  /** x *= alpha */
  scal(n: number, alpha: Complex, x: number): void;
  /** x *= alpha (real) */
  rscal(n: number, alpha: number, x: number): void;
  /** ‖x‖₂ without spurious overflow */
  nrm2(n: number, x: number): number;
  /** y ← beta·y + alpha·Aᴴx for m×n A */
  gemvC(m: number, n: number, alpha: Complex, a: number, lda: number, x: number, beta: Complex, y: number): void;
  /** y += alpha·A·x for m×n A */
  gemvN(m: number, n: number, alpha: Complex, a: number, lda: number, x: number, y: number): void;
  /** A += alpha·x·yᴴ for m×n A */
  gerc(m: number, n: number, alpha: Complex, x: number, y: number, a: number, lda: number): void;
  /** y += alpha·A·x, A Hermitian given by its lower triangle */
  hemvL(n: number, alpha: Complex, a: number, lda: number, x: number, y: number): void;
  /** A_lower += alpha·x·yᴴ + conj(alpha)·y·xᴴ */
  her2L(n: number, alpha: Complex, x: number, y: number, a: number, lda: number): void;
  /** Column-major C ← alpha·op(A)·op(B) + beta·C (op: 0 as stored, 1 transpose, 2 adjoint). */
  gemm(opA: Op, opB: Op, m: number, n: number, k: number, alpha: Complex,
    a: number, lda: number, b: number, ldb: number, beta: Complex, c: number, ldc: number): void;
}

const ZERO: Complex = { re: 0, im: 0 };

function realField(arena: Arena): Field {
  const K = arena.kernels;
  return {
    complex: false,
    w: 1,
    arena,
    dotc: (n, x, y) => (countFlops(2 * n), { re: K.ddot(n, 8 * x, 8 * y), im: 0 }),
    axpy: (n, al, x, y) => (countFlops(2 * n), K.daxpy(n, al.re, 8 * x, 8 * y)),
    scal: (n, al, x) => (countFlops(n), K.dscal(n, al.re, 8 * x)),
    rscal: (n, al, x) => (countFlops(n), K.dscal(n, al, 8 * x)),
    nrm2: (n, x) => (countFlops(2 * n), K.dnrm2(n, 8 * x)),
    gemvC: (m, n, al, a, lda, x, be, y) => (countFlops(2 * m * n), K.dgemvT(m, n, al.re, 8 * a, lda, 8 * x, be.re, 8 * y)),
    gemvN: (m, n, al, a, lda, x, y) => (countFlops(2 * m * n), K.dgemvN(m, n, al.re, 8 * a, lda, 8 * x, 8 * y)),
    gerc: (m, n, al, x, y, a, lda) => (countFlops(2 * m * n), K.dger(m, n, al.re, 8 * x, 8 * y, 8 * a, lda)),
    hemvL: (n, al, a, lda, x, y) => (countFlops(2 * n * n), K.dsymvL(n, al.re, 8 * a, lda, 8 * x, 8 * y)),
    her2L: (n, al, x, y, a, lda) => (countFlops(2 * n * n), K.dsyr2L(n, al.re, 8 * x, 8 * y, 8 * a, lda)),
    // Column-major C = op(A)·op(B) is row-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands.
    gemm: (opA, opB, m, n, k, al, a, lda, b, ldb, be, c, ldc) =>
      dgemmArena(opB, opA, n, m, k, al.re, b, ldb, a, lda, be.re, c, ldc),
  };
}

function complexField(arena: Arena): Field {
  const K = arena.kernels;
  const out = (): number => arena.scratch;
  const dotc = (n: number, x: number, y: number): Complex => {
    countFlops(8 * n);
    const s = out();
    K.zdotc(n, 8 * x, 8 * y, 8 * s);
    return { re: arena.f64[s]!, im: arena.f64[s + 1]! };
  };
  return {
    complex: true,
    w: 2,
    arena,
    dotc,
    axpy: (n, al, x, y) => (countFlops(8 * n), K.zaxpy(n, al.re, al.im, 8 * x, 8 * y)),
    scal: (n, al, x) => (countFlops(6 * n), K.zscal(n, al.re, al.im, 8 * x)),
    rscal: (n, al, x) => (countFlops(2 * n), K.dscal(2 * n, al, 8 * x)),
    nrm2: (n, x) => (countFlops(4 * n), K.dnrm2(2 * n, 8 * x)),
    gemvC: (m, n, al, a, lda, x, be, y) => (countFlops(8 * m * n), K.zgemvC(m, n, al.re, al.im, 8 * a, lda, 8 * x, be.re, be.im, 8 * y, 8 * out())),
    gemvN: (m, n, al, a, lda, x, y) => (countFlops(8 * m * n), K.zgemvN(m, n, al.re, al.im, 8 * a, lda, 8 * x, 8 * y)),
    gerc: (m, n, al, x, y, a, lda) => (countFlops(8 * m * n), K.zgerc(m, n, al.re, al.im, 8 * x, 8 * y, 8 * a, lda)),
    hemvL: (n, al, a, lda, x, y) => (countFlops(8 * n * n), K.zhemvL(n, al.re, al.im, 8 * a, lda, 8 * x, 8 * y)),
    her2L: (n, al, x, y, a, lda) => (countFlops(8 * n * n), K.zher2L(n, al.re, al.im, 8 * x, 8 * y, 8 * a, lda)),
    // Column-major op(A)·op(B) = row-major (op(B)ᵀ·op(A)ᵀ); for op = adjoint, op(X)ᵀ = conj(X)
    // of the row-major view, which is again the "adjoint" flag on that view.
    gemm: (opA, opB, m, n, k, al, a, lda, b, ldb, be, c, ldc) =>
      zgemmArena(opB, opA, n, m, k, al, b, ldb, a, lda, be, c, ldc),
  };
}

/** The field for `complex` data on the shared arena. */
export function fieldFor(complex: boolean): Field {
  const arena = getArena();
  return complex ? complexField(arena) : realField(arena);
}

export { ZERO };
