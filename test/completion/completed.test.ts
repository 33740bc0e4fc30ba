import { describe, expect, it } from "vitest";
import { completeTensor } from "../../src/completion/complete.js";
import { completedEntries, completedTensor } from "../../src/completion/completed.js";
import { ArgumentError, ShapeError } from "../../src/errors.js";
import { observedEntries, sampleObserved } from "../../src/search/fit/observed.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { captureError } from "../helpers/reference.js";


describe("completedEntries and completedTensor", () => {
  const s = NetworkStructure.tensorRing([3, 4, 5], 2);
  const net = TensorNetwork.random(s, 1);
  const full = net.toFull();

  it("give the network's entries, exactly as its full tensor", () => {
    const y = completedEntries(net, [[0, 0, 0], [2, 3, 4], [1, 2, 3]]);
    expect(y).toBeInstanceOf(Float64Array);
    expect(Math.abs(y[1]! - (full.get(2, 3, 4) as number))).toBeLessThan(1e-13);
    expect(Math.abs(y[2]! - (full.get(1, 2, 3) as number))).toBeLessThan(1e-13);
    const model = completedTensor(net, undefined, { restoreObserved: false });
    expect(Array.from(model.data)).toEqual(Array.from(full.data));
  });

  it("restore every observed entry (validation ones included) by default", () => {
    const x = TensorNetwork.random(s, 2).toFull();
    const observed = sampleObserved(x, 0.5, 3);
    const result = completeTensor(observed, { structure: s, seed: 4, maxSweeps: 3 });
    const restored = completedTensor(result, observed);
    const model = completedTensor(result, observed, { restoreObserved: false });
    const d = 3;
    for (let t = 0; t < observed.values.length; t++) {
      const i = Array.from(observed.indices.subarray(t * d, (t + 1) * d));
      expect(restored.get(...i)).toBe(observed.values[t]);
    }
    const seen = new Set(Array.from({ length: observed.values.length }, (_, t) => observed.indices.subarray(t * d, (t + 1) * d).join(",")));
    let others = 0;
    for (let p = 0; p < x.size; p++) {
      const i = [Math.floor(p / 20), Math.floor(p / 5) % 4, p % 5];
      if (seen.has(i.join(","))) continue;
      expect(restored.data[p]).toBe(model.data[p]);
      others++;
    }
    expect(others).toBe(x.size - observed.values.length);
    expect(Math.abs(completedEntries(result, [[1, 1, 1]])[0]! - (model.get(1, 1, 1) as number))).toBeLessThan(1e-13);
  });

  it("reject bad input with clear errors", () => {
    expect(captureError(() => completedTensor(net))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => completedTensor(net)).message).toMatch(/restoreObserved: false/);
    expect(captureError(() => completedTensor(net, observedEntries([3, 4, 6], [[0, 0, 0]], [1])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => completedTensor(net, undefined, { restoreObserved: "no" as unknown as boolean }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => completedEntries(net, [[3, 0, 0]]))).toBeInstanceOf(ShapeError);
    expect(captureError(() => completedEntries({} as never, [[0, 0, 0]]))).toBeInstanceOf(ArgumentError);
    const complex = TensorNetwork.random(s, 1, { dtype: "c128" });
    expect(captureError(() => completedEntries(complex, [[0, 0, 0]])).message).toMatch(/must be real/);
    // 2^30 entries: the dense tensor is refused before anything is contracted.
    const huge = TensorNetwork.random(NetworkStructure.tensorTrain([1024, 1024, 1024], 2), 1);
    expect(captureError(() => completedTensor(huge, undefined, { restoreObserved: false })).message).toMatch(/use completedEntries/);
    expect(completedEntries(huge, [[1023, 0, 512]])).toHaveLength(1);
  });
});
