import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../../src/errors.js";
import { singularValues } from "../../src/linalg/decomp/svd.js";
import { add, scale } from "../../src/linalg/elementwise.js";
import { distance, norm, vdot } from "../../src/linalg/norms.js";
import { Tensor, tensor } from "../../src/linalg/tensor.js";
import { unfold } from "../../src/linalg/unfold.js";
import { addTtn, innerTtn, normTtn, scaleTtn } from "../../src/tn/algebra.js";
import { feasibleRanks, productTtn, randomTtn } from "../../src/tn/construct.js";
import { fromFull, fromFunction } from "../../src/tn/hsvd.js";
import { isOrthonormal, orthonormalize, orthonormalizeTowards } from "../../src/tn/orthonormalize.js";
import { edgeSingularValues, truncateTtn } from "../../src/tn/truncate.js";
import { projectFullOntoNode } from "../../src/tn/project.js";
import { Tree } from "../../src/tn/tree.js";
import { Ttn } from "../../src/tn/ttn.js";
import { fillTensor } from "../helpers/reference.js";
import { namedTrees, randomTree } from "../helpers/trees.js";

const DTYPES = ["f64", "c128"] as const;

function dimsFor(d: number, seed: number): number[] {
  return Array.from({ length: d }, (_, m) => 2 + ((m * 7 + seed) % 3));
}

describe("Ttn construction and validation", () => {
  it("rejects node tensors that do not fit the tree", () => {
    const tree = Tree.tucker(2);
    const good = [new Tensor("f64", [1, 2, 3]), new Tensor("f64", [4, 2]), new Tensor("f64", [5, 3])];
    expect(() => new Ttn(tree, [4, 5], good)).not.toThrow();
    expect(() => new Ttn(tree, [4, 6], good)).toThrow(/leaf 2 \(mode 1, size 6\) needs a basis of shape \[6, r\]/);
    expect(() => new Ttn(tree, [4, 5], [good[0]!, new Tensor("f64", [4, 3]), good[2]!])).toThrow(/rank 3 at the node but 2 at its parent 0/);
    expect(() => new Ttn(tree, [4, 5], [new Tensor("f64", [2, 2, 3]), good[1]!, good[2]!])).toThrow(/axis 0 must have size 1/);
    expect(() => new Ttn(tree, [4, 5], [good[0]!, good[1]!.astype("c128"), good[2]!])).toThrow(DTypeError);
    expect(() => new Ttn(tree, [4], good)).toThrow(ShapeError);
  });

  it("caps requested ranks at what the tree can carry", () => {
    const tree = Tree.balancedBinary(4);
    const r = feasibleRanks(tree, [2, 2, 2, 2], 10);
    expect(r[tree.leaf(0)]).toBe(2);
    expect(r[tree.children(tree.root)[0]!]).toBe(4);
    const y = randomTtn(tree, [2, 2, 2, 2], 10, 1);
    expect(y.maxRank()).toBe(4);
    expect(() => randomTtn(tree, [2, 2, 2], 2, 1)).toThrow(ShapeError);
  });

  it("builds product states exactly", () => {
    const vs = [tensor([1, 2]), tensor([{ re: 0, im: 1 }, 1]), tensor([3, 0, -1])];
    const y = productTtn(Tree.tensorTrain(3), vs);
    expect(y.dtype).toBe("c128");
    expect(y.entry([1, 0, 2])).toEqual({ re: 0, im: -2 }); // 2 · i · (−1)
    expect(y.maxRank()).toBe(1);
  });
});

describe("Ttn against dense computations (d ≤ 6, ranks ≤ 4, several trees, real and complex)", () => {
  for (const dtype of DTYPES)
    for (const [name, tree] of namedTrees(5)) {
      const dims = dimsFor(5, 1);
      const x = randomTtn(tree, dims, 3, 11, { dtype, normalize: false });
      const y = randomTtn(tree, dims, 4, 12, { dtype, normalize: false });
      const X = x.toFull(), Y = y.toFull();

      it(`${dtype} ${name}: inner, norm, add, scale`, () => {
        const ref = vdot(X, Y);
        const got = innerTtn(x, y);
        if (typeof ref === "number") expect(Math.abs((got as number) - ref)).toBeLessThan(1e-13 * norm(X) * norm(Y));
        else expect(Math.hypot((got as { re: number }).re - ref.re, (got as { im: number }).im - ref.im)).toBeLessThan(1e-13 * norm(X) * norm(Y));
        expect(Math.abs(normTtn(y) - norm(Y))).toBeLessThan(1e-13 * norm(Y));
        expect(distance(addTtn(x, y).toFull(), add(X, Y))).toBeLessThan(1e-13 * (norm(X) + norm(Y)));
        expect(distance(scaleTtn(y, { re: 0.5, im: -2 }).toFull(), scale(Y, { re: 0.5, im: -2 }))).toBeLessThan(1e-13 * norm(Y) * 3);
      });

      it(`${dtype} ${name}: orthonormalize keeps the tensor and makes every non-root node orthonormal`, () => {
        const z = orthonormalize(scaleTtn(addTtn(x, y), 3));
        expect(isOrthonormal(z)).toBe(true);
        expect(distance(z.toFull(), scale(add(X, Y), 3))).toBeLessThan(1e-12 * norm(add(X, Y)) * 3);
        for (const center of [tree.leaf(2), tree.children(tree.root)[0]!]) {
          const c = orthonormalizeTowards(y, center);
          expect(isOrthonormal(c, { center })).toBe(true);
          expect(distance(c.toFull(), Y)).toBeLessThan(1e-12 * norm(Y));
          // The centre holds the whole norm.
          expect(Math.abs(norm(c.tensors[center]!) - norm(Y))).toBeLessThan(1e-12 * norm(Y));
        }
      });

      it(`${dtype} ${name}: edge singular values match the dense matricisations`, () => {
        const s = edgeSingularValues(y);
        for (const v of tree.edges()) {
          const dense = singularValues(unfold(Y, tree.subtreeModes(v) as number[]));
          const k = s[v]!.length;
          for (let i = 0; i < k; i++) expect(Math.abs(s[v]![i]! - dense[i]!)).toBeLessThan(1e-12 * norm(Y));
          for (let i = k; i < dense.length; i++) expect(dense[i]!).toBeLessThan(1e-12 * norm(Y));
        }
      });

      it(`${dtype} ${name}: truncation meets its error bound, keeps orthonormality, is exact without truncation`, () => {
        const exact = truncateTtn(y);
        expect(distance(exact.ttn.toFull(), Y)).toBeLessThan(1e-12 * norm(Y));
        for (const opts of [{ maxRank: 2 }, { tol: 0.05, mode: "norm" as const }, { tol: 0.01 }]) {
          const t = truncateTtn(y, opts);
          expect(t.ttn.isOrthonormal()).toBe(true);
          expect(distance(t.ttn.toFull(), Y)).toBeLessThanOrEqual(t.errorBound * (1 + 1e-9) + 1e-12 * norm(Y));
          if ("maxRank" in opts) expect(t.ttn.maxRank()).toBeLessThanOrEqual(2);
        }
      });

      it(`${dtype} ${name}: entries agree with the full tensor`, () => {
        const idx = Array.from({ length: 40 }, (_, s) => dims.map((n, m) => (s * (m + 3) + m) % n));
        const v = y.entries(idx);
        const w = dtype === "c128" ? 2 : 1;
        idx.forEach((ix, s) => {
          const want = Y.get(...ix);
          if (w === 1) expect(Math.abs(v.data[s]! - (want as number))).toBeLessThan(1e-14 * norm(Y));
          else {
            const z = want as { re: number; im: number };
            expect(Math.hypot(v.data[2 * s]! - z.re, v.data[2 * s + 1]! - z.im)).toBeLessThan(1e-14 * norm(Y));
          }
        });
        expect(() => y.entries([[0, 0, 0, 0, 99]])).toThrow(/99 for mode 4/);
        expect(() => y.entries([[0, 0]])).toThrow(/2 entries for 5 modes/);
      });
    }
});

describe("hierarchical SVD (fromFull)", () => {
  it("is exact without truncation and meets √(2d−3)·ϑ on binary trees (real and complex)", () => {
    for (const dtype of DTYPES)
      for (const d of [3, 4, 6]) {
        const tree = Tree.balancedBinary(d);
        const A = fillTensor(dimsFor(d, 2), dtype, d);
        const exact = fromFull(A, tree);
        expect(distance(exact.ttn.toFull(), A)).toBeLessThan(1e-12 * norm(A));
        for (const theta of [0.05, 0.2, 1]) {
          const { ttn, errorBound, edges } = fromFull(A, tree, { tol: theta, mode: "norm" });
          const err = distance(ttn.toFull(), A);
          expect(err).toBeLessThanOrEqual(errorBound * (1 + 1e-10) + 1e-13);
          expect(errorBound).toBeLessThanOrEqual(Math.sqrt(2 * d - 3) * theta * (1 + 1e-12));
          for (const v of tree.edges()) expect(edges[v]!.discardedNorm).toBeLessThanOrEqual(theta + 1e-15);
        }
      }
  });

  it("reaches the requested total error with scope: 'total'", () => {
    const tree = Tree.tensorTrain(5);
    const A = fillTensor([3, 3, 3, 3, 3], "f64", 9);
    const { ttn } = fromFull(A, tree, { tol: 0.3, mode: "norm", scope: "total" });
    expect(distance(ttn.toFull(), A)).toBeLessThanOrEqual(0.3);
  });

  it("finds exact low ranks of structured tensors (from a function)", () => {
    const tree = randomTree(5, 3);
    const { ttn } = fromFunction(tree, [2, 3, 2, 3, 2], (i) => Math.sin(i[0]! + 2 * i[1]! + 0.5 * i[2]! + i[3]! - i[4]!), { tol: 1e-12, mode: "rnorm" });
    // sin(a + b + …) has rank 2 across every cut.
    expect(ttn.maxRank()).toBe(2);
    expect(Math.abs((ttn.entry([1, 2, 0, 1, 1]) as number) - Math.sin(1 + 4 + 0 + 1 - 1))).toBeLessThan(1e-12);
  });

  it("rejects mismatched tensors", () => {
    expect(() => fromFull(fillTensor([2, 2], "f64", 1), Tree.tucker(3))).toThrow(/for a tree over 3 modes/);
    expect(() => fromFull(tensor([[NaN, 1], [1, 1]]), Tree.tucker(2))).toThrow(/non-finite/);
  });
});

describe("properties over random trees (fast-check)", () => {
  const networkCase = fc.record({
    d: fc.integer({ min: 2, max: 6 }),
    treeSeed: fc.integer({ min: 1, max: 1e6 }),
    dims: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
    rank: fc.integer({ min: 1, max: 4 }),
    complex: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e6 }),
  });

  it("norm, orthonormalisation, truncation and entries agree with the dense tensor", () => {
    fc.assert(
      fc.property(networkCase, ({ d, treeSeed, dims, rank, complex, seed }) => {
        const tree = randomTree(d, treeSeed);
        const sizes = dims.slice(0, d);
        const y = randomTtn(tree, sizes, rank, seed, { dtype: complex ? "c128" : "f64", normalize: false });
        const Y = y.toFull();
        const scaleY = Math.max(norm(Y), 1e-300);
        expect(Math.abs(y.norm() - norm(Y))).toBeLessThan(1e-12 * scaleY);
        const z = y.orthonormalize();
        expect(z.isOrthonormal()).toBe(true);
        expect(distance(z.toFull(), Y)).toBeLessThan(1e-12 * scaleY);
        const t = y.truncate({ maxRank: Math.max(1, rank - 1) });
        expect(t.ttn.isOrthonormal()).toBe(true);
        expect(distance(t.ttn.toFull(), Y)).toBeLessThanOrEqual(t.errorBound * (1 + 1e-9) + 1e-12 * scaleY);
        const first = sizes.map(() => 0), lastIdx = sizes.map((n) => n - 1);
        const e = y.entries([first, lastIdx]);
        const w = complex ? 2 : 1;
        const want = [Y.get(...first), Y.get(...lastIdx)];
        want.forEach((v, s) => {
          const got = w === 1 ? e.data[s]! : Math.hypot(e.data[2 * s]!, e.data[2 * s + 1]!);
          const ref = typeof v === "number" ? v : Math.hypot(v.re, v.im);
          if (w === 1) expect(Math.abs(got - ref)).toBeLessThan(1e-13 * scaleY);
          else expect(Math.abs(got - ref)).toBeLessThan(1e-13 * scaleY);
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe("numerical edge cases", () => {
  it("handles a zero network and rank-one products in truncation", () => {
    const tree = Tree.balancedBinary(4);
    const z = scaleTtn(randomTtn(tree, [2, 2, 2, 2], 2, 1), 0);
    expect(z.norm()).toBe(0);
    const t = truncateTtn(z, { tol: 1e-10 });
    expect(t.ttn.maxRank()).toBe(1);
    expect(norm(t.ttn.toFull())).toBe(0);
  });
});

describe("projectFullOntoNode", () => {
  it("is the adjoint of replacing a node: ⟨X[v←t], G⟩ = ⟨t, P_v G⟩ at every node, real and complex", () => {
    for (const [name, tree] of namedTrees(5))
      for (const dtype of DTYPES) {
        const dims = [2, 3, 2, 2, 3];
        const x = randomTtn(tree, dims, 2, 3, { dtype });
        const G = fillTensor(dims, "c128", 4);
        for (let v = 0; v < tree.numNodes; v++) {
          const t = fillTensor(x.tensors[v]!.shape.slice(), dtype, 10 + v) as Tensor<"f64" | "c128">;
          const lhs = vdot(x.withTensors(new Map([[v, t as never]])).toFull(), G) as { re: number; im: number };
          const rhs = vdot(t, projectFullOntoNode(tree, x.tensors, v, G)) as { re: number; im: number };
          expect(Math.hypot(lhs.re - rhs.re, lhs.im - rhs.im), `${name} ${dtype} node ${v}`).toBeLessThan(1e-12);
        }
      }
  });
});

describe("normalize", () => {
  it("gives norm 1 in the tree gauge and the same direction; a zero network is an error", () => {
    for (const [name, tree] of namedTrees(5))
      for (const dtype of DTYPES) {
        const y = randomTtn(tree, [2, 3, 2, 2, 3], 3, 8, { dtype });
        const u = y.normalize();
        expect(Math.abs(u.norm() - 1), name).toBeLessThan(1e-14);
        expect(u.isOrthonormal()).toBe(true);
        expect(distance(scale(u.toFull(), y.norm()), y.toFull())).toBeLessThan(1e-12 * y.norm());
      }
    const tree = Tree.balancedBinary(2);
    expect(() => Ttn.product(tree, [tensor([0, 0]), tensor([1, 0])]).normalize()).toThrow(/zero/);
  });
});
