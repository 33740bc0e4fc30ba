import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { ArgumentError, NonFiniteError, ShapeError } from "../../src/errors.js";
import { eigh, eigvalsh } from "../../src/linalg/decomp/eigh.js";
import { qr } from "../../src/linalg/decomp/qr.js";
import { diag } from "../../src/linalg/diag.js";
import { add, scale } from "../../src/linalg/elementwise.js";
import { matmul } from "../../src/linalg/matmul.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { adjoint } from "../../src/linalg/permute.js";
import { Tensor, eye, tensor, zeros } from "../../src/linalg/tensor.js";
import { fillTensor } from "../helpers/reference.js";

const EPS = 2 ** -52;


function hermitian(n: number, dtype: "f64" | "c128", seed: number): Tensor {
  const a = fillTensor([n, n], dtype, seed);
  return scale(add(a, adjoint(a)), 0.5);
}

function checkEigh(A: Tensor): void {
  const n = A.shape[0]!;
  const dt = A.dtype === "c128" ? "c128" : "f64";
  const { values, vectors: V } = eigh(A);
  expect(values.length).toBe(n);
  for (let i = 1; i < n; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
  const scaleA = Math.max(norm(A), 1e-300);
  // ‖VᴴV − I‖ ≤ 50·n·ε and ‖AV − VΛ‖ ≤ 50·n·ε·‖A‖.
  expect(distance(matmul(V, V, { adjointA: true }), eye(n, n, dt))).toBeLessThanOrEqual(50 * Math.max(n, 1) * EPS);
  const L = dt === "c128" ? diag(Array.from(values)).astype("c128") : diag(Array.from(values));
  expect(distance(matmul(A, V), matmul(V, L))).toBeLessThanOrEqual(50 * Math.max(n, 1) * EPS * scaleA);
}

describe("eigh", () => {
  for (const dtype of ["f64", "c128"] as const)
    for (const n of [1, 2, 3, 5, 16, 33, 64, 150]) it(`${dtype} n=${n} random Hermitian`, () => checkEigh(hermitian(n, dtype, n * 7 + 1)));

  it("matches the discrete Laplacian's closed-form spectrum 2 − 2cos(kπ/(n+1))", () => {
    for (const n of [10, 100]) {
      const L = zeros([n, n]);
      for (let i = 0; i < n; i++) {
        L.set([i, i], 2);
        if (i + 1 < n) {
          L.set([i, i + 1], -1);
          L.set([i + 1, i], -1);
        }
      }
      const v = eigvalsh(L);
      for (let k = 1; k <= n; k++) expect(Math.abs(v[k - 1]! - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThanOrEqual(10 * n * EPS * 4);
      checkEigh(L);
    }
  });

  it("recovers a prescribed spectrum with random unitary eigenvectors, complex included", () => {
    for (const dtype of ["f64", "c128"] as const) {
      const n = 40;
      const lambda = Float64Array.from({ length: n }, (_, i) => -5 + 0.25 * i);
      const Q = qr(fillTensor([n, n], dtype, 11)).Q!;
      const D = dtype === "c128" ? diag(Array.from(lambda)).astype("c128") : diag(Array.from(lambda));
      const A = matmul(matmul(Q, D), Q, { adjointB: true });
      // Symmetrise exactly (the product is Hermitian only to rounding).
      const H = scale(add(A, adjoint(A)), 0.5);
      const v = eigvalsh(H);
      for (let i = 0; i < n; i++) expect(Math.abs(v[i]! - lambda[i]!)).toBeLessThanOrEqual(50 * n * EPS * 5);
      checkEigh(H);
    }
  });

  it("handles degenerate eigenvalues with an orthonormal eigenbasis", () => {
    checkEigh(eye(6));
    const Q = qr(fillTensor([8, 8], "c128", 3)).Q!;
    const D = diag([1, 1, 1, 2, 2, 5, 5, 5]).astype("c128");
    const A = matmul(matmul(Q, D), Q, { adjointB: true });
    checkEigh(scale(add(A, adjoint(A)), 0.5));
    checkEigh(zeros([4, 4]));
  });

  it("keeps relative accuracy under extreme scaling (1e±300)", () => {
    const A = hermitian(20, "f64", 5);
    const v = eigvalsh(A);
    for (const f of [1e300, 1e-300]) {
      const s = eigvalsh(scale(A, f));
      for (let i = 0; i < 20; i++) expect(Math.abs(s[i]! / f - v[i]!)).toBeLessThanOrEqual(100 * 20 * EPS * norm(A));
    }
  });

  it("agrees with ml-matrix's symmetric eigenvalues (independent implementation)", () => {
    const A = hermitian(30, "f64", 9);
    const rows = Array.from({ length: 30 }, (_, i) => Array.from(A.data.subarray(i * 30, (i + 1) * 30)));
    const ref = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues.slice().sort((x, y) => x - y);
    const v = eigvalsh(A);
    for (let i = 0; i < 30; i++) expect(Math.abs(v[i]! - ref[i]!)).toBeLessThanOrEqual(100 * 30 * EPS * norm(A));
  });

  it("rejects non-Hermitian, non-square and non-finite input", () => {
    expect(() => eigh(tensor([[1, 2], [0, 1]]))).toThrow(ArgumentError);
    expect(() => eigh(tensor([[1, 2], [0, 1]]))).toThrow(/not Hermitian: max\|A − Aᴴ\| = 2\.000e\+0/);
    expect(() => eigh(tensor([[{ re: 1, im: 1 }]]))).toThrow(/not Hermitian/);
    expect(() => eigh(fillTensor([2, 3], "f64", 1))).toThrow(ShapeError);
    expect(() => eigh(tensor([[NaN]]))).toThrow(NonFiniteError);
    expect(() => eigh(tensor([[1]]), { vector: false } as never)).toThrow(/unknown option "vector"/);
    // A skipped check decomposes the lower triangle, as LAPACK does.
    expect(Array.from(eigvalsh(tensor([[1, 5], [0, 1]]), { hermitianTol: Infinity }))).toEqual([1, 1]);
  });
});
