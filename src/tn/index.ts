// The tree layer: trees, tree tensor networks and tree operators, built on the dense layer.
export { Tree, type TreeSpec } from "./tree.js";
export { Ttn, type TtnDType } from "./ttn.js";
export { addTtn, innerMatrices, innerTtn, normTtn, scaleTtn } from "./algebra.js";
export { feasibleRanks, productTtn, randomTtn, type RandomTtnOptions, type RankSpec } from "./construct.js";
export { entries, entry } from "./evaluate.js";
export { subtreeTensor, toFull } from "./full.js";
export { fromFull, fromFunction, type HsvdResult } from "./hsvd.js";
export { isOrthonormal, orthonormalize, orthonormalizeTowards } from "./orthonormalize.js";
export { edgeSingularValues, truncateTtn, type TtnTruncation, type TtnTruncationOptions } from "./truncate.js";
export { SumOfProducts, pauli, type FactorSpec, type ProductTerm } from "./operators/sum-of-products.js";
export { longRangeIsing, onsite, pairCouplings, transverseFieldIsing, type IsingParameters, type LongRangeIsingParameters } from "./operators/spin.js";
export { Ttno, type TtnoOptions } from "./operators/ttno.js";
export { applyTtno } from "./operators/apply.js";
export { applyTruncated, type ApplyTruncated, type ApplyTruncatedOptions } from "./operators/apply-truncated.js";
export { OperatorEnvironments, expectation, matrixElement } from "./operators/environments.js";
export { decodeTtn, encodeTtn, loadTtn, saveTtn, type TtnFile } from "./io.js";
export { projectFullOntoNode } from "./project.js";
export { padRanks } from "./pad.js";
