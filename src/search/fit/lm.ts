/**
 * Fitting a tensor network to a full target by Levenberg–Marquardt (damped Gauss–Newton) over
 * all cores jointly: `fitNetwork(s, x, { method: "lm" })`, or `"als+lm"` for ALS followed by an
 * LM polish. ALS moves one core at a time and creeps, or stops, on loopy graphs (a triangle, a
 * fully connected network), where the cores' couplings make the one-core problems a poor model
 * of the whole; a joint Gauss–Newton step sees the couplings.
 *
 * The residual is r(θ) = (TN(θ) − X)/‖X‖ over all entries, θ every core entry (vertex order,
 * each core row-major: its open leg, then its bonds). The Jacobian's row for an entry x holds,
 * in the block of core v, the environment of v at x ({@link coreEnvironment}, the same
 * contractions as the analytic gradient) in the slice of x's index on v's mode — Σ_v R_v
 * non-zeros (R_v: the product of v's bond ranks). The Gauss–Newton matrix A = JᵀJ and the
 * gradient g = Jᵀr are summed entry by entry from those rows, in O(n·(Σ_v R_v)²) for n entries,
 * without J; the damped system (A + μD)δ = −g (D the diagonal of A, floored) is solved by a
 * dense Cholesky factorisation, O(P³) for P parameters — hence the cap on P (default 2000;
 * measured 0.7 s per step at P = 1536, a 6⁴ fully connected network of rank 4). Above it LM is
 * refused (`"lm"`) or skipped (`"als+lm"`).
 *
 * Damping (Marquardt 1963, in the form of Madsen, Nielsen & Tingleff, "Methods for non-linear
 * least squares problems", 2004, §3.2): a step is accepted when the actual fall of ½‖r‖² is a
 * positive fraction ρ of the fall the linear model predicts; μ then shrinks by
 * max(1/3, 1 − (2ρ − 1)³), and on a rejection grows by ν (ν doubling with each rejection in a
 * row). Gauge: the network is unchanged under an invertible matrix and its inverse on either end
 * of a bond (and under scaling one core up and another down), so J has a null space — the
 * tangent of the gauge orbit, generically of dimension Σ_e (r_e² − 1) + V − 1 for a connected
 * graph — and A is singular along it; μD > 0 makes the damped system positive definite,
 * and g has no component along the null space, so the step does not wander along it to first
 * order. After every accepted step the cores are rescaled to equal Frobenius norms (a gauge
 * transformation: the network is unchanged) so that the drift of the scale gauge does not
 * degrade the conditioning.
 * @module
 */
import { choleskyInPlace, choleskySubstitute } from "../../linalg/decomp/cholesky.js";
import { ArgumentError } from "../../errors.js";
import { Rng, type Seed } from "../../linalg/random.js";
import { Tensor } from "../../linalg/tensor.js";
import { contractNetwork } from "../network/contract.js";
import { TensorNetwork } from "../network/network.js";
import type { NetworkStructure } from "../network/structure.js";
import { coreEnvironment, type FitResult, type FitStop } from "./als.js";

/** Default largest parameter count of an LM fit (dense P×P normal equations). */
export const LM_MAX_PARAMETERS = 2000;

/** Settings of {@link fitLevenbergMarquardt}. */
export interface LmSettings {
  /** Stop at this relative error. */
  targetRse: number;
  /** Largest number of iterations (one damped solve and one trial evaluation each). */
  maxIterations: number;
  /**
   * Stop ("stalled") when the error has fallen by less than this fraction over the last
   * `stallWindow` iterations (default 1e-3 over 20). Near a minimum LM converges fast, so a
   * slower fall is a local minimum that LM creeps along (on the planted triangle of
   * docs/search.md, 1e-3 ended those runs about 4× sooner than 1e-6 and lost no fit that went on
   * to reach the target). The window of 20 lets a start that was scaled close to zero (a
   * random start nearly orthogonal to the target, see below) leave the origin: its error stays
   * near 1 for 10–15 iterations before it falls.
   */
  stallTolerance?: number;
  stallWindow?: number;
  /** The first damping, relative to the largest diagonal entry of JᵀJ (default 1e-3). */
  damping?: number;
  /** Refuse structures with more parameters than this (default {@link LM_MAX_PARAMETERS}). */
  maxParameters?: number;
}

// Where each core's entries sit in θ and, per target entry, which row of each core's slice
// and which column of its environment it touches.
interface Layout {
  structure: NetworkStructure;
  n: number;
  P: number;
  V: number;
  /** First column of core v in θ. */
  offset: number[];
  /** Product of core v's bond ranks. */
  R: number[];
  /** Columns of v's environment (entries of the modes other than v's own). */
  M: number[];
  /** Index of entry x on v's mode (0 without an open leg), V arrays of n. */
  slice: Int32Array[];
  /** Environment column of entry x for core v (the other modes, ascending, row-major). */
  column: Int32Array[];
  /** Σ_v R_v: non-zeros of a Jacobian row. */
  S: number;
}

function layout(structure: NetworkStructure): Layout {
  const dims = structure.dims, N = dims.length, V = structure.numVertices;
  const n = dims.reduce((p, d) => p * d, 1);
  const offset: number[] = [], R: number[] = [], M: number[] = [], slice: Int32Array[] = [], column: Int32Array[] = [];
  let P = 0;
  for (let v = 0; v < V; v++) {
    const shape = structure.coreShape(v);
    const r = shape.slice(1).reduce((p, d) => p * d, 1);
    offset.push(P);
    P += shape[0]! * r;
    R.push(r);
    const mode = structure.perm[v]!;
    M.push(mode >= 0 ? n / dims[mode]! : n);
    // Strides of the other modes in the environment's columns (ascending, row-major).
    const stride = new Array<number>(N).fill(0);
    let st = 1;
    for (let m = N - 1; m >= 0; m--) {
      if (m === mode) continue;
      stride[m] = st;
      st *= dims[m]!;
    }
    const sl = new Int32Array(n), col = new Int32Array(n);
    const idx = new Array<number>(N).fill(0);
    for (let x = 0; x < n; x++) {
      let c = 0;
      for (let m = 0; m < N; m++) c += idx[m]! * stride[m]!;
      col[x] = c;
      sl[x] = mode >= 0 ? idx[mode]! : 0;
      for (let m = N - 1; m >= 0; m--) {
        if (++idx[m]! < dims[m]!) break;
        idx[m] = 0;
      }
    }
    slice.push(sl);
    column.push(col);
  }
  return { structure, n, P, V, offset, R, M, slice, column, S: R.reduce((a, b) => a + b, 0) };
}

// Core v's environment as M_v × R_v row-major (row = entry's column, contiguous bonds).
function environments(net: TensorNetwork<"f64">, lay: Layout): Float64Array[] {
  if (lay.V === 1) return [new Float64Array([1])];
  return net.cores.map((_, v) => {
    const env = coreEnvironment(net, v).data, R = lay.R[v]!, M = lay.M[v]!;
    const out = new Float64Array(M * R);
    for (let b = 0; b < R; b++) for (let j = 0; j < M; j++) out[j * R + b] = env[b * M + j]!;
    return out;
  });
}

// Row x of the Jacobian as Σ_v R_v (column, value) pairs.
function jacobianRow(lay: Layout, envs: readonly Float64Array[], x: number, cols: Int32Array, vals: Float64Array): void {
  let k = 0;
  for (let v = 0; v < lay.V; v++) {
    const R = lay.R[v]!, base = lay.offset[v]! + lay.slice[v]![x]! * R, e = envs[v]!, j = lay.column[v]![x]! * R;
    for (let b = 0; b < R; b++) {
      cols[k] = base + b;
      vals[k++] = e[j + b]!;
    }
  }
}

/**
 * The Jacobian ∂vec(TN(θ))/∂θ of a network's full tensor (row-major entries) by its parameters θ
 * (every core's entries, vertex order, each core row-major), as an n×P row-major matrix.
 * Explicit, for tests and small networks; the fit never forms it.
 */
export function networkJacobian(net: TensorNetwork<"f64">): Tensor<"f64"> {
  const lay = layout(net.structure);
  const envs = environments(net, lay);
  const J = new Tensor("f64", [lay.n, lay.P]);
  const cols = new Int32Array(lay.S), vals = new Float64Array(lay.S);
  for (let x = 0; x < lay.n; x++) {
    jacobianRow(lay, envs, x, cols, vals);
    for (let k = 0; k < lay.S; k++) J.data[x * lay.P + cols[k]!] = J.data[x * lay.P + cols[k]!]! + vals[k]!;
  }
  return J;
}

/** The Gauss–Newton system of ½RSE² at a network: A = JᵀJ/‖X‖², g = Jᵀ(Y − X)/‖X‖², and the RSE. */
export interface GaussNewtonSystem {
  /** P×P row-major, symmetric. */
  A: Float64Array;
  g: Float64Array;
  rse: number;
}

function system(net: TensorNetwork<"f64">, target: Tensor<"f64">, xNorm: number, lay: Layout): GaussNewtonSystem {
  const { n, P, S } = lay;
  const envs = environments(net, lay);
  const y = contractNetwork(net).data, t = target.data;
  const A = new Float64Array(P * P), g = new Float64Array(P);
  const cols = new Int32Array(S), vals = new Float64Array(S);
  const w = 1 / xNorm;
  let sq = 0;
  for (let x = 0; x < n; x++) {
    jacobianRow(lay, envs, x, cols, vals);
    for (let k = 0; k < S; k++) vals[k] = vals[k]! * w;
    const r = (y[x]! - t[x]!) * w;
    sq += r * r;
    for (let k = 0; k < S; k++) {
      const ck = cols[k]!, vk = vals[k]!;
      g[ck] = g[ck]! + r * vk;
      const row = ck * P;
      // Upper triangle in θ order (columns of one row are ascending within a core, cores ascending).
      for (let l = k; l < S; l++) A[row + cols[l]!] = A[row + cols[l]!]! + vk * vals[l]!;
    }
  }
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) A[j * P + i] = A[i * P + j]!;
  return { A, g, rse: Math.sqrt(sq) };
}

/**
 * A = JᵀJ/‖X‖², g = Jᵀ(Y − X)/‖X‖² and the RSE of `net` against `target`, summed from the
 * Jacobian's rows (never forming J). For tests.
 */
export function gaussNewtonSystem(net: TensorNetwork<"f64">, target: Tensor<"f64">): GaussNewtonSystem {
  let sq = 0;
  for (let i = 0; i < target.data.length; i++) sq += target.data[i]! * target.data[i]!;
  return system(net, target, Math.sqrt(sq), layout(net.structure));
}


function flatten(net: TensorNetwork<"f64">, P: number): Float64Array {
  const theta = new Float64Array(P);
  let o = 0;
  for (const c of net.cores) {
    theta.set(c.data, o);
    o += c.data.length;
  }
  return theta;
}

// The network of θ, its cores rescaled to equal Frobenius norms (their product unchanged: the
// same tensor).
function balanced(structure: NetworkStructure, theta: Float64Array, lay: Layout): TensorNetwork<"f64"> {
  const norms: number[] = [];
  const cores = Array.from({ length: lay.V }, (_, v) => {
    const size = v + 1 < lay.V ? lay.offset[v + 1]! - lay.offset[v]! : lay.P - lay.offset[v]!;
    const c = new Tensor("f64", structure.coreShape(v), theta.slice(lay.offset[v]!, lay.offset[v]! + size));
    let sq = 0;
    for (let i = 0; i < c.data.length; i++) sq += c.data[i]! * c.data[i]!;
    norms.push(Math.sqrt(sq));
    return c;
  });
  if (lay.V > 1 && norms.every((x) => x > 0 && Number.isFinite(x))) {
    const mean = Math.exp(norms.reduce((s, x) => s + Math.log(x), 0) / lay.V);
    cores.forEach((c, v) => {
      const f = mean / norms[v]!;
      for (let i = 0; i < c.data.length; i++) c.data[i] = c.data[i]! * f;
    });
  }
  return new TensorNetwork(structure, cores);
}

/** The result of {@link fitLevenbergMarquardt}: a fit result whose sweeps are LM iterations. */
export interface LmResult extends FitResult {
  /** Iterations whose step was accepted. */
  accepted: number;
}

/**
 * Fits `start`'s structure to a real full `target` by Levenberg–Marquardt over all cores
 * jointly (see the module's documentation), from `start`. Deterministic. `history` holds the
 * RSE after each iteration (unchanged after a rejected step); the result is the best network
 * seen (the error never rises). Stops at `targetRse` ("target"), after `maxIterations`
 * ("max-sweeps"), or "stalled": the error fell by less than `stallTolerance` (relative) over
 * `stallWindow` iterations, or no step lowers it however strongly damped (μ beyond 1e15 × the
 * largest diagonal entry: a stationary point within rounding).
 *
 * @throws {@link ArgumentError} for a structure of more than `maxParameters` parameters or
 * bad settings (the target is not checked here: see fitNetwork).
 */
export function fitLevenbergMarquardt(start: TensorNetwork<"f64">, target: Tensor<"f64">, settings: LmSettings): LmResult {
  const { targetRse, maxIterations, stallTolerance = 1e-3, stallWindow = 20, damping = 1e-3, maxParameters = LM_MAX_PARAMETERS } = settings;
  const structure = start.structure;
  const P = structure.numParameters();
  if (!(targetRse >= 0) || !Number.isSafeInteger(maxIterations) || maxIterations < 1 || !(stallTolerance >= 0) || !Number.isSafeInteger(stallWindow) || stallWindow < 1 || !(damping > 0) || !Number.isFinite(damping)) {
    throw new ArgumentError(`Levenberg–Marquardt: targetRse ≥ 0, maxIterations and stallWindow whole numbers ≥ 1, stallTolerance ≥ 0 and a finite damping > 0 are required`);
  }
  if (!(P <= maxParameters)) {
    throw new ArgumentError(
      `Levenberg–Marquardt solves dense ${P}×${P} normal equations (O(P³) per step) for this structure of ${P} parameters, above the cap of ${maxParameters}; ` +
        `fit it by ALS (method "als") or raise lmMaxParameters`,
    );
  }
  let xNorm = 0;
  for (let i = 0; i < target.data.length; i++) xNorm += target.data[i]! * target.data[i]!;
  xNorm = Math.sqrt(xNorm);
  const lay = layout(structure);
  let theta = flatten(start, P);
  // The start's best multiple: a random start's scale is arbitrary (RSE ~ 4 for unit-variance
  // cores and a unit-norm target), and the first Gauss–Newton steps from a badly scaled start
  // go astray — on the planted triangle of docs/search.md (seeds 1–4, 20 starts each), LM then
  // reached RSE 1e-6 from 39 of 80 starts instead of 56.
  const y0 = contractNetwork(start).data;
  let yx = 0, yy = 0;
  for (let i = 0; i < y0.length; i++) {
    yx += y0[i]! * target.data[i]!;
    yy += y0[i]! * y0[i]!;
  }
  const alpha = yy > 0 && yx !== 0 ? yx / yy : 1;
  const first = lay.V > 1 ? lay.offset[1]! : P;
  if (Number.isFinite(alpha) && alpha !== 1) for (let i = 0; i < first; i++) theta[i] = theta[i]! * alpha;
  let net = balanced(structure, theta, lay);
  theta = flatten(net, P);
  let sys = system(net, target, xNorm, lay);
  let rse = sys.rse;
  if (!Number.isFinite(rse) || !sys.g.every(Number.isFinite)) throw new ArgumentError(`Levenberg–Marquardt: the start's error or gradient overflows (RSE ${rse}); start from smaller cores`);
  const maxDiagonal = (): number => {
    let m = 0;
    for (let i = 0; i < P; i++) m = Math.max(m, sys.A[i * P + i]!);
    return m;
  };
  let mu = damping * (maxDiagonal() || 1), nu = 2;
  const history: number[] = [];
  let stop: FitStop = "max-sweeps";
  let accepted = 0;
  const M = new Float64Array(P * P), D = new Float64Array(P);
  for (let it = 0; it < maxIterations; it++) {
    if (rse <= targetRse) {
      stop = "target";
      break;
    }
    const dMax = maxDiagonal();
    if (!(dMax > 0) || mu > 1e15 * dMax) {
      stop = "stalled";
      break;
    }
    // Marquardt's scaling, floored so that a core whose columns vanish still gets damped.
    for (let i = 0; i < P; i++) D[i] = Math.max(sys.A[i * P + i]!, 1e-10 * dMax);
    M.set(sys.A);
    for (let i = 0; i < P; i++) M[i * P + i] = M[i * P + i]! + mu * D[i]!;
    let ok = choleskyInPlace(M, P);
    let delta: Float64Array | undefined, trial: TensorNetwork<"f64"> | undefined, trialRse = Infinity, predicted = 0;
    if (ok) {
      const minusG = sys.g.map((x) => -x);
      delta = new Float64Array(P);
      choleskySubstitute(M, P, minusG, delta);
      predicted = 0;
      for (let i = 0; i < P; i++) predicted += 0.5 * delta[i]! * (mu * D[i]! * delta[i]! - sys.g[i]!);
      const next = new Float64Array(P);
      for (let i = 0; i < P; i++) next[i] = theta[i]! + delta[i]!;
      ok = next.every(Number.isFinite) && predicted > 0 && Number.isFinite(predicted);
      if (ok) {
        trial = balanced(structure, next, lay);
        let sq = 0;
        const y = contractNetwork(trial).data;
        for (let i = 0; i < y.length; i++) sq += (y[i]! - target.data[i]!) ** 2;
        trialRse = Math.sqrt(sq) / xNorm;
      }
    }
    const rho = ok && Number.isFinite(trialRse) ? (0.5 * rse * rse - 0.5 * trialRse * trialRse) / predicted : -1;
    if (rho > 0 && trialRse < rse) {
      net = trial!;
      theta = flatten(net, P);
      sys = system(net, target, xNorm, lay);
      rse = sys.rse;
      accepted++;
      mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
      nu = 2;
    } else {
      mu *= nu;
      nu *= 2;
    }
    history.push(rse);
    if (rse <= targetRse) {
      stop = "target";
      break;
    }
    const h = history.length;
    if (h > stallWindow && rse > (1 - stallTolerance) * history[h - 1 - stallWindow]!) {
      stop = "stalled";
      break;
    }
  }
  if (rse <= targetRse) stop = "target";
  return { network: net, rse, history, sweeps: history.length, stop, parameters: P, accepted };
}

/** What {@link fitNetworkLm} takes from fitNetwork's options (validated there). */
export interface LmFitOptions {
  targetRse: number;
  seed: Seed;
  start: TensorNetwork<"f64"> | undefined;
  sigma: number | undefined;
  /** Fresh random starts after a stall above the target. */
  escapes: number;
  /** Iterations of all starts together. */
  lmIterations: number;
  lmMaxParameters: number;
}

/**
 * `fitNetwork(structure, target, { method: "lm" })`: LM from `start` or a random start drawn from
 * the generator of `seed` (the same start as ALS for that seed), and after a stall above the
 * target from up to `escapes` fresh random starts drawn from the same generator, within
 * `lmIterations` in all. Returns the best fit; `sweeps` and `history` cover all starts.
 */
export function fitNetworkLm(structure: NetworkStructure, target: Tensor<"f64">, options: LmFitOptions): FitResult {
  const { targetRse, seed, start, sigma, escapes, lmIterations, lmMaxParameters } = options;
  const rng = new Rng(seed);
  const random = (): TensorNetwork<"f64"> => TensorNetwork.random(structure, rng, sigma !== undefined ? { sigma } : {});
  let net = start ?? random();
  const history: number[] = [];
  let best: LmResult | undefined;
  for (let k = 0; k <= escapes && history.length < lmIterations; k++) {
    if (k > 0) net = random();
    const fit = fitLevenbergMarquardt(net, target, { targetRse, maxIterations: lmIterations - history.length, maxParameters: lmMaxParameters });
    history.push(...fit.history);
    if (best === undefined || fit.rse < best.rse) best = fit;
    if (fit.stop !== "stalled") break;
  }
  const stop: FitStop = best!.rse <= targetRse ? "target" : history.length >= lmIterations ? "max-sweeps" : "stalled";
  return { network: best!.network, rse: best!.rse, history, sweeps: history.length, stop, parameters: best!.parameters, lmIterations: history.length };
}
