/**
 * The job types a queue worker runs: arbor's own registered tasks and nothing else. A job
 * names its type; the worker looks the name up here and runs the task that arbor's own modules
 * register (see {@link queueJobModuleUrl}) — the module is never taken from the job, so no code
 * travels through the queue.
 * Each type checks its payload (worker side, before any work) and its result (submitter side,
 * before the search uses it).
 * @module
 */
import { compiledModuleUrl } from "../pool/module-url.js";
import { registerTask } from "../pool/registry.js";
import { evaluationOutputProblem, evaluationPayloadProblem } from "../../search/evaluate-check.js";
import type { EvaluationPayload } from "../../search/evaluate-task.js";
// Imported for its registration of "search/evaluate" in every thread that imports this module.
import "../../search/evaluate-task.js";
// "problems/run-point" is registered by problems/sweep-task.js, which job threads import through
// job-modules.ts with the problems it runs; importing it here would load the integrators into
// every thread that checks jobs.
import { RUN_POINT_TASK, sweepPointPayloadProblem, sweepPointResultProblem, type SweepPointPayload } from "../../problems/sweep-check.js";

/** A job type a queue worker runs. */
export interface QueueJobType {
  /** What is wrong with a payload (tensors resolved), or `undefined`. */
  payloadProblem(payload: unknown): string | undefined;
  /** What is wrong with a result for a (sound) payload, or `undefined`. */
  resultProblem(result: unknown, payload: unknown): string | undefined;
}

/** Payload of the diagnostic job "queue/echo". */
interface EchoPayload {
  value: number;
  /** Busy milliseconds before answering (at most 10 000): a job that takes a known time. */
  spinMs?: number;
}

const MAX_SPIN_MS = 10_000;

// The diagnostic job: returns its value, after spinning `spinMs`. It measures what the queue
// itself costs per job, and gives the fault tests jobs of a known length.
function echo(p: EchoPayload): { value: number } {
  const until = performance.now() + (p.spinMs ?? 0);
  while (performance.now() < until) {
    // busy on purpose: the job occupies its thread like a fit would
  }
  return { value: p.value };
}
registerTask("queue/echo", echo as never);

const catalogue: Readonly<Record<string, QueueJobType>> = {
  "search/evaluate": {
    payloadProblem: evaluationPayloadProblem,
    resultProblem: (result, payload) => evaluationOutputProblem(result, payload as EvaluationPayload),
  },
  "queue/echo": {
    payloadProblem: (p) => {
      const { value, spinMs } = (p ?? {}) as Partial<EchoPayload>;
      if (typeof value !== "number") return "value must be a number";
      if (spinMs !== undefined && !(Number.isFinite(spinMs) && spinMs >= 0 && spinMs <= MAX_SPIN_MS)) return `spinMs must be in 0…${MAX_SPIN_MS}`;
      return undefined;
    },
    resultProblem: (r, p) => (Object.is((r as Partial<EchoPayload> | null)?.value, (p as EchoPayload).value) ? undefined : "the echo differs from the value sent"),
  },
  [RUN_POINT_TASK]: {
    payloadProblem: sweepPointPayloadProblem,
    resultProblem: (result, payload) => sweepPointResultProblem(result, payload as SweepPointPayload),
  },
};

/**
 * The names of the job types a queue worker runs.
 *
 * @example
 * ```ts
 * console.assert(QUEUE_JOB_NAMES.includes("search/evaluate") && QUEUE_JOB_NAMES.includes("problems/run-point") && !QUEUE_JOB_NAMES.includes("toString"));
 * ```
 */
export const QUEUE_JOB_NAMES: readonly string[] = Object.keys(catalogue);

/** The job type named `name`, or `undefined` for a name no worker runs. */
export function queueJobType(name: string): QueueJobType | undefined {
  return Object.hasOwn(catalogue, name) ? catalogue[name] : undefined;
}

/**
 * URL of the module whose import registers every catalogued task and loads the built-in
 * problems that sweep points run (for a worker thread; see `job-modules.ts`).
 */
export function queueJobModuleUrl(): string {
  return compiledModuleUrl(import.meta.url, "./job-modules.js");
}

/**
 * Why a worker refuses the job `name` with `payload` (its tensors resolved), or `undefined`
 * if it runs it: the name must be one of arbor's queue job types and the payload sound.
 *
 * @example
 * ```ts
 * console.assert(queueJobProblem("queue/echo", { value: 1 }) === undefined);
 * console.assert(/unknown job type "shell\/exec"/.test(queueJobProblem("shell/exec", { cmd: "rm -rf /" })!));
 * console.assert(/bad structure/.test(queueJobProblem("search/evaluate", { dims: [3, 3], ranks: [[1]], perm: [0] })!));
 * ```
 */
export function queueJobProblem(name: string, payload: unknown): string | undefined {
  const type = queueJobType(name);
  if (type === undefined) return `unknown job type ${JSON.stringify(name)}: arbor workers run only ${QUEUE_JOB_NAMES.join(", ")}`;
  return type.payloadProblem(payload);
}
