/**
 * Cubic nonlinear Schrödinger equation in 3-D on Tucker tensors (the star tree), after the
 * Tucker test of C. Mendl's DLRA code (`time_integration_tucker.py`) for the rank-adaptive BUG
 * integrator of Ceruti, Kusch & Lubich ("A rank-adaptive robust integrator for dynamical
 * low-rank approximation", BIT 62 (2022), which extends it to Tucker tensors):
 *   i·∂ₜY = −½δ·ΔY + ε·|Y|²·Y   on [0, 1]³, zero boundary values,
 * Δ the 3-point second difference in each mode on n interior points (spacing 1/(n + 1)). F is
 * nonlinear, so it is a callback on the full n³ tensor (the generic path of the tree integrators).
 * Y(0): a Gaussian bump with oscillating modulation and a phase (the one of the Tucker test in
 * test/integrators/ttn/tucker.test.ts), normalised and cut to Tucker rank (r, r, r) by HOSVD.
 * The flow is unitary and Hamiltonian: ‖Y‖ and the energy
 *   E(Y) = −½δ·⟨Y, ΔY⟩ + ½ε·Σ|Y|⁴
 * are conserved. Reference: Dormand–Prince 5(4) on the full tensor from the same truncated Y(0).
 *
 * Defaults are small (n = 12, T = 0.2: seconds); Mendl's test uses n = 25, δ = 0.02, ε = 0.01,
 * rank (5, 5, 5), T = 1 and 50 … 1000 steps (preset `paper` sets n = 25; add --tf 1).
 */
import {
  ArgumentError, combine, defineProblem, fromFull, modeProduct, norm, scale, solveSubstep, Tree, zeros,
  type Tensor, type Ttn,
} from "../src/index.js";

/** The 1-D Dirichlet second difference on n interior points of [0, 1] (spacing 1/(n + 1)). */
export function laplacian1d(n: number): Tensor {
  const L = zeros([n, n]);
  const c = (n + 1) ** 2;
  for (let i = 0; i < n; i++) {
    L.set([i, i], -2 * c);
    if (i > 0) L.set([i, i - 1], c);
    if (i + 1 < n) L.set([i, i + 1], c);
  }
  return L;
}

/** ΔY for a 3-D tensor: the 1-D second difference applied along each mode. */
function laplacian3d(Y: Tensor, L: Tensor): Tensor {
  let lap = modeProduct(Y, L, 0);
  lap = combine(1, lap, 1, modeProduct(Y, L, 1));
  return combine(1, lap, 1, modeProduct(Y, L, 2));
}

/** F(Y) = −i·(−½δ·ΔY + ε·|Y|²·Y) on full complex n×n×n tensors. */
export function nlsField(n: number, delta: number, eps: number): (t: number, Y: Tensor) => Tensor {
  const L = laplacian1d(n);
  return (_t, Y) => {
    const Yc = Y.dtype === "c128" ? Y : Y.astype("c128");
    const lap = laplacian3d(Yc, L);
    const out = zeros(Yc.shape, "c128");
    const d = Yc.data, l = lap.data, o = out.data;
    for (let k = 0; k < d.length; k += 2) {
      const m2 = d[k]! ** 2 + d[k + 1]! ** 2;
      const hr = -0.5 * delta * l[k]! + eps * m2 * d[k]!;
      const hi = -0.5 * delta * l[k + 1]! + eps * m2 * d[k + 1]!;
      o[k] = hi; // −i·(hr + i·hi)
      o[k + 1] = -hr;
    }
    return out;
  };
}

/** E(Y) = −½δ·⟨Y, ΔY⟩ + ½ε·Σ|Y|⁴ (real), conserved by the flow. */
export function nlsEnergy(n: number, delta: number, eps: number): (Y: Tensor) => number {
  const L = laplacian1d(n);
  return (Y) => {
    const Yc = Y.dtype === "c128" ? Y : Y.astype("c128");
    const lap = laplacian3d(Yc, L);
    const d = Yc.data, l = lap.data;
    let kinetic = 0, quartic = 0;
    for (let k = 0; k < d.length; k += 2) {
      kinetic += d[k]! * l[k]! + d[k + 1]! * l[k + 1]!;
      quartic += (d[k]! ** 2 + d[k + 1]! ** 2) ** 2;
    }
    return -0.5 * delta * kinetic + 0.5 * eps * quartic;
  };
}

/** The initial tensor before truncation: a modulated Gaussian with a phase, ‖Y‖ = 1. */
export function nlsInitial(n: number): Tensor {
  const Y = zeros([n, n, n], "c128");
  const x = (i: number): number => (i + 1) / (n + 1);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      for (let c = 0; c < n; c++) {
        const g = Math.exp(-((x(a) - 0.5) ** 2 + (x(b) - 0.4) ** 2 + (x(c) - 0.6) ** 2) / 0.05);
        const v = g * (1 + 0.5 * Math.sin(2 * Math.PI * x(a) * x(b)) + 0.3 * Math.cos(2 * Math.PI * x(c) * x(a)));
        Y.set([a, b, c], { re: v, im: 0.2 * v * x(a) });
      }
  return scale(Y, 1 / norm(Y));
}

/** ⟨x_m⟩ = Σ x_i·|Y|² / Σ|Y|² along mode m (grid x_i = (i + 1)/(n + 1)). */
function meanPosition(Y: Tensor, mode: number): number {
  const n = Y.shape[0]!;
  const d = Y.data;
  const stride = mode === 0 ? n * n : mode === 1 ? n : 1;
  const complex = Y.dtype === "c128";
  let mass = 0, first = 0;
  for (let k = 0; k < n * n * n; k++) {
    const p = complex ? d[2 * k]! ** 2 + d[2 * k + 1]! ** 2 : d[k]! ** 2;
    mass += p;
    first += p * (Math.floor(k / stride) % n + 1) / (n + 1);
  }
  return first / mass;
}

export default defineProblem({
  name: "tucker-nls",
  description: "cubic nonlinear Schrödinger equation in 3-D on Tucker tensors (star tree), callback right-hand side",
  source: "C. Mendl, time_integration_tucker.py (DLRA code); Ceruti, Kusch, Lubich, BIT 62 (2022)",
  parameters: {
    n: { type: "integer", default: 12, min: 3, max: 40, description: "interior grid points per mode (the full tensor has n³ entries)" },
    delta: { type: "number", default: 0.02, min: 0, description: "dispersion coefficient δ of −½δ·ΔY" },
    eps: { type: "number", default: 0.01, description: "cubic coupling ε (> 0 defocusing, < 0 focusing)" },
    rank: { type: "integer", default: 5, min: 1, max: 40, description: "Tucker rank (r, r, r) of the initial HOSVD truncation, at most n" },
    referenceTol: { type: "number", default: 1e-11, min: 1e-14, max: 1e-4, description: "Dormand–Prince tolerance of the full-tensor reference (absolute, per interval between records)" },
  },
  presets: {
    paper: { n: 25 },
  },
  // Rank-adaptive BUG at ϑ = 1e-9 reaches 1.7e-8 against the full solution (the ϑ/h term
  // dominates); the sub-steps are Dormand–Prince at 1e-11, well below ϑ.
  defaults: { integrator: "bug", h: 0.02, tf: 0.2, theta: 1e-9, substep: { solver: "dopri5", tol: 1e-11 } },
  setup(p) {
    if (p.rank > p.n) throw new ArgumentError(`problem tucker-nls: rank ${p.rank} exceeds the grid size n = ${p.n}`);
    const tree = Tree.tucker(3);
    const f = nlsField(p.n, p.delta, p.eps);
    const energy = nlsEnergy(p.n, p.delta, p.eps);
    const initial = fromFull(nlsInitial(p.n), tree, { maxRank: p.rank }).ttn;
    // The observables share one full tensor per recorded state.
    let lastY: Ttn | undefined, lastFull: Tensor | undefined;
    const full = (y: Ttn): Tensor => {
      if (y !== lastY) [lastY, lastFull] = [y, y.toFull()];
      return lastFull!;
    };
    const observe = (Y: Tensor): Record<string, number> => ({
      norm: norm(Y), energy: energy(Y), x0: meanPosition(Y, 0), x1: meanPosition(Y, 1), x2: meanPosition(Y, 2),
    });
    return {
      kind: "ttn",
      initial,
      rhs: { kind: "callback", f },
      observables: {
        norm: (_t, y) => y.norm(),
        energy: (_t, y) => energy(full(y)),
        // Mean positions ⟨x_m⟩ = Σ x·|Y|²/‖Y‖² along each mode: where the wave packet is.
        x0: (_t, y) => meanPosition(full(y), 0),
        x1: (_t, y) => meanPosition(full(y), 1),
        x2: (_t, y) => meanPosition(full(y), 2),
      },
      reference: {
        description: `Dormand–Prince 5(4) on the full ${p.n}³ tensor (tol ${p.referenceTol} per interval), from the same truncated Y(0)`,
        solve: (times) => {
          const states: Tensor[] = [];
          let y: Tensor = initial.toFull();
          let t = 0;
          for (const tk of times) {
            if (tk > t) {
              y = solveSubstep({ y0: y, t0: t, t1: tk, f }, { solver: "dopri5", tol: p.referenceTol }).y;
              t = tk;
            }
            states.push(y);
          }
          const values = states.map(observe);
          const observables: Record<string, number[]> = {};
          for (const key of Object.keys(values[0]!)) observables[key] = values.map((v) => v[key]!);
          return { states, observables };
        },
      },
    };
  },
});
