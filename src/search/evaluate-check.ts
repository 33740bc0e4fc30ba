/**
 * Checks of the evaluation task's payload and output as they come off a job queue: a worker
 * must refuse a malformed job with a clear message instead of crashing in the middle of a fit,
 * and the submitting search must refuse a malformed result instead of ranking it.
 * @module
 */
import { Tensor } from "../linalg/tensor.js";
import type { EvaluationPayload } from "./evaluate-task.js";
import { NetworkStructure } from "./network/structure.js";

// Limits far above any search arbor runs, low enough that a job cannot ask for hours of work.
const MAX_RESTARTS = 1000;
const MAX_SWEEPS = 1_000_000;
const MAX_ESCAPES = 1000;
const MAX_RANK = 4096;

const wholeIn = (x: unknown, lo: number, hi: number): boolean => Number.isSafeInteger(x) && (x as number) >= lo && (x as number) <= hi;

// The structure, or a message that says what is wrong with it.
function structureOf(p: Partial<EvaluationPayload>): NetworkStructure | string {
  if (!Array.isArray(p.dims) || !Array.isArray(p.ranks) || !Array.isArray(p.perm)) return "dims, ranks and perm must be arrays";
  if (p.ranks.some((row) => !Array.isArray(row) || row.some((r) => !wholeIn(r, 1, MAX_RANK)))) return `ranks must be whole numbers in 1…${MAX_RANK}`;
  try {
    return new NetworkStructure(p.dims, p.ranks, p.perm);
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * What is wrong with an evaluation payload, or `undefined` if it can be run.
 */
export function evaluationPayloadProblem(payload: unknown): string | undefined {
  if (payload === null || typeof payload !== "object") return "the payload must be an object";
  const p = payload as Partial<EvaluationPayload>;
  const s = structureOf(p);
  if (typeof s === "string") return `bad structure: ${s}`;
  if (!(p.target instanceof Tensor) || p.target.dtype !== "f64") return "target must be a real (f64) tensor";
  if (p.target.shape.join() !== s.dims.join()) return `the target's shape ${p.target.shape.join("×")} is not the structure's ${s.dims.join("×")}`;
  if (!wholeIn(p.restarts, 1, MAX_RESTARTS)) return `restarts must be a whole number in 1…${MAX_RESTARTS}, got ${JSON.stringify(p.restarts)}`;
  if (!wholeIn(p.fitSweeps, 1, MAX_SWEEPS)) return `fitSweeps must be a whole number in 1…${MAX_SWEEPS}, got ${JSON.stringify(p.fitSweeps)}`;
  if (!wholeIn(p.escapes, 0, MAX_ESCAPES)) return `escapes must be a whole number in 0…${MAX_ESCAPES}, got ${JSON.stringify(p.escapes)}`;
  if (!wholeIn(p.seed, 0, Number.MAX_SAFE_INTEGER)) return `seed must be a whole number ≥ 0, got ${JSON.stringify(p.seed)}`;
  if (p.fitMethod !== undefined && p.fitMethod !== "als" && p.fitMethod !== "lm") return `fitMethod must be "als" or "lm", got ${JSON.stringify(p.fitMethod)}`;
  return undefined;
}

/**
 * What is wrong with an evaluation's output for `payload` (one core per vertex, of the
 * structure's shapes, and an error that is not negative: NaN passes, as it would in-process), or `undefined` if it is sound.
 */
export function evaluationOutputProblem(output: unknown, payload: EvaluationPayload): string | undefined {
  if (output === null || typeof output !== "object") return "the output must be an object";
  const { cores, rse } = output as { cores?: unknown; rse?: unknown };
  if (typeof rse !== "number" || rse < 0) return `rse must be a number ≥ 0, got ${JSON.stringify(rse)}`;
  const s = new NetworkStructure(payload.dims, payload.ranks, payload.perm);
  if (!Array.isArray(cores) || cores.length !== s.numVertices) return `expected ${s.numVertices} cores, got ${Array.isArray(cores) ? cores.length : JSON.stringify(cores)}`;
  for (let v = 0; v < s.numVertices; v++) {
    const c: unknown = cores[v];
    if (!(c instanceof Tensor) || c.dtype !== "f64" || c.shape.join() !== s.coreShape(v).join()) {
      return `core ${v} must be an f64 tensor of shape ${s.coreShape(v).join("×")}, got ${c instanceof Tensor ? `${c.dtype} ${c.shape.join("×")}` : JSON.stringify(c)}`;
    }
  }
  return undefined;
}
