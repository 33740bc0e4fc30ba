/**
 * The state-kind-specific half of a problem run: one step of the chosen integrator, the
 * observables, the full state for reference errors, and the exact (bit-for-bit) encoding of the
 * state for checkpoints. {@link runProblem} drives a {@link Stepper} and knows nothing of trees
 * or matrices.
 * @module
 */
import { ArgumentError, FormatError } from "../errors.js";
import { decodeNpy, encodeNpy } from "../linalg/io/npy.js";
import type { Tensor } from "../linalg/tensor.js";
import { advanceMatrix, matrixIntegrator, type MatrixIntegratorName } from "../integrators/matrix/integrate.js";
import { lowRankToDense, type LowRankMatrix } from "../integrators/matrix/state.js";
import type { StepReport, TruncationPolicy } from "../integrators/types.js";
import type { SubstepOptions } from "../integrators/solvers/substep.js";
import { TTN_INTEGRATORS, type TtnIntegratorName } from "../integrators/ttn/integrate.js";
import { expectation } from "../tn/operators/environments.js";
import { Ttno } from "../tn/operators/ttno.js";
import { decodeTtn, encodeTtn } from "../tn/io.js";
import type { Ttn } from "../tn/ttn.js";
import type { MatrixModel, ProblemModel, RejectionSetting, TtnModel } from "./problem.js";

/** Integrator names by state kind. */
export const MATRIX_INTEGRATOR_NAMES: readonly MatrixIntegratorName[] = ["ksl", "ksl-strang", "bug", "bug-adaptive", "parallel-bug", "midpoint-bug"];

/** Settings a stepper needs. */
export interface StepperSettings {
  integrator: string;
  truncation: TruncationPolicy;
  workers: number;
  substep?: SubstepOptions;
  rejection?: RejectionSetting;
}

/** One integrator bound to one problem's right-hand side, over an opaque state. */
export interface Stepper<S> {
  step(y: S, t: number, h: number): { y: S; report: StepReport };
  observe(t: number, y: S): Record<string, number>;
  full(y: S): Tensor;
  maxRank(y: S): number;
  encode(y: S): Uint8Array;
  decode(bytes: Uint8Array): S;
  /** File extension of an encoded state. */
  readonly extension: string;
}

/**
 * The integrator names a model kind accepts.
 *
 * @example
 * ```ts
 * console.assert(integratorNames("ttn").join() === "parallel-bug,bug,fixed-bug" && integratorNames("matrix").includes("ksl"));
 * ```
 */
export function integratorNames(kind: ProblemModel["kind"]): readonly string[] {
  return kind === "ttn" ? Object.keys(TTN_INTEGRATORS) : MATRIX_INTEGRATOR_NAMES;
}

/**
 * The stepper for a model.
 *
 * @throws {@link ArgumentError} for an integrator the model's kind does not have.
 */
export function makeStepper(model: ProblemModel, settings: StepperSettings): Stepper<unknown> {
  const names = integratorNames(model.kind);
  if (!names.includes(settings.integrator)) {
    throw new ArgumentError(`unknown integrator ${JSON.stringify(settings.integrator)} for a ${model.kind === "ttn" ? "tree-network" : "matrix"} problem; expected one of ${names.join(", ")}`);
  }
  return (model.kind === "ttn" ? ttnStepper(model, settings) : matrixStepper(model, settings)) as Stepper<unknown>;
}

const realPart = (x: number | { re: number }): number => (typeof x === "number" ? x : x.re);

function ttnStepper(model: TtnModel, settings: StepperSettings): Stepper<Ttn> {
  const step = TTN_INTEGRATORS[settings.integrator as TtnIntegratorName];
  const options = {
    truncation: settings.truncation, workers: settings.workers,
    ...(settings.substep ? { substep: settings.substep } : {}),
    ...(settings.rejection ? { rejection: settings.rejection } : {}),
  };
  const observables = Object.entries(model.observables ?? {});
  return {
    extension: "ttn",
    step: (y, t, h) => {
      const r = step(y, model.rhs, t, h, options);
      return { y: r.y, report: r.report };
    },
    observe: (t, y) => Object.fromEntries(observables.map(([name, o]) => [name, o instanceof Ttno ? realPart(expectation(o, y)) : o(t, y)])),
    full: (y) => y.toFull(),
    maxRank: (y) => y.maxRank(),
    encode: (y) => encodeTtn(y),
    decode: (bytes) => decodeTtn(bytes).ttn,
  };
}

// A matrix state in a checkpoint: three .npy blobs, each preceded by its byte length (u32 LE).
function encodeLowRank(y: LowRankMatrix): Uint8Array {
  const parts = [y.U, y.S, y.V].map(encodeNpy);
  const out = new Uint8Array(parts.reduce((s, p) => s + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length, true);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

function decodeLowRank(bytes: Uint8Array): LowRankMatrix {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: Tensor[] = [];
  let at = 0;
  for (let k = 0; k < 3; k++) {
    if (at + 4 > bytes.length) throw new FormatError(`low-rank state: truncated at factor ${k}`);
    const n = view.getUint32(at, true);
    if (at + 4 + n > bytes.length) throw new FormatError(`low-rank state: factor ${k} is cut short`);
    tensors.push(decodeNpy(bytes.subarray(at + 4, at + 4 + n)));
    at += 4 + n;
  }
  return { U: tensors[0]!, S: tensors[1]!, V: tensors[2]! };
}

function matrixStepper(model: MatrixModel, settings: StepperSettings): Stepper<LowRankMatrix> {
  if (settings.workers > 1) throw new ArgumentError(`workers = ${settings.workers}: matrix problems run their sub-steps in the calling thread (write the problem on the two-leaf tree [0, 1] to use workers)`);
  const integrator = matrixIntegrator(settings.integrator as MatrixIntegratorName, model.rhs, settings.substep ? { substep: settings.substep } : {});
  const r = settings.rejection;
  const rejection = r === undefined ? undefined : {
    ...(r.enabled !== undefined ? { enabled: r.enabled } : {}), ...(r.c !== undefined ? { etaConstant: r.c } : {}), ...(r.max !== undefined ? { maxRejections: r.max } : {}),
  };
  const observables = Object.entries(model.observables ?? {});
  return {
    extension: "lowrank",
    step: (y, t, h) => {
      const r = advanceMatrix(integrator, y, t, h, { truncation: settings.truncation, ...(rejection ? { rejection } : {}) });
      return { y: r.state, report: r.report };
    },
    observe: (t, y) => Object.fromEntries(observables.map(([name, o]) => [name, o(t, y)])),
    full: (y) => lowRankToDense(y),
    maxRank: (y) => y.S.shape[0]!,
    encode: encodeLowRank,
    decode: decodeLowRank,
  };
}
