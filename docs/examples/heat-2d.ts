// A complete arbor problem: heat flow on [−1, 1]² with a cooling term V(x)·V(y), as a low-rank matrix.
import { defineProblem, diag, lowRankFromDense, lowRankToDense, referenceEvolution, SumOfProducts, tensor } from "arbor";

export default defineProblem({
  name: "heat-2d",
  description: "u_t = Δu − V(x)·V(y)·u on [−1, 1]², zero boundary values, u as a low-rank n×n matrix",
  parameters: {
    n: { type: "integer", default: 48, min: 4, max: 2000, description: "grid points per axis" },
    V: { type: "expression", default: "20*x^2", variables: ["x"], description: "cooling profile V" },
  },
  defaults: { integrator: "bug-adaptive", h: 0.002, tf: 0.1, theta: 1e-6 },
  setup(p) {
    const dx = 2 / (p.n + 1);
    const x = Array.from({ length: p.n }, (_, i) => -1 + (i + 1) * dx);
    const L = tensor(x.map((_, i) => x.map((_, j) => (i === j ? -2 : Math.abs(i - j) === 1 ? 1 : 0) / dx ** 2)));
    const V = diag(x.map((xi) => p.V(xi)));
    const u0 = tensor(x.map((xi) => x.map((yj) => Math.exp(-10 * ((xi - 0.3) ** 2 + (yj + 0.2) ** 2)))));
    // The same operator on the full n×n grid, for the exact reference.
    const full = new SumOfProducts([p.n, p.n]).add(1, { 0: L }).add(1, { 1: L }).add(-1, { 0: V, 1: V });
    return {
      kind: "matrix",
      initial: lowRankFromDense(u0, { tol: 1e-10 }),
      rhs: { kind: "linear", terms: [{ A: L }, { B: L }, { coeff: -1, A: V, B: V }] }, // Σ c·A·U·Bᵀ
      observables: { heat: (_t, y) => lowRankToDense(y).data.reduce((s, u) => s + u, 0) * dx * dx },
      reference: {
        description: "exact: Krylov exponential on the full n×n grid",
        solve: (times) => ({ states: referenceEvolution(full, u0, times, { hermitian: true }) }),
      },
    };
  },
});
