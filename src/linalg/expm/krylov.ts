/**
 * The action of the matrix exponential, y = exp(t·A)·v, by Krylov subspace projection with
 * adaptive sub-stepping and an a-posteriori error estimate, after R. B. Sidje, "Expokit: a
 * software package for computing matrix exponentials", ACM TOMS 24(1):130–156, 1998, and
 * M. Hochbruck & C. Lubich, "On Krylov subspace approximations to the matrix exponential
 * operator", SIAM J. Numer. Anal. 34(5):1911–1925, 1997. The error estimate uses Saad's
 * augmented ("corrected") Hessenberg matrix (Y. Saad, SIAM J. Numer. Anal. 29(1), 1992).
 *
 * @module
 */
import { ArgumentError, ConvergenceError, DTypeError, NonFiniteError, ShapeError } from "../../errors.js";
import { isComplexScalar } from "../complex.js";
import type { Complex } from "../dtype.js";
import { assertFinite } from "../elementwise.js";
import { matmul } from "../matmul.js";
import { normOfWords } from "../norms.js";
import { formatShape, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { expm } from "./expm.js";

/** A linear operator acting on tensors of one fixed shape (a vector, a matrix, …). */
export type LinearOperator = (x: Tensor) => Tensor;

/** Options of {@link expmv}. Unknown keys are rejected. */
export interface ExpmvOptions {
  /**
   * The operator is Hermitian (self-adjoint in the Frobenius inner product): use the Lanczos
   * three-term recurrence (default false: Arnoldi). A Lanczos coefficient that betrays a
   * non-Hermitian operator (a departure larger than 1e-10·‖A‖) throws an ArgumentError.
   */
  hermitian?: boolean;
  /** Target error relative to the solution's norm along the path (default 1e-12, at least 2⁻⁵²). */
  tol?: number;
  /** Largest Krylov dimension per sub-step (default 30; capped by the size of v). */
  maxKrylov?: number;
  /** Largest number of accepted sub-steps before a ConvergenceError (default 1000). */
  maxSubsteps?: number;
  /**
   * An estimate of ‖A‖₂ (any reasonable norm): only sets the size of the first sub-step trial.
   * Default: √(‖A‖₁‖A‖∞) for a matrix, the Frobenius norm of the first Hessenberg matrix for an
   * operator function. The accuracy never depends on it.
   */
  normEstimate?: number;
}

/** Statistics of one {@link expmv} call. */
export interface ExpmvInfo {
  /** Accepted sub-steps. */
  substeps: number;
  /** Rejected sub-step trials (each costs one small exponential, no operator applications). */
  rejected: number;
  /** Applications of the operator. */
  matvecs: number;
  /** Krylov dimension of each accepted sub-step. */
  krylovDims: number[];
  /**
   * Estimated absolute error ‖y − exp(tA)v‖ (Frobenius norm): the sum of the accepted local
   * error estimates, each at least the rounding level ε·‖w‖·(1 + τ·‖A‖).
   */
  errorEstimate: number;
}

/** Result of {@link expmv}. */
export interface ExpmvResult {
  /** exp(t·A)·v, shaped like v. */
  y: Tensor;
  info: ExpmvInfo;
}

const EPS = 2 ** -52;
const OPTION_KEYS = new Set(["hermitian", "tol", "maxKrylov", "maxSubsteps", "normEstimate"]);
// Safety factor on the predicted step size (Expokit's γ).
const STEP_SAFETY = 0.9;
// A sub-step may grow at most this much after an accepted one.
const MAX_GROWTH = 10;
// Rejections of one sub-step before giving up: each shrinks τ by at least STEP_SAFETY, so
// this allows shrinking by many orders of magnitude.
const MAX_REJECTIONS = 60;
// h_{j+1,j} ≤ BREAKDOWN·max‖A·v_i‖ counts as an invariant subspace ("happy breakdown"): the
// residual is then at the rounding level of the operator application itself.
const BREAKDOWN = 64 * EPS;
// Relative size of Lanczos coefficients beyond the tridiagonal that proves non-Hermitian input;
// for a Hermitian operator they are rounding errors (~n·ε).
const HERMITIAN_CHECK = 1e-10;

interface Resolved {
  hermitian: boolean;
  tol: number;
  maxKrylov: number;
  maxSubsteps: number;
  normEstimate: number | undefined;
}

/** Validated problem data: the operator on working-dtype storage and the direction of t. */
interface Problem {
  apply: (x: Float64Array) => Float64Array;
  /** Words per element of the working dtype: 2 for c128, 1 for f64. */
  w: 1 | 2;
  /** Number of (real or complex) unknowns. */
  N: number;
  /** t = T·dir with T = |t| ≥ 0 and |dir| = 1. */
  T: number;
  dir: Complex;
  opts: Resolved;
}

/** An orthonormal Krylov basis and its projected (Hessenberg or tridiagonal) matrix. */
interface KrylovBasis {
  /** v_1 … v_dim, plus v_{dim+1} unless the space became invariant. */
  V: Float64Array[];
  /** Hessenberg entries H[i][j], w words each, row-major (dim+1)×dim with stride `stride`. */
  H: Float64Array;
  stride: number;
  dim: number;
  /** h_{dim+1,dim}; 0 after a happy breakdown. */
  hNext: number;
  invariant: boolean;
  /** ‖A·v_{dim+1}‖ for the corrected error estimate (0 when invariant). */
  avNorm: number;
  /** Largest ‖A·v_i‖ seen: a lower estimate of ‖A‖₂. */
  scale: number;
}

function resolveOptions(options: ExpmvOptions): Resolved {
  if (options === null || typeof options !== "object") throw new ArgumentError(`expmv: options must be an object`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new ArgumentError(`expmv: unknown option "${key}" (known: ${[...OPTION_KEYS].join(", ")})`);
  }
  const { hermitian = false, tol = 1e-12, maxKrylov = 30, maxSubsteps = 1000, normEstimate } = options;
  if (typeof hermitian !== "boolean") throw new ArgumentError(`expmv: hermitian must be a boolean, got ${String(hermitian)}`);
  if (typeof tol !== "number" || !(tol >= EPS && tol < 1)) {
    throw new ArgumentError(`expmv: tol must be a number in [2^-52, 1), got ${String(tol)}`);
  }
  for (const [name, value] of [["maxKrylov", maxKrylov], ["maxSubsteps", maxSubsteps]] as const) {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw new ArgumentError(`expmv: ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  if (normEstimate !== undefined && (typeof normEstimate !== "number" || !Number.isFinite(normEstimate) || normEstimate < 0)) {
    throw new ArgumentError(`expmv: normEstimate must be a finite non-negative number, got ${String(normEstimate)}`);
  }
  return { hermitian, tol, maxKrylov, maxSubsteps, normEstimate };
}

/** Splits t into |t| and a unit direction; a Complex t makes the computation complex. */
function splitTime(t: number | Complex): { T: number; dir: Complex; complexTime: boolean } {
  if (typeof t === "number") {
    if (!Number.isFinite(t)) throw new NonFiniteError(`expmv: t must be finite, got ${t}`);
    return { T: Math.abs(t), dir: { re: t < 0 ? -1 : 1, im: 0 }, complexTime: false };
  }
  if (!isComplexScalar(t)) throw new ArgumentError(`expmv: t must be a number or { re, im }, got ${JSON.stringify(t)}`);
  if (!Number.isFinite(t.re) || !Number.isFinite(t.im)) throw new NonFiniteError(`expmv: t = ${t.re} + ${t.im}i is not finite`);
  const T = Math.hypot(t.re, t.im);
  return { T, dir: T === 0 ? { re: 1, im: 0 } : { re: t.re / T, im: t.im / T }, complexTime: true };
}

/** Wraps a matrix or an operator function as a checked map on working-dtype storage. */
function makeApply(op: Tensor | LinearOperator, v: Tensor, complex: boolean, info: ExpmvInfo): (x: Float64Array) => Float64Array {
  const dtype = complex ? "c128" : "f64";
  const shape = v.shape;
  if (op instanceof Tensor) {
    const n = op.shape[0];
    if (op.ndim !== 2 || op.shape[1] !== n) throw new ShapeError(`expmv: the operator matrix must be square, got ${formatShape(op.shape)}`);
    if ((v.ndim !== 1 && v.ndim !== 2) || v.shape[0] !== n) {
      throw new ShapeError(`expmv: a ${n}×${n} matrix cannot act on v of shape ${formatShape(v.shape)}`);
    }
    assertFinite(op, "expmv (operator matrix)");
    const A = op.dtype === "f32" ? op.astype("f64") : op;
    return (x) => {
      info.matvecs++;
      return matmul(A, new Tensor(dtype, shape, x)).data as Float64Array;
    };
  }
  if (typeof op !== "function") throw new ArgumentError(`expmv: op must be a square matrix Tensor or a function (x: Tensor) => Tensor`);
  let calls = 0;
  return (x) => {
    info.matvecs++;
    calls++;
    // A copy, so that an operator that scribbles on its argument cannot corrupt the basis.
    const r: unknown = op(new Tensor(dtype, shape, x.slice()));
    return checkedOutput(r, shape, dtype, calls);
  };
}

function checkedOutput(r: unknown, shape: readonly number[], dtype: "f64" | "c128", call: number): Float64Array {
  if (!(r instanceof Tensor)) throw new ArgumentError(`expmv: the operator returned ${Object.prototype.toString.call(r)}, not a Tensor`);
  if (!shapesEqual(r.shape, shape)) {
    throw new ShapeError(`expmv: the operator returned shape ${formatShape(r.shape)} for an input of shape ${formatShape(shape)}`);
  }
  if (r.dtype !== dtype) {
    const hint = dtype === "f64" ? " (for a complex operator pass a c128 v, or a complex t)" : "";
    throw new DTypeError(`expmv: the operator returned a ${r.dtype} tensor for a ${dtype} input${hint}`);
  }
  for (let i = 0; i < r.data.length; i++) {
    const x = r.data[i]!;
    if (x - x !== 0) throw new NonFiniteError(`expmv: the operator returned a non-finite value (${x}) on application ${call}`);
  }
  return r.data as Float64Array;
}

/** ⟨x, y⟩ = Σ conj(x_i)·y_i over interleaved or real storage. */
function dot(x: Float64Array, y: Float64Array, w: 1 | 2): Complex {
  let re = 0, im = 0;
  if (w === 1) for (let i = 0; i < x.length; i++) re += x[i]! * y[i]!;
  else
    for (let i = 0; i < x.length; i += 2) {
      const xr = x[i]!, xi = x[i + 1]!, yr = y[i]!, yi = y[i + 1]!;
      re += xr * yr + xi * yi;
      im += xr * yi - xi * yr;
    }
  return { re, im };
}

/** y −= c·x */
function subtractScaled(y: Float64Array, c: Complex, x: Float64Array, w: 1 | 2): void {
  if (w === 1) for (let i = 0; i < y.length; i++) y[i] = y[i]! - c.re * x[i]!;
  else
    for (let i = 0; i < y.length; i += 2) {
      const xr = x[i]!, xi = x[i + 1]!;
      y[i] = y[i]! - (c.re * xr - c.im * xi);
      y[i + 1] = y[i + 1]! - (c.re * xi + c.im * xr);
    }
}

function addToH(b: KrylovBasis, i: number, j: number, c: Complex, w: 1 | 2): void {
  const o = w * (i * b.stride + j);
  b.H[o] = b.H[o]! + c.re;
  if (w === 2) b.H[o + 1] = b.H[o + 1]! + c.im;
}

/**
 * Arnoldi step j: p = A·v_j orthogonalised by modified Gram–Schmidt against v_0…v_j, then a
 * second full pass (Kahan–Parlett's "twice is enough"), which keeps the basis orthonormal
 * to working precision even when p is nearly in the span.
 */
function arnoldiStep(prob: Problem, b: KrylovBasis, j: number, p: Float64Array): void {
  for (let pass = 0; pass < 2; pass++)
    for (let i = 0; i <= j; i++) {
      const c = dot(b.V[i]!, p, prob.w);
      subtractScaled(p, c, b.V[i]!, prob.w);
      addToH(b, i, j, c, prob.w);
    }
}

/**
 * Lanczos step j for a Hermitian operator: the three-term recurrence p = A·v_j − β_{j−1}v_{j−1}
 * − α_j·v_j, followed by one full reorthogonalisation pass against the whole (small) basis, so
 * that the basis stays orthonormal (no spurious Ritz copies). The pass's coefficients must be
 * rounding errors for a Hermitian operator; larger ones reject the `hermitian` claim. H is
 * stored exactly tridiagonal and real, so exp(−iτH) stays unitary.
 */
function lanczosStep(prob: Problem, b: KrylovBasis, j: number, p: Float64Array, pNorm: number): void {
  const { w } = prob;
  if (j > 0) subtractScaled(p, { re: b.H[w * (j * b.stride + j - 1)]!, im: 0 }, b.V[j - 1]!, w);
  const alpha = dot(b.V[j]!, p, w);
  subtractScaled(p, alpha, b.V[j]!, w);
  const limit = HERMITIAN_CHECK * Math.max(pNorm, b.scale);
  if (Math.abs(alpha.im) > limit) notHermitian(`⟨v, A·v⟩ has imaginary part ${alpha.im.toExponential(2)}`);
  for (let i = 0; i <= j; i++) {
    const c = dot(b.V[i]!, p, w);
    subtractScaled(p, c, b.V[i]!, w);
    if (i === j) alpha.re += c.re;
    else if (Math.hypot(c.re, c.im) > limit) notHermitian(`coefficient ${Math.hypot(c.re, c.im).toExponential(2)} outside the tridiagonal`);
  }
  addToH(b, j, j, { re: alpha.re, im: 0 }, w);
}

function notHermitian(detail: string): never {
  throw new ArgumentError(`expmv: hermitian: true, but the operator is not Hermitian (${detail})`);
}

/** Builds the Krylov basis of dimension ≤ m from w/β, stopping early at an invariant subspace. */
function buildBasis(prob: Problem, start: Float64Array, beta: number, scale0: number): KrylovBasis {
  const m = Math.min(prob.opts.maxKrylov, prob.N);
  const { w } = prob;
  const v0 = new Float64Array(start.length);
  for (let i = 0; i < start.length; i++) v0[i] = start[i]! / beta;
  const b: KrylovBasis = { V: [v0], H: new Float64Array(w * (m + 1) * m), stride: m, dim: 0, hNext: 0, invariant: false, avNorm: 0, scale: scale0 };
  for (let j = 0; j < m; j++) {
    const p = prob.apply(b.V[j]!).slice();
    const pNorm = normOfWords(p);
    b.scale = Math.max(b.scale, pNorm);
    if (prob.opts.hermitian) lanczosStep(prob, b, j, p, pNorm);
    else arnoldiStep(prob, b, j, p);
    const h = normOfWords(p);
    b.dim = j + 1;
    // Once dim = N the basis spans the whole space and what is left of p is rounding.
    if (h <= BREAKDOWN * b.scale || j + 1 === prob.N) {
      b.invariant = true;
      return b;
    }
    for (let i = 0; i < p.length; i++) p[i] = p[i]! / h;
    b.V.push(p);
    b.hNext = h;
    b.H[w * ((j + 1) * b.stride + j)] = h;
    if (prob.opts.hermitian && j + 1 < m) b.H[w * (j * b.stride + j + 1)] = h;
  }
  b.avNorm = normOfWords(prob.apply(b.V[m]!));
  return b;
}

/**
 * exp(τ·dir·H̄)·e₁ for the projected matrix. Unless the space is invariant, H̄ is Saad's
 * augmented (m+2)×(m+2) matrix [[H_m, 0, 0], [h·e_mᵀ, 0, 0], [0, 1, 0]]: entry m of the result
 * is the correction coefficient of v_{m+1} (h·τ·e_mᵀφ₁(τH)e₁) and entry m+1 is h·τ²·e_mᵀφ₂(τH)e₁,
 * which drive the error estimate.
 */
function projectedExponential(prob: Problem, b: KrylovBasis, tau: number): Float64Array {
  const { w } = prob;
  const k = b.invariant ? b.dim : b.dim + 2;
  const M = new Tensor(w === 2 ? "c128" : "f64", [k, k]);
  const sr = tau * prob.dir.re, si = tau * prob.dir.im;
  const put = (i: number, j: number, hr: number, hi: number): void => {
    M.data[w * (i * k + j)] = sr * hr - si * hi;
    if (w === 2) M.data[w * (i * k + j) + 1] = sr * hi + si * hr;
  };
  // Rows 0…dim−1 are the Hessenberg matrix; row dim holds only h_{dim+1,dim} (augmented case).
  const rows = b.invariant ? b.dim : b.dim + 1;
  for (let i = 0; i < rows; i++)
    for (let j = Math.max(0, i - 1); j < b.dim; j++) {
      const o = w * (i * b.stride + j);
      put(i, j, b.H[o]!, w === 2 ? b.H[o + 1]! : 0);
    }
  if (!b.invariant) put(b.dim + 1, b.dim, 1, 0);
  const F = expm(M);
  const col = new Float64Array(w * k);
  for (let i = 0; i < k; i++) for (let q = 0; q < w; q++) col[w * i + q] = F.data[w * (i * k) + q]!;
  return col;
}

/** Local error estimate and the exponent of its τ-dependence (Sidje 1998). */
function localError(prob: Problem, b: KrylovBasis, col: Float64Array, beta: number): { err: number; order: number } {
  if (b.invariant) return { err: 0, order: b.dim };
  const { w } = prob;
  const m = b.dim;
  const phi1 = beta * Math.hypot(col[w * m]!, w === 2 ? col[w * m + 1]! : 0);
  const phi2 = beta * Math.hypot(col[w * (m + 1)]!, w === 2 ? col[w * (m + 1) + 1]! : 0) * b.avNorm;
  // phi1 ∝ τ^m is the size of the correction already added, phi2 ∝ τ^(m+1) that of the next
  // term: when they decrease fast, phi2 is the error of the corrected approximation.
  if (phi1 > 10 * phi2) return { err: phi2, order: m + 1 };
  if (phi1 > phi2) return { err: (phi1 * phi2) / (phi1 - phi2), order: m + 1 };
  return { err: phi1, order: m };
}

/** The new iterate β·Σ_i col_i·v_i (including the corrected v_{m+1} term). */
function combineBasis(prob: Problem, b: KrylovBasis, col: Float64Array, beta: number): Float64Array {
  const { w } = prob;
  const out = new Float64Array(w * prob.N);
  const terms = b.invariant ? b.dim : b.dim + 1;
  for (let i = 0; i < terms; i++) {
    const c = { re: -beta * col[w * i]!, im: w === 2 ? -beta * col[w * i + 1]! : 0 };
    subtractScaled(out, c, b.V[i]!, w);
  }
  return out;
}

/** A-priori first trial step from ‖error‖ ≲ 2β(τρ)^m/m! (Saad 1992; Hochbruck & Lubich 1997). */
function firstStep(prob: Problem, rho: number, m: number): number {
  if (!(rho > 0)) return prob.T;
  let logFactorial = 0;
  for (let k = 2; k <= m; k++) logFactorial += Math.log(k);
  return Math.exp((Math.log(prob.opts.tol / 2) + logFactorial) / m) / rho;
}

function matrixNormEstimate(A: Tensor): number {
  const n = A.shape[0]!;
  const w = A.dtype === "c128" ? 2 : 1;
  const rows = new Float64Array(n), cols = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const o = w * (i * n + j);
      const a = w === 1 ? Math.abs(A.data[o]!) : Math.hypot(A.data[o]!, A.data[o + 1]!);
      rows[i] = rows[i]! + a;
      cols[j] = cols[j]! + a;
    }
  return Math.sqrt(rows.reduce((m, x) => Math.max(m, x), 0) * cols.reduce((m, x) => Math.max(m, x), 0));
}

function frobeniusOfH(b: KrylovBasis): number {
  return Math.hypot(normOfWords(b.H), b.hNext);
}

/**
 * Computes y = exp(t·A)·v without forming exp(t·A): Krylov projection onto
 * span{v, Av, …, A^(m−1)v} with adaptive sub-steps τ₁ + τ₂ + … = |t| along the ray of t.
 *
 * Algorithm (Sidje 1998 / Hochbruck–Lubich 1997): at the current iterate w (norm β) build an
 * orthonormal basis V by Arnoldi (modified Gram–Schmidt with one full reorthogonalisation pass)
 * or, with `hermitian: true`, by Lanczos with full reorthogonalisation against the small
 * basis; take exp(τ·dir·H̄)·e₁ of Saad's augmented projected matrix with {@link expm}; estimate
 * the local error from h_{m+1,m}·|e_mᵀ φ_k(τH)e₁|·β (the corrected scheme, whose result adds
 * the v_{m+1} term); accept the sub-step when the estimate is at most tol·β·τ/|t|, otherwise
 * shrink τ (no new operator applications). The next τ is predicted from the error's τ^(m+1)
 * behaviour with safety factor 0.9. An invariant Krylov subspace (h_{j+1,j} ≤ 64ε·max_i‖A·v_i‖,
 * "happy breakdown") ends the basis early: the projection is then exact and the remaining time is
 * covered in one sub-step.
 *
 * Accuracy: the sum of accepted local error estimates is at most tol·max_k‖w_k‖ (the largest
 * norm of the solution along the path; ‖v‖ for norm-conserving problems). The estimate
 * (`info.errorEstimate`) sums local errors without their propagation, so for a growing
 * solution the true error can exceed it by about the growth factor (measured: at most 2× on
 * the test problems, while always staying below the tolerance). Rounding adds errors of order
 * ε·|t|·‖A‖·‖v‖, which no method avoids.
 *
 * Dtypes: the computation is complex when v or the matrix is c128 or t is a Complex (even with
 * zero imaginary part), real otherwise (f32 is promoted to f64). An operator function receives
 * tensors of v's shape in that dtype and must return the same shape and dtype; a real v with a
 * complex operator therefore needs `v.astype("c128")`.
 *
 * @param op a square n×n matrix (v of shape [n] or [n, k]) or a linear operator function
 *   acting on tensors of v's shape (inner product Σ conj(x)·y over all elements).
 * @param v the starting tensor.
 * @param t the time: a real number or `{ re, im }` (Schrödinger: t = −i·h).
 * @param options see {@link ExpmvOptions}.
 * @returns y = exp(t·A)·v and the step statistics.
 * @throws {@link NonFiniteError} for non-finite v, t, matrix or operator output.
 * @throws {@link ShapeError} / {@link DTypeError} when the operator's result or the matrix size does not fit v.
 * @throws {@link ArgumentError} for unknown or invalid options, or a non-Hermitian operator with `hermitian: true`.
 * @throws {@link ConvergenceError} when maxSubsteps sub-steps do not reach |t|, or a sub-step is rejected too often.
 * @example
 * ```ts
 * const H = tensor([[2, 1], [1, 2]]); // Hermitian
 * const v = tensor([{ re: 1, im: 0 }, { re: 0, im: 0 }]);
 * const { y } = expmv(H, v, { re: 0, im: -0.7 }, { hermitian: true });
 * console.assert(Math.abs(norm(y) - 1) < 1e-12); // unitary evolution keeps the norm
 * console.assert(distance(y, matmul(expm(scale(H, { re: 0, im: -0.7 })), v)) < 1e-12);
 * ```
 */
export function expmv(op: Tensor | LinearOperator, v: Tensor, t: number | Complex, options: ExpmvOptions = {}): ExpmvResult {
  const opts = resolveOptions(options);
  if (!(v instanceof Tensor)) throw new ArgumentError(`expmv: v must be a Tensor`);
  assertFinite(v, "expmv (v)");
  const { T, dir, complexTime } = splitTime(t);
  const complex = complexTime || v.dtype === "c128" || (op instanceof Tensor && op.dtype === "c128");
  const start = (complex ? v.astype("c128") : v.astype("f64")).data;
  const info: ExpmvInfo = { substeps: 0, rejected: 0, matvecs: 0, krylovDims: [], errorEstimate: 0 };
  const prob: Problem = {
    apply: makeApply(op, v, complex, info),
    w: complex ? 2 : 1, N: v.size, T, dir, opts,
  };
  const rho = opts.normEstimate ?? (op instanceof Tensor ? matrixNormEstimate(op) : undefined);
  const y = integrate(prob, start, rho, info);
  return { y: new Tensor(complex ? "c128" : "f64", v.shape, y), info };
}

/** The sub-stepping loop: advances w from 0 to |t| along the ray of t. */
function integrate(prob: Problem, start: Float64Array, rho: number | undefined, info: ExpmvInfo): Float64Array {
  let w = start;
  let beta = normOfWords(w);
  let tNow = 0;
  let tau = NaN;
  // Largest ‖A·v‖ seen so far (not the user's estimate, which may be loose): the scale of the
  // breakdown test.
  let scale = 0;
  while (tNow < prob.T && beta > 0) {
    if (info.substeps >= prob.opts.maxSubsteps) {
      throw new ConvergenceError(
        `expmv: reached ${tNow.toPrecision(6)} of |t| = ${prob.T} after ${info.substeps} sub-steps (maxSubsteps); ` +
          `${info.rejected} trials rejected, last step ${tau.toExponential(2)}, tol ${prob.opts.tol}`,
      );
    }
    const b = buildBasis(prob, w, beta, scale);
    scale = b.scale;
    if (Number.isNaN(tau)) tau = firstStep(prob, rho ?? frobeniusOfH(b), b.dim);
    const remaining = prob.T - tNow;
    tau = b.invariant ? remaining : Math.min(tau, remaining);
    const { col, err, order } = acceptableStep(prob, b, beta, tau, info);
    tau = col.tau;
    w = combineBasis(prob, b, col.values, beta);
    tNow = tau === remaining ? prob.T : tNow + tau;
    info.substeps++;
    info.krylovDims.push(b.dim);
    info.errorEstimate += Math.max(err, EPS * beta * (1 + tau * b.scale));
    const target = (prob.opts.tol * beta * tau) / prob.T;
    beta = normOfWords(w);
    const growth = err === 0 ? MAX_GROWTH : STEP_SAFETY * (target / err) ** (1 / Math.max(1, order - 1));
    tau *= Math.min(MAX_GROWTH, Math.max(STEP_SAFETY, growth));
  }
  return w;
}

/** Tries τ, shrinking it until the local error estimate meets tol·β·τ/|t|. */
function acceptableStep(
  prob: Problem, b: KrylovBasis, beta: number, tau0: number, info: ExpmvInfo,
): { col: { values: Float64Array; tau: number }; err: number; order: number } {
  let tau = tau0;
  for (let attempt = 0; ; attempt++) {
    const values = projectedExponential(prob, b, tau);
    const { err, order } = localError(prob, b, values, beta);
    const target = (prob.opts.tol * beta * tau) / prob.T;
    if (err <= target) return { col: { values, tau }, err, order };
    if (attempt === MAX_REJECTIONS || tau <= EPS * prob.T) {
      throw new ConvergenceError(
        `expmv: sub-step rejected ${attempt + 1} times (τ = ${tau.toExponential(2)}, error estimate ${err.toExponential(2)} > ` +
          `target ${target.toExponential(2)}, Krylov dimension ${b.dim}); tol ${prob.opts.tol} cannot be met`,
      );
    }
    info.rejected++;
    tau *= Math.min(STEP_SAFETY, STEP_SAFETY * (target / err) ** (1 / Math.max(1, order - 1)));
  }
}
