/**
 * The moves of {@link greedySearch} on fitted networks: raising one bond's rank with new slices
 * fitted to the residual (the paper's `rank_one` heuristic), lowering one by a truncated SVD of
 * the bond, and the least-squares core update its fits are made of. Internal to the search.
 * @module
 */
import { qr } from "../linalg/decomp/qr.js";
import { svd } from "../linalg/decomp/svd.js";
import { matmul } from "../linalg/matmul.js";
import { permute } from "../linalg/permute.js";
import { Rng, randn } from "../linalg/random.js";
import { assignSlice } from "../linalg/slice.js";
import { Tensor } from "../linalg/tensor.js";
import { TensorNetwork } from "./network/network.js";
import type { NetworkStructure } from "./network/structure.js";

const gaussian = (shape: readonly number[], sigma: number, rng: Rng): Tensor<"f64"> => {
  const z = randn(shape, rng) as Tensor<"f64">;
  for (let i = 0; i < z.data.length; i++) z.data[i] = sigma * z.data[i]!;
  return z;
};

/**
 * The cores of `to` (= `from` with one pair's rank raised) that hold `from`'s cores in their
 * leading slices, so that they represent `from`'s tensor when the new slices are zero; the new
 * slices of the two raised cores come from `fill(v, shape)`, a tensor of the new core's shape
 * whose leading block is overwritten.
 */
export function raiseBond(from: TensorNetwork<"f64">, to: NetworkStructure, fill: (v: number, shape: number[]) => Tensor<"f64">): TensorNetwork<"f64"> {
  const cores = from.cores.map((core, v) => {
    const oldShape = from.structure.coreShape(v), newShape = to.coreShape(v);
    if (oldShape.length === newShape.length && oldShape.every((d, i) => d === newShape[i])) return core;
    // Align the old axes with the new ones: a new neighbour adds an axis of size 1.
    const oldNeighbours = from.structure.neighbors(v), newNeighbours = to.neighbors(v);
    const aligned = core.reshape([oldShape[0]!, ...newNeighbours.map((u) => (oldNeighbours.includes(u) ? from.structure.rank(v, u) : 1))]);
    const out = fill(v, newShape);
    assignSlice(out, aligned.shape.map((d) => [0, d] as const), aligned);
    return out;
  });
  return new TensorNetwork(to, cores);
}


/**
 * Fits core `w` of a network to the residual the search works on (all other cores fixed), by
 * least squares: the full residual tensor, or its values at observed entries.
 */
export type ResidualCoreFit = (slices: TensorNetwork<"f64">, w: number) => Tensor<"f64">;

/**
 * The paper's `rank_one` candidate: `current` with the rank of (u, v) raised by one, the new
 * slices fitted to the residual (target − current, in full or at observed entries) by `sweeps`
 * ALS sweeps over the two new slices alone (`fitCore`), the old cores kept. Since the raised
 * network is the old one plus a network that differs only in cores u and v (the new slices,
 * joined to each other by a bond of size one), this is a small least-squares problem per slice,
 * and its error never exceeds the old one's: the new slices could be zero.
 */
export function raiseWithFittedSlices(current: TensorNetwork<"f64">, fitCore: ResidualCoreFit, u: number, v: number, sweeps: number, noise: number, rng: Rng): TensorNetwork<"f64"> {
  const s = current.structure;
  const raised = s.withRank(u, v, s.rank(u, v) + 1);
  const part = s.withRank(u, v, 1); // the new slices' network: no u–v axis
  const cores = current.cores.slice();
  for (const w of [u, v]) cores[w] = gaussian(part.coreShape(w), noise, rng);
  let slices = new TensorNetwork(part, cores);
  for (let k = 0; k < sweeps; k++)
    for (const w of [u, v]) {
      const next = slices.cores.slice();
      next[w] = fitCore(slices, w);
      slices = new TensorNetwork(part, next);
    }
  const r = s.rank(u, v);
  return raiseBond(current, raised, (w, shape) => {
    const out = new Tensor("f64", shape, new Float64Array(shape.reduce((p, d) => p * d, 1)));
    const axis = 1 + raised.neighbors(w).indexOf(w === u ? v : u);
    const sliceShape = shape.slice();
    sliceShape[axis] = 1;
    assignSlice(out, shape.map((d, i) => (i === axis ? ([r, r + 1] as const) : ([0, d] as const))), slices.cores[w]!.reshape(sliceShape));
    return out;
  });
}

/**
 * `net` with the bond (u, v) cut to `rank` by the truncated SVD of the product of its two
 * cores: with Aᵤ = Qᵤ·Rᵤ and Aᵥ = Qᵥ·Rᵥ (each core as a matrix with the bond last), the bond
 * matrix Rᵤ·Rᵥᵀ = U·S·Vᵀ is cut to its leading `rank` singular triplets. For a tree in canonical
 * form this is the best cut; for a loop it is a good start for a refit. Rank 1 removes the
 * bond. When the bond matrix has fewer than `rank` singular values the extra slices are zero.
 */
export function lowerBond(net: TensorNetwork<"f64">, u: number, v: number, rank: number): TensorNetwork<"f64"> {
  const s = net.structure, lowered = s.withRank(u, v, rank);
  const r = s.rank(u, v);
  const factor = (w: number, other: number) => {
    const shape = s.coreShape(w);
    const axis = 1 + s.neighbors(w).indexOf(other);
    const axes = [...shape.keys()].filter((i) => i !== axis).concat([axis]);
    const moved = permute(net.cores[w]!, axes);
    const { Q, R } = qr(moved.reshape([moved.data.length / r, r]));
    return { Q: Q!, R, axes, shape: moved.shape };
  };
  const a = factor(u, v), b = factor(v, u);
  const { U, s: sigma, Vh } = svd(matmul(a.R, b.R, { transposeB: true }));
  const kept = Math.min(rank, sigma.length);
  const rebuild = (f: typeof a, w: number, left: boolean): Tensor<"f64"> => {
    const k = f.R.shape[0]!;
    const small = new Tensor("f64", [k, rank], new Float64Array(k * rank));
    for (let i = 0; i < k; i++)
      for (let j = 0; j < kept; j++) {
        const x = left ? (U.data[i * U.shape[1]! + j] as number) : (Vh.data[j * Vh.shape[1]! + i] as number);
        small.data[i * rank + j] = x * Math.sqrt(sigma[j]!);
      }
    const shape = f.shape.slice();
    shape[shape.length - 1] = rank;
    const back = f.axes.map((_, i) => f.axes.indexOf(i));
    return permute(matmul(f.Q, small).reshape(shape), back).reshape(lowered.coreShape(w)) as Tensor<"f64">;
  };
  const cores = net.cores.slice();
  cores[u] = rebuild(a, u, true);
  cores[v] = rebuild(b, v, false);
  return new TensorNetwork(lowered, cores);
}
