import { ArgumentError, ShapeError } from "../../errors.js";
import { toComplex } from "../../linalg/complex.js";
import type { Complex } from "../../linalg/dtype.js";
import { allFinite, asDType, combine } from "../../linalg/elementwise.js";
import { modeProduct } from "../../linalg/unfold.js";
import { vdot } from "../../linalg/norms.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";
import { addDiagonalProduct, splitDiagonal, type SplitOperator } from "./diagonal-part.js";

/** One term c · ⊗_{m ∈ factors} A_m of an operator (identity on modes without a factor). */
export interface ProductTerm {
  readonly coeff: Complex;
  /** Mode → its n_m×n_m factor, modes ascending. */
  readonly factors: ReadonlyMap<number, Tensor>;
}

/** Factors of a term: `{ mode: matrix }`, a Map, or `[mode, matrix]` pairs. */
export type FactorSpec = Readonly<Record<number, Tensor>> | ReadonlyMap<number, Tensor> | ReadonlyArray<readonly [number, Tensor]>;

/**
 * An operator on a tensor space of mode sizes `dims`, as a sum of Kronecker products
 * Σ_k c_k · A_k^(m₁) ⊗ … ⊗ A_k^(m_j), the identity implied on every mode a term does not
 * name. Real or complex coefficients and factors. A builder: `add` appends a term and returns
 * the same object.
 *
 * @example
 * ```ts
 * const H = new SumOfProducts([2, 2]).add(0.5, { 0: pauli.Z, 1: pauli.Z }).add(1, { 0: pauli.X });
 * console.assert(H.terms.length === 2 && H.toMatrix().shape.join() === "4,4");
 * ```
 */
export class SumOfProducts {
  /** Mode sizes. */
  readonly dims: readonly number[];
  private readonly list: ProductTerm[] = [];
  // The diagonal terms summed once for apply(); dropped whenever a term is added.
  private split: SplitOperator<ProductTerm> | undefined;

  constructor(dims: readonly number[]) {
    dims.forEach((n, m) => {
      if (!Number.isInteger(n) || n < 1) throw new ShapeError(`SumOfProducts: mode ${m} has size ${n}; sizes must be positive integers`);
    });
    this.dims = Object.freeze(dims.slice());
  }

  /** The terms added so far. */
  get terms(): readonly ProductTerm[] {
    return this.list;
  }

  /** Number of modes. */
  get numModes(): number {
    return this.dims.length;
  }

  /**
   * Appends `coeff · ⊗ factors`. Each factor must be an n_m×n_m real or complex matrix of finite
   * values; a term with no factors is `coeff · I`.
   * @throws {@link ShapeError} or {@link ArgumentError} naming the bad factor.
   */
  add(coeff: number | Complex, factors: FactorSpec = {}): this {
    const c = toComplex(coeff);
    if (!Number.isFinite(c.re) || !Number.isFinite(c.im)) throw new ArgumentError(`SumOfProducts.add: coefficient ${JSON.stringify(coeff)} is not finite`);
    const entries: Array<[number, Tensor]> =
      factors instanceof Map ? [...factors.entries()] : Array.isArray(factors) ? (factors as Array<[number, Tensor]>).map(([m, t]) => [m, t]) : Object.entries(factors).map(([m, t]) => [Number(m), t as Tensor]);
    const map = new Map<number, Tensor>();
    for (const [m, t] of entries.sort((a, b) => a[0] - b[0])) {
      if (!Number.isInteger(m) || m < 0 || m >= this.dims.length) throw new ArgumentError(`SumOfProducts.add: mode ${m} is out of range 0…${this.dims.length - 1}`);
      if (map.has(m)) throw new ArgumentError(`SumOfProducts.add: mode ${m} has two factors in one term`);
      const n = this.dims[m]!;
      if (!(t instanceof Tensor) || t.ndim !== 2 || t.shape[0] !== n || t.shape[1] !== n) {
        throw new ShapeError(`SumOfProducts.add: factor on mode ${m} must be a ${n}×${n} matrix, got ${t instanceof Tensor ? formatShape(t.shape) : String(t)}`);
      }
      if (!allFinite(t)) throw new ArgumentError(`SumOfProducts.add: factor on mode ${m} has non-finite entries`);
      map.set(m, asDType(t, t.dtype === "c128" ? "c128" : "f64"));
    }
    this.list.push(Object.freeze({ coeff: c, factors: map }));
    this.split = undefined;
    return this;
  }

  /** Appends every term of `other` (same dims). */
  addAll(other: SumOfProducts, scale: number | Complex = 1): this {
    if (other.dims.length !== this.dims.length || other.dims.some((n, m) => n !== this.dims[m])) {
      throw new ShapeError(`SumOfProducts.addAll: dims ${formatShape(other.dims)} differ from ${formatShape(this.dims)}`);
    }
    const s = toComplex(scale);
    for (const t of other.terms) this.list.push({ coeff: { re: s.re * t.coeff.re - s.im * t.coeff.im, im: s.re * t.coeff.im + s.im * t.coeff.re }, factors: t.factors });
    this.split = undefined;
    return this;
  }

  /** Whether any coefficient or factor is complex. */
  get isComplex(): boolean {
    return this.list.some((t) => t.coeff.im !== 0 || [...t.factors.values()].some((f) => f.dtype === "c128"));
  }

  /**
   * A·Y for a full tensor Y (axes = modes): the diagonal terms summed once into one vector (on
   * first use) and applied elementwise, every other term factor by factor as mode products, so
   * the cost is O(size + off-diagonal terms · size · n) without the ∏n × ∏n matrix.
   *
   * @example
   * ```ts
   * const H = transverseFieldIsing({ sites: 3 });
   * const y = randn([2, 2, 2], 1);
   * console.assert(distance(H.apply(y).reshape([8]), matmul(H.toMatrix(), y.reshape([8]))) < 1e-13);
   * ```
   */
  apply(y: Tensor): Tensor {
    if (y.ndim !== this.dims.length || y.shape.some((n, m) => n !== this.dims[m])) {
      throw new ShapeError(`SumOfProducts.apply: tensor of shape ${formatShape(y.shape)} for mode sizes ${formatShape(this.dims)}`);
    }
    const complex = this.isComplex || y.dtype === "c128";
    let out: Tensor = new Tensor(complex ? "c128" : "f64", y.shape);
    const split = (this.split ??= splitDiagonal(this.dims, this.list));
    if (split.diagonal !== undefined) addDiagonalProduct(out, split.diagonal, y);
    for (const term of split.offDiagonal) {
      let t: Tensor = y;
      for (const [m, f] of term.factors) t = modeProduct(t, f, m);
      out = combine(1, out, term.coeff.im === 0 ? term.coeff.re : term.coeff, t);
    }
    return out;
  }

  /**
   * ⟨ψ|A|ψ⟩ for a full tensor ψ (real part; the value itself for a Hermitian A), without
   * normalising by ⟨ψ|ψ⟩: for reference states of small problems.
   *
   * @example
   * ```ts
   * const H = transverseFieldIsing({ sites: 3 });
   * const psi = randn([2, 2, 2], 2, { dtype: "c128" });
   * const dense = matmul(H.toMatrix(), psi.reshape([8]));
   * console.assert(Math.abs(H.expectation(psi) - (vdot(psi.reshape([8]), dense) as Complex).re) < 1e-12);
   * ```
   */
  expectation(psi: Tensor): number {
    const value = vdot(psi, this.apply(psi));
    return typeof value === "number" ? value : value.re;
  }

  /**
   * The dense matrix (∏n × ∏n, row index = multi-index in row-major mode order). Exponential in
   * the number of modes: for tests and small problems.
   */
  toMatrix(): Tensor {
    const N = this.dims.reduce((p, n) => p * n, 1);
    const complex = this.isComplex;
    const out = new Tensor(complex ? "c128" : "f64", [N, N]);
    const w = complex ? 2 : 1;
    for (const term of this.list) {
      // Kronecker product, mode by mode (identity where the term has no factor).
      let M: Tensor = new Tensor("c128", [1, 1], Float64Array.of(term.coeff.re, term.coeff.im));
      this.dims.forEach((n, m) => {
        const f = term.factors.get(m);
        M = kron(M, f ?? Tensor.eye(n, n, "f64"));
      });
      for (let i = 0; i < N * N; i++) {
        out.data[w * i] = out.data[w * i]! + M.data[2 * i]!;
        if (complex) out.data[2 * i + 1] = out.data[2 * i + 1]! + M.data[2 * i + 1]!;
      }
    }
    return out;
  }
}

// Kronecker product of a complex matrix with a real or complex one (result complex).
function kron(a: Tensor, b: Tensor): Tensor {
  const [ar, ac] = [a.shape[0]!, a.shape[1]!];
  const [br, bc] = [b.shape[0]!, b.shape[1]!];
  const B = asDType(b, "c128");
  const out = new Tensor("c128", [ar * br, ac * bc]);
  const cols = ac * bc;
  for (let i = 0; i < ar; i++)
    for (let j = 0; j < ac; j++) {
      const xr = a.data[2 * (i * ac + j)]!, xi = a.data[2 * (i * ac + j) + 1]!;
      if (xr === 0 && xi === 0) continue;
      for (let k = 0; k < br; k++)
        for (let l = 0; l < bc; l++) {
          const yr = B.data[2 * (k * bc + l)]!, yi = B.data[2 * (k * bc + l) + 1]!;
          const o = 2 * ((i * br + k) * cols + j * bc + l);
          out.data[o] = xr * yr - xi * yi;
          out.data[o + 1] = xr * yi + xi * yr;
        }
    }
  return out;
}

/**
 * Single-qubit operators: Pauli matrices, the identity, and n = |↑⟩⟨↑| = (I + Z)/2 = diag(1, 0)
 * (the Rydberg-atom occupation in the long-range Ising model), with |↑⟩ = (1, 0).
 *
 * @example
 * ```ts
 * const xy = matmul(pauli.X, pauli.Y);  // XY = iZ
 * console.assert((xy.get(0, 0) as Complex).im === 1 && (xy.get(1, 1) as Complex).im === -1);
 * ```
 */
export const pauli = Object.freeze({
  I: Tensor.fromArray([[1, 0], [0, 1]], { dtype: "f64" }),
  X: Tensor.fromArray([[0, 1], [1, 0]], { dtype: "f64" }),
  Y: Tensor.fromArray([[0, { re: 0, im: -1 }], [{ re: 0, im: 1 }, 0]], { dtype: "c128" }),
  Z: Tensor.fromArray([[1, 0], [0, -1]], { dtype: "f64" }),
  /** n = |↑⟩⟨↑| = diag(1, 0) */
  N: Tensor.fromArray([[1, 0], [0, 0]], { dtype: "f64" }),
});
