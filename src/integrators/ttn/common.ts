import { ArgumentError, NonFiniteError } from "../../errors.js";
import { allFinite } from "../../linalg/elementwise.js";
import { inThreadRunner, workerPool, type TaskRunner } from "../../backend/pool/pool.js";
import type { Tensor } from "../../linalg/tensor.js";
import type { Ttn } from "../../tn/ttn.js";
import { solveSubstep, type SubstepOptions } from "../solvers/substep.js";
import { checkStep, mergeStats, noStats, type StepReport, type SubstepStats, type TruncationPolicy } from "../types.js";
import { ReducedProblems, type NodeProblemKind } from "./reduced.js";
import { Restriction } from "./restriction.js";
import { checkTtnRhs, type TtnRhs } from "./rhs.js";
import { substepCost, ttnTask, type SolvedSubstep } from "./tasks.js";

/** Options of the tree-network BUG steps. */
export interface TtnStepOptions {
  /** Truncation of the rank-adaptive integrators (ignored by fixed-rank BUG). */
  truncation?: TruncationPolicy;
  substep?: SubstepOptions;
  /**
   * Threads that solve independent sub-problems at once, the calling thread included (default
   * 1: one after another). More than 1 starts a shared pool of worker threads; results are
   * bit-identical to `workers: 1`. Needs an operator right-hand side (a callback is a function,
   * which cannot be sent to another thread).
   */
  workers?: number;
  /** Runs the independent sub-problems instead of the pool `workers` picks (advanced). */
  runner?: TaskRunner;
  /** Parallel BUG step rejection: reject if h·η > c·ϑ (default c = 10); at most `max` retries (default 3). */
  rejection?: { c?: number; max?: number; enabled?: boolean };
  /**
   * Parallel BUG off-diagonal blocks (one new child index):
   * - `"evolved"` (default): the child's new directions with the coefficients its own evolved
   *   sub-problem gives them (a leaf: Ũᴴ·K(t₁); an inner node: the new part of its assembled
   *   tensor), mapped into the parent by the restriction's QR factor — on a matrix ([0, 1])
   *   exactly the blocks Ũᴴ·K(t₁), L(t₁)ᴴ·Ṽ of Ceruti–Kusch–Lubich 2024;
   * - `"euler"`: h·F(t₀, Y⁰) projected onto those directions, as in the TTN paper's codes.
   * Both are first order; "euler" has local errors O(h²·‖F′‖), several hundred times the
   * "evolved" ones on the long-range Ising chain.
   */
  offDiagonal?: "evolved" | "euler";
}

/** A step's result: the truncated state, the augmented untruncated one, and the report. */
export interface TtnStep {
  y: Ttn;
  /** The augmented state before truncation (ranks up to twice the old ones). */
  augmented: Ttn;
  report: StepReport;
}

/** Checks a step's arguments. */
export function prepareStep(y: Ttn, rhs: TtnRhs, t0: number, h: number, options: TtnStepOptions): TaskRunner {
  checkStep(t0, h);
  checkTtnRhs(rhs, y);
  y.tensors.forEach((t, v) => {
    if (!allFinite(t)) throw new NonFiniteError(`integrator: the state's tensor at node ${v} (shape [${t.shape.join(", ")}]) has a non-finite entry`);
  });
  const runner = options.runner ?? (options.workers === undefined || options.workers === 1 ? inThreadRunner : workerPool(checkWorkers(options.workers)));
  if (runner.threads > 1 && rhs.kind !== "ttno") {
    throw new ArgumentError(`workers = ${runner.threads} needs an operator right-hand side (kind "ttno"): a callback F(t, Y) is a function, which worker threads cannot receive`);
  }
  return runner;
}

function checkWorkers(n: unknown): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 256) throw new ArgumentError(`workers must be an integer in 1..256, got ${String(n)}`);
  return n;
}

/** One sub-problem to solve: node v, which kind, from which initial value. */
export interface NodeProblem {
  v: number;
  kind: NodeProblemKind;
  y0: Tensor;
}

/**
 * Solves independent node sub-problems on [t0, t0 + h]: as tasks through `runner` for an
 * operator right-hand side, one after another for a callback.
 */
export function solveNodeProblems(problems: ReducedProblems, list: readonly NodeProblem[], t0: number, h: number, options: TtnStepOptions, runner: TaskRunner, aug?: readonly Tensor[]): SolvedSubstep[] {
  const substep = options.substep ?? {};
  if (problems.rhs.kind === "ttno") {
    const tasks = list.map((p) => {
      const payload = problems.substep(p.v, p.kind, p.y0, t0, t0 + h, substep, aug);
      return ttnTask("ttn/reduced-substep", payload, runner.threads, substepCost(payload));
    });
    return runner.run(tasks) as SolvedSubstep[];
  }
  return list.map((p) => solveSubstep({ y0: p.y0, t0, t1: t0 + h, f: problems.field(p.v, p.kind, aug) }, substep));
}

/** The statistics of several solves. */
export function totalStats(solved: readonly SolvedSubstep[], rhs: TtnRhs): SubstepStats {
  return solved.reduce((acc, s) => mergeStats(acc, s.stats), noStats(rhs.kind === "ttno" ? "krylov" : "dopri5"));
}

/** Wall time per phase of a step, milliseconds. */
export class PhaseTimer {
  readonly ms: Record<string, number> = {};

  time<T>(phase: string, work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.ms[phase] = (this.ms[phase] ?? 0) + performance.now() - start;
    }
  }
}

/** Node tensors of one dtype (complex if any is). */
export function unifyDTypes(tensors: Tensor[]): Tensor[] {
  const complex = tensors.some((t) => t.dtype === "c128");
  return tensors.map((t) => (complex && t.dtype !== "c128" ? t.astype("c128") : t));
}

/** Leaves, then inner nodes, each in post-order. */
export function leavesAndInner(y: Ttn): { leaves: number[]; inner: number[] } {
  const order = y.tree.postorder();
  return { leaves: order.filter((v) => y.tree.isLeaf(v)), inner: order.filter((v) => !y.tree.isLeaf(v)) };
}

/** The start that the sequential BUG steps share: Y⁰ restricted to every node, environments, leaf K-steps. */
export interface LeafStage {
  timer: PhaseTimer;
  R: Restriction;
  problems: ReducedProblems;
  leaves: number[];
  /** The leaf K-steps, in the order of `leaves`. */
  solved: SolvedSubstep[];
}

/** Restricts Y⁰, computes its environments and solves every leaf K-step (one batch). */
export function leafStage(y0: Ttn, rhs: TtnRhs, t0: number, h: number, options: TtnStepOptions, runner: TaskRunner): LeafStage {
  const timer = new PhaseTimer();
  const R = timer.time("restriction", () => new Restriction(y0));
  const problems = new ReducedProblems(rhs, R);
  const { leaves } = leavesAndInner(R.z);
  timer.time("environments", () => problems.prepareOldEnvironments(runner));
  const solved = timer.time("substeps", () => solveNodeProblems(problems, leaves.map((v) => ({ v, kind: "leaf" as const, y0: R.center[v]! })), t0, h, options, runner));
  return { timer, R, problems, leaves, solved };
}
