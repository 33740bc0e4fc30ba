import { registerTask } from "../../backend/pool/registry.js";
import { compiledModuleUrl } from "../../backend/pool/module-url.js";
import type { PortableTask } from "../../backend/pool/pool.js";
import type { Complex } from "../../linalg/dtype.js";
import type { Tensor } from "../../linalg/tensor.js";
import { applyReducedLeaf, applyReducedNode, childAboveEnvironment, leafEnvironment, nodeEnvironment } from "../../tn/operators/env-primitives.js";
import { solveSubstep, type SubstepOptions } from "../solvers/substep.js";
import type { SubstepStats } from "../types.js";
import { assembleLeaf, assembleNode } from "./assemble-node.js";

/*
 * The sub-step of one node of a tree network under an operator right-hand side, as a task any
 * thread can run: everything it needs (the node's operator tensor, its environments, the
 * initial value) travels as data, so the parallel BUG's leaf and node problems can run in
 * worker threads with the same code and the same results as in the calling thread.
 */

/** A node's linear sub-problem Y' = scale · A_v(Y), A_v the operator reduced to node v. */
export interface ReducedSubstep {
  /** Leaf: the leaf's operator tensor [n, n, R]; inner node: its TTNO tensor. */
  op: Tensor;
  /** The environment above the node, [r, R, r] (1×1×1 at the root). */
  above: Tensor;
  /** Inner node: its children's environments, in slot order; null for a leaf. */
  children: Tensor[] | null;
  y0: Tensor;
  t0: number;
  t1: number;
  scale: Complex;
  hermitian: boolean;
  substep: SubstepOptions;
}

/** The solved sub-problem. */
export interface SolvedSubstep {
  y: Tensor;
  stats: SubstepStats;
}

/**
 * Solves one reduced sub-problem (Krylov exponential by default).
 */
export function solveReducedSubstep(p: ReducedSubstep): SolvedSubstep {
  const children = p.children;
  const apply = children === null ? (t: Tensor) => applyReducedLeaf(p.op, p.above, t) : (t: Tensor) => applyReducedNode(p.op, p.above, children, t);
  return solveSubstep({ y0: p.y0, t0: p.t0, t1: p.t1, linear: { apply, scale: p.scale, hermitian: p.hermitian } }, p.substep);
}

/** Input of the environment tasks: a leaf's or inner node's environment from below. */
export interface EnvironmentInput {
  op: Tensor;
  bra: Tensor;
  ket: Tensor;
  /** Inner node: its children's environments; null for a leaf. */
  children: Tensor[] | null;
}

/** Input of the task for the environment above a child (see `childAboveEnvironment`). */
export interface AboveInput {
  op: Tensor;
  bra: Tensor;
  ket: Tensor;
  above: Tensor;
  /** Children's environments, null at the child's own slot. */
  children: (Tensor | null)[];
  slot: number;
}

const environmentBelow = (p: EnvironmentInput): Tensor => (p.children === null ? leafEnvironment(p.op, p.bra, p.ket) : nodeEnvironment(p.op, p.bra, p.ket, p.children));
const environmentAbove = (p: AboveInput): Tensor => childAboveEnvironment(p.op, p.bra, p.ket, p.above, p.children.map((c) => c ?? undefined), p.slot);

/** The tasks of the tree-network integrators, by name. */
export const TTN_TASKS = {
  "ttn/reduced-substep": solveReducedSubstep,
  "ttn/environment": environmentBelow,
  "ttn/above": environmentAbove,
  "ttn/assemble-leaf": assembleLeaf,
  "ttn/assemble-node": assembleNode,
} as const;
for (const [name, fn] of Object.entries(TTN_TASKS)) registerTask(name, fn as never);

// Workers import this module by URL; from TypeScript sources that is the compiled copy, which
// exists only after a build, so it is resolved on first use (the in-thread path never needs it).
let moduleUrl: string | undefined;

/**
 * One of {@link TTN_TASKS} with its payload, for a {@link TaskRunner} of `threads` threads.
 */
export function ttnTask<K extends keyof typeof TTN_TASKS>(name: K, payload: Parameters<(typeof TTN_TASKS)[K]>[0], threads: number, cost?: number): PortableTask {
  const module = threads > 1 ? (moduleUrl ??= compiledModuleUrl(import.meta.url, "./tasks.js")) : "";
  return { module, name, payload, ...(cost !== undefined ? { cost } : {}) };
}

/** Multiply-adds of one application of a node's reduced operator, roughly (for scheduling). */
export function substepCost(p: ReducedSubstep): number {
  const [ra = 1, R = 1] = p.above.shape;
  if (p.children === null) return p.y0.size * ra * R * (p.op.shape[0] ?? 1);
  return p.children.reduce((c, E) => c * (E.shape[1] ?? 1) * Math.max(1, (E.shape[0] ?? 1) / Math.max(1, E.shape[2] ?? 1)), p.y0.size * ra * R);
}
