import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../../src/errors.js";
import {
  contractionCost,
  contractionOrder,
  pathOptimizers,
  registerPathOptimizer,
  type ContractionProblem,
} from "../../../src/search/network/contraction-order.js";

/** Cheapest total over every sequence of pairwise contractions, by plain recursion (n ≤ 6). */
function bruteForceFlops(p: ContractionProblem): number {
  const best = (live: number[][]): number => {
    if (live.length <= 1) return 0;
    let min = Infinity;
    for (let i = 0; i < live.length; i++)
      for (let j = i + 1; j < live.length; j++) {
        const union = [...new Set([...live[i]!, ...live[j]!])];
        const others = live.filter((_, k) => k !== i && k !== j);
        const kept = union.filter((l) => p.output.includes(l) || others.some((o) => o.includes(l)));
        const step = 2 * union.reduce((q, l) => q * p.sizes[l]!, 1);
        min = Math.min(min, step + best([...others, kept]));
      }
    return min;
  };
  return best(p.inputs.map((l) => [...l]));
}

// Random problems: labels held by one to three operands (hyperedges included), some in the output.
const arbitraryProblem = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    labels: fc.array(fc.record({ size: fc.integer({ min: 1, max: 4 }), holders: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), output: fc.boolean() }), { minLength: 1, maxLength: 8 }),
  })
  .map(({ n, labels }): ContractionProblem => {
    const inputs: number[][] = Array.from({ length: n }, () => []);
    labels.forEach((l, k) => new Set(l.holders.map((h) => h % n)).forEach((h) => inputs[h]!.push(k)));
    return { inputs, output: labels.flatMap((l, k) => (l.output ? [k] : [])), sizes: labels.map((l) => l.size) };
  });

describe("contraction cost", () => {
  it("of a matrix chain in both orders", () => {
    // A (10×100) · B (100×5) · C (5×50)
    const chain = { inputs: [[0, 1], [1, 2], [2, 3]], output: [0, 3], sizes: [10, 100, 5, 50] };
    const left = contractionCost(chain, [[0, 1], [3, 2]]);
    expect(left.flops).toBe(2 * (10 * 100 * 5 + 10 * 5 * 50));
    expect(left.largestIntermediate).toBe(500);
    const right = contractionCost(chain, [[1, 2], [0, 3]]);
    expect(right.flops).toBe(2 * (100 * 5 * 50 + 10 * 100 * 50));
    expect(contractionOrder(chain, "exhaustive").flops).toBe(left.flops);
    expect(contractionOrder(chain, "greedy").flops).toBe(left.flops);
  });

  it("of a single operand is zero", () => {
    const one = { inputs: [[0, 1]], output: [0, 1], sizes: [2, 3] };
    for (const name of ["greedy", "exhaustive", "auto"]) expect(contractionOrder(one, name)).toMatchObject({ path: [], flops: 0 });
  });

  it("rejects malformed paths", () => {
    const p = { inputs: [[0, 1], [1, 2], [2, 0]], output: [], sizes: [2, 2, 2] };
    expect(() => contractionCost(p, [[0, 1]])).toThrow(/3 operands need 2 steps, got 1/);
    expect(() => contractionCost(p, [[0, 1], [0, 2]])).toThrow(/step 1 \[0,2\] must join two different live tensors \(live: 2, 3\)/);
    expect(() => contractionCost(p, [[1, 1], [0, 2]])).toThrow(ArgumentError);
    expect(() => contractionCost(p, [[0, 1], [3, 7]])).toThrow(ArgumentError);
  });

  it("rejects malformed problems", () => {
    expect(() => contractionOrder({ inputs: [], output: [], sizes: [] })).toThrow(/at least one operand/);
    expect(() => contractionOrder({ inputs: [[0, 3]], output: [], sizes: [2, 2] })).toThrow(/operand 0 has label 3, not one of 0…1/);
    expect(() => contractionOrder({ inputs: [[0, 0]], output: [], sizes: [2] })).toThrow(/a label repeats in operand 0/);
    expect(() => contractionOrder({ inputs: [[0]], output: [], sizes: [0] })).toThrow(/label 0 has size 0/);
    expect(() => contractionOrder({ inputs: [[0], [0]], output: [1], sizes: [2, 2] })).toThrow(/output label 1 is in no operand/);
  });
});

describe("optimisers", () => {
  it("exhaustive is optimal over all pairwise orders and never worse than greedy", () => {
    fc.assert(
      fc.property(arbitraryProblem, (p) => {
        const exhaustive = contractionOrder(p, "exhaustive");
        const greedy = contractionOrder(p, "greedy");
        expect(exhaustive.flops).toBe(bruteForceFlops(p));
        expect(exhaustive.flops).toBeLessThanOrEqual(greedy.flops);
        for (const order of [exhaustive, greedy]) {
          expect(order.path.length).toBe(p.inputs.length - 1);
          expect(contractionCost(p, order.path)).toEqual({ flops: order.flops, largestIntermediate: order.largestIntermediate });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("greedy contracts shared bonds before outer products and breaks ties by the lowest ids", () => {
    // A ring of four equal matrices: every neighbouring pair scores the same.
    const ring = { inputs: [[0, 1], [1, 2], [2, 3], [3, 0]], output: [], sizes: [3, 3, 3, 3] };
    expect(contractionOrder(ring, "greedy").path[0]).toEqual([0, 1]);
    // Two disconnected pairs: both bonds go before the outer product, the one freeing more first.
    const two = { inputs: [[0], [1], [0], [1]], output: [], sizes: [5, 7] };
    expect(contractionOrder(two, "greedy").path).toEqual([[1, 3], [0, 2], [4, 5]]);
    const star = { inputs: [[0, 1, 2], [0, 3], [1, 4], [2, 5]], output: [3, 4, 5], sizes: [9, 9, 9, 2, 2, 2] };
    expect(contractionOrder(star, "exhaustive").flops).toBeLessThanOrEqual(contractionOrder(star, "greedy").flops);
  });

  it("auto is exhaustive up to 8 operands and greedy beyond; exhaustive refuses more than 12", () => {
    const chain = (n: number): ContractionProblem => ({
      inputs: Array.from({ length: n }, (_, k) => [k, k + 1]),
      output: [0, n],
      sizes: Array.from({ length: n + 1 }, (_, k) => 2 + ((k * 5) % 7)),
    });
    expect(contractionOrder(chain(8), "auto").path).toEqual(contractionOrder(chain(8), "exhaustive").path);
    expect(contractionOrder(chain(9), "auto").path).toEqual(contractionOrder(chain(9), "greedy").path);
    expect(contractionOrder(chain(12), "exhaustive").flops).toBeLessThanOrEqual(contractionOrder(chain(12), "greedy").flops);
    expect(() => contractionOrder(chain(13), "exhaustive")).toThrow(/13 operands is too many \(at most 12\); use "greedy"/);
    expect(contractionOrder(chain(40), "auto").path.length).toBe(39);
  });

  it("a registry by name", () => {
    expect(pathOptimizers()).toEqual(expect.arrayContaining(["greedy", "exhaustive", "auto"]));
    registerPathOptimizer("test-reversed", (p) => {
      const n = p.inputs.length;
      return Array.from({ length: n - 1 }, (_, k) => [k === 0 ? n - 1 : n + k - 1, n - 2 - k] as [number, number]);
    });
    const p = { inputs: [[0, 1], [1, 2], [2, 3]], output: [0, 3], sizes: [2, 3, 4, 5] };
    expect(contractionOrder(p, "test-reversed")).toMatchObject({ optimizer: "test-reversed", path: [[2, 1], [3, 0]], flops: 2 * (3 * 4 * 5 + 2 * 3 * 5) });
    registerPathOptimizer("test-broken", () => [[0, 0]]);
    expect(() => contractionOrder(p, "test-broken")).toThrow(/3 operands need 2 steps/);
    expect(() => contractionOrder(p, "nope")).toThrow(/unknown optimizer "nope"; registered: greedy, exhaustive, auto/);
    expect(() => registerPathOptimizer("", () => [])).toThrow(ArgumentError);
    expect(() => registerPathOptimizer("x", 3 as never)).toThrow(/needs a function/);
  });
});
