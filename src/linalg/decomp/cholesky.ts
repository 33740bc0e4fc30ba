/**
 * Dense Cholesky factorisation and solves for small symmetric positive definite systems held as
 * row-major Float64Arrays: the normal equations of least-squares updates (ALS slices, damped
 * Gauss–Newton steps). No pivoting and no copies; the caller keeps the matrix it still needs.
 * Internal (tested in test/linalg/decomp/cholesky.test.ts).
 * @module
 */

/**
 * Factors the symmetric matrix in the lower triangle of `a` (n×n, row-major) in place into L
 * with a = L·Lᵀ (left-looking, column by column; the upper triangle is not read or written).
 *
 * @returns false, leaving `a` partly overwritten, if a pivot is not positive and finite (the
 * matrix is not numerically positive definite).
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j]!;
    for (let k = 0; k < j; k++) d -= a[rj + k]! * a[rj + k]!;
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = s / ljj;
    }
  }
  return true;
}

/**
 * Solves L·Lᵀ·x = b by forward then backward substitution with the factor of
 * {@link choleskyInPlace} (only its lower triangle is read); `out` may be `b` itself.
 */
export function choleskySubstitute(L: Float64Array, n: number, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * out[k]!;
    out[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = out[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * out[k]!;
    out[i] = s / L[i * n + i]!;
  }
}
