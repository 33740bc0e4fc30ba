// Problems as plugins: parameters, the definition a module exports, finding and running them.
export {
  checkParameterSpecs, convertParameter, parameterRecord, parseParameterAssignments, rangeText, resolveParameters,
  type BooleanParameter, type ChoiceParameter, type Expression, type ExpressionParameter, type IntegerParameter, type NumberParameter,
  type ParameterInput, type ParameterSpec, type ParameterValue, type ParameterValues,
} from "./parameters.js";
export {
  checkProblemDefinition, checkProblemModel, defineProblem, type DerivedCurve, type RunRecords,
  type MatrixModel, type MatrixObservable, type ProblemDefinition, type ProblemModel, type ProblemReference, type RejectionSetting, type RunDefaults, type SetupContext, type TtnModel, type TtnObservable,
} from "./problem.js";
export { builtinProblemNames, isProblemPath, loadBuiltinProblems, loadProblem } from "./registry.js";
export { runProblem, type RunProblemOptions, type RunProgress, type RunResult, type RunSettings, type StepRecord } from "./run.js";
export { integratorNames } from "./stepper.js";
export { recordsCsv, runPlots, summaryText } from "./report.js";
