// The tensor-train helpers of the comparison completion methods, each against an independent
// dense computation: the general network contraction, a dense SVD, orthonormality of unfoldings.
import { describe, expect, it } from "vitest";
import {
  rowMajorProduct,
  leftOrthogonalize,
  randomTrain,
  rightOrthogonalize,
  roundTrain,
  trainEntries,
  trainFromDense,
  trainFromNetwork,
  trainRanks,
  trainToDense,
  trainToNetwork,
  rowMajorTranspose,
  type TensorTrain,
} from "../../../src/completion/methods/tensor-train.js";
import { ArgumentError, ShapeError } from "../../../src/errors.js";
import { Rng } from "../../../src/linalg/random.js";
import { TensorNetwork } from "../../../src/search/network/network.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";

function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i]! - y[i]!) ** 2;
    den += y[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** max |QᵀQ − I| of a row-major p×q matrix. */
function orthonormalityDefect(Q: Float64Array, p: number, q: number): number {
  const G = rowMajorProduct(rowMajorTranspose(Q, p, q), Q, q, p, q);
  let worst = 0;
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) worst = Math.max(worst, Math.abs(G[i * q + j]! - (i === j ? 1 : 0)));
  return worst;
}

const dims = [3, 4, 2, 5];

describe("tensor-train helpers", () => {
  it("caps ranks at what the shape allows and rejects bad ranks", () => {
    expect(trainRanks([2, 3, 4, 2], 10, "t")).toEqual([1, 2, 6, 2, 1]);
    expect(trainRanks([8, 8, 8], [3, 5], "t")).toEqual([1, 3, 5, 1]);
    expect(() => trainRanks([4], 2, "t")).toThrow(ShapeError);
    expect(() => trainRanks([4, 4, 4], [2], "t")).toThrow(/2 bond ranks/);
    expect(() => trainRanks([4, 4, 4], 0, "t")).toThrow(ArgumentError);
    expect(() => trainRanks([4, 4, 4], 1.5, "t")).toThrow(/whole number/);
  });

  it("matches the general network's contraction (dense and entries) through the conversion", () => {
    const tt = randomTrain(dims, trainRanks(dims, [2, 3, 1], "t"), new Rng(1));
    const net = trainToNetwork(tt);
    const full = net.toFull();
    expect(relErr(trainToDense(tt), full.data)).toBeLessThan(1e-14);
    const idx = Int32Array.from([0, 0, 0, 0, 2, 3, 1, 4, 1, 2, 0, 3]);
    const want = net.entries(idx).data;
    expect(relErr(trainEntries(tt, idx, 3), want)).toBeLessThan(1e-14);
    const back = trainFromNetwork(net, dims, "t");
    expect(back.ranks).toEqual(tt.ranks);
    back.cores.forEach((c, k) => expect(Array.from(c)).toEqual(Array.from(tt.cores[k]!)));
    const ring = TensorNetwork.random(NetworkStructure.tensorRing(dims, 2), 1);
    expect(() => trainFromNetwork(ring, dims, "t")).toThrow(/tensor train/);
  });

  it("orthogonalises without changing the tensor", () => {
    const tt = randomTrain(dims, trainRanks(dims, 3, "t"), new Rng(2));
    const dense = trainToDense(tt);
    const L = leftOrthogonalize(tt), R = rightOrthogonalize(tt);
    expect(relErr(trainToDense(L), dense)).toBeLessThan(1e-14);
    expect(relErr(trainToDense(R), dense)).toBeLessThan(1e-14);
    for (let k = 0; k < dims.length - 1; k++) expect(orthonormalityDefect(L.cores[k]!, L.ranks[k]! * dims[k]!, L.ranks[k + 1]!)).toBeLessThan(1e-14);
    for (let k = 1; k < dims.length; k++) {
      const rows = R.ranks[k]!, cols = dims[k]! * R.ranks[k + 1]!;
      expect(orthonormalityDefect(rowMajorTranspose(R.cores[k]!, rows, cols), cols, rows)).toBeLessThan(1e-14);
    }
  });

  it("TT-SVD of a dense tensor is exact at the true ranks and finds them with a tolerance", () => {
    const ranks = trainRanks(dims, [2, 3, 2], "t");
    const dense = trainToDense(randomTrain(dims, ranks, new Rng(3)));
    const exact = trainFromDense(dense, dims, trainRanks(dims, 2 ** 20, "t"), 1e-12);
    expect(exact.ranks).toEqual(ranks);
    expect(relErr(trainToDense(exact), dense)).toBeLessThan(1e-13);
  });

  it("rounding equals the TT-SVD of the dense tensor (a dense SVD path against the QR path)", () => {
    const tt: TensorTrain = randomTrain(dims, trainRanks(dims, 4, "t"), new Rng(4));
    const target = trainRanks(dims, 2, "t");
    const rounded = roundTrain(tt, target);
    const reference = trainFromDense(trainToDense(tt), dims, target);
    expect(rounded.ranks).toEqual(target);
    expect(relErr(trainToDense(rounded), trainToDense(reference))).toBeLessThan(1e-11);
    for (let k = 0; k < dims.length - 1; k++) expect(orthonormalityDefect(rounded.cores[k]!, target[k]! * dims[k]!, target[k + 1]!)).toBeLessThan(1e-14);
  });
});
