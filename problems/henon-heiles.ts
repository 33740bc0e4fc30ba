/**
 * The Hénon–Heiles Schrödinger equation on a balanced binary tree: the classic ML-MCTDH
 * benchmark as used in D. Sulz's PhD thesis (Tübingen; Hénon–Heiles chapter, MATLAB code
 * `DominikSulz/PhD_thesis_simulations`, folder `Henon_Heiles/`), after Nest & Meyer,
 * J. Chem. Phys. 117 (2002) 10499. Units ħ = m = ω = 1.
 *
 *   i·ψ′ = H·ψ,   H = Σ_{k=1}^{d} (−½ ∂²/∂q_k² + ½ q_k²) + λ Σ_{k=1}^{d−1} (q_k² q_{k+1} − ⅓ q_{k+1}³),
 *
 * λ = 0.111803 (the thesis), ψ(0) = ∏_k g(q_k) with g(q) = exp(−(q − q₀)²/2) normalised, q₀ = 2.
 *
 * Discretisation: every degree of freedom q_k lives on a K-point discrete-variable-representation
 * (DVR) grid on [−L, L] (the thesis: L = 10, K = 31 Fourier modes). A state's leaf index is the grid
 * point: ψ_j = √Δ·ψ(x_j). Multiplication by q, q², q³ is diagonal; the kinetic energy −½∂² is the
 * dense K×K matrix T = Fᴴ·diag(½k_n²)·F of the spectral basis F:
 * - `fourier` (default; periodic, the thesis' basis of K plane waves e^{i k_n q}, k_n = π n/L):
 *   x_j = −L + jΔ, Δ = 2L/K, j = 0…K−1, n = −⌊(K−1)/2⌋ … ⌊K/2⌋,
 *   T_ij = (1/K) Σ_n ½k_n² cos(k_n (x_i − x_j));
 * - `sine` (hard walls at ±L, the basis sin(k_n (q + L)), k_n = π n/(2L), n = 1…K):
 *   x_j = −L + jΔ, Δ = 2L/(K+1), j = 1…K,
 *   T_ij = (2/(K+1)) Σ_n ½k_n² sin(π n i/(K+1)) sin(π n j/(K+1)).
 * Both are real symmetric; their low eigenvalues with ½q² added are the harmonic levels n + ½ when
 * the grid resolves the oscillator (Δ small, L large). (The thesis code uses the Fourier basis
 * itself, with exactly integrated matrices of q, q², q³ — a Galerkin rather than a collocation
 * discretisation, equally accurate for smooth states — and adds a real boundary term W, cubic
 * beyond |q| = 6, which the H above and this problem leave out.)
 *
 * The Hamiltonian is a sum of products with one dense one-body factor per mode,
 * h_k = T + ½ diag(q²) (− ⅓λ diag(q³) for k ≥ 2), and the d − 1 couplings λ diag(q²) ⊗ diag(q)
 * on neighbouring modes, compressed to a tree operator. Observables: the autocorrelation
 * a(t) = ⟨ψ(0)|ψ(t)⟩ (whose Fourier transform is the vibrational spectrum), the norm, the energy
 * ⟨ψ|H|ψ⟩ and the mean position ⟨q₁⟩ of the first degree of freedom (= q₀ cos t exactly for λ = 0 on
 * a fine grid: a coherent state). Small grids (K^d ≤ referenceSize) are compared with the exact
 * evolution of the full K^d vector.
 *
 * The initial network carries ψ(0) (rank 1) on edges of rank `initialRank` (default 4, the
 * default minimum rank), the extra directions with zero weight, as the thesis code starts from
 * leaves of rank 10 with random extra columns. This matters: from a bare rank-1 state the first
 * rank-adaptive BUG step can only reach rank 2 and commits an error of order h (measured
 * 9e-4 at h = 0.02, d = 2), which then never goes away; padded, 1e-9.
 *
 * Thesis runs (the presets set d, K, L, the initial ranks, the step, the final time and the rank cap):
 *   arbor run henon-heiles --preset thesis-d2                      (T = 60, h = 0.01; figures: rank ≤ 4 and ≤ 20)
 *   arbor run henon-heiles --preset thesis-d8                      (T = 30, h = 0.005, rank ≤ 4; slow: 6000 steps)
 */
import {
  ArgumentError, defineProblem, expmv, innerTtn, norm, SumOfProducts, Tensor, Tree, Ttn, Ttno, vdot,
  type Complex, type DerivedCurve,
} from "../src/index.js";

const MINUS_I = { re: 0, im: -1 };

/** The kinetic-energy matrix and the grid points of one degree of freedom. */
export interface HenonHeilesGrid {
  /** Grid points x_j (ascending). */
  x: Float64Array;
  /** Grid spacing Δ. */
  spacing: number;
  /** −½∂² in the grid basis: a dense, real symmetric K×K matrix. */
  kinetic: Tensor;
}

/**
 * The DVR grid of one degree of freedom on [−L, L] with K points: `fourier` (periodic) or `sine`
 * (zero at ±L); see the module comment for the formulas.
 */
export function henonHeilesGrid(K: number, L: number, kind: "fourier" | "sine" = "fourier"): HenonHeilesGrid {
  if (!Number.isSafeInteger(K) || K < 2) throw new ArgumentError(`henon-heiles grid: K must be a whole number ≥ 2, got ${K}`);
  if (!Number.isFinite(L) || L <= 0) throw new ArgumentError(`henon-heiles grid: L must be a finite number > 0, got ${L}`);
  const T = new Float64Array(K * K);
  const x = new Float64Array(K);
  let spacing: number;
  if (kind === "fourier") {
    spacing = (2 * L) / K;
    for (let j = 0; j < K; j++) x[j] = -L + j * spacing;
    const nLo = -Math.floor((K - 1) / 2), nHi = Math.floor(K / 2);
    // T depends on i − j only: tabulate t(m) = (1/K) Σ_n ½k_n² cos(k_n m Δ), m = 0…K−1.
    const row = new Float64Array(K);
    for (let m = 0; m < K; m++) {
      let s = 0;
      for (let n = nLo; n <= nHi; n++) {
        const k = (Math.PI * n) / L;
        s += 0.5 * k * k * Math.cos((2 * Math.PI * n * m) / K);
      }
      row[m] = s / K;
    }
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) T[i * K + j] = row[Math.abs(i - j)]!;
  } else {
    spacing = (2 * L) / (K + 1);
    for (let j = 0; j < K; j++) x[j] = -L + (j + 1) * spacing;
    // S_jn = √(2/(K+1)) sin(π n j/(K+1)) is orthogonal and symmetric; T = S·diag(½k_n²)·S.
    const S = new Float64Array(K * K);
    const c = Math.sqrt(2 / (K + 1));
    for (let j = 0; j < K; j++) for (let n = 0; n < K; n++) S[j * K + n] = c * Math.sin((Math.PI * (n + 1) * (j + 1)) / (K + 1));
    for (let i = 0; i < K; i++)
      for (let j = i; j < K; j++) {
        let s = 0;
        for (let n = 0; n < K; n++) {
          const k = (Math.PI * (n + 1)) / (2 * L);
          s += S[i * K + n]! * 0.5 * k * k * S[j * K + n]!;
        }
        T[i * K + j] = s;
        T[j * K + i] = s;
      }
  }
  return { x, spacing, kinetic: new Tensor("f64", [K, K], T) };
}

/** The diagonal matrix diag(f(x_j)). */
function diagonalOf(x: Float64Array, f: (q: number) => number): Tensor {
  const K = x.length;
  const out = new Tensor("f64", [K, K]);
  for (let j = 0; j < K; j++) out.data[j * K + j] = f(x[j]!);
  return out;
}

/**
 * The Hénon–Heiles Hamiltonian on d grids as a sum of products: one dense one-body term per mode
 * (kinetic + harmonic, and −⅓λq³ on modes 1…d−1) and d − 1 couplings λ·q_k² ⊗ q_{k+1}.
 */
export function henonHeilesHamiltonian(d: number, grid: HenonHeilesGrid, lambda: number): SumOfProducts {
  const K = grid.x.length;
  const sop = new SumOfProducts(new Array(d).fill(K));
  const q = diagonalOf(grid.x, (s) => s);
  const q2 = diagonalOf(grid.x, (s) => s * s);
  for (let k = 0; k < d; k++) {
    const h = new Tensor("f64", [K, K], Float64Array.from(grid.kinetic.data));
    for (let j = 0; j < K; j++) {
      const s = grid.x[j]!;
      h.data[j * K + j] = h.data[j * K + j]! + 0.5 * s * s - (k > 0 ? (lambda / 3) * s * s * s : 0);
    }
    sop.add(1, { [k]: h });
  }
  if (lambda !== 0) for (let k = 0; k + 1 < d; k++) sop.add(lambda, { [k]: q2, [k + 1]: q });
  return sop;
}

/**
 * H·ψ on the full K^d grid vector (real or complex, axes = modes), applied directly: the diagonal
 * potential V(x) = Σ_k ½x_k² + λ Σ_k (x_k² x_{k+1} − ⅓x_{k+1}³) times ψ, plus T along every axis.
 * O(d·K·K^d) per call. This is the same operator as {@link henonHeilesHamiltonian}'s `apply`, with
 * neither Kronecker factors nor permutations, so that the exact reference stays affordable up to
 * K^d ~ 1e5.
 */
export function henonHeilesFullOperator(d: number, grid: HenonHeilesGrid, lambda: number): (y: Tensor) => Tensor {
  const K = grid.x.length;
  const N = K ** d;
  const x = grid.x, T = grid.kinetic.data;
  const V = new Float64Array(N);
  const digit = new Int32Array(d);
  for (let i = 0; i < N; i++) {
    let v = 0;
    for (let k = 0; k < d; k++) {
      const s = x[digit[k]!]!;
      v += 0.5 * s * s - (k > 0 ? (lambda / 3) * s * s * s : 0);
      if (k + 1 < d) v += lambda * s * s * x[digit[k + 1]!]!;
    }
    V[i] = v;
    for (let k = d - 1; k >= 0; k--) { // the next multi-index, last mode fastest
      if (++digit[k]! < K) break;
      digit[k] = 0;
    }
  }
  return (y: Tensor): Tensor => {
    if (y.size !== N || (y.dtype !== "f64" && y.dtype !== "c128")) throw new ArgumentError(`henon-heiles: H applied to a ${y.dtype} tensor of size ${y.size}; expected ${N} = ${K}^${d} entries`);
    const w = y.dtype === "c128" ? 2 : 1;
    const a = y.data as Float64Array;
    const out = new Tensor(y.dtype, y.shape);
    const o = out.data as Float64Array;
    for (let i = 0; i < N; i++) for (let c = 0; c < w; c++) o[w * i + c] = V[i]! * a[w * i + c]!;
    for (let k = 0; k + 1 < d; k++) {
      // Along axis k: out[b, i, r] += Σ_j T[i, j]·ψ[b, j, r], r running over the faster axes
      // (with re/im interleaved, a contiguous run of w·stride numbers).
      const run = w * K ** (d - 1 - k), block = K * run;
      for (let b = 0; b < w * N; b += block)
        for (let i = 0; i < K; i++) {
          const oi = b + i * run;
          for (let j = 0; j < K; j++) {
            const tij = T[i * K + j]!, aj = b + j * run;
            for (let r = 0; r < run; r++) o[oi + r] += tij * a[aj + r]!;
          }
        }
    }
    // The last axis is contiguous: a dot product per entry.
    for (let b = 0; b < N; b += K)
      for (let i = 0; i < K; i++) {
        let re = 0, im = 0;
        if (w === 2) {
          for (let j = 0; j < K; j++) {
            const tij = T[i * K + j]!;
            re += tij * a[2 * (b + j)]!;
            im += tij * a[2 * (b + j) + 1]!;
          }
          o[2 * (b + i)] += re;
          o[2 * (b + i) + 1] += im;
        } else {
          for (let j = 0; j < K; j++) re += T[i * K + j]! * a[b + j]!;
          o[b + i] += re;
        }
      }
    return out;
  };
}

/**
 * The product state ⊗_m v_m written with rank ≤ r on every edge: leaf m holds an orthonormal
 * basis whose first column is v_m (‖v_m‖ = 1), every inner node the isometry that sends its index
 * a to the a-th joint index of its children in order of total degree (the sum of the children's
 * indices: (0,0), (0,1), (1,0), (0,2), …), and only the all-first entry of the root is non-zero.
 * The full tensor is exactly ⊗ v_m; the other directions carry zero weight, so that a BUG step
 * starts from r-dimensional bases instead of one. With leaf columns ordered by degree (as from
 * {@link gaussianBasis}), each subtree basis spans the low-degree products first.
 */
export function paddedProductTtn(tree: Tree, leafBases: readonly Tensor[], r: number): Ttn {
  const ranks = new Array<number>(tree.numNodes).fill(1);
  const tensors: Tensor[] = new Array(tree.numNodes);
  for (const v of tree.postorder()) {
    if (tree.isLeaf(v)) {
      const U = leafBases[tree.mode(v)]!;
      ranks[v] = U.shape[1]!;
      tensors[v] = U;
      continue;
    }
    const childRanks = tree.children(v).map((c) => ranks[c]!);
    const rank = v === tree.root ? 1 : Math.min(r, childRanks.reduce((x, y) => x * y, 1));
    ranks[v] = rank;
    const C = new Tensor("f64", [rank, ...childRanks]);
    lowestDegreeIndices(childRanks, rank).forEach((flat, a) => (C.data[a * (C.size / rank) + flat] = 1));
    tensors[v] = C;
  }
  return new Ttn(tree, leafBases.map((U) => U.shape[0]!), tensors as Tensor<"f64">[]);
}

// The `count` row-major flat indices of a tensor of shape `dims` with the smallest index sums
// (ties: the earlier flat index first).
function lowestDegreeIndices(dims: readonly number[], count: number): number[] {
  const size = dims.reduce((x, y) => x * y, 1);
  const degree = new Array<number>(size);
  for (let flat = 0; flat < size; flat++) {
    let rest = flat, sum = 0;
    for (let m = dims.length - 1; m >= 0; m--) {
      sum += rest % dims[m]!;
      rest = Math.floor(rest / dims[m]!);
    }
    degree[flat] = sum;
  }
  return Array.from({ length: size }, (_, i) => i).sort((x, y) => degree[x]! - degree[y]! || x - y).slice(0, count);
}

/**
 * An orthonormal K×r basis whose first column is g (normalised) and whose others are the next
 * displaced oscillator-like functions (x − q₀)ⁿ·g(x), orthonormalised (Gram–Schmidt, twice).
 */
function gaussianBasis(x: Float64Array, g: Float64Array, q0: number, r: number): Tensor {
  const K = x.length;
  const cols: Float64Array[] = [];
  for (let n = 0; n < r; n++) {
    const c = Float64Array.from(x, (s, j) => (s - q0) ** n * g[j]!);
    for (let pass = 0; pass < 2; pass++)
      for (const b of cols) {
        let dot = 0;
        for (let j = 0; j < K; j++) dot += b[j]! * c[j]!;
        for (let j = 0; j < K; j++) c[j] = c[j]! - dot * b[j]!;
      }
    let nrm = 0;
    for (let j = 0; j < K; j++) nrm += c[j]! * c[j]!;
    nrm = Math.sqrt(nrm);
    if (!(nrm > 1e-8)) break; // numerically dependent: keep the basis found so far
    cols.push(c.map((v) => v / nrm));
  }
  const U = new Tensor("f64", [K, cols.length]);
  cols.forEach((c, n) => c.forEach((v, j) => (U.data[j * cols.length + n] = v)));
  return U;
}

const asComplex = (v: number | Complex): Complex => (typeof v === "number" ? { re: v, im: 0 } : v);

export default defineProblem({
  name: "henon-heiles",
  description: "Hénon–Heiles Schrödinger equation (coupled anharmonic oscillators) on a binary tree, product of displaced Gaussians (Sulz thesis; ML-MCTDH benchmark)",
  source: "D. Sulz, PhD thesis (Tübingen), Hénon–Heiles chapter and code DominikSulz/PhD_thesis_simulations/Henon_Heiles; Nest & Meyer, J. Chem. Phys. 117 (2002) 10499",
  parameters: {
    d: { type: "integer", default: 2, min: 2, max: 64, description: "degrees of freedom (leaves of the binary tree); the thesis uses 2 and 8, ~16 is the sensible maximum" },
    K: { type: "integer", default: 31, min: 3, max: 256, description: "grid points (Fourier modes) per degree of freedom; the thesis uses 31" },
    L: { type: "number", default: 10, min: 0, minInclusive: false, max: 1000, description: "half-width of the grid [−L, L] (dimensionless, ħ = m = ω = 1)", unit: "length" },
    lambda: { type: "number", default: 0.111803, min: -10, max: 10, description: "anharmonic coupling λ of λ(q_k² q_{k+1} − ⅓q_{k+1}³); 0 gives d uncoupled harmonic oscillators", unit: "energy/length³" },
    q0: { type: "number", default: 2, min: -1000, max: 1000, description: "centre of every initial Gaussian exp(−(q − q₀)²/2); its tail must fit in the grid: |q₀| ≤ L − 3.7", unit: "length" },
    grid: { type: "choice", default: "fourier", choices: ["fourier", "sine"], description: "DVR: periodic Fourier grid (the thesis) or sine grid with walls at ±L" },
    initialRank: { type: "integer", default: 4, min: 1, max: 256, description: "ranks of the initial network: ψ(0) is a product state (rank 1), padded with zero-weight directions (displaced oscillator functions) as the thesis pads with random columns, so the first BUG steps have room" },
    referenceSize: { type: "integer", default: 20_000, min: 0, max: 5_000_000, description: "compare with the exact evolution of the full grid vector when K^d ≤ this (cost per recorded time: ~0.03 s at 31², ~2 s at 16⁴; raise it to 1e5 for d = 4, K = 16, or record less often with --every)" },
  },
  presets: {
    "thesis-d2": { d: 2, K: 31, L: 10, initialRank: 10 },
    "thesis-d8": { d: 8, K: 31, L: 10, initialRank: 10 },
  },
  presetDefaults: {
    "thesis-d2": { tf: 60, h: 0.01, maxRank: 20 },
    "thesis-d8": { tf: 30, h: 0.005, maxRank: 4 },
  },
  defaults: { integrator: "bug", h: 0.02, tf: 1, theta: 1e-8, minRank: 4, maxRank: 10 },
  setup(p) {
    const { d, K, L, lambda, q0 } = p;
    const grid = henonHeilesGrid(K, L, p.grid as "fourier" | "sine");
    // The Gaussian must be resolved and must fit: at least ~2 points per unit width, and its
    // tail at the walls below 1e-3 of its peak (exp(−(L − |q0|)²/2) ≤ 1e-3 ⇔ L − |q0| ≥ 3.7).
    if (grid.spacing > 2) throw new ArgumentError(`problem henon-heiles: the grid spacing 2L/K = ${grid.spacing.toPrecision(3)} is too coarse for a Gaussian of width 1; use K ≥ ${Math.ceil(L)} or a smaller L`);
    if (L - Math.abs(q0) < 3.7) throw new ArgumentError(`problem henon-heiles: the initial Gaussian at q0 = ${q0} does not fit in [−${L}, ${L}] (need L − |q0| ≥ 3.7)`);

    const tree = Tree.balancedBinary(d);
    const sop = henonHeilesHamiltonian(d, grid, lambda);
    const H = Ttno.fromSumOfProducts(tree, sop);
    const g = Float64Array.from(grid.x, (x) => Math.exp(-((x - q0) ** 2) / 2));
    const basis = gaussianBasis(grid.x, g, q0, Math.min(p.initialRank, K));
    const initial = paddedProductTtn(tree, new Array(d).fill(basis), p.initialRank);
    const q1Op = new SumOfProducts(new Array(d).fill(K)).add(1, { 0: diagonalOf(grid.x, (s) => s) });
    // a(t) = ⟨ψ(0)|ψ(t)⟩, once per recorded state for its three observables.
    const overlaps = new WeakMap<Ttn, Complex>();
    const autocorrelation = (y: Ttn): Complex => {
      let a = overlaps.get(y);
      if (a === undefined) overlaps.set(y, (a = asComplex(innerTtn(initial, y))));
      return a;
    };

    return {
      kind: "ttn",
      initial,
      rhs: { kind: "ttno", op: H, scale: MINUS_I, hermitian: true },
      observables: {
        autocorrRe: (_t, y) => autocorrelation(y).re,
        autocorrIm: (_t, y) => autocorrelation(y).im,
        autocorrAbs: (_t, y) => {
          const a = autocorrelation(y);
          return Math.hypot(a.re, a.im);
        },
        norm: (_t, y) => y.norm(),
        energy: H,
        q1: Ttno.fromSumOfProducts(tree, q1Op),
      },
      ...(K ** d <= p.referenceSize ? {
        reference: {
          description: `exact: Lanczos exponential (expmv, tol 1e-12) of the full ${K}^${d} grid vector`,
          solve: (times) => {
            const applyH = henonHeilesFullOperator(d, grid, lambda);
            const psi0 = initial.toFull();
            // ‖Hψ₀‖ sizes expmv's first sub-step trial (its accuracy never depends on it): the
            // state sees far less than ‖H‖₂ ≈ 2e2, which comes from the walls of the grid, and
            // expmv's own estimate then splits each interval into two Krylov steps, not one.
            const normEstimate = norm(applyH(psi0));
            const states: Tensor[] = [];
            let psi: Tensor = psi0, t = 0;
            for (const time of times) {
              if (time > t) psi = expmv(applyH, psi, { re: 0, im: -(time - t) }, { hermitian: true, tol: 1e-12, normEstimate }).y;
              t = time;
              states.push(psi);
            }
            const a = states.map((s) => asComplex(vdot(psi0, s)));
            const braket = (s: Tensor, v: Tensor): number => asComplex(vdot(s, v)).re;
            // ⟨q₁⟩: the first mode is the slowest axis, so x₁ is constant on blocks of K^(d−1).
            const block = K ** (d - 1);
            const q1 = (s: Tensor): number => {
              const w = s.dtype === "c128" ? 2 : 1;
              let sum = 0;
              for (let i = 0; i < s.size; i++) {
                const re = s.data[w * i]!, im = w === 2 ? s.data[w * i + 1]! : 0;
                sum += grid.x[Math.floor(i / block)]! * (re * re + im * im);
              }
              return sum;
            };
            return {
              states,
              observables: {
                autocorrRe: a.map((z) => z.re),
                autocorrIm: a.map((z) => z.im),
                autocorrAbs: a.map((z) => Math.hypot(z.re, z.im)),
                norm: states.map((psi) => norm(psi)),
                energy: states.map((s) => braket(s, applyH(s))),
                q1: states.map(q1),
              },
            };
          },
        },
      } : {}),
    };
  },
  // The spectrum, as MCTDH codes compute it from the autocorrelation: with a(−t) = conj(a(t)),
  // σ(E) = (1/π)·Re ∫₀^T a(t)·e^{iEt}·w(t) dt, w(t) = cos(πt/2T) damping the cut at T
  // (trapezoid rule on the recorded times, which must be evenly spaced: --every keeps them so).
  derived(records): Record<string, DerivedCurve> {
    const t = records.t, re = records.observables.autocorrRe, im = records.observables.autocorrIm, energy = records.observables.energy;
    if (re === undefined || im === undefined || energy === undefined || t.length < 3) return {};
    const T = t[t.length - 1]!, dt = t[1]! - t[0]!;
    const E0 = energy[0]!;
    const count = 400, top = Math.max(2 * E0, E0 + 10 * Math.PI / T);
    const E = Array.from({ length: count }, (_, k) => (top * k) / (count - 1));
    const sigma = E.map((e) => {
      let s = 0;
      for (let k = 0; k < t.length; k++) {
        const w = Math.cos((Math.PI * t[k]!) / (2 * T)) * (k === 0 || k === t.length - 1 ? 0.5 : 1);
        s += w * (re[k]! * Math.cos(e * t[k]!) - im[k]! * Math.sin(e * t[k]!));
      }
      return (s * dt) / Math.PI;
    });
    return { spectrum: { x: E, y: sigma, xLabel: "E", yLabel: "σ(E)", description: `spectrum from a(t), t ≤ ${T}, cos(πt/2T) window` } };
  },
});
