import { describe, expect, it } from "vitest";
import { completeGreedy } from "../../src/completion/greedy.js";
import { completeTensor } from "../../src/completion/complete.js";
import { completedEntries } from "../../src/completion/completed.js";
import { ArgumentError } from "../../src/errors.js";
import { Rng } from "../../src/linalg/random.js";
import { observedEntries, sampleObserved, type ObservedEntries } from "../../src/search/fit/observed.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { captureError } from "../helpers/reference.js";

// A train 6⁴ of ranks (2, 3, 2), 96 parameters, from 40 % of its 1296 entries.
const planted = NetworkStructure.tensorTrain([6, 6, 6, 6], [2, 3, 2]);
const truth = TensorNetwork.random(planted, 1).toFull();
const observed = sampleObserved(truth, 0.4, 2);

function hiddenRse(net: TensorNetwork<"f64">, obs: ObservedEntries): number {
  const seen = new Set<number>();
  for (let s = 0; s < obs.values.length; s++) seen.add(obs.indices.subarray(s * 4, s * 4 + 4).reduce((o, i, k) => o * obs.shape[k]! + i, 0));
  const hidden = Array.from({ length: truth.size }, (_, o) => o).filter((o) => !seen.has(o));
  const idx = new Int32Array(hidden.length * 4);
  hidden.forEach((o, s) => [6 ** 3, 6 ** 2, 6, 1].forEach((stride, k) => (idx[s * 4 + k] = Math.floor(o / stride) % 6)));
  const y = completedEntries(net, idx);
  let num = 0, den = 0;
  hidden.forEach((o, s) => ((num += (y[s]! - (truth.data[o] as number)) ** 2), (den += (truth.data[o] as number) ** 2)));
  return Math.sqrt(num / den);
}

describe("completeGreedy", () => {
  // The planted ranks are found from the trains', the rings' and all pairs' candidates alike, and
  // the missing entries are recovered (reference: the planted tensor; 1e-8 is the search's target).
  it.each(["train", "ring", "all-pairs"] as const)("finds the planted train's 96 parameters from %s candidates and completes it", (candidates) => {
    const r = completeGreedy(observed, { candidates, seed: 1 });
    expect(r.stop).toBe("target");
    expect(r.parameters).toBe(planted.numParameters());
    expect(r.structure.edges().map((e) => e.rank).sort()).toEqual([2, 2, 3]);
    expect(r.validationRse).toBeLessThan(1e-8);
    expect(hiddenRse(r.network, observed)).toBeLessThan(1e-8);
    // Steps report the validation error; the last step is the result.
    expect(r.steps.at(-1)!.rse).toBe(r.validationRse);
    expect(r.steps.at(-1)!.structure).toBe(r.structure.key());
  });

  it("stops on noise when validation stops improving, returning the best network seen", () => {
    // The planted train plus 10 % noise: no rank beyond the planted ones helps unseen entries.
    const rng = new Rng(5);
    const noisy = observedEntries(observed.shape, observed.indices, Array.from(observed.values, (x) => x + 0.1 * rng.normal() * Math.sqrt((truth.data as Float64Array).reduce((s, v) => s + v * v, 0) / truth.size)));
    const r = completeGreedy(noisy, { candidates: "train", seed: 1, patience: 2 });
    expect(r.stop).toBe("no-gain");
    const best = Math.min(...r.steps.map((s) => s.rse));
    expect(r.validationRse).toBe(best);
    // The raises after the best (the two patience allowed, none better by 1 %) are not kept.
    expect(r.steps.at(-1)!.rse).toBe(best);
    expect(r.structure.key()).toBe(r.steps.at(-1)!.structure);
    expect(hiddenRse(r.network, noisy)).toBeLessThan(0.2);
  });

  it("is deterministic for a seed and does not depend on the order of the entries", () => {
    const m = observed.values.length, order = Array.from({ length: m }, (_, s) => m - 1 - s);
    const reversed = observedEntries(observed.shape, order.map((s) => Array.from(observed.indices.subarray(s * 4, s * 4 + 4))), order.map((s) => observed.values[s]!));
    const a = completeGreedy(observed, { candidates: "ring", seed: 3, maxSteps: 3 }), b = completeGreedy(reversed, { candidates: "ring", seed: 3, maxSteps: 3 });
    expect(b.steps).toEqual(a.steps);
    expect(Array.from(b.network.cores[1]!.data)).toEqual(Array.from(a.network.cores[1]!.data));
  });

  it("holds out the same split as completeTensor, whole fibres with validationGroupModes", () => {
    const r = completeGreedy(observed, { seed: 4, maxSteps: 1, validationGroupModes: [3] });
    const c = completeTensor(observed, { structure: planted, seed: 4, maxSweeps: 1, validationGroupModes: [3] });
    expect(Array.from(r.split.validation.indices)).toEqual(Array.from(c.split.validation!.indices));
    expect(r.split.train.values.length + r.split.validation.values.length).toBe(observed.values.length);
  });

  it("rejects bad options with clear errors", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ validationFraction: 0 }, /validationFraction must lie in \(0, 1\)/],
      [{ candidates: "star" }, /candidates must be/],
      [{ candidates: [[1, 0]] }, /not a pair \[u, v\]/],
      [{ candidates: [[0, 1], [0, 1]] }, /listed twice/],
      [{ patience: 0 }, /patience/],
      [{ minGain: 1 }, /minGain/],
      [{ ridge: -1 }, /ridge/],
      [{ rank: 3 }, /unknown option "rank"/],
      [{ validationGroupModes: [4] }, /validationGroupModes/],
    ];
    for (const [o, message] of bad) {
      const e = captureError(() => completeGreedy(observed, o as never));
      expect(e, JSON.stringify(o)).toBeInstanceOf(ArgumentError);
      expect(e.message).toMatch(message);
    }
    expect(captureError(() => completeGreedy(null as never))).toBeInstanceOf(ArgumentError);
  });
});
