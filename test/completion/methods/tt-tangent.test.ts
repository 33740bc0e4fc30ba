// The fixed-rank TT manifold geometry of Riemannian completion against a dense reference on a
// small case: the tangent space is spanned by the tensors U_<k · W · V_>k for every core
// variation W, so its orthogonal projector is U·Uᵀ for the left singular vectors U of the matrix
// of those tensors. Every sparse/TT-format routine is compared with that dense projector.
import { describe, expect, it } from "vitest";
import { randomTrain, trainRanks, trainToDense, type TensorTrain } from "../../../src/completion/methods/tensor-train.js";
import {
  manifoldPoint,
  pointValues,
  projectSamples,
  projectTrain,
  retract,
  rightInterfaces,
  tangentInner,
  tangentTrain,
  tangentValues,
  type ManifoldPoint,
  type TangentVector,
} from "../../../src/completion/methods/tt-tangent.js";
import { svd } from "../../../src/linalg/decomp/svd.js";
import { Rng } from "../../../src/linalg/random.js";
import { Tensor } from "../../../src/linalg/tensor.js";

const dims = [3, 4, 3, 2];
const ranks = trainRanks(dims, [2, 3, 2], "test");
const N = dims.reduce((p, n) => p * n, 1);

/** The dense tensors U_<k · E · V_>k for every unit core variation E, as columns (N × P). */
function tangentSpanningMatrix(point: ManifoldPoint): { B: Float64Array; P: number } {
  const cols: Float64Array[] = [];
  const d = dims.length;
  for (let k = 0; k < d; k++) {
    const size = ranks[k]! * dims[k]! * ranks[k + 1]!;
    for (let e = 0; e < size; e++) {
      const W = new Float64Array(size);
      W[e] = 1;
      const cores = dims.map((_, j) => (j < k ? point.left.cores[j]! : j > k ? point.right.cores[j]! : W));
      cols.push(trainToDense({ dims, ranks, cores }));
    }
  }
  const P = cols.length;
  const B = new Float64Array(N * P);
  cols.forEach((c, j) => c.forEach((v, i) => (B[i * P + j] = v)));
  return { B, P };
}

/** Orthonormal basis (N × t) of the tangent space and its dimension t. */
function tangentBasis(point: ManifoldPoint): { Q: Float64Array; t: number } {
  const { B, P } = tangentSpanningMatrix(point);
  const { U, s } = svd(new Tensor("f64", [N, P], B));
  const t = Array.from(s).filter((x) => x > 1e-10 * s[0]!).length;
  const k = s.length;
  const Q = new Float64Array(N * t);
  for (let i = 0; i < N; i++) for (let j = 0; j < t; j++) Q[i * t + j] = U.data[i * k + j]!;
  return { Q, t };
}

function project(Q: Float64Array, t: number, z: Float64Array): Float64Array {
  const c = new Float64Array(t);
  for (let i = 0; i < N; i++) for (let j = 0; j < t; j++) c[j] = c[j]! + Q[i * t + j]! * z[i]!;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) for (let j = 0; j < t; j++) out[i] = out[i]! + Q[i * t + j]! * c[j]!;
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0;
  for (let i = 0; i < x.length; i++) num += (x[i]! - y[i]!) ** 2;
  return Math.sqrt(num / dot(y, y));
}

function allIndices(): Int32Array {
  const idx = new Int32Array(N * dims.length);
  for (let p = 0; p < N; p++) {
    let rest = p;
    for (let k = dims.length - 1; k >= 0; k--) {
      idx[p * dims.length + k] = rest % dims[k]!;
      rest = Math.floor(rest / dims[k]!);
    }
  }
  return idx;
}

const rng = new Rng(17);
const point = manifoldPoint(randomTrain(dims, ranks, rng));
const { Q, t } = tangentBasis(point);
const idx = allIndices();
// A sparse Z: random values on about 40 % of the entries (zeros elsewhere, so listing all
// entries with z = 0 off the support is the same sparse tensor).
const z = new Float64Array(N);
for (let p = 0; p < N; p++) if (rng.nextFloat64() < 0.4) z[p] = rng.normal();
const R = rightInterfaces(point, idx, N);
const xi = projectSamples(point, R, idx, N, z);
const dense = (v: TangentVector): Float64Array => trainToDense(tangentTrain(point, v));

describe("fixed-rank TT tangent space", () => {
  it("has the manifold's dimension Σ r_k n_k r_{k+1} − Σ r_k²", () => {
    let dim = 0;
    for (let k = 0; k < dims.length; k++) dim += ranks[k]! * dims[k]! * ranks[k + 1]!;
    for (let k = 1; k < dims.length; k++) dim -= ranks[k]! ** 2;
    expect(t).toBe(dim);
  });

  it("point values at the samples are the dense tensor's", () => {
    expect(relErr(pointValues(point, R, idx, N), trainToDense(point.left))).toBeLessThan(1e-14);
    expect(relErr(trainToDense(point.right), trainToDense(point.left))).toBeLessThan(1e-14);
  });

  it("projects sparse entries as the dense orthogonal projector does", () => {
    expect(relErr(dense(xi), project(Q, t, z))).toBeLessThan(1e-12);
  });

  it("the residual is orthogonal to the tangent space (it lies in the normal space)", () => {
    const res = dense(xi).map((v, i) => z[i]! - v);
    let worst = 0;
    for (let j = 0; j < t; j++) {
      let c = 0;
      for (let i = 0; i < N; i++) c += Q[i * t + j]! * res[i]!;
      worst = Math.max(worst, Math.abs(c));
    }
    expect(worst).toBeLessThan(1e-12 * Math.sqrt(dot(z, z)));
  });

  it("is idempotent: projecting a tangent vector (given as a train) returns it core for core", () => {
    const again = projectTrain(point, tangentTrain(point, xi));
    again.forEach((c, k) => expect(relErr(c, xi[k]!)).toBeLessThan(1e-12));
  });

  it("projects a general train as the dense projector does (the vector transport)", () => {
    const Y: TensorTrain = randomTrain(dims, trainRanks(dims, 3, "test"), new Rng(5));
    expect(relErr(dense(projectTrain(point, Y)), project(Q, t, trainToDense(Y)))).toBeLessThan(1e-12);
  });

  it("inner products and sample values of tangent vectors are the dense ones", () => {
    const w = new Float64Array(N).map(() => rng.normal());
    const eta = projectSamples(point, R, idx, N, w);
    expect(Math.abs(tangentInner(xi, eta) - dot(dense(xi), dense(eta)))).toBeLessThan(1e-12 * Math.sqrt(tangentInner(xi, xi) * tangentInner(eta, eta)));
    expect(relErr(tangentValues(point, R, idx, N, eta), dense(eta))).toBeLessThan(1e-12);
    // tangentTrain with the point added is X + η.
    const sum = trainToDense(tangentTrain(point, eta, true));
    const want = trainToDense(point.left).map((v, i) => v + dense(eta)[i]!);
    expect(relErr(sum, want)).toBeLessThan(1e-13);
  });

  it("the Riemannian gradient matches finite differences of f along retraction curves", () => {
    // f(X) = ½‖P_Ω(X − A)‖² on a 40 % sample; grad = P_T(P_Ω(X − A)).
    const omega: number[] = [];
    for (let p = 0; p < N; p++) if (rng.nextFloat64() < 0.4) omega.push(p);
    const a = Float64Array.from(omega, () => rng.normal());
    const f = (pt: ManifoldPoint): number => {
      const x = trainToDense(pt.left);
      return 0.5 * omega.reduce((s, p, j) => s + (x[p]! - a[j]!) ** 2, 0);
    };
    const x0 = trainToDense(point.left);
    const residual = new Float64Array(N);
    omega.forEach((p, j) => (residual[p] = x0[p]! - a[j]!));
    const grad = projectSamples(point, R, idx, N, residual);
    const h = 1e-5;
    for (let trial = 0; trial < 3; trial++) {
      const eta = projectSamples(point, R, idx, N, new Float64Array(N).map(() => rng.normal()));
      const fd = (f(retract(point, eta, h)) - f(retract(point, eta, -h))) / (2 * h);
      const exact = tangentInner(grad, eta);
      expect(Math.abs(fd - exact)).toBeLessThan(1e-6 * Math.max(1, Math.abs(exact)));
    }
  });

  it("the retraction agrees with X + tη to second order and keeps the ranks", () => {
    const eta = projectSamples(point, R, idx, N, new Float64Array(N).map(() => rng.normal()));
    const x0 = trainToDense(point.left), e = dense(eta);
    const gap = (s: number): number => {
      const y = retract(point, eta, s);
      expect(y.left.ranks).toEqual(ranks);
      const x = trainToDense(y.left);
      return Math.sqrt(x.reduce((acc, v, i) => acc + (v - x0[i]! - s * e[i]!) ** 2, 0));
    };
    const ratio = gap(1e-2) / gap(5e-3);
    expect(ratio).toBeGreaterThan(3.5);
    expect(ratio).toBeLessThan(4.5);
  });
});
