/**
 * Right-hand sides F(t, Y) of matrix DLRA problems Ẏ = F(t, Y), and their reduction to the
 * small K-, L- and S-step problems of the integrators (dlra notes §1a–1d):
 *   K′ = F(t, K·V0ᴴ)·V0,   L′ = F(t, U0·Lᴴ)ᴴ·U0,   S′ = ±U1ᴴ·F(t, U1·S·V1ᴴ)·V1.
 *
 * @module
 */
import { ArgumentError, NonFiniteError, ShapeError } from "../../errors.js";
import type { Complex } from "../../linalg/dtype.js";
import { scale as scaleTensor } from "../../linalg/elementwise.js";
import { matmul } from "../../linalg/matmul.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";
import { solveSubstep, type SubstepOptions } from "../solvers/substep.js";
import type { SubstepStats } from "../types.js";
import { compileData } from "./rhs-data.js";
import { compileLinear, type LinearTerm } from "./rhs-linear.js";
import type { LowRankMatrix } from "./state.js";

export type { LinearTerm, OperatorFactor } from "./rhs-linear.js";

/** F given as a function of the dense m×n matrix Y (any, possibly nonlinear and time-dependent). */
export interface CallbackRhs {
  kind: "callback";
  f: (t: number, Y: Tensor) => Tensor;
}

/**
 * A time-independent linear F(Y) = scale·Σ_k c_k·A_k·Y·B_kᵀ, applied in factored form
 * (no dense m×n products). `hermitian`: the sum L(Y) = Σ c_k A_k Y B_kᵀ is self-adjoint in
 * the Frobenius inner product (e.g. H(Y) = ½(DY + YDᴴ) + VYVᴴ), so every reduced problem is
 * Hermitian too and Lanczos applies; Schrödinger is then `scale: { re: 0, im: -1 }`.
 */
export interface LinearRhs {
  kind: "linear";
  terms: LinearTerm[];
  /** Default 1. */
  scale?: number | Complex;
  hermitian?: boolean;
}

/**
 * Data increments: F = Ȧ for a given A(t) (dlra notes §3.1). F does not depend on Y, so every
 * sub-step is exact: K1 = K0 + ΔA·V0, L1 = L0 + ΔAᴴ·U0, S1 = S0 ± U1ᴴ·ΔA·V1 with
 * ΔA = A(t1) − A(t0). Where a pointwise F(t, Y) is needed (parallel BUG's η, midpoint BUG's
 * augmentation) `dA(t)` is used when given, else the difference quotient ΔA/h over the step.
 */
export interface DataRhs {
  kind: "data";
  A: (t: number) => Tensor;
  dA?: (t: number) => Tensor;
}

/** The right-hand side of a matrix DLRA problem. */
export type MatrixRhs = CallbackRhs | LinearRhs | DataRhs;

/** A solved sub-problem. */
export interface SubResult {
  y: Tensor;
  stats: SubstepStats;
}

/** F(t, Y) at one point, applied to thin matrices. */
export interface PointEval {
  /** F·W (m×k). */
  times(W: Tensor): Tensor;
  /** Fᴴ·W (n×k). */
  adjointTimes(W: Tensor): Tensor;
  /** Xᴴ·F·W. */
  project(X: Tensor, W: Tensor): Tensor;
  /** Evaluations of the user's function this cost. */
  evaluations: number;
}

/** A right-hand side bound to the sizes m×n and the sub-step options. */
export interface CompiledRhs {
  m: number;
  n: number;
  /** K′ = F(t, K·Vᴴ)·V from K0 on [t0, t1]. */
  kStep(t0: number, t1: number, K0: Tensor, V: Tensor): SubResult;
  /** L′ = F(t, U·Lᴴ)ᴴ·U from L0. */
  lStep(t0: number, t1: number, L0: Tensor, U: Tensor): SubResult;
  /** S′ = sign·Uᴴ·F(t, U·S·Vᴴ)·V from S0 (sign −1: the backward S-step of KSL). */
  sStep(t0: number, t1: number, S0: Tensor, U: Tensor, V: Tensor, sign: 1 | -1): SubResult;
  /** F(t, Y) for the pointwise uses; data problems use the step [t0, t1] for ΔA/h. */
  at(t: number, Y: LowRankMatrix, interval: readonly [number, number]): PointEval;
}

/**
 * Binds a right-hand side to the problem size, validating it.
 * @throws {@link ArgumentError} for an unknown kind or malformed terms; {@link ShapeError} for factors of the wrong size.
 */
export function compileRhs(rhs: MatrixRhs, m: number, n: number, substep: SubstepOptions = {}): CompiledRhs {
  if (rhs === null || typeof rhs !== "object") throw new ArgumentError(`matrix rhs: expected { kind: "callback" | "linear" | "data", … }`);
  switch (rhs.kind) {
    case "callback":
      if (typeof rhs.f !== "function") throw new ArgumentError(`matrix rhs: a callback rhs needs f: (t, Y) => Tensor`);
      return compileCallback(checkedMatrixFunction(rhs.f, m, n, "callback f(t, Y)"), m, n, substep);
    case "linear":
      return compileLinear(rhs, m, n, substep);
    case "data":
      return compileData(rhs, m, n);
    default:
      throw new ArgumentError(`matrix rhs: unknown kind ${JSON.stringify((rhs as { kind: unknown }).kind)}; expected "callback", "linear" or "data"`);
  }
}

/** Wraps a user function returning m×n matrices with checks that name the culprit. */
export function checkedMatrixFunction<A extends unknown[]>(f: (t: number, ...args: A) => Tensor, m: number, n: number, what: string): (t: number, ...args: A) => Tensor {
  return (t, ...args) => {
    const r: unknown = f(t, ...args);
    if (!(r instanceof Tensor)) throw new ArgumentError(`matrix rhs: ${what} returned ${Object.prototype.toString.call(r)}, not a Tensor (t = ${t})`);
    if (r.ndim !== 2 || r.shape[0] !== m || r.shape[1] !== n) {
      throw new ShapeError(`matrix rhs: ${what} returned shape ${formatShape(r.shape)}, expected [${m}, ${n}] (t = ${t})`);
    }
    const d = r.data;
    for (let i = 0; i < d.length; i++) {
      const x = d[i]!;
      if (x - x !== 0) throw new NonFiniteError(`matrix rhs: ${what} returned a non-finite value (${x}) at t = ${t}`);
    }
    return r.dtype === "f32" ? r.astype("f64") : r;
  };
}

function compileCallback(f: (t: number, Y: Tensor) => Tensor, m: number, n: number, substep: SubstepOptions): CompiledRhs {
  const dense = (U: Tensor, S: Tensor, V: Tensor): Tensor => matmul(matmul(U, S), V, { adjointB: true });
  return {
    m, n,
    kStep: (t0, t1, K0, V) => solveSubstep({ y0: K0, t0, t1, f: (t, K) => matmul(f(t, matmul(K, V, { adjointB: true })), V) }, substep),
    lStep: (t0, t1, L0, U) => solveSubstep({ y0: L0, t0, t1, f: (t, L) => matmul(f(t, matmul(U, L, { adjointB: true })), U, { adjointA: true }) }, substep),
    sStep: (t0, t1, S0, U, V, sign) =>
      solveSubstep({
        y0: S0, t0, t1,
        f: (t, S) => {
          const r = matmul(matmul(U, f(t, dense(U, S, V)), { adjointA: true }), V);
          return sign === 1 ? r : scaleTensor(r, -1);
        },
      }, substep),
    at: (t, Y) => densePointEval(f(t, dense(Y.U, Y.S, Y.V)), 1),
  };
}

/** Pointwise products with the dense F = c·G (the small results are scaled, not G). */
export function densePointEval(G: Tensor, evaluations: number, c = 1): PointEval {
  const sc = (X: Tensor): Tensor => (c === 1 ? X : scaleTensor(X, c));
  return {
    times: (W) => sc(matmul(G, W)),
    adjointTimes: (W) => sc(matmul(G, W, { adjointA: true })),
    project: (X, W) => sc(matmul(X, matmul(G, W), { adjointA: true })),
    evaluations,
  };
}
