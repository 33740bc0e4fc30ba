/**
 * Raising ranks without changing the tensor: every edge below the requested rank gets extra
 * orthonormal directions with zero weight. Rank-adaptive integrators started from a product
 * state need this: their first step can at most double a rank, and the error made by a step that
 * had too few directions stays in the solution (the papers' codes start from padded bases).
 * @module
 */
import { combine } from "../linalg/elementwise.js";
import { matmul } from "../linalg/matmul.js";
import { maxAbs } from "../linalg/norms.js";
import { qr } from "../linalg/decomp/qr.js";
import { permute } from "../linalg/permute.js";
import { randn, type Seed, Rng } from "../linalg/random.js";
import { assignSlice, padTo } from "../linalg/slice.js";
import { Tensor } from "../linalg/tensor.js";
import { unfold } from "../linalg/unfold.js";
import { feasibleRanks, type RankSpec } from "./construct.js";
import { orthonormalize } from "./orthonormalize.js";
import { Ttn, type TtnDType } from "./ttn.js";

// Orthonormal columns X (m×r) extended to m×k by seeded random directions orthogonal to X.
// The QR of the projected draws divides by its R: when the draws are nearly dependent once
// projected, the rounding left along X grows with 1/σ_min(R) (1.7e-11 seen, test/tn/pad.test.ts),
// so the directions are projected and factored once more when that happened.
function extendColumns(X: Tensor, k: number, rng: Rng): Tensor {
  const [m, r] = [X.shape[0]!, X.shape[1]!];
  let Z: Tensor = randn([m, k - r], rng, { dtype: X.dtype as "f64" | "c128" });
  for (let pass = 0; pass < 2; pass++) Z = combine(1, Z, -1, matmul(X, matmul(X, Z, { adjointA: true })));
  let { Q } = qr(Z);
  const overlap = matmul(X, Q!, { adjointA: true });
  if (maxAbs(overlap) > 1e-14) Q = qr(combine(1, Q!, -1, matmul(X, overlap))).Q;
  const out = new Tensor(X.dtype, [m, k]);
  assignSlice(out, [null, [0, r]], X);
  assignSlice(out, [null, [r, k]], Q!);
  return out;
}

/**
 * The same tensor with every edge's rank raised to at least `minRank` (capped at what the tree
 * can carry, see {@link feasibleRanks}): the network is orthonormalised, then, from the leaves
 * up, each node's basis gets seeded random orthonormal directions and its parent zero slices for
 * them. Ranks already at or above `minRank` stay as they are.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const up = Ttn.product(tree, new Array(4).fill(tensor([1, 0])));
 * const padded = padRanks(up, 2, 7);
 * console.assert(padded.maxRank() === 2 && distance(padded.toFull(), up.toFull()) < 1e-14 && padded.isOrthonormal());
 * ```
 */
export function padRanks<D extends TtnDType>(y: Ttn<D>, minRank: RankSpec, seed: Seed = 1): Ttn<D> {
  const { tree } = y;
  const cap = feasibleRanks(tree, y.dims, minRank);
  const z = orthonormalize(y);
  const tensors: Tensor[] = z.tensors.slice();
  const rng = new Rng(seed);
  for (const v of tree.postorder()) {
    if (v === tree.root) continue;
    const t = tensors[v]!;
    const own = tree.isLeaf(v) ? 1 : 0;
    const r = t.shape[own]!;
    const others = t.shape.map((_, i) => i).filter((i) => i !== own);
    const rows = others.reduce((p, i) => p * t.shape[i]!, 1);
    const k = Math.min(Math.max(r, cap[v]!), rows);
    if (k <= r) continue;
    const X = extendColumns(unfold(t, others), k, rng);
    const folded = X.reshape([...others.map((i) => t.shape[i]!), k]);
    const order = new Array<number>(t.ndim);
    others.forEach((axis, pos) => (order[axis] = pos));
    order[own] = t.ndim - 1;
    tensors[v] = permute(folded, order);
    const p = tree.parent(v);
    const shape = tensors[p]!.shape.slice();
    shape[tree.slot(v)] = k;
    tensors[p] = padTo(tensors[p]!, shape);
  }
  return new Ttn(tree, y.dims, tensors as Tensor<D>[]);
}
