/**
 * The tree-tensor-network exactness test of D. Sulz's PhD thesis (code
 * `exactness_propagation/Exactness_propagation_thesis.m`), checking the exactness property of the
 * TTN BUG integrators (Ceruti, Lubich & Sulz, "Rank-adaptive time integration of tree tensor
 * networks", SINUM 61 (2023); the parallel TTN BUG, arXiv 2412.00858). A(t) is a tree tensor network
 * on τ = ((0, 1, 2), (3, 4), 5) whose node tensors rotate:
 *   U_l(t) = U_l(0)·e^{t·W_l} on every leaf l,   C_τ(t) = C_τ(0) ×₀ e^{t·W_τ} on τ1, τ2,
 * with random skew-symmetric W normalised to ‖W‖_F = 1 (from the run's seed). On the data grid
 * t_k = k·δ the right-hand side moves the state from A(t_k) to A(t_{k+1}):
 *   F(t, Y) = 6·s·(1 − s)·(A(t_{k+1}) − A(t_k))/δ,   t = t_k + s·δ,
 * whose integral over the interval is the thesis's increment A(t_{k+1}) − A(t_k) (the thesis
 * takes F constant on each step; the weight 6s(1−s) makes F continuous, so the sub-step solver may
 * evaluate it at a step's ends without knowing which step they belong to). F does not depend on
 * Y, and the sub-steps are RK4 (Simpson's rule), exact for the quadratic weight.
 *
 * With the step size h = δ (the default; pass --param delta=… together with --dt) every BUG
 * integrator — rank-adaptive, fixed-rank and parallel — reproduces Y_n = A(t_n) up to round-off
 * (the thesis's plot: ~1e-12; measured here ~2e-15). With h ≠ δ the run still solves this ODE,
 * whose exact solution Y(t) = A(t_k) + (3s² − 2s³)·(A(t_{k+1}) − A(t_k)) is the reference, but
 * the states between grid points have up to twice the inner ranks: the rank-adaptive and parallel
 * BUG follow them exactly, the fixed-rank BUG does not (measured 3e-3 at h = δ/2).
 *
 * The parallel BUG is exact here only through its step rejection: the blocks with two new
 * indices that it drops are not zero (the inner nodes' subspaces move), so without rejection
 * (--no-rejection) its error is ~1e-2. Its η uses F(t₀, Y⁰), which is 0 for this F (t₀ is a grid
 * point), so the rejections come from the rank-doubling rule.
 *
 * Sizes: the right-hand side is a callback on full tensors (n⁶ entries), so the thesis's
 * n = 1000, r = 10 is out of reach (it needs F given as networks, a tree "data" right-hand side);
 * the default n = 6, r = 3 runs in seconds; the thesis's CI size n = 10, r = 5 is the preset `ci`
 * (10⁶ entries: minutes).
 */
import {
  ArgumentError, combine, defineProblem, expm, matmul, modeProduct, norm, permute, randn, Rng, scale, sub, Tree, Ttn, zeros,
  type Tensor, type TreeSpec,
} from "../src/index.js";

/** The thesis tree: τ = (τ1, τ2, leaf 5) with τ1 = (0, 1, 2), τ2 = (3, 4). */
export const EXACTNESS_TREE_SPEC: TreeSpec = [[0, 1, 2], [3, 4], 5];

/** A random skew-symmetric k×k matrix with ‖W‖_F = 1. */
function skew(k: number, rng: Rng): Tensor {
  const X = randn([k, k], rng);
  const W = sub(X, permute(X, [1, 0]));
  return scale(W, 1 / norm(W));
}

/** The rotating network A(t) (node tensors rotated by e^{t·W_v}). */
export function exactnessNetwork(n: number, rank: number, seed: number) {
  const tree = Tree.fromSpec(EXACTNESS_TREE_SPEC);
  const dims = new Array<number>(tree.numModes).fill(n);
  const rng = new Rng(seed);
  const a0 = Ttn.random(tree, dims, rank, rng);
  // One generator per node below the root, acting on the edge to its parent.
  const W = a0.tensors.map((x, v) => (v === tree.root ? undefined : skew(tree.isLeaf(v) ? x.shape[1]! : x.shape[0]!, rng)));
  const A = (t: number): Ttn => {
    const replace = new Map<number, Tensor>();
    W.forEach((w, v) => {
      if (w === undefined) return;
      const x = a0.tensors[v]!, E = expm(scale(w, t));
      replace.set(v, tree.isLeaf(v) ? matmul(x, E) : modeProduct(x, E, 0));
    });
    return a0.withTensors(replace as Map<number, Tensor<typeof a0.dtype>>);
  };
  return { tree, dims, A, W };
}

/**
 * The data right-hand side on the grid t_k = k·δ and the exact solution of Ẏ = F(t):
 * F(t) = 6·s·(1 − s)·(A(t_{k+1}) − A(t_k))/δ for t = t_k + s·δ, so
 * Y(t) = A(t_k) + (3s² − 2s³)·(A(t_{k+1}) − A(t_k)), which is A(t_k) at every grid point.
 * F vanishes at the grid points, so it is continuous and a sub-step solver evaluating it at a
 * step's ends needs no knowledge of which step they belong to; RK4 (Simpson's rule for a
 * Y-independent F) integrates the quadratic weight exactly. Full tensors of A(t_k) are kept
 * for the last few k.
 */
export function exactnessData(A: (t: number) => Ttn, delta: number) {
  const cache = new Map<number, Tensor>();
  const full = (k: number): Tensor => {
    let v = cache.get(k);
    if (v === undefined) {
      v = A(k * delta).toFull();
      if (cache.size >= 4) cache.delete(cache.keys().next().value!);
      cache.set(k, v);
    }
    return v;
  };
  // The data interval of t and the position s ∈ [0, 1) in it; within 1e-9·δ of a grid point
  // (a step's end, up to rounding) t is that grid point, where F = 0.
  const locate = (t: number): { k: number; s: number } => {
    const x = t / delta, nearest = Math.round(x);
    if (Math.abs(x - nearest) < 1e-9) return { k: nearest, s: 0 };
    const k = Math.floor(x);
    return { k, s: x - k };
  };
  const increment = (k: number): Tensor => combine(1, full(k + 1), -1, full(k));
  let incKey = -1;
  let inc: Tensor | undefined;
  const F = (t: number): Tensor => {
    const { k, s } = locate(t);
    if (s === 0) return zeros(full(k).shape);
    if (k !== incKey || inc === undefined) {
      inc = increment(k);
      incKey = k;
    }
    return scale(inc, (6 * s * (1 - s)) / delta);
  };
  const Y = (t: number): Tensor => {
    const { k, s } = locate(t);
    if (s === 0) return A(k * delta).toFull();
    return combine(1, A(k * delta).toFull(), 3 * s * s - 2 * s * s * s, increment(k));
  };
  return { F, Y };
}

export default defineProblem({
  name: "ttn-exactness",
  description: "TTN exactness test: rotating node tensors on a 6-leaf tree, F = the data increment; every BUG integrator reproduces A(t_n) to round-off",
  source: "D. Sulz, PhD thesis (Univ. Tübingen), code exactness_propagation/Exactness_propagation_thesis.m; Ceruti, Lubich, Sulz, SINUM 61 (2023)",
  parameters: {
    n: { type: "integer", default: 6, min: 2, max: 12, description: "size of every leaf mode (the callback works on full tensors of n^6 entries)" },
    rank: { type: "integer", default: 3, min: 1, max: 12, description: "rank of every edge (leaf ranks r_l and inner ranks r_τ), at most n" },
    delta: { type: "number", default: 0.1, min: 0, minInclusive: false, description: "data grid step δ; the exactness property needs the step size h (--dt) = δ", unit: "time" },
  },
  presets: {
    // The thesis script's commented CI size (its full size n = 1000, r = 10 needs networks for F);
    // minutes, not seconds: every right-hand side evaluation works on the 10⁶-entry full tensor.
    ci: { n: 10, rank: 5 },
  },
  defaults: {
    // The thesis: h ∈ {0.1, 0.01, 0.001}, T = 1, ϑ = 1e-8, rmax = 2r (rmin = r is not needed:
    // A's singular values are far above ϑ).
    integrator: "parallel-bug", h: 0.1, tf: 1, theta: 1e-8, maxRank: 20,
    // One RK4 step per sub-step: Simpson's rule, exact for F = weight(t)·constant.
    substep: { solver: "rk4", rk4Steps: 1 },
  },
  setup(p, { seed }) {
    if (p.rank > p.n) throw new ArgumentError(`problem ttn-exactness: rank ${p.rank} exceeds the leaf size n = ${p.n}`);
    const net = exactnessNetwork(p.n, p.rank, seed);
    const data = exactnessData(net.A, p.delta);
    return {
      kind: "ttn",
      initial: net.A(0),
      rhs: { kind: "callback", f: (t) => data.F(t) },
      // ‖A(t)‖ = ‖A(0)‖ = 1 on the grid (every factor rotates orthogonally).
      observables: { norm: (_t, y) => y.norm() },
      reference: {
        description: `exact: A(t_k) on the data grid (δ = ${p.delta}), the Hermite blend of A(t_k), A(t_{k+1}) in between`,
        solve: (times) => {
          const states = times.map((t) => data.Y(t));
          return { states, observables: { norm: states.map((x) => norm(x)) } };
        },
      },
    };
  },
});
