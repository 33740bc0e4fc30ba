import { ArgumentError } from "../../errors.js";
import type { Tensor } from "../../linalg/tensor.js";
import { truncateTtn } from "../../tn/truncate.js";
import { Ttn, type TtnDType } from "../../tn/ttn.js";
import { resolveTruncationPolicy, truncationOptions } from "../types.js";
import { padTo } from "../../linalg/slice.js";
import { augmentNode } from "./assembly.js";
import { augmentBasis } from "../basis.js";
import { leafStage, prepareStep, solveNodeProblems, totalStats, unifyDTypes, type TtnStep, type TtnStepOptions } from "./common.js";
import { heightLevels } from "./levels.js";
import type { TtnRhs } from "./rhs.js";

/**
 * One step of the rank-adaptive BUG integrator for tree tensor networks (Ceruti, Lubich & Sulz,
 * "Rank-adaptive time integration of tree tensor networks", SIAM J. Numer. Anal. 61 (2023)):
 * the leaf K-steps augment the leaf bases; then, leaves→root, each connecting tensor is evolved
 * by a Galerkin step in its children's augmented bases from its old centre tensor, and non-root
 * nodes augment their own basis with the result; finally the tree is truncated root→leaves
 * with ϑ. First order; robust to small singular values; for Schrödinger problems norm and
 * energy are preserved up to the truncation. With `workers` > 1 the leaf steps run as one
 * batch and the connecting tensors level by level (nodes of equal height are independent).
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const H = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: 4 }));
 * const up = Ttn.product(tree, new Array(4).fill(tensor([1, 0])));
 * const step = ttnAdaptiveBugStep(up, { kind: "ttno", op: H, scale: { re: 0, im: -1 }, hermitian: true }, 0, 0.05, { truncation: { theta: 1e-8 } });
 * console.assert(step.y.maxRank() > 1 && Math.abs(step.y.norm() - 1) < 1e-7);
 * ```
 */
export function ttnAdaptiveBugStep(y0: Ttn, rhs: TtnRhs, t0: number, h: number, options: TtnStepOptions = {}): TtnStep {
  const runner = prepareStep(y0, rhs, t0, h, options);
  if (options.truncation === undefined) throw new ArgumentError("rank-adaptive BUG needs a truncation policy (theta, maxRank)");
  const trunc = resolveTruncationPolicy(options.truncation, h);
  const started = performance.now();
  const { timer, R, problems, leaves, solved } = leafStage(y0, rhs, t0, h, options, runner);
  const { tree } = R.z;
  const aug: Tensor[] = new Array(tree.numNodes);
  timer.time("assembly", () => leaves.forEach((v, i) => (aug[v] = augmentBasis(R.z.tensors[v]!, solved[i]!.y).basis)));
  for (const level of heightLevels(tree).slice(1)) {
    const starts = level.map((v) => {
      const shape = [R.center[v]!.shape[0]!, ...tree.children(v).map((c) => (tree.isLeaf(c) ? aug[c]!.shape[1]! : aug[c]!.shape[0]!))];
      return { v, kind: "augmented" as const, y0: padTo(R.center[v]!, shape) };
    });
    const results = timer.time("substeps", () => solveNodeProblems(problems, starts, t0, h, options, runner, aug));
    solved.push(...results);
    timer.time("assembly", () => level.forEach((v, i) => (aug[v] = v === tree.root ? results[i]!.y : augmentNode(R.z.tensors[v]!, results[i]!.y).tensor)));
  }
  const augmented = new Ttn(tree, R.z.dims, unifyDTypes(aug) as Tensor<TtnDType>[]);
  const result = timer.time("truncation", () => truncateTtn(augmented, truncationOptions(trunc)));
  return {
    y: result.ttn,
    augmented,
    report: {
      t: t0, h, ranks: result.ttn.ranks(),
      discardedWeight: result.edges.reduce((s, e) => s + (e?.discardedWeight ?? 0), 0),
      truncation: trunc, rejections: 0, substeps: totalStats(solved, rhs),
      wallMs: performance.now() - started, phases: timer.ms,
    },
  };
}
