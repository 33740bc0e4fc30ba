/**
 * A named, documented, reproducible pseudorandom number generator and seeded random tensors.
 *
 * The generator is xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", ACM TOMS 2021): four 32-bit state words, period 2^128 − 1, fast with 32-bit
 * integer arithmetic only (`Math.imul`, shifts, xor), so it needs no BigInt in the hot path.
 * Seeds are expanded by SplitMix64, as the authors recommend.
 *
 * Reproducibility contract: for a given seed, every method and tensor constructor here returns
 * bit-identical results on every machine and every supported Node version, because
 * - the integer stream is defined by exact 32-bit arithmetic;
 * - floats are built from integers by exact scaling by powers of two;
 * - normals use only +, −, ×, ÷, `Math.sqrt` (correctly rounded by IEEE 754) and `Math.log`,
 *   which V8 implements with its own port of fdlibm on every platform rather than calling the
 *   system libm. (Another JavaScript engine with a different `log` could differ in the last bit.)
 * Consuming order is part of the contract and is documented on each function; changing it is
 * a breaking change, which the regression tests pin down.
 *
 * @module
 */
import { ArgumentError } from "../errors.js";
import { assertDType, type DType } from "./dtype.js";
import { Tensor } from "./tensor.js";

/** A seed: a non-negative safe integer, or a bigint in [0, 2^64). */
export type Seed = number | bigint;

/** Options of the random tensor constructors. */
export interface RandomOptions<D extends DType = DType> {
  /** Element type of the result (default `"f64"`). */
  dtype?: D;
}

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;
const TWO_26 = 2 ** 26;
const TWO_M53 = 2 ** -53;
const TWO_M24 = 2 ** -24;

const MASK_64 = (1n << 64n) - 1n;
const SPLITMIX_GAMMA = 0x9e3779b97f4a7c15n;
const SPLITMIX_MUL_1 = 0xbf58476d1ce4e5b9n;
const SPLITMIX_MUL_2 = 0x94d049bb133111ebn;

// Coefficients of the jump polynomial for 2^64 steps, as published for xoshiro128 (least
// significant bit of the first word first). test/fixtures/random/xoshiro_ref.c re-derives the
// jump independently as M^(2^64) over GF(2) when it generates the fixture.
const JUMP_2_64 = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b] as const;

/**
 * xoshiro128** seeded by SplitMix64.
 *
 * Seeding: SplitMix64 is started at `seed` and run twice; its 64-bit outputs z1, z2 are split
 * into the state words low word first: `s = [lo32(z1), hi32(z1), lo32(z2), hi32(z2)]`.
 *
 * Not cryptographically secure: use it for simulations and tests, not for secrets.
 *
 * @example
 * ```ts
 * const a = new Rng(42), b = new Rng(42n);
 * console.assert(a.nextUint32() === 1776835114 && b.nextUint32() === 1776835114);
 * const u = a.nextFloat64();
 * console.assert(u >= 0 && u < 1);
 * ```
 */
export class Rng {
  // Int32Array rather than Uint32Array: loads stay small integers in optimised code.
  private readonly s = new Int32Array(4);
  // The polar method makes normals in pairs; the second waits here for the next call.
  private spare = 0;
  private hasSpare = false;
  // Output slot for single normals, so that normal() shares fillPolar without allocating.
  private readonly single = new Float64Array(1);

  /**
   * @param seed a non-negative safe integer, or a bigint below 2^64 (for seeds beyond 2^53).
   * @throws {@link ArgumentError} for a negative, fractional, NaN, unsafe or too large seed.
   */
  constructor(seed: Seed) {
    this.setWords(seedWords(seed));
  }

  /**
   * A generator resumed from {@link Rng.state}: the four state words (unsigned 32-bit
   * integers, not all zero) and optionally a fifth entry, the cached normal variate.
   *
   * @throws {@link ArgumentError} if `words` is not such an array.
   * @example
   * ```ts
   * const r = new Rng(7);
   * r.normal();
   * const saved = r.state();
   * const x = r.normal(), y = r.nextUint32();
   * const q = Rng.fromState(saved);
   * console.assert(q.normal() === x && q.nextUint32() === y);
   * ```
   */
  static fromState(words: readonly number[]): Rng {
    if (!Array.isArray(words) || (words.length !== 4 && words.length !== 5)) {
      throw new ArgumentError(
        `Rng.fromState: expected an array of 4 state words (plus an optional cached normal), got ${describe(words)}`,
      );
    }
    const state: number[] = [];
    for (let i = 0; i < 4; i++) {
      const w: unknown = words[i];
      if (typeof w !== "number" || !Number.isInteger(w) || w < 0 || w >= TWO_32) {
        throw new ArgumentError(`Rng.fromState: word ${i} is ${String(w)}, expected an integer in [0, 2^32)`);
      }
      state.push(w);
    }
    const rng = new Rng(0);
    rng.setWords(state);
    if (words.length === 5) {
      const spare: unknown = words[4];
      if (typeof spare !== "number" || !Number.isFinite(spare)) {
        throw new ArgumentError(`Rng.fromState: the cached normal (entry 4) is ${String(spare)}, expected a finite number`);
      }
      rng.spare = spare;
      rng.hasSpare = true;
    }
    return rng;
  }

  /**
   * A checkpoint: the four state words as unsigned integers, followed by the cached normal
   * variate when {@link Rng.normal} has one waiting. Plain numbers, so `JSON.stringify` keeps
   * it exactly; {@link Rng.fromState} resumes the identical sequence.
   *
   * @example
   * ```ts
   * const r = new Rng(1);
   * const copy = Rng.fromState(r.state());
   * console.assert(copy.nextUint32() === r.nextUint32());
   * ```
   */
  state(): number[] {
    const out = this.words();
    if (this.hasSpare) out.push(this.spare);
    return out;
  }

  /**
   * The next raw output, a uniform integer in [0, 2^32).
   *
   * @example
   * ```ts
   * const x = new Rng(0).nextUint32();
   * console.assert(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
   * ```
   */
  nextUint32(): number {
    return step(this.s);
  }

  /**
   * A uniform double in [0, 1) with 53 random bits, from two consecutive outputs a, b:
   * `((a >>> 5) · 2^26 + (b >>> 6)) / 2^53`. Every multiple of 2^-53 in [0, 1) is equally likely.
   *
   * @example
   * ```ts
   * const u = new Rng(3).nextFloat64();
   * console.assert(u >= 0 && u < 1 && Number.isInteger(u * 2 ** 53));
   * ```
   */
  nextFloat64(): number {
    return next53(this.s) * TWO_M53;
  }

  /**
   * A uniform float32 value in [0, 1) with 24 random bits from one output a: `(a >>> 8) / 2^24`.
   * (Rounding a 53-bit double to float32 instead could give exactly 1.)
   *
   * @example
   * ```ts
   * const u = new Rng(3).nextFloat32();
   * console.assert(u >= 0 && u < 1 && Math.fround(u) === u);
   * ```
   */
  nextFloat32(): number {
    return (step(this.s) >>> 8) * TWO_M24;
  }

  /**
   * A standard normal variate (mean 0, variance 1) by the Marsaglia polar method.
   *
   * Each round draws u = 2·{@link Rng.nextFloat64}() − 1, then v likewise, and rejects the pair
   * unless 0 < s = u² + v² < 1; then f = √(−2·ln s / s) and the pair (u·f, v·f) is two
   * independent normals. This call returns u·f and caches v·f for the next call (the cache is
   * part of {@link Rng.state}). Bit-identical across machines: see the module notes on `sqrt`
   * and `Math.log`.
   *
   * @example
   * ```ts
   * const r = new Rng(42);
   * let sum = 0;
   * for (let i = 0; i < 10000; i++) sum += r.normal();
   * console.assert(Math.abs(sum / 10000) < 0.05);
   * ```
   */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    this.fillPolar(this.single, 0, 1);
    return this.single[0]!;
  }

  /**
   * A uniform double in [lo, hi): `lo + (hi − lo) · u` with u = {@link Rng.nextFloat64}(),
   * redrawn in the rare case rounding lands on `hi`.
   *
   * @throws {@link ArgumentError} unless lo < hi are finite with a finite difference.
   * @example
   * ```ts
   * const x = new Rng(5).uniform(-2, 3);
   * console.assert(x >= -2 && x < 3);
   * ```
   */
  uniform(lo: number, hi: number): number {
    if (typeof lo !== "number" || typeof hi !== "number" || !Number.isFinite(lo) || !Number.isFinite(hi)) {
      throw new ArgumentError(`uniform(lo, hi): bounds must be finite numbers, got lo = ${String(lo)}, hi = ${String(hi)}`);
    }
    if (!(lo < hi)) throw new ArgumentError(`uniform(lo, hi): need lo < hi, got lo = ${lo}, hi = ${hi}`);
    const width = hi - lo;
    if (!Number.isFinite(width)) {
      throw new ArgumentError(`uniform(lo, hi): hi − lo overflows for lo = ${lo}, hi = ${hi}`);
    }
    for (;;) {
      const x = lo + width * this.nextFloat64();
      if (x < hi) return x;
    }
  }

  /**
   * A uniform integer in [lo, hiExclusive), without modulo bias: a draw of just enough random
   * bits (the low bits of one output for ranges up to 2^32, the high bits of a 53-bit draw
   * beyond) is rejected and redrawn while it is ≥ the range. A range of one draws nothing.
   *
   * @throws {@link ArgumentError} unless lo < hiExclusive are safe integers at most 2^53 apart.
   * @example
   * ```ts
   * const r = new Rng(9);
   * const k = r.integer(-3, 4);
   * console.assert(Number.isInteger(k) && k >= -3 && k < 4);
   * ```
   */
  integer(lo: number, hiExclusive: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hiExclusive)) {
      throw new ArgumentError(
        `integer(lo, hiExclusive): bounds must be safe integers, got lo = ${String(lo)}, hiExclusive = ${String(hiExclusive)}`,
      );
    }
    if (lo >= hiExclusive) {
      throw new ArgumentError(`integer(lo, hiExclusive): need lo < hiExclusive, got lo = ${lo}, hiExclusive = ${hiExclusive}`);
    }
    const range = hiExclusive - lo;
    if (range > TWO_53) {
      throw new ArgumentError(`integer(lo, hiExclusive): the range ${range} exceeds 2^53`);
    }
    return lo + this.below(range);
  }

  /**
   * Shuffles `array` in place (Fisher–Yates, front to back: for i = 0 … n−2 swap element i with
   * element {@link Rng.integer}(i, n)) and returns it. Every permutation is equally likely.
   *
   * @example
   * ```ts
   * const a = new Rng(1).shuffle([0, 1, 2, 3, 4]);
   * console.assert([...a].sort().join() === "0,1,2,3,4");
   * ```
   */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    const n = array.length;
    for (let i = 0; i < n - 1; i++) {
      const j = i + this.below(n - i);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /**
   * `k` distinct indices from 0 … n−1, in draw order, every k-subset and order equally likely.
   * They are the first k entries that {@link Rng.shuffle} would produce on [0, 1, …, n−1] from the
   * same state (a partial Fisher–Yates over a sparse view of that array, so memory is O(k)).
   *
   * @throws {@link ArgumentError} unless n and k are non-negative safe integers with k ≤ n.
   * @example
   * ```ts
   * const idx = new Rng(2).choice(1000, 5);
   * console.assert(idx.length === 5 && new Set(idx).size === 5 && idx.every((i) => i >= 0 && i < 1000));
   * ```
   */
  choice(n: number, k: number): number[] {
    if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(k) || k < 0) {
      throw new ArgumentError(`choice(n, k): n and k must be non-negative integers, got n = ${String(n)}, k = ${String(k)}`);
    }
    if (k > n) throw new ArgumentError(`choice(n, k): cannot choose ${k} distinct indices from ${n}`);
    // moved.get(p) is the value at position p of the virtually shuffled identity array; absent
    // means p is still in place. Position i is never read again once it has been drawn.
    const moved = new Map<number, number>();
    const out = new Array<number>(k);
    for (let i = 0; i < k; i++) {
      const j = i + this.below(n - i);
      out[i] = moved.get(j) ?? j;
      if (j !== i) moved.set(j, moved.get(i) ?? i);
      moved.delete(i);
    }
    return out;
  }

  /**
   * Advances the state by 2^64 outputs at the cost of 128 (xoshiro128's jump polynomial).
   * Calling it repeatedly from one seed gives 2^64 non-overlapping blocks of 2^64 outputs.
   * A cached normal variate is kept.
   *
   * @example
   * ```ts
   * const a = new Rng(42), b = new Rng(42);
   * b.jump();
   * console.assert(a.nextUint32() !== b.nextUint32());
   * ```
   */
  jump(): void {
    const s = this.s;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (const word of JUMP_2_64) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) {
          a0 ^= s[0]!;
          a1 ^= s[1]!;
          a2 ^= s[2]!;
          a3 ^= s[3]!;
        }
        step(s);
      }
    }
    s[0] = a0;
    s[1] = a1;
    s[2] = a2;
    s[3] = a3;
  }

  /**
   * A generator for an independent parallel stream. This generator jumps once; the child
   * starts there (with no cached normal); then this generator jumps once more, so its own later
   * outputs come after the child's block of 2^64. Repeated forks of one parent never overlap
   * (while each stream draws fewer than 2^64 outputs). Forks of forks can land on the parent's
   * later blocks, so fork a tree of streams from a single parent.
   *
   * @example
   * ```ts
   * const parent = new Rng(42);
   * const child = parent.fork();
   * const again = new Rng(42);
   * again.jump();
   * console.assert(child.nextUint32() === again.nextUint32());
   * ```
   */
  fork(): Rng {
    this.jump();
    const child = Rng.fromState(this.words());
    this.jump();
    return child;
  }

  /**
   * Fills `out` with standard normals times `scale`: element i gets `normal() · scale` for
   * i = 0, 1, … — exactly what that many {@link Rng.normal} calls would give, cache included.
   * A `Float32Array` receives each double rounded to nearest float32.
   *
   * @example
   * ```ts
   * const a = new Rng(4).fillNormal(new Float64Array(3));
   * const q = new Rng(4);
   * console.assert(a.every((x) => x === q.normal()));
   * ```
   */
  fillNormal<T extends Float64Array | Float32Array>(out: T, scale = 1): T {
    let from = 0;
    if (out.length > 0 && this.hasSpare) {
      this.hasSpare = false;
      out[from++] = this.spare * scale;
    }
    this.fillPolar(out, from, scale);
    return out;
  }

  /**
   * Fills `out` with uniform [0, 1) values: {@link Rng.nextFloat64} per element for a
   * `Float64Array`, {@link Rng.nextFloat32} for a `Float32Array` (so float32 values never round
   * up to 1).
   *
   * @example
   * ```ts
   * const a = new Rng(8).fillUniform(new Float32Array(100));
   * console.assert(a.every((x) => x >= 0 && x < 1));
   * ```
   */
  fillUniform<T extends Float64Array | Float32Array>(out: T): T {
    const s = this.s;
    if (out instanceof Float32Array) {
      for (let i = 0; i < out.length; i++) out[i] = (step(s) >>> 8) * TWO_M24;
    } else {
      for (let i = 0; i < out.length; i++) out[i] = next53(s) * TWO_M53;
    }
    return out;
  }

  /**
   * The polar method (see {@link Rng.normal}) for out[from], out[from + 1], … in pairs: each
   * pair (u·f, v·f) is stored times `scale`; when one slot is left, v·f (unscaled) becomes the
   * cached variate. One loop serves both `normal` and bulk fills, so they cannot disagree.
   */
  private fillPolar(out: Float64Array | Float32Array, from: number, scale: number): void {
    // The hottest loop of the module: the state lives in locals (registers) and the xoshiro
    // step is written out here rather than calling step(); the tests check it against step().
    const st = this.s;
    let s0 = st[0]!;
    let s1 = st[1]!;
    let s2 = st[2]!;
    let s3 = st[3]!;
    const n = out.length;
    let i = from;
    while (i < n) {
      let u = 0;
      let v = 0;
      let q: number;
      do {
        // Four outputs per round: u = 2·nextFloat64() − 1 from the first two, v from the last two.
        for (let k = 0; k < 4; k++) {
          const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
          const t = s1 << 9;
          s2 ^= s0;
          s3 ^= s1;
          s1 ^= s2;
          s0 ^= s3;
          s2 ^= t;
          s3 = rotl(s3, 11);
          if (k === 0) u = (r >>> 5) * TWO_26;
          else if (k === 1) u = 2 * ((u + (r >>> 6)) * TWO_M53) - 1;
          else if (k === 2) v = (r >>> 5) * TWO_26;
          else v = 2 * ((v + (r >>> 6)) * TWO_M53) - 1;
        }
        q = u * u + v * v;
      } while (q >= 1 || q === 0);
      const f = Math.sqrt((-2 * Math.log(q)) / q);
      out[i++] = u * f * scale;
      if (i < n) {
        out[i++] = v * f * scale;
      } else {
        this.spare = v * f;
        this.hasSpare = true;
      }
    }
    st[0] = s0;
    st[1] = s1;
    st[2] = s2;
    st[3] = s3;
  }

  /** A uniform integer in [0, range) for 1 ≤ range ≤ 2^53 (see {@link Rng.integer}). */
  private below(range: number): number {
    if (range === 1) return 0;
    const s = this.s;
    if (range <= TWO_32) {
      const mask = lowMask(range - 1);
      for (;;) {
        const x = (step(s) & mask) >>> 0;
        if (x < range) return x;
      }
    }
    let bits = 33;
    while (2 ** bits < range) bits++;
    const drop = 2 ** (53 - bits);
    for (;;) {
      const x = Math.floor(next53(s) / drop);
      if (x < range) return x;
    }
  }

  private words(): number[] {
    const s = this.s;
    return [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0];
  }

  private setWords(words: readonly number[]): void {
    if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0) {
      // A fixed point of the linear engine: the generator would output zeros forever.
      // (SplitMix64 seeding cannot produce it; fromState can be handed it.)
      throw new ArgumentError("Rng: the all-zero state is invalid for xoshiro128** (it never leaves zero)");
    }
    for (let i = 0; i < 4; i++) this.s[i] = words[i]!;
  }
}

/** An indexable, writable sequence: arrays and typed arrays. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/**
 * A tensor of independent standard normals, filled in row-major element order; for `c128`
 * the real then the imaginary part of each element, each N(0, 1/2) (a normal times
 * `Math.SQRT1_2`) so that E|z|² = 1 (the standard complex normal). `f32` holds the `f64`
 * values of the same seed rounded to float32. The fill order is part of the reproducibility
 * contract.
 *
 * @param seed a {@link Seed}, or an {@link Rng} to draw from (it is advanced).
 * @throws {@link ArgumentError} for a bad seed; `ShapeError` / `DTypeError` for a bad shape or dtype.
 * @example
 * ```ts
 * const a = randn([2, 3], 42), b = randn([2, 3], 42);
 * console.assert(a.data.every((x, i) => x === b.data[i]));
 * const z = randn([4], 42, { dtype: "c128" });
 * console.assert(z.data[0] === a.data[0] * Math.SQRT1_2);
 * ```
 */
export function randn<D extends DType = "f64">(
  shape: ArrayLike<number>,
  seed: Seed | Rng,
  options: RandomOptions<D> = {},
): Tensor<D> {
  const t = new Tensor(optionDType(options, "randn"), shape) as Tensor<D>;
  toRng(seed).fillNormal(t.data, t.dtype === "c128" ? Math.SQRT1_2 : 1);
  return t;
}

/**
 * A tensor of independent uniform [0, 1) values in row-major element order: for `f64` one
 * {@link Rng.nextFloat64} per element; for `c128` the real then the imaginary part, each a
 * `nextFloat64`; for `f32` one {@link Rng.nextFloat32} (24 bits) per element.
 *
 * @param seed a {@link Seed}, or an {@link Rng} to draw from (it is advanced).
 * @throws {@link ArgumentError} for a bad seed; `ShapeError` / `DTypeError` for a bad shape or dtype.
 * @example
 * ```ts
 * const u = rand([100], 1);
 * console.assert(u.data.every((x) => x >= 0 && x < 1));
 * console.assert(u.data[0] === new Rng(1).nextFloat64());
 * ```
 */
export function rand<D extends DType = "f64">(
  shape: ArrayLike<number>,
  seed: Seed | Rng,
  options: RandomOptions<D> = {},
): Tensor<D> {
  const t = new Tensor(optionDType(options, "rand"), shape) as Tensor<D>;
  toRng(seed).fillUniform(t.data);
  return t;
}

// ---- the engine ----

/** One xoshiro128** step on `s` (updated in place); returns the output as an unsigned integer. */
function step(s: Int32Array): number {
  const s0 = s[0]!;
  const s1 = s[1]!;
  const s2 = s[2]! ^ s0;
  const s3 = s[3]! ^ s1;
  const out = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  s[0] = s0 ^ s3;
  s[1] = s1 ^ s2;
  s[2] = s2 ^ (s1 << 9);
  s[3] = rotl(s3, 11);
  return out;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A uniform integer in [0, 2^53) from the high bits of two consecutive outputs. */
function next53(s: Int32Array): number {
  const a = step(s) >>> 5;
  const b = step(s) >>> 6;
  return a * TWO_26 + b;
}

/** The smallest 2^k − 1 ≥ m, for 0 ≤ m < 2^32 (as a signed 32-bit pattern). */
function lowMask(m: number): number {
  let x = m | (m >>> 1);
  x |= x >>> 2;
  x |= x >>> 4;
  x |= x >>> 8;
  x |= x >>> 16;
  return x;
}

// ---- seeding ----

function seedWords(seed: Seed): number[] {
  let x = seedToBigInt(seed);
  const words: number[] = [];
  for (let i = 0; i < 2; i++) {
    x = (x + SPLITMIX_GAMMA) & MASK_64;
    const z = splitMixOutput(x);
    words.push(Number(z & 0xffffffffn), Number(z >> 32n));
  }
  return words;
}

/** SplitMix64's output function (a bijection of 64-bit integers). */
function splitMixOutput(x: bigint): bigint {
  let z = x;
  z = ((z ^ (z >> 30n)) * SPLITMIX_MUL_1) & MASK_64;
  z = ((z ^ (z >> 27n)) * SPLITMIX_MUL_2) & MASK_64;
  return z ^ (z >> 31n);
}

function seedToBigInt(seed: Seed): bigint {
  if (typeof seed === "bigint") {
    if (seed < 0n || seed > MASK_64) {
      throw new ArgumentError(`seed must be a bigint in [0, 2^64), got ${seed}n`);
    }
    return seed;
  }
  if (typeof seed !== "number") {
    throw new ArgumentError(`seed must be a non-negative integer or bigint, got ${describe(seed)}`);
  }
  if (Number.isNaN(seed)) throw new ArgumentError("seed must be a non-negative integer, got NaN");
  if (!Number.isInteger(seed)) throw new ArgumentError(`seed must be a non-negative integer, got ${seed}`);
  if (seed < 0) throw new ArgumentError(`seed must be non-negative, got ${seed}`);
  if (!Number.isSafeInteger(seed)) {
    throw new ArgumentError(
      seed >= TWO_32 * TWO_32
        ? `seed must be below 2^64, got ${seed}`
        : `seed ${seed} is above 2^53 − 1 and not exactly representable: pass it as a bigint`,
    );
  }
  return BigInt(seed);
}

function toRng(seed: Seed | Rng): Rng {
  return seed instanceof Rng ? seed : new Rng(seed);
}

function optionDType(options: RandomOptions, fn: string): DType {
  if (options === null || typeof options !== "object") {
    throw new ArgumentError(`${fn}: options must be an object, got ${describe(options)}`);
  }
  const dtype = options.dtype ?? "f64";
  assertDType(dtype);
  return dtype;
}

function describe(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return String(v);
}
