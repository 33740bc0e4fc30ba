/**
 * Checked evaluation of sub-step vector fields: every result is validated (a Tensor, the
 * state's shape, finite, a dtype that fits) so that a wrong callback fails with a message
 * naming the problem instead of corrupting a step.
 *
 * @module
 */
import { ArgumentError, DTypeError, NonFiniteError, ShapeError } from "../../errors.js";
import { formatShape, shapesEqual } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";

/** Working dtypes of the sub-step solvers (f32 input is promoted to f64). */
export type WorkDType = "f64" | "c128";

/** Thrown (and caught by the solver) when a real state meets a complex result the first time. */
export class PromoteToComplex extends Error {
  constructor() {
    super("promote to complex");
  }
}

/**
 * Validates a field or operator result for an input of `shape` and `dtype`.
 * A real result for a complex state is promoted (a real derivative is a valid one); a complex
 * result for a real state throws {@link PromoteToComplex} when `mayPromote` (the caller then
 * restarts in complex arithmetic), a DTypeError otherwise.
 */
export function checkResult(
  r: unknown, shape: readonly number[], dtype: WorkDType, what: string, where: string, mayPromote: boolean,
): Tensor<WorkDType> {
  if (!(r instanceof Tensor)) {
    throw new ArgumentError(`solveSubstep: the ${what} returned ${Object.prototype.toString.call(r)}, not a Tensor (${where})`);
  }
  if (!shapesEqual(r.shape, shape)) {
    throw new ShapeError(`solveSubstep: the ${what} returned shape ${formatShape(r.shape)} for a state of shape ${formatShape(shape)} (${where})`);
  }
  let out: Tensor = r;
  if (r.dtype === "c128" && dtype !== "c128") {
    if (mayPromote) throw new PromoteToComplex();
    throw new DTypeError(
      `solveSubstep: the ${what} returned a c128 tensor for a real ${dtype} state after returning real ones (${where}); ` +
        `pass a c128 y0 for a complex problem`,
    );
  }
  if (r.dtype !== dtype) out = r.astype(dtype);
  const d = out.data;
  for (let i = 0; i < d.length; i++) {
    const x = d[i]!;
    if (x - x !== 0) throw new NonFiniteError(`solveSubstep: the ${what} returned a non-finite value (${x}) at flat index ${out.dtype === "c128" ? i >> 1 : i} (${where})`);
  }
  return out as Tensor<WorkDType>;
}

/** Euclidean norm of a word array (complex words interleaved), plain sum of squares. */
export function wordNorm(d: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return Math.sqrt(s);
}
