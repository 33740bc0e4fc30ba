import { padTo } from "../../linalg/slice.js";
import { permute } from "../../linalg/permute.js";
import { Tensor } from "../../linalg/tensor.js";
import { unfold } from "../../linalg/unfold.js";
import { augmentBasis } from "../basis.js";


/**
 * A node's augmented subtree basis (orthonormal, old columns first and verbatim): the old
 * node tensor `old` ([r, r_c1, …], orthonormal rows when matricised at axis 0), zero-padded to
 * the augmented child ranks, followed by the new directions of `evolved` ([r, r̂_c1, …]) in the
 * same matricisation. Returns the node tensor [r + added, r̂_c1, …] and `added`.
 */
export function augmentNode(old: Tensor, evolved: Tensor): { tensor: Tensor; added: number } {
  const children = evolved.shape.slice(1);
  const axes = children.map((_, i) => i + 1);
  const padded = padTo(old.dtype === evolved.dtype ? old : old.astype(evolved.dtype), [old.shape[0]!, ...children]);
  const { basis, added: newPart } = augmentBasis(unfold(padded, axes), unfold(evolved, axes));
  const added = newPart.shape[1]!;
  const folded = basis.reshape([...children, basis.shape[1]!]);
  return { tensor: permute(folded, [children.length, ...axes.map((a) => a - 1)]), added };
}

/**
 * Splits a node tensor [r_v, r̂_c1, …] over the blocks of its augmented children (index < r_c:
 * old, ≥ r_c: new) and calls `visit(offset, newCount)` for every element with the number of
 * child axes in their new part.
 */
export function forEachBlockElement(shape: readonly number[], oldRanks: readonly number[], visit: (offset: number, newCount: number) => void): void {
  const total = shape.reduce((p, n) => p * n, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let e = 0; e < total; e++) {
    let count = 0;
    for (let a = 1; a < shape.length; a++) if (idx[a]! >= oldRanks[a - 1]!) count++;
    visit(e, count);
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
}
