/**
 * The long-range transverse-field Ising chain on a binary tree: the quantum many-body problem of
 * Ceruti, Kusch, Lubich & Sulz, "A parallel Basis Update and Galerkin integrator for tree tensor
 * networks" (arXiv 2412.00858, §5.1). i·ψ′ = H·ψ with
 * H = Σₖ (Ω σx⁽ᵏ⁾ + Δ n⁽ᵏ⁾) + Σ_{i≠j} (ν/2)|i−j|^(−α) n⁽ⁱ⁾n⁽ʲ⁾, n = |↑⟩⟨↑|, from all spins up.
 * Small chains are compared with the exact evolution of the full 2^d vector.
 */
import {
  defineProblem, longRangeIsing, onsite, pauli, referenceEvolution, tensor, Tree, Ttn, Ttno,
  norm,
} from "../src/index.js";

const MINUS_I = { re: 0, im: -1 };

export default defineProblem({
  name: "ising-lr",
  description: "long-range transverse-field Ising chain on a binary tree, all spins up (parallel TTN BUG paper §5.1)",
  source: "Ceruti, Kusch, Lubich, Sulz, arXiv 2412.00858, §5.1",
  parameters: {
    sites: { type: "integer", default: 8, min: 2, max: 256, description: "number of spins d" },
    Omega: { type: "number", default: 1, description: "Rabi frequency Ω (σx field)", unit: "1/time" },
    Delta: { type: "number", default: 1, description: "detuning Δ on n = |↑⟩⟨↑|", unit: "1/time" },
    nu: { type: "number", default: 2, description: "interaction strength ν", unit: "1/time" },
    alpha: { type: "number", default: 1, min: 0, description: "decay exponent α of |i−j|^(−α)" },
    tree: { type: "choice", default: "binary", choices: ["binary", "train"], description: "network: balanced binary tree or tensor train" },
    referenceSites: { type: "integer", default: 14, min: 0, max: 20, description: "compare with the exact 2^d evolution when d ≤ this" },
  },
  presets: {
    // The paper's magnetisation run. Its exact reference (2^16 amplitudes) takes minutes: add
    // --param referenceSites=16 to compute it.
    paper: { sites: 16 },
  },
  defaults: { integrator: "parallel-bug", h: 0.01, tf: 1, theta: 1e-8, maxRank: 40 },
  setup(p) {
    const d = p.sites;
    const tree = p.tree === "binary" ? Tree.balancedBinary(d) : Tree.tensorTrain(d);
    const sop = longRangeIsing({ sites: d, Omega: p.Omega, Delta: p.Delta, nu: p.nu, alpha: p.alpha });
    const H = Ttno.fromSumOfProducts(tree, sop);
    const mzOp = onsite(d, pauli.Z, () => 1 / d);
    const initial = Ttn.product(tree, new Array(d).fill(tensor([1, 0])));
    return {
      kind: "ttn",
      initial,
      rhs: { kind: "ttno", op: H, scale: MINUS_I, hermitian: true },
      observables: {
        mz: Ttno.fromSumOfProducts(tree, mzOp),
        energy: H,
        norm: (_t, y) => y.norm(),
      },
      ...(d <= p.referenceSites ? {
        reference: {
          description: `exact: Lanczos exponential of the full 2^${d} state vector`,
          solve: (times) => {
            const states = referenceEvolution(sop, initial.toFull(), times, { scale: MINUS_I, hermitian: true });
            return {
              states,
              observables: {
                mz: states.map((psi) => mzOp.expectation(psi)),
                energy: states.map((psi) => sop.expectation(psi)),
                norm: states.map((psi) => norm(psi)),
              },
            };
          },
        },
      } : {}),
    };
  },
});
