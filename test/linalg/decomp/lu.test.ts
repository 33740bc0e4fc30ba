import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArborError, NonFiniteError, ShapeError } from "../../../src/errors.js";
import { det, inv, lu, luSolve, SingularMatrixError, solve } from "../../../src/linalg/decomp/lu.js";
import type { Complex } from "../../../src/linalg/dtype.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { randn } from "../../../src/linalg/random.js";
import { Tensor, eye, tensor, zeros } from "../../../src/linalg/tensor.js";
import { captureError } from "../../helpers/reference.js";

const EPS = 2 ** -52;

/** The matrix P with P·A = L·U, rebuilt from the pivots by applying the swaps to the identity. */
function permutationFromPivots(pivots: Int32Array): Tensor {
  const n = pivots.length;
  const rows = Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < n; k++) [rows[k], rows[pivots[k]!]] = [rows[pivots[k]!]!, rows[k]!];
  const P = zeros([n, n]);
  rows.forEach((r, i) => P.set([i, r], 1));
  return P;
}

function unpack(LU: Tensor): { L: Tensor; U: Tensor } {
  const n = LU.shape[0]!;
  const L = eye(n, n, LU.dtype), U = zeros([n, n], LU.dtype);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (j < i) L.set([i, j], LU.get(i, j));
      else U.set([i, j], LU.get(i, j));
    }
  return { L, U };
}

describe("lu", () => {
  for (const dtype of ["f64", "c128"] as const)
    for (const n of [1, 2, 7, 40, 120])
      it(`P·A = L·U for a random ${dtype} ${n}×${n} matrix`, () => {
        const A = randn([n, n], 100 + n, { dtype });
        const { LU, pivots, sign } = lu(A);
        const { L, U } = unpack(LU);
        // Backward stability of partial pivoting with modest growth: ‖PA − LU‖ ≤ c·n·ε·‖A‖ (c = 4).
        expect(distance(matmul(permutationFromPivots(pivots), A), matmul(L, U))).toBeLessThanOrEqual(4 * n * EPS * norm(A));
        // Partial pivoting bounds every multiplier: |l| ≤ 1 (real); for c128 the pivot maximises
        // |re| + |im|, which is within √2 of the modulus, so |l| ≤ √2.
        const bound = dtype === "f64" ? 1 : Math.SQRT2;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < i; j++) {
            const l = LU.get(i, j);
            expect(typeof l === "number" ? Math.abs(l) : Math.hypot(l.re, l.im)).toBeLessThanOrEqual(bound);
          }
        expect(det(permutationFromPivots(pivots))).toBe(sign);
      });

  it("pivots [[0, 1], [1, 0]] instead of dividing by zero", () => {
    const { LU, pivots, sign } = lu(tensor([[0, 1], [1, 0]]));
    expect(Array.from(pivots)).toEqual([1, 1]);
    expect(sign).toBe(-1);
    expect(LU.toArray()).toEqual([[1, 0], [0, 1]]);
  });

  it("promotes f32 input to f64 and handles the empty matrix", () => {
    const { LU } = lu(tensor([[2, 1], [1, 3]], { dtype: "f32" }));
    expect(LU.dtype).toBe("f64");
    const empty = lu(zeros([0, 0]));
    expect(empty.LU.shape).toEqual([0, 0]);
    expect(empty.rcond).toBe(Infinity);
  });

  it("estimates the condition number within the estimator's known factor", () => {
    // A diagonal matrix has ‖A‖₁‖A⁻¹‖₁ = max|d| / min|d| exactly, and the estimator is exact for it.
    const { rcond } = lu(tensor([[1, 0, 0], [0, 1e-6, 0], [0, 0, 4]]));
    expect(rcond).toBeCloseTo(1e-6 / 4, 20);
    // A random matrix: the estimate of ‖A⁻¹‖₁ is a lower bound, within a factor 3 in practice.
    const A = randn([30, 30], 5);
    const exact = 1 / (norm1(A) * norm1(inv(A)));
    const { rcond: est } = lu(A);
    expect(est).toBeGreaterThanOrEqual(exact * (1 - 1e-12));
    expect(est).toBeLessThanOrEqual(3 * exact);
  });
});

function norm1(A: Tensor): number {
  const [m, n] = A.shape as [number, number];
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) {
      const v = A.get(i, j);
      s += typeof v === "number" ? Math.abs(v) : Math.hypot(v.re, v.im);
    }
    best = Math.max(best, s);
  }
  return best;
}

describe("solve", () => {
  for (const dtype of ["f64", "c128"] as const)
    for (const n of [3, 50, 150])
      for (const k of [0, 1, 4])
        it(`small residual for ${dtype} n = ${n} with ${k === 0 ? "a vector" : `${k} right-hand sides`}`, () => {
          const A = randn([n, n], n * 7 + k, { dtype });
          const B = randn(k === 0 ? [n] : [n, k], n * 11 + k, { dtype });
          const X = solve(A, B);
          expect(X.shape).toEqual(B.shape);
          // Backward stable: ‖AX − B‖ ≤ c·n·ε·‖A‖·‖X‖ with c = 4 (observed c < 0.5).
          expect(distance(matmul(A, X), B)).toBeLessThanOrEqual(4 * n * EPS * norm(A) * norm(X));
        });

  it("promotes like matmul: real A with complex B, and complex A with real B", () => {
    const A = randn([6, 6], 1), Ac = randn([6, 6], 2, { dtype: "c128" });
    const b = randn([6], 3), bc = randn([6], 4, { dtype: "c128" });
    const x1 = solve(A, bc), x2 = solve(Ac, b);
    expect(x1.dtype).toBe("c128");
    expect(x2.dtype).toBe("c128");
    expect(distance(matmul(A, x1), bc)).toBeLessThan(1e-13);
    expect(distance(matmul(Ac, x2), b)).toBeLessThan(1e-13);
    expect(solve(A, b).dtype).toBe("f64");
  });

  it("reuses a factorisation with luSolve", () => {
    const A = randn([20, 20], 9);
    const f = lu(A);
    for (let s = 0; s < 3; s++) {
      const b = randn([20], 50 + s);
      expect(distance(matmul(A, luSolve(f, b)), b)).toBeLessThan(1e-12);
    }
  });

  it("solves a permutation system exactly", () => {
    const P = tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect(solve(P, tensor([1, 2, 3])).toArray()).toEqual([2, 3, 1]);
  });

  it("rejects bad shapes and non-finite input", () => {
    expect(captureError(() => solve(zeros([2, 3]), zeros([2])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => solve(eye(3), zeros([2])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => solve(eye(3), zeros([3, 2, 1])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => solve(tensor([[1, NaN], [0, 1]]), zeros([2])))).toBeInstanceOf(NonFiniteError);
    expect(captureError(() => solve(eye(2), tensor([1, Infinity])))).toBeInstanceOf(NonFiniteError);
  });
});

describe("singular matrices", () => {
  const cases: Array<[string, Tensor]> = [
    ["the zero matrix", zeros([3, 3])],
    ["a repeated row", tensor([[1, 2, 3], [4, 5, 6], [1, 2, 3]])],
    ["a rank-one complex matrix", tensor([[{ re: 1, im: 1 }, { re: 2, im: 0 }], [{ re: 2, im: 2 }, { re: 4, im: 0 }]])],
    // Exactly singular in real arithmetic but not after rounding: caught by the condition estimate.
    ["a numerically singular matrix", tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])],
    ["the 14×14 Hilbert matrix (κ ≈ 1e18)", tensor(Array.from({ length: 14 }, (_, i) => Array.from({ length: 14 }, (_, j) => 1 / (i + j + 1))))],
  ];
  for (const [name, A] of cases)
    it(`rejects ${name} with E_SINGULAR naming the size`, () => {
      for (const f of [() => lu(A), () => solve(A, zeros([A.shape[0]!], A.dtype)), () => inv(A)]) {
        const e = captureError(f);
        expect(e).toBeInstanceOf(SingularMatrixError);
        expect(e).toBeInstanceOf(ArborError);
        expect((e as ArborError).code).toBe("E_SINGULAR");
        expect((e as Error).message).toContain(`${A.shape[0]}×${A.shape[0]}`);
      }
    });

  it("accepts an ill-conditioned but solvable matrix (κ ≈ 1e10)", () => {
    const A = tensor([[1, 0], [0, 1e-10]]);
    expect(solve(A, tensor([1, 1])).toArray()).toEqual([1, 1e10]);
  });
});

describe("det", () => {
  it("is the product of the diagonal for triangular matrices, exactly", () => {
    // Small integers: every product is exact, so the comparison is exact.
    expect(det(tensor([[2, 7, -1], [0, 3, 5], [0, 0, -4]]))).toBe(-24);
    expect(det(tensor([[2, 0, 0], [1, 3, 0], [5, -2, 0.5]]))).toBe(3);
    // Built first: inside det(…) the generic tensor() would infer a real dtype from the overload.
    const C: Tensor = tensor([[{ re: 1, im: 1 }, { re: 9, im: 9 }], [{ re: 0, im: 0 }, { re: 0, im: 2 }]]);
    const z = det(C) as Complex;
    expect(z).toEqual({ re: -2, im: 2 }); // (1 + i)·2i
  });

  it("is ±1 for permutation matrices, exactly", () => {
    expect(det(eye(5))).toBe(1);
    expect(det(tensor([[0, 1], [1, 0]]))).toBe(-1);
    expect(det(tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0]]))).toBe(1); // a 3-cycle is even
    expect(det(tensor([[0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0]]))).toBe(1); // two swaps
    expect(det(tensor([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]))).toBe(-1);
  });

  it("returns 0 for exactly singular matrices instead of throwing", () => {
    expect(det(zeros([3, 3]))).toBe(0);
    expect(det(tensor([[1, 2], [2, 4]]))).toBe(0);
    expect(det(zeros([2, 2], "c128"))).toEqual({ re: 0, im: 0 });
    expect(det(zeros([0, 0]))).toBe(1);
  });

  it("is multiplicative: det(AB) = det(A)·det(B) (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.nat(1_000_000), (n, seed) => {
        const A = randn([n, n], seed), B = randn([n, n], seed + 1);
        const dA = det(A), dB = det(B), dAB = det(matmul(A, B)) as number;
        // Each determinant carries a relative error of about n·ε·κ; 1e-9 leaves room for κ ~ 1e5.
        expect(Math.abs(dAB - dA * dB)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(dA * dB)));
      }),
      { numRuns: 60 },
    );
  });
});

describe("inv", () => {
  for (const dtype of ["f64", "c128"] as const)
    it(`inv(A)·A = I for random ${dtype} matrices`, () => {
      for (const n of [1, 5, 60]) {
        const A = randn([n, n], 3 * n, { dtype });
        const X = inv(A);
        expect(X.dtype).toBe(dtype);
        // ‖XA − I‖ ≤ c·n·ε·κ(A) with κ ≈ ‖A‖‖X‖; c = 4.
        expect(distance(matmul(X, A), eye(n, n, dtype))).toBeLessThanOrEqual(4 * n * EPS * norm(A) * norm(X));
      }
    });

  it("inverts a permutation to its transpose exactly", () => {
    const P = tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect(inv(P).toArray()).toEqual([[0, 1, 0], [0, 0, 1], [1, 0, 0]]);
  });
});
