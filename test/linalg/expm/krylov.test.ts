import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, ConvergenceError, DTypeError, NonFiniteError, ShapeError } from "../../../src/errors.js";
import { diag } from "../../../src/linalg/diag.js";
import type { Complex } from "../../../src/linalg/dtype.js";
import { add, scale } from "../../../src/linalg/elementwise.js";
import { expm } from "../../../src/linalg/expm/expm.js";
import { expmv, type ExpmvOptions } from "../../../src/linalg/expm/krylov.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { adjoint } from "../../../src/linalg/permute.js";
import { randn } from "../../../src/linalg/random.js";
import { Tensor, tensor, zeros } from "../../../src/linalg/tensor.js";
import { captureError } from "../../helpers/reference.js";

const EPS = 2 ** -52;

/** The dense reference exp(t·A)·v (expm is accurate to ~1e-14 relative on these matrices). */
function reference(A: Tensor, v: Tensor, t: number | Complex): Tensor {
  return matmul(expm(scale(A, t)), v);
}

function randomHermitian(n: number, seed: number): Tensor {
  const X = randn([n, n], seed, { dtype: "c128" });
  return scale(add(X, adjoint(X)), 0.5 / Math.sqrt(n));
}

/** 1-D discrete Laplacian (Dirichlet), ‖L‖₂ < 4: the stiff Hermitian operator of many tests. */
function laplacian(n: number): Tensor {
  const L = zeros([n, n]);
  for (let i = 0; i < n; i++) {
    L.set([i, i], -2);
    if (i > 0) L.set([i, i - 1], 1);
    if (i + 1 < n) L.set([i, i + 1], 1);
  }
  return L;
}

/**
 * The accuracy contract: error ≤ tol·(largest norm along the path) plus rounding. The
 * reference itself carries ~1e-14 relative error, so a floor of 1e-13·‖y‖ absorbs both.
 */
function expectWithinTolerance(y: Tensor, ref: Tensor, v: Tensor, tol: number): void {
  const pathNorm = Math.max(norm(v), norm(ref));
  expect(distance(y, ref)).toBeLessThanOrEqual(tol * pathNorm + 1e-13 * norm(ref));
}

describe("expmv against expm(tA)·v", () => {
  it("random real matrix, n = 100, forward and backward in time", () => {
    const n = 100;
    const A = scale(randn([n, n], 1), 1 / Math.sqrt(n));
    const v = randn([n], 2);
    for (const t of [1, -1.5]) {
      const { y, info } = expmv(A, v, t);
      expect(y.dtype).toBe("f64");
      expect(y.shape).toEqual([n]);
      expectWithinTolerance(y, reference(A, v, t), v, 1e-12);
      expect(info.matvecs).toBe(info.krylovDims.reduce((s, d) => s + d + 1, 0)); // m + 1 per sub-step
    }
  });

  it("random complex matrix, n = 150, complex t", () => {
    const n = 150;
    const A = scale(randn([n, n], 3, { dtype: "c128" }), 1 / Math.sqrt(n));
    const v = randn([n], 4, { dtype: "c128" });
    const t = { re: 0.8, im: -1.1 };
    const { y } = expmv(A, v, t);
    expect(y.dtype).toBe("c128");
    expectWithinTolerance(y, reference(A, v, t), v, 1e-12);
  });

  it("real matrix with a complex t computes in complex arithmetic", () => {
    const A = scale(randn([50, 50], 5), 0.2);
    const v = randn([50], 6);
    const t = { re: 0, im: 2 };
    const { y } = expmv(A, v, t);
    expect(y.dtype).toBe("c128");
    expectWithinTolerance(y, reference(A, v, t), v, 1e-12);
  });

  it("Hermitian H with t = −i·h (Lanczos): matches and conserves the norm", () => {
    const n = 120;
    const H = randomHermitian(n, 7);
    const v = randn([n], 8, { dtype: "c128" });
    const t = { re: 0, im: -6 };
    const tol = 1e-10;
    const { y, info } = expmv(H, v, t, { hermitian: true, tol });
    expectWithinTolerance(y, reference(H, v, t), v, tol);
    // Unitary evolution: the projected exponential is exactly unitary (real tridiagonal H), so
    // the norm drifts only by the truncation error, bounded by the tolerance.
    expect(Math.abs(norm(y) - norm(v))).toBeLessThanOrEqual(tol * norm(v));
    expect(info.substeps).toBeGreaterThanOrEqual(1);
  });

  it("real symmetric matrix with real t (Lanczos in real arithmetic, heat equation)", () => {
    const n = 80;
    const L = laplacian(n);
    const v = randn([n], 9);
    const { y } = expmv(L, v, 3, { hermitian: true });
    expect(y.dtype).toBe("f64");
    expectWithinTolerance(y, reference(L, v, 3), v, 1e-12);
  });

  it("non-normal matrix with a transient hump", () => {
    // A = −I + 3·(upper shift): ‖exp(tA)‖ grows to ~1e4 before decaying; Krylov error control
    // must cope with the non-normality.
    const n = 60;
    const A = zeros([n, n]);
    for (let i = 0; i < n; i++) {
      A.set([i, i], -1);
      if (i + 1 < n) A.set([i, i + 1], 3);
    }
    const v = randn([n], 10);
    for (const t of [0.5, 4]) {
      const { y } = expmv(A, v, t);
      expectWithinTolerance(y, reference(A, v, t), v, 1e-12);
    }
  });

  it("large t·‖A‖ takes several sub-steps and still meets the tolerance", () => {
    const n = 200;
    const L = laplacian(n);
    const v = randn([n], 11, { dtype: "c128" });
    const t = { re: 0, im: -60 }; // |t|·‖L‖ ≈ 240
    for (const hermitian of [true, false]) {
      const { y, info } = expmv(L, v, t, { hermitian, tol: 1e-10 });
      expect(info.substeps).toBeGreaterThan(1);
      expect(info.krylovDims.length).toBe(info.substeps);
      expectWithinTolerance(y, reference(L, v, t), v, 1e-10);
    }
  });

  it("matches for random small problems (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.nat(1_000_000),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (n, seed, re, im) => {
          const A = scale(randn([n, n], seed, { dtype: "c128" }), 1 / Math.sqrt(n));
          const v = randn([n], seed + 1, { dtype: "c128" });
          const t = { re, im };
          const { y } = expmv(A, v, t, { maxKrylov: 6 });
          expectWithinTolerance(y, reference(A, v, t), v, 1e-12);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("expmv on a block operator", () => {
  // The Sylvester map F(X) = A·X + X·Bᵀ on n×k matrices has exp(tF)(X) = exp(tA)·X·exp(tB)ᵀ:
  // the form the dynamical low-rank integrators use (K' = F(K) with K a matrix).
  const n = 30, k = 20;
  const A = scale(randn([n, n], 12), 1 / Math.sqrt(n));
  const B = scale(randn([k, k], 13), 1 / Math.sqrt(k));

  it("real block, real t", () => {
    let calls = 0;
    const F = (X: Tensor): Tensor => {
      calls++;
      return add(matmul(A, X), matmul(X, B, { transposeB: true }));
    };
    const X0 = randn([n, k], 14);
    const t = 1.3;
    const { y, info } = expmv(F, X0, t);
    expect(y.shape).toEqual([n, k]);
    expect(info.matvecs).toBe(calls);
    const ref = matmul(matmul(expm(scale(A, t)), X0), expm(scale(B, t)), { transposeB: true });
    expectWithinTolerance(y, ref, X0, 1e-12);
  });

  it("complex block, t = −i·h with Hermitian A and B (Lanczos on the Frobenius inner product)", () => {
    const Ha = randomHermitian(n, 15), Hb = randomHermitian(k, 16);
    // F(X) = Ha·X + X·Hbᵀ is Hermitian for ⟨X, Y⟩ = Σ conj(X)·Y since Hbᵀ = conj(Hb) is Hermitian.
    const F = (X: Tensor): Tensor => add(matmul(Ha, X), matmul(X, Hb, { transposeB: true }));
    const X0 = randn([n, k], 17, { dtype: "c128" });
    const t = { re: 0, im: -2.5 };
    const { y } = expmv(F, X0, t, { hermitian: true });
    const ref = matmul(matmul(expm(scale(Ha, t)), X0), expm(scale(Hb, t)), { transposeB: true });
    expectWithinTolerance(y, ref, X0, 1e-12);
    expect(Math.abs(norm(y) - norm(X0))).toBeLessThanOrEqual(1e-12 * norm(X0));
  });

  it("a matrix op acts on an n×k block column by column", () => {
    const V = randn([n, 3], 18);
    const { y } = expmv(A, V, 0.7);
    expect(y.shape).toEqual([n, 3]);
    expectWithinTolerance(y, matmul(expm(scale(A, 0.7)), V), V, 1e-12);
  });

  it("an operator that scribbles on its argument cannot corrupt the basis", () => {
    const F = (X: Tensor): Tensor => {
      const out = add(matmul(A, X), matmul(X, B, { transposeB: true }));
      X.data.fill(NaN);
      return out;
    };
    const X0 = randn([n, k], 19);
    const { y } = expmv(F, X0, 0.5);
    const ref = matmul(matmul(expm(scale(A, 0.5)), X0), expm(scale(B, 0.5)), { transposeB: true });
    expectWithinTolerance(y, ref, X0, 1e-12);
    expect(Number.isFinite(X0.data[0]!)).toBe(true); // v itself is never handed out
  });
});

describe("expmv: happy breakdown", () => {
  it("v an eigenvector: one Krylov vector, exact result, no division by zero", () => {
    const d = [-1, 0.5, 2, 3.25];
    const H = diag(d);
    const v = tensor([0, 0, 5, 0]);
    const { y, info } = expmv(H, v, 1.5, { hermitian: true });
    expect(info.krylovDims).toEqual([1]);
    expect(info.substeps).toBe(1);
    expect(info.matvecs).toBe(1);
    expect(Math.abs((y.get(2) as number) - 5 * Math.exp(3)) / (5 * Math.exp(3))).toBeLessThanOrEqual(4 * EPS);
    expect([y.get(0), y.get(1), y.get(3)]).toEqual([0, 0, 0]);
  });

  it("an operator with a 3-dimensional invariant subspace ends the basis at 3", () => {
    // Block diagonal: a 3×3 block acting on the first coordinates, a random rest; v lives in the block.
    const n = 40;
    const A = zeros([n, n]);
    const block = [[0.5, 1, 0], [-1, 0.25, 2], [0, -2, -0.5]];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) A.set([i, j], block[i]![j]!);
    const rest = randn([n - 3, n - 3], 20);
    for (let i = 3; i < n; i++) for (let j = 3; j < n; j++) A.set([i, j], rest.get(i - 3, j - 3) as number);
    const v = zeros([n]);
    v.set([0], 1);
    v.set([2], -2);
    const t = 4; // |t|·‖block‖ ≈ 10: would need sub-steps were the subspace not invariant
    const { y, info } = expmv(A, v, t);
    expect(info.krylovDims).toEqual([3]);
    expect(info.substeps).toBe(1);
    expect(info.rejected).toBe(0);
    const ref = matmul(expm(scale(tensor(block), t)), tensor([1, 0, -2]));
    for (let i = 0; i < 3; i++) expect(Math.abs((y.get(i) as number) - (ref.get(i) as number))).toBeLessThanOrEqual(1e-13 * norm(ref));
    for (let i = 3; i < n; i++) expect(y.get(i)).toBe(0);
  });

  it("a Krylov space that fills the whole (small) space is exact", () => {
    const A = scale(randn([5, 5], 21, { dtype: "c128" }), 2);
    const v = randn([5], 22, { dtype: "c128" });
    const { y, info } = expmv(A, v, 3);
    expect(info.krylovDims).toEqual([5]);
    expect(info.substeps).toBe(1);
    expectWithinTolerance(y, reference(A, v, 3), v, 1e-12);
  });

  it("t = 0 and v = 0 return at once", () => {
    const A = randn([6, 6], 23);
    const v = randn([6], 24);
    const r0 = expmv(A, v, 0);
    expect(r0.y.data).toEqual(v.data);
    expect(r0.info.matvecs).toBe(0);
    const r1 = expmv(A, zeros([6]), 2);
    expect(norm(r1.y)).toBe(0);
    expect(r1.info.substeps).toBe(0);
  });
});

describe("expmv: the tolerance is met and the estimate is honest", () => {
  const n = 100;
  const A = scale(randn([n, n], 25, { dtype: "c128" }), 1 / Math.sqrt(n));
  const H = randomHermitian(n, 26);
  const v = randn([n], 27, { dtype: "c128" });
  const problems: Array<[string, Tensor, number | Complex, boolean]> = [
    ["general, t = 3", A, 3, false],
    ["Hermitian, t = −20i", H, { re: 0, im: -20 }, true],
  ];
  for (const [name, M, t, hermitian] of problems)
    for (const tol of [1e-4, 1e-8, 1e-12])
      it(`${name}, tol = ${tol}, maxKrylov = 10`, () => {
        const ref = reference(M, v, t);
        const { y, info } = expmv(M, v, t, { tol, maxKrylov: 10, hermitian });
        const err = distance(y, ref);
        expectWithinTolerance(y, ref, v, tol);
        // Not wildly optimistic: the estimate sums local errors without their propagation, so it
        // may undershoot by the solution's growth (observed: true/estimate ≤ 2); 10× is the contract.
        expect(err).toBeLessThanOrEqual(10 * info.errorEstimate + 1e-13 * norm(ref));
        expect(info.errorEstimate).toBeLessThanOrEqual(2 * tol * Math.max(norm(v), norm(ref)));
      });
});

describe("expmv: errors", () => {
  const A = scale(randn([8, 8], 30), 0.3);
  const v = randn([8], 31);

  it("rejects unknown and invalid options", () => {
    const bad: unknown[] = [
      { tolerance: 1e-8 },
      { tol: 0 },
      { tol: 1e-20 },
      { tol: NaN },
      { tol: 2 },
      { maxKrylov: 0 },
      { maxKrylov: 2.5 },
      { maxSubsteps: -1 },
      { hermitian: "yes" },
      { normEstimate: -1 },
      { normEstimate: Infinity },
    ];
    for (const options of bad) expect(captureError(() => expmv(A, v, 1, options as ExpmvOptions))).toBeInstanceOf(ArgumentError);
    const e = captureError(() => expmv(A, v, 1, { tolerance: 1e-8 } as ExpmvOptions));
    expect((e as Error).message).toContain('"tolerance"');
  });

  it("rejects non-finite v and t", () => {
    expect(captureError(() => expmv(A, tensor([1, NaN, 0, 0, 0, 0, 0, 0]), 1))).toBeInstanceOf(NonFiniteError);
    expect(captureError(() => expmv(A, v, Infinity))).toBeInstanceOf(NonFiniteError);
    expect(captureError(() => expmv(A, v, NaN))).toBeInstanceOf(NonFiniteError);
    expect(captureError(() => expmv(A, v, { re: 0, im: NaN }))).toBeInstanceOf(NonFiniteError);
    expect(captureError(() => expmv(A, v, "1" as unknown as number))).toBeInstanceOf(ArgumentError);
  });

  it("rejects a matrix whose size does not match v, or that is not square", () => {
    expect(captureError(() => expmv(A, randn([9], 1), 1))).toBeInstanceOf(ShapeError);
    expect(captureError(() => expmv(zeros([8, 7]), v, 1))).toBeInstanceOf(ShapeError);
    expect(captureError(() => expmv(A, randn([2, 4], 1), 1))).toBeInstanceOf(ShapeError);
    expect(captureError(() => expmv(tensor([[NaN]]), tensor([1]), 1))).toBeInstanceOf(NonFiniteError);
    expect(captureError(() => expmv(42 as unknown as Tensor, v, 1))).toBeInstanceOf(ArgumentError);
  });

  it("rejects an operator that changes shape or dtype, returns junk or non-finite values", () => {
    const shape = captureError(() => expmv((x) => x.reshape([2, 4]), v, 1));
    expect(shape).toBeInstanceOf(ShapeError);
    expect((shape as Error).message).toContain("[2, 4]");
    const dtype = captureError(() => expmv((x) => scale(x, { re: 0, im: 1 }), v, 1));
    expect(dtype).toBeInstanceOf(DTypeError);
    expect((dtype as Error).message).toContain("c128");
    expect(captureError(() => expmv((x) => x.astype("f32"), v, 1))).toBeInstanceOf(DTypeError);
    expect(captureError(() => expmv(() => [1, 2] as unknown as Tensor, v, 1))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => expmv((x) => scale(x, NaN), v, 1))).toBeInstanceOf(NonFiniteError);
    // The same complex operator works once v is complex.
    const { y } = expmv((x) => scale(x, { re: 0, im: 1 }), v.astype("c128"), 1);
    expect(distance(y, scale(v, { re: Math.cos(1), im: Math.sin(1) }))).toBeLessThan(1e-13);
  });

  it("rejects hermitian: true for a non-Hermitian operator", () => {
    const e = captureError(() => expmv(A, v, 1, { hermitian: true }));
    expect(e).toBeInstanceOf(ArgumentError);
    expect((e as Error).message).toMatch(/not Hermitian/);
  });

  it("throws ConvergenceError with the numbers when maxSubsteps is too small", () => {
    const L = laplacian(50);
    const e = captureError(() => expmv(L, randn([50], 32), 50, { maxKrylov: 4, maxSubsteps: 3 }));
    expect(e).toBeInstanceOf(ConvergenceError);
    expect((e as Error).message).toMatch(/after 3 sub-steps/);
    expect((e as Error).message).toContain("|t| = 50");
  });

  it("promotes f32 input to f64 and leaves v untouched", () => {
    const v32 = v.astype("f32");
    const copy = v32.clone();
    const { y } = expmv(A.astype("f32"), v32, 0.5);
    expect(y.dtype).toBe("f64");
    expect(v32.data).toEqual(copy.data);
    expect(distance(y, reference(A.astype("f32").astype("f64"), v32.astype("f64"), 0.5))).toBeLessThan(1e-12);
  });
});
