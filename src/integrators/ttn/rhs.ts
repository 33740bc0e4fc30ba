import { ArgumentError, ShapeError } from "../../errors.js";
import type { Complex } from "../../linalg/dtype.js";
import type { Tensor } from "../../linalg/tensor.js";
import { checkOperatorFits } from "../../tn/operators/apply.js";
import type { Ttno } from "../../tn/operators/ttno.js";
import type { Ttn } from "../../tn/ttn.js";

/**
 * The right-hand side F(t, Y) of a tree-network DLRA problem Y' = F(t, Y):
 * - `ttno`: linear and time-independent, F(Y) = scale · A·Y with A a tree operator (e.g.
 *   scale = −i for the Schrödinger equation i·Y' = A·Y with Hermitian A, `hermitian: true`).
 *   Sub-problems use the operator reduced to each node, never full tensors.
 * - `callback`: any F on full tensors (axes = modes 0…d−1), possibly nonlinear and
 *   time-dependent; sub-problems prolongate to full tensors and project back, so only for
 *   tensors that fit in memory.
 */
export type TtnRhs =
  | { kind: "ttno"; op: Ttno; scale?: number | Complex; hermitian?: boolean }
  | { kind: "callback"; f: (t: number, y: Tensor) => Tensor };

/** Throws unless `rhs` fits the network `y` (same tree and mode sizes for an operator). */
export function checkTtnRhs(rhs: TtnRhs, y: Ttn): void {
  if (rhs === null || typeof rhs !== "object") throw new ArgumentError(`right-hand side must be an object, got ${String(rhs)}`);
  if (rhs.kind === "ttno") {
    checkOperatorFits(rhs.op, y, "integrator");
    const s = rhs.scale ?? 1;
    const finite = typeof s === "number" ? Number.isFinite(s) : Number.isFinite(s.re) && Number.isFinite(s.im);
    if (!finite) throw new ArgumentError(`right-hand side scale must be finite, got ${typeof s === "number" ? String(s) : `{ re: ${s.re}, im: ${s.im} }`}`);
    return;
  }
  if (rhs.kind === "callback") {
    if (typeof rhs.f !== "function") throw new ArgumentError("callback right-hand side needs a function f(t, Y)");
    return;
  }
  throw new ArgumentError(`unknown right-hand side kind ${JSON.stringify((rhs as { kind: unknown }).kind)}; expected "ttno" or "callback"`);
}

/** Evaluates a callback right-hand side and checks what it returns. */
export function evaluateCallback(f: (t: number, y: Tensor) => Tensor, t: number, y: Tensor): Tensor {
  const out = f(t, y);
  if (out === null || typeof out !== "object" || !("shape" in out)) throw new ShapeError(`F(t, Y) returned ${String(out)}, not a tensor`);
  if (out.ndim !== y.ndim || out.shape.some((n, i) => n !== y.shape[i])) {
    throw new ShapeError(`F(t, Y) returned shape [${out.shape.join(", ")}] for Y of shape [${y.shape.join(", ")}]`);
  }
  return out;
}
