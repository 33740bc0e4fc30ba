import { describe, expect, it } from "vitest";
import { runSweeps, type SweepSettings } from "../../src/completion/run-sweeps.js";
import type { SweepSolver, TrainingSamples } from "../../src/completion/sweep-solver.js";
import { Tensor } from "../../src/linalg/tensor.js";
import { observedFromTensor } from "../../src/search/fit/observed.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";

// Scripted solvers: after sweep t the network is the truth times (1 − e_t), whose relative
// error is exactly e_t on every entry; "fail" makes the sweep report non-finite numbers.
const s = NetworkStructure.tensorTrain([3, 3, 3], 2);
const truth = TensorNetwork.random(s, 1);
const all = observedFromTensor(truth.toFull());
const m = all.values.length;
const train: TrainingSamples = { idx: all.indices.slice(0, 3 * 20), values: all.values.slice(0, 20), m: 20 };
const validation: TrainingSamples = { idx: all.indices.slice(3 * 20), values: all.values.slice(20), m: m - 20 };

function withError(e: number): TensorNetwork<"f64"> {
  const c = truth.cores[0]!;
  return truth.withCores(new Map([[0, new Tensor("f64", c.shape.slice(), (c.data as Float64Array).map((x) => (1 - e) * x))]])) as TensorNetwork<"f64">;
}

function scripted(errors: (number | "fail")[], ridges: number[] = []): SweepSolver {
  let t = 0;
  return {
    sweep(ridge) {
      ridges.push(ridge);
      t++;
      return errors[t] !== "fail";
    },
    network: () => withError(errors[Math.min(t, errors.length - 1)] as number),
    underdetermined: () => [],
  };
}

const settings: SweepSettings = {
  maxSweeps: 50, targetRse: 1e-10, patience: 3, stallTolerance: 1e-4, ridge: 1e-12, ridgeStart: 1e-12, ridgeDecay: 0.7, restarts: 0, onSweep: undefined,
};

describe("runSweeps (the loop of a completion run)", () => {
  it("ends converged at the sweep that reaches the target, returning that network", () => {
    const out = runSweeps(() => scripted([1, 0.5, 1e-3, 1e-11, 1e-12]), train, validation, [2, 2], settings);
    expect(out.reason).toBe("converged");
    expect(out.records.map((r) => r.sweep)).toEqual([1, 2, 3]);
    expect(out.best).toBe(3);
    expect(out.trainRse).toBeCloseTo(1e-11, 14);
    expect(out.records[2]!.validationRse).toBeCloseTo(1e-11, 14);
  });

  it("ends diverged at a non-finite sweep, returning the best finite network", () => {
    const out = runSweeps(() => scripted([1, 0.5, 0.25, "fail", 0.1]), train, validation, [2, 2], settings);
    expect(out.reason).toBe("diverged");
    expect(out.records).toHaveLength(2);
    expect(out.best).toBe(2);
    expect(out.network.cores[0]!.data.every((x) => Number.isFinite(x))).toBe(true);
    expect(out.message).toMatch(/sweep 3 produced non-finite values/);
  });

  it("ends diverged when the training error explodes, returning the best network", () => {
    const out = runSweeps(() => scripted([1, 0.5, 0.01, 1e3]), train, validation, [2, 2], settings);
    expect(out.reason).toBe("diverged");
    expect(out.records.at(-1)!.trainRse).toBeGreaterThan(100);
    expect(out.best).toBe(2);
    expect(out.validationRse).toBeCloseTo(0.01, 12);
  });

  it("ends stalled after `patience` sweeps without a better validation error, keeping the best", () => {
    const out = runSweeps(() => scripted([1, 0.5, 0.3, 0.31, 0.3, 0.32, 0.4]), train, validation, [2, 2], settings);
    expect(out.reason).toBe("stalled");
    expect(out.records).toHaveLength(5);
    expect(out.best).toBe(2);
    expect(out.message).toMatch(/validation error has not improved by 0.0001 \(relative\) for 3 sweeps/);
  });

  it("judges stalls on the training error without a validation split, and max-sweeps otherwise", () => {
    const out = runSweeps(() => scripted([1, 0.5, 0.5, 0.5, 0.5]), train, undefined, [2, 2], settings);
    expect(out.reason).toBe("stalled");
    expect(out.validationRse).toBeNull();
    expect(out.message).toMatch(/training error/);
    const more = runSweeps(() => scripted([1, 0.5, 0.4, 0.3, 0.2]), train, undefined, [2, 2], { ...settings, maxSweeps: 4 });
    expect(more.reason).toBe("max-sweeps");
    expect(more.records).toHaveLength(4);
  });

  it("follows the ridge path: ×0.7 per sweep, ×0.2 once the error tracks the ridge, never below the floor", () => {
    const ridges: number[] = [];
    // Errors 1e-3 × the sweep's ridge from the fourth sweep on: tracking is seen after the fifth.
    const errors = [1, 0.9, 0.8, 0.7, 3.43e-3, 2.401e-3, 4.802e-4, 9.604e-5, 1.9208e-5];
    runSweeps(() => scripted(errors, ridges), train, validation, [2, 2], { ...settings, ridgeStart: 10, ridge: 1e-4, maxSweeps: 8, patience: 100 });
    const expected = [10, 7, 4.9, 3.43, 2.401, 0.4802, 0.09604, 0.019208];
    ridges.forEach((r, i) => expect(r).toBeCloseTo(expected[i]!, 12));
    // Below it, the floor.
    const floor: number[] = [];
    runSweeps(() => scripted([1, 0.5, 0.25, 0.125], floor), train, validation, [2, 2], { ...settings, ridgeStart: 1, ridgeDecay: 0.1, ridge: 0.05, maxSweeps: 3, patience: 100 });
    expect(floor).toEqual([1, 0.1, 0.05]);
  });

  it("counts stalls only once the ridge is at most 0.1", () => {
    // A flat error: with ridgeStart 10 and ×0.7 per sweep, the ridge is ≤ 0.1 from sweep 14;
    // three sweeps without improvement after it (the first sets the mark) end the run.
    const out = runSweeps(() => scripted(new Array(60).fill(0.8)), train, validation, [2, 2], { ...settings, ridgeStart: 10 });
    expect(out.reason).toBe("stalled");
    expect(out.records).toHaveLength(14 + 3);
  });

  it("restarts a start that learnt nothing (validation error above 0.9), and keeps the best over starts", () => {
    const starts: number[] = [];
    const ridges: number[] = [];
    const out = runSweeps((attempt) => {
      starts.push(attempt);
      return attempt === 0 ? scripted([1.3, 1.2, 1.25, 1.3, 1.35, 1.4], ridges) : scripted([1, 0.5, 0.1, 1e-11], ridges);
    }, train, validation, [2, 2], { ...settings, ridgeStart: 0.05, restarts: 2 });
    expect(starts).toEqual([0, 1]);
    expect(out.reason).toBe("converged");
    expect(out.attempts).toBe(2);
    expect(out.records.map((r) => r.attempt)).toEqual([1, 1, 1, 1, 2, 2, 2]);
    expect(out.records.map((r) => r.sweep)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ridges[4]).toBe(0.05); // the ridge path starts again
    expect(out.message).toMatch(/1 restart after starts that learnt nothing/);
    // A start that did learn something (best 0.5) ends the run as stalled instead.
    const stuck = runSweeps(() => scripted([1, 0.5, 0.6, 0.7, 0.8]), train, validation, [2, 2], { ...settings, restarts: 2 });
    expect(stuck.reason).toBe("stalled");
    expect(stuck.attempts).toBe(1);
  });

  it("reports each sweep through onSweep as it is recorded", () => {
    const seen: number[] = [];
    const out = runSweeps(() => scripted([1, 0.5, 0.25, 0.125]), train, validation, [2, 2], {
      ...settings, maxSweeps: 3, onSweep: (r) => seen.push(r.trainRse),
    });
    expect(seen).toEqual(out.records.map((r) => r.trainRse));
    expect(out.records[0]!.ranks).toEqual([2, 2]);
    expect(out.records[0]!.parameters).toBe(s.numParameters());
  });
});
