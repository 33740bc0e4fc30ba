// Tensor-network structure search: core shapes from singular values, and general network graphs
// (ranks on edges, modes placed by a permutation) with their contraction orders and contractions.
export {
  tuckerCoreShape,
  tuckerSpectra,
  type CoreShape,
  type CoreShapeMethod,
  type CoreShapeOptions,
  type TuckerCoreShape,
  type TuckerCoreShapeOptions,
  type TuckerSpectra,
} from "./core-shapes.js";
export { treeCoreShape, treeSpectra, type TreeCoreShape, type TreeSpectra } from "./core-shapes-tree.js";
export { NetworkStructure, type NetworkEdge } from "./network/structure.js";
export { TensorNetwork, type NetworkDType, type RandomNetworkOptions } from "./network/network.js";
export {
  contractionCost,
  contractionOrder,
  pathOptimizers,
  registerPathOptimizer,
  type ContractionCost,
  type ContractionOrder,
  type ContractionPath,
  type ContractionProblem,
  type PathOptimizer,
} from "./network/contraction-order.js";
export { contractNetwork, networkContractionOrder, type ContractOptions } from "./network/contract.js";
export { networkEntries, type EntriesOptions } from "./network/entries.js";
export { coreEnvironment, fitNetwork, type FitOptions, type FitResult, type FitStop } from "./fit/als.js";
export { greedySearch, type GreedyOptions, type GreedyResult, type GreedyStep } from "./greedy.js";
export { tnaleSearch, type TnaleOptions, type TnaleResult, type TnaleRound } from "./tnale.js";
export { tnlsSearch, type TnlsOptions, type TnlsResult } from "./tnls.js";
export { evaluationsToReach, numericSeed, OBJECTIVE_SLACK, structureEvaluator, structureSeed, type Evaluation, type EvaluatorSettings, type SearchResult, type StructureEvaluator } from "./evaluator.js";
export { SearchSpace, type SearchTopology, type SpacePoint } from "./search-space.js";
export { PLANTED_TARGETS, plantedNetwork, plantedStructure, plantedTarget, type PlantedOptions, type PlantedTarget, type PlantedTargetName } from "./planted.js";
export { cpToFull, fitCp, type CpOptions, type CpResult, type CpStop } from "./fit/cp.js";
export {
  observedEntries, observedFromTensor, observedRse, sampleObserved, splitObserved, type ObservedEntries, type ObservedSplitOptions,
} from "./fit/observed.js";
export { fitNetworkToEntries, type EntriesFitOptions, type EntriesFitResult } from "./fit/als-observed.js";
export { fitLossGradient, fitNetworkAdam, type AdamOptions, type LossGradient } from "./fit/adam.js";
