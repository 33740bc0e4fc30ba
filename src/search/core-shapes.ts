// Core-shape selection for Tucker decompositions from higher-order singular values (Ghadiri,
// Fahrbach, Fu, Mirrokni, ICML 2023, "Approximately optimal core shapes"): a knapsack over the
// per-mode ranks with the HOSVD error bound as the objective. No fitting evaluations.
//
// The packing engine here (greedy bang-for-buck and an exact branch-and-bound) works on any
// cost that is increasing in each rank; core-shapes-tree.ts uses it for
// tree tensor networks.
import { ArgumentError, DTypeError, ShapeError } from "../errors.js";
import { svd } from "../linalg/decomp/svd.js";
import { asDType, assertFinite } from "../linalg/elementwise.js";
import { distance, norm } from "../linalg/norms.js";
import { adjoint } from "../linalg/permute.js";
import { formatShape } from "../linalg/shape.js";
import { slice } from "../linalg/slice.js";
import { Tensor } from "../linalg/tensor.js";
import { modeProduct, unfold } from "../linalg/unfold.js";
import { Tree } from "../tn/tree.js";
import { Ttn, type TtnDType } from "../tn/ttn.js";

/**
 * The higher-order singular values of a tensor X: the squared singular values of every mode
 * unfolding X_(n), the input of {@link tuckerCoreShape}. Computing them once is the whole cost
 * of core-shape selection.
 */
export interface TuckerSpectra {
  /** Mode sizes n_0, …, n_{N−1}. */
  dims: number[];
  /** σ²_{n,i}, the squared singular values of X_(n), non-increasing, one array per mode (length ≤ n_n). */
  sigma2: Float64Array[];
  /** ‖X‖² (each mode's σ² sum to it). */
  norm2: number;
}

/** How a core shape is chosen: `"exact"` (branch and bound), `"greedy"` (bang for buck) or `"auto"`. */
export type CoreShapeMethod = "auto" | "exact" | "greedy";

/**
 * Options shared by {@link tuckerCoreShape} and `treeCoreShape`. Give exactly one of `budget`
 * and `targetRse`.
 */
export interface CoreShapeOptions {
  /**
   * Parameter budget: choose the ranks that keep the most singular-value energy among those
   * whose parameter count is ≤ budget.
   */
  budget?: number;
  /**
   * Target relative error (the dual problem): choose the ranks with the fewest parameters whose
   * predicted error bound √(discarded energy)/‖X‖ is ≤ targetRse.
   */
  targetRse?: number;
  /**
   * `"exact"`: branch and bound over rank tuples (optimal for the surrogate; exponential in the
   * worst case); `"greedy"`: repeatedly add the rank increment with the largest energy gain per
   * added parameter (the seed paper's "bang for buck"), then improve by exchanges (one
   * increment given back, the freed parameters refilled) and keep the best of the runs from all
   * ones and, for 3 to 8 variables, with each variable held at rank 1 in the first pass;
   * `"auto"` (default): exact when at most 10⁶ rank tuples need enumerating, greedy otherwise.
   */
  method?: CoreShapeMethod;
  /** Also fit the tensor with the chosen ranks and report its actual relative error (default false). */
  fit?: boolean;
}

/** Options of {@link tuckerCoreShape}. */
export interface TuckerCoreShapeOptions extends CoreShapeOptions {
  /** HOOI sweeps after the truncated HOSVD when fitting (default 0: the truncated HOSVD itself). */
  hooiSweeps?: number;
}

/** What a core-shape selection chose and what it predicts. */
export interface CoreShape {
  /** The chosen ranks (per mode for Tucker; per node id, root entry 1, for trees). */
  ranks: number[];
  /** Parameters of a network with these ranks (Tucker: ∏ r_n + Σ n_n·r_n). */
  parameters: number;
  /** Σ of the kept σ² over modes (or independent edges). */
  capturedEnergy: number;
  /** Σ of the discarded σ² over modes (or independent edges): the bound on ‖X − X̂‖². */
  discardedEnergy: number;
  /**
   * Predicted relative error bound √(discardedEnergy)/‖X‖ ≥ ‖X − X̂‖/‖X‖ for the truncated
   * HOSVD (or hierarchical SVD); the actual error is at least this bound divided by √(number
   * of modes or independent edges).
   */
  errorBound: number;
  /** The solver that produced the ranks. */
  method: "exact" | "greedy";
}

/** Result of {@link tuckerCoreShape}. */
export interface TuckerCoreShape extends CoreShape {
  /**
   * With `fit`: the Tucker decomposition as a network on `Tree.tucker(N)` (core at the root,
   * factor matrices with orthonormal columns at the leaves).
   */
  tucker?: Ttn;
  /** With `fit`: the actual relative error ‖X − X̂‖/‖X‖ of `tucker`. */
  relativeError?: number;
}

// ---- the packing engine ----

/** @internal A rank-selection problem: variable k has spectrum sigma2[k] and cost(r) is increasing in each r_k. */
export interface Packing {
  sigma2: Float64Array[];
  /** tails[k][r] = Σ_{i ≥ r} σ²_{k,i}: the discarded energy at rank r (r = 0 … length). */
  tails: Float64Array[];
  /** Parameter count of a full assignment (ranks ≥ 1). */
  cost: (r: Int32Array) => number;
  norm2: number;
}

/** @internal The solution of a packing problem. */
export interface PackingSolution {
  ranks: Int32Array;
  cost: number;
  discarded: number;
  method: "exact" | "greedy";
}

/** @internal Builds tails from spectra. */
export function packing(sigma2: Float64Array[], norm2: number, cost: (r: Int32Array) => number): Packing {
  const tails = sigma2.map((s) => {
    const t = new Float64Array(s.length + 1);
    for (let i = s.length - 1; i >= 0; i--) t[i] = t[i + 1]! + s[i]!;
    return t;
  });
  return { sigma2, tails, cost, norm2 };
}

// Singular values at roundoff level (σ ≤ 1e-13·‖X‖) are not worth parameters when packing a budget.
const NEGLIGIBLE = 1e-26;

function usefulLimits(p: Packing, negligible: number): Int32Array {
  return Int32Array.from(p.sigma2, (s) => {
    let l = 0;
    while (l < s.length && s[l]! > negligible) l++;
    return Math.max(1, l);
  });
}

function discardedAt(p: Packing, r: Int32Array): number {
  let d = 0;
  r.forEach((x, k) => (d += p.tails[k]![x]!));
  return d;
}

// The largest r_k ≤ limit with cost ≤ budget, the others fixed (0 if even r_k = 1 is too
// expensive): a binary search, the cost being increasing in r_k.
function largestRank(p: Packing, r: Int32Array, k: number, limit: number, budget: number): number {
  const keep = r[k]!;
  let lo = 0, hi = limit;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    r[k] = mid;
    if (p.cost(r) <= budget) lo = mid;
    else hi = mid - 1;
  }
  r[k] = keep;
  return lo;
}

// Bang for buck from r (in place): add the affordable increment with the largest σ² per added
// parameter (never to variable `skip`) until none is affordable, or until the discarded
// energy reaches `target`. Returns the cost.
function fill(p: Packing, r: Int32Array, limits: Int32Array, budget: number, target: number, skip: number): number {
  const K = limits.length;
  let c = p.cost(r);
  while (target === -Infinity || discardedAt(p, r) > target) {
    let best = -1, bestRatio = -Infinity, bestCost = 0;
    for (let k = 0; k < K; k++) {
      if (k === skip || r[k]! >= limits[k]!) continue;
      r[k]!++;
      const c2 = p.cost(r);
      r[k]!--;
      if (c2 > budget) continue;
      const ratio = p.sigma2[k]![r[k]!]! / (c2 - c);
      if (ratio > bestRatio) {
        best = k;
        bestRatio = ratio;
        bestCost = c2;
      }
    }
    if (best < 0) break;
    r[best]!++;
    c = bestCost;
  }
  return c;
}

// Restarts with one variable held at rank 1 are tried up to this many variables.
const RESTARTS = 8;

// Greedy for a budget: bang for buck from all ones, then exchanges — give one increment back
// and refill the others — while they keep less energy out. Run once freely and once with each
// variable held at rank 1 during the first fill (flat spectra favour such lopsided shapes,
// which single exchanges do not reach; up to RESTARTS variables); the best run wins.
function greedyBudget(p: Packing, budget: number, limits: Int32Array): PackingSolution {
  const K = limits.length;
  let best: PackingSolution | undefined;
  for (let frozen = -1; frozen < (K > 2 && K <= RESTARTS ? K : 0); frozen++) {
    let r = new Int32Array(K).fill(1);
    let c = fill(p, r, limits, budget, -Infinity, frozen);
    let d = discardedAt(p, r);
    for (let improved = true; improved; ) {
      improved = false;
      for (let k = 0; k < K; k++) {
        if (r[k]! <= 1) continue;
        const t = r.slice();
        t[k]!--;
        const ct = fill(p, t, limits, budget, -Infinity, k);
        const dt = discardedAt(p, t);
        if (dt < d) [r, c, d, improved] = [t, ct, dt, true];
      }
    }
    if (best === undefined || d < best.discarded || (d === best.discarded && c < best.cost)) best = { ranks: r, cost: c, discarded: d, method: "greedy" };
  }
  return best!;
}

// Greedy for a target: bang for buck from all ones until the target is met, then exchanges —
// give one increment back and refill the others — while they cost less; from the same starts
// as greedyBudget.
function greedyTarget(p: Packing, target: number, limits: Int32Array): PackingSolution {
  const K = limits.length;
  let best: PackingSolution | undefined;
  for (let frozen = -1; frozen < (K > 2 && K <= RESTARTS ? K : 0); frozen++) {
    let r = new Int32Array(K).fill(1);
    let c = fill(p, r, limits, Infinity, target, frozen);
    if (discardedAt(p, r) > target) c = fill(p, r, limits, Infinity, target, -1);
    let d = discardedAt(p, r);
    for (let improved = true; improved; ) {
      improved = false;
      for (let k = 0; k < K; k++) {
        if (r[k]! <= 1) continue;
        const t = r.slice();
        t[k]!--;
        const ct = fill(p, t, limits, Infinity, target, k);
        const dt = discardedAt(p, t);
        if (dt <= target && (ct < c || (ct === c && dt < d))) [r, c, d, improved] = [t, ct, dt, true];
      }
    }
    if (best === undefined || c < best.cost || (c === best.cost && d < best.discarded)) best = { ranks: r, cost: c, discarded: d, method: "greedy" };
  }
  return best!;
}

// Variables in enumeration order: increasing limit, the largest last (it is solved in closed form).
function enumerationOrder(limits: Int32Array): number[] {
  return Array.from(limits.keys()).sort((a, b) => limits[a]! - limits[b]! || a - b);
}

/** @internal Rank tuples the exact solver may enumerate: ∏ of all limits but the largest. */
export function enumerationSize(limits: Int32Array): number {
  const order = enumerationOrder(limits);
  return order.slice(0, -1).reduce((s, k) => s * limits[k]!, 1);
}

function exactBudget(p: Packing, budget: number, limits: Int32Array): PackingSolution {
  const K = limits.length;
  const order = enumerationOrder(limits);
  const incumbent = greedyBudget(p, budget, limits);
  let bestRanks = incumbent.ranks.slice(), bestD = incumbent.discarded, bestC = incumbent.cost;
  const r = new Int32Array(K).fill(1);
  const dfs = (pos: number, partial: number): void => {
    const k = order[pos]!;
    if (pos === K - 1) {
      const m = largestRank(p, r, k, limits[k]!, budget);
      if (m < 1) return;
      r[k] = m;
      const d = partial + p.tails[k]![m]!;
      const c = p.cost(r);
      if (d < bestD || (d === bestD && c < bestC)) {
        bestD = d;
        bestC = c;
        bestRanks = r.slice();
      }
      r[k] = 1;
      return;
    }
    for (let v = 1; v <= limits[k]!; v++) {
      r[k] = v;
      if (p.cost(r) > budget) break; // later variables at rank 1: the cheapest completion
      const here = partial + p.tails[k]![v]!;
      // Lower bound on the discarded energy: every later variable at the largest rank it could
      // afford alone (the others at 1).
      let lb = here;
      for (let q = pos + 1; q < K; q++) {
        const j = order[q]!;
        lb += p.tails[j]![Math.max(1, largestRank(p, r, j, limits[j]!, budget))]!;
      }
      if (lb > bestD) continue;
      dfs(pos + 1, here);
    }
    r[k] = 1;
  };
  dfs(0, 0);
  return { ranks: bestRanks, cost: bestC, discarded: bestD, method: "exact" };
}

// Smallest r ≤ limit with tails[r] ≤ allowed (limit + 1 if none).
function smallestRank(tail: Float64Array, limit: number, allowed: number): number {
  let lo = 1, hi = limit + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tail[mid]! <= allowed) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function exactTarget(p: Packing, target: number, limits: Int32Array): PackingSolution {
  const K = limits.length;
  const order = enumerationOrder(limits);
  const incumbent = greedyTarget(p, target, limits);
  let bestRanks = incumbent.ranks.slice(), bestD = incumbent.discarded, bestC = incumbent.cost;
  const r = new Int32Array(K).fill(1);
  // floor[q] = Σ over later variables (positions ≥ q) of their smallest possible tails.
  const floor = new Float64Array(K + 1);
  for (let q = K - 1; q >= 0; q--) floor[q] = floor[q + 1]! + p.tails[order[q]!]![limits[order[q]!]!]!;
  const dfs = (pos: number, partial: number): void => {
    const k = order[pos]!;
    if (pos === K - 1) {
      const m = smallestRank(p.tails[k]!, limits[k]!, target - partial);
      if (m > limits[k]!) return;
      r[k] = m;
      const c = p.cost(r), d = partial + p.tails[k]![m]!;
      if (c < bestC || (c === bestC && d < bestD)) {
        bestC = c;
        bestD = d;
        bestRanks = r.slice();
      }
      r[k] = 1;
      return;
    }
    for (let v = 1; v <= limits[k]!; v++) {
      r[k] = v;
      if (p.cost(r) > bestC) break; // later variables at rank 1 already cost more
      const here = partial + p.tails[k]![v]!;
      if (here + floor[pos + 1]! > target) continue;
      // Lower bound on the cost: every later variable at the smallest rank it needs when all
      // the others reach their floors.
      for (let q = pos + 1; q < K; q++) {
        const j = order[q]!;
        const others = floor[pos + 1]! - p.tails[j]![limits[j]!]!;
        r[j] = smallestRank(p.tails[j]!, limits[j]!, target - here - others);
      }
      const lb = p.cost(r);
      for (let q = pos + 1; q < K; q++) r[order[q]!] = 1;
      if (lb > bestC) continue;
      dfs(pos + 1, here);
    }
    r[k] = 1;
  };
  dfs(0, 0);
  return { ranks: bestRanks, cost: bestC, discarded: bestD, method: "exact" };
}

const EXACT_LIMIT = 1e6;

/**
 * @internal Solves a packing problem for a budget or a discarded-energy target.
 * @throws {@link ArgumentError} for a budget below the all-ones cost.
 */
export function solvePacking(p: Packing, goal: { budget: number } | { target: number }, method: CoreShapeMethod, what: string): PackingSolution {
  const ones = new Int32Array(p.sigma2.length).fill(1);
  const minimum = p.cost(ones);
  if ("budget" in goal) {
    if (goal.budget < minimum) {
      throw new ArgumentError(`${what}: budget ${goal.budget} is below the smallest core shape's size (every rank 1: ${minimum} parameters)`);
    }
    const limits = usefulLimits(p, NEGLIGIBLE * p.norm2);
    const exact = method === "exact" || (method === "auto" && enumerationSize(limits) <= EXACT_LIMIT);
    return exact ? exactBudget(p, goal.budget, limits) : greedyBudget(p, goal.budget, limits);
  }
  let limits = usefulLimits(p, NEGLIGIBLE * p.norm2);
  if (discardedAt(p, limits) > goal.target) limits = usefulLimits(p, 0);
  if (discardedAt(p, limits) > goal.target) limits = Int32Array.from(p.sigma2, (s) => Math.max(1, s.length));
  const exact = method === "exact" || (method === "auto" && enumerationSize(limits) <= EXACT_LIMIT);
  return exact ? exactTarget(p, goal.target, limits) : greedyTarget(p, goal.target, limits);
}

/** @internal Validates the shared options; returns the goal in discarded energy. */
export function resolveGoal(options: CoreShapeOptions, norm2: number, what: string, extra: readonly string[] = []): { goal: { budget: number } | { target: number }; method: CoreShapeMethod } {
  const known = new Set(["budget", "targetRse", "method", "fit", ...extra]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new ArgumentError(`${what}: unknown option "${key}"; expected one of ${[...known].join(", ")}`);
  }
  const method = options.method ?? "auto";
  if (method !== "auto" && method !== "exact" && method !== "greedy") {
    throw new ArgumentError(`${what}: method must be "auto", "exact" or "greedy", got ${JSON.stringify(method)}`);
  }
  const { budget, targetRse } = options;
  if ((budget === undefined) === (targetRse === undefined)) throw new ArgumentError(`${what}: give exactly one of budget and targetRse`);
  if (budget !== undefined) {
    if (typeof budget !== "number" || !Number.isFinite(budget) || budget < 0) throw new ArgumentError(`${what}: budget must be a finite number ≥ 0, got ${String(budget)}`);
    return { goal: { budget: Math.floor(budget) }, method };
  }
  if (typeof targetRse !== "number" || !Number.isFinite(targetRse) || targetRse < 0) {
    throw new ArgumentError(`${what}: targetRse must be a finite number ≥ 0, got ${String(targetRse)}`);
  }
  return { goal: { target: targetRse * targetRse * norm2 }, method };
}

/** @internal The fields every core-shape result shares. */
export function describeSolution(p: Packing, s: PackingSolution): Omit<CoreShape, "ranks"> {
  let total = 0;
  p.tails.forEach((t) => (total += t[0]!));
  return {
    parameters: s.cost,
    capturedEnergy: Math.max(0, total - s.discarded),
    discardedEnergy: s.discarded,
    errorBound: p.norm2 > 0 ? Math.sqrt(s.discarded / p.norm2) : 0,
    method: s.method,
  };
}

/** @internal Checks user-given spectra. */
export function checkSpectrum(s: unknown, length: number, what: string): Float64Array {
  if (!(s instanceof Float64Array) && !Array.isArray(s)) throw new ArgumentError(`${what} must be an array of squared singular values`);
  const a = Float64Array.from(s as ArrayLike<number>);
  if (a.length < 1 || a.length > length) throw new ArgumentError(`${what} has ${a.length} values; expected 1 … ${length}`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!) || a[i]! < 0) throw new ArgumentError(`${what}[${i}] = ${a[i]} is not a finite number ≥ 0`);
    if (i > 0 && a[i]! > a[i - 1]! * (1 + 1e-12)) throw new ArgumentError(`${what} must be non-increasing (entry ${i} is ${a[i]} after ${a[i - 1]})`);
  }
  return a;
}

/** @internal Real or complex f64 data for the decompositions, checked finite. */
export function checkedData(X: Tensor, what: string): Tensor<TtnDType> {
  if (X.dtype !== "f64" && X.dtype !== "c128" && X.dtype !== "f32") throw new DTypeError(`${what}: expected a f64, f32 or c128 tensor, got ${X.dtype}`);
  assertFinite(X, what);
  return X.dtype === "f32" ? asDType(X, "f64") : (X as Tensor<TtnDType>);
}

// ---- Tucker ----

function tuckerCost(dims: readonly number[]): (r: Int32Array) => number {
  return (r) => {
    let prod = 1, sum = 0;
    for (let n = 0; n < r.length; n++) {
      prod *= r[n]!;
      sum += dims[n]! * r[n]!;
    }
    return prod + sum;
  };
}

function modeSvds(X: Tensor, vectors: boolean): { U: Tensor[]; sigma2: Float64Array[] } {
  const U: Tensor[] = [];
  const sigma2: Float64Array[] = [];
  for (let n = 0; n < X.ndim; n++) {
    const r = svd(unfold(X, [n]), { vectors });
    U.push(r.U);
    sigma2.push(Float64Array.from(r.s, (x) => x * x));
  }
  return { U, sigma2 };
}

/**
 * The higher-order singular values of X: the squared singular values of every mode unfolding
 * X_(n) (one SVD, without vectors, per mode), for {@link tuckerCoreShape}.
 *
 * @throws {@link ShapeError} for tensors of fewer than 2 modes; {@link NonFiniteError} for NaN
 * or infinite entries.
 * @example
 * ```ts
 * const X = randn([3, 4, 5], 1);
 * const { sigma2, norm2 } = tuckerSpectra(X);
 * console.assert(sigma2.length === 3 && sigma2[1]!.length === 4);
 * console.assert(Math.abs(sigma2[2]!.reduce((a, b) => a + b, 0) - norm2) < 1e-12 * norm2);
 * ```
 */
export function tuckerSpectra(X: Tensor): TuckerSpectra {
  if (X.ndim < 2) throw new ShapeError(`tuckerSpectra: need a tensor of at least 2 modes, got shape ${formatShape(X.shape)}`);
  const a = checkedData(X, "tuckerSpectra");
  const nrm = norm(a);
  return { dims: a.shape.slice(), sigma2: modeSvds(a, false).sigma2, norm2: nrm * nrm };
}

function checkTuckerSpectra(s: TuckerSpectra): TuckerSpectra {
  const what = "tuckerCoreShape";
  if (typeof s !== "object" || s === null || !Array.isArray(s.dims) || !Array.isArray(s.sigma2)) {
    throw new ArgumentError(`${what}: expected a tensor or TuckerSpectra ({ dims, sigma2, norm2 })`);
  }
  if (s.dims.length < 2) throw new ShapeError(`${what}: need at least 2 modes, got dims ${formatShape(s.dims)}`);
  s.dims.forEach((n, m) => {
    if (!Number.isInteger(n) || n < 1) throw new ShapeError(`${what}: mode ${m} has size ${n}; sizes must be positive integers`);
  });
  if (s.sigma2.length !== s.dims.length) throw new ShapeError(`${what}: ${s.sigma2.length} spectra for ${s.dims.length} modes`);
  if (typeof s.norm2 !== "number" || !Number.isFinite(s.norm2) || s.norm2 < 0) throw new ArgumentError(`${what}: norm2 must be a finite number ≥ 0, got ${String(s.norm2)}`);
  return { dims: s.dims.slice(), sigma2: s.sigma2.map((x, n) => checkSpectrum(x, s.dims[n]!, `${what}: sigma2[${n}]`)), norm2: s.norm2 };
}

// The truncated HOSVD with the given ranks (factors from the full mode SVDs), then HOOI sweeps.
function fitTucker(X: Tensor<TtnDType>, ranks: readonly number[], U0: readonly Tensor[], sweeps: number): Ttn {
  const N = X.ndim;
  const leading = (M: Tensor, r: number): Tensor => {
    const full = M.shape[1]! < r ? svd(M, { full: true }).U : M; // r above the thin rank: complete the basis
    return slice(full, [null, [0, r]]);
  };
  const U = ranks.map((r, n) => leading(U0[n]!, r));
  for (let s = 0; s < sweeps; s++) {
    for (let n = 0; n < N; n++) {
      let Y: Tensor = X;
      for (let m = 0; m < N; m++) if (m !== n) Y = modeProduct(Y, adjoint(U[m]!), m);
      U[n] = leading(svd(unfold(Y, [n])).U, ranks[n]!);
    }
  }
  let core: Tensor = X;
  for (let n = 0; n < N; n++) core = modeProduct(core, adjoint(U[n]!), n);
  return new Ttn(Tree.tucker(N), X.shape, [core.reshape([1, ...ranks]), ...U] as Tensor<TtnDType>[]);
}

/**
 * Tucker core-shape selection (Ghadiri, Fahrbach, Fu, Mirrokni, ICML 2023): per-mode ranks
 * r_n chosen from the higher-order singular values σ²_{n,i} alone, without fitting. The
 * truncated HOSVD with ranks r satisfies ‖X − X̂‖² ≤ Σ_n Σ_{i>r_n} σ²_{n,i}, so the ranks
 * maximise the kept energy Σ_n Σ_{i≤r_n} σ²_{n,i} subject to the parameter count
 * ∏ r_n + Σ n_n·r_n ≤ `budget`, or (with `targetRse`) minimise the parameter count subject to
 * √(discarded energy) ≤ targetRse·‖X‖. The bound is within a factor √N of the actual error.
 *
 * Solvers: `"exact"` enumerates rank tuples by branch and bound (the last mode in closed form,
 * a greedy incumbent, cost and energy bounds), optimal for this surrogate; `"greedy"` adds the
 * rank increment with the most energy per added parameter while the budget allows, then
 * improves by exchanges (see {@link CoreShapeOptions}); on random spectra it kept ≥ 0.95 of the
 * exact optimum's energy and needed ≤ 1.15× its parameters for an error target. Ranks are
 * capped at the number of non-negligible singular values of each unfolding (σ > 1e-13·‖X‖ for
 * a budget), and are not reduced to what the other ranks can carry (r_n ≤ ∏_{m≠n} r_m).
 *
 * `source` is the tensor (its spectra are computed here) or precomputed {@link TuckerSpectra}.
 * With `fit` (tensor sources only) the result holds the truncated HOSVD with the chosen ranks
 * (plus `hooiSweeps` HOOI sweeps) as a network on `Tree.tucker(N)` and its actual error. The
 * same ranks feed `fromFull(X, Tree.tucker(N), { maxRanks: [1, ...ranks] })`.
 *
 * @throws {@link ArgumentError} for a budget below the all-ones shape's size or bad options;
 * {@link NonFiniteError} for NaN or infinite data; {@link ShapeError} for malformed spectra or
 * a tensor of fewer than 2 modes.
 * @example
 * ```ts
 * // A tensor with an exact Tucker structure of ranks (2, 3, 2).
 * const X = Ttn.random(Tree.tucker(3), [6, 6, 6], [1, 2, 3, 2], 4).toFull();
 * const exact = tuckerCoreShape(X, { targetRse: 1e-8, fit: true });
 * console.assert(exact.ranks.join() === "2,3,2" && exact.parameters === 12 + 6 * 7);
 * console.assert(exact.relativeError! < 1e-12);
 * // Under a tighter budget the error bound holds for the fitted Tucker tensor.
 * const small = tuckerCoreShape(X, { budget: 40, fit: true });
 * console.assert(small.parameters <= 40 && small.relativeError! <= small.errorBound);
 * ```
 */
export function tuckerCoreShape(source: Tensor | TuckerSpectra, options: TuckerCoreShapeOptions): TuckerCoreShape {
  const what = "tuckerCoreShape";
  const hooiSweeps = options.hooiSweeps ?? 0;
  if (!Number.isInteger(hooiSweeps) || hooiSweeps < 0) throw new ArgumentError(`${what}: hooiSweeps must be a non-negative integer, got ${String(options.hooiSweeps)}`);
  const isTensor = source instanceof Tensor;
  if (!isTensor && options.fit) throw new ArgumentError(`${what}: fit needs the tensor, not its spectra`);
  let spectra: TuckerSpectra;
  let data: Tensor<TtnDType> | undefined;
  let U: Tensor[] = [];
  if (isTensor) {
    const X = source as Tensor;
    if (X.ndim < 2) throw new ShapeError(`${what}: need a tensor of at least 2 modes, got shape ${formatShape(X.shape)}`);
    data = checkedData(X, what);
    const svds = modeSvds(data, options.fit === true);
    U = svds.U;
    const nrm = norm(data);
    spectra = { dims: data.shape.slice(), sigma2: svds.sigma2, norm2: nrm * nrm };
  } else spectra = checkTuckerSpectra(source as TuckerSpectra);
  const { goal, method } = resolveGoal(options, spectra.norm2, what, ["hooiSweeps"]);
  const p = packing(spectra.sigma2, spectra.norm2, tuckerCost(spectra.dims));
  const solution = solvePacking(p, goal, method, what);
  const ranks = Array.from(solution.ranks);
  const result: TuckerCoreShape = { ranks, ...describeSolution(p, solution) };
  if (options.fit && data !== undefined) {
    const tucker = fitTucker(data, ranks, U, hooiSweeps);
    result.tucker = tucker;
    result.relativeError = spectra.norm2 > 0 ? distance(tucker.toFull(), data) / Math.sqrt(spectra.norm2) : 0;
  }
  return result;
}
