/**
 * Fitting a tensor network of a given structure to a full target tensor by alternating least
 * squares: one core at a time, the others fixed, each update the exact minimiser of
 * ‖X − network‖_F over that core (a linear least-squares problem through the core's
 * environment). This is "one evaluation" of the structure-search methods, so it is counted and
 * kept cheap: environments are contracted along an optimised order, and a fit stops early at
 * the target error or when a sweep no longer improves.
 * @module
 */
import { ArgumentError, ShapeError } from "../../errors.js";
import { lstsq } from "../../linalg/decomp/lstsq.js";
import { solve } from "../../linalg/decomp/lu.js";
import { matmul } from "../../linalg/matmul.js";
import { distance, norm } from "../../linalg/norms.js";
import { permute } from "../../linalg/permute.js";
import { Rng, randn, type Seed } from "../../linalg/random.js";
import { Tensor } from "../../linalg/tensor.js";
import { unfold } from "../../linalg/unfold.js";
import { contractAlongPath, contractNetwork } from "../network/contract.js";
import { contractionOrder, type ContractionProblem } from "../network/contraction-order.js";
import { TensorNetwork } from "../network/network.js";
import type { NetworkStructure } from "../network/structure.js";
import { fitLevenbergMarquardt, fitNetworkLm, LM_MAX_PARAMETERS } from "./lm.js";

/** Options of {@link fitNetwork}. */
export interface FitOptions {
  /** Stop when the relative error ‖X − Y‖/‖X‖ falls below this (default 1e-10). */
  targetRse?: number;
  /** Largest number of sweeps over all cores (default 50). */
  maxSweeps?: number;
  /** Stop when a sweep improves the error by less than this fraction of it (default 1e-6). */
  stallTolerance?: number;
  /** Seed of the random start (ignored with `start`); default 1. */
  seed?: Seed;
  /** Start from these cores (a warm start), not from random ones. */
  start?: TensorNetwork<"f64">;
  /** Standard deviation of random starting cores (default: the unit-variance choice of TensorNetwork.random). */
  sigma?: number;
  /**
   * Escapes from local minima (default 0). ALS from a random start often settles on a plateau
   * far above the best error of the structure (on the TnALE demo ring, half of the starts stay
   * at RSE 0.112 for 1000 sweeps while the others reach 4e-8); a perturbation of every core by
   * `escapeNoise` of its RMS value leaves such a plateau. When the error has fallen by less than
   * `escapeProgress` (relative) over the last `escapeWindow` sweeps, or the fit stalls, above
   * the target, the best cores so far are perturbed and the fit goes on — at most `escapes`
   * times, within `maxSweeps` in all. The best fit is returned.
   */
  escapes?: number;
  /** Relative size of an escape's perturbation (default 0.1). */
  escapeNoise?: number;
  /** Sweeps over which progress is judged (default 10) and the relative fall that counts as progress (default 1e-2). */
  escapeWindow?: number;
  escapeProgress?: number;
  /**
   * The fit (default `"als"`, the alternating least squares above). `"lm"`: Levenberg–Marquardt
   * (damped Gauss–Newton) over all cores jointly, which handles loopy graphs where ALS stalls
   * (docs/search.md, "Loopy graphs"); there `escapes` are fresh random starts (an LM stall is a
   * true, often degenerate, local minimum that a perturbation does not leave), drawn from the
   * generator of `seed` after the first start, all within `lmIterations`, and the ALS-only
   * options (`maxSweeps`, `stallTolerance`, `escapeNoise`, `escapeWindow`, `escapeProgress`)
   * are ignored. `"als+lm"`: the ALS fit, then an LM polish of its result (no LM restarts) when
   * it ended above `targetRse`. LM solves dense P×P normal equations, O(P³) per step for P
   * parameters: `"lm"` refuses structures above `lmMaxParameters`, `"als+lm"` skips the polish
   * for them (its result then has `lmIterations` 0).
   */
  method?: "als" | "lm" | "als+lm";
  /** Largest number of LM iterations, all starts together (default 500). */
  lmIterations?: number;
  /** Largest parameter count LM takes on (default 2000). */
  lmMaxParameters?: number;
}

/** Why a fit ended. */
export type FitStop = "target" | "stalled" | "max-sweeps";

/** The result of {@link fitNetwork}. */
export interface FitResult {
  network: TensorNetwork<"f64">;
  /** Relative error ‖X − Y‖_F/‖X‖_F at the end. */
  rse: number;
  /** Relative error after each sweep. */
  history: number[];
  sweeps: number;
  stop: FitStop;
  /** Parameters of the structure (entries of all cores). */
  parameters: number;
  /**
   * LM iterations run (methods `"lm"` and `"als+lm"` only; for `"als+lm"` included in `sweeps`
   * and `history` after the ALS sweeps, 0 when the polish was skipped).
   */
  lmIterations?: number;
}

/**
 * The environment of vertex v: all other cores contracted, with axes v's bonds (in neighbour
 * order) then every mode except v's own, ascending — so that the network is core v contracted
 * with it over the bonds.
 *
 * @example
 * ```ts
 * const s = NetworkStructure.fullyConnected([2, 3, 2, 3], 2);
 * const net = TensorNetwork.random(s, 1);
 * const env = coreEnvironment(net, 1); // bonds (2·2·2) × modes 0, 2, 3
 * const core = net.cores[1]!.reshape([3, 8]);
 * const y = matmul(core, env.reshape([8, 12])).reshape([3, 2, 2, 3]); // mode 1 first
 * console.assert(distance(permute(y, [1, 0, 2, 3]), contractNetwork(net)) < 1e-12);
 * ```
 */
export function coreEnvironment(net: TensorNetwork<"f64">, v: number): Tensor {
  const s = net.structure;
  const V = s.numVertices, E = s.numEdges;
  const edgeIndex = new Map<number, number>();
  s.edges().forEach(({ u, v: w }, k) => edgeIndex.set(Math.min(u, w) * V + Math.max(u, w), k));
  const bond = (a: number, b: number): number => edgeIndex.get(Math.min(a, b) * V + Math.max(a, b))!;
  const others = Array.from({ length: V }, (_, u) => u).filter((u) => u !== v);
  const inputs = others.map((u) => [...(s.hasOpenLeg(u) ? [E + s.perm[u]!] : []), ...s.neighbors(u).map((w) => bond(u, w))]);
  const ownMode = s.hasOpenLeg(v) ? s.perm[v]! : -1;
  const output = [...s.neighbors(v).map((w) => bond(v, w)), ...s.dims.map((_, m) => E + m).filter((l) => l !== E + ownMode)];
  const sizes = [...s.edges().map((e) => e.rank), ...s.dims];
  const problem: ContractionProblem = { inputs, output, sizes };
  const operands = others.map((u) => (s.hasOpenLeg(u) ? net.cores[u]! : net.cores[u]!.reshape(net.cores[u]!.shape.slice(1))) as Tensor);
  if (others.length === 1) return permute(operands[0]!, output.map((l) => inputs[0]!.indexOf(l)));
  const last = contractAlongPath(operands, problem, contractionOrder(problem).path);
  const axes = output.map((l) => last.labels.indexOf(l));
  return axes.every((p, i) => p === i) ? last.t : permute(last.t, axes);
}

/**
 * The least-squares update of core v of `net` against `target` (B its environment as bonds ×
 * rest): by default through the normal equations
 * G = X_(v)·Bᵀ·(B·Bᵀ + δI)⁻¹ with a relative 1e-12 ridge δ; with `stable`, by an SVD of Bᵀ
 * ({@link lstsq}), which costs about twice as much but keeps its accuracy when B is
 * ill-conditioned — the normal equations square B's condition number, and near an exact fit
 * (redundant ranks, error ≲ 1e-5) their rounding error can exceed the error being fitted.
 */
export function updateCore(net: TensorNetwork<"f64">, target: Tensor, v: number, stable = false): Tensor<"f64"> {
  const s = net.structure;
  const shape = s.coreShape(v);
  const bonds = shape.slice(1).reduce((p, d) => p * d, 1);
  const env = coreEnvironment(net, v);
  const B = env.reshape([bonds, env.data.length / bonds]);
  const X = s.hasOpenLeg(v) ? unfold(target, [s.perm[v]!]) : target.reshape([1, target.data.length]);
  if (stable) {
    const { x } = lstsq(permute(B, [1, 0]), permute(X, [1, 0]));
    return permute(x, [1, 0]).reshape(shape) as Tensor<"f64">;
  }
  const gram = matmul(B, B, { transposeB: true });
  let trace = 0;
  for (let i = 0; i < bonds; i++) trace += gram.data[i * bonds + i]!;
  const ridge = 1e-12 * (trace / bonds || 1);
  for (let i = 0; i < bonds; i++) gram.data[i * bonds + i] = gram.data[i * bonds + i]! + ridge;
  return permute(solve(gram, matmul(B, X, { transposeB: true })), [1, 0]).reshape(shape) as Tensor<"f64">;
}

// Every core plus Gaussian noise of `relative` times its RMS entry.
function perturbed(net: TensorNetwork<"f64">, relative: number, rng: Rng): TensorNetwork<"f64"> {
  const cores = net.cores.map((c) => {
    const z = randn(c.shape, rng).data;
    let rms = 0;
    for (let i = 0; i < c.data.length; i++) rms += c.data[i]! * c.data[i]!;
    const scale = relative * Math.sqrt(rms / c.data.length);
    return new Tensor("f64", c.shape.slice(), c.data.map((x, i) => x + scale * z[i]!));
  });
  return new TensorNetwork(net.structure, cores);
}

/**
 * Fits a network of the given structure to `target` (real, full) by alternating least squares,
 * or with `method` by Levenberg–Marquardt over all cores (`"lm"`, for loopy graphs) or ALS then
 * an LM polish (`"als+lm"`); see {@link FitOptions.method}. Deterministic for a given seed or
 * start.
 *
 * @throws {@link ShapeError} if the target's shape is not the structure's mode sizes;
 * {@link ArgumentError} for a complex or non-finite target or bad options, and for `"lm"` on
 * a structure of more than `lmMaxParameters` parameters.
 * @example
 * ```ts
 * // A tensor-train target is fitted exactly by a train of the same ranks.
 * const s = NetworkStructure.tensorTrain([3, 4, 3, 4], 2);
 * const x = contractNetwork(TensorNetwork.random(s, 5));
 * const fit = fitNetwork(s, x, { targetRse: 1e-8, maxSweeps: 200, seed: 2 });
 * console.assert(fit.rse < 1e-8 && fit.stop === "target" && fit.parameters === s.numParameters());
 * // A loop: Levenberg–Marquardt over all cores at once.
 * const ring = NetworkStructure.tensorRing([3, 4, 3], 2);
 * const y = contractNetwork(TensorNetwork.random(ring, 5));
 * const lm = fitNetwork(ring, y, { method: "lm", targetRse: 1e-8, seed: 1 });
 * console.assert(lm.rse < 1e-8 && lm.lmIterations === lm.sweeps);
 * ```
 */
export function fitNetwork(structure: NetworkStructure, target: Tensor, options: FitOptions = {}): FitResult {
  const { targetRse = 1e-10, maxSweeps = 50, stallTolerance = 1e-6, seed = 1, start, sigma, escapes = 0, escapeNoise = 0.1, escapeWindow = 10, escapeProgress = 1e-2 } = options;
  const { method = "als", lmIterations = 500, lmMaxParameters = LM_MAX_PARAMETERS } = options;
  if (target.dtype !== "f64") throw new ArgumentError(`fitNetwork: the target must be real (f64), got ${target.dtype}`);
  if (target.ndim !== structure.numModes || target.shape.some((n, m) => n !== structure.dims[m])) {
    throw new ShapeError(`fitNetwork: target of shape [${target.shape.join(", ")}] for a structure over modes [${structure.dims.join(", ")}]`);
  }
  for (let i = 0; i < target.data.length; i++) if (!Number.isFinite(target.data[i]!)) throw new ArgumentError(`fitNetwork: the target has a non-finite entry at storage index ${i}`);
  if (!(targetRse >= 0) || !Number.isSafeInteger(maxSweeps) || maxSweeps < 1 || !(stallTolerance >= 0)) {
    throw new ArgumentError(`fitNetwork: targetRse ≥ 0, maxSweeps a whole number ≥ 1 and stallTolerance ≥ 0 are required`);
  }
  if (!Number.isSafeInteger(escapes) || escapes < 0 || !(escapeNoise > 0) || !Number.isSafeInteger(escapeWindow) || escapeWindow < 1 || !(escapeProgress >= 0 && escapeProgress < 1)) {
    throw new ArgumentError(`fitNetwork: escapes a whole number ≥ 0, escapeNoise > 0, escapeWindow a whole number ≥ 1 and 0 ≤ escapeProgress < 1 are required`);
  }
  if (method !== "als" && method !== "lm" && method !== "als+lm") throw new ArgumentError(`fitNetwork: method must be "als", "lm" or "als+lm", got ${JSON.stringify(method)}`);
  if (!Number.isSafeInteger(lmIterations) || lmIterations < 1 || !(lmMaxParameters >= 1)) {
    throw new ArgumentError(`fitNetwork: lmIterations a whole number ≥ 1 and lmMaxParameters ≥ 1 are required`);
  }
  if (start !== undefined && !start.structure.equals(structure)) throw new ArgumentError(`fitNetwork: the start network has structure ${start.structure.key()}, not ${structure.key()}`);
  const xNorm = norm(target);
  if (xNorm === 0) throw new ArgumentError(`fitNetwork: the target is zero`);
  if (method === "lm") {
    return fitNetworkLm(structure, target as Tensor<"f64">, { targetRse, seed, start, sigma, escapes, lmIterations, lmMaxParameters });
  }
  if (method === "als+lm") {
    const als = fitNetwork(structure, target, { ...options, method: "als" });
    if (als.rse <= targetRse || structure.numParameters() > lmMaxParameters) return { ...als, lmIterations: 0 };
    const lm = fitLevenbergMarquardt(als.network, target as Tensor<"f64">, { targetRse, maxIterations: lmIterations, maxParameters: lmMaxParameters });
    const history = [...als.history, ...lm.history];
    return { network: lm.network, rse: lm.rse, history, sweeps: history.length, stop: lm.stop, parameters: lm.parameters, lmIterations: lm.sweeps };
  }
  let net = start ?? TensorNetwork.random(structure, seed, sigma !== undefined ? { sigma } : {});
  const history: number[] = [];
  let rse = distance(contractNetwork(net), target) / xNorm;
  let best = { net, rse };
  let stop: FitStop = "max-sweeps";
  let escapesLeft = escapes;
  let stable = false;
  let windowStart = 0; // the sweep from which progress is judged (reset by an escape)
  const noise = escapes > 0 ? new Rng(seed) : undefined;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    if (rse <= targetRse) {
      stop = "target";
      break;
    }
    const before = net;
    const cores = net.cores.slice();
    for (let v = 0; v < structure.numVertices; v++) {
      cores[v] = updateCore(net, target, v, stable);
      net = new TensorNetwork(structure, cores.slice());
    }
    const next = distance(contractNetwork(net), target) / xNorm;
    if (next > rse && !stable) {
      // Exact least-squares updates never raise the error: the normal equations (condition
      // number squared) ran out of accuracy. Undo the sweep and solve by SVD from now on.
      net = before;
      stable = true;
      sweep--;
      continue;
    }
    history.push(next);
    const improved = rse - next;
    rse = next;
    if (rse < best.rse) best = { net, rse };
    if (rse <= targetRse) {
      stop = "target";
      break;
    }
    const stalled = improved < stallTolerance * rse;
    const slow = sweep + 1 - windowStart >= escapeWindow && rse > (1 - escapeProgress) * history[sweep - escapeWindow]!;
    if ((stalled || slow) && escapesLeft > 0) {
      escapesLeft--;
      net = perturbed(best.net, escapeNoise, noise!);
      rse = distance(contractNetwork(net), target) / xNorm;
      windowStart = sweep + 1;
      continue;
    }
    if (stalled) {
      stop = "stalled";
      break;
    }
  }
  if (best.rse < rse) ({ net, rse } = best);
  return { network: net, rse, history, sweeps: history.length, stop, parameters: structure.numParameters() };
}
