/**
 * One step of each matrix DLRA integrator, from Y0 = U0·S0·V0ᴴ at t0 to t1 = t0 + h. Each
 * returns the state before any truncation (for the rank-adaptive integrators: in the
 * augmented bases); truncation is separate (truncate.ts). Steps follow the dlra notes §1a–1f.
 *
 * @module
 */
import { concat } from "../../linalg/slice.js";
import { matmul } from "../../linalg/matmul.js";
import { norm } from "../../linalg/norms.js";
import { adjoint } from "../../linalg/permute.js";
import { Tensor } from "../../linalg/tensor.js";
import { mergeStats, noStats, type SubstepStats } from "../types.js";
import { augmentBasis, qrFactors } from "../basis.js";
import type { CompiledRhs, SubResult } from "./rhs.js";
import type { SubstepRunner } from "./runner.js";
import { as, makeState, padCore, workDType, type LowRankMatrix } from "./state.js";

/** What one integrator step produced, before truncation. */
export interface MatrixStep {
  /** The state at t0 + h; for the rank-adaptive integrators in the augmented bases, untruncated. */
  state: LowRankMatrix;
  /** The sub-step solves of the step, merged. */
  stats: SubstepStats;
  /** Parallel BUG: η = ‖Ũ1ᴴ·F(t0, Y0)·Ṽ1‖_F, the size of F in the dropped new–new block. */
  eta?: number;
  /** Parallel BUG: Y0 zero-padded into the augmented bases, where a rejected step restarts. */
  augmentedStart?: LowRankMatrix;
}

/** Everything a step needs besides the state and the times. */
export interface StepContext {
  rhs: CompiledRhs;
  runner: SubstepRunner;
  /** Parallel BUG: compute η (one extra F evaluation for callbacks). */
  eta: boolean;
}

const merge = (results: SubResult[], extra?: SubstepStats): SubstepStats =>
  results.reduce((acc, r) => mergeStats(acc, r.stats), extra ?? noStats(results[0]?.stats.solver ?? "none"));

/** Projector-splitting K→S→L over [t0, t1] (Lie–Trotter; S-step backward in time). */
function ksl(c: StepContext, Y: LowRankMatrix, t0: number, t1: number): MatrixStep {
  const { U, S, V } = Y;
  const K = c.rhs.kStep(t0, t1, matmul(U, S), V);
  const { Q: U1, R: Sh } = qrFactors(K.y);
  const Sb = c.rhs.sStep(t0, t1, Sh, U1, V, -1);
  const L = c.rhs.lStep(t0, t1, matmul(V, Sb.y, { adjointB: true }), U1);
  const { Q: V1, R } = qrFactors(L.y);
  return { state: makeState(U1, adjoint(R), V1), stats: merge([K, Sb, L]) };
}

/** The adjoint splitting L→S→K over [t0, t1] (second half of Strang). */
function lsk(c: StepContext, Y: LowRankMatrix, t0: number, t1: number): MatrixStep {
  const { U, S, V } = Y;
  const L = c.rhs.lStep(t0, t1, matmul(V, S, { adjointB: true }), U);
  const { Q: V1, R } = qrFactors(L.y);
  const Sb = c.rhs.sStep(t0, t1, adjoint(R), U, V1, -1);
  const K = c.rhs.kStep(t0, t1, matmul(U, Sb.y), V1);
  const { Q: U1, R: S1 } = qrFactors(K.y);
  return { state: makeState(U1, S1, V1), stats: merge([L, Sb, K]) };
}

/**
 * Projector-splitting integrator (Lubich & Oseledets, "A projector-splitting integrator for
 * dynamical low-rank approximation", BIT 54, 2014), Lie–Trotter: order 1, fixed rank.
 */
export function kslStep(c: StepContext, Y: LowRankMatrix, t0: number, h: number): MatrixStep {
  return ksl(c, Y, t0, t0 + h);
}

/** Projector splitting, Strang: KSL over h/2 then LSK over h/2; order 2, fixed rank. */
export function kslStrangStep(c: StepContext, Y: LowRankMatrix, t0: number, h: number): MatrixStep {
  const a = ksl(c, Y, t0, t0 + h / 2);
  const b = lsk(c, a.state, t0 + h / 2, t0 + h);
  return { state: b.state, stats: mergeStats(a.stats, b.stats) };
}

/** The independent K- and L-steps of the BUG integrators, both from Y0. */
function kAndL(c: StepContext, Y: LowRankMatrix, t0: number, t1: number): [SubResult, SubResult] {
  const { U, S, V } = Y;
  const [K, L] = c.runner.run([
    () => c.rhs.kStep(t0, t1, matmul(U, S), V),
    () => c.rhs.lStep(t0, t1, matmul(V, S, { adjointB: true }), U),
  ]);
  return [K!, L!];
}

/**
 * Fixed-rank BUG ("unconventional") integrator (Ceruti & Lubich, "An unconventional robust
 * integrator for dynamical low-rank approximation", BIT 62, 2022): order 1, fixed rank.
 */
export function bugStep(c: StepContext, Y: LowRankMatrix, t0: number, h: number): MatrixStep {
  const t1 = t0 + h;
  const [K, L] = kAndL(c, Y, t0, t1);
  const U1 = qrFactors(K.y).Q, V1 = qrFactors(L.y).Q;
  const M = matmul(U1, Y.U, { adjointA: true }), N = matmul(V1, Y.V, { adjointA: true });
  const S = c.rhs.sStep(t0, t1, matmul(matmul(M, Y.S), N, { adjointB: true }), U1, V1, 1);
  return { state: makeState(U1, S.y, V1), stats: merge([K, L, S]) };
}

/**
 * Rank-adaptive BUG (Ceruti, Kusch & Lubich, "A rank-adaptive robust integrator for
 * dynamical low-rank approximation", BIT 62, 2022): order 1. Returns the Galerkin solution in
 * the augmented bases Û = [U0, Ũ], V̂ = [V0, Ṽ] (ranks ≤ 2r), to be truncated.
 */
export function adaptiveBugStep(c: StepContext, Y: LowRankMatrix, t0: number, h: number): MatrixStep {
  const t1 = t0 + h;
  const [K, L] = kAndL(c, Y, t0, t1);
  const [Uh, Vh] = c.runner.run([() => augmentBasis(Y.U, K.y).basis, () => augmentBasis(Y.V, L.y).basis]);
  // M̂ = ÛᴴU0 = [I; 0] exactly (old basis verbatim), so M̂·S0·N̂ᴴ is S0 zero-padded.
  const S0 = padCore(Y.S, Uh!.shape[1]!, Vh!.shape[1]!);
  const S = c.rhs.sStep(t0, t1, S0, Uh!, Vh!, 1);
  return { state: makeState(Uh!, S.y, Vh!), stats: merge([K, L, S]) };
}

/** [[A, B], [C, 0]] for blocks A (k×l), B (k×l′), C (k′×l). */
function blockCore(A: Tensor, B: Tensor, C: Tensor): Tensor {
  const d = workDType(A, B, C);
  const top = concat([as(A, d), as(B, d)], 1);
  const bottom = concat([as(C, d), new Tensor(d, [C.shape[0]!, B.shape[1]!])], 1);
  return concat([top, bottom], 0);
}

/**
 * Parallel BUG (Ceruti, Kusch & Lubich, "A parallel rank-adaptive integrator for dynamical
 * low-rank approximation", SIAM J. Sci. Comput. 46, 2024, arXiv:2304.05660): order 1. The
 * K-, L- and S̄-steps all start from Y0 and run as independent tasks; the augmented core is
 * [[S̄(t1), L(t1)ᴴṼ], [ŨᴴK(t1), 0]] in the bases [U0, Ũ], [V0, Ṽ] — no Galerkin step in the
 * augmented bases. The new–new block is dropped; η measures what it would have held.
 */
export function parallelBugStep(c: StepContext, Y: LowRankMatrix, t0: number, h: number): MatrixStep {
  const t1 = t0 + h;
  const { U, S, V } = Y;
  const [K, L, Sb] = c.runner.run([
    () => c.rhs.kStep(t0, t1, matmul(U, S), V),
    () => c.rhs.lStep(t0, t1, matmul(V, S, { adjointB: true }), U),
    () => c.rhs.sStep(t0, t1, S, U, V, 1),
  ]);
  const [au, av] = c.runner.run([() => augmentBasis(U, K!.y), () => augmentBasis(V, L!.y)]);
  const Ut = au!.added, Vt = av!.added;
  const core = blockCore(Sb!.y, matmul(L!.y, Vt, { adjointA: true }), matmul(Ut, K!.y, { adjointA: true }));
  let eta: number | undefined;
  let extra = noStats(K!.stats.solver);
  if (c.eta) {
    if (Ut.shape[1] === 0 || Vt.shape[1] === 0) eta = 0;
    else {
      const F = c.rhs.at(t0, Y, [t0, t1]);
      eta = norm(F.project(Ut, Vt));
      extra = { ...extra, evaluations: F.evaluations };
    }
  }
  return {
    state: makeState(au!.basis, core, av!.basis),
    stats: merge([K!, L!, Sb!], extra),
    ...(eta !== undefined ? { eta } : {}),
    augmentedStart: makeState(au!.basis, padCore(S, au!.basis.shape[1]!, av!.basis.shape[1]!), av!.basis),
  };
}

/**
 * Midpoint BUG (Ceruti, Einkemmer, Kusch & Lubich, "A robust second-order low-rank BUG
 * integrator based on the midpoint rule", BIT 64, 2024, arXiv:2402.08607): order 2.
 * (1) Y½ = rank-adaptive BUG over [t0, t0 + h/2], untruncated, so its bases start with U0, V0;
 * (2) Û = orth([U½, F(t½, Y½)·V½]), V̂ = orth([V½, F(t½, Y½)ᴴ·U½]) (ranks ≤ 4r, U0 and V0
 * still verbatim in front); (3) Galerkin S-step over the whole step from S0 zero-padded.
 */
export function midpointBugStep(c: StepContext, Y: LowRankMatrix, t0: number, h: number): MatrixStep {
  const t1 = t0 + h, tm = t0 + h / 2;
  const half = adaptiveBugStep(c, Y, t0, h / 2);
  const Yh = half.state;
  const F = c.rhs.at(tm, Yh, [t0, t1]);
  const [Uh, Vh] = c.runner.run([() => augmentBasis(Yh.U, F.times(Yh.V)).basis, () => augmentBasis(Yh.V, F.adjointTimes(Yh.U)).basis]);
  const S = c.rhs.sStep(t0, t1, padCore(Y.S, Uh!.shape[1]!, Vh!.shape[1]!), Uh!, Vh!, 1);
  const stats = mergeStats(mergeStats(half.stats, S.stats), { ...noStats(S.stats.solver), evaluations: F.evaluations });
  return { state: makeState(Uh!, S.y, Vh!), stats };
}
