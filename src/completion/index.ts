// Tensor completion: observed entries read from and written to the forms users bring (.tns,
// CSV, dense .npy with NaN or a mask, coordinate .npy pairs, PNG images), and the tensorisation
// of images that makes them amenable to tensor trains and rings.
export {
  formatCsv,
  formatTns,
  parseCsv,
  parseTns,
  readCsv,
  readTns,
  writeCsv,
  writeTns,
  type CsvReadOptions,
  type CsvWriteOptions,
  type TnsReadOptions,
} from "./io/coordinates.js";
export {
  observedFromCoordinateArrays,
  observedFromMask,
  observedFromNaN,
  readCoordinateNpy,
  readObservedNpy,
  type CoordinateArrayOptions,
  type ObservedNpyOptions,
} from "./io/dense.js";
export {
  decodePng,
  encodePng,
  pngInfo,
  readPng,
  writePng,
  type PngColorType,
  type PngDecodeOptions,
  type PngEncodeOptions,
  type PngInfo,
} from "./io/png.js";
export {
  imageTensorLayout,
  tensoriseImage,
  untensoriseImage,
  type ImageTensorLayout,
  type ImageTensorOptions,
  type PairOrder,
  type ScaleOrder,
} from "./io/image-tensorise.js";
export { observedFromImage, type ObservedImage, type ObservedImageOptions } from "./io/observed-image.js";
// What image-completion results are judged by: PSNR and SSIM (scikit-image's conventions).
export { psnr, ssim, type SsimOptions } from "./image-metrics.js";
// Comparison methods: the EM-imputation baseline (fill, TT-SVD truncate, re-impose) and
// Riemannian CG on fixed-rank tensor trains (Steinlechner's RTTC).
export { completeEm, type EmOptions } from "./methods/em.js";
export { completeRttc, type RttcOptions, type RttcResult } from "./methods/rttc.js";
export {
  type CompletionMethodIteration,
  type CompletionMethodOptions,
  type CompletionMethodResult,
  type CompletionMethodStop,
} from "./methods/run-record.js";
export {
  completeTensor,
  type CompletionEndReason,
  type CompletionOptions,
  type CompletionResult,
  type CompletionStructureSpec,
  type SweepRecord,
} from "./complete.js";
export { completedEntries, completedTensor, type CompletedTensorOptions } from "./completed.js";
export type { InnerSolver } from "./sweep-solver.js";
export { completeGreedy, type GreedyCandidates, type GreedyCompletionOptions, type GreedyCompletionResult } from "./greedy.js";
export { completionSplit, type CompletionSplit } from "./split.js";
