import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../../src/errors.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { randn } from "../../../src/linalg/random.js";
import { scale } from "../../../src/linalg/elementwise.js";
import type { Tensor } from "../../../src/linalg/tensor.js";
import { Tree } from "../../../src/tn/tree.js";
import { fitLossGradient, fitNetworkAdam } from "../../../src/search/fit/adam.js";
import { observedRse, sampleObserved, splitObserved, type ObservedEntries } from "../../../src/search/fit/observed.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";
import { captureError } from "../../helpers/reference.js";


// The loss ½·RSE² computed independently of the gradient code: from the full tensor, or from
// observedRse (batched entries).
function loss(net: TensorNetwork<"f64">, target: Tensor | ObservedEntries): number {
  if ("dtype" in target) return 0.5 * (distance(net.toFull(), target) / norm(target)) ** 2;
  return 0.5 * observedRse(net, target) ** 2;
}

describe("fitLossGradient", () => {
  // Central differences with h = 1e-5 on a loss of order one: truncation error ~h²·|f'''| and
  // round-off ~ε/h, both near 1e-10, far below the 1e-6 relative tolerance.
  const structures: Array<[string, NetworkStructure]> = [
    ["fully connected", NetworkStructure.fullyConnected([2, 3, 2, 3], 2)],
    ["ring, permuted", NetworkStructure.tensorRing([3, 2, 3, 2], [2, 3, 2, 2], [1, 3, 0, 2])],
    ["tree with an inner vertex", NetworkStructure.fromTree(Tree.fromSpec([[0, 1], [2, 3]]), [2, 3, 2, 3], 2)],
  ];
  for (const [name, s] of structures) {
    for (const kind of ["full", "observed"] as const) {
      it(`matches central finite differences: ${name}, ${kind} target`, () => {
        const net = TensorNetwork.random(s, 1) as TensorNetwork<"f64">;
        const x = randn(s.dims.slice(), 2);
        const target = kind === "full" ? x : sampleObserved(x, 0.5, 3);
        const { gradients, loss: value, rse } = fitLossGradient(net, target);
        expect(Math.abs(value - loss(net, target))).toBeLessThan(1e-14);
        expect(Math.abs(rse - Math.sqrt(2 * value))).toBeLessThan(1e-14);
        const h = 1e-5;
        let worst = 0, largest = 0;
        net.cores.forEach((core, v) => {
          for (let i = 0; i < core.data.length; i++) {
            const at = (d: number): number => {
              const c = core.clone();
              c.data[i] = c.data[i]! + d;
              return loss(net.withCores(new Map([[v, c]])), target);
            };
            const fd = (at(h) - at(-h)) / (2 * h);
            worst = Math.max(worst, Math.abs(fd - gradients[v]!.data[i]!));
            largest = Math.max(largest, Math.abs(fd));
          }
        });
        expect(worst / largest).toBeLessThan(1e-6);
      });
    }
  }

  it("rejects targets that do not fit", () => {
    const net = TensorNetwork.random(NetworkStructure.tensorTrain([2, 3], 2), 1);
    expect(captureError(() => fitLossGradient(net, randn([3, 2], 1)))).toBeInstanceOf(ShapeError);
    expect(captureError(() => fitLossGradient(net, randn([2, 3], 1, { dtype: "c128" })))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitLossGradient(net, scale(randn([2, 3], 1), 0)))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitLossGradient(TensorNetwork.random(NetworkStructure.tensorTrain([2, 3], 2), 1, { dtype: "c128" }), randn([2, 3], 1)))).toBeInstanceOf(ArgumentError);
  });
});

describe("fitNetworkAdam", () => {
  it("reaches planted trains and rings to RSE < 1e-8, full and observed", () => {
    // Measured at the default step size 0.03: 450–630 steps to 1e-10 for these targets.
    const tt = NetworkStructure.tensorTrain([4, 4, 4, 4], 2);
    const xt = TensorNetwork.random(tt, 3).toFull();
    const a = fitNetworkAdam(tt, xt, { targetRse: 1e-8, maxSteps: 1500, seed: 1 });
    expect(a.stop).toBe("target");
    expect(a.rse).toBeLessThan(1e-8);
    expect(distance(a.network.toFull(), xt) / norm(xt)).toBeLessThan(1e-8);
    const ring = NetworkStructure.tensorRing([4, 4, 4, 4], 2);
    const xr = TensorNetwork.random(ring, 3).toFull();
    const obs = sampleObserved(xr, 0.5, 1);
    const b = fitNetworkAdam(ring, obs, { targetRse: 1e-8, maxSteps: 1500, seed: 1 });
    expect(b.stop).toBe("target");
    expect(b.rse).toBeLessThan(1e-8);
    expect(distance(b.network.toFull(), xr) / norm(xr)).toBeLessThan(1e-6); // the unobserved half too
  });

  it("is deterministic for a seed, and the same for a target at any scale", () => {
    const s = NetworkStructure.tensorRing([3, 4, 3], 2);
    const x = randn([3, 4, 3], 5);
    const a = fitNetworkAdam(s, x, { maxSteps: 60, seed: 2 }), b = fitNetworkAdam(s, x, { maxSteps: 60, seed: 2 });
    expect(b.history).toEqual(a.history);
    expect(fitNetworkAdam(s, x, { maxSteps: 60, seed: 3 }).history).not.toEqual(a.history);
    // Targets are scaled to unit RMS: 1000·x takes the same steps (up to rounding), and the
    // network returned is 1000 times as large.
    const big = fitNetworkAdam(s, scale(x, 1000), { maxSteps: 60, seed: 2 });
    big.history.forEach((e, k) => expect(Math.abs(e - a.history[k]!)).toBeLessThan(1e-9));
    expect(distance(scale(a.network.toFull(), 1000), big.network.toFull()) / (1000 * norm(x))).toBeLessThan(1e-9);
    // A warm start continues from where a fit ended.
    const warm = fitNetworkAdam(s, x, { maxSteps: 5, start: a.network });
    expect(Math.abs(warm.history[0]! - a.rse)).toBeLessThan(0.1 * a.rse);
  });

  it("stops when the error stalls and returns the best iterate; with validation, the lowest validation error", () => {
    const s = NetworkStructure.tensorTrain([4, 4, 4], 2);
    const x = randn([4, 4, 4], 7); // far from rank 2: the error levels off
    const fit = fitNetworkAdam(s, x, { maxSteps: 3000, patience: 30, seed: 1 });
    expect(fit.stop).toBe("stalled");
    expect(fit.sweeps).toBeLessThan(3000);
    expect(fit.rse).toBe(Math.min(...fit.history));
    expect(fit.history[fit.best - 1]).toBe(fit.rse);
    expect(Math.abs(distance(fit.network.toFull(), x) / norm(x) - fit.rse)).toBeLessThan(1e-12);
    const obs = sampleObserved(x, 0.8, 2);
    const { train, validation } = splitObserved(obs, 0.25, 3);
    const v = fitNetworkAdam(s, train, { validation, maxSteps: 400, patience: 30, seed: 1 });
    expect(v.validationHistory!.length).toBe(v.sweeps);
    expect(v.validationRse).toBe(Math.min(...v.validationHistory!));
    expect(Math.abs(observedRse(v.network, validation) - v.validationRse!)).toBeLessThan(1e-12);
    expect(Math.abs(observedRse(v.network, train) - v.rse)).toBeLessThan(1e-12);
  });

  it("rejects bad options", () => {
    const s = NetworkStructure.tensorTrain([3, 3], 2);
    const x = randn([3, 3], 1);
    expect(captureError(() => fitNetworkAdam(s, x, { learningRate: 0 }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitNetworkAdam(s, x, { beta1: 1 }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitNetworkAdam(s, x, { maxSteps: 1.5 }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitNetworkAdam(s, x, { patience: 0 }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => fitNetworkAdam(s, randn([3, 4], 1)))).toBeInstanceOf(ShapeError);
  });
});
