// Matrix dynamical low-rank approximation: states, right-hand sides, integrators, driver.
export { lowRankFromDense, lowRankMatrix, lowRankPad, lowRankToDense, type LowRankMatrix } from "./state.js";
export type { CallbackRhs, DataRhs, LinearRhs, LinearTerm, MatrixRhs, OperatorFactor } from "./rhs.js";
export { sequentialRunner, type SubstepRunner } from "./runner.js";
export type { MatrixStep } from "./steps.js";
export { truncateLowRank, type LowRankTruncation } from "./truncate.js";
export {
  advanceMatrix,
  integrateMatrix,
  matrixIntegrator,
  type AdvanceOptions,
  type IntegrateMatrixOptions,
  type IntegrateMatrixResult,
  type MatrixIntegrator,
  type MatrixIntegratorName,
  type MatrixIntegratorOptions,
  type RejectionOptions,
} from "./integrate.js";
