import { ArgumentError } from "../../errors.js";
import { SumOfProducts, pauli } from "./sum-of-products.js";
import type { Tensor } from "../../linalg/tensor.js";

function checkSites(sites: number): void {
  if (!Number.isInteger(sites) || sites < 2) throw new ArgumentError(`a spin chain needs an integer number of sites ≥ 2, got ${sites}`);
}

function checkFinite(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new ArgumentError(`${name} must be a finite number, got ${v}`);
}

/**
 * Σ_k coeff(k) · op_k: an on-site field on every site of a spin-½ chain (or a sum of them on a
 * tree: sites = modes).
 *
 * @example
 * ```ts
 * const h = onsite(3, pauli.X, () => 0.5);
 * console.assert(h.terms.length === 3 && h.terms[1]!.coeff.re === 0.5);
 * ```
 */
export function onsite(sites: number, op: Tensor, coeff: (k: number) => number): SumOfProducts {
  checkSites(sites);
  const H = new SumOfProducts(new Array(sites).fill(op.shape[0]!));
  for (let k = 0; k < sites; k++) {
    const c = coeff(k);
    checkFinite(`coefficient on site ${k}`, c);
    if (c !== 0) H.add(c, { [k]: op });
  }
  return H;
}

/**
 * Σ_{i<j} coupling(i, j) · a_i b_j for every pair of sites (zero couplings skipped): nearest
 * neighbour with `coupling = (i, j) => (j === i + 1 ? J : 0)`, long range with a power law.
 *
 * @example
 * ```ts
 * const zz = pairCouplings(4, (i, j) => (j === i + 1 ? 1 : 0), pauli.Z, pauli.Z);
 * console.assert(zz.terms.length === 3);
 * ```
 */
export function pairCouplings(sites: number, coupling: (i: number, j: number) => number, a: Tensor, b: Tensor): SumOfProducts {
  checkSites(sites);
  const H = new SumOfProducts(new Array(sites).fill(a.shape[0]!));
  for (let i = 0; i < sites; i++)
    for (let j = i + 1; j < sites; j++) {
      const c = coupling(i, j);
      checkFinite(`coupling (${i}, ${j})`, c);
      if (c !== 0) H.add(c, { [i]: a, [j]: b });
    }
  return H;
}

/** Parameters of {@link transverseFieldIsing}. */
export interface IsingParameters {
  /** Number of spins. */
  sites: number;
  /** ZZ coupling J in H = J·Σ Z_i Z_{i+1} + hx·Σ X_i + hz·Σ Z_i (default −1: ferromagnetic). */
  J?: number;
  /** Transverse field (default −1). */
  hx?: number;
  /** Longitudinal field (default 0). */
  hz?: number;
  /** Couple the last site to the first (default false). */
  periodic?: boolean;
}

/**
 * The transverse-field Ising chain H = J·Σ Z_i Z_{i+1} + hx·Σ X_i + hz·Σ Z_i; the defaults
 * (J = hx = −1) give the critical ferromagnet −Σ ZZ − Σ X.
 *
 * @example
 * ```ts
 * const H = transverseFieldIsing({ sites: 2 });
 * const e = eigvalsh(H.toMatrix()); // −ZZ − X₀ − X₁: ground energy −√5
 * console.assert(Math.abs(e[0]! + Math.sqrt(5)) < 1e-12);
 * ```
 */
export function transverseFieldIsing(p: IsingParameters): SumOfProducts {
  const { sites, J = -1, hx = -1, hz = 0, periodic = false } = p;
  checkSites(sites);
  for (const [k, v] of Object.entries({ J, hx, hz })) checkFinite(k, v);
  const H = pairCouplings(sites, (i, j) => (j === i + 1 || (periodic && sites > 2 && i === 0 && j === sites - 1) ? J : 0), pauli.Z, pauli.Z);
  if (hx !== 0) H.addAll(onsite(sites, pauli.X, () => hx));
  if (hz !== 0) H.addAll(onsite(sites, pauli.Z, () => hz));
  return H;
}

/** Parameters of {@link longRangeIsing} (the parallel TTN BUG paper's §5.1 model). */
export interface LongRangeIsingParameters {
  sites: number;
  /** Interaction strength ν (default 2). */
  nu?: number;
  /** Decay exponent α of |i − j|^(−α) (default 1). */
  alpha?: number;
  /** Detuning Δ on n = |↑⟩⟨↑| (default 1). */
  Delta?: number;
  /** Rabi frequency Ω on σx (default 1). */
  Omega?: number;
}

/**
 * The long-range transverse-field Ising (Rydberg) Hamiltonian
 * H = Σ_k (Ω σx_k + Δ n_k) + Σ_{i≠j} (ν/2)|i − j|^(−α) n_i n_j, n = |↑⟩⟨↑|, with the
 * defaults of Ceruti, Kusch, Lubich & Sulz (arXiv 2412.00858, §5.1): ν = 2, Δ = Ω = α = 1.
 * N sites give N(N−1)/2 couplings; {@link Ttno.fromSumOfProducts} compresses them.
 *
 * @example
 * ```ts
 * const H = longRangeIsing({ sites: 4 });
 * console.assert(H.terms.length === 4 + 4 + 6);
 * ```
 */
export function longRangeIsing(p: LongRangeIsingParameters): SumOfProducts {
  const { sites, nu = 2, alpha = 1, Delta = 1, Omega = 1 } = p;
  checkSites(sites);
  for (const [k, v] of Object.entries({ nu, alpha, Delta, Omega })) checkFinite(k, v);
  const H = onsite(sites, pauli.X, () => Omega);
  if (Delta !== 0) H.addAll(onsite(sites, pauli.N, () => Delta));
  if (nu !== 0) H.addAll(pairCouplings(sites, (i, j) => nu * Math.abs(i - j) ** -alpha, pauli.N, pauli.N));
  return H;
}
