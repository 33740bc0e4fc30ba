/**
 * Per-sample environments of one core: for each of many multi-indices, every other core's
 * open-leg slice at that index, contracted over all bonds not touching vertex v. The result is
 * a vector over v's bonds, and the network's entry at the index is core v's slice there
 * contracted with it. Fits to observed entries need one per sample and core (ALS assembles its
 * least-squares problems from them, gradient methods contract them with the residuals), so they
 * are computed as {@link networkEntries} computes entries: one contraction order per (structure,
 * vertex), followed for a chunk of samples at a time, each step one small matrix product per
 * sample read in place from the cores. Internal to src/search.
 * @module
 */
import { gatherMap, pairStep, planCache, product, sameList, stepRunner, type Operand, type Source, type Step } from "./batched-kernels.js";
import { contractionOrder, type ContractionProblem } from "./contraction-order.js";
import type { TensorNetwork } from "./network.js";
import type { NetworkStructure } from "./structure.js";

// Samples per pass: a chunk's intermediates stay in cache, and memory does not grow with m.
const CHUNK = 512;

interface EnvironmentPlan {
  /** Length of the environment: the product of v's bond ranks. */
  size: number;
  steps: Step[];
  slotSizes: number[];
  /** Per vertex other than v: the axes order [0, bonds…] that lays its slices out for its step. */
  coreAxes: (number[] | undefined)[];
  /** The operand that ends up holding the environment; undefined when v is the only vertex. */
  result: Source | undefined;
  /** Environment position (v's bonds in neighbour order) → position in the result's layout. */
  resultGather: Int32Array;
}

const cachedPlan = planCache<EnvironmentPlan>();

function plan(structure: NetworkStructure, v: number, optimizer: string): EnvironmentPlan {
  return cachedPlan(structure, `${v}:${optimizer}`, () => buildPlan(structure, v, optimizer));
}

// The per-entry network without vertex v, whose bonds stay open. Each bond label is held by two
// vertices; a bond of v by one other vertex only, and by the output. So the labels two operands
// share are exactly those a step sums, as in the entries plan (see pairStep), and the last operand holds v's
// bonds and nothing else (in some order, fixed by one final gather).
function buildPlan(structure: NetworkStructure, v: number, optimizer: string): EnvironmentPlan {
  const V = structure.numVertices;
  const edgeLabel = new Map<number, number>();
  structure.edges().forEach(({ u, v: w }, k) => edgeLabel.set(u * V + w, k));
  const bond = (a: number, b: number): number => edgeLabel.get(Math.min(a, b) * V + Math.max(a, b))!;
  const sizes = structure.edges().map((e) => e.rank);
  const output = structure.neighbors(v).map((u) => bond(v, u));
  const size = product(output, sizes);
  const others = Array.from({ length: V }, (_, u) => u).filter((u) => u !== v);
  const inputs = others.map((u) => structure.neighbors(u).map((w) => bond(u, w)));
  const coreAxes: (number[] | undefined)[] = new Array(V).fill(undefined);
  if (others.length === 0) return { size, steps: [], slotSizes: [], coreAxes, result: undefined, resultGather: new Int32Array([0]) };
  const problem: ContractionProblem = { inputs, output, sizes };
  const path = others.length === 1 ? [] : contractionOrder(problem, optimizer).path;
  const n = others.length;
  const live = new Map<number, Operand>();
  inputs.forEach((labels, i) => live.set(i, { vertex: others[i]!, slot: -1, labels }));
  const layouts = new Map<number, readonly number[]>(others.map((u, i) => [u, inputs[i]!]));
  const steps: Step[] = [];
  const slotSizes: number[] = [];
  path.forEach(([x, y], k) => {
    const { step, freeX, freeY } = pairStep(live.get(x)!, live.get(y)!, sizes, slotSizes.length, (u, layout) => {
      layouts.set(u, layout);
    });
    const { M, K, N } = step;
    let labels = [...freeX, ...freeY];
    if (k === path.length - 1 && !sameList(labels, output) && sameList([...freeY, ...freeX], output)) {
      // Cᵀ = Bᵀ·Aᵀ lies in v's bond order already, which saves the final copy per sample.
      steps.push({
        a: step.b, b: step.a, gatherA: step.gatherB, gatherB: step.gatherA, M: N, K, N: M,
        aRow: step.bCol, aCol: step.bRow, bRow: step.aCol, bCol: step.aRow, out: step.out,
      });
      labels = [...freeY, ...freeX];
    } else steps.push(step);
    slotSizes.push(M * N);
    live.delete(x);
    live.delete(y);
    live.set(n + k, { vertex: -1, slot: step.out, labels });
  });
  others.forEach((u, i) => coreAxes[u] = [0, ...layouts.get(u)!.map((l) => 1 + inputs[i]!.indexOf(l))]);
  const last = live.values().next().value!;
  return { size, steps, slotSizes, coreAxes, result: { vertex: last.vertex, slot: last.slot }, resultGather: gatherMap(last.labels, output, sizes) };
}

/**
 * Length of vertex v's per-sample environment: the product of its bond ranks (1 without bonds).
 * Internal to src/search.
 */
export function environmentSize(structure: NetworkStructure, v: number): number {
  return structure.neighbors(v).reduce((p, u) => p * structure.rank(u, v), 1);
}

/**
 * Computes vertex v's environment at m multi-indices (`idx`, m×N row-major, in range: not
 * checked here) a chunk at a time, calling `visit(s0, n, env)` for samples s0 … s0 + n − 1 with
 * `env` holding their environments n×R row-major (R = {@link environmentSize}; the bonds of v
 * in increasing neighbour order, row-major, as core v's axes after its open leg). So entry s of
 * the network is Σ_b core_v[i_s, b] · env[s, b], with i_s the sample's index on v's mode (0 for
 * a vertex without one). `env` is reused by the next chunk. Cost: m times one per-entry
 * contraction without v. Internal to src/search.
 */
export function forEachSampleEnvironment(
  net: TensorNetwork<"f64">, v: number, idx: Int32Array, m: number,
  visit: (s0: number, n: number, env: Float64Array) => void, optimizer = "auto",
): void {
  const { structure } = net;
  const p = plan(structure, v, optimizer);
  const R = p.size;
  const chunk = Math.max(1, Math.min(CHUNK, m));
  const env = new Float64Array(chunk * R);
  if (p.result === undefined) {
    env.fill(1);
    for (let s0 = 0; s0 < m; s0 += chunk) visit(s0, Math.min(chunk, m - s0), env);
    return;
  }
  const { slots, offA, locate, run } = stepRunner(net, p.coreAxes, idx, p.slotSizes, chunk);
  const gather = p.resultGather;
  // The last intermediate is the environment itself when its layout is already v's bond order.
  const direct = p.result.vertex < 0 && gather.every((q, i) => q === i);
  for (let s0 = 0; s0 < m; s0 += chunk) {
    const n = Math.min(chunk, m - s0);
    run(p.steps, s0, n);
    if (direct) {
      visit(s0, n, slots[p.result.slot]!);
      continue;
    }
    const src = locate(p.result, s0, n, offA);
    for (let s = 0; s < n; s++) {
      const base = offA[s]!, row = s * R;
      for (let q = 0; q < R; q++) env[row + q] = src[base + gather[q]!]!;
    }
    visit(s0, n, env);
  }
}
