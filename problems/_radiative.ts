/**
 * Shared pieces of the radiative-transfer problems (`plane-source`, `rt-uq`): the P_N moment
 * system of the 1D slab transport equation, its finite-volume discretisation in x, Gaussian
 * initial data and Gauss–Legendre quadrature. Not a problem itself (the leading "_" keeps the
 * registry from listing it).
 *
 * Moment convention. ψ(t, x, μ), μ ∈ [−1, 1], is expanded in the normalised Legendre
 * polynomials P̃_ℓ = √(2ℓ+1)·P_ℓ (½∫P̃_k P̃_ℓ dμ = δ_kℓ) as ψ = ½·Σ_ℓ u_ℓ P̃_ℓ, ℓ = 0…N−1, so
 * u_ℓ = ∫ψ P̃_ℓ dμ and the scalar flux is Φ = ∫ψ dμ = u_0. Projecting
 *   ∂_t ψ + μ ∂_x ψ + σ_t ψ = (σ_s/2)·∫ψ dμ′        (isotropic scattering, σ_t = σ_s + σ_a)
 * onto P̃_k with μ P̃_ℓ = a_{ℓ+1} P̃_{ℓ+1} + a_ℓ P̃_{ℓ−1}, a_ℓ = ℓ/√((2ℓ−1)(2ℓ+1)), gives
 *   ∂_t u + A ∂_x u = −σ_a u − σ_s (I − e_0 e_0ᵀ) u,   A = tridiag(a_1 … a_{N−1}) symmetric,
 * whose eigenvalues are the N Gauss–Legendre nodes (A is the Jacobi matrix of the Legendre
 * recursion).
 *
 * Space. n_x cells of width Δx on [−L, L], unknowns = cell values u_j. Like the authors' code
 * (Kusch, `rte_1D` / plane-source solver) the flux is the Roe (upwind) flux
 *   F_{j+½} = ½A(u_j + u_{j+1}) − ½|A|(u_{j+1} − u_j),   |A| = V|Λ|Vᵀ,
 * i.e. the semi-discrete system, with Y the n_x × N matrix of cell moments (rows = cells),
 *   Y′ = −D_x·Y·Aᵀ + D_xx·Y·|A|ᵀ − σ_a·Y − σ_s·Y·P_{≠0}ᵀ,
 *   D_x = tridiag(−1, 0, 1)/(2Δx),  D_xx = tridiag(1, −2, 1)/(2Δx),  P_{≠0} = diag(0, 1, …, 1).
 * The Rusanov (local Lax–Friedrichs) variant replaces |A| by ρ(A)·I. Boundaries: "vacuum"
 * (zero ghost cells: outgoing radiation leaves, none comes in) or "periodic".
 * @module
 */
import { ArgumentError, ConvergenceError, diag, eigh, expm, matmul, scale, ShapeError, Tensor, transpose } from "../src/index.js";

/** Spatial boundary treatment. */
export type Boundary = "vacuum" | "periodic";
/** Numerical flux. */
export type Flux = "upwind" | "rusanov";

/**
 * The P_N flux matrix A (N×N, symmetric tridiagonal): A_{ℓ,ℓ+1} = (ℓ+1)/√((2ℓ+1)(2ℓ+3)).
 * Its eigenvalues are the Gauss–Legendre nodes of order N.
 */
export function pnFluxMatrix(N: number): Tensor {
  const A = new Tensor("f64", [N, N]);
  for (let l = 0; l + 1 < N; l++) {
    const a = (l + 1) / Math.sqrt((2 * l + 1) * (2 * l + 3));
    A.data[l * N + l + 1] = a;
    A.data[(l + 1) * N + l] = a;
  }
  return A;
}

/** |A| = V·|Λ|·Vᵀ of a symmetric matrix (the Roe matrix of the upwind flux) and ρ(A) = max |λ|. */
export function absMatrix(A: Tensor): { abs: Tensor; spectralRadius: number } {
  const { values, vectors } = eigh(A);
  const absValues = Array.from(values, Math.abs);
  const abs = matmul(matmul(vectors, diag(absValues)), transpose(vectors));
  // Symmetrise exactly (rounding leaves |A| − |A|ᵀ ~ 1e-16).
  const n = A.shape[0]!;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const m = 0.5 * (abs.data[i * n + j]! + abs.data[j * n + i]!);
      abs.data[i * n + j] = m;
      abs.data[j * n + i] = m;
    }
  return { abs, spectralRadius: Math.max(...absValues) };
}

/** diag(0, 1, …, 1): the projector onto the moments ℓ ≥ 1 (what isotropic scattering removes). */
export function nonIsotropicProjector(N: number): Tensor {
  return diag([0, ...new Array<number>(N - 1).fill(1)]);
}

/** A tridiagonal n×n operator with constant (lower, diagonal, upper) bands and the given boundary. */
export interface Tridiagonal {
  n: number;
  lower: number;
  diagonal: number;
  upper: number;
  boundary: Boundary;
}

/** The central difference D_x = tridiag(−1, 0, 1)/(2Δx). */
export function centralDifference(n: number, dx: number, boundary: Boundary): Tridiagonal {
  return { n, lower: -1 / (2 * dx), diagonal: 0, upper: 1 / (2 * dx), boundary };
}

/** The stabilising second difference D_xx = tridiag(1, −2, 1)/(2Δx) (Δx/2 times the Laplacian). */
export function secondDifference(n: number, dx: number, boundary: Boundary): Tridiagonal {
  return { n, lower: 1 / (2 * dx), diagonal: -1 / dx, upper: 1 / (2 * dx), boundary };
}

/** The dense matrix of a tridiagonal operator. */
export function tridiagonalMatrix(T: Tridiagonal): Tensor {
  const { n } = T;
  const M = new Tensor("f64", [n, n]);
  for (let j = 0; j < n; j++) {
    M.data[j * n + j] = M.data[j * n + j]! + T.diagonal;
    if (j > 0) M.data[j * n + j - 1] = M.data[j * n + j - 1]! + T.lower;
    else if (T.boundary === "periodic") M.data[j * n + n - 1] = M.data[j * n + n - 1]! + T.lower;
    if (j < n - 1) M.data[j * n + j + 1] = M.data[j * n + j + 1]! + T.upper;
    else if (T.boundary === "periodic") M.data[j * n] = M.data[j * n]! + T.upper;
  }
  return M;
}

/**
 * X ↦ T·X for X of shape [n, k] (f64 or c128): row j of the result is
 * lower·X_{j−1} + diagonal·X_j + upper·X_{j+1}. Real bands, so a complex X is handled as rows
 * of 2k real words. O(n·k) instead of the dense O(n²·k).
 */
export function tridiagonalApply(T: Tridiagonal): (X: Tensor) => Tensor {
  const { n, lower, diagonal, upper, boundary } = T;
  return (X: Tensor): Tensor => {
    if (X.ndim !== 2 || X.shape[0] !== n) throw new ShapeError(`tridiagonal operator of size ${n} applied to shape [${X.shape.join(", ")}]`);
    const x = X.dtype === "f32" ? X.astype("f64") : X;
    const w = (x.dtype === "c128" ? 2 : 1) * x.shape[1]!;
    const out = new Tensor(x.dtype, x.shape);
    const a = x.data, o = out.data;
    for (let j = 0; j < n; j++) {
      const row = j * w;
      const prev = j > 0 ? (j - 1) * w : boundary === "periodic" ? (n - 1) * w : -1;
      const next = j < n - 1 ? (j + 1) * w : boundary === "periodic" ? 0 : -1;
      for (let c = 0; c < w; c++) {
        let s = diagonal * a[row + c]!;
        if (prev >= 0) s += lower * a[prev + c]!;
        if (next >= 0) s += upper * a[next + c]!;
        o[row + c] = s;
      }
    }
    return out;
  };
}

/**
 * T applied along the middle axis of a [blocks, n, inner] array (rows j of every block):
 * out[b, j, q] = lower·x[b, j−1, q] + diagonal·x[b, j, q] + upper·x[b, j+1, q]. Real data.
 */
export function tridiagonalApplyMiddle(T: Tridiagonal, x: Float64Array, blocks: number, inner: number): Float64Array {
  const { n, lower, diagonal, upper, boundary } = T;
  const out = new Float64Array(x.length);
  for (let b = 0; b < blocks; b++) {
    const base = b * n * inner;
    for (let j = 0; j < n; j++) {
      const row = base + j * inner;
      const prev = j > 0 ? row - inner : boundary === "periodic" ? base + (n - 1) * inner : -1;
      const next = j < n - 1 ? row + inner : boundary === "periodic" ? base : -1;
      for (let q = 0; q < inner; q++) {
        let s = diagonal * x[row + q]!;
        if (prev >= 0) s += lower * x[prev + q]!;
        if (next >= 0) s += upper * x[next + q]!;
        out[row + q] = s;
      }
    }
  }
  return out;
}

/** Cell centres and width of n equal cells on [−L, L]. */
export function cellGrid(n: number, halfWidth: number): { x: Float64Array; dx: number } {
  const dx = (2 * halfWidth) / n;
  return { x: Float64Array.from({ length: n }, (_, j) => -halfWidth + (j + 0.5) * dx), dx };
}

/**
 * The error function to ~1e-15: the Taylor series for |z| ≤ 2.5, the continued fraction of
 * erfc (modified Lentz) beyond.
 */
export function erf(z: number): number {
  const a = Math.abs(z);
  if (a === 0) return 0;
  if (a <= 2.5) {
    let term = a, sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (-a * a) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(z) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (a > 6) return Math.sign(z);
  // erfc(a) = exp(−a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + …))))).
  const tiny = 1e-300;
  let f = a, C = a, D = 0;
  for (let k = 1; k < 500; k++) {
    const coeff = k / 2;
    D = a + coeff * D;
    D = Math.abs(D) < tiny ? tiny : D;
    C = a + coeff / C;
    C = Math.abs(C) < tiny ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return Math.sign(z) * (1 - erfc);
}

/**
 * Cell averages of the unit-mass Gaussian exp(−x²/(2s²))/√(2πs²) on the grid (exact, by erf:
 * the discrete mass Σ Φ_j Δx is the Gaussian's mass inside [−L, L]), raised to at least `floor`
 * (the plane-source codes' floor that keeps the initial data away from zero).
 */
export function gaussianCellAverages(x: Float64Array, dx: number, s: number, floor: number): Float64Array {
  const cdf = (y: number): number => 0.5 * (1 + erf(y / (Math.SQRT2 * s)));
  return Float64Array.from(x, (c) => Math.max(floor, (cdf(c + dx / 2) - cdf(c - dx / 2)) / dx));
}

/**
 * Gauss–Legendre nodes (ascending) and weights on [−1, 1] (Σ w = 2), by Newton's method on
 * P_n from the Chebyshev-like initial guesses: nodes to ~1e-15, independent of any eigensolver.
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  // [P_n(z), P_{n−1}(z)] by the three-term recursion.
  const legendre = (z: number): [number, number] => {
    let p0 = 1, p1 = z;
    for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k];
    return [p1, p0];
  };
  const derivative = (z: number, pn: number, pm: number): number => (n * (z * pn - pm)) / (z * z - 1);
  const nodes = new Float64Array(n), weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      const [pn, pm] = legendre(z);
      const dz = pn / derivative(z, pn, pm);
      z -= dz;
      if (Math.abs(dz) <= 1e-16) break;
    }
    const [pn, pm] = legendre(z);
    const dp = derivative(z, pn, pm);
    const w = 2 / ((1 - z * z) * dp * dp);
    nodes[i] = -z;
    nodes[n - 1 - i] = z;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}

/**
 * Weights of the linear functionals of Φ reported as observables, on the cell grid:
 * mass ∫Φ dx = Σ Δx Φ_j; Φ(0) = the centre cell (odd n) or the mean of the two centre cells
 * (even n); ∫x²Φ dx = Σ Δx x_j² Φ_j (the width ⟨x²⟩ = ∫x²Φ/∫Φ).
 */
export function fluxFunctionals(x: Float64Array, dx: number): { mass: Float64Array; centre: Float64Array; second: Float64Array } {
  const n = x.length;
  const centre = new Float64Array(n);
  if (n % 2 === 1) centre[(n - 1) / 2] = 1;
  else {
    centre[n / 2 - 1] = 0.5;
    centre[n / 2] = 0.5;
  }
  return {
    mass: new Float64Array(n).fill(dx),
    centre,
    second: Float64Array.from(x, (c) => dx * c * c),
  };
}

/**
 * The trajectory y(t) = exp(t·𝓐)·y₀ of a linear, time-independent system at increasing times
 * (from 0), by Krylov (Arnoldi) sub-steps with dense output: one basis of dimension m serves
 * every requested time inside its sub-step, via exp(s·H_m). The sub-step τ is accepted when
 * τ·β·h_{m+1,m}·max_{s∈{τ/2, τ}} |e_mᵀ exp(s·H_m)·e_1| ≤ tol·τ/T — the integrated Arnoldi
 * residual, an error bound for the dissipative (‖exp(s𝓐)‖₂ ≤ 1) transport operators here.
 * (Their symmetric parts are negative semidefinite: D_x⊗A is skew, D_xx⊗|A| and −σ·P_{≠0} are
 * negative semidefinite.) `tol` is absolute (Frobenius) over [0, T]; real states only.
 *
 * Used for the references instead of one `expmv` call per recorded time: `expmv` builds its
 * full Krylov basis for every call, which costs ~17 operator applications per recorded step.
 */
export function krylovTrajectory(apply: (y: Tensor) => Tensor, y0: Tensor, times: readonly number[], tol: number, m = 30): Tensor[] {
  if (y0.dtype !== "f64") throw new ArgumentError(`krylovTrajectory: real (f64) states only, got ${y0.dtype}`);
  const shape = y0.shape, n = y0.size;
  const out: Tensor[] = [];
  const T = times.length > 0 ? times[times.length - 1]! : 0;
  let y: Float64Array = Float64Array.from(y0.data as Float64Array);
  let t = 0, idx = 0, tau = Number.NaN;
  const dot = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
    return s;
  };
  while (idx < times.length) {
    if (!(times[idx]! >= t - 1e-14 * Math.max(1, T))) throw new ArgumentError(`krylovTrajectory: times must be non-decreasing from 0, got ${times[idx]}`);
    if (times[idx]! <= t + 1e-14 * Math.max(1, T)) {
      out.push(new Tensor("f64", shape, y.slice()));
      idx++;
      continue;
    }
    const beta = Math.sqrt(dot(y, y));
    if (beta === 0) {
      for (; idx < times.length; idx++) out.push(new Tensor("f64", shape));
      break;
    }
    // Arnoldi, classical Gram–Schmidt with re-orthogonalisation where needed. Plain loops:
    // matmul would copy the whole basis into kernel memory twice per vector, which costs more
    // than the products themselves.
    const basis = new Float64Array((m + 1) * n);
    for (let k = 0; k < n; k++) basis[k] = y[k]! / beta;
    const H = new Float64Array((m + 1) * m);
    const h = new Float64Array(m);
    let dim = m, invariant = false, hNext = 0;
    for (let j = 0; j < m; j++) {
      const w = Float64Array.from(apply(new Tensor("f64", shape, basis.subarray(j * n, (j + 1) * n))).data as Float64Array);
      const applied = Math.sqrt(dot(w, w));
      // A second pass only when the first lost more than a factor 0.7 of ‖w‖ (DGKS criterion).
      for (let pass = 0, before = applied; pass < 2; pass++) {
        for (let i = 0; i <= j; i++) {
          const off = i * n;
          let s = 0;
          for (let k = 0; k < n; k++) s += basis[off + k]! * w[k]!;
          h[i] = s;
        }
        for (let i = 0; i <= j; i++) {
          const off = i * n, c = h[i]!;
          for (let k = 0; k < n; k++) w[k] = w[k]! - c * basis[off + k]!;
          H[i * m + j] = H[i * m + j]! + c;
        }
        const after = Math.sqrt(dot(w, w));
        if (after > 0.7 * before) break;
        before = after;
      }
      const hn = Math.sqrt(dot(w, w));
      H[(j + 1) * m + j] = hn;
      // Happy breakdown: A·v_j lies in the basis (to rounding), so the subspace is invariant.
      if (hn <= 1e-13 * applied) {
        dim = j + 1;
        invariant = true;
        break;
      }
      if (j + 1 < m) for (let k = 0; k < n; k++) basis[(j + 1) * n + k] = w[k]! / hn;
      else hNext = hn;
    }
    const Hm = new Tensor("f64", [dim, dim]);
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) Hm.data[i * dim + j] = H[i * m + j]!;
    const firstColumn = (s: number): Float64Array => {
      const E = expm(scale(Hm, s));
      return Float64Array.from({ length: dim }, (_, i) => E.data[i * dim]!);
    };
    const remaining = T - t;
    const error = (s: number): number => invariant ? 0 : s * beta * hNext * Math.max(Math.abs(firstColumn(s / 2)[dim - 1]!), Math.abs(firstColumn(s)[dim - 1]!));
    if (Number.isNaN(tau)) tau = Math.min(remaining, 1 / Math.max(1e-300, Math.sqrt(Array.from(Hm.data).reduce((s, v) => s + v * v, 0)) / dim));
    tau = invariant ? remaining : Math.min(tau, remaining);
    let rejected = false;
    for (let attempt = 0; error(tau) > (tol * tau) / T; attempt++) {
      if (attempt > 60) throw new ConvergenceError(`krylovTrajectory: no acceptable step at t = ${t} (tol ${tol})`);
      tau /= 2;
      rejected = true;
    }
    const combine = (c: Float64Array): Float64Array => {
      const r = new Float64Array(n);
      for (let i = 0; i < dim; i++) {
        const ci = beta * c[i]!, off = i * n;
        for (let k = 0; k < n; k++) r[k] = r[k]! + ci * basis[off + k]!;
      }
      return r;
    };
    const end = t + tau;
    while (idx < times.length && times[idx]! < end - 1e-14 * Math.max(1, T)) {
      out.push(new Tensor("f64", shape, combine(firstColumn(times[idx]! - t))));
      idx++;
    }
    y = combine(firstColumn(tau));
    t = tau === remaining ? T : end;
    if (!rejected) tau *= 2;
  }
  return out;
}
