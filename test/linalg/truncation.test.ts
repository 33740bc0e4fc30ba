import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { truncationRank, type TruncationMode } from "../../src/linalg/decomp/truncation.js";

// σ = (3, 2, 1, 0.5): σ² = (9, 4, 1, 0.25) and every tail sum is exact in binary, so the
// boundary cases (tolerance equal to the tail) test "≤" exactly. Σσ² = 14.25.
// Discarded tails by kept rank r: r=4: 0; r=3: 0.25; r=2: 1.25; r=1: 5.25; r=0: 14.25.
const S = Float64Array.of(3, 2, 1, 0.5);
const TAILS = [0, 0.25, 1.25, 5.25, 14.25];

describe("truncationRank truth table (hand-computed)", () => {
  const table: Array<[TruncationMode, number, number]> = [
    // mode, tol, expected rank
    ["rsum2", 0, 4], // nothing may be dropped
    ["rsum2", 0.02, 3], // 0.02·14.25 = 0.285: drops 0.25, not 1.25
    ["rsum2", 0.1, 2], // 1.425 ≥ 1.25, < 5.25
    ["rsum2", 0.5, 1], // 7.125 ≥ 5.25, < 14.25
    ["rsum2", 1, 1], // all of it may go, but minRank = 1 keeps one
    ["sum2", 0.25, 3], // boundary: tail exactly 0.25
    ["sum2", 1.0, 3], // 1.25 > 1
    ["sum2", 1.25, 2], // boundary
    ["sum2", 5.0, 2],
    ["norm", 0.5, 3], // boundary: √0.25 = 0.5
    ["norm", 1.0, 3], // √1.25 = 1.118 > 1
    ["norm", 1.2, 2],
    ["norm", 2.3, 1], // √5.25 = 2.291
    ["rnorm", 0.2, 3], // √(0.25/14.25) = 0.132, √(1.25/14.25) = 0.296
    ["rnorm", 0.3, 2], // √(5.25/14.25) = 0.607
    ["abs", 0.5, 3], // boundary: σ ≤ 0.5 dropped
    ["abs", 0.49, 4],
    ["abs", 1, 2],
    ["abs", 2.5, 1],
    ["rel", 0.1, 4], // cut 0.3
    ["rel", 0.2, 3], // cut 0.6
    ["rel", 0.4, 2], // cut 1.2
  ];
  for (const [mode, tol, rank] of table) {
    it(`${mode} tol=${tol.toPrecision(4)} keeps ${rank}`, () => {
      const info = truncationRank(S, { mode, tol });
      expect(info.rank).toBe(rank);
      const tail = TAILS[4 - info.rank]!;
      expect(info.discardedWeight).toBe(tail);
      expect(info.discardedNorm).toBe(Math.sqrt(tail));
      expect(info.totalWeight).toBe(14.25);
      expect(info.relativeDiscardedWeight).toBe(tail / 14.25);
      expect(info.mode).toBe(mode);
    });
  }

  it("caps with maxRank, raises with minRank, and says which constraint decided", () => {
    expect(truncationRank(S, { maxRank: 2 })).toMatchObject({ rank: 2, limitedBy: "maxRank" });
    expect(truncationRank(S, { tol: 0.5, minRank: 3 })).toMatchObject({ rank: 3, limitedBy: "minRank" });
    expect(truncationRank(S, { tol: 0.1 })).toMatchObject({ rank: 2, limitedBy: "tolerance" });
    expect(truncationRank(S, {})).toMatchObject({ rank: 4, limitedBy: "none" });
    expect(truncationRank(S, { minRank: 9 }).rank).toBe(4);
    expect(truncationRank(S, { tol: 1, minRank: 0 }).rank).toBe(0);
  });

  it("drops exact zeros by default and keeps one value of a zero matrix", () => {
    expect(truncationRank(Float64Array.of(2, 1, 0, 0)).rank).toBe(2);
    const z = truncationRank(Float64Array.of(0, 0, 0));
    expect(z.rank).toBe(1);
    expect(z.relativeDiscardedWeight).toBe(0);
  });

  it("rejects invalid options with clear errors", () => {
    expect(() => truncationRank(S, { tol: -1 })).toThrow(/tol must be a finite number ≥ 0/);
    expect(() => truncationRank(S, { tol: NaN })).toThrow(ArgumentError);
    expect(() => truncationRank(S, { mode: "relative" as never })).toThrow(/unknown truncation mode "relative"/);
    expect(() => truncationRank(S, { maxRank: 1.5 })).toThrow(/maxRank must be a non-negative integer/);
    expect(() => truncationRank(S, { minRank: 3, maxRank: 2 })).toThrow(/minRank \(3\) exceeds maxRank \(2\)/);
    expect(() => truncationRank(S, { cutoff: 1 } as never)).toThrow(/unknown truncation option "cutoff"/);
  });

  it("keeps the smallest rank whose discarded tail meets the tolerance (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        (vals, tol) => {
          const s = Float64Array.from(vals.sort((a, b) => b - a));
          const info = truncationRank(s, { tol, mode: "sum2", minRank: 0 });
          const tail = (r: number) => s.slice(r).reduce((a, v) => a + v * v, 0);
          expect(tail(info.rank)).toBeLessThanOrEqual(tol * (1 + 1e-12) + 1e-300);
          if (info.rank > 0) expect(tail(info.rank - 1)).toBeGreaterThan(tol * (1 - 1e-12));
        },
      ),
    );
  });
});
