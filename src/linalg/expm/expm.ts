/**
 * The matrix exponential by scaling and squaring with diagonal Padé approximants, following
 * N. J. Higham, "The scaling and squaring method for the matrix exponential revisited",
 * SIAM J. Matrix Anal. Appl. 26(4):1179–1193, 2005 (Algorithm 2.3).
 *
 * @module
 */
import { NonFiniteError } from "../../errors.js";
import { assertFinite } from "../elementwise.js";
import { assertDecomposable, assertSquare, matmul } from "../matmul.js";
import { Tensor } from "../tensor.js";
import { solve } from "../decomp/lu.js";

/**
 * Largest 1-norms for which the [m/m] Padé approximant has relative backward error at most
 * u = 2⁻⁵³ (Higham 2005, Table 2.3): for ‖A‖₁ ≤ θ_m, r_m(A) = e^(A+ΔA) with ‖ΔA‖ ≤ u‖A‖
 * in exact arithmetic.
 */
const THETA: ReadonlyArray<readonly [degree: number, theta: number]> = [
  [3, 1.495585217958292e-2],
  [5, 2.539398330063230e-1],
  [7, 9.504178996162932e-1],
  [9, 2.097847961257068],
];
const THETA_13 = 5.371920351148152;

/**
 * Coefficients c_j of the numerator p_m(x) = Σ c_j x^j of the [m/m] Padé approximant to eˣ,
 * normalised to c_0 = 1: c_j = (2m−j)!·m! / ((2m)!·j!·(m−j)!). The denominator is p_m(−x).
 * Built by the ratio c_{j+1}/c_j = (m−j)/((2m−j)(j+1)) rather than from a table, so that no
 * constant can be mistyped (the paper's integer forms exceed 2⁵³ for m = 13 anyway).
 */
function padeCoefficients(m: number): Float64Array {
  const c = new Float64Array(m + 1);
  c[0] = 1;
  for (let j = 0; j < m; j++) c[j + 1] = (c[j]! * (m - j)) / ((2 * m - j) * (j + 1));
  return c;
}

const PADE = new Map<number, Float64Array>([3, 5, 7, 9, 13].map((m) => [m, padeCoefficients(m)]));

/** Σ coefs[k]·terms[k] + identity·I for same-shape real or complex square matrices (real coefficients). */
function linearCombination(n: number, complex: boolean, identity: number, terms: ReadonlyArray<readonly [number, Tensor]>): Tensor {
  const out = new Tensor(complex ? "c128" : "f64", [n, n]);
  const o = out.data;
  for (const [c, T] of terms) {
    const d = T.data;
    for (let i = 0; i < o.length; i++) o[i] = o[i]! + c * d[i]!;
  }
  const w = complex ? 2 : 1;
  for (let i = 0; i < n; i++) o[w * (i * n + i)] = o[w * (i * n + i)]! + identity;
  return out;
}

/**
 * r_m(A) = q_m(A)⁻¹·p_m(A) with p_m(A) = V + U, q_m(A) = V − U, U holding the odd and V the
 * even powers (Higham 2005, eqs. (2.10)–(2.11)). Only even powers are formed, so degree m
 * costs (m+1)/2 + 1 products for m ≤ 9 and 6 for m = 13, plus one LU solve.
 */
function padeApproximant(A: Tensor, m: number): Tensor {
  const n = A.shape[0]!;
  const complex = A.dtype === "c128";
  const c = PADE.get(m)!;
  const A2 = matmul(A, A);
  let U: Tensor, V: Tensor;
  if (m === 13) {
    const A4 = matmul(A2, A2), A6 = matmul(A4, A2);
    const innerU = linearCombination(n, complex, 0, [[c[13]!, A6], [c[11]!, A4], [c[9]!, A2]]);
    const innerV = linearCombination(n, complex, 0, [[c[12]!, A6], [c[10]!, A4], [c[8]!, A2]]);
    U = matmul(A, linearCombination(n, complex, c[1]!, [[1, matmul(A6, innerU)], [c[7]!, A6], [c[5]!, A4], [c[3]!, A2]]));
    V = linearCombination(n, complex, c[0]!, [[1, matmul(A6, innerV)], [c[6]!, A6], [c[4]!, A4], [c[2]!, A2]]);
  } else {
    const powers: Tensor[] = [A2]; // A^2, A^4, …, A^(m−1)
    while (2 * powers.length < m - 1) powers.push(matmul(powers[powers.length - 1]!, A2));
    const odd = powers.map((P, k) => [c[2 * k + 3]!, P] as const);
    const even = powers.map((P, k) => [c[2 * k + 2]!, P] as const);
    U = matmul(A, linearCombination(n, complex, c[1]!, odd));
    V = linearCombination(n, complex, c[0]!, even);
  }
  // q_m(A) is well conditioned for ‖A‖₁ ≤ θ_m (Higham 2005 bounds κ₁(q_m(A)) by a small
  // constant), so the LU solve adds only rounding of order n·u.
  return solve(linearCombination(n, complex, 0, [[1, V], [-1, U]]), linearCombination(n, complex, 0, [[1, V], [1, U]]));
}

function normOne(A: Tensor): number {
  const n = A.shape[0]!;
  const w = A.dtype === "c128" ? 2 : 1;
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const o = w * (i * n + j);
      s += w === 1 ? Math.abs(A.data[o]!) : Math.hypot(A.data[o]!, A.data[o + 1]!);
    }
    best = Math.max(best, s);
  }
  return best;
}

/**
 * The matrix exponential e^A of a square real or complex matrix, by scaling and squaring with
 * a diagonal Padé approximant (Higham 2005, Algorithm 2.3):
 * if ‖A‖₁ ≤ θ_m for m ∈ {3, 5, 7, 9} take r_m(A); otherwise scale A by 2⁻ˢ with the smallest
 * s ≥ 0 such that ‖2⁻ˢA‖₁ ≤ θ₁₃, take r₁₃(2⁻ˢA) and square it s times. The Padé system
 * q_m·X = p_m is solved by LU with partial pivoting.
 *
 * Accuracy: the degree and scaling are chosen so that, in exact arithmetic, the result is
 * e^(A+ΔA) with ‖ΔA‖₁ ≤ u·‖A‖₁, u = 2⁻⁵³ (a backward error at the unit roundoff). Rounding in
 * the evaluation and squarings adds errors that are, in practice, of order n·u·‖A‖ in the
 * exponent, so the relative forward error is about κ_exp(A)·n·u; for normal A (κ_exp ≤ ‖A‖₂)
 * expect ~1e-15 relative error for ‖A‖ ≈ 1, growing roughly like ‖A‖ (≈ 1e-13 at ‖A‖ ≈ 100).
 * The 2009 refinement of Al-Mohy & Higham (scaling by ‖Aᵏ‖^(1/k) to avoid overscaling of
 * strongly non-normal matrices) is not implemented: for such matrices s may be larger than
 * needed, which costs some accuracy but never correctness of the bound above.
 *
 * Cost: (m+1)/2 + 1 matrix products (m ≤ 9) or 6 + s (m = 13), plus one O(n³) LU solve.
 * f32 input is computed and returned in f64.
 *
 * @param A square matrix (f64, c128 or f32).
 * @returns e^A, f64 for real input and c128 for complex input.
 * @throws {@link NonFiniteError} for non-finite input, or if e^A overflows double precision.
 * @throws {@link ShapeError} unless A is square.
 * @example
 * ```ts
 * const theta = 0.3;
 * const R = expm(tensor([[0, -theta], [theta, 0]])); // the rotation by theta
 * console.assert(Math.abs((R.get(0, 0) as number) - Math.cos(theta)) < 1e-15);
 * console.assert(Math.abs((R.get(1, 0) as number) - Math.sin(theta)) < 1e-15);
 * ```
 */
export function expm(A: Tensor): Tensor {
  assertSquare(A, "expm");
  assertDecomposable(A, "expm");
  assertFinite(A, "expm");
  const X = A.dtype === "f32" ? A.astype("f64") : A;
  const a1 = normOne(X);
  for (const [m, theta] of THETA) if (a1 <= theta) return checked(padeApproximant(X, m), a1);
  const s = Math.max(0, Math.ceil(Math.log2(a1 / THETA_13)));
  const scaled = scaleMatrix(X, 2 ** -s);
  let R = padeApproximant(scaled, 13);
  for (let k = 0; k < s; k++) R = matmul(R, R);
  return checked(R, a1);
}

function scaleMatrix(A: Tensor, factor: number): Tensor {
  const out = new Tensor(A.dtype, A.shape);
  for (let i = 0; i < A.data.length; i++) out.data[i] = A.data[i]! * factor;
  return out;
}

function checked(R: Tensor, a1: number): Tensor {
  for (let i = 0; i < R.data.length; i++) {
    const v = R.data[i]!;
    if (v - v !== 0) {
      throw new NonFiniteError(
        `expm: the exponential of this ${R.shape[0]}×${R.shape[1]} matrix (‖A‖₁ = ${a1.toExponential(3)}) overflows double precision`,
      );
    }
  }
  return R;
}
