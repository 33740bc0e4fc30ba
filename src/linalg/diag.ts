import { ShapeError } from "../errors.js";
import type { Complex, DType } from "./dtype.js";
import { formatShape } from "./shape.js";
import { Tensor } from "./tensor.js";

/**
 * Square matrix with `v` (1-D, or a plain array of numbers) on the diagonal.
 *
 * @example
 * ```ts
 * const d = diag([1, 2]);
 * console.assert(d.get(1, 1) === 2 && d.get(0, 1) === 0);
 * ```
 */
export function diag(v: Tensor | ArrayLike<number>): Tensor {
  const t = v instanceof Tensor ? v : new Tensor("f64", [v.length], Float64Array.from(v));
  if (t.ndim !== 1) throw new ShapeError(`diag: needs a vector, got shape ${formatShape(t.shape)}`);
  const n = t.size;
  const w = t.dtype === "c128" ? 2 : 1;
  const out = new Tensor(t.dtype, [n, n]);
  for (let i = 0; i < n; i++) for (let q = 0; q < w; q++) out.data[w * (i * n + i) + q] = t.data[w * i + q]!;
  return out;
}

/**
 * The main diagonal of a matrix as a vector.
 *
 * @example
 * ```ts
 * console.assert(diagonal(tensor([[1, 2], [3, 4]])).get(1) === 4);
 * ```
 */
export function diagonal<D extends DType>(m: Tensor<D>): Tensor<D> {
  if (m.ndim !== 2) throw new ShapeError(`diagonal: needs a matrix, got shape ${formatShape(m.shape)}`);
  const [r, c] = [m.shape[0]!, m.shape[1]!];
  const k = Math.min(r, c);
  const w = m.dtype === "c128" ? 2 : 1;
  const out = new Tensor(m.dtype, [k]);
  for (let i = 0; i < k; i++) for (let q = 0; q < w; q++) out.data[w * i + q] = m.data[w * (i * c + i) + q]!;
  return out;
}

/**
 * Sum of the diagonal: a number for real matrices, `{ re, im }` for complex ones.
 *
 * @example
 * ```ts
 * console.assert(trace(eye(5)) === 5);
 * ```
 */
export function trace(m: Tensor): number | Complex {
  const d = diagonal(m);
  if (d.dtype !== "c128") {
    let s = 0;
    for (let i = 0; i < d.size; i++) s += d.data[i]!;
    return s;
  }
  let re = 0, im = 0;
  for (let i = 0; i < d.size; i++) {
    re += d.data[2 * i]!;
    im += d.data[2 * i + 1]!;
  }
  return { re, im };
}
