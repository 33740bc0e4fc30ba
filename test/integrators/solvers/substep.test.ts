import { describe, expect, it } from "vitest";
import { ArgumentError, ConvergenceError, DTypeError, NonFiniteError, ShapeError } from "../../../src/errors.js";
import { inv } from "../../../src/linalg/decomp/lu.js";
import { add, combine, mul, scale } from "../../../src/linalg/elementwise.js";
import { expm } from "../../../src/linalg/expm/expm.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { adjoint } from "../../../src/linalg/permute.js";
import { randn } from "../../../src/linalg/random.js";
import { Tensor, eye, tensor, zeros } from "../../../src/linalg/tensor.js";
import { solveSubstep, type SubstepProblem } from "../../../src/integrators/solvers/substep.js";
import { captureError } from "../../helpers/reference.js";

const logistic = (t: number, y0: number): number => 1 / (1 + (1 / y0 - 1) * Math.exp(-t));

describe("solveSubstep: closed forms", () => {
  const y0 = randn([3, 4], 11);
  for (const lambda of [0.7, -1.3]) {
    it(`y′ = ${lambda}·y (growth/decay) with every solver`, () => {
      const exact = scale(y0, Math.exp(lambda * 2));
      const lin: SubstepProblem = { y0, t0: 0.5, t1: 2.5, linear: { apply: (y) => y, scale: lambda } };
      const field: SubstepProblem = { y0, t0: 0.5, t1: 2.5, f: (_t, y) => scale(y, lambda) };
      const tol = 1e-10;
      const k = solveSubstep(lin, { tol });
      const d = solveSubstep(field, { tol });
      const r = solveSubstep(lin, { solver: "rk4", rk4Steps: 200 });
      expect(k.stats.solver).toBe("krylov");
      expect(d.stats.solver).toBe("dopri5");
      expect(distance(k.y, exact)).toBeLessThan(tol);
      expect(distance(d.y, exact)).toBeLessThan(tol);
      expect(distance(r.y, exact) / norm(exact)).toBeLessThan(1e-8);
      expect(r.stats).toEqual({ solver: "rk4", problems: 1, steps: 200, rejected: 0, evaluations: 800 });
      expect(d.stats.errorEstimate!).toBeLessThanOrEqual(tol);
    });
  }

  it("rotation y′ = J·y on a vector and a skew-symmetric matrix flow", () => {
    const J = tensor([[0, -1], [1, 0]]);
    const v = tensor([1, 0]);
    for (const solver of ["krylov", "dopri5"] as const) {
      const { y } = solveSubstep({ y0: v, t0: 0, t1: 1.2, linear: { apply: (x) => matmul(J, x), scale: 1 } }, { solver, tol: 1e-11 });
      expect(distance(y, tensor([Math.cos(1.2), Math.sin(1.2)]))).toBeLessThan(1e-10);
    }
    const X = randn([5, 5], 3);
    const W = scale(combine(1, X, -1, adjoint(X)), 0.3);
    const Y0 = randn([5, 2], 4);
    const exact = matmul(expm(W), Y0);
    const { y } = solveSubstep({ y0: Y0, t0: 0, t1: 1, f: (_t, y) => matmul(W, y) }, { tol: 1e-10 });
    expect(distance(y, exact)).toBeLessThan(1e-10);
    expect(Math.abs(norm(y) - norm(Y0))).toBeLessThan(1e-10); // orthogonal flow
  });

  it("linear Schrödinger y′ = −i·H·y with a complex scale matches expm, by Lanczos, Arnoldi, dopri5 and rk4", () => {
    const X = randn([8, 8], 5, { dtype: "c128" });
    const H = scale(add(X, adjoint(X)), 0.25);
    const Y0 = randn([8, 3], 6); // real start: promoted to c128 by the complex scale
    const T = 0.9;
    const exact = matmul(expm(scale(H, { re: 0, im: -T })), Y0);
    const problem: SubstepProblem = { y0: Y0, t0: 0.1, t1: 0.1 + T, linear: { apply: (y) => matmul(H, y), scale: { re: 0, im: -1 }, hermitian: true } };
    const lanczos = solveSubstep(problem, { tol: 1e-12 });
    const arnoldi = solveSubstep({ ...problem, linear: { ...problem.linear!, hermitian: false } }, { tol: 1e-12 });
    const dp = solveSubstep(problem, { solver: "dopri5", tol: 1e-10 });
    const r4 = solveSubstep(problem, { solver: "rk4", rk4Steps: 100 });
    for (const r of [lanczos, arnoldi, dp, r4]) expect(r.y.dtype).toBe("c128");
    expect(distance(lanczos.y, exact)).toBeLessThan(1e-11);
    expect(distance(arnoldi.y, exact)).toBeLessThan(1e-11);
    expect(distance(dp.y, exact)).toBeLessThan(1e-10);
    expect(distance(r4.y, exact)).toBeLessThan(1e-6);
    expect(Math.abs(norm(lanczos.y) - norm(Y0))).toBeLessThan(1e-11); // unitary
    expect(lanczos.stats.evaluations).toBeGreaterThan(0);
    expect(lanczos.stats.errorEstimate!).toBeLessThanOrEqual(1e-12);
  });

  it("a growing linear solution still meets the absolute tolerance (krylov retries with a tighter relative target)", () => {
    const A = scale(eye(6), 3);
    const y0 = randn([6], 9);
    const { y, stats } = solveSubstep({ y0, t0: 0, t1: 2, linear: { apply: (x) => matmul(A, x), scale: 1 } }, { tol: 1e-8 });
    const exact = scale(y0, Math.exp(6));
    expect(distance(y, exact)).toBeLessThan(1e-8);
    expect(stats.errorEstimate!).toBeLessThanOrEqual(1e-8);
  });
});

describe("solveSubstep: orders and tolerances on nonlinear problems", () => {
  it("RK4 has order 4 on the logistic equation (error ratio ≈ 16 per halving)", () => {
    const y0 = tensor([0.1]);
    const exact = logistic(2, 0.1);
    const errors = [8, 16, 32, 64].map((n) => {
      const { y } = solveSubstep({ y0, t0: 0, t1: 2, f: (_t, y) => mul(y, add(scale(y, -1), tensor([1]))) }, { solver: "rk4", rk4Steps: n });
      return Math.abs((y.get(0) as number) - exact);
    });
    const slopes = errors.slice(1).map((e, i) => Math.log2(errors[i]! / e));
    for (const s of slopes) expect(s).toBeGreaterThan(3.7), expect(s).toBeLessThan(4.3);
  });

  it("RK4 with one step is exact for a cubic-in-time field independent of y", () => {
    const y0 = tensor([1, 2]);
    const { y } = solveSubstep({ y0, t0: 0, t1: 2, f: (t) => tensor([3 * t * t, 1]) }, { solver: "rk4" });
    expect(distance(y, tensor([9, 4]))).toBeLessThan(1e-14);
  });

  it("dopri5 meets its tolerance on y′ = y² (y = 1/(c − t)) and the logistic equation, for tol 1e-4 … 1e-11", () => {
    for (const tol of [1e-4, 1e-6, 1e-8, 1e-11]) {
      const sq = solveSubstep({ y0: tensor([0.5]), t0: 0, t1: 1.5, f: (_t, y) => mul(y, y) }, { tol });
      expect(Math.abs((sq.y.get(0) as number) - 2)).toBeLessThan(tol);
      const lg = solveSubstep({ y0: tensor([0.1]), t0: 0, t1: 3, f: (_t, y) => mul(y, add(scale(y, -1), tensor([1]))) }, { tol });
      expect(Math.abs((lg.y.get(0) as number) - logistic(3, 0.1))).toBeLessThan(tol);
      expect(sq.stats.errorEstimate!).toBeLessThanOrEqual(tol * (1 + 1e-12));
    }
  });

  it("dopri5 meets its tolerance on the matrix Riccati flow Y′ = Y² with Y(t) = (C − t·I)⁻¹", () => {
    const X = randn([4, 4], 21);
    const C = add(scale(eye(4), 2), scale(add(X, adjoint(X)), 0.1));
    const T = 1;
    const exact = inv(add(C, scale(eye(4), -T)));
    for (const tol of [1e-6, 1e-10]) {
      const { y, stats } = solveSubstep({ y0: inv(C), t0: 0, t1: T, f: (_t, Y) => matmul(Y, Y) }, { tol });
      expect(distance(y, exact)).toBeLessThan(tol);
      expect(stats.steps).toBeGreaterThan(0);
      expect(stats.evaluations).toBeGreaterThanOrEqual(6 * stats.steps + 1);
    }
  });

  it("F ≡ 0 leaves y bitwise unchanged (dopri5, rk4)", () => {
    const y0 = randn([3, 3], 2);
    for (const solver of ["dopri5", "rk4"] as const) {
      const { y } = solveSubstep({ y0, t0: 0, t1: 1, f: () => zeros([3, 3]) }, { solver });
      expect(Array.from(y.data)).toEqual(Array.from(y0.data));
    }
  });

  it("a complex field on a real y0 promotes the solve to c128", () => {
    const y0 = tensor([1, 0]);
    const { y, stats } = solveSubstep({ y0, t0: 0, t1: 1, f: (_t, y) => scale(y, { re: 0, im: 1 }) }, { tol: 1e-10 });
    expect(y.dtype).toBe("c128");
    const z = y.get(0) as { re: number; im: number };
    expect(Math.hypot(z.re - Math.cos(1), z.im - Math.sin(1))).toBeLessThan(1e-10);
    expect(stats.evaluations).toBeGreaterThan(1);
    const lin = solveSubstep({ y0, t0: 0, t1: 1, linear: { apply: (x) => scale(x, { re: 0, im: 1 }), scale: 1 } });
    expect(distance(lin.y, y)).toBeLessThan(1e-9);
  });
});

describe("solveSubstep: errors", () => {
  const y0 = tensor([[1, 2], [3, 4]]);
  const f = (_t: number, y: Tensor) => y;
  const cases: Array<[string, () => unknown, new (...a: never[]) => Error, RegExp]> = [
    ["both f and linear", () => solveSubstep({ y0, t0: 0, t1: 1, f, linear: { apply: (y) => y, scale: 1 } }), ArgumentError, /exactly one/],
    ["neither", () => solveSubstep({ y0, t0: 0, t1: 1 }), ArgumentError, /exactly one/],
    ["t1 ≤ t0", () => solveSubstep({ y0, t0: 1, t1: 1, f }), ArgumentError, /t1 > t0/],
    ["non-finite t", () => solveSubstep({ y0, t0: 0, t1: NaN, f }), NonFiniteError, /finite/],
    ["non-finite y0", () => solveSubstep({ y0: tensor([1, NaN]), t0: 0, t1: 1, f }), NonFiniteError, /y0/],
    ["wrong shape", () => solveSubstep({ y0, t0: 0, t1: 1, f: () => zeros([2, 3]) }), ShapeError, /shape \[2, 3\].*\[2, 2\]/],
    ["non-finite field", () => solveSubstep({ y0, t0: 0, t1: 1, f: () => tensor([[0, Infinity], [0, 0]]) }), NonFiniteError, /vector field returned a non-finite/],
    ["not a tensor", () => solveSubstep({ y0, t0: 0, t1: 1, f: () => [1, 2] as unknown as Tensor }), ArgumentError, /not a Tensor/],
    ["complex after real", () => {
      let n = 0;
      return solveSubstep({ y0, t0: 0, t1: 1, f: (_t, y) => (++n > 1 ? scale(y, { re: 0, im: 1 }) : y) }, { solver: "rk4" });
    }, DTypeError, /c128 y0/],
    ["operator of the wrong shape", () => solveSubstep({ y0, t0: 0, t1: 1, linear: { apply: () => zeros([4]), scale: 1 } }), ShapeError, /linear operator/],
    ["krylov without a linear problem", () => solveSubstep({ y0, t0: 0, t1: 1, f }, { solver: "krylov" }), ArgumentError, /krylov/],
    ["unknown option", () => solveSubstep({ y0, t0: 0, t1: 1, f }, { tolerance: 1 } as never), ArgumentError, /unknown option/],
    ["bad tol", () => solveSubstep({ y0, t0: 0, t1: 1, f }, { tol: 0 }), ArgumentError, /tol/],
    ["bad rk4Steps", () => solveSubstep({ y0, t0: 0, t1: 1, f }, { solver: "rk4", rk4Steps: 1.5 }), ArgumentError, /rk4Steps/],
    ["bad scale", () => solveSubstep({ y0, t0: 0, t1: 1, linear: { apply: (y) => y, scale: { re: NaN, im: 0 } } }), NonFiniteError, /scale/],
    ["blow-up of y′ = y² before t1", () => solveSubstep({ y0: tensor([1]), t0: 0, t1: 2, f: (_t, y) => mul(y, y) }), ConvergenceError, /dopri5/],
  ];
  for (const [name, run, type, message] of cases) {
    it(name, () => {
      const e = captureError(run);
      expect(e).toBeInstanceOf(type);
      expect((e as Error).message).toMatch(message);
    });
  }
});
