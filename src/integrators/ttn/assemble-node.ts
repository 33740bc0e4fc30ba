import { toComplex } from "../../linalg/complex.js";
import type { Complex } from "../../linalg/dtype.js";
import { scale as scaleTensor } from "../../linalg/elementwise.js";
import { matmul } from "../../linalg/matmul.js";
import { assignSlice, slice } from "../../linalg/slice.js";
import { Tensor } from "../../linalg/tensor.js";
import { modeProduct, unfold } from "../../linalg/unfold.js";
import { applyReducedNode, leafEnvironment, nodeEnvironment } from "../../tn/operators/env-primitives.js";
import { padTo } from "../../linalg/slice.js";
import { augmentNode, forEachBlockElement } from "./assembly.js";
import { augmentBasis } from "../basis.js";

/*
 * The parallel BUG's assembly of one node, as a function of data only (so that the nodes of one
 * level can be assembled in worker threads): from the node's solved Galerkin tensor and its
 * children's augmented bases, the augmented tensor with the off-diagonal blocks, its own new
 * directions, and the weight of the dropped blocks.
 */

/** A leaf: its old basis and its K-step result. */
export interface LeafAssemblyInput {
  old: Tensor;
  K1: Tensor;
  /** Operator right-hand side: the leaf's operator tensor [n, n, R], for its environment. */
  op?: Tensor;
}

/** The assembled leaf. */
export interface AssembledLeaf {
  /** [U⁰, Ũ]: old columns verbatim, then the new directions. */
  basis: Tensor;
  added: number;
  /** Ũᴴ·K(t₁), the new directions' coefficients ([added, r]); null if none were added. */
  newCoefficients: Tensor | null;
  /** Operator right-hand side: the leaf's environment with bra [U⁰, Ũ] and ket U⁰. */
  environment: Tensor | null;
}

/**
 * Augments a leaf basis with its K-step result.
 */
export function assembleLeaf(input: LeafAssemblyInput): AssembledLeaf {
  const { basis, added: newPart } = augmentBasis(input.old, input.K1);
  const added = newPart.shape[1]!;
  const newCoefficients = added > 0 ? matmul(newPart, input.K1, { adjointA: true }) : null;
  const environment = input.op === undefined ? null : leafEnvironment(input.op, basis, input.old);
  return { basis, added, newCoefficients, environment };
}

/** What the assembly of an inner node needs to know of one child. */
export interface ChildAssemblyInput {
  /** The child's augmented tensor (leaf: basis [n, r̂]; node: [r̂, r̂_grandchildren…]). */
  aug: Tensor;
  /** The child's tensor in Y⁰ (tree gauge). */
  old: Tensor;
  oldRank: number;
  /** The child's new-direction coefficients in its centred gauge; null if it added none. */
  newCoefficients: Tensor | null;
  /** The parent's tensor gauged towards this child (the restriction's Q). */
  parentTowards: Tensor;
  /** Operator right-hand side: the child's environment with bra augmented and ket old. */
  environment?: Tensor;
}

/** Input of {@link assembleNode}. */
export interface NodeAssemblyInput {
  isRoot: boolean;
  /** The node's tensor in Y⁰ and its centre tensor (gauge centred at the node). */
  old: Tensor;
  center: Tensor;
  /** The solved Galerkin tensor in the old bases, C̄(t₁). */
  Cbar: Tensor;
  children: ChildAssemblyInput[];
  /** Operator right-hand side: the node's operator tensor, its environment above and the scale. */
  op?: { W: Tensor; above: Tensor; scale: Complex };
  /** Callback right-hand side: F(t₀, Y⁰) projected onto the node (children augmented), precomputed. */
  projected?: Tensor;
  h: number;
  /** Off-diagonal blocks from h·F(t₀, Y⁰) (the TTN paper's codes) instead of the children's evolved coefficients. */
  euler: boolean;
}

/** The assembled node. */
export interface AssembledNode {
  /** The augmented node tensor (the root: the augmented core). */
  tensor: Tensor;
  added: number;
  newCoefficients: Tensor | null;
  /** Operator right-hand side, non-root: the node's environment with augmented bra and old ket. */
  environment: Tensor | null;
  /** Σ |F(t₀, Y⁰)|² over the dropped blocks (two or more new child indices). */
  dropped2: number;
}

/**
 * Assembles one inner node of the parallel BUG (see `ttnParallelBugStep`): the old block from C̄,
 * the blocks with one new child index from the children's new directions, the rest zero;
 * non-root nodes are then augmented in their parent direction.
 */
export function assembleNode(input: NodeAssemblyInput): AssembledNode {
  const { children, Cbar, h } = input;
  const P = input.projected ?? scaleTensor(applyReducedNode(input.op!.W, input.op!.above, children.map((c) => c.environment!), input.center), toComplex(input.op!.scale));
  const shape = P.shape.slice();
  const oldRanks = children.map((c, j) => Math.min(c.oldRank, Cbar.shape[j + 1]!));
  const dtype = P.dtype === "c128" || Cbar.dtype === "c128" || children.some((c) => c.newCoefficients?.dtype === "c128") ? "c128" : "f64";
  const Chat = new Tensor(dtype, shape);
  const w = dtype === "c128" ? 2 : 1;
  const pw = P.dtype === "c128" ? 2 : 1;
  const cbarPadded = padTo(Cbar.dtype === dtype ? Cbar : Cbar.astype(dtype), shape);
  let dropped2 = 0;
  forEachBlockElement(shape, oldRanks, (e, newCount) => {
    if (newCount === 0) for (let q = 0; q < w; q++) Chat.data[w * e + q] = cbarPadded.data[w * e + q]!;
    else if (newCount === 1 && input.euler) for (let q = 0; q < w; q++) Chat.data[w * e + q] = q < pw ? h * P.data[pw * e + q]! : 0;
    else if (newCount > 1) for (let q = 0; q < pw; q++) dropped2 += P.data[pw * e + q]! ** 2;
  });
  if (!input.euler) {
    children.forEach((c, j) => {
      if (c.newCoefficients === null) return;
      // The child's new directions with its own coefficients, seen from the node: Q ×_slot N.
      const block = modeProduct(c.parentTowards, c.newCoefficients, j + 1);
      const spec = shape.map((n, a) => (a === j + 1 ? ([oldRanks[j]!, n] as const) : a === 0 ? null : ([0, oldRanks[a - 1]!] as const)));
      assignSlice(Chat, spec, block.dtype === dtype ? block : block.astype(dtype));
    });
  }
  if (input.isRoot) return { tensor: Chat, added: 0, newCoefficients: null, environment: null, dropped2 };
  const { tensor, added } = augmentNode(input.old, Chat);
  let newCoefficients: Tensor | null = null;
  if (added > 0) {
    const axes = children.map((_, i) => i + 1);
    const X = unfold(tensor, axes);
    const Xnew = slice(X, [null, [X.shape[1]! - added, X.shape[1]!]]);
    newCoefficients = matmul(Xnew, unfold(Chat, axes), { adjointA: true });
  }
  const environment = input.op === undefined ? null : nodeEnvironment(input.op.W, tensor, input.old, children.map((c) => c.environment!));
  return { tensor, added, newCoefficients, environment, dropped2 };
}
