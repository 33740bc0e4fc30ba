import { ShapeError } from "../../errors.js";
import type { Complex } from "../../linalg/dtype.js";
import { Tensor } from "../../linalg/tensor.js";
import { innerTtn } from "../algebra.js";
import type { Ttn } from "../ttn.js";
import { checkOperatorFits } from "./apply.js";
import { applyReducedLeaf, applyReducedNode, childAboveEnvironment, leafEnvironment, nodeEnvironment } from "./env-primitives.js";
import type { Ttno } from "./ttno.js";

/**
 * Environments of the sandwich ⟨X|A|Y⟩ of two networks and an operator on one tree, each a
 * tensor [r_X, R_A, r_Y] on an edge:
 * - `below(v)`: the contraction of everything in v's subtree (open at the edge above v);
 * - `above(v)`: the contraction of everything outside it (the root's is the 1×1×1 one).
 * From them come ⟨X|A|Y⟩ and the operator reduced to one node: with X's and Y's other
 * nodes fixed, the linear map that node's tensor undergoes. When X = Y is orthonormal towards
 * that node (`orthonormalizeTowards`), this is the Galerkin projection P·A·P onto the node
 * — the local problem of every DLRA/TDVP-type step. Environments are computed on demand and
 * cached.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const op = Ttno.fromSumOfProducts(tree, transverseFieldIsing({ sites: 4 }));
 * const y = Ttn.random(tree, [2, 2, 2, 2], 2, 3);
 * const env = new OperatorEnvironments(y, op, y);
 * const dense = vdot(y.toFull().reshape([16]), matmul(op.toMatrix(), y.toFull().reshape([16]))) as number;
 * console.assert(Math.abs((env.value() as number) - dense) < 1e-12);
 * ```
 */
export class OperatorEnvironments {
  private readonly belowCache = new Map<number, Tensor>();
  private readonly aboveCache = new Map<number, Tensor>();
  constructor(readonly x: Ttn, readonly op: Ttno, readonly y: Ttn) {
    checkOperatorFits(op, x, "environments");
    checkOperatorFits(op, y, "environments");
  }

  /** The environment of v's subtree, [r_X(v), R(v), r_Y(v)]. */
  below(v: number): Tensor {
    const hit = this.belowCache.get(v);
    if (hit !== undefined) return hit;
    const { tree } = this.y;
    const out = tree.isLeaf(v)
      ? leafEnvironment(this.op.leafOperator(v), this.x.tensors[v]!, this.y.tensors[v]!)
      : nodeEnvironment(this.op.network.tensors[v]!, this.x.tensors[v]!, this.y.tensors[v]!, tree.children(v).map((c) => this.below(c)));
    this.belowCache.set(v, out);
    return out;
  }

  /** The environment of everything outside v's subtree, [r_X(v), R(v), r_Y(v)]. */
  above(v: number): Tensor {
    const hit = this.aboveCache.get(v);
    if (hit !== undefined) return hit;
    const { tree } = this.y;
    let out: Tensor;
    if (v === tree.root) {
      out = new Tensor(this.dtype(), [1, 1, 1]);
      out.data[0] = 1;
    } else {
      const p = tree.parent(v);
      const siblings = tree.children(p).map((c) => (c === v ? undefined : this.below(c)));
      out = childAboveEnvironment(this.op.network.tensors[p]!, this.x.tensors[p]!, this.y.tensors[p]!, this.above(p), siblings, tree.slot(v));
    }
    this.aboveCache.set(v, out);
    return out;
  }

  /** ⟨X|A|Y⟩. */
  value(): number | Complex {
    const e = this.below(this.y.tree.root);
    return e.dtype === "c128" ? { re: e.data[0]!, im: e.data[1]! } : e.data[0]!;
  }

  /**
   * The operator reduced to node v applied to a tensor `t` shaped like Y's tensor at v: all
   * other nodes of ⟨X| and |Y⟩ contracted. The result is shaped like X's tensor at v.
   * Linear in `t`; with X = Y orthonormal towards v it is the Galerkin operator of the node.
   */
  applyAt(v: number, t: Tensor): Tensor {
    const { tree } = this.y;
    const want = this.y.tensors[v]!.shape;
    if (t.ndim !== want.length || t.shape.some((n, i) => n !== want[i])) {
      throw new ShapeError(`applyAt(${v}): tensor of shape [${t.shape.join(", ")}] where node ${v} has [${want.join(", ")}]`);
    }
    if (tree.isLeaf(v)) return applyReducedLeaf(this.op.leafOperator(v), this.above(v), t);
    return applyReducedNode(this.op.network.tensors[v]!, this.above(v), tree.children(v).map((c) => this.below(c)), t);
  }

  private dtype(): "f64" | "c128" {
    return this.x.dtype === "c128" || this.y.dtype === "c128" || this.op.dtype === "c128" ? "c128" : "f64";
  }
}

/**
 * ⟨X|A|Y⟩ for networks X, Y and an operator on one tree, without full tensors.
 *
 * @example
 * ```ts
 * const tree = Tree.tensorTrain(3);
 * const op = Ttno.identity(tree, [2, 2, 2]);
 * const x = Ttn.random(tree, [2, 2, 2], 2, 1), y = Ttn.random(tree, [2, 2, 2], 2, 2);
 * console.assert(Math.abs((matrixElement(x, op, y) as number) - (x.inner(y) as number)) < 1e-14);
 * ```
 */
export function matrixElement(x: Ttn, op: Ttno, y: Ttn): number | Complex {
  return new OperatorEnvironments(x, op, y).value();
}

/**
 * The expectation value ⟨Y|A|Y⟩ / ⟨Y|Y⟩ (a number for real Y and A; complex A gives
 * `{ re, im }`, with im ≈ 0 for Hermitian A).
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const up = tensor([1, 0]);
 * const y = Ttn.product(tree, [up, up, up, up]);
 * const mz = Ttno.fromSumOfProducts(tree, onsite(4, pauli.Z, () => 0.25));
 * console.assert(Math.abs((expectation(mz, y) as number) - 1) < 1e-14);
 * ```
 */
export function expectation(op: Ttno, y: Ttn): number | Complex {
  const num = matrixElement(y, op, y);
  const den = innerTtn(y, y);
  const d = typeof den === "number" ? den : den.re;
  return typeof num === "number" ? num / d : { re: num.re / d, im: num.im / d };
}
