import { ArgumentError } from "../../errors.js";
import type { TaskRunner } from "../../backend/pool/pool.js";
import { norm } from "../../linalg/norms.js";
import type { Tensor } from "../../linalg/tensor.js";
import { truncateTtn } from "../../tn/truncate.js";
import { Ttn, type TtnDType } from "../../tn/ttn.js";
import { mergeStats, noStats, resolveTruncationPolicy, truncationOptions, type SubstepStats } from "../types.js";
import { padTo } from "../../linalg/slice.js";
import type { AssembledLeaf, AssembledNode, NodeAssemblyInput } from "./assemble-node.js";
import { leavesAndInner, PhaseTimer, prepareStep, solveNodeProblems, totalStats, type TtnStep, type TtnStepOptions } from "./common.js";
import { heightLevels } from "./levels.js";
import { ReducedProblems } from "./reduced.js";
import { Restriction } from "./restriction.js";
import type { TtnRhs } from "./rhs.js";
import { ttnTask } from "./tasks.js";

/**
 * One step of the parallel BUG integrator for tree tensor networks (Ceruti, Kusch, Lubich &
 * Sulz, "A parallel basis update and Galerkin integrator for tree tensor networks", arXiv
 * 2412.00858). From Y⁰ alone, every leaf K-step and every connecting-tensor Galerkin step (in
 * the old bases) are independent: they run as one batch through the worker pool
 * (`options.workers`). Then, leaves→root, each node's augmented tensor is assembled — the old
 * block from its Galerkin step, the blocks with one new child index from the children's new
 * directions (see `offDiagonal`), blocks with two or more new indices zero — and non-root
 * nodes are augmented in their parent direction; finally the tree is truncated root→leaves
 * with ϑ. First order; error bound independent of small singular values. The step is
 * rejected and redone from Y⁰ written in the augmented bases if some edge's rank doubled
 * (below maxRank) or h·η > c·ϑ, η = ‖F(t₀, Y⁰) on the dropped blocks‖ (two or more new indices).
 *
 * @example
 * ```ts
 * const tree = Tree.balancedBinary(4);
 * const H = Ttno.fromSumOfProducts(tree, longRangeIsing({ sites: 4 }));
 * const up = Ttn.product(tree, new Array(4).fill(tensor([1, 0])));
 * const step = ttnParallelBugStep(up, { kind: "ttno", op: H, scale: { re: 0, im: -1 }, hermitian: true }, 0, 0.05, { truncation: { theta: 1e-8 } });
 * console.assert(step.y.maxRank() > 1 && Math.abs(step.y.norm() - 1) < 1e-6);
 * ```
 */
export function ttnParallelBugStep(y0: Ttn, rhs: TtnRhs, t0: number, h: number, options: TtnStepOptions = {}): TtnStep {
  const runner = prepareStep(y0, rhs, t0, h, options);
  if (options.truncation === undefined) throw new ArgumentError("parallel BUG needs a truncation policy (theta, maxRank)");
  const trunc = resolveTruncationPolicy(options.truncation, h);
  const c = options.rejection?.c ?? 10;
  const maxRejections = options.rejection?.enabled === false ? 0 : options.rejection?.max ?? 3;
  if (!(c > 0)) throw new ArgumentError(`rejection.c must be > 0, got ${String(c)}`);
  if (!Number.isInteger(maxRejections) || maxRejections < 0) throw new ArgumentError(`rejection.max must be an integer ≥ 0, got ${String(maxRejections)}`);
  const started = performance.now();
  const timer = new PhaseTimer();
  let y = y0;
  let stats = noStats(rhs.kind === "ttno" ? "krylov" : "dopri5");
  for (let rejections = 0; ; rejections++) {
    const attempt = parallelAttempt(y, rhs, t0, h, options, runner, timer);
    stats = mergeStats(stats, attempt.stats);
    const result = timer.time("truncation", () => truncateTtn(attempt.augmented, truncationOptions(trunc)));
    // The paper's rule: a rank that doubled may want to grow further than one augmentation allows.
    const oldRanks = attempt.oldRanks;
    const doubled = result.ttn.tree.edges().some((v) => result.ttn.rank(v) === 2 * oldRanks[v]! && (trunc.maxRank === undefined || result.ttn.rank(v) < trunc.maxRank));
    // ϑ in absolute terms (relative mode: times ‖Ŷ‖, the augmented root's norm in the tree gauge).
    const thetaAbs = trunc.mode === "rnorm" ? trunc.tol * norm(attempt.augmented.tensors[attempt.augmented.tree.root]!) : trunc.tol;
    const etaTooLarge = h * attempt.eta > c * thetaAbs;
    if ((doubled || etaTooLarge) && rejections < maxRejections) {
      y = attempt.restart;
      continue;
    }
    return {
      y: result.ttn,
      augmented: attempt.augmented,
      report: {
        t: t0, h, ranks: result.ttn.ranks(),
        discardedWeight: result.edges.reduce((s, e) => s + (e?.discardedWeight ?? 0), 0),
        truncation: trunc, rejections, eta: attempt.eta, substeps: stats,
        wallMs: performance.now() - started, phases: timer.ms,
      },
    };
  }
}

interface Attempt {
  augmented: Ttn;
  /** Y⁰ written in the augmented bases (the zero-padded old root): the restart after a rejection. */
  restart: Ttn;
  oldRanks: number[];
  eta: number;
  stats: SubstepStats;
}

function parallelAttempt(y: Ttn, rhs: TtnRhs, t0: number, h: number, options: TtnStepOptions, runner: TaskRunner, timer: PhaseTimer): Attempt {
  const R = timer.time("restriction", () => new Restriction(y));
  const problems = new ReducedProblems(rhs, R);
  const { leaves, inner } = leavesAndInner(R.z);
  timer.time("environments", () => problems.prepareOldEnvironments(runner));
  // Every leaf and node problem is independent of the others: one batch.
  const solved = timer.time("substeps", () =>
    solveNodeProblems(problems, [
      ...leaves.map((v) => ({ v, kind: "leaf" as const, y0: R.center[v]! })),
      ...inner.map((v) => ({ v, kind: "old" as const, y0: R.center[v]! })),
    ], t0, h, options, runner));
  const solvedAt = new Map<number, Tensor>();
  [...leaves, ...inner].forEach((v, i) => solvedAt.set(v, solved[i]!.y));
  const assembled = timer.time("assembly", () => assemble(R, problems, solvedAt, t0, h, options.offDiagonal === "euler", runner));
  return { ...assembled, oldRanks: R.z.ranks(), stats: totalStats(solved, rhs) };
}

// Leaves→root, a level at a time (each level one batch): the augmented tensors from the solved
// sub-problems (see ttnParallelBugStep and assemble-node.ts).
function assemble(R: Restriction, problems: ReducedProblems, solvedAt: Map<number, Tensor>, t0: number, h: number, euler: boolean, runner: TaskRunner): { augmented: Ttn; restart: Ttn; eta: number } {
  const { tree } = R.z;
  const [leaves = [], ...innerByHeight] = heightLevels(tree);
  const oldRanks = R.z.ranks();
  const aug: Tensor[] = new Array(tree.numNodes);
  const newCoefficients: (Tensor | null)[] = new Array(tree.numNodes).fill(null);
  const operator = problems.rhs.kind === "ttno" ? problems.rhs.op : undefined;
  // Environments of subtrees with augmented bra and old ket, by node (operator rhs).
  const environment: (Tensor | null)[] = new Array(tree.numNodes).fill(null);
  const leafInputs = leaves.map((v) => ({ old: R.z.tensors[v]!, K1: solvedAt.get(v)!, ...(operator ? { op: operator.leafOperator(v) } : {}) }));
  const leafResults = runner.run(leafInputs.map((input) => ttnTask("ttn/assemble-leaf", input, runner.threads))) as AssembledLeaf[];
  leaves.forEach((v, i) => {
    aug[v] = leafResults[i]!.basis;
    newCoefficients[v] = leafResults[i]!.newCoefficients;
    environment[v] = leafResults[i]!.environment;
  });
  let dropped2 = 0;
  for (const level of innerByHeight) {
    const inputs = level.map((v): NodeAssemblyInput => ({
      isRoot: v === tree.root,
      old: R.z.tensors[v]!,
      center: R.center[v]!,
      Cbar: solvedAt.get(v)!,
      children: tree.children(v).map((c) => ({
        aug: aug[c]!, old: R.z.tensors[c]!, oldRank: oldRanks[c]!, newCoefficients: newCoefficients[c]!,
        parentTowards: R.parentTowards(c),
        ...(operator ? { environment: environment[c]! } : {}),
      })),
      ...(operator ? { op: { W: operator.network.tensors[v]!, above: problems.aboveOld(v), scale: problems.scale } } : { projected: problems.projectedRhs(v, t0, aug) }),
      h, euler,
    }));
    const results = runner.run(inputs.map((input) => ttnTask("ttn/assemble-node", input, runner.threads))) as AssembledNode[];
    level.forEach((v, i) => {
      const r = results[i]!;
      aug[v] = r.tensor;
      newCoefficients[v] = r.newCoefficients;
      environment[v] = r.environment;
      dropped2 += r.dropped2;
    });
  }
  const dtype = aug.some((t) => t.dtype === "c128") ? "c128" : "f64";
  const asDType = (t: Tensor): Tensor<TtnDType> => (t.dtype === dtype ? t : t.astype(dtype)) as Tensor<TtnDType>;
  const augmented = new Ttn(tree, R.z.dims, aug.map(asDType));
  const restartTensors = aug.slice();
  restartTensors[tree.root] = padTo(asDType(R.z.tensors[tree.root]!), aug[tree.root]!.shape);
  return { augmented, restart: new Ttn(tree, R.z.dims, restartTensors.map(asDType)), eta: Math.sqrt(dropped2) };
}
