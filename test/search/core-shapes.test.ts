// Core-shape selection (Tucker and tree networks) against independent references: brute-force
// enumeration of rank tuples, truncated HOSVDs computed here from plain SVDs, planted models.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArgumentError, NonFiniteError, ShapeError } from "../../src/errors.js";
import { svd } from "../../src/linalg/decomp/svd.js";
import { add, scale } from "../../src/linalg/elementwise.js";
import { distance, norm } from "../../src/linalg/norms.js";
import { adjoint } from "../../src/linalg/permute.js";
import { randn } from "../../src/linalg/random.js";
import { slice } from "../../src/linalg/slice.js";
import { Tensor } from "../../src/linalg/tensor.js";
import { modeProduct, unfold } from "../../src/linalg/unfold.js";
import { fromFull } from "../../src/tn/hsvd.js";
import { Tree } from "../../src/tn/tree.js";
import { Ttn } from "../../src/tn/ttn.js";
import { treeCoreShape, treeSpectra } from "../../src/search/core-shapes-tree.js";
import { tuckerCoreShape, tuckerSpectra, type TuckerSpectra } from "../../src/search/core-shapes.js";
import { lcg } from "../helpers/reference.js";

// ---- references ----

const tuckerParams = (dims: readonly number[], r: readonly number[]): number =>
  r.reduce((p, x) => p * x, 1) + r.reduce((s, x, n) => s + dims[n]! * x, 0);

/** Every tuple r with 1 ≤ r_k ≤ lengths[k]. */
function* tuples(lengths: readonly number[]): Generator<number[]> {
  const r = lengths.map(() => 1);
  for (;;) {
    yield r.slice();
    let k = r.length - 1;
    while (k >= 0 && r[k] === lengths[k]) r[k--] = 1;
    if (k < 0) return;
    r[k]!++;
  }
}

const prefix = (s: ArrayLike<number>, r: number): number => {
  let e = 0;
  for (let i = 0; i < r; i++) e += s[i]!;
  return e;
};
const total = (s: ArrayLike<number>): number => prefix(s, s.length);

/** Brute force over all rank tuples: the best kept energy within the budget. */
function bruteBudget(sp: TuckerSpectra, budget: number): { energy: number; ranks: number[] } {
  let best = { energy: -1, ranks: [] as number[] };
  for (const r of tuples(sp.sigma2.map((s) => s.length))) {
    if (tuckerParams(sp.dims, r) > budget) continue;
    const e = r.reduce((acc, x, n) => acc + prefix(sp.sigma2[n]!, x), 0);
    if (e > best.energy) best = { energy: e, ranks: r };
  }
  return best;
}

/** Brute force: the fewest parameters whose discarded energy is ≤ target. */
function bruteTarget(sp: TuckerSpectra, target: number): number {
  let best = Infinity;
  for (const r of tuples(sp.sigma2.map((s) => s.length))) {
    const discarded = r.reduce((acc, x, n) => acc + total(sp.sigma2[n]!) - prefix(sp.sigma2[n]!, x), 0);
    if (discarded <= target) best = Math.min(best, tuckerParams(sp.dims, r));
  }
  return best;
}

/** Random spectra: decreasing, some with exact zeros, lengths ≤ the mode sizes. */
const spectraArb = fc
  .array(fc.record({ dim: fc.integer({ min: 1, max: 6 }), len: fc.integer({ min: 1, max: 6 }), decay: fc.double({ min: 0.05, max: 1, noNaN: true }), zeros: fc.integer({ min: 0, max: 2 }), seed: fc.nat() }), { minLength: 2, maxLength: 4 })
  .map((modes): TuckerSpectra => {
    const sigma2 = modes.map(({ dim, len, decay, zeros, seed }) => {
      const r = lcg(seed);
      const n = Math.min(dim, len);
      const s = Array.from({ length: n }, (_, i) => (i >= n - zeros && i > 0 ? 0 : Math.pow(decay, i) * (0.5 + r())));
      return Float64Array.from(s.sort((a, b) => b - a));
    });
    return { dims: modes.map((m) => m.dim), sigma2, norm2: Math.max(...sigma2.map(total)) };
  });

/** The truncated HOSVD error ‖X − X̂‖ for every rank tuple, from the full mode SVDs. */
function hosvdErrors(X: Tensor): (r: readonly number[]) => number {
  const U = X.shape.map((_, n) => svd(unfold(X, [n])).U);
  const nx = norm(X);
  return (r) => {
    let core: Tensor = X;
    r.forEach((k, n) => (core = modeProduct(core, adjoint(slice(U[n]!, [null, [0, k]])), n)));
    let full: Tensor = core;
    r.forEach((k, n) => (full = modeProduct(full, slice(U[n]!, [null, [0, k]]), n)));
    return distance(full, X) / nx;
  };
}

/** A Tucker tensor G ×_n A_n with Gaussian core and factors, plus relative noise. */
function plantedTucker(dims: number[], ranks: number[], noise: number, seed: number, decay = 1): Tensor {
  let G = randn(ranks, seed);
  if (decay !== 1) {
    // Grade the core so that the mode spectra decay.
    const g = G.data;
    const strides = ranks.map((_, n) => ranks.slice(n + 1).reduce((p, x) => p * x, 1));
    for (let e = 0; e < g.length; e++) {
      let w = 1;
      ranks.forEach((rn, n) => (w *= Math.pow(decay, Math.floor(e / strides[n]!) % rn)));
      g[e] = g[e]! * w;
    }
  }
  let X: Tensor = G;
  dims.forEach((n, k) => (X = modeProduct(X, randn([n, ranks[k]!], seed + 1 + k), k)));
  const E = randn(dims, seed + 100);
  return add(X, scale(E, (noise * norm(X)) / norm(E)));
}

/** Parameters of a tree network with ranks by node id (independent of the library's cost). */
function treeParams(tree: Tree, dims: readonly number[], r: readonly number[]): number {
  let s = 0;
  for (let v = 0; v < tree.numNodes; v++) {
    if (tree.isLeaf(v)) s += dims[tree.mode(v)]! * r[v]!;
    else s += (v === tree.root ? 1 : r[v]!) * tree.children(v).reduce((p, c) => p * r[c]!, 1);
  }
  return s;
}

// ---- Tucker ----

describe("tuckerCoreShape: the exact solver", () => {
  it("equals brute-force enumeration on random spectra (budget)", () => {
    fc.assert(
      fc.property(spectraArb, fc.double({ min: 0, max: 1, noNaN: true }), (sp, f) => {
        const lo = tuckerParams(sp.dims, sp.dims.map(() => 1));
        const hi = tuckerParams(sp.dims, sp.sigma2.map((s) => s.length));
        const budget = Math.floor(lo + f * (hi - lo));
        const res = tuckerCoreShape(sp, { budget, method: "exact" });
        const ref = bruteBudget(sp, budget);
        const tot = sp.sigma2.reduce((a, s) => a + total(s), 0);
        expect(res.method).toBe("exact");
        expect(res.parameters).toBeLessThanOrEqual(budget);
        expect(res.parameters).toBe(tuckerParams(sp.dims, res.ranks));
        expect(Math.abs(res.capturedEnergy - ref.energy)).toBeLessThanOrEqual(1e-12 * tot);
        expect(Math.abs(res.capturedEnergy + res.discardedEnergy - tot)).toBeLessThanOrEqual(1e-12 * tot);
      }),
      { numRuns: 300, seed: 20230 },
    );
  });

  it("equals brute-force enumeration on random spectra (error target)", () => {
    fc.assert(
      fc.property(spectraArb, fc.double({ min: 0, max: 1, noNaN: true }), (sp, f) => {
        const tot = sp.sigma2.reduce((a, s) => a + total(s), 0);
        const targetRse = Math.sqrt((f * tot) / sp.norm2);
        const res = tuckerCoreShape(sp, { targetRse, method: "exact" });
        // The brute force gets the same target in discarded energy (with room for rounding).
        expect(res.parameters).toBe(bruteTarget(sp, targetRse * targetRse * sp.norm2 * (1 + 1e-12)));
        expect(res.errorBound).toBeLessThanOrEqual(targetRse * (1 + 1e-12));
      }),
      { numRuns: 300, seed: 20231 },
    );
  });
});

describe("tuckerCoreShape: greedy bang for buck", () => {
  it("stays within the budget and close to the exact optimum on random spectra", () => {
    const r = lcg(77);
    let worstCaptured = 1, worstDiscarded = 1, optimal = 0, worstTarget = 1;
    const runs = 400;
    for (let t = 0; t < runs; t++) {
      const N = 3 + Math.floor((r() + 0.5) * 2);
      const dims = Array.from({ length: N }, () => 4 + Math.floor((r() + 0.5) * 9));
      const decay = 0.3 + 0.65 * (r() + 0.5);
      const sigma2 = dims.map((n) => Float64Array.from(Array.from({ length: n }, (_, i) => Math.pow(decay, i) * (0.5 + r())).sort((a, b) => b - a)));
      const sp: TuckerSpectra = { dims, sigma2, norm2: Math.max(...sigma2.map(total)) };
      const lo = tuckerParams(dims, dims.map(() => 1)), hi = tuckerParams(dims, dims);
      const budget = Math.floor(lo + Math.pow(r() + 0.5, 2) * (hi - lo) * 0.5);
      const g = tuckerCoreShape(sp, { budget, method: "greedy" });
      const e = tuckerCoreShape(sp, { budget, method: "exact" });
      expect(g.parameters).toBeLessThanOrEqual(budget);
      expect(g.capturedEnergy).toBeLessThanOrEqual(e.capturedEnergy * (1 + 1e-12));
      worstCaptured = Math.min(worstCaptured, g.capturedEnergy / e.capturedEnergy);
      if (g.discardedEnergy > 0) worstDiscarded = Math.max(worstDiscarded, g.discardedEnergy / e.discardedEnergy);
      if (g.discardedEnergy <= e.discardedEnergy * (1 + 1e-12)) optimal++;
      // The dual: the fewest parameters for an error target.
      const targetRse = e.errorBound * (1 + 1e-12);
      const gt = tuckerCoreShape(sp, { targetRse, method: "greedy" });
      const et = tuckerCoreShape(sp, { targetRse, method: "exact" });
      expect(gt.errorBound).toBeLessThanOrEqual(targetRse * (1 + 1e-12));
      expect(et.parameters).toBeLessThanOrEqual(Math.min(gt.parameters, e.parameters));
      worstTarget = Math.max(worstTarget, gt.parameters / et.parameters);
    }
    console.log(`greedy vs exact over ${runs} random cases: captured energy ≥ ${worstCaptured.toFixed(4)}× exact, discarded ≤ ${worstDiscarded.toFixed(3)}× exact, optimal in ${optimal}; for an error target, parameters ≤ ${worstTarget.toFixed(3)}× exact`);
    expect(worstCaptured).toBeGreaterThan(0.95);
    expect(worstDiscarded).toBeLessThan(2.5);
    expect(worstTarget).toBeLessThan(1.3);
  });
});

describe("tuckerCoreShape on tensors", () => {
  it("recovers planted Tucker ranks (2, 3, 4) at the budget that just allows them", () => {
    const dims = [8, 9, 10];
    const X = plantedTucker(dims, [2, 3, 4], 1e-3, 11);
    const budget = tuckerParams(dims, [2, 3, 4]);
    for (const method of ["exact", "greedy"] as const) {
      const res = tuckerCoreShape(X, { budget, method, fit: true });
      expect(res.ranks).toEqual([2, 3, 4]);
      expect(res.parameters).toBe(budget);
      expect(res.relativeError!).toBeLessThan(2e-3);
    }
    expect(tuckerCoreShape(X, { targetRse: 1e-2 }).ranks).toEqual([2, 3, 4]);
    // One parameter less and the planted shape no longer fits.
    expect(tuckerCoreShape(X, { budget: budget - 1 }).ranks).not.toEqual([2, 3, 4]);
  });

  it("bounds the truncated HOSVD error within a factor √N", () => {
    const cases: Array<[Tensor, number]> = [
      [randn([5, 6, 7], 3), 80],
      [plantedTucker([6, 5, 4, 5], [3, 2, 3, 2], 0.05, 5, 0.5), 120],
      [plantedTucker([7, 8, 6], [5, 5, 5], 0.01, 8, 0.4), 100],
      [randn([4, 5, 3], 9, { dtype: "c128" }), 40],
    ];
    let worst = 0;
    for (const [X, budget] of cases) {
      const N = X.ndim;
      const res = tuckerCoreShape(X, { budget, fit: true });
      const hooi = tuckerCoreShape(X, { budget, fit: true, hooiSweeps: 3 });
      const sp = tuckerSpectra(X);
      // The lower bound: X̂ has mode-n rank ≤ r_n, so ‖X − X̂‖² ≥ Σ_{i>r_n} σ²_{n,i} for every n.
      const lower = Math.sqrt(Math.max(...sp.sigma2.map((s, n) => total(s) - prefix(s, res.ranks[n]!)))) / Math.sqrt(sp.norm2);
      const actual = res.relativeError!;
      expect(actual).toBeCloseTo(hosvdErrors(X)(res.ranks), 12);
      expect(actual).toBeLessThanOrEqual(res.errorBound * (1 + 1e-12));
      expect(actual).toBeGreaterThanOrEqual(lower * (1 - 1e-12));
      expect(res.errorBound).toBeLessThanOrEqual(Math.sqrt(N) * actual * (1 + 1e-12));
      expect(hooi.relativeError!).toBeLessThanOrEqual(actual * (1 + 1e-12));
      expect(hooi.relativeError!).toBeGreaterThanOrEqual(lower * (1 - 1e-12));
      expect(hooi.tucker!.dtype).toBe(X.dtype === "c128" ? "c128" : "f64");
      worst = Math.max(worst, res.errorBound / actual);
    }
    console.log(`error bound / actual truncated-HOSVD error: at most ${worst.toFixed(3)}`);
  });

  it("is within a few percent of the best rank tuple by the true Tucker error (brute force)", () => {
    // [name, tensor, budgets, allowed gap]: decaying spectra (the seed paper's setting) and,
    // as a worst case for the surrogate, a structureless Gaussian tensor.
    const cases: Array<[string, Tensor, number[], number]> = [
      ["graded 6×7×8", plantedTucker([6, 7, 8], [6, 7, 8], 0.02, 21, 0.55), [40, 60, 90, 130, 180, 250, 350], 0.05],
      ["graded 5×4×5×4", plantedTucker([5, 4, 5, 4], [5, 4, 5, 4], 0.02, 23, 0.6), [30, 50, 80, 120, 180, 260], 0.05],
      ["Gaussian 6×7×8", randn([6, 7, 8], 22), [40, 60, 90, 130, 180, 250, 350], 0.15],
    ];
    const lines: string[] = [];
    for (const [name, X, budgets, allowed] of cases) {
      const err = hosvdErrors(X);
      const dims = X.shape.slice();
      let gapX = 0, greedyX = 0, rreX = 0, at = 0;
      for (const budget of budgets) {
        let best = Infinity;
        for (const r of tuples(dims)) if (tuckerParams(dims, r) <= budget) best = Math.min(best, err(r));
        const cs = tuckerCoreShape(X, { budget, method: "exact" });
        const gr = tuckerCoreShape(X, { budget, method: "greedy" });
        // The seed paper's expensive baseline: greedy +1 moves scored by the true HOSVD error.
        const r = dims.map(() => 1);
        for (;;) {
          let pick = -1, pickErr = Infinity;
          for (let n = 0; n < r.length; n++) {
            if (r[n] === dims[n]) continue;
            r[n]!++;
            if (tuckerParams(dims, r) <= budget) {
              const e = err(r);
              if (e < pickErr) [pick, pickErr] = [n, e];
            }
            r[n]!--;
          }
          if (pick < 0) break;
          r[pick]!++;
        }
        if (err(cs.ranks) / best - 1 > gapX) [gapX, at] = [err(cs.ranks) / best - 1, budget];
        greedyX = Math.max(greedyX, err(gr.ranks) / best - 1);
        rreX = Math.max(rreX, err(r) / best - 1);
      }
      const pct = (x: number): string => `+${(100 * x).toFixed(2)}%`;
      lines.push(`${name} (budgets ${budgets.join(", ")}): core shape exact ${pct(gapX)}${gapX > 0 ? ` (at ${at})` : ""}, greedy ${pct(greedyX)}, greedy on the true loss ${pct(rreX)}`);
      expect(gapX).toBeLessThan(allowed);
      expect(greedyX).toBeLessThan(allowed);
    }
    console.log(`worst gap to the best rank tuple by the true truncated-HOSVD error:\n  ${lines.join("\n  ")}`);
  });

  it("takes precomputed spectra and picks the solver automatically", () => {
    const X = plantedTucker([6, 6, 6], [3, 3, 3], 0.01, 4);
    const sp = tuckerSpectra(X);
    const a = tuckerCoreShape(X, { budget: 100 }), b = tuckerCoreShape(sp, { budget: 100 });
    expect(b).toEqual(a);
    expect(a.method).toBe("exact");
    // 20 modes of size 4: 4^19 tuples, so auto goes greedy.
    const big: TuckerSpectra = { dims: new Array(20).fill(4), sigma2: new Array(20).fill(Float64Array.of(4, 3, 2, 1)), norm2: 10 };
    expect(tuckerCoreShape(big, { budget: 200 }).method).toBe("greedy");
  });

  it("rejects bad input with clear errors", () => {
    const X = randn([4, 5, 6], 1);
    expect(() => tuckerCoreShape(X, { budget: 10 })).toThrow(/budget 10 is below the smallest core shape's size \(every rank 1: 16 parameters\)/);
    expect(() => tuckerCoreShape(X, { budget: 10 })).toThrow(ArgumentError);
    const bad = X.clone();
    bad.data[7] = NaN;
    expect(() => tuckerCoreShape(bad, { budget: 100 })).toThrow(NonFiniteError);
    expect(() => tuckerCoreShape(X, {})).toThrow(/exactly one of budget and targetRse/);
    expect(() => tuckerCoreShape(X, { budget: 100, targetRse: 0.1 })).toThrow(/exactly one/);
    expect(() => tuckerCoreShape(X, { budget: -1 })).toThrow(/budget must be a finite number/);
    expect(() => tuckerCoreShape(X, { targetRse: NaN })).toThrow(/targetRse must be/);
    expect(() => tuckerCoreShape(X, { budget: 100, method: "ip" as never })).toThrow(/method must be/);
    expect(() => tuckerCoreShape(X, { budget: 100, hooiSweeps: 1.5 })).toThrow(/hooiSweeps/);
    expect(() => tuckerCoreShape(X, { budget: 100, maxRank: 3 } as never)).toThrow(/unknown option "maxRank"/);
    expect(() => tuckerCoreShape(randn([5], 1), { budget: 100 })).toThrow(ShapeError);
    const sp = tuckerSpectra(X);
    expect(() => tuckerCoreShape(sp, { budget: 100, fit: true })).toThrow(/fit needs the tensor/);
    expect(() => tuckerCoreShape({ ...sp, sigma2: [Float64Array.of(1, 2), ...sp.sigma2.slice(1)] }, { budget: 100 })).toThrow(/non-increasing/);
    expect(() => tuckerCoreShape({ ...sp, sigma2: sp.sigma2.slice(1) }, { budget: 100 })).toThrow(ShapeError);
    expect(() => tuckerCoreShape({ ...sp, sigma2: [Float64Array.of(1, -1), ...sp.sigma2.slice(1)] }, { budget: 100 })).toThrow(/finite number ≥ 0/);
  });
});

// ---- trees ----

describe("treeCoreShape", () => {
  const tree = Tree.fromSpec([[0, 1], [2, [3, 4]]]);
  const dims = [4, 5, 4, 3, 4];
  // Planted ranks by node id: nodes 0 root, 1 [0,1], 2 leaf 0, 3 leaf 1, 4 [2,[3,4]], 5 leaf 2, 6 [3,4], 7 leaf 3, 8 leaf 4.
  const planted = [1, 3, 2, 3, 3, 2, 3, 2, 3];

  function plantedTree(noise: number, seed: number): { X: Tensor; y: Ttn } {
    const tensors = tree.preorder().map((v) => (tree.isLeaf(v) ? randn([dims[tree.mode(v)]!, planted[v]!], seed + v) : randn([planted[v]!, ...tree.children(v).map((c) => planted[c]!)], seed + v)));
    const y = new Ttn(tree, dims, tensors as Tensor<"f64">[]);
    const Y = y.toFull();
    const E = randn(dims, seed + 50);
    return { X: add(Y, scale(E, (noise * norm(Y)) / norm(E))), y };
  }

  it("recovers planted tree ranks at the budget that just allows them", () => {
    const { X, y } = plantedTree(1e-3, 3);
    const budget = treeParams(tree, dims, planted);
    expect(budget).toBe(y.numParameters());
    for (const method of ["exact", "greedy"] as const) {
      const res = treeCoreShape(X, tree, { budget, method, fit: true });
      expect(res.ranks).toEqual(planted);
      expect(res.parameters).toBe(budget);
      expect(res.ttn!.numParameters()).toBe(budget);
      expect(res.relativeError!).toBeLessThan(3e-3);
    }
    expect(treeCoreShape(X, tree, { targetRse: 1e-2 }).ranks).toEqual(planted);
  });

  it("matches brute force over edge ranks and bounds the hierarchical SVD error", () => {
    const { X } = plantedTree(0.05, 9);
    const sp = treeSpectra(X, tree);
    const edges = tree.edges().filter((v) => v !== tree.children(tree.root)[1]);
    const caps = edges.map((v) => Math.min(sp.sigma2[v]!.length, 7));
    let worst = 0;
    for (const budget of [60, 90, 140, 200]) {
      // Brute force with ranks ≤ 7 per edge: if the exact answer lies within these caps, both optima agree.
      let bestEnergy = -1;
      for (const t of tuples(caps)) {
        const r = new Array(tree.numNodes).fill(1);
        edges.forEach((v, i) => (r[v] = t[i]));
        r[tree.children(tree.root)[1]!] = r[tree.children(tree.root)[0]!];
        if (treeParams(tree, dims, r) > budget) continue;
        bestEnergy = Math.max(bestEnergy, edges.reduce((s, v) => s + prefix(sp.sigma2[v]!, r[v]), 0));
      }
      const res = treeCoreShape(X, tree, { budget, method: "exact", fit: true });
      const greedy = treeCoreShape(sp, tree, { budget, method: "greedy" });
      edges.forEach((v, i) => expect(res.ranks[v]).toBeLessThanOrEqual(caps[i]!));
      expect(res.parameters).toBe(treeParams(tree, dims, res.ranks));
      expect(res.parameters).toBeLessThanOrEqual(budget);
      expect(greedy.parameters).toBeLessThanOrEqual(budget);
      expect(Math.abs(res.capturedEnergy - bestEnergy)).toBeLessThanOrEqual(1e-12 * bestEnergy);
      expect(greedy.capturedEnergy).toBeLessThanOrEqual(res.capturedEnergy * (1 + 1e-12));
      // fromFull with these ranks: same bound, and the actual error within √E of it.
      const h = fromFull(X, tree, { maxRanks: res.ranks });
      expect(h.errorBound / norm(X)).toBeCloseTo(res.errorBound, 12);
      expect(res.relativeError!).toBeLessThanOrEqual(res.errorBound * (1 + 1e-12));
      expect(res.errorBound).toBeLessThanOrEqual(Math.sqrt(edges.length) * res.relativeError! * (1 + 1e-12));
      worst = Math.max(worst, res.errorBound / res.relativeError!);
    }
    console.log(`tree: error bound / actual hierarchical-SVD error at most ${worst.toFixed(3)} (√E = ${Math.sqrt(edges.length).toFixed(3)})`);
  });

  it("rounds a network from its own edge spectra, as from its full tensor", () => {
    const t = Tree.tensorTrain(5);
    const y = Ttn.random(t, [3, 3, 3, 3, 3], 6, 12);
    const a = treeCoreShape(y, t, { budget: 120, fit: true });
    const b = treeCoreShape(y.toFull(), t, { budget: 120, fit: true });
    expect(a.ranks).toEqual(b.ranks);
    expect(a.relativeError!).toBeCloseTo(b.relativeError!, 10);
    expect(a.ttn!.numParameters()).toBeLessThanOrEqual(120);
    expect(distance(a.ttn!.toFull(), y.toFull()) / y.norm()).toBeCloseTo(a.relativeError!, 12);
    // The two edges at a two-child root share one rank.
    const [c0, c1] = t.children(t.root);
    expect(a.ranks[c0!]).toBe(a.ranks[c1!]);
    // On the star tree, the tree selection is the Tucker one.
    const X = plantedTucker([5, 6, 7], [2, 3, 3], 0.05, 2);
    const star = treeCoreShape(X, Tree.tucker(3), { budget: 70 });
    const tucker = tuckerCoreShape(X, { budget: 70 });
    expect(star.ranks.slice(1)).toEqual(tucker.ranks);
    expect(star.errorBound).toBeCloseTo(tucker.errorBound, 12);
  });

  it("rejects bad input with clear errors", () => {
    const X = randn([3, 3, 3, 3], 1);
    const t4 = Tree.balancedBinary(4);
    expect(() => treeCoreShape(X, Tree.balancedBinary(5), { budget: 100 })).toThrow(/shape \[3, 3, 3, 3\] for a tree over 5 modes/);
    expect(() => treeCoreShape(X, t4, { budget: 5 })).toThrow(/below the smallest core shape's size \(every rank 1: 15 parameters\)/);
    const y = Ttn.random(Tree.tensorTrain(4), [3, 3, 3, 3], 2, 1);
    expect(() => treeCoreShape(y, t4, { budget: 100 })).toThrow(ShapeError);
    const sp = treeSpectra(X, t4);
    expect(() => treeCoreShape(sp, Tree.tensorTrain(4), { budget: 100 })).toThrow(/spectra belong to the tree/);
    expect(() => treeCoreShape(sp, t4, { budget: 100, fit: true })).toThrow(/fit needs/);
    expect(() => treeSpectra(X)).toThrow(/needs a tree/);
    const bad = X.clone();
    bad.data[0] = Infinity;
    expect(() => treeCoreShape(bad, t4, { targetRse: 0.1 })).toThrow(NonFiniteError);
  });
});
