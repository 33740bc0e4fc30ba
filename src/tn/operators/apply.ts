import { ShapeError } from "../../errors.js";
import { contract } from "../../linalg/contract.js";
import type { Tensor } from "../../linalg/tensor.js";
import { Ttn, type TtnDType } from "../ttn.js";
import type { Ttno } from "./ttno.js";

/** Throws unless an operator and a state live on the same tree and mode sizes. */
export function checkOperatorFits(op: Ttno, y: Ttn, operation: string): void {
  if (!op.tree.equals(y.tree)) throw new ShapeError(`${operation}: operator on ${op.tree}, state on ${y.tree}`);
  if (op.dims.some((n, m) => n !== y.dims[m])) throw new ShapeError(`${operation}: operator mode sizes [${op.dims.join(", ")}] differ from the state's [${y.dims.join(", ")}]`);
}

/**
 * The exact product A·Y of a tree operator and a network: every node tensor becomes the
 * Kronecker product of the operator's and the state's (bond (s, b) → s·r + b), so ranks
 * multiply. Truncate afterwards to bring them down.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const H = transverseFieldIsing({ sites: 4 });
 * const y = Ttn.random(tree, [2, 2, 2, 2], 2, 1);
 * const hy = applyTtno(Ttno.fromSumOfProducts(tree, H), y);
 * const dense = matmul(H.toMatrix(), y.toFull().reshape([16]));
 * console.assert(distance(hy.toFull().reshape([16]), dense) < 1e-12);
 * ```
 */
export function applyTtno(op: Ttno, y: Ttn): Ttn {
  checkOperatorFits(op, y, "apply");
  const { tree } = y;
  const tensors: Tensor[] = new Array(tree.numNodes);
  for (let v = 0; v < tree.numNodes; v++) {
    const Y = y.tensors[v]!;
    if (tree.isLeaf(v)) {
      const W = op.leafOperator(v);
      const out = contract(W, ["p", "q", "s"], Y, ["q", "b"], ["p", "s", "b"]);
      tensors[v] = out.reshape([out.shape[0]!, out.shape[1]! * out.shape[2]!]);
      continue;
    }
    const W = op.network.tensors[v]!;
    const k = tree.children(v).length;
    const lw = Array.from({ length: k + 1 }, (_, i) => `s${i}`);
    const ly = Array.from({ length: k + 1 }, (_, i) => `b${i}`);
    const out = contract(W, lw, Y, ly, lw.flatMap((s, i) => [s, ly[i]!]));
    tensors[v] = out.reshape(Array.from({ length: k + 1 }, (_, i) => W.shape[i]! * Y.shape[i]!));
  }
  return new Ttn(tree, y.dims, tensors as Tensor<TtnDType>[]);
}
