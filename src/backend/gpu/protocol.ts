/**
 * The messages between ./worker-backend.ts (the calling thread) and ./worker.ts (the engine's
 * thread). Plain data and typed arrays only.
 * @module
 */
import type { EngineBatched, EngineGemm, EngineInfo, EngineSliceNormal } from "./engine.js";
import type { GemmTiling } from "./wgsl-gemm.js";

export type Request =
  | { op: "open" }
  | { op: "upload"; h: number; data: Float32Array }
  | { op: "zeros"; h: number; length: number }
  | { op: "write"; h: number; data: Float32Array; offset: number }
  | { op: "read"; h: number; offset: number; length: number }
  | { op: "free"; h: number }
  | { op: "gemm"; spec: EngineGemm }
  | { op: "batched"; spec: EngineBatched }
  | { op: "sliceNormal"; spec: EngineSliceNormal }
  | { op: "leastSquaresNormal"; B: number; X: number; rows: number; cols: number; n: number }
  | { op: "finish" }
  | { op: "compileTiled"; tiling: GemmTiling; transA: boolean; transB: boolean }
  | { op: "dispose" };

export type Reply =
  | { ok: true; value: EngineInfo | Float32Array | { gram: Float32Array; rhs: Float32Array } | string[] | null }
  | { ok: false; message: string; code: string | undefined };
