import { ArgumentError } from "../errors.js";
import { toComplex } from "../linalg/complex.js";
import type { Complex } from "../linalg/dtype.js";
import { expmv } from "../linalg/expm/krylov.js";
import type { Tensor } from "../linalg/tensor.js";
import type { SumOfProducts } from "../tn/operators/sum-of-products.js";

/** Options of {@link referenceEvolution}. */
export interface ReferenceOptions {
  /** The equation is y' = scale·A·y (default 1; −i for i·y' = A·y). */
  scale?: number | Complex;
  /** A is Hermitian (Lanczos). */
  hermitian?: boolean;
  /** Relative accuracy of each interval's exponential (default 1e-12). */
  tol?: number;
}

/**
 * The exact evolution y(t) = exp(scale·t·A)·y₀ of a full tensor under a sum-of-products
 * operator, by Krylov exponentials between consecutive `times` (increasing, starting at 0 or
 * later): the full-vector reference that tests and `--reference` compare DLRA integrators with.
 * Exponential in the number of modes (2^d amplitudes for d spins).
 *
 * @example
 * ```ts
 * const H = transverseFieldIsing({ sites: 4 });
 * const up = Ttn.product(Tree.tensorTrain(4), new Array(4).fill(tensor([1, 0]))).toFull();
 * const [, y1] = referenceEvolution(H, up, [0, 0.5], { scale: { re: 0, im: -1 }, hermitian: true });
 * console.assert(Math.abs(norm(y1!) - 1) < 1e-12); // unitary
 * ```
 */
export function referenceEvolution(A: SumOfProducts, y0: Tensor, times: readonly number[], options: ReferenceOptions = {}): Tensor[] {
  const scale = toComplex(options.scale ?? 1);
  const out: Tensor[] = [];
  let y = y0;
  let t = 0;
  for (const time of times) {
    if (!Number.isFinite(time) || time < t) throw new ArgumentError(`referenceEvolution: times must be finite and non-decreasing from 0, got ${time} after ${t}`);
    if (time > t) {
      const dt = time - t;
      y = expmv((x) => A.apply(x), y, scale.im === 0 ? scale.re * dt : { re: scale.re * dt, im: scale.im * dt }, {
        hermitian: options.hermitian ?? false,
        tol: options.tol ?? 1e-12,
      }).y;
      t = time;
    }
    out.push(y);
  }
  return out;
}
