import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/errors.js";
import { split, splitMethods } from "../../src/linalg/decomp/split.js";
import { contract } from "../../src/linalg/contract.js";
import { matmul } from "../../src/linalg/matmul.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { permute } from "../../src/linalg/permute.js";
import { unfold } from "../../src/linalg/unfold.js";
import { Tensor, eye } from "../../src/linalg/tensor.js";
import { fillTensor } from "../helpers/reference.js";


function rejoin(left: Tensor, right: Tensor): Tensor {
  const l = left.shape.map((_, i) => `l${i}`);
  l[l.length - 1] = "bond";
  const r = right.shape.map((_, i) => `r${i}`);
  r[0] = "bond";
  return contract(left, l, right, r);
}

describe("split", () => {
  it("reconstructs exactly without truncation for every method and absorb mode", () => {
    for (const dtype of ["f64", "c128"] as const) {
      const t = fillTensor([3, 4, 5], dtype, 1);
      // left axes (0, 2), right axis 1: the rejoined tensor is t permuted to (0, 2, 1).
      const want = permute(t, [0, 2, 1]);
      for (const method of ["svd", "qr", "lq", "eigh"]) {
        for (const absorb of ["left", "right", "both"] as const) {
          const { left, right } = split(t, [0, 2], { method, absorb });
          const tol = method === "eigh" ? 1e-7 : 1e-13;
          expect(distance(rejoin(left, right), want), `${dtype} ${method} ${absorb}`).toBeLessThan(tol * norm(t));
        }
      }
    }
  });

  it("leaves the left factor orthonormal with absorb 'right' (and the right one with 'left')", () => {
    const t = fillTensor([6, 7, 3], "c128", 2);
    const { left } = split(t, [0], { absorb: "right" });
    const L = unfold(left, [0]);
    expect(distance(matmul(L, L, { adjointA: true }), eye(L.shape[1]!, L.shape[1]!, "c128"))).toBeLessThan(1e-13);
    const { right } = split(t, [0], { absorb: "left" });
    const R = right.reshape([right.shape[0]!, -1]);
    expect(distance(matmul(R, R, { adjointB: true }), eye(R.shape[0]!, R.shape[0]!, "c128"))).toBeLessThan(1e-13);
  });

  it("truncates with svd and reports the discarded weight; absorb 'none' returns σ apart", () => {
    const t = fillTensor([8, 9], "f64", 3);
    const { left, right, s, info } = split(t, [0], { maxRank: 3, absorb: "none" });
    expect(left.shape).toEqual([8, 3]);
    expect(s!.length).toBe(3);
    const rec = matmul(matmul(left, new Tensor("f64", [3, 3], Float64Array.from([s![0]!, 0, 0, 0, s![1]!, 0, 0, 0, s![2]!]))), right);
    expect(Math.abs(distance(rec, t) - info!.discardedNorm)).toBeLessThan(1e-12);
  });

  it("rejects unknown methods, absorb modes and truncation for exact methods", () => {
    const t = fillTensor([3, 3], "f64", 4);
    expect(() => split(t, [0], { method: "cholesky" })).toThrow(/unknown method "cholesky"; registered: svd, qr/);
    expect(() => split(t, [0], { absorb: "middle" as never })).toThrow(ArgumentError);
    expect(() => split(t, [0], { method: "qr", maxRank: 2 })).toThrow(/does not truncate/);
    expect(() => split(t, [5])).toThrow(/out of range/);
    expect(splitMethods()).toEqual(expect.arrayContaining(["svd", "qr", "lq", "eigh"]));
  });
});
