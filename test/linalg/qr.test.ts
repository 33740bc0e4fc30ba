import { describe, expect, it } from "vitest";
import { NonFiniteError, ShapeError } from "../../src/errors.js";
import { qr } from "../../src/linalg/decomp/qr.js";
import { matmul } from "../../src/linalg/matmul.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { Tensor, eye, tensor, zeros } from "../../src/linalg/tensor.js";
import { fillTensor } from "../helpers/reference.js";

const EPS = 2 ** -52;


function checkQr(A: Tensor, mode: "reduced" | "complete"): void {
  const [m, n] = A.shape as [number, number];
  const { Q, R } = qr(A, { mode });
  const k = mode === "complete" ? m : Math.min(m, n);
  expect(Q!.shape).toEqual([m, k]);
  expect(R.shape).toEqual([k, n]);
  // Orthonormal columns: ‖QᴴQ − I‖ ≤ 50·n·ε (the bound the issue sets).
  expect(distance(matmul(Q!, Q!, { adjointA: true }), eye(k, k, A.dtype === "c128" ? "c128" : "f64"))).toBeLessThanOrEqual(50 * Math.max(k, 1) * EPS);
  // Backward stable reconstruction: ‖A − QR‖ ≤ c·n·ε·‖A‖.
  expect(distance(matmul(Q!, R), A)).toBeLessThanOrEqual(50 * Math.max(m, n) * EPS * Math.max(norm(A), 1e-300));
  // R upper triangular with real diagonal.
  for (let i = 0; i < k; i++)
    for (let j = 0; j < Math.min(i, n); j++) {
      const v = R.get(i, j);
      expect(typeof v === "number" ? v : Math.hypot(v.re, v.im)).toBe(0);
    }
  if (A.dtype === "c128") for (let i = 0; i < Math.min(k, n); i++) expect((R.get(i, i) as { im: number }).im).toBe(0);
}

describe("qr", () => {
  const shapes: Array<[number, number]> = [[1, 1], [1, 5], [5, 1], [4, 4], [7, 3], [3, 7], [64, 64], [100, 70], [70, 100], [300, 65], [130, 130]];
  for (const dtype of ["f64", "c128"] as const)
    for (const [m, n] of shapes)
      for (const mode of ["reduced", "complete"] as const)
        it(`${dtype} ${m}×${n} ${mode}`, () => checkQr(fillTensor([m, n], dtype, m * 1000 + n), mode));

  it("factors the tall-skinny shape tree networks produce (4096×32)", () => checkQr(fillTensor([4096, 32], "f64", 3), "reduced"));

  it("handles rank-deficient and zero matrices", () => {
    const r = fillTensor([8, 1], "f64", 1);
    const deficient = matmul(r, fillTensor([1, 6], "f64", 2)); // rank 1
    checkQr(deficient, "reduced");
    checkQr(zeros([5, 3]), "reduced");
    const { R } = qr(zeros([5, 3]), { mode: "r" });
    expect(norm(R)).toBe(0);
  });

  it("agrees with a hand-computed factorisation up to column signs", () => {
    // A = [[3, 1], [4, 2]]: the first column has norm 5, so |R₀₀| = 5 and |det| = |R₀₀·R₁₁| = 2.
    const { R } = qr(tensor([[3, 1], [4, 2]]));
    expect(Math.abs(R.get(0, 0) as number)).toBeCloseTo(5, 14);
    expect(Math.abs((R.get(0, 0) as number) * (R.get(1, 1) as number))).toBeCloseTo(2, 14);
  });

  it("rejects non-finite input and wrong ranks with clear errors", () => {
    expect(() => qr(tensor([[1, NaN]]))).toThrow(NonFiniteError);
    expect(() => qr(tensor([[1, Infinity]]))).toThrow(/qr: .*non-finite/);
    expect(() => qr(tensor([1, 2]))).toThrow(ShapeError);
    expect(() => qr(tensor([[1]]), { mode: "full" as never })).toThrow(/unknown mode "full"/);
  });

  it("handles empty matrices", () => {
    const { Q, R } = qr(zeros([3, 0]));
    expect(Q!.shape).toEqual([3, 0]);
    expect(R.shape).toEqual([0, 0]);
  });
});
