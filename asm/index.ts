// Entry point of arbor's WebAssembly kernel module (compiled by scripts/build-wasm.mjs).
export { dgemm, dgemmWorkspace } from "./gemm-f64";
export { zgemm, zgemmWorkspace } from "./gemm-c128";
export { sgemm, sgemmWorkspace } from "./gemm-f32";
export { ddot, daxpy, dscal, dsumsq, damax, dnrm2, drot, drotSeq, drotSweeps, dbatchedReduce, dgemvT, dgemvN, dger, dsymvL, dsyr2L } from "./blas-real";
export { zdotc, zdotu, zaxpy, zscal, zgemvC, zgemvN, zgerc, zhemvL, zher2L, zbatchedReduce } from "./blas-complex";
