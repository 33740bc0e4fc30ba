// Dynamical low-rank integrators: shared types, sub-step solvers, the full-vector reference,
// and the matrix and tree-network (Tucker = star tree) integrators.
export { resolveTruncationPolicy, truncationOptions, type ResolvedTruncation, type StepReport, type SubstepStats, type ThetaMode, type TruncationPolicy } from "./types.js";
export { solveSubstep, type LinearGenerator, type SubstepOptions, type SubstepProblem, type VectorField } from "./solvers/substep.js";
export { referenceEvolution, type ReferenceOptions } from "./reference.js";
export {
  advanceMatrix, integrateMatrix, lowRankFromDense, lowRankMatrix, lowRankPad, lowRankToDense, matrixIntegrator, sequentialRunner, truncateLowRank,
  type AdvanceOptions, type CallbackRhs, type DataRhs, type IntegrateMatrixOptions, type IntegrateMatrixResult, type LinearRhs, type LinearTerm,
  type LowRankMatrix, type LowRankTruncation, type MatrixIntegrator, type MatrixIntegratorName, type MatrixIntegratorOptions, type MatrixRhs,
  type MatrixStep, type OperatorFactor, type RejectionOptions, type SubstepRunner,
} from "./matrix/index.js";
export { integrateTtn, TTN_INTEGRATORS, type IntegrateTtnOptions, type TtnIntegration, type TtnIntegratorName } from "./ttn/integrate.js";
export { ttnParallelBugStep } from "./ttn/parallel-bug.js";
export { ttnAdaptiveBugStep } from "./ttn/adaptive-bug.js";
export { ttnFixedBugStep } from "./ttn/fixed-bug.js";
export type { TtnStep, TtnStepOptions } from "./ttn/common.js";
export type { TtnRhs } from "./ttn/rhs.js";
