/**
 * Basis updates of the BUG integrators (matrices, Tucker tensors, tree networks): orthonormal
 * bases of K(t1) and the augmentation orth([X, Z]) that keeps the old basis X verbatim.
 *
 * @module
 */
import { qr } from "../linalg/decomp/qr.js";
import { singularValues, svd } from "../linalg/decomp/svd.js";
import { combine } from "../linalg/elementwise.js";
import { matmul } from "../linalg/matmul.js";
import { norm } from "../linalg/norms.js";
import { concat, slice } from "../linalg/slice.js";
import { Tensor } from "../linalg/tensor.js";
import { as, workDType } from "./dtypes.js";

const EPS = 2 ** -52;
// New directions with σ ≥ this·‖Z‖ are orthogonal to X to ~ε/this ≈ 2e-13 after the two
// projections; smaller ones are projected once more after normalisation.
const REPROJECT_BELOW = 1e-3;

/** [A, B] side by side (dtypes promoted). */
export function hstack(A: Tensor, B: Tensor): Tensor {
  if (B.shape[1] === 0) return A;
  const d = workDType(A, B);
  return concat([as(A, d), as(B, d)], 1);
}

/** The thin QR factors of K: Q (m×r, orthonormal) and R (r×r). */
export function qrFactors(K: Tensor): { Q: Tensor; R: Tensor } {
  const { Q, R } = qr(K);
  return { Q: Q!, R };
}

/** The result of {@link augmentBasis}: the augmented basis and its new part. */
export interface Augmented {
  /** [X, N]: the first columns are X itself, bit for bit. */
  basis: Tensor;
  /** The new orthonormal directions N ⟂ X (possibly no columns). */
  added: Tensor;
}

/**
 * orth([X, Z]) with the first columns exactly X (orthonormal columns assumed): Z is projected
 * against X twice (classical Gram–Schmidt with reorthogonalisation), and the new directions
 * are the left singular vectors of the projected Z whose singular values exceed the rounding
 * level 16·ε·√m·‖Z‖_F. Keeping X verbatim makes Xᴴ·[X, N] = [I, 0] exact, so old cores are
 * zero-padded instead of multiplied; dropping numerically null directions (Z in span X, as
 * when F ≡ 0) keeps the rank instead of adding junk columns of norm ~1e-16.
 */
export function augmentBasis(X: Tensor, Z: Tensor): Augmented {
  const d = workDType(X, Z);
  const x = as(X, d), z = as(Z, d);
  const [m, r] = [x.shape[0]!, x.shape[1]!];
  const room = m - r;
  const empty = new Tensor(d, [m, 0]);
  const zNorm = norm(z);
  if (room <= 0 || zNorm === 0 || z.shape[1] === 0) return { basis: x, added: empty };
  let p = z;
  for (let pass = 0; pass < 2; pass++) p = combine(1, p, -1, matmul(x, matmul(x, p, { adjointA: true })));
  const { Q, R } = qrFactors(p);
  const s = singularValues(R);
  const threshold = 16 * EPS * Math.sqrt(m) * zNorm;
  let keep = 0;
  while (keep < s.length && keep < room && s[keep]! > threshold) keep++;
  if (keep === 0) return { basis: x, added: empty };
  // Full column rank (the usual case): Q spans the new part; else the leading singular directions.
  let added = keep === s.length ? Q : matmul(Q, slice(svd(R).U, [null, [0, keep]]));
  // A direction whose singular value σ is small keeps an X-component of relative size
  // ~ε·‖Z‖/σ from the projection's rounding: project the now unit-norm directions again.
  if (s[keep - 1]! < REPROJECT_BELOW * zNorm) {
    for (let pass = 0; pass < 2; pass++) added = combine(1, added, -1, matmul(x, matmul(x, added, { adjointA: true })));
    added = qrFactors(added).Q;
  }
  return { basis: hstack(x, added), added };
}
