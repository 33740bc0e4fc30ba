import { toComplex } from "../../linalg/complex.js";
import type { Complex } from "../../linalg/dtype.js";
import { scale as scaleTensor } from "../../linalg/elementwise.js";
import { Tensor } from "../../linalg/tensor.js";
import { applyReducedNode, childAboveEnvironment, leafEnvironment, nodeEnvironment } from "../../tn/operators/env-primitives.js";
import { projectFullOntoNode } from "../../tn/project.js";
import { Ttn, type TtnDType } from "../../tn/ttn.js";
import type { SubstepOptions, VectorField } from "../solvers/substep.js";
import type { Restriction } from "./restriction.js";
import { evaluateCallback, type TtnRhs } from "./rhs.js";
import { ttnTask, type ReducedSubstep } from "./tasks.js";
import type { TaskRunner } from "../../backend/pool/pool.js";
import { depthLevels, heightLevels } from "./levels.js";

/** Which of a node's sub-problems: a leaf K-step, or a connecting tensor in old or augmented child bases. */
export type NodeProblemKind = "leaf" | "old" | "augmented";

/**
 * The sub-problems of one BUG step on a tree network, for either kind of right-hand side. All
 * use Y⁰'s environment above the node (old bases, gauge centred at the node); the children's
 * side is either Y⁰'s (old) or the augmented bases `aug` computed so far (tensors by node id).
 * For an operator right-hand side everything goes through reduced operators (environments);
 * for a callback through full tensors.
 */
export class ReducedProblems {
  private readonly above = new Map<number, Tensor>();
  private readonly belowOld = new Map<number, Tensor>();
  private readonly belowAug = new Map<number, Tensor>();
  private readonly belowAugOld = new Map<number, Tensor>();
  readonly scale: Complex;

  constructor(readonly rhs: TtnRhs, readonly restriction: Restriction) {
    this.scale = toComplex(rhs.kind === "ttno" ? rhs.scale ?? 1 : 1);
  }

  private get tree() {
    return this.restriction.z.tree;
  }

  /**
   * Node v's sub-problem as data for a task (operator right-hand sides): its operator tensor,
   * the environment above it (Y⁰'s, centred at v) and, for an inner node, its children's
   * environments in old or augmented bases (`aug`, tensors by node id, for "augmented").
   */
  substep(v: number, kind: NodeProblemKind, y0: Tensor, t0: number, t1: number, substep: SubstepOptions, aug?: readonly Tensor[]): ReducedSubstep {
    const op = this.operator();
    const children = kind === "leaf" ? null : this.tree.children(v).map((c) => (kind === "old" ? this.envOld(c) : this.envAug(c, aug!)));
    const W = kind === "leaf" ? op.op.leafOperator(v) : op.op.network.tensors[v]!;
    return { op: W, above: this.aboveOld(v), children, y0, t0, t1, scale: this.scale, hermitian: op.hermitian ?? false, substep };
  }

  /** Node v's sub-problem as a vector field on its tensor (callback right-hand sides). */
  field(v: number, kind: NodeProblemKind, aug?: readonly Tensor[]): VectorField {
    const tensors = kind === "augmented" ? this.withAugmentedChildren(v, aug!) : this.restriction.gaugedTensors(v);
    return (time, t) => this.callbackAt(v, time, t, tensors);
  }

  /**
   * Computes every environment of Y⁰ (below each node and above it) ahead of the sub-steps:
   * level by level, each level's contractions as one batch through `runner`.
   */
  prepareOldEnvironments(runner: TaskRunner): void {
    if (this.rhs.kind !== "ttno") return;
    const { op } = this.rhs;
    const { tree } = this;
    const z = this.restriction.z;
    for (const level of heightLevels(tree)) {
      const todo = level.filter((v) => v !== tree.root && !this.belowOld.has(v));
      const tasks = todo.map((v) =>
        ttnTask("ttn/environment", {
          op: tree.isLeaf(v) ? op.leafOperator(v) : op.network.tensors[v]!,
          bra: z.tensors[v]!, ket: z.tensors[v]!,
          children: tree.isLeaf(v) ? null : tree.children(v).map((c) => this.belowOld.get(c)!),
        }, runner.threads));
      runner.run(tasks).forEach((E, i) => this.belowOld.set(todo[i]!, E as Tensor));
    }
    this.aboveOld(tree.root);
    for (const level of depthLevels(tree)) {
      const edges = level.flatMap((v) => tree.children(v).map((c) => ({ v, c })));
      const tasks = edges.map(({ v, c }) => {
        const q = this.restriction.parentTowards(c);
        return ttnTask("ttn/above", {
          op: op.network.tensors[v]!, bra: q, ket: q, above: this.above.get(v)!,
          children: tree.children(v).map((x) => (x === c ? null : this.belowOld.get(x)!)), slot: tree.slot(c),
        }, runner.threads);
      });
      runner.run(tasks).forEach((E, i) => this.above.set(edges[i]!.c, E as Tensor));
    }
  }

  private operator(): Extract<TtnRhs, { kind: "ttno" }> {
    if (this.rhs.kind !== "ttno") throw new Error("internal: reduced operators need an operator right-hand side");
    return this.rhs;
  }

  /**
   * F(t₀, Y⁰) reduced to node v with v's children in their augmented bases (bra) and Y⁰ (ket),
   * applied to v's centre tensor: the tensor [r_v, r̂_c1, …] whose blocks with one new index
   * are the parallel BUG's off-diagonal blocks (before the factor h).
   */
  projectedRhs(v: number, t0: number, aug: readonly Tensor[]): Tensor {
    const center = this.restriction.center[v]!;
    if (this.rhs.kind === "ttno") {
      const W = this.rhs.op.network.tensors[v]!;
      const envs = this.tree.children(v).map((c) => this.envAugOld(c, aug));
      return scaleTensor(applyReducedNode(W, this.aboveOld(v), envs, center), this.scale);
    }
    const G = evaluateCallback(this.rhs.f, t0, new Ttn(this.tree, this.restriction.z.dims, this.restriction.gaugedTensors(v) as Tensor<TtnDType>[]).toFull());
    return projectFullOntoNode(this.tree, this.withAugmentedChildren(v, aug), v, G);
  }

  // F on the full tensor of the network `tensors` with v's tensor replaced by t, projected back.
  private callbackAt(v: number, time: number, t: Tensor, tensors: Tensor[]): Tensor {
    const f = (this.rhs as Extract<TtnRhs, { kind: "callback" }>).f;
    const withT = tensors.slice();
    withT[v] = t;
    const y = new Ttn(this.tree, this.restriction.z.dims, withT as Tensor<TtnDType>[]).toFull();
    return projectFullOntoNode(this.tree, withT, v, evaluateCallback(f, time, y));
  }

  // Y⁰ gauged towards v with the subtrees of v's children replaced by their augmented bases.
  private withAugmentedChildren(v: number, aug: readonly Tensor[]): Tensor[] {
    const out = this.restriction.gaugedTensors(v);
    const stack = [...this.tree.children(v)];
    while (stack.length > 0) {
      const u = stack.pop()!;
      out[u] = aug[u]!;
      stack.push(...this.tree.children(u));
    }
    return out;
  }

  /** Y⁰'s environment above v (gauge centred at v), [r, R, r]; 1×1×1 at the root. */
  aboveOld(v: number): Tensor {
    const hit = this.above.get(v);
    if (hit !== undefined) return hit;
    const { tree } = this;
    const op = (this.rhs as Extract<TtnRhs, { kind: "ttno" }>).op;
    let out: Tensor;
    if (v === tree.root) {
      out = new Tensor(this.restriction.z.dtype === "c128" || op.dtype === "c128" ? "c128" : "f64", [1, 1, 1]);
      out.data[0] = 1;
    } else {
      const p = tree.parent(v);
      const q = this.restriction.parentTowards(v);
      const siblings = tree.children(p).map((c) => (c === v ? undefined : this.envOld(c)));
      out = childAboveEnvironment(op.network.tensors[p]!, q, q, this.aboveOld(p), siblings, tree.slot(v));
    }
    this.above.set(v, out);
    return out;
  }

  private envOld(v: number): Tensor {
    return this.memo(this.belowOld, v, () => this.env(v, this.restriction.z.tensors, this.restriction.z.tensors, (c) => this.envOld(c)));
  }

  private envAug(v: number, aug: readonly Tensor[]): Tensor {
    return this.memo(this.belowAug, v, () => this.env(v, aug, aug, (c) => this.envAug(c, aug)));
  }

  private envAugOld(v: number, aug: readonly Tensor[]): Tensor {
    return this.memo(this.belowAugOld, v, () => this.env(v, aug, this.restriction.z.tensors, (c) => this.envAugOld(c, aug)));
  }

  private env(v: number, bra: readonly Tensor[], ket: readonly Tensor[], child: (c: number) => Tensor): Tensor {
    const op = (this.rhs as Extract<TtnRhs, { kind: "ttno" }>).op;
    if (this.tree.isLeaf(v)) return leafEnvironment(op.leafOperator(v), bra[v]!, ket[v]!);
    return nodeEnvironment(op.network.tensors[v]!, bra[v]!, ket[v]!, this.tree.children(v).map(child));
  }

  private memo(cache: Map<number, Tensor>, v: number, compute: () => Tensor): Tensor {
    const hit = cache.get(v);
    if (hit !== undefined) return hit;
    const out = compute();
    cache.set(v, out);
    return out;
  }
}
