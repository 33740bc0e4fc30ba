import { ArgumentError } from "../../errors.js";
import { contract } from "../../linalg/contract.js";
import { permute } from "../../linalg/permute.js";
import type { Tensor } from "../../linalg/tensor.js";
import { contractionOrder, type ContractionOrder, type ContractionProblem } from "./contraction-order.js";
import type { NetworkDType, TensorNetwork } from "./network.js";
import type { NetworkStructure } from "./structure.js";

/** Options of network contractions. */
export interface ContractOptions {
  /** A registered path optimiser (see {@link pathOptimizers}); default `"auto"`. */
  optimizer?: string;
}

/**
 * The network as a {@link ContractionProblem}. Labels: edge k of `structure.edges()` is label
 * k; the open leg of mode m is label E + m (E edges). Operand v lists vertex v's core axes:
 * its open leg (left out for a vertex without one, whose size-1 axis is dropped), then its
 * bonds in increasing neighbour order. For `kind: "entries"` the open legs are fixed by the
 * multi-index, so operands hold bonds only and the output is empty.
 */
export function networkProblem(structure: NetworkStructure, kind: "full" | "entries"): ContractionProblem {
  const E = structure.numEdges;
  const edgeLabel = new Map<number, number>();
  const V = structure.numVertices;
  structure.edges().forEach(({ u, v }, k) => edgeLabel.set(u * V + v, k));
  const bond = (a: number, b: number): number => edgeLabel.get(Math.min(a, b) * V + Math.max(a, b))!;
  const inputs = Array.from({ length: V }, (_, v) => {
    const bonds = structure.neighbors(v).map((u) => bond(v, u));
    return kind === "full" && structure.hasOpenLeg(v) ? [E + structure.perm[v]!, ...bonds] : bonds;
  });
  const sizes = [...structure.edges().map((e) => e.rank), ...structure.dims];
  const output = kind === "full" ? structure.dims.map((_, m) => E + m) : [];
  return { inputs, output, sizes };
}

// Orders depend on the structure only; networks of one structure (a fit's iterates, a search's
// candidates) share them. Structures are immutable, so identity is a safe key.
const orderCache = new WeakMap<NetworkStructure, Map<string, ContractionOrder>>();

/**
 * The contraction order of a structure's network, cached per structure and optimiser:
 * `kind: "full"` (default) contracts to the full tensor, `kind: "entries"` is the per-entry
 * network of bonds only that {@link networkEntries} contracts for every multi-index. (An
 * optimiser re-registered under a name already used is not seen by orders cached before.)
 *
 * @example
 * ```ts
 * const s = NetworkStructure.tensorRing([3, 3, 3, 3, 3, 3], 4);
 * const full = networkContractionOrder(s), perEntry = networkContractionOrder(s, { kind: "entries" });
 * console.assert(full.path.length === 5 && perEntry.flops < full.flops);
 * ```
 */
export function networkContractionOrder(structure: NetworkStructure, options: ContractOptions & { kind?: "full" | "entries" } = {}): ContractionOrder {
  const { optimizer = "auto", kind = "full" } = options;
  if (kind !== "full" && kind !== "entries") throw new ArgumentError(`networkContractionOrder: kind must be "full" or "entries", got ${String(kind)}`);
  let byName = orderCache.get(structure);
  if (byName === undefined) orderCache.set(structure, (byName = new Map()));
  const key = `${kind}:${optimizer}`;
  let order = byName.get(key);
  if (order === undefined) {
    order = contractionOrder(networkProblem(structure, kind), optimizer);
    byName.set(key, order);
  }
  return order;
}

/**
 * The full tensor of a network, modes 0…N−1 as axes in mode order (whatever the permutation),
 * by pairwise contractions (each one GEMM) along the order of {@link networkContractionOrder}.
 *
 * @example
 * ```ts
 * const s = NetworkStructure.tensorTrain([2, 2, 2], 1); // rank 1: a product of vectors
 * const net = new TensorNetwork(s, [tensor([1, 2]), tensor([3, 4]), tensor([5, 6])]);
 * console.assert(contractNetwork(net).get(1, 0, 1) === 2 * 3 * 6);
 * ```
 */
export function contractNetwork<D extends NetworkDType>(net: TensorNetwork<D>, options: ContractOptions = {}): Tensor<D> {
  const { structure } = net;
  const problem = networkProblem(structure, "full");
  const order = networkContractionOrder(structure, { optimizer: options.optimizer, kind: "full" });
  const operands = net.cores.map((core, v) => (structure.hasOpenLeg(v) ? core : core.reshape(core.shape.slice(1))) as Tensor);
  const last = contractAlongPath(operands, problem, order.path);
  const E = structure.numEdges;
  const axes = structure.dims.map((_, m) => last.labels.indexOf(E + m));
  return (axes.every((p, i) => p === i) ? last.t : permute(last.t, axes)) as Tensor<D>;
}

/**
 * Contracts `operands` (axes labelled by `problem.inputs`) pairwise along `path`, summing a label
 * once no other operand and not the output holds it. Returns the last tensor and its labels
 * (the output labels, in the order the contractions left them). Internal to src/search.
 */
export function contractAlongPath(operands: readonly Tensor[], problem: ContractionProblem, path: ContractionOrder["path"]): { t: Tensor; labels: readonly number[] } {
  const n = operands.length;
  const tensors = new Map<number, { t: Tensor; labels: readonly number[] }>();
  operands.forEach((t, i) => tensors.set(i, { t, labels: problem.inputs[i]! }));
  // Live holders of each label, the output counting as one: a label is summed once it drops to
  // the two operands of a step.
  const holders = new Int32Array(problem.sizes.length);
  for (const labels of problem.inputs) for (const l of labels) holders[l]!++;
  for (const l of problem.output) holders[l]!++;
  path.forEach(([a, b], k) => {
    const A = tensors.get(a)!, B = tensors.get(b)!;
    const union = [...A.labels, ...B.labels.filter((l) => !A.labels.includes(l))];
    for (const l of A.labels) holders[l]!--;
    for (const l of B.labels) holders[l]!--;
    const kept = union.filter((l) => holders[l]! > 0);
    for (const l of kept) holders[l]!++;
    tensors.delete(a);
    tensors.delete(b);
    tensors.set(n + k, { t: contract(A.t, A.labels, B.t, B.labels, kept), labels: kept });
  });
  return tensors.values().next().value!;
}
