import { modeProduct } from "../../linalg/unfold.js";
import { matmul } from "../../linalg/matmul.js";
import type { Tensor } from "../../linalg/tensor.js";
import { orthonormalize, qrAlong } from "../../tn/orthonormalize.js";
import type { Ttn, TtnDType } from "../../tn/ttn.js";

/**
 * The state Y⁰ at the start of a step, seen from every node (the "restriction pass" of the
 * BUG integrators, Ceruti–Lubich–Sulz 2023; Ceruti–Kusch–Lubich–Sulz 2024): Y⁰ in the tree
 * gauge, and for every node v its centre tensor in the gauge centred at v (C_v⁰ with the
 * factor S_v⁰ from above absorbed: the initial value of v's sub-problem) together with the
 * QR factors that move the gauge there. Root→leaves, one QR per edge.
 */
export class Restriction {
  /** Y⁰ in the tree gauge. */
  readonly z: Ttn;
  /** Centre tensor of every node (the root's is its tree-gauge tensor). */
  readonly center: Tensor[];
  private readonly toward = new Map<number, Tensor>();

  constructor(y: Ttn) {
    this.z = orthonormalize(y);
    const { tree } = this.z;
    this.center = new Array(tree.numNodes);
    this.center[tree.root] = this.z.tensors[tree.root]!;
    for (const v of tree.preorder()) {
      if (tree.isLeaf(v)) continue;
      for (const c of tree.children(v)) {
        const { Q, R } = qrAlong(this.center[v]! as Tensor<TtnDType>, tree.slot(c));
        this.toward.set(c, Q);
        const t = this.z.tensors[c]!;
        this.center[c] = tree.isLeaf(c) ? matmul(t, R, { transposeB: true }) : modeProduct(t, R, 0);
      }
    }
  }

  /** The tensor of c's parent in the gauge centred at c (orthonormal towards c). */
  parentTowards(c: number): Tensor {
    return this.toward.get(c)!;
  }

  /**
   * Node tensors of Y⁰ in the gauge centred at v: the path from the root holds the tensors
   * oriented towards v, v holds its centre tensor, every other node its tree-gauge tensor.
   */
  gaugedTensors(v: number): Tensor[] {
    const { tree } = this.z;
    const out = this.z.tensors.slice() as Tensor[];
    const path = tree.path(tree.root, v);
    for (let i = 1; i < path.length; i++) out[path[i - 1]!] = this.parentTowards(path[i]!);
    out[v] = this.center[v]!;
    return out;
  }
}
