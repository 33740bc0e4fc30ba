import { conj } from "../../linalg/elementwise.js";
import { qr } from "../../linalg/decomp/qr.js";
import { tensordot } from "../../linalg/contract.js";
import { matmul } from "../../linalg/matmul.js";
import { permute } from "../../linalg/permute.js";
import type { Tensor } from "../../linalg/tensor.js";
import { modeProduct, unfold } from "../../linalg/unfold.js";
import { Ttn, type TtnDType } from "../../tn/ttn.js";
import { leafStage, prepareStep, solveNodeProblems, totalStats, unifyDTypes, type TtnStep, type TtnStepOptions } from "./common.js";
import { heightLevels } from "./levels.js";
import type { TtnRhs } from "./rhs.js";

/**
 * One step of the fixed-rank BUG integrator for tree tensor networks (the "unconventional"
 * integrator: Ceruti & Lubich, BIT 62 (2022) for matrices; Ceruti, Lubich & Walach, SINUM 59
 * (2021) for trees): leaf K-steps give new bases U¹ = orth(K(t₁)) of the same rank;
 * leaves→root each connecting tensor is evolved in its children's new bases from its old
 * centre tensor mapped by M = ⟨new, old⟩, and non-root nodes take orth of the result as their
 * new basis. Ranks never change. First order; robust to small singular values.
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const H = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: 4 }));
 * const y = Ttn.random(tree, [2, 2, 2, 2], 2, 1, { dtype: "c128" }).normalize();
 * const step = ttnFixedBugStep(y, { kind: "ttno", op: H, scale: { re: 0, im: -1 }, hermitian: true }, 0, 0.05);
 * console.assert(step.y.ranks().join() === y.orthonormalize().ranks().join());
 * ```
 */
export function ttnFixedBugStep(y0: Ttn, rhs: TtnRhs, t0: number, h: number, options: TtnStepOptions = {}): TtnStep {
  const runner = prepareStep(y0, rhs, t0, h, options);
  const started = performance.now();
  const { timer, R, problems, leaves, solved } = leafStage(y0, rhs, t0, h, options, runner);
  const { tree } = R.z;
  const next: Tensor[] = new Array(tree.numNodes);
  const M: Tensor[] = new Array(tree.numNodes); // ⟨new subtree basis, old⟩, r × r
  timer.time("assembly", () => leaves.forEach((v, i) => {
    next[v] = qr(solved[i]!.y).Q!;
    M[v] = matmul(next[v]!, R.z.tensors[v]!, { adjointA: true });
  }));
  for (const level of heightLevels(tree).slice(1)) {
    const starts = level.map((v) => {
      let start: Tensor = R.center[v]!;
      for (const c of tree.children(v)) start = modeProduct(start, M[c]!, tree.slot(c));
      return { v, kind: "augmented" as const, y0: start };
    });
    const results = timer.time("substeps", () => solveNodeProblems(problems, starts, t0, h, options, runner, next));
    solved.push(...results);
    timer.time("assembly", () => level.forEach((v, i) => {
      const y = results[i]!.y;
      if (v === tree.root) {
        next[v] = y;
        return;
      }
      const axes = tree.children(v).map((_, k) => k + 1);
      const { Q } = qr(unfold(y, axes));
      next[v] = permute(Q!.reshape([...y.shape.slice(1), Q!.shape[1]!]), [axes.length, ...axes.map((a) => a - 1)]);
      // M_v = X¹ᴴ·X⁰: the old tensor with children mapped into the new bases, against the new one.
      let old: Tensor = R.z.tensors[v]!;
      for (const c of tree.children(v)) old = modeProduct(old, M[c]!, tree.slot(c));
      M[v] = tensordot(conj(next[v]!), old, [axes, axes]);
    }));
  }
  const y = new Ttn(tree, R.z.dims, unifyDTypes(next) as Tensor<TtnDType>[]);
  return {
    y,
    augmented: y,
    report: {
      t: t0, h, ranks: y.ranks(), discardedWeight: 0, rejections: 0, substeps: totalStats(solved, rhs),
      wallMs: performance.now() - started, phases: timer.ms,
    },
  };
}
