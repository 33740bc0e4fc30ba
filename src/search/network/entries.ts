import { ArgumentError, ShapeError } from "../../errors.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";
import { pairStep, planCache, stepRunner, type Operand, type Source, type Step } from "./batched-kernels.js";
import { contractNetwork, networkContractionOrder, networkProblem, type ContractOptions } from "./contract.js";
import type { NetworkDType, TensorNetwork } from "./network.js";
import type { NetworkStructure } from "./structure.js";

// Samples per pass: the per-sample intermediates of a chunk stay in cache, and millions of
// indices never need millions-sized temporaries.
const CHUNK = 1024;

interface EntriesPlan {
  steps: Step[];
  /** Element count of each intermediate slot (per sample). */
  slotSizes: number[];
  /** Per vertex: the core axes order [0, bond axes…] that lays each open-leg slice out for its step. */
  coreAxes: number[][];
  /** The tensor holding the values: the last intermediate, or the only core. */
  result: Source;
}

const cachedPlan = planCache<EntriesPlan>();

function plan(structure: NetworkStructure, optimizer: string): EntriesPlan {
  return cachedPlan(structure, optimizer, () => buildPlan(structure, optimizer));
}

// Each step of the order becomes one strided small matrix product per sample (see pairStep).
function buildPlan(structure: NetworkStructure, optimizer: string): EntriesPlan {
  const problem = networkProblem(structure, "entries");
  const { sizes } = problem;
  const order = networkContractionOrder(structure, { optimizer, kind: "entries" });
  const V = structure.numVertices;
  const live = new Map<number, Operand>();
  problem.inputs.forEach((labels, v) => live.set(v, { vertex: v, slot: -1, labels }));
  const layouts: (readonly number[])[] = problem.inputs.slice();
  const steps: Step[] = [];
  const slotSizes: number[] = [];
  order.path.forEach(([x, y], k) => {
    const { step, freeX, freeY } = pairStep(live.get(x)!, live.get(y)!, sizes, slotSizes.length, (v, layout) => {
      layouts[v] = layout;
    });
    steps.push(step);
    slotSizes.push(step.M * step.N);
    live.delete(x);
    live.delete(y);
    live.set(V + k, { vertex: -1, slot: step.out, labels: [...freeX, ...freeY] });
  });
  const coreAxes = layouts.map((layout, v) => [0, ...layout.map((l) => 1 + problem.inputs[v]!.indexOf(l))]);
  const last = live.values().next().value!;
  return { steps, slotSizes, coreAxes, result: { vertex: last.vertex, slot: last.slot } };
}

function indexMatrix(structure: NetworkStructure, indices: Int32Array | readonly (readonly number[])[]): { idx: Int32Array; m: number } {
  const N = structure.numModes;
  const dims = structure.dims;
  let idx: Int32Array;
  if (indices instanceof Int32Array) {
    if (indices.length % N !== 0) throw new ShapeError(`entries: ${indices.length} indices are not a whole number of ${N}-mode multi-indices`);
    idx = indices;
  } else {
    if (!Array.isArray(indices)) throw new ShapeError("entries: indices must be an Int32Array (m×N, row-major) or an array of multi-indices");
    idx = new Int32Array(indices.length * N);
    indices.forEach((row, s) => {
      if (!Array.isArray(row) || row.length !== N) throw new ShapeError(`entries: multi-index ${s} has ${Array.isArray(row) ? row.length : "no"} entries for ${N} modes`);
      for (let k = 0; k < N; k++) {
        const i = row[k]!;
        if (!Number.isInteger(i) || i < 0 || i >= dims[k]!) {
          throw new ShapeError(`entries: multi-index ${s} has ${i} for mode ${k} of size ${dims[k]} (dims ${formatShape(dims)})`);
        }
        idx[s * N + k] = i;
      }
    });
  }
  const m = idx.length / N;
  for (let s = 0; s < m; s++)
    for (let k = 0; k < N; k++) {
      const i = idx[s * N + k]!;
      if (i < 0 || i >= dims[k]!) throw new ShapeError(`entries: multi-index ${s} has ${i} for mode ${k} of size ${dims[k]} (dims ${formatShape(dims)})`);
    }
  return { idx, m };
}

/** Options of {@link networkEntries}. */
export interface EntriesOptions extends ContractOptions {
  /**
   * How entries are computed. `"per-entry"`: the network of bonds left once each open leg is
   * fixed by the index, contracted for all entries of a chunk together; linear in m.
   * `"full"`: the full tensor once, then a lookup per entry. `"auto"` (default): `"full"` when
   * its contraction costs fewer flops than m per-entry contractions and the full tensor has at
   * most 2^22 entries, else `"per-entry"`.
   */
  strategy?: "auto" | "per-entry" | "full";
}

// Largest full tensor "auto" builds to look entries up in (32 MiB of f64).
const FULL_LOOKUP_MAX = 2 ** 22;

/**
 * Entries of a network at m multi-indices, given as an m×N row-major `Int32Array` or an array
 * of index arrays; returns a tensor of shape [m]. Per entry, each core's open leg is fixed by
 * the index, leaving a small network of bonds; the entries of a chunk are contracted together,
 * step by step along one order ({@link networkContractionOrder} with `kind: "entries"`), each
 * step a small matrix product per entry read in place from the cores, so the cost is linear in
 * m and independent of the mode sizes. For many entries of a small tensor, building the full
 * tensor once is cheaper, and `strategy: "auto"` does that (see {@link EntriesOptions}).
 *
 * @throws {@link ShapeError} for an index out of range or of the wrong length.
 * @example
 * ```ts
 * const net = TensorNetwork.random(NetworkStructure.tensorRing([3, 4, 3, 4], 3), 2);
 * const full = net.toFull();
 * const idx = new Int32Array([0, 1, 2, 3, 2, 3, 0, 0]);
 * const v = networkEntries(net, idx, { strategy: "per-entry" });
 * console.assert(Math.abs((v.get(1) as number) - (full.get(2, 3, 0, 0) as number)) < 1e-12);
 * console.assert(Math.abs(networkEntries(net, idx, { strategy: "full" }).data[1] - v.data[1]) < 1e-12);
 * ```
 */
export function networkEntries<D extends NetworkDType>(
  net: TensorNetwork<D>, indices: Int32Array | readonly (readonly number[])[], options: EntriesOptions = {},
): Tensor<D> {
  const { structure } = net;
  const { idx, m } = indexMatrix(structure, indices);
  const out = new Tensor(net.dtype, [m]);
  if (m === 0) return out;
  const { optimizer = "auto", strategy = "auto" } = options;
  if (strategy !== "auto" && strategy !== "per-entry" && strategy !== "full") {
    throw new ArgumentError(`networkEntries: strategy must be "auto", "per-entry" or "full", got ${String(strategy)}`);
  }
  const viaFull = strategy === "full" || (strategy === "auto" && structure.numEntries() <= FULL_LOOKUP_MAX &&
    networkContractionOrder(structure, { optimizer, kind: "full" }).flops < m * networkContractionOrder(structure, { optimizer, kind: "entries" }).flops);
  if (viaFull) return lookUp(contractNetwork(net, { optimizer }), idx, m, out);
  const p = plan(structure, optimizer);
  const w = net.dtype === "c128" ? 2 : 1;
  const chunk = Math.min(CHUNK, m);
  const { offA, locate, run } = stepRunner(net, p.coreAxes, idx, p.slotSizes, chunk);
  for (let s0 = 0; s0 < m; s0 += chunk) {
    const n = Math.min(chunk, m - s0);
    run(p.steps, s0, n);
    const values = locate(p.result, s0, n, offA);
    for (let s = 0; s < n; s++) for (let q = 0; q < w; q++) out.data[w * (s0 + s) + q] = values[w * offA[s]! + q]!;
  }
  return out;
}

// Entries of a full tensor (row-major over the modes) at the multi-indices.
function lookUp<D extends NetworkDType>(full: Tensor<D>, idx: Int32Array, m: number, out: Tensor<D>): Tensor<D> {
  const dims = full.shape, N = dims.length, w = full.dtype === "c128" ? 2 : 1;
  for (let s = 0; s < m; s++) {
    let off = 0;
    for (let k = 0; k < N; k++) off = off * dims[k]! + idx[s * N + k]!;
    for (let q = 0; q < w; q++) out.data[w * s + q] = full.data[w * off + q]!;
  }
  return out;
}
