/**
 * Radiative transfer with an uncertain scattering cross section on a tree tensor network: the
 * 1D-slab uncertainty-quantification problem of Ceruti, Kusch, Lubich & Sulz, "A parallel Basis
 * Update and Galerkin integrator for tree tensor networks", arXiv 2412.00858, §5.2 (code
 * `JonasKu/Publication-Parallel-BUG-for-TTNs`, `Section5.2/`).
 *
 * Equation, for every value of the random parameters ξ, η ~ U[−1, 1] (independent):
 *   ∂_t ψ + μ ∂_x ψ + σ_t ψ = (σ_s(ξ, η)/2)·Φ,   σ_s(ξ, η) = 5 + 4ξ + η,   σ_a = 0,
 * x ∈ [−2.5, 2.5], μ ∈ [−1, 1], Φ = ∫ψ dμ. Stochastic collocation at Gauss–Legendre nodes ξ_i,
 * η_k and the P_N / finite-volume discretisation of `plane-source` (problems/_radiative.ts:
 * moments u_ℓ = ∫ψ P̃_ℓ dμ, u_0 = Φ; Roe upwind flux) give one linear system for the tensor
 * Y[x_j, ℓ, i, k] (4 modes: space, moments, ξ nodes, η nodes):
 *   Y′ = ( −D_x⊗A⊗I⊗I + D_xx⊗|A|⊗I⊗I − 5·I⊗P_{≠0}⊗I⊗I − 4·I⊗P_{≠0}⊗diag(ξ)⊗I
 *          − I⊗P_{≠0}⊗I⊗diag(η) − σ_a·I ) Y,
 * a sum of Kronecker products (`SumOfProducts`) compressed to a tree operator on the tree
 * ((x, moments), (ξ, η)). Initial data: isotropic, Φ₀(x) = max(floor, Gaussian with standard
 * deviation 0.03 and unit mass) as cell averages, the same for every (ξ, η): a rank-1 tensor
 * Φ₀ ⊗ e_0 ⊗ 1 ⊗ 1, padded to `initialRank` (the codes start at leaf rank 10).
 *
 * Observables (statistics over (ξ, η) by the collocation rule E[f] = Σ_ik ¼ w_i w_k f(ξ_i, η_k),
 * Σ ¼ w_i w_k = 1): meanMass = E[∫Φ dx], meanPhi0 = E[Φ(x = 0)], varPhi0 = Var[Φ(x = 0)],
 * meanX2 = E[∫x²Φ dx]. Φ(0) is the centre cell (odd n_x) or the mean of the two centre cells.
 *
 * Reference: the collocation solution itself, every (ξ_i, η_k) slice evolved independently by a
 * Krylov exponential of the P_N system (not through the SumOfProducts or the tree operator),
 * when n_x·N·n_ξ·n_η ≤ `referenceMaxSize` (default 300 000 entries: the default 101·10·8·8 =
 * 64 640 takes 1–3 s; the paper's 201·100·100·100 = 2·10⁸ does not fit). Its accuracy is 1e-8
 * relative; the tests check it against `referenceEvolution` of the SumOfProducts at a small size.
 *
 * Defaults: rank-adaptive BUG (see `defaults` for why not the parallel BUG), h = 0.02, T = 1,
 * ϑ = 1e-2 per unit time. Measured: relative error against the collocation solution ≤ 7e-4,
 * |E[Φ(0)] error| ≤ 1.3e-3 (of 1.08), |Var[Φ(0)] error| ≤ 4.3e-5 (of 0.044), ranks ≤ 18;
 * `arbor run rt-uq` 10–14 s (reference ~3 s) on 2 shared cores — the tree integrators'
 * per-operation overhead (~1 ms per reduced-operator application) dominates at these sizes.
 *
 * Paper settings (`--preset paper`, slow: leaves of 201, 100, 100, 100, ranks up to 50):
 *   arbor run rt-uq --preset paper --integrator parallel-bug --tf 2 --dt 0.0025 --tol 1e-3 --theta-mode relative --max-rank 50 --min-rank 2
 * (CFL 0.1: Δt = 0.1·Δx ≈ 0.0025; relative ϑ = 1e-3, r_max = 50, r_min = 2, initial rank 10).
 */
import {
  ArgumentError, concat, defineProblem, diag, matmul, permute, qr, randn, SumOfProducts, Tensor, Tree, Ttn, Ttno,
} from "../src/index.js";
import {
  absMatrix, cellGrid, centralDifference, fluxFunctionals, gaussianCellAverages, gaussLegendre, krylovTrajectory,
  nonIsotropicProjector, pnFluxMatrix, secondDifference, tridiagonalApplyMiddle, tridiagonalMatrix, type Boundary, type Flux,
} from "./_radiative.js";

/** The pieces of the discretised problem; shared with the tests. */
export interface RtUqDiscretisation {
  x: Float64Array;
  dx: number;
  xi: { nodes: Float64Array; weights: Float64Array };
  eta: { nodes: Float64Array; weights: Float64Array };
  /** σ_s at (ξ_i, η_k), row-major [n_ξ, n_η]. */
  sigmaS: Float64Array;
  /** The operator as a sum of Kronecker products on the modes (x, moments, ξ, η). */
  sop: SumOfProducts;
  /** The collocation operator applied slice by slice to a full tensor [n_x, N, n_ξ, n_η]. */
  applyCollocation: (Y: Tensor) => Tensor;
  /** The same on the moment-major layout [N, n_x, n_ξ·n_η] (what the reference integrates). */
  applyMomentMajor: (M: Tensor) => Tensor;
}

interface RtUqSizes {
  nx: number; moments: number; nXi: number; nEta: number; halfWidth: number;
  sigma0: number; sigmaXi: number; sigmaEta: number; sigmaA: number; flux: Flux; boundary: Boundary;
}

/** Builds the collocation system. */
export function rtUqDiscretisation(p: RtUqSizes): RtUqDiscretisation {
  const { x, dx } = cellGrid(p.nx, p.halfWidth);
  const N = p.moments;
  const xi = gaussLegendre(p.nXi), eta = gaussLegendre(p.nEta);
  const sigmaS = new Float64Array(p.nXi * p.nEta);
  for (let i = 0; i < p.nXi; i++) for (let k = 0; k < p.nEta; k++) sigmaS[i * p.nEta + k] = p.sigma0 + p.sigmaXi * xi.nodes[i]! + p.sigmaEta * eta.nodes[k]!;
  const A = pnFluxMatrix(N);
  const { abs, spectralRadius } = absMatrix(A);
  const rusanov = p.flux === "rusanov";
  const Dx = centralDifference(p.nx, dx, p.boundary), Dxx = secondDifference(p.nx, dx, p.boundary);
  const P = nonIsotropicProjector(N);

  const sop = new SumOfProducts([p.nx, N, p.nXi, p.nEta]);
  sop.add(-1, { 0: tridiagonalMatrix(Dx), 1: A });
  if (rusanov) sop.add(spectralRadius, { 0: tridiagonalMatrix(Dxx) });
  else sop.add(1, { 0: tridiagonalMatrix(Dxx), 1: abs });
  if (p.sigma0 !== 0) sop.add(-p.sigma0, { 1: P });
  if (p.sigmaXi !== 0) sop.add(-p.sigmaXi, { 1: P, 2: diag(Array.from(xi.nodes)) });
  if (p.sigmaEta !== 0) sop.add(-p.sigmaEta, { 1: P, 3: diag(Array.from(eta.nodes)) });
  if (p.sigmaA !== 0) sop.add(-p.sigmaA);

  // Slice by slice: for each (i, k), Y_ik′ = −D_x·Y_ik·Aᵀ + D_xx·Y_ik·|A|ᵀ − σ_a·Y_ik − σ_s(ξ_i, η_k)·Y_ik·P_{≠0}.
  // Worked in the moment-major layout [N, n_x, Q] (Q = n_ξ·n_η), where the moment matrices
  // act as one product with the [N, n_x·Q] matrix and the differences run along the middle axis.
  const Q = p.nXi * p.nEta, nx = p.nx;
  const absOrScaled = rusanov ? null : abs;
  const applyMomentMajor = (M: Tensor): Tensor => {
    const flat = M.data as Float64Array;
    const z1 = new Tensor("f64", [N, nx * Q], tridiagonalApplyMiddle(Dx, flat, N, Q));
    const z2 = new Tensor("f64", [N, nx * Q], tridiagonalApplyMiddle(Dxx, flat, N, Q));
    const transport = matmul(A, z1).data;
    const upwind = absOrScaled ? matmul(absOrScaled, z2).data : z2.data;
    const c = rusanov ? spectralRadius : 1;
    const out = new Tensor("f64", M.shape);
    const o = out.data;
    for (let l = 0; l < N; l++)
      for (let j = 0; j < nx; j++) {
        const row = (l * nx + j) * Q;
        for (let q = 0; q < Q; q++) o[row + q] = -transport[row + q]! + c * upwind[row + q]! - (p.sigmaA + (l > 0 ? sigmaS[q]! : 0)) * flat[row + q]!;
      }
    return out;
  };
  const applyCollocation = (Y: Tensor): Tensor => {
    const M = permute(Y.reshape([nx, N, Q]), [1, 0, 2]);
    return permute(applyMomentMajor(M), [1, 0, 2]).reshape(Y.shape as number[]);
  };
  return { x, dx, xi, eta, sigmaS, sop, applyCollocation, applyMomentMajor };
}

/** Orthonormal n×r basis whose first column is v/‖v‖ (the rest from QR of [v, extra]). */
function paddedBasis(v: Float64Array, r: number, extra: (cols: number) => Tensor): Tensor {
  const n = v.length;
  const nv = Math.hypot(...v);
  const first = new Tensor("f64", [n, 1], Float64Array.from(v, (x) => x / nv));
  if (r === 1) return first;
  const U = qr(concat([first, extra(r - 1)], 1)).Q!;
  for (let j = 0; j < n; j++) U.data[j * r] = first.data[j]!;
  return U;
}

/** [n, r] Vandermonde columns t, t², … at the nodes (smooth directions in a parameter). */
function polynomialColumns(t: Float64Array, cols: number): Tensor {
  const n = t.length;
  const M = new Tensor("f64", [n, cols]);
  for (let j = 0; j < n; j++) for (let c = 0; c < cols; c++) M.data[j * cols + c] = t[j]! ** (c + 1);
  return M;
}

/**
 * The rank-1 tensor φ ⊗ e_0 ⊗ 1 ⊗ 1 on ((0, 1), (2, 3)) with every edge padded to rank ≤ r: leaf
 * bases with extra orthonormal columns, inner nodes whose extra rows are further unit vectors
 * (orthonormal subtree bases), and the value carried by the root alone.
 */
function paddedInitialState(tree: Tree, phi0: Float64Array, N: number, nXi: number, nEta: number, r: number, seed: number): Ttn {
  const dims = [phi0.length, N, nXi, nEta];
  const xiNodes = gaussLegendre(nXi).nodes, etaNodes = gaussLegendre(nEta).nodes;
  // Ranks: leaves ≤ r and their mode size; both root edges the same rank rc (a root with ranks
  // r₁ ≠ r₂ would be degenerate), rc ≤ the product of the two leaf ranks below it; then each
  // leaf ≤ rc times its sibling's rank, so that no edge is degenerate.
  const leafRank = dims.map((n) => Math.min(r, n));
  const rootChildren = tree.children(tree.root);
  const leafPairs = rootChildren.map((c) => tree.children(c).map((l) => tree.mode(l)) as [number, number]);
  const rc = Math.min(r, ...leafPairs.map(([a, b]) => leafRank[a]! * leafRank[b]!));
  for (const [a, b] of leafPairs) {
    leafRank[a] = Math.min(leafRank[a]!, rc * leafRank[b]!);
    leafRank[b] = Math.min(leafRank[b]!, rc * leafRank[a]!);
  }
  const leaves = [
    paddedBasis(phi0, leafRank[0]!, (c) => randn([phi0.length, c], seed)),
    paddedBasis(Float64Array.from({ length: N }, (_, l) => (l === 0 ? 1 : 0)), leafRank[1]!, (c) => {
      const E = new Tensor("f64", [N, c]);
      for (let k = 0; k < c; k++) E.data[(k + 1) * c + k] = 1;
      return E;
    }),
    paddedBasis(new Float64Array(nXi).fill(1), leafRank[2]!, (c) => polynomialColumns(xiNodes, c)),
    paddedBasis(new Float64Array(nEta).fill(1), leafRank[3]!, (c) => polynomialColumns(etaNodes, c)),
  ];
  const norm = Math.hypot(...phi0) * Math.sqrt(nXi * nEta);
  const tensors: Tensor[] = new Array(tree.numNodes);
  for (let v = 0; v < tree.numNodes; v++) if (tree.isLeaf(v)) tensors[v] = leaves[tree.mode(v)]!;
  rootChildren.forEach((c, i) => {
    const [a, b] = leafPairs[i]!.map((m) => leafRank[m]!) as [number, number];
    // Row k of the node's matricisation = a unit vector at a distinct (α, β), by total degree
    // α + β: (0, 0), (1, 0), (0, 1), (1, 1), … — for (ξ, η) the directions 1, ξ, η, ξη, … that
    // σ_s = 5 + 4ξ + η brings in first. (Measured with BUG to t = 0.2: padding matters — rank-1
    // data give a 30% error, padded 5e-4 — its pattern hardly: 4–5e-4 for these or a diagonal.)
    const C = new Tensor("f64", [rc, a, b]);
    const order = totalDegreeOrder(a, b);
    for (let k = 0; k < rc; k++) C.data[k * a * b + order[k]!] = 1;
    tensors[c] = C;
  });
  const root = new Tensor("f64", [1, rc, rc]);
  root.data[0] = norm;
  tensors[tree.root] = root;
  return new Ttn(tree, dims, tensors as Tensor<"f64">[]);
}

/** The flat indices α·b + β of an a×b grid by total degree α + β (then α descending). */
function totalDegreeOrder(a: number, b: number): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) pairs.push([i, j]);
  pairs.sort((p, q) => p[0] + p[1] - (q[0] + q[1]) || q[0] - p[0]);
  return pairs.map(([i, j]) => i * b + j);
}

/** G[i, k] = Σ_j c_j Φ_j(ξ_i, η_k) of a network: leaves x → cᵀU_x, moments → row 0, then toFull. */
function fluxFunctionalTtn(y: Ttn, c: Tensor): Tensor {
  const { tree } = y;
  const tensors = y.tensors.map((t, v) => {
    if (!tree.isLeaf(v)) return t;
    const m = tree.mode(v);
    if (m === 0) return matmul(c, t);
    if (m === 1) return sliceRow(t);
    return t;
  });
  const full = new Ttn(tree, [1, 1, y.dims[2]!, y.dims[3]!], tensors as Tensor<"f64">[]).toFull();
  return full.reshape([y.dims[2]!, y.dims[3]!]);
}

function sliceRow(t: Tensor): Tensor {
  const r = t.shape[1]!, w = t.dtype === "c128" ? 2 : 1;
  return new Tensor(t.dtype, [1, r], t.data.slice(0, w * r) as Float64Array);
}

/** G[i, k] = Σ_j c_j Y[j, 0, i, k] of a full tensor. */
function fluxFunctionalFull(Y: Tensor, c: Float64Array): Float64Array {
  const [nx, N, a, b] = Y.shape as [number, number, number, number];
  const Q = a * b;
  const G = new Float64Array(Q);
  for (let j = 0; j < nx; j++) {
    const cj = c[j]!;
    if (cj === 0) continue;
    const base = j * N * Q;
    for (let q = 0; q < Q; q++) G[q] = G[q]! + cj * Y.data[base + q]!;
  }
  return G;
}

export default defineProblem({
  name: "rt-uq",
  description: "1D slab radiative transfer with uncertain scattering σ_s = 5 + 4ξ + η (stochastic collocation) on a 4-leaf tree (parallel TTN BUG paper §5.2)",
  source: "Ceruti, Kusch, Lubich, Sulz, arXiv 2412.00858, §5.2",
  parameters: {
    nx: { type: "integer", default: 101, min: 3, max: 100000, description: "number of spatial cells n_x on [−L, L] (odd: a cell centred at x = 0)" },
    moments: { type: "integer", default: 10, min: 2, max: 10000, description: "number of P_N moments N (degrees 0…N−1)" },
    nXi: { type: "integer", default: 8, min: 1, max: 10000, description: "Gauss–Legendre collocation nodes for ξ" },
    nEta: { type: "integer", default: 8, min: 1, max: 10000, description: "Gauss–Legendre collocation nodes for η" },
    halfWidth: { type: "number", default: 2.5, min: 0, minInclusive: false, description: "half-width L of the slab [−L, L]", unit: "length" },
    sigma0: { type: "number", default: 5, description: "mean scattering σ̄ in σ_s = σ̄ + σ_ξ·ξ + σ_η·η (σ_s must be ≥ 0 at every node)", unit: "1/length" },
    sigmaXi: { type: "number", default: 4, description: "coefficient σ_ξ of ξ ~ U[−1, 1] in σ_s", unit: "1/length" },
    sigmaEta: { type: "number", default: 1, description: "coefficient σ_η of η ~ U[−1, 1] in σ_s", unit: "1/length" },
    sigmaA: { type: "number", default: 0, min: 0, description: "absorption cross section σ_a", unit: "1/length" },
    sigmaIC: { type: "number", default: 0.03, min: 0, minInclusive: false, description: "standard deviation s of the initial Gaussian", unit: "length" },
    floor: { type: "number", default: 1e-4, min: 0, description: "floor of the initial scalar flux Φ₀ = max(floor, Gaussian)", unit: "1/length" },
    flux: { type: "choice", default: "upwind", choices: ["upwind", "rusanov"], description: "numerical flux: Roe upwind (|A| = V|Λ|Vᵀ) or Rusanov (ρ(A)·I)" },
    boundary: { type: "choice", default: "vacuum", choices: ["vacuum", "periodic"], description: "vacuum (zero ghost cells, outflow) or periodic" },
    initialRank: { type: "integer", default: 10, min: 1, max: 10000, description: "rank of every edge of the initial state (rank-1 data in padded orthonormal bases; capped by the mode sizes)" },
    referenceMaxSize: { type: "integer", default: 300000, min: 0, description: "compute the collocation reference when n_x·N·n_ξ·n_η ≤ this" },
  },
  presets: {
    paper: { nx: 201, moments: 100, nXi: 100, nEta: 100, referenceMaxSize: 0 },
  },
  // The rank-adaptive BUG by default: on this stiff transport problem (‖F‖ ~ 2/Δx) the parallel
  // BUG's first-order error has a large constant (measured to t = 0.2: relative error 1.7e-2,
  // 1.1e-2, 7.9e-3, 3.8e-3 for h = 0.02, 0.01, 0.005, 0.0025, with a mass loss of the same
  // order), against 5e-4 for BUG at h = 0.02. `--integrator parallel-bug --dt 0.0025` is the
  // paper's comparison (CFL 0.1).
  defaults: { integrator: "bug", h: 0.02, tf: 1, theta: 1e-2, thetaMode: "per-unit-time" },
  setup(p, { seed }) {
    const disc = rtUqDiscretisation({
      nx: p.nx, moments: p.moments, nXi: p.nXi, nEta: p.nEta, halfWidth: p.halfWidth,
      sigma0: p.sigma0, sigmaXi: p.sigmaXi, sigmaEta: p.sigmaEta, sigmaA: p.sigmaA, flux: p.flux as Flux, boundary: p.boundary as Boundary,
    });
    const minSigma = Math.min(...disc.sigmaS);
    if (minSigma < 0) {
      throw new ArgumentError(`problem rt-uq: σ_s = ${p.sigma0} + ${p.sigmaXi}·ξ + ${p.sigmaEta}·η is negative (${minSigma.toPrecision(4)}) at a collocation node; need sigma0 ≥ |sigmaXi| + |sigmaEta| (or nodes where it stays ≥ 0)`);
    }
    const tree = Tree.fromSpec([[0, 1], [2, 3]]);
    const op = Ttno.fromSumOfProducts(tree, disc.sop);
    const phi0 = gaussianCellAverages(disc.x, disc.dx, p.sigmaIC, p.floor);
    const initial = paddedInitialState(tree, phi0, p.moments, p.nXi, p.nEta, p.initialRank, seed);

    // Collocation weights ¼·w_i·w_k (they sum to 1) and the statistics of G[i, k].
    const Q = p.nXi * p.nEta;
    const weights = new Float64Array(Q);
    for (let i = 0; i < p.nXi; i++) for (let k = 0; k < p.nEta; k++) weights[i * p.nEta + k] = 0.25 * disc.xi.weights[i]! * disc.eta.weights[k]!;
    const mean = (G: ArrayLike<number>): number => {
      let s = 0;
      for (let q = 0; q < Q; q++) s += weights[q]! * G[q]!;
      return s;
    };
    const variance = (G: ArrayLike<number>): number => {
      const m = mean(G);
      let s = 0;
      for (let q = 0; q < Q; q++) s += weights[q]! * (G[q]! - m) ** 2;
      return s;
    };
    const fx = fluxFunctionals(disc.x, disc.dx);
    const row = (w: Float64Array): Tensor => new Tensor("f64", [1, p.nx], w.slice());
    const rows = { mass: row(fx.mass), centre: row(fx.centre), second: row(fx.second) };
    const G = (y: Ttn, which: keyof typeof rows): Float64Array => {
      const g = fluxFunctionalTtn(y, rows[which]);
      return g.dtype === "c128" ? Float64Array.from({ length: Q }, (_, q) => g.data[2 * q]!) : (g.data as Float64Array);
    };

    const size = p.nx * p.moments * Q;
    return {
      kind: "ttn",
      initial,
      rhs: { kind: "ttno", op, scale: 1 },
      observables: {
        meanMass: (_t, y) => mean(G(y, "mass")),
        meanPhi0: (_t, y) => mean(G(y, "centre")),
        varPhi0: (_t, y) => variance(G(y, "centre")),
        meanX2: (_t, y) => mean(G(y, "second")),
      },
      ...(size <= p.referenceMaxSize ? {
        reference: {
          description: `collocation solution: each of the ${p.nXi}×${p.nEta} (ξ, η) slices of the ${p.nx}×${p.moments} P_N system by a Krylov exponential (full tensor of ${size} entries)`,
          solve: (times) => {
            const y0 = permute(initial.toFull().reshape([p.nx, p.moments, Q]), [1, 0, 2]);
            // Relative accuracy 1e-8 (DLRA errors here are ≥ 1e-6); Krylov dimension 20 (measured fastest).
            const momentMajor = krylovTrajectory(disc.applyMomentMajor, y0, times, 1e-8 * Math.hypot(...phi0) * Math.sqrt(Q), 20);
            const states = momentMajor.map((M) => permute(M, [1, 0, 2]).reshape([p.nx, p.moments, p.nXi, p.nEta]));
            const stats = states.map((Y) => {
              const gm = fluxFunctionalFull(Y, fx.mass), gc = fluxFunctionalFull(Y, fx.centre), gs = fluxFunctionalFull(Y, fx.second);
              return { meanMass: mean(gm), meanPhi0: mean(gc), varPhi0: variance(gc), meanX2: mean(gs) };
            });
            return {
              states,
              observables: {
                meanMass: stats.map((s) => s.meanMass),
                meanPhi0: stats.map((s) => s.meanPhi0),
                varPhi0: stats.map((s) => s.varPhi0),
                meanX2: stats.map((s) => s.meanX2),
              },
            };
          },
        },
      } : {}),
    };
  },
});
