/**
 * CP (CANDECOMP/PARAFAC) decomposition by alternating least squares: X ≈ Σ_r w_r a⁽⁰⁾_r ∘ … ∘
 * a⁽ᴺ⁻¹⁾_r. The fixed-format baseline of structure search (a CP model of rank R is the network
 * with one rank-R hyperedge, R·Σ n_k parameters).
 * @module
 */
import { ArgumentError, DTypeError, ShapeError } from "../../errors.js";
import { SingularMatrixError } from "../../linalg/decomp/lu.js";
import { svd } from "../../linalg/decomp/svd.js";
import { matmul } from "../../linalg/matmul.js";
import { distance, norm } from "../../linalg/norms.js";
import { Rng, type Seed } from "../../linalg/random.js";
import { Tensor } from "../../linalg/tensor.js";
import { unfold } from "../../linalg/unfold.js";

/** Options of {@link fitCp}. */
export interface CpOptions {
  /** Largest number of ALS iterations (sweeps over all modes); default 500. */
  maxIterations?: number;
  /** Stop when the relative error ‖X − Y‖/‖X‖ falls below this (default 1e-10). */
  targetRse?: number;
  /** Stop when an iteration improves the error by less than this fraction of it (default 1e-8). */
  tolerance?: number;
  /**
   * Starting factors: `"svd"` (default) the leading left singular vectors of each unfolding
   * (random normal columns beyond the mode size), `"random"` standard normals.
   */
  init?: "svd" | "random";
  /** Seed of the random starting columns (default 1). */
  seed?: Seed;
}

/** Why a CP fit ended. */
export type CpStop = "target" | "stalled" | "max-iterations";

/** The result of {@link fitCp}. */
export interface CpResult {
  /** The factor matrices A⁽ᵏ⁾, n_k × R, columns of unit norm (a zero column where w_r = 0). */
  factors: Tensor<"f64">[];
  /** The weights w_r ≥ 0 of the R rank-one terms. */
  weights: Float64Array;
  /** Relative error ‖X − Y‖_F/‖X‖_F at the end (computed from the full reconstruction). */
  rse: number;
  /** Relative error after each iteration (from the Gram matrices; accurate to about 1e-8). */
  history: number[];
  iterations: number;
  stop: CpStop;
  /** Parameters of the model, R·Σ n_k (the weights absorbed into a factor). */
  parameters: number;
}

// Rows of the Khatri–Rao product of the factors of `modes` (ascending, the last fastest), the
// column order of unfold(X, [n]) for the other modes: KR[(i_k…), r] = Π_k A_k[i_k, r]. Built
// in two scratch buffers (ping-pong) when given, the result in one of them.
function khatriRao(factors: readonly Float64Array[], dims: readonly number[], modes: readonly number[], R: number, scratch?: [Float64Array, Float64Array]): Float64Array {
  const total = modes.reduce((p, k) => p * dims[k]!, 1) * R;
  const bufs = scratch ?? [new Float64Array(total), new Float64Array(total)];
  let rows = 1;
  let out = bufs[0].subarray(0, R).fill(1);
  let which = 1;
  for (const k of modes) {
    const n = dims[k]!, A = factors[k]!;
    const next = bufs[which].subarray(0, rows * n * R);
    for (let a = 0; a < rows; a++) {
      const p = a * R;
      for (let b = 0; b < n; b++) {
        const o = (a * n + b) * R, q = b * R;
        for (let r = 0; r < R; r++) next[o + r] = out[p + r]! * A[q + r]!;
      }
    }
    out = next;
    which = 1 - which;
    rows *= n;
  }
  return out;
}

function gram(A: Float64Array, n: number, R: number): Float64Array {
  const G = new Float64Array(R * R);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < R; r++) {
      const x = A[i * R + r]!;
      if (x === 0) continue;
      for (let s = 0; s < R; s++) G[r * R + s] = G[r * R + s]! + x * A[i * R + s]!;
    }
  return G;
}

// A = M·V⁻¹ for V symmetric positive semidefinite (R×R) and M (n×R), by a Cholesky
// factorisation of V + δI, δ a relative 1e-12 ridge against rank-deficient V (more terms than
// the data supports), raised while the factorisation fails.
function solveRight(M: Float64Array, V: Float64Array, n: number, R: number): Float64Array {
  let trace = 0;
  for (let r = 0; r < R; r++) trace += V[r * R + r]!;
  const scale = trace / R || 1;
  for (let rel = 1e-12; rel <= 1e-2; rel *= 1e3) {
    const L = cholesky(V, R, rel * scale);
    if (L === undefined) continue;
    const A = new Float64Array(n * R);
    const y = new Float64Array(R);
    for (let i = 0; i < n; i++) {
      // L·y = m, then Lᵀ·x = y (V symmetric, so row i of A solves V·x = M[i, :]ᵀ).
      for (let r = 0; r < R; r++) {
        let v = M[i * R + r]!;
        for (let q = 0; q < r; q++) v -= L[r * R + q]! * y[q]!;
        y[r] = v / L[r * R + r]!;
      }
      for (let r = R - 1; r >= 0; r--) {
        let v = y[r]!;
        for (let q = r + 1; q < R; q++) v -= L[q * R + r]! * A[i * R + q]!;
        A[i * R + r] = v / L[r * R + r]!;
      }
    }
    return A;
  }
  throw new SingularMatrixError("fitCp: the normal equations stayed singular after regularisation", R, 0);
}

// Lower Cholesky factor of V + ridge·I (row-major), or undefined if it is not positive definite.
function cholesky(V: Float64Array, R: number, ridge: number): Float64Array | undefined {
  const L = new Float64Array(R * R);
  for (let j = 0; j < R; j++) {
    let d = V[j * R + j]! + ridge;
    for (let q = 0; q < j; q++) d -= L[j * R + q]! ** 2;
    if (!(d > 0)) return undefined;
    const l = Math.sqrt(d);
    L[j * R + j] = l;
    for (let i = j + 1; i < R; i++) {
      let v = V[i * R + j]!;
      for (let q = 0; q < j; q++) v -= L[i * R + q]! * L[j * R + q]!;
      L[i * R + j] = v / l;
    }
  }
  return L;
}

/**
 * The full tensor of a CP model: Y[i₀, …] = Σ_r w_r Π_k A⁽ᵏ⁾[i_k, r] (weights default to ones).
 *
 * @throws {@link ShapeError} if the factors are not matrices with a common number of columns or
 * the weights have another length.
 * @example
 * ```ts
 * const a = tensor([[1], [2]]), b = tensor([[3], [4], [5]]);
 * const y = cpToFull([a, b], Float64Array.of(2));
 * console.assert(y.shape.join() === "2,3" && y.get(1, 2) === 2 * 2 * 5);
 * ```
 */
export function cpToFull(factors: readonly Tensor[], weights?: ArrayLike<number>): Tensor<"f64"> {
  if (!Array.isArray(factors) || factors.length < 1) throw new ShapeError("cpToFull: need at least one factor matrix");
  const R = factors[0]!.ndim === 2 ? factors[0]!.shape[1]! : -1;
  factors.forEach((A, k) => {
    if (A.ndim !== 2 || A.shape[1] !== R || A.dtype !== "f64") {
      throw new ShapeError(`cpToFull: factor ${k} must be a real (f64) matrix with ${R} columns, got ${A.dtype} of shape [${A.shape.join(", ")}]`);
    }
  });
  if (weights !== undefined && weights.length !== R) throw new ShapeError(`cpToFull: ${weights.length} weights for ${R} rank-one terms`);
  const dims = factors.map((A) => A.shape[0]!);
  const data = factors.map((A) => A.data as Float64Array);
  const first = data[0]!.slice();
  if (weights !== undefined) for (let i = 0; i < dims[0]!; i++) for (let r = 0; r < R; r++) first[i * R + r] = first[i * R + r]! * weights[r]!;
  if (factors.length === 1) {
    const out = new Float64Array(dims[0]!);
    for (let i = 0; i < dims[0]!; i++) for (let r = 0; r < R; r++) out[i] = out[i]! + first[i * R + r]!;
    return new Tensor("f64", dims, out);
  }
  const rest = dims.map((_, k) => k).slice(1);
  const kr = khatriRao(data, dims, rest, R);
  const cols = kr.length / Math.max(R, 1);
  const y = matmul(new Tensor("f64", [dims[0]!, R], first), new Tensor("f64", [cols, R], kr), { transposeB: true });
  return y.reshape(dims) as Tensor<"f64">;
}

/**
 * Fits a CP model of the given rank to a full real tensor by alternating least squares: each
 * factor in turn is the exact least-squares solution with the others fixed, A⁽ⁿ⁾ =
 * X₍ₙ₎·KR·V⁻¹ with KR the Khatri–Rao product of the other factors and V the Hadamard product of
 * their Gram matrices (the normal equations, R×R); columns are normalised into the weights
 * after every update. Deterministic for a seed. The fit stops at `targetRse`, when an iteration
 * no longer improves the error by the fraction `tolerance`, or after `maxIterations`.
 *
 * ALS for CP can crawl through "swamps" (long stretches of slow progress) and, above the rank
 * the data supports, is not unique; the reported `rse` is always that of the returned model.
 *
 * @param target a real tensor of at least 2 modes (f32 is converted to f64).
 * @param rank the number R ≥ 1 of rank-one terms.
 * @throws {@link ArgumentError} for a rank that is not a whole number ≥ 1, bad options, a zero
 * or non-finite target; {@link ShapeError} for fewer than 2 modes; {@link DTypeError} for a
 * complex target.
 * @example
 * ```ts
 * // A planted rank-3 CP tensor is recovered to roundoff.
 * const factors = [randn([5, 3], 1), randn([6, 3], 2), randn([7, 3], 3)];
 * const x = cpToFull(factors);
 * const fit = fitCp(x, 3, { seed: 4 });
 * console.assert(fit.rse < 1e-8 && fit.parameters === 3 * (5 + 6 + 7));
 * console.assert(distance(cpToFull(fit.factors, fit.weights), x) < 1e-7 * norm(x));
 * ```
 */
export function fitCp(target: Tensor, rank: number, options: CpOptions = {}): CpResult {
  const { maxIterations = 500, targetRse = 1e-10, tolerance = 1e-8, init = "svd", seed = 1 } = options;
  for (const key of Object.keys(options)) {
    if (!["maxIterations", "targetRse", "tolerance", "init", "seed"].includes(key)) throw new ArgumentError(`fitCp: unknown option "${key}"`);
  }
  if (!(target instanceof Tensor)) throw new ArgumentError("fitCp: the target must be a Tensor");
  if (target.dtype === "c128") throw new DTypeError("fitCp: complex targets are not supported; the target must be real (f64 or f32)");
  if (target.dtype !== "f64" && target.dtype !== "f32") throw new DTypeError(`fitCp: the target must be real (f64 or f32), got ${target.dtype}`);
  if (target.ndim < 2) throw new ShapeError(`fitCp: need a tensor of at least 2 modes, got shape [${target.shape.join(", ")}]`);
  if (!Number.isSafeInteger(rank) || rank < 1) throw new ArgumentError(`fitCp: rank must be a whole number ≥ 1, got ${String(rank)}`);
  if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) throw new ArgumentError(`fitCp: maxIterations must be a whole number ≥ 1, got ${String(maxIterations)}`);
  if (typeof targetRse !== "number" || !(targetRse >= 0)) throw new ArgumentError(`fitCp: targetRse must be a number ≥ 0, got ${String(targetRse)}`);
  if (typeof tolerance !== "number" || !(tolerance >= 0)) throw new ArgumentError(`fitCp: tolerance must be a number ≥ 0, got ${String(tolerance)}`);
  if (init !== "svd" && init !== "random") throw new ArgumentError(`fitCp: init must be "svd" or "random", got ${JSON.stringify(init)}`);
  const X = target.dtype === "f64" ? (target as Tensor<"f64">) : new Tensor("f64", target.shape, Float64Array.from(target.data as Float32Array));
  for (let i = 0; i < X.data.length; i++) if (!Number.isFinite(X.data[i]!)) throw new ArgumentError(`fitCp: the target has a non-finite entry at storage index ${i}`);
  const xNorm = norm(X);
  if (xNorm === 0) throw new ArgumentError("fitCp: the target is zero");
  const N = X.ndim, R = rank, dims = X.shape.slice();
  const rng = new Rng(seed);
  const unfoldings = dims.map((_, n) => unfold(X, [n]));
  const others = dims.map((_, n) => dims.map((__, k) => k).filter((k) => k !== n));
  const factors: Float64Array[] = dims.map((n, k) => {
    const A = new Float64Array(n * R);
    const fromSvd = init === "svd" ? Math.min(R, n) : 0;
    if (fromSvd > 0) {
      const U = svd(unfoldings[k]!).U;
      const c = U.shape[1]!;
      for (let i = 0; i < n; i++) for (let r = 0; r < fromSvd; r++) A[i * R + r] = U.data[i * c + r]! as number;
    }
    for (let r = fromSvd; r < R; r++) for (let i = 0; i < n; i++) A[i * R + r] = rng.normal();
    return A;
  });
  const weights = new Float64Array(R).fill(1);
  // Unit columns, the scale moved into the weights.
  const normalise = (k: number): void => {
    const A = factors[k]!, n = dims[k]!;
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += A[i * R + r]! ** 2;
      const l = Math.sqrt(s);
      weights[r] = l;
      if (l > 0) for (let i = 0; i < n; i++) A[i * R + r] = A[i * R + r]! / l;
    }
  };
  factors.forEach((_, k) => normalise(k));
  weights.fill(1);
  const grams = factors.map((A, k) => gram(A, dims[k]!, R));
  const largest = Math.max(...others.map((o) => o.reduce((p, k) => p * dims[k]!, 1))) * R;
  const scratch: [Float64Array, Float64Array] = [new Float64Array(largest), new Float64Array(largest)];
  const history: number[] = [];
  let rse = Infinity;
  let stop: CpStop = "max-iterations";
  const full = (): number => distance(cpToFull(factors.map((A, k) => new Tensor("f64", [dims[k]!, R], A)), weights), X) / xNorm;
  for (let it = 0; it < maxIterations; it++) {
    let M: Float64Array = new Float64Array(0), V: Float64Array = new Float64Array(0);
    for (let n = 0; n < N; n++) {
      V = new Float64Array(R * R).fill(1);
      for (const k of others[n]!) {
        const G = grams[k]!;
        for (let i = 0; i < R * R; i++) V[i] = V[i]! * G[i]!;
      }
      const kr = khatriRao(factors, dims, others[n]!, R, scratch);
      M = matmul(unfoldings[n]!, new Tensor("f64", [kr.length / R, R], kr)).data as Float64Array;
      factors[n] = solveRight(M, V, dims[n]!, R);
      normalise(n);
      grams[n] = gram(factors[n]!, dims[n]!, R);
    }
    // ‖X − Y‖² = ‖X‖² − 2⟨X, Y⟩ + ‖Y‖², from the last mode's M = X₍ₙ₎·KR and the Gram matrices.
    const last = N - 1, A = factors[last]!, G = grams[last]!;
    let inner = 0, yy = 0;
    for (let i = 0; i < dims[last]!; i++) for (let r = 0; r < R; r++) inner += weights[r]! * M[i * R + r]! * A[i * R + r]!;
    for (let r = 0; r < R; r++) for (let s = 0; s < R; s++) yy += weights[r]! * weights[s]! * V[r * R + s]! * G[r * R + s]!;
    let next = Math.sqrt(Math.max(0, xNorm * xNorm - 2 * inner + yy)) / xNorm;
    // Below ~1e-5 the expansion loses digits to cancellation: measure the residual itself.
    if (next < 1e-5) next = full();
    history.push(next);
    const improved = rse - next;
    rse = next;
    if (rse <= targetRse) {
      stop = "target";
      break;
    }
    if (improved < tolerance * rse) {
      stop = "stalled";
      break;
    }
  }
  rse = full();
  return {
    factors: factors.map((A, k) => new Tensor("f64", [dims[k]!, R], A)),
    weights,
    rse,
    history,
    iterations: history.length,
    stop,
    parameters: R * dims.reduce((s, n) => s + n, 0),
  };
}
