import { describe, expect, it } from "vitest";
import { ArgumentError, DTypeError, NonFiniteError, ShapeError } from "../../../src/errors.js";
import { scale } from "../../../src/linalg/elementwise.js";
import { randn } from "../../../src/linalg/random.js";
import { Tensor, eye, tensor, zeros } from "../../../src/linalg/tensor.js";
import { advanceMatrix, integrateMatrix, matrixIntegrator, type IntegrateMatrixOptions } from "../../../src/integrators/matrix/integrate.js";
import type { MatrixRhs } from "../../../src/integrators/matrix/rhs.js";
import { lowRankFromDense } from "../../../src/integrators/matrix/state.js";
import { captureError } from "../../helpers/reference.js";

const Y0 = lowRankFromDense(randn([6, 5], 1), { maxRank: 2 });
const decay: MatrixRhs = { kind: "callback", f: (_t, Y) => scale(Y, -1) };
const base: IntegrateMatrixOptions = { integrator: "bug-adaptive", h: 0.1, steps: 2, truncation: { theta: 1e-8 } };

type Case = [string, () => unknown, new (...a: never[]) => Error, RegExp];

const cases: Case[] = [
  ["h = 0", () => integrateMatrix(Y0, decay, { ...base, h: 0 }), ArgumentError, /step size h/],
  ["h < 0 in a single step", () => matrixIntegrator("bug", decay).step(Y0, 0, -0.1), ArgumentError, /step size h/],
  ["h = NaN", () => advanceMatrix(matrixIntegrator("ksl", decay), Y0, 0, NaN), ArgumentError, /step size h/],
  ["unknown integrator", () => integrateMatrix(Y0, decay, { ...base, integrator: "rk-bug" as never }), ArgumentError, /unknown name "rk-bug"/],
  ["both steps and tf", () => integrateMatrix(Y0, decay, { ...base, tf: 1 }), ArgumentError, /exactly one of steps or tf/],
  ["tf before t0", () => integrateMatrix(Y0, decay, { integrator: "bug", h: 0.1, tf: -1 }), ArgumentError, /tf/],
  ["fractional steps", () => integrateMatrix(Y0, decay, { ...base, steps: 2.5 }), ArgumentError, /steps/],
  ["rank-adaptive without truncation", () => integrateMatrix(Y0, decay, { integrator: "parallel-bug", h: 0.1, steps: 1 }), ArgumentError, /needs truncation/],
  ["rank-adaptive step without truncation", () => advanceMatrix(matrixIntegrator("midpoint-bug", decay), Y0, 0, 0.1), ArgumentError, /truncation policy/],
  ["bad ϑ", () => integrateMatrix(Y0, decay, { ...base, truncation: { theta: -1 } }), ArgumentError, /theta/],
  ["bad rejection constant", () => integrateMatrix(Y0, decay, { ...base, integrator: "parallel-bug", rejection: { etaConstant: 0 } }), ArgumentError, /etaConstant/],
  ["state with mismatched shapes", () => integrateMatrix({ U: Y0.U, S: eye(3), V: Y0.V }, decay, base), ShapeError, /do not fit/],
  ["state with NaN", () => integrateMatrix({ ...Y0, S: tensor([[1, 0], [0, NaN]]) }, decay, base), NonFiniteError, /S/],
  ["non-orthonormal U", () => integrateMatrix({ ...Y0, U: scale(Y0.U, 2) }, decay, base), ArgumentError, /orthonormal/],
  ["callback of the wrong shape", () => integrateMatrix(Y0, { kind: "callback", f: () => zeros([5, 6]) }, base), ShapeError, /callback f\(t, Y\) returned shape \[5, 6\], expected \[6, 5\]/],
  ["callback returning NaN", () => integrateMatrix(Y0, { kind: "callback", f: (_t, Y) => scale(Y, NaN) }, base), NonFiniteError, /callback.*non-finite/],
  ["callback returning a non-tensor", () => integrateMatrix(Y0, { kind: "callback", f: () => 0 as unknown as Tensor }, base), ArgumentError, /not a Tensor/],
  ["data A(t) of the wrong shape", () => integrateMatrix(Y0, { kind: "data", A: () => zeros([6, 6]) }, base), ShapeError, /data A\(t\) returned shape \[6, 6\]/],
  ["linear factor of the wrong size", () => integrateMatrix(Y0, { kind: "linear", terms: [{ A: eye(5) }] }, base), ShapeError, /terms\[0\]\.A must be 6×6/],
  ["matrix-free factor of the wrong size", () => integrateMatrix(Y0, { kind: "linear", terms: [{ B: () => zeros([2, 2]) }] }, base), ShapeError, /terms\[0\]\.B returned/],
  ["linear without terms", () => integrateMatrix(Y0, { kind: "linear", terms: [] }, base), ArgumentError, /non-empty terms/],
  ["non-finite coefficient", () => integrateMatrix(Y0, { kind: "linear", terms: [{ coeff: Infinity }] }, base), NonFiniteError, /coeff/],
  ["unknown rhs kind", () => integrateMatrix(Y0, { kind: "sparse" } as never, base), ArgumentError, /unknown kind "sparse"/],
  // Fixture for a bug found while writing a problem plugin: `{ left: A }` was read as the identity.
  ["a misspelt linear-term factor", () => integrateMatrix(Y0, { kind: "linear", terms: [{ coeff: -1, left: Y0.U } as never] }, base), ArgumentError, /term 0 has unknown field left/],
  ["unknown sub-step option", () => integrateMatrix(Y0, decay, { ...base, substep: { order: 4 } as never }), ArgumentError, /unknown option "order"/],
  ["a complex callback result after real ones (inside a sub-step)", () => {
    let calls = 0;
    return integrateMatrix(Y0, { kind: "callback", f: (_t, Y) => (++calls > 3 ? scale(Y, { re: 0, im: 1 }) : scale(Y, -1)) }, { ...base, substep: { solver: "rk4" } });
  }, DTypeError, /c128/],
];

describe("matrix integrators reject bad input with errors naming the problem", () => {
  for (const [name, run, type, message] of cases) {
    it(name, () => {
      const e = captureError(run);
      expect(e).toBeInstanceOf(type);
      expect((e as Error).message).toMatch(message);
    });
  }
});
