/**
 * The plane-source problem of radiative transfer in slab geometry, P_N in angle, as a matrix
 * DLRA problem: Ceruti, Kusch & Lubich, "A parallel rank-adaptive integrator for dynamical
 * low-rank approximation", SIAM J. Sci. Comput. 46 (2024), arXiv 2304.05660, §5.1 (and the
 * authors' code `JonasKu/Publication-A-parallel-rank-adaptive-integrator-for-dynamical-low-rank-approximation`).
 *
 * Equation (1D slab, isotropic scattering, Φ = ∫ψ dμ):
 *   ∂_t ψ + μ ∂_x ψ + σ_t ψ = (σ_s/2)·Φ,   σ_t = σ_s + σ_a,   x ∈ [−L, L], μ ∈ [−1, 1].
 * P_N moments u_ℓ = ∫ψ P̃_ℓ dμ (P̃_ℓ = √(2ℓ+1)·P_ℓ, ℓ = 0…N−1, so u_0 = Φ) give
 *   ∂_t u + A ∂_x u = −σ_a u − σ_s (I − e_0e_0ᵀ) u,   A_{ℓ,ℓ+1} = A_{ℓ+1,ℓ} = (ℓ+1)/√((2ℓ+1)(2ℓ+3)).
 * Finite volumes with the Roe (upwind) flux on n_x cells (or Rusanov: |A| → ρ(A)·I), with
 * Y ∈ ℝ^{n_x×N} the cell moments (rows = cells, columns = moments):
 *   Y′ = −D_x·Y·Aᵀ + D_xx·Y·|A|ᵀ − σ_a·Y − σ_s·Y·P_{≠0}ᵀ,
 *   D_x = tridiag(−1, 0, 1)/(2Δx), D_xx = tridiag(1, −2, 1)/(2Δx), P_{≠0} = diag(0, 1, …, 1),
 * a linear right-hand side Σ c·A·Y·Bᵀ of four Kronecker terms (see problems/_radiative.ts).
 * Initial data: isotropic, Φ(0, x) = max(floor, Gaussian of standard deviation s and unit mass)
 * as cell averages; Y(0) = Φ₀·e_0ᵀ has rank 1 and is written in bases padded to `initialRank`
 * (the paper starts at rank 50): from bare rank 1 the first steps see too few directions.
 *
 * Defaults: parallel BUG, h = 0.01, T = 1, ϑ = 1e-2 per unit time (absolute ϑ·h per step), no
 * rank cap. Measured: relative error against the full P_N solution ≤ 2.6e-4 over the run, rank
 * 20 at T = 1, |Δmass| ≤ 2e-6, `arbor run plane-source` 3–7 s (reference ~1 s) on 2 shared cores.
 *
 * Reference: the full P_N solution of the same semi-discrete system, Y(t) = exp(t·𝓛)·Y(0), by
 * Arnoldi sub-steps with dense output at every recorded time (`krylovTrajectory`, relative
 * accuracy 1e-10), computed when n_x·N ≤ `referenceMaxSize` (default 201·30: about a second).
 * It applies the same matrix-free factors as the integrators; the tests check those against the
 * dense matrices and the trajectory against `expm` of the assembled generator. (The paper
 * compares with the analytic plane-source solution; the full P_N solution is what a DLRA
 * integrator approximates — their difference is the P_N / finite-volume error, not the DLRA's.)
 *
 * Observables: mass = ∫Φ dx (constant when σ_a = 0 and nothing leaves the domain — exactly so
 * with periodic boundaries; with vacuum boundaries the 1e-4 floor leaks out slowly), phi0 = Φ at
 * x = 0 (the centre cell, or the mean of the two centre cells for even n_x), width = ∫x²Φ/∫Φ.
 *
 * Paper settings (`--preset paper`, slow: a 2001×2001 state, ranks up to 1000):
 *   arbor run plane-source --preset paper --tf 2 --dt 0.005 --tol 1e-2 --theta-mode relative --max-rank 1000 --min-rank 5
 * (CFL 0.99 gives Δt ≈ 0.005 on 2001 cells of [−5, 5]; T ∈ {2, 2.75, 5}; initial rank 50).
 */
import {
  ArgumentError, concat, defineProblem, diag, lowRankMatrix, matmul, qr, randn, Tensor,
  type LinearTerm, type LowRankMatrix,
} from "../src/index.js";
import {
  absMatrix, cellGrid, centralDifference, fluxFunctionals, gaussianCellAverages, krylovTrajectory, nonIsotropicProjector, pnFluxMatrix,
  secondDifference, tridiagonalApply, tridiagonalMatrix, type Boundary, type Flux,
} from "./_radiative.js";

/** The P_N operator's pieces for given sizes; shared with the tests. */
export interface PlaneSourceOperator {
  x: Float64Array;
  dx: number;
  /** P_N flux matrix (N×N). */
  A: Tensor;
  /** |A| (upwind) or ρ(A)·I (Rusanov). */
  absA: Tensor;
  /** Terms with matrix-free space factors (for the integrators). */
  terms: LinearTerm[];
  /** The same terms with dense space factors (for the reference). */
  denseTerms: LinearTerm[];
}

/** Builds the semi-discrete P_N operator Y ↦ Σ c·A·Y·Bᵀ. */
export function planeSourceOperator(p: { nx: number; moments: number; halfWidth: number; sigmaS: number; sigmaA: number; flux: Flux; boundary: Boundary }): PlaneSourceOperator {
  const { x, dx } = cellGrid(p.nx, p.halfWidth);
  const A = pnFluxMatrix(p.moments);
  const { abs, spectralRadius } = absMatrix(A);
  const rusanov = p.flux === "rusanov";
  const absA = rusanov ? diag(new Array<number>(p.moments).fill(spectralRadius)) : abs;
  const Dx = centralDifference(p.nx, dx, p.boundary), Dxx = secondDifference(p.nx, dx, p.boundary);
  const P = nonIsotropicProjector(p.moments);
  const build = (dx_: Tensor | ((X: Tensor) => Tensor), dxx: Tensor | ((X: Tensor) => Tensor)): LinearTerm[] => [
    { coeff: -1, A: dx_, B: A },
    rusanov ? { coeff: spectralRadius, A: dxx } : { coeff: 1, A: dxx, B: absA },
    ...(p.sigmaS !== 0 ? [{ coeff: -p.sigmaS, B: P }] : []),
    ...(p.sigmaA !== 0 ? [{ coeff: -p.sigmaA }] : []),
  ];
  return {
    x, dx, A, absA,
    terms: build(tridiagonalApply(Dx), tridiagonalApply(Dxx)),
    denseTerms: build(tridiagonalMatrix(Dx), tridiagonalMatrix(Dxx)),
  };
}

/** Y ↦ Σ c·A·Y·Bᵀ (real factors; A a matrix or a function, B a matrix). */
function applyTerms(terms: LinearTerm[], Y: Tensor): Tensor {
  let out: Tensor | null = null;
  for (const t of terms) {
    let Z = Y;
    if (t.A !== undefined) Z = t.A instanceof Tensor ? matmul(t.A, Z) : t.A(Z);
    if (t.B !== undefined) Z = matmul(Z, t.B as Tensor, { transposeB: true });
    const c = (t.coeff ?? 1) as number;
    if (out === null) {
      out = new Tensor("f64", Z.shape);
      for (let i = 0; i < Z.data.length; i++) out.data[i] = c * Z.data[i]!;
    } else for (let i = 0; i < Z.data.length; i++) out.data[i] = out.data[i]! + c * Z.data[i]!;
  }
  return out!;
}

/** cᵀ·Y·e_0 = Σ_j c_j Φ_j for a low-rank Y = U·S·Vᴴ (real part; the state stays real). */
function lowRankFunctional(c: Tensor, y: LowRankMatrix): number {
  const row = matmul(matmul(c, y.U), y.S); // 1×r: cᵀ·U·S
  const r = y.S.shape[1]!;
  // Y_{j0} = Σ_b (U·S)_{jb}·conj(V_{0b}); Re((x + iy)(a − ib)) = xa + yb.
  const w = row.dtype === "c128" ? 2 : 1, wv = y.V.dtype === "c128" ? 2 : 1;
  let s = 0;
  for (let b = 0; b < r; b++) {
    s += row.data[w * b]! * y.V.data[wv * b]!;
    if (w === 2 && wv === 2) s += row.data[2 * b + 1]! * y.V.data[2 * b + 1]!;
  }
  return s;
}

/** cᵀ·Y·e_0 for a dense Y. */
function denseFunctional(c: Tensor, Y: Tensor): number {
  const N = Y.shape[1]!;
  let s = 0;
  for (let j = 0; j < c.size; j++) s += c.data[j]! * Y.data[j * N]!;
  return s;
}

export default defineProblem({
  name: "plane-source",
  description: "plane source: 1D slab radiative transfer, P_N in angle, finite volumes in x, as a low-rank matrix (parallel matrix BUG paper §5.1)",
  source: "Ceruti, Kusch, Lubich, SIAM J. Sci. Comput. 46 (2024), arXiv 2304.05660, §5.1",
  parameters: {
    nx: { type: "integer", default: 201, min: 3, max: 100000, description: "number of spatial cells n_x on [−L, L] (odd: a cell centred at x = 0)" },
    moments: { type: "integer", default: 30, min: 2, max: 10000, description: "number of P_N moments N (degrees 0…N−1)" },
    halfWidth: { type: "number", default: 5, min: 0, minInclusive: false, description: "half-width L of the slab [−L, L]", unit: "length" },
    sigmaS: { type: "number", default: 1, min: 0, description: "scattering cross section σ_s", unit: "1/length" },
    sigmaA: { type: "number", default: 0, min: 0, description: "absorption cross section σ_a", unit: "1/length" },
    sigmaIC: { type: "number", default: 0.03, min: 0, minInclusive: false, description: "standard deviation s of the initial Gaussian", unit: "length" },
    floor: { type: "number", default: 1e-4, min: 0, description: "floor of the initial scalar flux Φ₀ = max(floor, Gaussian)", unit: "1/length" },
    flux: { type: "choice", default: "upwind", choices: ["upwind", "rusanov"], description: "numerical flux: Roe upwind (|A| = V|Λ|Vᵀ, as in the authors' code) or Rusanov (ρ(A)·I)" },
    boundary: { type: "choice", default: "vacuum", choices: ["vacuum", "periodic"], description: "vacuum (zero ghost cells, outflow) or periodic (mass exactly conserved when σ_a = 0)" },
    initialRank: { type: "integer", default: 10, min: 1, max: 10000, description: "rank of the initial state: Φ₀·e_0ᵀ in bases padded to this rank (U random orthonormal, V the first moments) with zero singular values, as in the paper's code (from rank 1 the first steps err ~100× more)" },
    referenceMaxSize: { type: "integer", default: 40000, min: 0, description: "compute the full P_N reference when n_x·N ≤ this (its cost grows like n_x·N² per Krylov vector)" },
  },
  presets: {
    paper: { nx: 2001, moments: 2001, initialRank: 50, referenceMaxSize: 0 },
  },
  // ϑ per unit time: a relative or absolute per-step ϑ cuts the O(h)-small new directions of
  // every step when h is small, so the rank never grows (measured: h = 0.002 with relative
  // ϑ = 1e-3 stays at rank 2 with a 100% error).
  defaults: { integrator: "parallel-bug", h: 0.01, tf: 1, theta: 1e-2, thetaMode: "per-unit-time" },
  setup(p, { seed }) {
    const N = p.moments, nx = p.nx;
    if (p.initialRank > Math.min(nx, N)) throw new ArgumentError(`problem plane-source, parameter initialRank: ${p.initialRank} exceeds min(n_x, N) = ${Math.min(nx, N)}`);
    const op = planeSourceOperator({ nx, moments: N, halfWidth: p.halfWidth, sigmaS: p.sigmaS, sigmaA: p.sigmaA, flux: p.flux as Flux, boundary: p.boundary as Boundary });
    const phi0 = gaussianCellAverages(op.x, op.dx, p.sigmaIC, p.floor);
    const phiNorm = Math.hypot(...phi0);

    // Y0 = Φ₀·e_0ᵀ in bases of rank r: U = [Φ₀/‖Φ₀‖, orthonormal complement], V = [e_0 … e_{r−1}].
    const r = p.initialRank;
    const phiCol = new Tensor("f64", [nx, 1], Float64Array.from(phi0, (v) => v / phiNorm));
    let U: Tensor = phiCol;
    if (r > 1) {
      const { Q } = qr(concat([phiCol, randn([nx, r - 1], seed)], 1));
      U = Q!;
      // Keep the first column exactly Φ₀/‖Φ₀‖ (QR may flip its sign).
      for (let j = 0; j < nx; j++) U.data[j * r] = phiCol.data[j]!;
    }
    const S = new Tensor("f64", [r, r]);
    S.data[0] = phiNorm;
    const V = new Tensor("f64", [N, r]);
    for (let k = 0; k < r; k++) V.data[k * r + k] = 1;
    const initial = lowRankMatrix(U, S, V);

    const fx = fluxFunctionals(op.x, op.dx);
    const row = (w: Float64Array): Tensor => new Tensor("f64", [1, nx], w.slice());
    const [massW, centreW, secondW] = [row(fx.mass), row(fx.centre), row(fx.second)];
    const observe = (f: (c: Tensor) => number) => ({
      mass: f(massW),
      phi0: f(centreW),
      width: f(secondW) / f(massW),
    });

    const Y0 = new Tensor("f64", [nx, N]);
    for (let j = 0; j < nx; j++) Y0.data[j * N] = phi0[j]!;
    return {
      kind: "matrix",
      initial,
      rhs: { kind: "linear", terms: op.terms },
      observables: {
        mass: (_t, y) => lowRankFunctional(massW, y),
        phi0: (_t, y) => lowRankFunctional(centreW, y),
        width: (_t, y) => lowRankFunctional(secondW, y) / lowRankFunctional(massW, y),
      },
      ...(nx * N <= p.referenceMaxSize ? {
        reference: {
          description: `full P_N solution of the same ${nx}×${N} semi-discrete system (Krylov exponential, dense output)`,
          solve: (times) => {
            const states = krylovTrajectory((Z) => applyTerms(op.terms, Z), Y0, times, 1e-10 * phiNorm);
            const obs = states.map((Z) => observe((c) => denseFunctional(c, Z)));
            return {
              states,
              observables: { mass: obs.map((o) => o.mass), phi0: obs.map((o) => o.phi0), width: obs.map((o) => o.width) },
            };
          },
        },
      } : {}),
    };
  },
});
