import { DTypeError, ShapeError } from "../../errors.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";
import type { Tree } from "../tree.js";
import type { ProductTerm, SumOfProducts } from "./sum-of-products.js";

const IDENTITY = "I";
const COMPLETE = "C";

/**
 * The exact tree-operator tensors of a sum of products, by the state-diagram construction.
 * Across the edge above node v a term is in one of three kinds of state:
 * - identity: none of its factors lies in v's subtree;
 * - complete: all of them do (its coefficient has been applied, so all complete terms share
 *   one state, whose operator is their sum);
 * - partial: some do; one state per distinct restriction of terms to the subtree (its factors
 *   there, without the coefficient), shared by every term with that restriction.
 * Each coefficient is applied once, at the lowest node whose subtree holds the term's support.
 * The bond dimension at an edge is 2 + the number of distinct partial restrictions: for
 * N-site pair couplings |S| + 2 instead of the number of terms.
 *
 * Returns, by node id, leaf tensors [n, n, R] (out, in, bond) and inner tensors
 * [R_v, R_c1, …] (root: R = 1).
 */
export function stateDiagramTensors(tree: Tree, sop: SumOfProducts): Tensor[] {
  if (sop.numModes !== tree.numModes) throw new ShapeError(`Ttno: operator on ${sop.numModes} modes for a tree over ${tree.numModes}`);
  const dtype = sop.isComplex ? "c128" : "f64";
  const terms = sop.terms;
  const keys = matrixKeys(terms);
  const supports = terms.map((t) => [...t.factors.keys()]);
  // state[v][k]: the state of term k across the edge above v.
  const stateOf = (v: number): string[] => {
    const inside = new Set(tree.subtreeModes(v));
    return terms.map((t, k) => {
      const sup = supports[k]!;
      const ins = sup.filter((m) => inside.has(m));
      if (ins.length === 0) return IDENTITY;
      if (ins.length === sup.length) return COMPLETE;
      return "P" + ins.map((m) => `${m}:${keys.get(t.factors.get(m)!)}`).join(";");
    });
  };
  const states: string[][] = tree.preorder().map((v) => (v === tree.root ? terms.map(() => COMPLETE) : stateOf(v)));
  const index: Map<string, number>[] = states.map((s, v) => {
    const m = new Map<string, number>();
    if (v === tree.root) m.set(COMPLETE, 0);
    else for (const x of s) if (!m.has(x)) m.set(x, m.size);
    return m;
  });
  const tensors: Tensor[] = new Array(tree.numNodes);
  for (let v = 0; v < tree.numNodes; v++) {
    tensors[v] = tree.isLeaf(v) ? leafTensor(tree, sop, v, states[v]!, index[v]!, dtype) : innerTensor(tree, sop, v, states, index, dtype);
  }
  return tensors;
}

// Content keys for factor matrices, so equal matrices given as different objects share states.
function matrixKeys(terms: readonly ProductTerm[]): Map<Tensor, string> {
  const byContent = new Map<string, string>();
  const keys = new Map<Tensor, string>();
  for (const t of terms)
    for (const f of t.factors.values()) {
      if (keys.has(f)) continue;
      const content = `${f.dtype}|${Array.from(f.data).join(",")}`;
      if (!byContent.has(content)) byContent.set(content, String(byContent.size));
      keys.set(f, byContent.get(content)!);
    }
  return keys;
}

function leafTensor(tree: Tree, sop: SumOfProducts, v: number, states: string[], index: Map<string, number>, dtype: "f64" | "c128"): Tensor {
  const m = tree.mode(v);
  const n = sop.dims[m]!;
  const R = index.size;
  const W = new Tensor(dtype, [n, n, R]);
  const w = dtype === "c128" ? 2 : 1;
  const put = (s: number, f: Tensor, cr: number, ci: number, accumulate: boolean): void => {
    for (let p = 0; p < n; p++)
      for (let q = 0; q < n; q++) {
        const fr = f.data[(f.dtype === "c128" ? 2 : 1) * (p * n + q)]!;
        const fi = f.dtype === "c128" ? f.data[2 * (p * n + q) + 1]! : 0;
        const o = w * ((p * n + q) * R + s);
        const re = cr * fr - ci * fi, im = cr * fi + ci * fr;
        W.data[o] = (accumulate ? W.data[o]! : 0) + re;
        if (w === 2) W.data[o + 1] = (accumulate ? W.data[o + 1]! : 0) + im;
        else if (im !== 0) throw new DTypeError("Ttno: complex value in a real operator");
      }
  };
  sop.terms.forEach((t, k) => {
    const s = states[k]!;
    const i = index.get(s)!;
    if (s === IDENTITY) put(i, Tensor.eye(n, n, "f64"), 1, 0, false);
    else if (s === COMPLETE) put(i, t.factors.get(m)!, t.coeff.re, t.coeff.im, true);
    else put(i, t.factors.get(m)!, 1, 0, false);
  });
  return W;
}

function innerTensor(tree: Tree, sop: SumOfProducts, v: number, states: string[][], index: Map<string, number>[], dtype: "f64" | "c128"): Tensor {
  const children = tree.children(v);
  const shape = [index[v]!.size, ...children.map((c) => index[c]!.size)];
  const W = new Tensor(dtype, shape);
  const w = dtype === "c128" ? 2 : 1;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const offset = (idx: number[]): number => idx.reduce((o, x, i) => o + x * strides[i]!, 0);
  sop.terms.forEach((t, k) => {
    const s = states[v]![k]!;
    const childStates = children.map((c) => states[c]![k]!);
    const idx = [index[v]!.get(s)!, ...children.map((c, i) => index[c]!.get(childStates[i]!)!)];
    const o = w * offset(idx);
    const completeChildren = childStates.filter((x) => x === COMPLETE).length;
    const emptySupport = t.factors.size === 0;
    // The coefficient is applied where the term becomes complete: at the root for c·I, or at
    // the lowest node whose subtree holds its support (two or more children partial).
    const appliesHere = s === COMPLETE && completeChildren === 0 && (!emptySupport || v === tree.root);
    if (appliesHere) {
      W.data[o] = W.data[o]! + t.coeff.re;
      if (w === 2) W.data[o + 1] = W.data[o + 1]! + t.coeff.im;
      else if (t.coeff.im !== 0) throw new DTypeError("Ttno: complex coefficient in a real operator");
    } else {
      W.data[o] = 1;
      if (w === 2) W.data[o + 1] = 0;
    }
  });
  if (W.ndim !== children.length + 1) throw new ShapeError(`Ttno: node ${v} tensor ${formatShape(W.shape)}`);
  return W;
}
