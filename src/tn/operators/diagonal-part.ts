/**
 * The diagonal part of a sum of Kronecker products, gathered into one vector. Spin and grid
 * Hamiltonians are mostly diagonal terms (n⁽ⁱ⁾n⁽ʲ⁾ couplings, potentials): summing them once
 * turns hundreds of mode products per application into one elementwise product.
 * @module
 */
import type { Complex } from "../../linalg/dtype.js";
import type { Tensor } from "../../linalg/tensor.js";

/** A term as the splitter sees it. */
export interface SplitTerm {
  readonly coeff: Complex;
  readonly factors: ReadonlyMap<number, Tensor>;
}

/** The diagonal terms summed into `diagonal` (interleaved complex, length 2·∏n), the rest listed. */
export interface SplitOperator<T extends SplitTerm> {
  diagonal: Float64Array | undefined;
  complexDiagonal: boolean;
  offDiagonal: T[];
}

function isDiagonal(f: Tensor): boolean {
  const n = f.shape[0]!, w = f.dtype === "c128" ? 2 : 1;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const k = w * (i * n + j);
      if (f.data[k] !== 0 || (w === 2 && f.data[k + 1] !== 0)) return false;
    }
  return true;
}

// Diagonal entry k of a factor as [re, im].
function entry(f: Tensor, k: number): [number, number] {
  const n = f.shape[0]!;
  return f.dtype === "c128" ? [f.data[2 * (k * n + k)]!, f.data[2 * (k * n + k) + 1]!] : [f.data[k * n + k]!, 0];
}

/** Splits `terms` over mode sizes `dims` into the summed diagonal and the other terms. */
export function splitDiagonal<T extends SplitTerm>(dims: readonly number[], terms: readonly T[]): SplitOperator<T> {
  const diagonalTerms = terms.filter((t) => [...t.factors.values()].every(isDiagonal));
  const offDiagonal = terms.filter((t) => !diagonalTerms.includes(t));
  if (diagonalTerms.length < 2) return { diagonal: undefined, complexDiagonal: false, offDiagonal: terms.slice() };
  const size = dims.reduce((p, n) => p * n, 1);
  const strides = dims.map((_, m) => dims.slice(m + 1).reduce((p, n) => p * n, 1));
  const diagonal = new Float64Array(2 * size);
  for (const term of diagonalTerms) {
    const factors = [...term.factors.entries()];
    for (let i = 0; i < size; i++) {
      let re = term.coeff.re, im = term.coeff.im;
      for (const [m, f] of factors) {
        const [fr, fi] = entry(f, Math.floor(i / strides[m]!) % dims[m]!);
        const r = re * fr - im * fi;
        im = re * fi + im * fr;
        re = r;
      }
      diagonal[2 * i] = diagonal[2 * i]! + re;
      diagonal[2 * i + 1] = diagonal[2 * i + 1]! + im;
    }
  }
  let complexDiagonal = false;
  for (let i = 1; i < diagonal.length; i += 2) if (diagonal[i] !== 0) complexDiagonal = true;
  return { diagonal, complexDiagonal, offDiagonal };
}

/** out += D ⊙ y, elementwise over the flattened tensors (out complex when D or y is). */
export function addDiagonalProduct(out: Tensor, diagonal: Float64Array, y: Tensor): void {
  const size = diagonal.length / 2;
  const o = out.data, d = diagonal, x = y.data;
  if (out.dtype === "c128") {
    if (y.dtype === "c128") {
      for (let i = 0; i < size; i++) {
        const dr = d[2 * i]!, di = d[2 * i + 1]!, xr = x[2 * i]!, xi = x[2 * i + 1]!;
        o[2 * i] = o[2 * i]! + dr * xr - di * xi;
        o[2 * i + 1] = o[2 * i + 1]! + dr * xi + di * xr;
      }
    } else {
      for (let i = 0; i < size; i++) {
        o[2 * i] = o[2 * i]! + d[2 * i]! * x[i]!;
        o[2 * i + 1] = o[2 * i + 1]! + d[2 * i + 1]! * x[i]!;
      }
    }
  } else {
    for (let i = 0; i < size; i++) o[i] = o[i]! + d[2 * i]! * x[i]!;
  }
}
