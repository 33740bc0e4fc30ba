import { contract } from "../../linalg/contract.js";
import type { Tensor } from "../../linalg/tensor.js";

/** A tensor with a label per axis. */
export interface Labelled {
  tensor: Tensor;
  labels: string[];
}

/** Contracts two labelled tensors over every label they share; the others stay, in order. */
export function join(x: Labelled, y: Labelled): Labelled {
  const out = [...x.labels.filter((l) => !y.labels.includes(l)), ...y.labels.filter((l) => !x.labels.includes(l))];
  return { tensor: contract(x.tensor, x.labels, y.tensor, y.labels, out), labels: out };
}

/**
 * Contracts a node's state side (`state`, holding the state tensor's child bonds) and operator
 * tensor (`operator`) with one three-legged tensor per child, each sharing a state-bond label
 * with `state` and an operator-bond label with `operator` (environments [bra, op, ket], or the
 * compressed maps of a zip-up). Each child tensor joins whichever side keeps the intermediate
 * smaller; the operator side, with what it collected, joins last. For a binary node this keeps
 * intermediates at r³R where absorbing everything into the state side makes r³R² (600 MB at
 * r = 64, R = 17).
 */
export function contractWithChildren(
  state: Labelled, operator: Labelled,
  children: ReadonlyArray<{ item: Labelled; stateLabel: string; operatorLabel: string }>,
): Labelled {
  let s = state, o = operator;
  for (const { item, stateLabel, operatorLabel } of children) {
    const size = (x: Labelled, shared: string): number => {
      const axis = item.labels.indexOf(shared);
      return (x.tensor.size / item.tensor.shape[axis]!) * (item.tensor.size / item.tensor.shape[axis]!);
    };
    if (size(o, operatorLabel) <= size(s, stateLabel)) o = join(o, item);
    else s = join(s, item);
  }
  return join(s, o);
}
