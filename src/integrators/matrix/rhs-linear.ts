/**
 * The linear right-hand side F(Y) = s·Σ_k c_k·A_k·Y·B_kᵀ in factored form. With Y = U·S·Vᴴ
 * and orthonormal U, V the reduced maps are (derivation in docs/integrators.md):
 *   K-step  K ↦ s·Σ c_k·A_k·K·(V0ᴴB_kᵀV0)
 *   L-step  L ↦ s̄·Σ c̄_k·B̄_k·L·(U0ᴴA_kU0)ᴴ
 *   S-step  S ↦ ±s·Σ c_k·(U1ᴴA_kU1)·S·(V1ᴴB_kᵀV1)
 * Each is the compression of the full operator by an isometry (K ↦ K·V0ᴴ, L ↦ U0·Lᴴ,
 * S ↦ U1·S·V1ᴴ), so it is Hermitian whenever the full one is. A factor enters only through
 * X ↦ A·X, so matrix-free factors (tridiagonal, diagonal, FFT) work: Vᴴ·Bᵀ·W is formed as
 * (Wᵀ·B·V̄)ᵀ and B̄·X as conj(B·X̄).
 *
 * @module
 */
import { ArgumentError, NonFiniteError, ShapeError } from "../../errors.js";
import { isComplexScalar } from "../../linalg/complex.js";
import type { Complex } from "../../linalg/dtype.js";
import { add, conj, scale as scaleTensor } from "../../linalg/elementwise.js";
import { matmul } from "../../linalg/matmul.js";
import { transpose } from "../../linalg/permute.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";
import { solveSubstep, type SubstepOptions } from "../solvers/substep.js";
import type { CompiledRhs, LinearRhs, PointEval } from "./rhs.js";
import type { LowRankMatrix } from "./state.js";

/** A factor of a linear term: a square matrix, or the map X ↦ A·X (X with any number of columns). */
export type OperatorFactor = Tensor | ((X: Tensor) => Tensor);

/** One term c·A·Y·Bᵀ of a linear right-hand side; an omitted factor is the identity. */
export interface LinearTerm {
  /** Default 1. */
  coeff?: number | Complex;
  /** m×m. */
  A?: OperatorFactor;
  /** n×n (note: Y·Bᵀ, so Y·Vᴴ-type products use B = conj(V)). */
  B?: OperatorFactor;
}

interface Factor {
  apply: (X: Tensor) => Tensor;
  /** A c128 matrix (a function factor reveals its dtype only when applied). */
  complex: boolean;
  /** X ↦ conj(M)·X. */
  conjApply: (X: Tensor) => Tensor;
}

interface Term {
  c: number | Complex;
  a: Factor | null;
  b: Factor | null;
}

const isOne = (c: number | Complex): boolean => c === 1;
const cconj = (c: number | Complex): number | Complex => (typeof c === "number" ? c : { re: c.re, im: -c.im });
const times = (X: Tensor, c: number | Complex): Tensor => (isOne(c) ? X : scaleTensor(X, c));

function scalar(c: unknown, what: string): number | Complex {
  if (c === undefined) return 1;
  if (typeof c === "number") {
    if (!Number.isFinite(c)) throw new NonFiniteError(`matrix rhs: ${what} must be finite, got ${c}`);
    return c;
  }
  if (!isComplexScalar(c)) throw new ArgumentError(`matrix rhs: ${what} must be a number or { re, im }, got ${JSON.stringify(c)}`);
  if (!Number.isFinite(c.re) || !Number.isFinite(c.im)) throw new NonFiniteError(`matrix rhs: ${what} is not finite`);
  return c.im === 0 ? c.re : c;
}

function factor(F: OperatorFactor | undefined, size: number, what: string): Factor | null {
  if (F === undefined || F === null) return null;
  if (F instanceof Tensor) {
    if (F.ndim !== 2 || F.shape[0] !== size || F.shape[1] !== size) throw new ShapeError(`matrix rhs: ${what} must be ${size}×${size}, got ${formatShape(F.shape)}`);
    for (let i = 0; i < F.data.length; i++) if (F.data[i]! - F.data[i]! !== 0) throw new NonFiniteError(`matrix rhs: ${what} has a non-finite entry`);
    const M = F.dtype === "f32" ? F.astype("f64") : F;
    const Mc = M.dtype === "c128" ? conj(M) : M;
    return { apply: (X) => matmul(M, X), conjApply: (X) => matmul(Mc, X), complex: M.dtype === "c128" };
  }
  if (typeof F !== "function") throw new ArgumentError(`matrix rhs: ${what} must be a ${size}×${size} Tensor or a function X => A·X`);
  const apply = (X: Tensor): Tensor => {
    const r: unknown = F(X);
    if (!(r instanceof Tensor) || r.ndim !== 2 || r.shape[0] !== size || r.shape[1] !== X.shape[1]) {
      throw new ShapeError(`matrix rhs: ${what} returned ${r instanceof Tensor ? formatShape(r.shape) : String(r)} for X of shape ${formatShape(X.shape)}`);
    }
    return r;
  };
  return { apply, conjApply: (X) => conj(apply(conj(X))), complex: false };
}

// Terms are validated non-empty, so a sum always has a first part.
function sum(parts: Tensor[]): Tensor {
  return parts.reduce((acc, p) => add(acc, p));
}

/** The r×r matrix Vᴴ·Bᵀ·W for a factor b (identity: Vᴴ·W). */
function rightCompression(b: Factor | null, V: Tensor, W: Tensor): Tensor {
  if (b === null) return matmul(V, W, { adjointA: true });
  return transpose(matmul(W, b.apply(conj(V)), { transposeA: true }));
}

/** Validates a linear rhs and binds its reduced maps. */
export function compileLinear(rhs: LinearRhs, m: number, n: number, substep: SubstepOptions): CompiledRhs {
  if (!Array.isArray(rhs.terms) || rhs.terms.length === 0) throw new ArgumentError(`matrix rhs: a linear rhs needs a non-empty terms array`);
  if (rhs.hermitian !== undefined && typeof rhs.hermitian !== "boolean") throw new ArgumentError(`matrix rhs: hermitian must be a boolean`);
  const s = scalar(rhs.scale, "scale");
  const hermitian = rhs.hermitian ?? false;
  const terms: Term[] = rhs.terms.map((t, k) => {
    if (t === null || typeof t !== "object") throw new ArgumentError(`matrix rhs: term ${k} must be { coeff?, A?, B? }`);
    // A misspelt factor (say `left: A`) would otherwise be read as the identity, silently.
    const unknown = Object.keys(t).filter((key) => !["coeff", "A", "B"].includes(key));
    if (unknown.length > 0) throw new ArgumentError(`matrix rhs: term ${k} has unknown field ${unknown.join(", ")}; a term is { coeff?, A?, B? }`);
    return { c: scalar(t.coeff, `terms[${k}].coeff`), a: factor(t.A, m, `terms[${k}].A`), b: factor(t.B, n, `terms[${k}].B`) };
  });
  // A known-complex operator starts its sub-problems in c128 (saves solveSubstep's restart).
  const complexOp = typeof s !== "number" || terms.some((t) => typeof t.c !== "number" || t.a?.complex === true || t.b?.complex === true);
  const promote = (y: Tensor): Tensor => (complexOp && y.dtype !== "c128" ? y.astype("c128") : y);
  const solve = (y0: Tensor, t0: number, t1: number, apply: (y: Tensor) => Tensor, sc: number | Complex) =>
    solveSubstep({ y0: promote(y0), t0, t1, linear: { apply, scale: sc, hermitian } }, substep);

  return {
    m, n,
    kStep(t0, t1, K0, V) {
      const Bt = terms.map((t) => (t.b === null ? null : rightCompression(t.b, V, V)));
      const apply = (K: Tensor) => sum(terms.map((t, k) => {
        let X = t.a === null ? K : t.a.apply(K);
        if (Bt[k] !== null) X = matmul(X, Bt[k]!);
        return times(X, t.c);
      }));
      return solve(K0, t0, t1, apply, s);
    },
    lStep(t0, t1, L0, U) {
      const Ah = terms.map((t) => (t.a === null ? null : matmul(t.a.apply(U), U, { adjointA: true })));
      const apply = (L: Tensor) => sum(terms.map((t, k) => {
        let X = t.b === null ? L : t.b.conjApply(L);
        if (Ah[k] !== null) X = matmul(X, Ah[k]!);
        return times(X, cconj(t.c));
      }));
      return solve(L0, t0, t1, apply, cconj(s));
    },
    sStep(t0, t1, S0, U, V, sign) {
      const Ahat = terms.map((t) => (t.a === null ? null : matmul(U, t.a.apply(U), { adjointA: true })));
      const Bhat = terms.map((t) => (t.b === null ? null : rightCompression(t.b, V, V)));
      const apply = (S: Tensor) => sum(terms.map((t, k) => {
        let X = Ahat[k] === null ? S : matmul(Ahat[k]!, S);
        if (Bhat[k] !== null) X = matmul(X, Bhat[k]!);
        return times(X, t.c);
      }));
      return solve(S0, t0, t1, apply, sign === 1 ? s : typeof s === "number" ? -s : { re: -s.re, im: -s.im });
    },
    at: (_t, Y) => linearPointEval(terms, s, Y),
  };
}

/** F(Y) = s·Σ c·A·U·S·Vᴴ·Bᵀ applied to thin matrices, without forming it. */
function linearPointEval(terms: Term[], s: number | Complex, Y: LowRankMatrix): PointEval {
  const { U, S, V } = Y;
  const aU = terms.map((t) => (t.a === null ? U : t.a.apply(U)));
  const bVbar = terms.map((t) => (t.b === null ? null : t.b.apply(conj(V))));
  const right = (k: number, W: Tensor): Tensor => (bVbar[k] === null ? matmul(V, W, { adjointA: true }) : transpose(matmul(W, bVbar[k]!, { transposeA: true })));
  return {
    times: (W) => times(sum(terms.map((t, k) => times(matmul(matmul(aU[k]!, S), right(k, W)), t.c))), s),
    adjointTimes: (W) => {
      const parts = terms.map((t, k) => {
        const BV = bVbar[k] === null ? V : conj(bVbar[k]!);
        return times(matmul(matmul(BV, S, { adjointB: true }), matmul(aU[k]!, W, { adjointA: true })), cconj(t.c));
      });
      return times(sum(parts), cconj(s));
    },
    project: (X, W) => times(sum(terms.map((t, k) => times(matmul(matmul(matmul(X, aU[k]!, { adjointA: true }), S), right(k, W)), t.c))), s),
    evaluations: 0,
  };
}
