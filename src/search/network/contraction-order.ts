import { ArgumentError } from "../../errors.js";

/**
 * A contraction to plan: operands given by the labels of their axes, the labels of the result,
 * and the size of every label. Labels are integers 0…sizes.length−1; a label shared by several
 * operands is one index, summed at the step after which no remaining operand and not the
 * output holds it.
 */
export interface ContractionProblem {
  /** Labels of each operand's axes (no label twice in one operand). */
  readonly inputs: readonly (readonly number[])[];
  /** Labels of the result. */
  readonly output: readonly number[];
  /** Size of each label (positive integers). */
  readonly sizes: readonly number[];
}

/**
 * A pairwise contraction order in single-static-assignment form (cotengra's "ssa" path): the
 * inputs have ids 0…n−1 and step k contracts two live ids into a new tensor with id n + k.
 * n operands take n − 1 steps.
 */
export type ContractionPath = readonly (readonly [number, number])[];

/** A path optimiser: returns a {@link ContractionPath} for a problem. */
export type PathOptimizer = (problem: ContractionProblem) => ContractionPath;

/** What a contraction order costs. */
export interface ContractionCost {
  /**
   * Floating-point operations: Σ over steps of 2 · Π (sizes of all labels of the two operands),
   * a multiply and an add per term (complex arithmetic costs about 4× this).
   */
  readonly flops: number;
  /** Number of elements of the largest tensor a step produces (the result included). */
  readonly largestIntermediate: number;
}

/** A path with its cost and the optimiser that found it. */
export interface ContractionOrder extends ContractionCost {
  /** The registered name of the optimiser. */
  readonly optimizer: string;
  /** The pairwise steps. */
  readonly path: ContractionPath;
}

/** Largest number of operands the exhaustive optimiser accepts (its cost grows as 3^n). */
const EXHAUSTIVE_MAX = 12;
/** Up to this many operands `"auto"` is exhaustive, beyond it greedy. */
const AUTO_EXHAUSTIVE_MAX = 8;

const registry = new Map<string, PathOptimizer>();

/**
 * Adds a path optimiser under `name` (quimb / opt_einsum style); re-registering a name
 * replaces it. Built in: `"greedy"`, `"exhaustive"` and `"auto"` (exhaustive up to 8 operands,
 * greedy beyond). Paths an optimiser returns are checked before use.
 *
 * @example
 * ```ts
 * // Left to right: ((0·1)·2)·3…
 * registerPathOptimizer("sequential", (p) => p.inputs.slice(1).map((_, k) => [k === 0 ? 0 : p.inputs.length + k - 1, k + 1] as const));
 * const chain = { inputs: [[0, 1], [1, 2], [2, 3]], output: [0, 3], sizes: [2, 5, 5, 2] };
 * const order = contractionOrder(chain, "sequential");
 * console.assert(pathOptimizers().includes("sequential") && order.flops === 2 * (2 * 5 * 5 + 2 * 5 * 2));
 * ```
 */
export function registerPathOptimizer(name: string, optimizer: PathOptimizer): void {
  if (typeof name !== "string" || name.length === 0) throw new ArgumentError("registerPathOptimizer: the name must be a non-empty string");
  if (typeof optimizer !== "function") throw new ArgumentError(`registerPathOptimizer: "${name}" needs a function`);
  registry.set(name, optimizer);
}

/**
 * Names of the registered path optimisers.
 *
 * @example
 * ```ts
 * console.assert(["greedy", "exhaustive", "auto"].every((n) => pathOptimizers().includes(n)));
 * ```
 */
export function pathOptimizers(): string[] {
  return [...registry.keys()];
}

/**
 * A contraction order for `problem` from the optimiser registered as `optimizer`, with its flop
 * count and largest intermediate (computed here by {@link contractionCost}, the same way for
 * every optimiser).
 *
 * @throws {@link ArgumentError} for an unknown optimiser, a malformed problem, or a path that
 * does not contract every operand exactly once.
 * @example
 * ```ts
 * // A ring of four matrices: contracting neighbours first beats contracting across.
 * const ring = { inputs: [[0, 1], [1, 2], [2, 3], [3, 0]], output: [], sizes: [8, 8, 8, 8] };
 * const best = contractionOrder(ring, "exhaustive"), greedy = contractionOrder(ring, "greedy");
 * console.assert(best.flops <= greedy.flops && best.path.length === 3);
 * ```
 */
export function contractionOrder(problem: ContractionProblem, optimizer = "auto"): ContractionOrder {
  const find = registry.get(optimizer);
  if (find === undefined) throw new ArgumentError(`contractionOrder: unknown optimizer "${optimizer}"; registered: ${pathOptimizers().join(", ")}`);
  checkProblem(problem);
  const path = find(problem);
  return { optimizer, path, ...contractionCost(problem, path) };
}

/**
 * The flop count and largest intermediate of contracting `problem` along `path`.
 *
 * @throws {@link ArgumentError} if the path is not n − 1 steps over live, distinct ids.
 * @example
 * ```ts
 * const p = { inputs: [[0, 1], [1, 2]], output: [0, 2], sizes: [3, 4, 5] };
 * const cost = contractionCost(p, [[0, 1]]);
 * console.assert(cost.flops === 2 * 3 * 4 * 5 && cost.largestIntermediate === 15);
 * ```
 */
export function contractionCost(problem: ContractionProblem, path: ContractionPath): ContractionCost {
  checkProblem(problem);
  const n = problem.inputs.length;
  if (!Array.isArray(path) || path.length !== n - 1) {
    throw new ArgumentError(`contraction path: ${n} operands need ${n - 1} steps, got ${Array.isArray(path) ? path.length : String(path)}`);
  }
  const live = new Map<number, readonly number[]>(problem.inputs.map((l, i) => [i, l]));
  const counts = labelCounts(problem);
  let flops = 0;
  let largest = 0;
  path.forEach((step, k) => {
    const [a, b] = Array.isArray(step) ? step : [undefined, undefined];
    const la = live.get(a as number);
    const lb = live.get(b as number);
    if (la === undefined || lb === undefined || a === b) {
      throw new ArgumentError(`contraction path: step ${k} [${String(step)}] must join two different live tensors (live: ${[...live.keys()].join(", ")})`);
    }
    const { union, kept } = pairLabels(la, lb, counts);
    flops += 2 * product(union, problem.sizes);
    largest = Math.max(largest, product(kept, problem.sizes));
    live.delete(a!);
    live.delete(b!);
    live.set(n + k, kept);
  });
  return { flops, largestIntermediate: largest };
}

/**
 * The labels of the two operands and those their product keeps: a label is summed once no
 * other live operand and not the output holds it. `counts` (live holders per label, the output
 * counting as one) is updated for the step.
 */
function pairLabels(la: readonly number[], lb: readonly number[], counts: Int32Array): { union: number[]; kept: number[] } {
  const union = [...la, ...lb.filter((l) => !la.includes(l))];
  for (const l of la) counts[l]!--;
  for (const l of lb) counts[l]!--;
  const kept = union.filter((l) => counts[l]! > 0);
  for (const l of kept) counts[l]!++;
  return { union, kept };
}

function labelCounts(problem: ContractionProblem): Int32Array {
  const counts = new Int32Array(problem.sizes.length);
  for (const labels of problem.inputs) for (const l of labels) counts[l]!++;
  for (const l of problem.output) counts[l]!++;
  return counts;
}

function product(labels: readonly number[], sizes: readonly number[]): number {
  let p = 1;
  for (const l of labels) p *= sizes[l]!;
  return p;
}

function checkProblem(problem: ContractionProblem): void {
  const { inputs, output, sizes } = problem;
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ArgumentError("contraction problem: needs at least one operand");
  if (!Array.isArray(sizes)) throw new ArgumentError("contraction problem: sizes must be an array");
  sizes.forEach((s, l) => {
    if (!Number.isInteger(s) || s < 1) throw new ArgumentError(`contraction problem: label ${l} has size ${s}; sizes must be positive integers`);
  });
  const seen = new Set<number>();
  const checkLabels = (labels: readonly number[], what: string): void => {
    if (!Array.isArray(labels)) throw new ArgumentError(`contraction problem: ${what} must be an array of labels`);
    if (new Set(labels).size !== labels.length) throw new ArgumentError(`contraction problem: a label repeats in ${what} (${labels.join(", ")})`);
    for (const l of labels) {
      if (!Number.isInteger(l) || l < 0 || l >= sizes.length) throw new ArgumentError(`contraction problem: ${what} has label ${l}, not one of 0…${sizes.length - 1}`);
    }
  };
  inputs.forEach((labels, i) => {
    checkLabels(labels, `operand ${i}`);
    for (const l of labels) seen.add(l);
  });
  checkLabels(output, "the output");
  for (const l of output) if (!seen.has(l)) throw new ArgumentError(`contraction problem: output label ${l} is in no operand`);
}

// ---- greedy ----

/**
 * Repeatedly contracts the pair of live tensors that share a label and whose product shrinks
 * memory most (size of the result minus the sizes of the two operands, opt_einsum's greedy
 * rule); ties go to the cheaper step, then to the lowest ids. Pairs sharing nothing (outer
 * products) are taken only when no pair shares a label, smallest result first.
 */
function greedyPath(problem: ContractionProblem): ContractionPath {
  const n = problem.inputs.length;
  const sizes = problem.sizes;
  const counts = labelCounts(problem);
  const live = new Map<number, readonly number[]>(problem.inputs.map((l, i) => [i, l]));
  const sizeOf = new Map<number, number>(problem.inputs.map((l, i) => [i, product(l, sizes)]));
  const path: [number, number][] = [];
  for (let k = 0; live.size > 1; k++) {
    const ids = [...live.keys()].sort((x, y) => x - y);
    let best: { a: number; b: number; score: [number, number, number] } | undefined;
    for (let i = 0; i < ids.length; i++)
      for (let j = i + 1; j < ids.length; j++) {
        const la = live.get(ids[i]!)!;
        const lb = live.get(ids[j]!)!;
        const shares = la.some((l) => lb.includes(l));
        // Trial only: undo the count update pairLabels makes.
        const { union, kept } = pairLabels(la, lb, counts);
        for (const l of kept) counts[l]!--;
        for (const l of la) counts[l]!++;
        for (const l of lb) counts[l]!++;
        const result = product(kept, sizes);
        const score: [number, number, number] = shares
          ? [0, result - sizeOf.get(ids[i]!)! - sizeOf.get(ids[j]!)!, product(union, sizes)]
          : [1, result, product(union, sizes)];
        if (best === undefined || lexLess(score, best.score)) best = { a: ids[i]!, b: ids[j]!, score };
      }
    const { a, b } = best!;
    const { kept } = pairLabels(live.get(a)!, live.get(b)!, counts);
    live.delete(a);
    live.delete(b);
    live.set(n + k, kept);
    sizeOf.set(n + k, product(kept, sizes));
    path.push([a, b]);
  }
  return path;
}

function lexLess(x: readonly number[], y: readonly number[]): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return false;
}

// ---- exhaustive ----

/**
 * The cheapest path over all pairwise contraction trees, by dynamic programming over subsets
 * of operands: best(S) = min over splits S = A ∪ B of best(A) + best(B) + cost(A, B). The tensor
 * of a subset holds the labels that leave it (or are output), so for "touching" products
 * T(X) = Π sizes of labels held by an operand in X, the labels shared by A and B multiply to
 * T(A)·T(B)/T(A ∪ B) and the step's terms to size(A)·size(B)/shared. O(3^n) time.
 */
function exhaustivePath(problem: ContractionProblem): ContractionPath {
  const n = problem.inputs.length;
  if (n > EXHAUSTIVE_MAX) {
    throw new ArgumentError(`exhaustive contraction order: ${n} operands is too many (at most ${EXHAUSTIVE_MAX}); use "greedy"`);
  }
  const full = (1 << n) - 1;
  const masks = new Int32Array(problem.sizes.length);
  problem.inputs.forEach((labels, i) => labels.forEach((l) => (masks[l]! |= 1 << i)));
  const isOutput = new Uint8Array(problem.sizes.length);
  for (const l of problem.output) isOutput[l] = 1;
  const size = new Float64Array(full + 1);
  const touching = new Float64Array(full + 1);
  for (let S = 1; S <= full; S++) {
    let s = 1, t = 1;
    for (let l = 0; l < masks.length; l++) {
      const m = masks[l]!;
      if ((m & S) === 0) continue;
      t *= problem.sizes[l]!;
      if ((m & ~S) !== 0 || isOutput[l] === 1) s *= problem.sizes[l]!;
    }
    // A single operand holds all its labels, even private ones its first step will sum.
    size[S] = (S & (S - 1)) === 0 ? t : s;
    touching[S] = t;
  }
  const best = new Float64Array(full + 1);
  const split = new Int32Array(full + 1);
  for (let S = 1; S <= full; S++) {
    if ((S & (S - 1)) === 0) continue; // single operands cost nothing
    const low = S & -S;
    let cost = Infinity;
    // Sub-masks A of S that hold S's lowest operand: each unordered split once.
    for (let A = (S - 1) & S; A > 0; A = (A - 1) & S) {
      if ((A & low) === 0) continue;
      const B = S ^ A;
      const shared = Math.round((touching[A]! * touching[B]!) / touching[S]!);
      const c = best[A]! + best[B]! + 2 * Math.round((size[A]! * size[B]!) / shared);
      if (c < cost) {
        cost = c;
        split[S] = A;
      }
    }
    best[S] = cost;
  }
  const path: [number, number][] = [];
  const build = (S: number): number => {
    if ((S & (S - 1)) === 0) return 31 - Math.clz32(S);
    const a = build(split[S]!);
    const b = build(S ^ split[S]!);
    path.push([a, b]);
    return n + path.length - 1;
  };
  build(full);
  return path;
}

registerPathOptimizer("greedy", greedyPath);
registerPathOptimizer("exhaustive", exhaustivePath);
registerPathOptimizer("auto", (p) => (p.inputs.length <= AUTO_EXHAUSTIVE_MAX ? exhaustivePath(p) : greedyPath(p)));
