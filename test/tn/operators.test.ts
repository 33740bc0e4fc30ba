import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../../src/errors.js";
import { eigvalsh } from "../../src/linalg/decomp/eigh.js";
import { matmul } from "../../src/linalg/matmul.js";
import { distance, norm, vdot } from "../../src/linalg/norms.js";
import { Tensor, tensor } from "../../src/linalg/tensor.js";
import { randomTtn } from "../../src/tn/construct.js";
import { applyTtno } from "../../src/tn/operators/apply.js";
import { applyTruncated } from "../../src/tn/operators/apply-truncated.js";
import { truncateTtn } from "../../src/tn/truncate.js";
import { OperatorEnvironments, expectation, matrixElement } from "../../src/tn/operators/environments.js";
import { longRangeIsing, onsite, pairCouplings, transverseFieldIsing } from "../../src/tn/operators/spin.js";
import { SumOfProducts, pauli } from "../../src/tn/operators/sum-of-products.js";
import { Ttno } from "../../src/tn/operators/ttno.js";
import { Tree } from "../../src/tn/tree.js";
import { Ttn } from "../../src/tn/ttn.js";
import { fillTensor } from "../helpers/reference.js";
import { namedTrees, randomTree } from "../helpers/trees.js";

type Scalar = number | { re: number; im: number };
const re = (z: Scalar): number => (typeof z === "number" ? z : z.re);
const im = (z: Scalar): number => (typeof z === "number" ? 0 : z.im);
const absDiff = (a: Scalar, b: Scalar): number => Math.hypot(re(a) - re(b), im(a) - im(b));

/** A mixed operator: on-site, nearest-neighbour, a 3-site term, complex Y terms, c·I, duplicates. */
function mixedOperator(d: number): SumOfProducts {
  const H = transverseFieldIsing({ sites: d, J: 0.7, hx: -0.4, hz: 0.3 });
  H.add(0.25, { 0: pauli.X, [d - 1]: pauli.Y }); // complex long-range term
  H.add({ re: 0, im: 0.5 }, { 1: pauli.Z, 2: pauli.X, [d - 1]: pauli.Z }); // complex coefficient, 3 sites
  H.add(1.5); // c·I
  H.add(0.7, { 0: pauli.Z, 1: pauli.Z }); // a duplicate of an existing term
  H.add(-0.2, { 2: Tensor.fromArray([[0, 1], [1, 0]]) }); // σx given as a different object
  return H;
}

describe("SumOfProducts", () => {
  it("builds dense matrices by Kronecker products (hand-checked two-site case)", () => {
    const H = new SumOfProducts([2, 2]).add(2, { 0: pauli.Z, 1: pauli.Z }).add(1, { 1: pauli.X });
    // 2·Z⊗Z + I⊗X in the basis |00⟩, |01⟩, |10⟩, |11⟩.
    expect(H.toMatrix().toArray()).toEqual([[2, 1, 0, 0], [1, -2, 0, 0], [0, 0, -2, 1], [0, 0, 1, 2]]);
  });

  it("validates its terms", () => {
    const H = new SumOfProducts([2, 3]);
    expect(() => H.add(1, { 1: pauli.X })).toThrow(/factor on mode 1 must be a 3×3 matrix, got \[2, 2\]/);
    expect(() => H.add(1, { 2: pauli.X })).toThrow(/mode 2 is out of range 0…1/);
    expect(() => H.add(NaN, { 0: pauli.X })).toThrow(ArgumentError);
    expect(() => H.add(1, [[0, pauli.X], [0, pauli.Z]])).toThrow(/mode 0 has two factors/);
    expect(() => H.add(1, { 0: tensor([[1, NaN], [0, 1]]) })).toThrow(/non-finite/);
    expect(() => new SumOfProducts([2, 0])).toThrow(ShapeError);
    expect(() => longRangeIsing({ sites: 1 })).toThrow(/number of sites ≥ 2/);
  });

  it("has the textbook spectrum for the transverse-field Ising chain", () => {
    // Two sites, H = −Z₀Z₁ − X₀ − X₁: eigenvalues ±√5 and ±1.
    const e = eigvalsh(transverseFieldIsing({ sites: 2 }).toMatrix());
    expect(Array.from(e).map((x) => Math.round(x * 1e12) / 1e12)).toEqual([-Math.sqrt(5), -1, 1, Math.sqrt(5)].map((x) => Math.round(x * 1e12) / 1e12));
  });
});

describe("Ttno from sums of products (state diagram)", () => {
  for (const [name, tree] of namedTrees(6)) {
    it(`${name}: the exact operator equals the dense sum, compressed too`, () => {
      const H = mixedOperator(6);
      const dense = H.toMatrix();
      const exact = Ttno.fromSumOfProducts(tree, H, { compress: false });
      expect(distance(exact.toMatrix(), dense)).toBeLessThan(1e-12 * norm(dense));
      const compressed = Ttno.fromSumOfProducts(tree, H);
      expect(distance(compressed.toMatrix(), dense)).toBeLessThan(1e-11 * norm(dense));
      expect(compressed.maxRank()).toBeLessThanOrEqual(exact.maxRank());
    });
  }

  it("long-range Ising: exact on 8 sites, bond ≤ |S| + 2 before compression", () => {
    const tree = Tree.balancedBinary(8);
    const H = longRangeIsing({ sites: 8 });
    const exact = Ttno.fromSumOfProducts(tree, H, { compress: false });
    for (const v of tree.edges()) expect(exact.rank(v)).toBeLessThanOrEqual(tree.subtreeModes(v).length + 2);
    expect(distance(exact.toMatrix(), H.toMatrix())).toBeLessThan(1e-12 * norm(H.toMatrix()));
  });

  it("compresses long-range Ising on 32 and 64 sites (binary tree) to small ranks", () => {
    for (const sites of [32, 64]) {
      const tree = Tree.balancedBinary(sites);
      const H = longRangeIsing({ sites });
      const exact = Ttno.fromSumOfProducts(tree, H, { compress: false });
      const c13 = Ttno.fromSumOfProducts(tree, H);
      const c8 = Ttno.fromSumOfProducts(tree, H, { compress: { tol: 1e-8, mode: "rnorm" } });
      expect(exact.maxRank()).toBe(sites / 2 + 2);
      expect(c13.maxRank()).toBeLessThan(exact.maxRank());
      expect(c8.maxRank()).toBeLessThanOrEqual(c13.maxRank());
    }
  });

  it("identity operator acts as the identity", () => {
    const tree = randomTree(5, 4);
    const y = randomTtn(tree, [2, 3, 2, 2, 3], 3, 1, { dtype: "c128" });
    const I = Ttno.identity(tree, [2, 3, 2, 2, 3]);
    expect(distance(I.apply(y).toFull(), y.toFull())).toBeLessThan(1e-14);
  });
});

describe("applying operators and expectation values", () => {
  for (const [name, tree] of namedTrees(6))
    for (const dtype of ["f64", "c128"] as const) {
      it(`${name} ${dtype}: A·Y, ⟨X|A|Y⟩ and ⟨Y|A|Y⟩/⟨Y|Y⟩ agree with dense results`, () => {
        const H = mixedOperator(6);
        const op = Ttno.fromSumOfProducts(tree, H);
        const A = H.toMatrix();
        const x = randomTtn(tree, new Array(6).fill(2), 3, 5, { dtype, normalize: false });
        const y = randomTtn(tree, new Array(6).fill(2), 2, 6, { dtype, normalize: false });
        const Y = y.toFull().reshape([64]), X = x.toFull().reshape([64]);
        const AY = matmul(A, Y);
        expect(distance(applyTtno(op, y).toFull().reshape([64]), AY)).toBeLessThan(1e-12 * norm(A) * norm(Y));
        expect(absDiff(matrixElement(x, op, y), vdot(X, AY))).toBeLessThan(1e-12 * norm(A) * norm(X) * norm(Y));
        const e = expectation(op, y);
        const ref = vdot(Y, AY);
        const yy = re(vdot(Y, Y));
        expect(absDiff(e, { re: re(ref) / yy, im: im(ref) / yy })).toBeLessThan(1e-12 * norm(A));
      });
    }

  it("magnetisation of an all-up product state is 1", () => {
    const tree = Tree.balancedBinary(8);
    const up = tensor([1, 0]);
    const y = Ttn.product(tree, new Array(8).fill(up));
    const mz = Ttno.fromSumOfProducts(tree, onsite(8, pauli.Z, () => 1 / 8));
    expect(expectation(mz, y)).toBeCloseTo(1, 14);
  });
});

describe("OperatorEnvironments: reduced operators", () => {
  for (const [name, tree] of namedTrees(5))
    it(`${name}: ⟨u, A_v t⟩ = ⟨X[v←u]|A|Y[v←t]⟩ at every node`, () => {
      const H = mixedOperator(5);
      const op = Ttno.fromSumOfProducts(tree, H);
      const x = randomTtn(tree, new Array(5).fill(2), 2, 7, { dtype: "c128" });
      const y = randomTtn(tree, new Array(5).fill(2), 3, 8);
      const env = new OperatorEnvironments(x, op, y);
      for (let v = 0; v < tree.numNodes; v++) {
        const t = fillTensor(y.tensors[v]!.shape.slice(), "f64", 10 + v) as Tensor<"f64">;
        const u = fillTensor(x.tensors[v]!.shape.slice(), "c128", 20 + v) as Tensor<"c128">;
        const lhs = vdot(u, env.applyAt(v, t));
        const rhs = matrixElement(x.withTensors(new Map([[v, u]])), op, y.withTensors(new Map([[v, t]])));
        expect(absDiff(lhs, rhs), `node ${v}`).toBeLessThan(1e-11 * Math.max(1, Math.hypot(re(rhs), im(rhs))));
      }
    });

  it("gives the Galerkin energy at the centre of an orthonormal gauge", () => {
    const tree = Tree.balancedBinary(6);
    const op = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: 6 }));
    const y = randomTtn(tree, new Array(6).fill(2), 3, 9);
    for (const center of [tree.root, tree.leaf(3), tree.children(tree.root)[1]!]) {
      const z = y.orthonormalizeTowards(center);
      const env = new OperatorEnvironments(z, op, z);
      const C = z.tensors[center]!;
      expect(re(vdot(C, env.applyAt(center, C)))).toBeCloseTo(re(op.expectation(y)) * re(z.inner(z)), 10);
    }
  });

  it("rejects mismatched trees, sizes and tensor shapes", () => {
    const op = Ttno.fromSumOfProducts(Tree.balancedBinary(4), transverseFieldIsing({ sites: 4 }));
    const y = randomTtn(Tree.tensorTrain(4), [2, 2, 2, 2], 2, 1);
    expect(() => op.apply(y)).toThrow(/operator on .* state on/);
    const z = randomTtn(Tree.balancedBinary(4), [2, 2, 2, 3], 2, 1);
    expect(() => op.expectation(z)).toThrow(/mode sizes/);
    const w = randomTtn(Tree.balancedBinary(4), [2, 2, 2, 2], 2, 1);
    expect(() => new OperatorEnvironments(w, op, w).applyAt(0, fillTensor([2, 2], "f64", 1))).toThrow(/applyAt\(0\)/);
    expect(() => Ttno.fromSumOfProducts(Tree.balancedBinary(3), transverseFieldIsing({ sites: 4 }))).toThrow(/4 modes for a tree over 3/);
  });
});

describe("spin model builders", () => {
  it("long-range Ising matches its definition on 4 sites", () => {
    const H = longRangeIsing({ sites: 4, nu: 2, alpha: 1, Delta: 1, Omega: 1 });
    const ref = new SumOfProducts([2, 2, 2, 2]);
    for (let k = 0; k < 4; k++) ref.add(1, { [k]: pauli.X }).add(1, { [k]: pauli.N });
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) ref.add(2 / Math.abs(i - j), { [i]: pauli.N, [j]: pauli.N });
    expect(distance(H.toMatrix(), ref.toMatrix())).toBe(0);
    expect(pairCouplings(5, (i, j) => (j - i === 2 ? 1 : 0), pauli.X, pauli.X).terms.length).toBe(3);
  });
});

describe("applyTruncated (zip-up)", () => {
  it("matches exact apply + truncate when nothing needs truncating, on several trees", () => {
    for (const [name, tree] of namedTrees(5)) {
      const op = Ttno.fromSumOfProducts(tree, mixedOperator(5));
      const y = randomTtn(tree, new Array(5).fill(2), 2, 3, { dtype: "c128" });
      const exact = applyTtno(op, y).toFull();
      const fast = applyTruncated(op, y, {}).ttn.toFull();
      expect(distance(fast, exact), name).toBeLessThan(1e-12 * norm(exact));
    }
  });

  it("equals the exact truncation of A·Y at moderate caps and stays within 3× at an extreme one", () => {
    const tree = Tree.balancedBinary(8);
    const op = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: 8 }));
    for (const seed of [5, 6]) {
      const y = randomTtn(tree, new Array(8).fill(2), 4, seed);
      const AY = applyTtno(op, y);
      const full = AY.toFull();
      for (const [maxRank, factor] of [[3, 3], [6, 1.01], [10, 1.01]] as const) {
        const errExact = distance(truncateTtn(AY, { maxRank }).ttn.toFull(), full);
        const fast = applyTruncated(op, y, { maxRank });
        expect(fast.ttn.maxRank()).toBeLessThanOrEqual(maxRank);
        expect(distance(fast.ttn.toFull(), full)).toBeLessThanOrEqual(factor * errExact + 1e-12 * norm(full));
      }
    }
    expect(() => applyTruncated(op, randomTtn(tree, new Array(8).fill(2), 2, 1), { oversample: 0.5 })).toThrow(/oversample must be a number ≥ 1/);
  });
});
