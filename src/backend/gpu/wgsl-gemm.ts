/**
 * A tiled f32 GEMM in WGSL, for large products on the WebGPU device that gpu.js uses (gpu.js
 * has no workgroup shared memory, so its one-thread-per-element kernel re-reads every operand
 * from global memory; this kernel stages BM×BK and BK×BN tiles in workgroup memory and keeps a
 * TM×TN block of C in registers per thread — the register-blocked "shared-memory tiling" rung
 * of the usual WebGPU matmul ladder).
 *
 * Layout: C (m×n) = op(A)·op(B), all row-major; A is m×k (k×m when `transA`), B is k×n (n×k
 * when `transB`). Workgroup (BN/TN) × (BM/TM) threads computes one BM×BN tile of C; thread
 * (x, y) owns rows y + i·WY and columns x + j·WX (i < TM, j < TN) of it, strided so that a
 * warp's stores and workgroup-memory reads are contiguous. The TM×TN accumulators and the
 * inner products are unrolled in the generated text (register-resident). Any m, n, k: loads
 * outside the matrices read zero, stores outside are skipped.
 * @module
 */

/** Tiling parameters of {@link tiledGemmWgsl}. */
export interface GemmTiling {
  /** Rows and columns of C per workgroup. */
  BM: number;
  BN: number;
  /** Depth of one staged slab of A and B. */
  BK: number;
  /** Rows and columns of C per thread. */
  TM: number;
  TN: number;
}

/** The tilings the benchmark tries; the first is the default. */
export const GEMM_TILINGS: readonly GemmTiling[] = [
  { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8 },
  { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 },
  { BM: 128, BN: 64, BK: 16, TM: 8, TN: 4 },
];

/** Limits a tiling must respect (WebGPU's defaults; adapters may allow more). */
export interface TilingLimits {
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeWorkgroupSizeY: number;
}

/** WebGPU's guaranteed minimum limits. */
export const DEFAULT_LIMITS: TilingLimits = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
};

/** Workgroup shape and memory of a tiling, or the reason it is not valid. */
export function tilingInfo(t: GemmTiling, limits: TilingLimits = DEFAULT_LIMITS): { WX: number; WY: number; threads: number; sharedBytes: number } {
  const { BM, BN, BK, TM, TN } = t;
  for (const [name, v] of Object.entries(t)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`tiling: ${name} must be a whole number ≥ 1, got ${v}`);
  }
  if (BM % TM !== 0 || BN % TN !== 0) throw new RangeError(`tiling: TM must divide BM and TN divide BN (BM=${BM}, TM=${TM}, BN=${BN}, TN=${TN})`);
  const WX = BN / TN, WY = BM / TM, threads = WX * WY;
  const sharedBytes = 4 * BK * (BM + BN);
  if (threads > limits.maxComputeInvocationsPerWorkgroup || WX > limits.maxComputeWorkgroupSizeX || WY > limits.maxComputeWorkgroupSizeY) {
    throw new RangeError(`tiling: ${WX}×${WY} = ${threads} threads per workgroup exceed the device's limits`);
  }
  if (sharedBytes > limits.maxComputeWorkgroupStorageSize) throw new RangeError(`tiling: ${sharedBytes} bytes of workgroup memory exceed the limit ${limits.maxComputeWorkgroupStorageSize}`);
  return { WX, WY, threads, sharedBytes };
}

/** Workgroups to dispatch for an m×n product: [x over columns, y over rows]. */
export function gemmDispatch(t: GemmTiling, m: number, n: number): [number, number] {
  return [Math.ceil(n / t.BN), Math.ceil(m / t.BM)];
}

/** Bytes of the uniform block of the generated kernel: m, n, k and a pad, as u32. */
export const GEMM_UNIFORM_BYTES = 16;

/**
 * The WGSL source of the tiled GEMM. Bindings (group 0): 0 uniform {m, n, k, pad: u32},
 * 1 A (read), 2 B (read), 3 C (read_write); entry point `main`.
 *
 * @throws {RangeError} for a tiling that breaks its rules or the limits.
 */
export function tiledGemmWgsl(t: GemmTiling, transA: boolean, transB: boolean, limits: TilingLimits = DEFAULT_LIMITS): string {
  const { BM, BN, BK, TM, TN } = t;
  const { WX, WY, threads } = tilingInfo(t, limits);
  const L: string[] = [];
  L.push(`// arbor tiled GEMM: BM=${BM} BN=${BN} BK=${BK} TM=${TM} TN=${TN}, transA=${transA}, transB=${transB}`);
  L.push("struct Dims { m : u32, n : u32, k : u32, pad : u32 }");
  L.push("@group(0) @binding(0) var<uniform> dims : Dims;");
  L.push("@group(0) @binding(1) var<storage, read> A : array<f32>;");
  L.push("@group(0) @binding(2) var<storage, read> B : array<f32>;");
  L.push("@group(0) @binding(3) var<storage, read_write> C : array<f32>;");
  // As[kk][mm] and Bs[kk][nn]: a thread's reads in the inner loop walk mm (or nn) by WY (WX).
  L.push(`var<workgroup> As : array<f32, ${BK * BM}>;`);
  L.push(`var<workgroup> Bs : array<f32, ${BK * BN}>;`);
  L.push(`@compute @workgroup_size(${WX}, ${WY}, 1)`);
  L.push("fn main(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_id) lid : vec3<u32>, @builtin(local_invocation_index) li : u32) {");
  L.push(`  let row0 = wg.y * ${BM}u;`);
  L.push(`  let col0 = wg.x * ${BN}u;`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) L.push(`  var c${i}_${j} : f32 = 0.0;`);
  L.push(`  for (var k0 = 0u; k0 < dims.k; k0 = k0 + ${BK}u) {`);
  // Cooperative loads; consecutive threads read consecutive addresses of the stored matrix.
  if (!transA) {
    // A[m][k]: e → (mm = e / BK, kk = e % BK).
    L.push(`    for (var e = li; e < ${BM * BK}u; e = e + ${threads}u) {`);
    L.push(`      let mm = e / ${BK}u; let kk = e % ${BK}u; let gr = row0 + mm; let gk = k0 + kk;`);
    L.push("      var v = 0.0; if (gr < dims.m && gk < dims.k) { v = A[gr * dims.k + gk]; }");
  } else {
    // A stored [k][m]: e → (kk = e / BM, mm = e % BM).
    L.push(`    for (var e = li; e < ${BM * BK}u; e = e + ${threads}u) {`);
    L.push(`      let kk = e / ${BM}u; let mm = e % ${BM}u; let gr = row0 + mm; let gk = k0 + kk;`);
    L.push("      var v = 0.0; if (gr < dims.m && gk < dims.k) { v = A[gk * dims.m + gr]; }");
  }
  L.push(`      As[kk * ${BM}u + mm] = v;`);
  L.push("    }");
  if (!transB) {
    // B[k][n]: e → (kk = e / BN, nn = e % BN).
    L.push(`    for (var e = li; e < ${BN * BK}u; e = e + ${threads}u) {`);
    L.push(`      let kk = e / ${BN}u; let nn = e % ${BN}u; let gc = col0 + nn; let gk = k0 + kk;`);
    L.push("      var v = 0.0; if (gc < dims.n && gk < dims.k) { v = B[gk * dims.n + gc]; }");
  } else {
    // B stored [n][k]: e → (nn = e / BK, kk = e % BK).
    L.push(`    for (var e = li; e < ${BN * BK}u; e = e + ${threads}u) {`);
    L.push(`      let nn = e / ${BK}u; let kk = e % ${BK}u; let gc = col0 + nn; let gk = k0 + kk;`);
    L.push("      var v = 0.0; if (gc < dims.n && gk < dims.k) { v = B[gc * dims.k + gk]; }");
  }
  L.push(`      Bs[kk * ${BN}u + nn] = v;`);
  L.push("    }");
  L.push("    workgroupBarrier();");
  L.push(`    for (var kk = 0u; kk < ${BK}u; kk = kk + 1u) {`);
  L.push(`      let ab = kk * ${BM}u + lid.y;`);
  L.push(`      let bb = kk * ${BN}u + lid.x;`);
  for (let i = 0; i < TM; i++) L.push(`      let a${i} = As[ab + ${i * WY}u];`);
  for (let j = 0; j < TN; j++) L.push(`      let b${j} = Bs[bb + ${j * WX}u];`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) L.push(`      c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`);
  L.push("    }");
  L.push("    workgroupBarrier();");
  L.push("  }");
  for (let i = 0; i < TM; i++) {
    L.push(`  { let r = row0 + lid.y + ${i * WY}u;`);
    L.push("    if (r < dims.m) {");
    for (let j = 0; j < TN; j++) L.push(`      { let c = col0 + lid.x + ${j * WX}u; if (c < dims.n) { C[r * dims.n + c] = c${i}_${j}; } }`);
    L.push("    }");
    L.push("  }");
  }
  L.push("}");
  return L.join("\n");
}

/**
 * The same tiled algorithm executed in JavaScript, workgroup by workgroup and thread by thread
 * with the same index arithmetic as the generated WGSL (f32 accumulators via Math.fround): a
 * check of the tiling logic that needs no GPU. Slow; for small sizes only.
 */
export function emulateTiledGemm(t: GemmTiling, transA: boolean, transB: boolean, m: number, n: number, k: number, A: Float32Array, B: Float32Array): Float32Array {
  const { BM, BN, BK, TM, TN } = t;
  const { WX, WY, threads } = tilingInfo(t, { ...DEFAULT_LIMITS, maxComputeWorkgroupStorageSize: Infinity, maxComputeInvocationsPerWorkgroup: Infinity, maxComputeWorkgroupSizeX: Infinity, maxComputeWorkgroupSizeY: Infinity });
  const C = new Float32Array(m * n);
  const [gx, gy] = gemmDispatch(t, m, n);
  const f = Math.fround;
  for (let wy = 0; wy < gy; wy++) {
    for (let wx = 0; wx < gx; wx++) {
      const row0 = wy * BM, col0 = wx * BN;
      const acc = new Float32Array(threads * TM * TN);
      const As = new Float32Array(BK * BM), Bs = new Float32Array(BK * BN);
      for (let k0 = 0; k0 < k; k0 += BK) {
        for (let li = 0; li < threads; li++) {
          for (let e = li; e < BM * BK; e += threads) {
            const mm = transA ? e % BM : Math.floor(e / BK), kk = transA ? Math.floor(e / BM) : e % BK;
            const gr = row0 + mm, gk = k0 + kk;
            As[kk * BM + mm] = gr < m && gk < k ? A[transA ? gk * m + gr : gr * k + gk]! : 0;
          }
          for (let e = li; e < BN * BK; e += threads) {
            const nn = transB ? Math.floor(e / BK) : e % BN, kk = transB ? e % BK : Math.floor(e / BN);
            const gc = col0 + nn, gk = k0 + kk;
            Bs[kk * BN + nn] = gc < n && gk < k ? B[transB ? gc * k + gk : gk * n + gc]! : 0;
          }
        }
        for (let ly = 0; ly < WY; ly++) {
          for (let lx = 0; lx < WX; lx++) {
            const base = (ly * WX + lx) * TM * TN;
            for (let kk = 0; kk < BK; kk++) {
              for (let i = 0; i < TM; i++) {
                const a = As[kk * BM + ly + i * WY]!;
                for (let j = 0; j < TN; j++) acc[base + i * TN + j] = f(acc[base + i * TN + j]! + f(a * Bs[kk * BN + lx + j * WX]!));
              }
            }
          }
        }
      }
      for (let ly = 0; ly < WY; ly++) {
        for (let lx = 0; lx < WX; lx++) {
          const base = (ly * WX + lx) * TM * TN;
          for (let i = 0; i < TM; i++) {
            const r = row0 + ly + i * WY;
            if (r >= m) continue;
            for (let j = 0; j < TN; j++) {
              const c = col0 + lx + j * WX;
              if (c < n) C[r * n + c] = acc[base + i * TN + j]!;
            }
          }
        }
      }
    }
  }
  return C;
}
