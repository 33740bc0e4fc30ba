import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NonFiniteError, ShapeError } from "../../../src/errors.js";
import { inv } from "../../../src/linalg/decomp/lu.js";
import { qr } from "../../../src/linalg/decomp/qr.js";
import { diag } from "../../../src/linalg/diag.js";
import type { Complex } from "../../../src/linalg/dtype.js";
import { add, scale } from "../../../src/linalg/elementwise.js";
import { expm } from "../../../src/linalg/expm/expm.js";
import { readNpy } from "../../../src/linalg/io/npy.js";
import { matmul } from "../../../src/linalg/matmul.js";
import { distance, norm } from "../../../src/linalg/norms.js";
import { adjoint } from "../../../src/linalg/permute.js";
import { randn } from "../../../src/linalg/random.js";
import { Tensor, eye, tensor, zeros } from "../../../src/linalg/tensor.js";
import { captureError } from "../../helpers/reference.js";

const EPS = 2 ** -52;

function relativeError(X: Tensor, ref: Tensor): number {
  return distance(X, ref) / norm(ref);
}

function rotationGenerator(theta: number): Tensor {
  return tensor([[0, -theta], [theta, 0]]);
}

function randomHermitian(n: number, seed: number): Tensor {
  const X = randn([n, n], seed, { dtype: "c128" });
  return scale(add(X, adjoint(X)), 0.5);
}

describe("expm: closed forms", () => {
  it("maps 0 to I and the empty matrix to itself", () => {
    expect(expm(zeros([4, 4])).toArray()).toEqual(eye(4).toArray());
    expect(expm(zeros([3, 3], "c128")).toArray()).toEqual(eye(3, 3, "c128").toArray());
    expect(expm(zeros([0, 0])).shape).toEqual([0, 0]);
  });

  it("exponentiates real and complex diagonals entrywise", () => {
    const d = [-30, -3, -0.2, 0, 1e-9, 0.7, 4, 25];
    const E = expm(diag(d));
    // Backward error ~ε·‖A‖ (Higham 2005) perturbs every exp(x) relatively by ~ε·‖A‖₁, whatever
    // x; the Padé evaluation at negative arguments adds some cancellation. 8·(1 + ‖A‖₁)·ε is
    // about 2× the worst observed (exp(−30): 3e-14).
    d.forEach((x, i) => expect(Math.abs((E.get(i, i) as number) / Math.exp(x) - 1)).toBeLessThanOrEqual(8 * 31 * EPS));
    expect(norm(E) - norm(diag(d.map(Math.exp)))).toBeLessThan(1e-15 * norm(E)); // off-diagonal stays ~0
    const z: Complex[] = [{ re: 0.5, im: -2 }, { re: -1, im: 9 }, { re: 0, im: 0.01 }];
    const Ez = expm(diag(tensor(z)));
    z.forEach((x, i) => {
      const e = Ez.get(i, i) as Complex, m = Math.exp(x.re);
      const err = Math.hypot(e.re - m * Math.cos(x.im), e.im - m * Math.sin(x.im));
      expect(err).toBeLessThanOrEqual(8 * (1 + 10) * EPS * m); // ‖A‖₁ ≈ 9.1, as above
    });
  });

  // θ spans every branch: degrees 3, 5, 7, 9 (θ below 0.015, 0.25, 0.95, 2.1) and degree 13
  // with 0, 1, 5 and 8 squarings.
  for (const theta of [1e-3, 0.014, 0.2, 0.9, 2, 5, 10, 100])
    it(`turns the rotation generator for θ = ${theta} into the rotation by θ`, () => {
      const R = expm(rotationGenerator(theta));
      const c = Math.cos(theta), s = Math.sin(theta);
      // The exponential of a skew matrix has condition ~θ: errors grow like θ·ε through the
      // squarings. Observed ≤ 0.6·(1 + θ)·ε for every θ here; the bound is 4·(1 + θ)·ε.
      expect(distance(R, tensor([[c, -s], [s, c]]))).toBeLessThanOrEqual(4 * (1 + theta) * EPS);
    });

  it("sums the finite Taylor series of a nilpotent matrix", () => {
    const N = tensor([[0, 1, 2, 3], [0, 0, 4, 5], [0, 0, 0, 6], [0, 0, 0, 0]]);
    const N2 = matmul(N, N), N3 = matmul(N2, N);
    // I + N + N²/2 + N³/6 in exact binary arithmetic: every entry is an integer or a multiple of 1/6.
    const exact = add(add(eye(4), N), add(scale(N2, 1 / 2), scale(N3, 1 / 6)));
    // ‖N‖₁ = 14 needs two squarings; entries up to 14 carry ~10 ulp of rounding.
    expect(relativeError(expm(N), exact)).toBeLessThanOrEqual(20 * EPS);
    const J = tensor([[0, 1e-3, 0], [0, 0, 1e-3], [0, 0, 0]]); // tiny: a single degree-3 Padé step
    expect(relativeError(expm(J), tensor([[1, 1e-3, 5e-7], [0, 1, 1e-3], [0, 0, 1]]))).toBeLessThanOrEqual(2 * EPS);
  });

  for (const dtype of ["f64", "c128"] as const)
    it(`agrees with V·exp(D)·V⁻¹ for a diagonalisable ${dtype} matrix`, () => {
      const n = 12;
      const V = add(eye(n, n, dtype), scale(randn([n, n], 21, { dtype }), 0.2)); // well-conditioned V
      const D = diag(randn([n], 22, { dtype }));
      const Vinv = inv(V);
      const A = matmul(matmul(V, D), Vinv);
      const expD = diag(tensor(Array.from({ length: n }, (_, i) => {
        const d = D.get(i, i);
        return typeof d === "number" ? Math.exp(d) : { re: Math.exp(d.re) * Math.cos(d.im), im: Math.exp(d.re) * Math.sin(d.im) };
      })));
      const ref = matmul(matmul(V, expD), Vinv);
      // Both sides carry rounding of order κ(V)·ε (κ_F(V) ≈ 25 here): observed 7e-16, bound 1e-14.
      expect(relativeError(expm(A), ref)).toBeLessThanOrEqual(1e-14);
    });

  it("solves Moler & Van Loan's cancellation example against its closed form", () => {
    // A = V·diag(−1, −17)·V⁻¹ with V = [[1, 3], [2, 4]]: strongly non-normal (‖A‖ ≈ 100).
    const a = Math.exp(-1), b = Math.exp(-17);
    const exact = tensor([[-2 * a + 3 * b, 1.5 * a - 1.5 * b], [-4 * a + 4 * b, 3 * a - 2 * b]]);
    // κ_exp is large here (the entries cancel from size ~100): Higham (2005) reports errors
    // ~1e-14 for this matrix; 1e-13 bounds it with margin.
    expect(relativeError(expm(tensor([[-49, 24], [-64, 31]])), exact)).toBeLessThanOrEqual(1e-13);
  });
});

describe("expm: identities and extreme norms", () => {
  it("satisfies expm(A)·expm(−A) = I for random small matrices (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.nat(1_000_000),
        fc.double({ min: 1e-3, max: 8, noNaN: true }),
        fc.boolean(),
        (n, seed, size, complex) => {
          const A = scale(randn([n, n], seed, { dtype: complex ? "c128" : "f64" }), size / Math.sqrt(n));
          const E = expm(A), Einv = expm(scale(A, -1));
          // The product's rounding is bounded by ‖E‖‖E⁻¹‖ times the relative errors of each
          // factor (a few·(1 + ‖A‖)·n·ε): 100·n·ε·(1 + ‖A‖) covers it with margin.
          const bound = 100 * n * EPS * (1 + norm(A)) * norm(E) * norm(Einv);
          expect(distance(matmul(E, Einv), eye(n, n, E.dtype))).toBeLessThanOrEqual(bound);
        },
      ),
      { numRuns: 80 },
    );
  });

  for (const t of [0.1, 1, 10])
    it(`makes exp(−iHt) unitary for a Hermitian H (t = ${t})`, () => {
      const n = 24;
      const H = randomHermitian(n, 40);
      const U = expm(scale(H, { re: 0, im: -t }));
      // Unitary to ~n·ε per squaring level (s ≤ 7 here): observed ≤ 8·n·ε at t = 10, bound
      // 10·n·ε·(1 + log2(1 + ‖Ht‖_F)) ≈ 84·n·ε there.
      const bound = 10 * n * EPS * (1 + Math.log2(1 + t * norm(H)));
      expect(distance(matmul(U, U, { adjointA: true }), eye(n, n, "c128"))).toBeLessThanOrEqual(bound);
    });

  it("handles a matrix of norm ~1e3 (orthogonal exponential of a rotated block of rotations)", () => {
    const thetas = [1000, -700, 333.3, 12];
    const n = 2 * thetas.length;
    const B = zeros([n, n]), Rb = zeros([n, n]);
    thetas.forEach((th, k) => {
      B.set([2 * k, 2 * k + 1], -th);
      B.set([2 * k + 1, 2 * k], th);
      Rb.set([2 * k, 2 * k], Math.cos(th));
      Rb.set([2 * k, 2 * k + 1], -Math.sin(th));
      Rb.set([2 * k + 1, 2 * k], Math.sin(th));
      Rb.set([2 * k + 1, 2 * k + 1], Math.cos(th));
    });
    const Q = qr(randn([n, n], 77)).Q!;
    const A = matmul(matmul(Q, B), Q, { transposeB: true });
    const E = expm(A);
    const ref = matmul(matmul(Q, Rb), Q, { transposeB: true });
    // Condition ~‖A‖ = 1e3 and 8 squarings: errors of order ‖A‖·n·ε ≈ 2e-12 (observed 1e-12 for
    // the entries and 2e-13 for orthogonality); the bound is 4·‖A‖·n·ε.
    expect(distance(E, ref)).toBeLessThanOrEqual(4e3 * n * EPS);
    expect(distance(matmul(E, E, { transposeA: true }), eye(n))).toBeLessThanOrEqual(4e3 * n * EPS);
  });

  it("handles a matrix of norm ~1e-8 (I + A + A²/2 to rounding)", () => {
    for (const dtype of ["f64", "c128"] as const) {
      const A = scale(randn([10, 10], 5, { dtype }), 3e-9);
      const ref = add(add(eye(10, 10, dtype), A), scale(matmul(A, A), 0.5)); // A³/6 ~ 1e-25: below rounding
      // The result is I + O(1e-8): absolute rounding ~ε per entry.
      expect(distance(expm(A), ref)).toBeLessThanOrEqual(10 * EPS);
      // The departure from I is accurate to ~ε relative to itself as well as to ‖I‖: the degree-3
      // approximant on a norm-1e-8 matrix is exact to 1e-32.
      expect(distance(add(expm(A), scale(eye(10, 10, dtype), -1)), add(A, scale(matmul(A, A), 0.5)))).toBeLessThanOrEqual(10 * EPS);
    }
  });

  it("is exact for 1×1 matrices to a few ulps and promotes f32 to f64", () => {
    expect(Math.abs((expm(tensor([[1]])).get(0, 0) as number) - Math.E)).toBeLessThanOrEqual(2 * EPS * Math.E);
    const E = expm(tensor([[0.5, 0], [0, -0.5]], { dtype: "f32" }));
    expect(E.dtype).toBe("f64");
    expect(Math.abs((E.get(0, 0) as number) - Math.exp(0.5))).toBeLessThanOrEqual(2 * EPS * 2);
  });
});

describe("expm: scipy.linalg.expm fixtures", () => {
  // scipy 1.17 implements Al-Mohy & Higham (2009); this expm implements Higham (2005). Both are
  // backward stable, so they agree to about κ_exp(A)·ε. Per case: the bound and why.
  const cases: Array<[string, number, string]> = [
    ["real6", 1e-14, "‖A‖ ≈ 2, no squaring: both are at the rounding level (observed 2e-16)"],
    ["complex5", 1e-14, "‖A‖ ≈ 10, two squarings (observed 8e-16)"],
    ["real12_scaled", 1e-13, "‖A‖₁ ≈ 46, four squarings, exp(A) ill-conditioned (κ ≈ 1e11): observed 3e-15"],
    ["moler_van_loan", 2e-13, "non-normal with cancellation; Higham 2005 overscales here (observed 2.5e-14)"],
    ["nonnormal_triangular", 1e-13, "‖A‖₁ = 53 from off-diagonals only (observed 6e-16)"],
    ["unitary7", 1e-14, "−iH: unitary result, κ ≈ ‖H‖ (observed 8e-16)"],
  ];
  for (const [name, tol, why] of cases)
    it(`matches scipy on ${name} (relative error ≤ ${tol}: ${why})`, () => {
      const A = readNpy(new URL(`../../fixtures/expm/${name}_A.npy`, import.meta.url).pathname);
      const ref = readNpy(new URL(`../../fixtures/expm/${name}_expm.npy`, import.meta.url).pathname);
      const E = expm(A);
      expect(E.dtype).toBe(ref.dtype);
      expect(relativeError(E, ref)).toBeLessThanOrEqual(tol);
    });
});

describe("expm: errors", () => {
  it("rejects non-square and non-finite input", () => {
    expect(captureError(() => expm(zeros([2, 3])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => expm(zeros([4])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => expm(tensor([[0, NaN], [0, 0]])))).toBeInstanceOf(NonFiniteError);
    expect(captureError(() => expm(tensor([[{ re: 0, im: Infinity }]])))).toBeInstanceOf(NonFiniteError);
  });

  it("reports overflow of the exponential instead of returning Inf or NaN", () => {
    const e = captureError(() => expm(diag([800, -800])));
    expect(e).toBeInstanceOf(NonFiniteError);
    expect((e as Error).message).toMatch(/overflows/);
    // Just inside the range: e^709 ≈ 8.2e307, to the 8·(1 + ‖A‖₁)·ε of the diagonal test.
    expect(Math.abs((expm(diag([709, -709])).get(0, 0) as number) / Math.exp(709) - 1)).toBeLessThanOrEqual(8 * 710 * EPS);
  });

  it("does not modify its input", () => {
    const A = scale(randn([5, 5], 3), 10);
    const copy = A.clone();
    expm(A);
    expect(A.data).toEqual(copy.data);
  });

  it("uses the complex unit correctly: expm(iθ·I) = e^{iθ}·I", () => {
    const E = expm(scale(eye(3, 3, "c128"), { re: 0, im: 2 }));
    const z = E.get(1, 1) as Complex;
    expect(Math.hypot(z.re - Math.cos(2), z.im - Math.sin(2))).toBeLessThanOrEqual(8 * EPS);
  });
});
