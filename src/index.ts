/**
 * arbor: tree tensor networks and dynamical low-rank integrators for TypeScript.
 *
 * This root module re-exports the public API. The dense layer (`src/linalg`) holds tensors,
 * contractions and decompositions; `src/backend` holds the kernels and their threads.
 *
 * @example
 * ```ts
 * import { randn, svd, matmul, diag, distance } from "arbor";
 * const A = randn([6, 4], 1);
 * const { U, s, Vh } = svd(A);
 * console.assert(distance(matmul(matmul(U, diag(s)), Vh), A) < 1e-13);
 * ```
 * @module
 */
export * from "./linalg/index.js";
export * from "./tn/index.js";
export * from "./integrators/index.js";
export * from "./search/index.js";
export * from "./completion/index.js";
export {
  ArborError,
  ArgumentError,
  ConvergenceError,
  DTypeError,
  FormatError,
  NonFiniteError,
  ShapeError,
} from "./errors.js";
export { getNumThreads, setNumThreads } from "./backend/cpu/threads.js";
export { measureFlops } from "./backend/cpu/flops.js";
export { GpuUnavailableError, type BackendChoice, type BackendName, type ComputeBackend, type Precision } from "./backend/compute/backend.js";
export { selectBackend, type BackendSelection, type CrossoverTable, type SelectOptions } from "./backend/compute/select.js";
export { closeWorkerPools, inThreadRunner, WorkerPool, workerPool, type PortableTask, type RunOptions, type TaskRunner } from "./backend/pool/pool.js";
export { registerTask } from "./backend/pool/registry.js";
export { tensorBlob, tensorFromBlob, type TensorBlob } from "./backend/queue/blob.js";
export { QUEUE_JOB_NAMES, queueJobProblem } from "./backend/queue/job-catalogue.js";
export { QueueRunner, type QueueRunnerOptions } from "./backend/queue/queue-runner.js";
export { parseRedisUrl, redactRedisUrl, type RedisSettings, type RedisTlsSettings, type RedisUrlOptions } from "./backend/queue/redis-url.js";
export { queueJobId } from "./backend/queue/wire.js";
export { linePlotSvg, type LinePlotOptions, type PlotSeries } from "./io/svg-plot.js";
export * from "./problems/index.js";
