import { contract } from "../../linalg/contract.js";
import { conj } from "../../linalg/elementwise.js";
import { permute } from "../../linalg/permute.js";
import type { Tensor } from "../../linalg/tensor.js";
import { contractWithChildren, type Labelled } from "./node-contraction.js";

/*
 * The contractions behind environments and reduced operators of a sandwich ⟨X|A|Y⟩, node by
 * node, with the bra, operator and ket tensors given explicitly, so that callers can mix bases
 * (old and augmented, gauged towards different nodes) as DLRA steps need. An environment on an
 * edge is a tensor [r_X, R_A, r_Y]. Bra tensors are given unconjugated.
 * Labels: bra bonds a0 (parent) a1…ak (children), operator s…, ket b…, physical p (out), q (in).
 */

const bra = (i: number): string => `a${i}`;
const opl = (i: number): string => `s${i}`;
const ket = (i: number): string => `b${i}`;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function conjugate(t: Tensor): Tensor {
  return t.dtype === "c128" ? conj(t) : t;
}

/** Environment of a leaf: E[a, s, b] = Σ_{p,q} conj(X[p, a]) · W[p, q, s] · Y[q, b]. */
export function leafEnvironment(W: Tensor, braLeaf: Tensor, ketLeaf: Tensor): Tensor {
  const t = contract(W, ["p", "q", "s"], ketLeaf, ["q", "b"], ["p", "s", "b"]);
  return contract(conjugate(braLeaf), ["p", "a"], t, ["p", "s", "b"], ["a", "s", "b"]);
}

// The ket side `t` (labelled) with the node's operator tensor and the child environments
// (all slots 1…k except `skipSlot`) contracted in.
function withChildren(W: Tensor, t: Labelled, children: readonly (Tensor | undefined)[], skipSlot: number): Labelled {
  const k = children.length;
  const operator = { tensor: W, labels: [opl(0), ...range(k).map((j) => opl(j + 1))] };
  const items = children.flatMap((E, j) => {
    const slot = j + 1;
    if (slot === skipSlot || E === undefined) return [];
    return [{ item: { tensor: E, labels: [bra(slot), opl(slot), ket(slot)] }, stateLabel: ket(slot), operatorLabel: opl(slot) }];
  });
  return contractWithChildren(t, operator, items);
}

/**
 * Environment of an inner node from its children's: E[a0, s0, b0] = conj(X)·W·Y with every
 * child bond contracted through the child's environment `children[j]` (slot j + 1).
 */
export function nodeEnvironment(W: Tensor, braNode: Tensor, ketNode: Tensor, children: readonly Tensor[]): Tensor {
  const k = children.length;
  const t = withChildren(W, { tensor: ketNode, labels: [ket(0), ...range(k).map((j) => ket(j + 1))] }, children, -1);
  return contract(conjugate(braNode), [bra(0), ...range(k).map((j) => bra(j + 1))], t.tensor, t.labels, [bra(0), opl(0), ket(0)]);
}

/**
 * Environment above the child at `slot` of an inner node: everything outside that child's
 * subtree, from the node's own environment above (`above`, [a0, s0, b0]; 1×1×1 at the root),
 * its tensors, and its other children's environments (`children[slot − 1]` is ignored).
 */
export function childAboveEnvironment(W: Tensor, braNode: Tensor, ketNode: Tensor, above: Tensor, children: readonly (Tensor | undefined)[], slot: number): Tensor {
  const k = children.length;
  const t0 = contract(ketNode, [ket(0), ...range(k).map((j) => ket(j + 1))], above, [bra(0), opl(0), ket(0)]);
  const t = withChildren(W, { tensor: t0, labels: [...range(k).map((j) => ket(j + 1)), bra(0), opl(0)] }, children, slot);
  return contract(conjugate(braNode), [bra(0), ...range(k).map((j) => bra(j + 1))], t.tensor, t.labels, [bra(slot), opl(slot), ket(slot)]);
}

/** The operator reduced to a leaf applied to `t` ([n, r_Y]): out[p, a] = Σ W[p, q, s]·above[a, s, b]·t[q, b]. */
export function applyReducedLeaf(W: Tensor, above: Tensor, t: Tensor): Tensor {
  const u = contract(t, ["q", "b"], above, ["a", "s", "b"], ["q", "a", "s"]);
  return contract(W, ["p", "q", "s"], u, ["q", "a", "s"], ["p", "a"]);
}

/**
 * The operator reduced to an inner node applied to `t` (shaped like the ket's node tensor):
 * the node's environment above and its children's environments contracted with W and t.
 * The result is shaped like the bra's node tensor.
 */
export function applyReducedNode(W: Tensor, above: Tensor, children: readonly Tensor[], t: Tensor): Tensor {
  const k = children.length;
  const u = contract(t, [ket(0), ...range(k).map((j) => ket(j + 1))], above, [bra(0), opl(0), ket(0)]);
  const r = withChildren(W, { tensor: u, labels: [...range(k).map((j) => ket(j + 1)), bra(0), opl(0)] }, children, -1);
  const order = [bra(0), ...range(k).map((j) => bra(j + 1))];
  return permute(r.tensor, order.map((l) => r.labels.indexOf(l)));
}

