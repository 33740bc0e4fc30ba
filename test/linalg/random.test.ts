import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, DTypeError, ShapeError } from "../../src/errors.js";
import { rand, randn, Rng } from "../../src/linalg/random.js";

// Outputs of test/fixtures/random/xoshiro_ref.c, an independent C implementation written from
// the published algorithm descriptions (see that file for how to regenerate the JSON).
interface RefCase {
  seed: string;
  state: number[];
  uint32: number[];
  float64: string[];
  stateAfterJump: number[];
  uint32AfterJump: number[];
}
const REF = JSON.parse(
  readFileSync(new URL("../fixtures/random/xoshiro_ref.json", import.meta.url), "utf8"),
) as { cases: RefCase[] };

function take(n: number, f: () => number): number[] {
  return Array.from({ length: n }, f);
}

function meanVar(x: ArrayLike<number>, stride = 1, offset = 0): { mean: number; variance: number; n: number } {
  let n = 0;
  let s = 0;
  for (let i = offset; i < x.length; i += stride, n++) s += x[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = offset; i < x.length; i += stride) ss += (x[i]! - mean) ** 2;
  return { mean, variance: ss / (n - 1), n };
}

/** The polar method written again from its description, on top of nextFloat64 (a test oracle). */
function polarOracle(rng: Rng, count: number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const u = 2 * rng.nextFloat64() - 1;
    const v = 2 * rng.nextFloat64() - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    out.push(u * f, v * f);
  }
  return out;
}

describe("Rng against the C reference (xoshiro128** + SplitMix64)", () => {
  it("the fixture covers the seeds the regression contract names", () => {
    expect(REF.cases.map((c) => c.seed)).toEqual(["0", "1", "42", "9007199254740991", "18446744073709551615"]);
  });

  for (const c of REF.cases) {
    describe(`seed ${c.seed}`, () => {
      const seeds: Array<number | bigint> = [BigInt(c.seed)];
      if (Number.isSafeInteger(Number(c.seed)) && BigInt(Number(c.seed)) === BigInt(c.seed)) seeds.push(Number(c.seed));

      it("seeds the state words low word first", () => {
        for (const seed of seeds) expect(new Rng(seed).state()).toEqual(c.state);
      });

      it("gives the first 8 uint32 outputs", () => {
        for (const seed of seeds) {
          const r = new Rng(seed);
          expect(take(8, () => r.nextUint32())).toEqual(c.uint32);
        }
      });

      it("gives the first 4 float64 values bit for bit", () => {
        const r = new Rng(BigInt(c.seed));
        expect(take(4, () => r.nextFloat64())).toEqual(c.float64.map(Number));
      });

      it("jump() lands on the reference state and continues with the reference outputs", () => {
        const r = new Rng(BigInt(c.seed));
        r.jump();
        expect(r.state()).toEqual(c.stateAfterJump);
        expect(take(8, () => r.nextUint32())).toEqual(c.uint32AfterJump);
      });

      it("fork() returns a generator on the jumped stream and moves the parent past it", () => {
        const parent = new Rng(BigInt(c.seed));
        const child = parent.fork();
        expect(child.state()).toEqual(c.stateAfterJump);
        expect(take(8, () => child.nextUint32())).toEqual(c.uint32AfterJump);
        const twice = Rng.fromState(c.stateAfterJump);
        twice.jump();
        expect(parent.state()).toEqual(twice.state());
      });
    });
  }
});

describe("Rng regression values (produced by this TypeScript implementation)", () => {
  // Not from the C reference: these pin the polar method and its consumption order so that any
  // change to them shows up. Written with 17 significant digits, which identify a double exactly.
  it("the first 4 normals for seed 42", () => {
    const r = new Rng(42);
    expect(take(4, () => r.normal())).toEqual([
      1.0873020675225118, 1.3373747636261168, 0.74099354644621707, 0.52942551358650791,
    ]);
    expect(Array.from(randn([4], 42).data)).toEqual([
      1.0873020675225118, 1.3373747636261168, 0.74099354644621707, 0.52942551358650791,
    ]);
  });

  it("normals match the polar method rebuilt from nextFloat64 (the inlined generator step agrees)", () => {
    for (const seed of [0, 1, 42, 2 ** 53 - 1]) {
      const want = polarOracle(new Rng(seed), 2000);
      const got = new Rng(seed).fillNormal(new Float64Array(2000));
      expect(Array.from(got)).toEqual(want);
      // ...and leave the generator in the same state.
      const a = new Rng(seed);
      a.fillNormal(new Float64Array(2000));
      const b = new Rng(seed);
      polarOracle(b, 2000);
      expect(a.state()).toEqual(b.state());
    }
  });
});

describe("Rng methods", () => {
  it("nextFloat64 is a multiple of 2^-53 in [0, 1); nextFloat32 is a float32 in [0, 1)", () => {
    const r = new Rng(11);
    for (let i = 0; i < 10000; i++) {
      const u = r.nextFloat64();
      expect(u >= 0 && u < 1 && Number.isInteger(u * 2 ** 53)).toBe(true);
      const f = r.nextFloat32();
      expect(f >= 0 && f < 1 && Math.fround(f) === f && Number.isInteger(f * 2 ** 24)).toBe(true);
    }
  });

  it("nextFloat32 uses the top 24 bits of one output", () => {
    const a = new Rng(5);
    const b = new Rng(5);
    for (let i = 0; i < 100; i++) expect(a.nextFloat32()).toBe((b.nextUint32() >>> 8) / 2 ** 24);
  });

  it("normal(): mean and variance of 10^5 variates within 5 standard errors", () => {
    const n = 100_000;
    const x = new Rng(2024).fillNormal(new Float64Array(n));
    const { mean, variance } = meanVar(x);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    // Var of the sample variance of N(0, 1) is 2/(n−1).
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / (n - 1)));
    // Tails: P(|z| > 3) = 0.0027; expect about 270.
    const tail = x.filter((v) => Math.abs(v) > 3).length;
    expect(tail).toBeGreaterThan(270 - 5 * Math.sqrt(270));
    expect(tail).toBeLessThan(270 + 5 * Math.sqrt(270));
  });

  it("fillNormal equals repeated normal(), sharing the cached variate across calls", () => {
    const a = new Rng(77);
    const b = new Rng(77);
    const got: number[] = [];
    for (const len of [1, 0, 3, 2, 5, 1, 1, 4]) got.push(...a.fillNormal(new Float64Array(len)));
    const want = take(got.length, () => b.normal());
    expect(got).toEqual(want);
    expect(a.state()).toEqual(b.state());
  });

  it("fillNormal scales and rounds into Float32Array", () => {
    const x = new Rng(3).fillNormal(new Float32Array(7), 2.5);
    const r = new Rng(3);
    expect(Array.from(x)).toEqual(take(7, () => Math.fround(r.normal() * 2.5)));
  });

  it("uniform(lo, hi) stays in [lo, hi) and is uniform", () => {
    const r = new Rng(8);
    const n = 100_000;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = r.uniform(-2, 6);
    expect(x.every((v) => v >= -2 && v < 6)).toBe(true);
    const { mean, variance } = meanVar(x);
    const sd = 8 / Math.sqrt(12);
    expect(Math.abs(mean - 2)).toBeLessThan((5 * sd) / Math.sqrt(n));
    expect(Math.abs(variance - sd * sd)).toBeLessThan(0.02 * sd * sd);
  });

  it("uniform never returns hi even when rounding would", () => {
    const r = new Rng(1);
    const lo = 1;
    const hi = 1 + 2 ** -52;
    for (let i = 0; i < 1000; i++) expect(r.uniform(lo, hi)).toBe(lo);
    const big = new Rng(2);
    for (let i = 0; i < 1000; i++) expect(big.uniform(-8e307, 8e307)).toBeLessThan(8e307);
  });

  it("integer(lo, hi) is in range and passes a chi-square check on a small range", () => {
    const r = new Rng(99);
    const k = 6;
    const n = 60_000;
    const counts = new Array<number>(k).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const v = r.integer(10, 10 + k);
      if (Number.isInteger(v) && v >= 10 && v < 10 + k) counts[v - 10]!++;
      else outside++;
    }
    expect(outside).toBe(0);
    const e = n / k;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    // 5 degrees of freedom: P(χ² > 30) ≈ 1.5e-5.
    expect(chi2).toBeLessThan(30);
  });

  it("integer has no modulo bias where modulo would be badly biased (range 3·2^30)", () => {
    // x mod 3·2^30 on 32-bit x would put half the mass in the first third.
    const r = new Rng(5);
    const range = 3 * 2 ** 30;
    const n = 30_000;
    const thirds = [0, 0, 0];
    for (let i = 0; i < n; i++) thirds[Math.floor(r.integer(0, range) / 2 ** 30)]!++;
    for (const c of thirds) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(5 * Math.sqrt(2 / 9 / n));
  });

  it("integer handles ranges beyond 2^32 and up to 2^53", () => {
    const r = new Rng(6);
    const lo = -(2 ** 52);
    const hi = 2 ** 52;
    let below = 0;
    for (let i = 0; i < 4000; i++) {
      const v = r.integer(lo, hi);
      expect(Number.isSafeInteger(v) && v >= lo && v < hi).toBe(true);
      if (v < 0) below++;
    }
    expect(Math.abs(below / 4000 - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 4000));
    const range = 3 * 2 ** 40;
    for (let i = 0; i < 1000; i++) {
      const v = r.integer(0, range);
      expect(v >= 0 && v < range && Number.isInteger(v)).toBe(true);
    }
    expect(r.integer(7, 8)).toBe(7);
  });

  it("shuffle is an in-place permutation, deterministic, and works on typed arrays", () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const out = new Rng(12).shuffle(a);
    expect(out).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Rng(12).shuffle(Array.from({ length: 50 }, (_, i) => i))).toEqual(a);
    const t = new Rng(12).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(t)).toEqual(a);
    expect(new Rng(1).shuffle([])).toEqual([]);
    expect(new Rng(1).shuffle(["x"])).toEqual(["x"]);
  });

  it("shuffle makes all 6 orders of 3 items about equally often", () => {
    const r = new Rng(21);
    const counts = new Map<string, number>();
    const n = 30_000;
    for (let i = 0; i < n; i++) {
      const key = r.shuffle(["a", "b", "c"]).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const e = n / 6;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(30);
  });

  it("choice gives k distinct indices in range, the prefix of the same-state shuffle", () => {
    for (const [n, k] of [[10, 3], [10, 10], [10, 9], [1000, 5], [5, 0], [0, 0], [1, 1]] as const) {
      const idx = new Rng(n * 31 + k).choice(n, k);
      expect(idx).toHaveLength(k);
      expect(new Set(idx).size).toBe(k);
      expect(idx.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true);
      const perm = new Rng(n * 31 + k).shuffle(Array.from({ length: n }, (_, i) => i));
      expect(idx).toEqual(perm.slice(0, k));
    }
    // Huge n needs only O(k) memory.
    const big = new Rng(4).choice(2 ** 50, 20);
    expect(new Set(big).size).toBe(20);
    expect(big.every((i) => i >= 0 && i < 2 ** 50)).toBe(true);
  });

  it("fork() gives a different stream from the parent's, and forks of one parent differ", () => {
    const parent = new Rng(42);
    const c1 = parent.fork();
    const c2 = parent.fork();
    const streams = [parent, c1, c2].map((g) => take(16, () => g.nextUint32()).join());
    expect(new Set(streams).size).toBe(3);
    const plain = new Rng(42);
    expect(take(16, () => plain.nextUint32()).join()).not.toBe(streams[0]);
  });

  it("jump keeps the cached normal; a fork starts without one", () => {
    const r = new Rng(9);
    r.normal();
    expect(r.state()).toHaveLength(5);
    const spare = r.state()[4];
    r.jump();
    expect(r.state()[4]).toBe(spare);
    const child = r.fork();
    expect(child.state()).toHaveLength(4);
    expect(r.normal()).toBe(spare);
  });

  it("state() survives JSON and resumes the identical sequence", () => {
    const r = new Rng(123n);
    r.normal();
    r.nextUint32();
    const saved = JSON.parse(JSON.stringify(r.state())) as number[];
    const q = Rng.fromState(saved);
    expect(take(5, () => q.normal())).toEqual(take(5, () => r.normal()));
    expect(take(5, () => q.nextUint32())).toEqual(take(5, () => r.nextUint32()));
  });
});

describe("Rng argument validation", () => {
  it.each([
    [-1, /non-negative/],
    [1.5, /integer/],
    [Number.NaN, /NaN/],
    [Number.POSITIVE_INFINITY, /integer/],
    [2 ** 53, /bigint/],
    [2 ** 64, /2\^64/],
    [-1n, /\[0, 2\^64\)/],
    [2n ** 64n, /\[0, 2\^64\)/],
  ] as Array<[number | bigint, RegExp]>)("rejects seed %s", (seed, message) => {
    expect(() => new Rng(seed)).toThrow(ArgumentError);
    expect(() => new Rng(seed)).toThrow(message);
    expect(() => randn([2], seed)).toThrow(ArgumentError);
    expect(() => rand([2], seed)).toThrow(ArgumentError);
  });

  it("rejects seeds that are not numbers or bigints", () => {
    expect(() => new Rng("42" as unknown as number)).toThrow(ArgumentError);
    expect(() => new Rng(undefined as unknown as number)).toThrow(ArgumentError);
  });

  it("accepts the extreme seeds", () => {
    expect(() => new Rng(0)).not.toThrow();
    expect(() => new Rng(Number.MAX_SAFE_INTEGER)).not.toThrow();
    expect(() => new Rng(2n ** 64n - 1n)).not.toThrow();
  });

  it("rejects empty or invalid ranges", () => {
    const r = new Rng(1);
    expect(() => r.uniform(1, 1)).toThrow(ArgumentError);
    expect(() => r.uniform(2, 1)).toThrow(/lo < hi/);
    expect(() => r.uniform(0, Number.NaN)).toThrow(ArgumentError);
    expect(() => r.uniform(0, Number.POSITIVE_INFINITY)).toThrow(ArgumentError);
    expect(() => r.uniform(-Number.MAX_VALUE, Number.MAX_VALUE)).toThrow(/overflows/);
    expect(() => r.integer(3, 3)).toThrow(/lo < hiExclusive/);
    expect(() => r.integer(5, 2)).toThrow(ArgumentError);
    expect(() => r.integer(0.5, 2)).toThrow(/safe integers/);
    expect(() => r.integer(0, 2 ** 53 + 2)).toThrow(ArgumentError);
    expect(() => r.integer(-(2 ** 53 - 1), 2 ** 53 - 1)).toThrow(/exceeds 2\^53/);
    expect(() => r.choice(3, 4)).toThrow(/cannot choose 4/);
    expect(() => r.choice(-1, 0)).toThrow(ArgumentError);
    expect(() => r.choice(3, 1.5)).toThrow(ArgumentError);
  });

  it("a rejected call leaves the generator untouched", () => {
    const r = new Rng(1);
    const before = r.state();
    expect(() => r.integer(2, 1)).toThrow();
    expect(() => randn([-1], r)).toThrow(ShapeError);
    expect(r.state()).toEqual(before);
  });

  it("fromState rejects malformed checkpoints", () => {
    expect(() => Rng.fromState([1, 2, 3])).toThrow(/4 state words/);
    expect(() => Rng.fromState([1, 2, 3, 4, 5, 6])).toThrow(ArgumentError);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/all-zero/);
    expect(() => Rng.fromState([1, 2, 3, 2 ** 32])).toThrow(/word 3/);
    expect(() => Rng.fromState([1, -1, 3, 4])).toThrow(/word 1/);
    expect(() => Rng.fromState([1, 2.5, 3, 4])).toThrow(ArgumentError);
    expect(() => Rng.fromState([1, 2, 3, 4, Number.NaN])).toThrow(/cached normal/);
    expect(() => Rng.fromState("1,2,3,4" as unknown as number[])).toThrow(ArgumentError);
  });
});

describe("randn / rand tensors", () => {
  it("have the requested shape and dtype (default f64)", () => {
    const a = randn([2, 3, 4], 1);
    expect(a.dtype).toBe("f64");
    expect(a.shape).toEqual([2, 3, 4]);
    expect(a.data).toBeInstanceOf(Float64Array);
    expect(rand([5], 1, { dtype: "f32" }).data).toBeInstanceOf(Float32Array);
    const z = randn([3], 1, { dtype: "c128" });
    expect(z.dtype).toBe("c128");
    expect(z.data).toHaveLength(6);
    expect(randn([], 1).size).toBe(1);
    expect(randn([0, 3], 1).size).toBe(0);
  });

  it("the same seed gives the same tensor; different seeds differ", () => {
    expect(Array.from(randn([10, 10], 5).data)).toEqual(Array.from(randn([10, 10], 5).data));
    expect(Array.from(randn([10, 10], 5).data)).not.toEqual(Array.from(randn([10, 10], 6).data));
    expect(Array.from(rand([7], 5n).data)).toEqual(Array.from(rand([7], 5).data));
  });

  it("randn fills in row-major order from normal(); f32 rounds the f64 values", () => {
    const r = new Rng(17);
    const want = take(12, () => r.normal());
    expect(Array.from(randn([3, 4], 17).data)).toEqual(want);
    expect(Array.from(randn([3, 4], 17, { dtype: "f32" }).data)).toEqual(want.map(Math.fround));
    expect(randn([3, 4], 17).get(1, 2)).toBe(want[6]);
  });

  it("randn c128 interleaves re, im, each normal() · √½", () => {
    const r = new Rng(17);
    const want = take(8, () => r.normal() * Math.SQRT1_2);
    const z = randn([2, 2], 17, { dtype: "c128" });
    expect(Array.from(z.data)).toEqual(want);
    expect(z.get(0, 1)).toEqual({ re: want[2], im: want[3] });
  });

  it("randn c128 is a standard complex normal: parts N(0, 1/2), E|z|² = 1", () => {
    const n = 100_000;
    const z = randn([n], 31, { dtype: "c128" });
    for (const part of [0, 1]) {
      const { mean, variance } = meanVar(z.data, 2, part);
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(0.5 / n));
      expect(Math.abs(variance - 0.5)).toBeLessThan(5 * 0.5 * Math.sqrt(2 / (n - 1)));
    }
    let abs2 = 0;
    for (let i = 0; i < n; i++) abs2 += z.data[2 * i]! ** 2 + z.data[2 * i + 1]! ** 2;
    // |z|² is exponential with mean 1 and standard deviation 1.
    expect(Math.abs(abs2 / n - 1)).toBeLessThan(5 / Math.sqrt(n));
  });

  it("rand fills from nextFloat64 (f64, c128 re then im) or nextFloat32 (f32), in [0, 1)", () => {
    const a = new Rng(4);
    expect(Array.from(rand([2, 3], 4).data)).toEqual(take(6, () => a.nextFloat64()));
    const b = new Rng(4);
    expect(Array.from(rand([3], 4, { dtype: "c128" }).data)).toEqual(take(6, () => b.nextFloat64()));
    const c = new Rng(4);
    expect(Array.from(rand([6], 4, { dtype: "f32" }).data)).toEqual(take(6, () => c.nextFloat32()));
    const n = 100_000;
    for (const dtype of ["f64", "f32", "c128"] as const) {
      const u = rand([n], 9, { dtype });
      expect(u.data.every((x) => x >= 0 && x < 1)).toBe(true);
      const { mean, variance } = meanVar(u.data);
      expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / u.data.length));
      expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    }
  });

  it("an Rng argument is advanced, so consecutive tensors continue one stream", () => {
    const r = new Rng(55);
    const parts = [randn([3], r), randn([2, 2], r), randn([1], r)].flatMap((t) => Array.from(t.data));
    expect(parts).toEqual(Array.from(randn([8], 55).data));
    const q = new Rng(55);
    const u = [rand([3], q), rand([4], q)].flatMap((t) => Array.from(t.data));
    expect(u).toEqual(Array.from(rand([7], 55).data));
  });

  it("rejects bad dtypes, shapes and options", () => {
    expect(() => randn([2], 1, { dtype: "i32" as "f64" })).toThrow(DTypeError);
    expect(() => rand([2], 1, { dtype: "f16" as "f64" })).toThrow(DTypeError);
    expect(() => randn([2.5], 1)).toThrow(ShapeError);
    expect(() => rand([-1], 1)).toThrow(ShapeError);
    expect(() => randn([2], 1, null as unknown as {})).toThrow(ArgumentError);
  });
});

describe("properties (fast-check)", () => {
  const seedArb = fc.oneof(fc.maxSafeNat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
  type Op = "u32" | "f64" | "f32" | "normal" | "int" | "uniform" | "jump";
  const opsArb = fc.array(fc.constantFrom<Op>("u32", "f64", "f32", "normal", "int", "uniform", "jump"), {
    maxLength: 40,
  });

  function run(r: Rng, op: Op): number {
    switch (op) {
      case "u32":
        return r.nextUint32();
      case "f64":
        return r.nextFloat64();
      case "f32":
        return r.nextFloat32();
      case "normal":
        return r.normal();
      case "int":
        return r.integer(-5, 1000);
      case "uniform":
        return r.uniform(-1, 3);
      case "jump":
        r.jump();
        return 0;
    }
  }

  it("the same seed gives the same output sequence", () => {
    fc.assert(
      fc.property(seedArb, opsArb, (seed, ops) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        for (const op of ops) if (!Object.is(run(a, op), run(b, op))) return false;
        return a.state().join() === b.state().join();
      }),
    );
  });

  it("state()/fromState round trip continues the sequence identically", () => {
    fc.assert(
      fc.property(seedArb, opsArb, opsArb, (seed, before, after) => {
        const a = new Rng(seed);
        for (const op of before) run(a, op);
        const b = Rng.fromState(JSON.parse(JSON.stringify(a.state())) as number[]);
        for (const op of after) if (!Object.is(run(a, op), run(b, op))) return false;
        return true;
      }),
    );
  });

  it("integer stays in range and shuffle is a permutation for any seed", () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 2 ** 40 }), (seed, lo, width) => {
        const v = new Rng(seed).integer(lo, lo + width);
        return Number.isSafeInteger(v) && v >= lo && v < lo + width;
      }),
    );
    fc.assert(
      fc.property(seedArb, fc.array(fc.integer()), (seed, xs) => {
        const shuffled = new Rng(seed).shuffle([...xs]);
        const sort = (a: number[]) => [...a].sort((x, y) => x - y).join();
        return sort(shuffled) === sort(xs);
      }),
    );
  });
});
