/**
 * Data problems F = Ȧ (dlra notes §3.1): every sub-step is the exact increment, so there is
 * no ODE solver noise and the integrators' own errors are seen cleanly.
 *
 * @module
 */
import { ArgumentError } from "../../errors.js";
import { combine } from "../../linalg/elementwise.js";
import { matmul } from "../../linalg/matmul.js";
import type { Tensor } from "../../linalg/tensor.js";
import type { SubstepStats } from "../types.js";
import { checkedMatrixFunction, densePointEval, type CompiledRhs, type DataRhs, type SubResult } from "./rhs.js";

// A(t) values kept: a step needs A(t0), A(t1) and (Strang, midpoint) A(t0 + h/2); the next
// step starts where this one ended.
const CACHE_SIZE = 4;

/** Validates a data rhs and binds its exact sub-steps. */
export function compileData(rhs: DataRhs, m: number, n: number): CompiledRhs {
  if (typeof rhs.A !== "function") throw new ArgumentError(`matrix rhs: a data rhs needs A: (t) => Tensor`);
  if (rhs.dA !== undefined && typeof rhs.dA !== "function") throw new ArgumentError(`matrix rhs: dA must be a function (t) => Tensor`);
  const A = checkedMatrixFunction(rhs.A, m, n, "data A(t)");
  const dA = rhs.dA === undefined ? undefined : checkedMatrixFunction(rhs.dA, m, n, "data dA(t)");
  const cache = new Map<number, Tensor>();
  let calls = 0;
  const valueAt = (t: number): Tensor => {
    let v = cache.get(t);
    if (v === undefined) {
      calls++;
      v = A(t);
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(t, v);
    }
    return v;
  };
  // ΔA and its products with the step's bases, shared between the K-, L- and S-steps of one
  // step (parallel BUG's S̄-step reuses the K-step's ΔA·V0): keyed by the interval, then by
  // the identity of the basis tensor.
  let key = "";
  let inc: Tensor | undefined;
  let right = new Map<Tensor, Tensor>();
  let left = new Map<Tensor, Tensor>();
  const increment = (t0: number, t1: number): { dA: Tensor; evaluations: number } => {
    const k = `${t0},${t1}`;
    const before = calls;
    if (k !== key || inc === undefined) {
      inc = combine(1, valueAt(t1), -1, valueAt(t0));
      key = k;
      right = new Map();
      left = new Map();
    }
    return { dA: inc, evaluations: calls - before };
  };
  const times = (t0: number, t1: number, V: Tensor): { P: Tensor; evaluations: number } => {
    const { dA: D, evaluations } = increment(t0, t1);
    let P = right.get(V);
    if (P === undefined) right.set(V, (P = matmul(D, V)));
    return { P, evaluations };
  };
  const adjointTimes = (t0: number, t1: number, U: Tensor): { P: Tensor; evaluations: number } => {
    const { dA: D, evaluations } = increment(t0, t1);
    let P = left.get(U);
    if (P === undefined) left.set(U, (P = matmul(D, U, { adjointA: true })));
    return { P, evaluations };
  };
  const exact = (y: Tensor, evaluations: number): SubResult => ({ y, stats: exactStats(evaluations) });
  return {
    m, n,
    kStep(t0, t1, K0, V) {
      const { P, evaluations } = times(t0, t1, V);
      return exact(combine(1, K0, 1, P), evaluations);
    },
    lStep(t0, t1, L0, U) {
      const { P, evaluations } = adjointTimes(t0, t1, U);
      return exact(combine(1, L0, 1, P), evaluations);
    },
    sStep(t0, t1, S0, U, V, sign) {
      // Uᴴ·(ΔA·V) reuses a K-step product when there is one; else (ΔAᴴ·U)ᴴ·V from an L-step.
      const useLeft = !right.has(V) && left.has(U) && key === `${t0},${t1}`;
      const { P, evaluations } = useLeft ? adjointTimes(t0, t1, U) : times(t0, t1, V);
      const proj = useLeft ? matmul(P, V, { adjointA: true }) : matmul(U, P, { adjointA: true });
      return exact(combine(1, S0, sign, proj), evaluations);
    },
    at(t, _Y, [t0, t1]) {
      if (dA !== undefined) return densePointEval(dA(t), 1);
      const { dA: D, evaluations } = increment(t0, t1);
      return densePointEval(D, evaluations, 1 / (t1 - t0));
    },
  };
}

function exactStats(evaluations: number): SubstepStats {
  return { solver: "exact", problems: 1, steps: 0, rejected: 0, evaluations };
}
