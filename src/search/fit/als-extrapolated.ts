/**
 * The refits of {@link greedySearch}: alternating least squares with extrapolation, which
 * leaves the "swamps" where plain ALS creeps (Harshman 1970; Bro 1998; Ang & Gillis 2019,
 * "Accelerating nonnegative matrix factorization algorithms using extrapolation"). Used by the
 * greedy search's refits and by the evaluations of TnALE and TNLS; fit/als.ts has the plain fit.
 * @module
 */
import { distance, norm } from "../../linalg/norms.js";
import { Tensor } from "../../linalg/tensor.js";
import { updateCore, type FitResult, type FitStop } from "./als.js";
import { contractNetwork } from "../network/contract.js";
import { TensorNetwork } from "../network/network.js";

/** Options of {@link fitExtrapolated}. */
export interface ExtrapolatedFitOptions {
  /** Stop at this relative error. */
  targetRse: number;
  maxSweeps: number;
  /** Stop when a sweep improves the error by less than this fraction of it (default 1e-6). */
  stallTolerance?: number;
  /**
   * Give up when, at the rate of fall of the last `window` sweeps, reaching `targetRse` would
   * take more sweeps than are left (default false). For fits whose only question is whether
   * they reach the target.
   */
  giveUp?: boolean;
  /** Sweeps over which the rate of fall is judged (default 5; none is judged before). */
  window?: number;
}

/**
 * Fits `start`'s structure to `target` by ALS sweeps over all cores, each sweep followed by an
 * extrapolation step G + β·(G − G_prev) from the cores before the sweep, kept when it lowers
 * the error. β adapts: it grows by 1.5 (up to a ceiling that itself grows by 5 %, at most 4)
 * while extrapolation pays, and halves — the ceiling set to the β that failed — when it does
 * not. Where plain ALS creeps along a narrow valley it takes far fewer sweeps (a 5^4 FCTN
 * refitted after one bond was cut: 480 sweeps plain, 18 here; a 3×3×3 triangle from four of
 * ten random starts: above 8e-4 after 300 sweeps plain, 1e-6 within 300 here); a sweep costs
 * one contraction more. It does not leave true local minima — restarts are for those. The error
 * never rises: a sweep that would raise it is undone (see below), so the result is the best
 * network seen.
 */
export function fitExtrapolated(start: TensorNetwork<"f64">, target: Tensor, options: ExtrapolatedFitOptions): FitResult {
  const { targetRse, maxSweeps, stallTolerance = 1e-6, giveUp = false, window = 5 } = options;
  const structure = start.structure;
  const xNorm = norm(target);
  const error = (n: TensorNetwork<"f64">): number => distance(contractNetwork(n), target) / xNorm;
  let net = start, rse = error(net);
  let beta = 0.5, ceiling = 1, stable = false;
  const history: number[] = [];
  let stop: FitStop = "max-sweeps";
  for (let sweep = 0; sweep < maxSweeps && rse > targetRse; sweep++) {
    const before = net;
    const cores = net.cores.slice();
    for (let v = 0; v < structure.numVertices; v++) {
      cores[v] = updateCore(net, target, v, stable);
      net = new TensorNetwork(structure, cores.slice());
    }
    let next = error(net);
    if (next > rse) {
      net = before;
      history.push(rse);
      if (stable) {
        stop = "stalled";
        break;
      }
      // Exact least-squares updates never raise the error: the normal equations, whose
      // condition number is the square of the environment's, have run out of accuracy. The
      // rest of the fit solves by SVD (slower, accurate down to rounding).
      stable = true;
      continue;
    }
    if (sweep > 0) {
      const jumped = new TensorNetwork(structure, net.cores.map((c, v) => {
        const old = before.cores[v]!.data;
        return new Tensor("f64", c.shape.slice(), c.data.map((x, i) => x + beta * (x - old[i]!)));
      }));
      const e = error(jumped);
      if (e < next) {
        net = jumped;
        next = e;
        beta = Math.min(ceiling, 1.5 * beta);
        ceiling = Math.min(4, 1.05 * ceiling);
      } else {
        ceiling = beta;
        beta /= 2;
      }
    }
    history.push(next);
    const improved = rse - next;
    rse = next;
    if (rse <= targetRse) break;
    if (improved < stallTolerance * rse) {
      stop = "stalled";
      break;
    }
    // Sweeps still needed at the recent rate of fall (the error × q per sweep).
    if (giveUp && targetRse > 0 && history.length > window) {
      const q = (rse / history[history.length - 1 - window]!) ** (1 / window);
      if (q >= 1 || Math.log(targetRse / rse) / Math.log(q) > maxSweeps - sweep - 1) {
        stop = "stalled";
        break;
      }
    }
  }
  if (rse <= targetRse) stop = "target";
  return { network: net, rse, history, sweeps: history.length, stop, parameters: structure.numParameters() };
}
