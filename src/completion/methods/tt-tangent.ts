/**
 * Geometry of the manifold M_r of tensor trains of fixed ranks r, in the orthogonal gauge of
 * Steinlechner (SISC 2016) and Lubich–Oseledets–Vandereycken: a point X is held twice, as
 * U_0 ⋯ U_{d−2} S (left-orthogonal) and S′ V_1 ⋯ V_{d−1} (right-orthogonal), and a tangent
 * vector at X is
 *
 *   ξ = Σ_k U_0 ⋯ U_{k−1} · δU_k · V_{k+1} ⋯ V_{d−1},
 *
 * with every δU_k (k < d − 1) orthogonal to U_k in the left unfolding. The d terms are then
 * mutually orthogonal, so ⟨ξ, η⟩ is the sum of the core inner products, and projecting a
 * tensor Z onto the tangent space is, per core, (I − U_k U_kᵀ) applied to Z contracted with the
 * orthonormal interfaces U_{<k} and V_{>k}. For Z sparse (values at samples) that contraction
 * is a sum over samples of per-sample interface products, O(m·d·r²); nothing is densified.
 * Internal to src/completion.
 * @module
 */
import { rowMajorProduct, leftOrthogonalize, rightOrthogonalize, roundTrain, rowMajorTranspose, type TensorTrain } from "./tensor-train.js";

/** A point of M_r in both orthogonal gauges. */
export interface ManifoldPoint {
  /** Cores 0 … d − 2 left-orthogonal (U_k); the last core S carries the norm. */
  readonly left: TensorTrain;
  /** Cores 1 … d − 1 right-orthogonal (V_k); the first core carries the norm. */
  readonly right: TensorTrain;
}

/** A tangent vector: the gauge-fixed core variations δU_0 … δU_{d−1}, shaped as the cores. */
export type TangentVector = Float64Array[];

/** The point X = tt on the manifold; `leftOrthogonal` skips the first QR sweep when tt already is. */
export function manifoldPoint(tt: TensorTrain, leftOrthogonal = false): ManifoldPoint {
  const left = leftOrthogonal ? tt : leftOrthogonalize(tt);
  return { left, right: rightOrthogonalize(left) };
}

/**
 * The right interfaces of every sample: `R[k]` (m × r_{k+1}, row-major) holds
 * V_{k+1}[i_{k+1}] ⋯ V_{d−1}[i_{d−1}], and `R[d − 1]` is all ones. O(m·d·r²); they are what the
 * sample sweeps below need besides the running left interface.
 */
export function rightInterfaces(point: ManifoldPoint, idx: Int32Array, m: number): Float64Array[] {
  const { dims, ranks, cores } = point.right;
  const d = dims.length;
  const R: Float64Array[] = new Array(d);
  R[d - 1] = new Float64Array(m).fill(1);
  for (let k = d - 1; k > 0; k--) {
    const rl = ranks[k]!, rr = ranks[k + 1]!, n = dims[k]!, V = cores[k]!, next = R[k]!;
    const out = new Float64Array(m * rl);
    for (let s = 0; s < m; s++) {
      const i = idx[s * d + k]!;
      for (let a = 0; a < rl; a++) {
        const base = (a * n + i) * rr;
        let sum = 0;
        for (let b = 0; b < rr; b++) sum += V[base + b]! * next[s * rr + b]!;
        out[s * rl + a] = sum;
      }
    }
    R[k - 1] = out;
  }
  return R;
}

/** The point's entries at the samples, from the first core and the right interfaces. */
export function pointValues(point: ManifoldPoint, R: readonly Float64Array[], idx: Int32Array, m: number): Float64Array {
  const { dims, ranks, cores } = point.right;
  const d = dims.length, rr = ranks[1]!, S = cores[0]!, R0 = R[0]!;
  const out = new Float64Array(m);
  for (let s = 0; s < m; s++) {
    const base = idx[s * d]! * rr;
    let sum = 0;
    for (let b = 0; b < rr; b++) sum += S[base + b]! * R0[s * rr + b]!;
    out[s] = sum;
  }
  return out;
}

/**
 * Sweeps the samples left to right with the running left interface L_s = U_0[i_0] ⋯ U_{k−1}[i_{k−1}]
 * (1 × r_k), calling `visit(k, L)` for each core before L moves past it.
 */
function sweepLeft(point: ManifoldPoint, idx: Int32Array, m: number, visit: (k: number, L: Float64Array) => void): void {
  const { dims, ranks, cores } = point.left;
  const d = dims.length;
  let L = new Float64Array(m).fill(1);
  for (let k = 0; k < d; k++) {
    visit(k, L);
    if (k === d - 1) break;
    const rl = ranks[k]!, rr = ranks[k + 1]!, n = dims[k]!, U = cores[k]!;
    const next = new Float64Array(m * rr);
    for (let s = 0; s < m; s++) {
      const i = idx[s * d + k]!;
      for (let a = 0; a < rl; a++) {
        const la = L[s * rl + a]!, base = (a * n + i) * rr, row = s * rr;
        for (let b = 0; b < rr; b++) next[row + b] = next[row + b]! + la * U[base + b]!;
      }
    }
    L = next;
  }
}

/** δ ← (I − U Uᵀ) δ in the left unfolding ((r_k n_k) × r_{k+1}), U = the left-orthogonal core k. */
function removeCoreComponent(point: ManifoldPoint, k: number, delta: Float64Array): void {
  const { dims, ranks, cores } = point.left;
  const rows = ranks[k]! * dims[k]!, cols = ranks[k + 1]!, U = cores[k]!;
  const C = rowMajorProduct(rowMajorTranspose(U, rows, cols), delta, cols, rows, cols); // Uᵀδ
  const P = rowMajorProduct(U, C, rows, cols, cols);
  for (let j = 0; j < delta.length; j++) delta[j] = delta[j]! - P[j]!;
}

/**
 * The orthogonal projection onto the tangent space at the point of the sparse tensor with
 * values `z[s]` at the samples (zero elsewhere): δU_k = (I − U_k U_kᵀ) Σ_s z_s L_sᵀ e_{i_k} R_sᵀ,
 * the last core without the projector. With z = P_Ω(X − A) this is the Riemannian gradient of
 * ½‖P_Ω(X − A)‖². O(m·d·r²).
 */
export function projectSamples(point: ManifoldPoint, R: readonly Float64Array[], idx: Int32Array, m: number, z: Float64Array): TangentVector {
  const { dims, ranks } = point.left;
  const d = dims.length;
  const out: TangentVector = new Array(d);
  sweepLeft(point, idx, m, (k, L) => {
    const rl = ranks[k]!, rr = ranks[k + 1]!, n = dims[k]!, Rk = R[k]!;
    const G = new Float64Array(rl * n * rr);
    for (let s = 0; s < m; s++) {
      const zs = z[s]!;
      if (zs === 0) continue;
      const i = idx[s * d + k]!;
      for (let a = 0; a < rl; a++) {
        const la = zs * L[s * rl + a]!, base = (a * n + i) * rr;
        for (let b = 0; b < rr; b++) G[base + b] = G[base + b]! + la * Rk[s * rr + b]!;
      }
    }
    if (k < d - 1) removeCoreComponent(point, k, G);
    out[k] = G;
  });
  return out;
}

/** The tangent vector's entries at the samples: Σ_k L_s^{(k)} δU_k[i_k] R_s^{(k)}. O(m·d·r²). */
export function tangentValues(point: ManifoldPoint, R: readonly Float64Array[], idx: Int32Array, m: number, xi: TangentVector): Float64Array {
  const { dims, ranks } = point.left;
  const d = dims.length;
  const out = new Float64Array(m);
  sweepLeft(point, idx, m, (k, L) => {
    const rl = ranks[k]!, rr = ranks[k + 1]!, n = dims[k]!, Rk = R[k]!, D = xi[k]!;
    for (let s = 0; s < m; s++) {
      const i = idx[s * d + k]!;
      let sum = 0;
      for (let a = 0; a < rl; a++) {
        const base = (a * n + i) * rr;
        let row = 0;
        for (let b = 0; b < rr; b++) row += D[base + b]! * Rk[s * rr + b]!;
        sum += L[s * rl + a]! * row;
      }
      out[s] = out[s]! + sum;
    }
  });
  return out;
}

/**
 * The tangent vector ξ (plus X when `withPoint`) as a train of ranks 2r:
 * [δU_0  U_0] · [[V_k, 0], [δU_k, U_k]] ⋯ [[V_{d−1}], [δU_{d−1} (+ S)]].
 * The first block of each bond is the path on which the variation has happened already.
 */
export function tangentTrain(point: ManifoldPoint, xi: TangentVector, withPoint = false): TensorTrain {
  const { dims, ranks } = point.left;
  const U = point.left.cores, V = point.right.cores;
  const d = dims.length;
  const big = ranks.map((r, k) => (k === 0 || k === d ? 1 : 2 * r));
  const cores = dims.map((n, k) => {
    const rl = ranks[k]!, rr = ranks[k + 1]!, bl = big[k]!, br = big[k + 1]!;
    const out = new Float64Array(bl * n * br);
    const put = (src: Float64Array, rowOff: number, colOff: number, add = false): void => {
      for (let a = 0; a < rl; a++)
        for (let i = 0; i < n; i++)
          for (let b = 0; b < rr; b++) {
            const t = ((a + rowOff) * n + i) * br + b + colOff;
            out[t] = (add ? out[t]! : 0) + src[(a * n + i) * rr + b]!;
          }
    };
    if (k === 0) {
      put(xi[0]!, 0, 0);
      put(U[0]!, 0, rr);
    } else if (k === d - 1) {
      put(V[k]!, 0, 0);
      put(xi[k]!, rl, 0);
      if (withPoint) put(U[k]!, rl, 0, true);
    } else {
      put(V[k]!, 0, 0);
      put(xi[k]!, rl, 0);
      put(U[k]!, rl, rr);
    }
    return out;
  });
  return { dims: dims.slice(), ranks: big, cores };
}

/**
 * The orthogonal projection of a tensor given as a train Y (any ranks) onto the tangent space
 * at the point: δU_k = (I − U_k U_kᵀ)(Lenv_k · Y_k · Renv_k) with Lenv_k = U_{<k}ᵀ Y_{<k} and
 * Renv_k = Y_{>k} V_{>k}ᵀ built recursively. O(d·n·r·q·(r + q)) for Y of ranks q. This is the
 * vector transport of CG (a tangent vector at the previous point re-projected).
 */
export function projectTrain(point: ManifoldPoint, Y: TensorTrain): TangentVector {
  const { dims, ranks } = point.left;
  const U = point.left.cores, V = point.right.cores, q = Y.ranks;
  const d = dims.length;
  // Lenv[k]: r_k × q_k; Renv[k]: q_{k+1} × r_{k+1}.
  const Lenv: Float64Array[] = [Float64Array.of(1)];
  for (let k = 0; k < d - 1; k++) {
    const n = dims[k]!;
    const T = rowMajorProduct(Lenv[k]!, Y.cores[k]!, ranks[k]!, q[k]!, n * q[k + 1]!); // r_k × (n q_{k+1})
    Lenv.push(rowMajorProduct(rowMajorTranspose(U[k]!, ranks[k]! * n, ranks[k + 1]!), T, ranks[k + 1]!, ranks[k]! * n, q[k + 1]!));
  }
  const Renv: Float64Array[] = new Array(d);
  Renv[d - 1] = Float64Array.of(1);
  for (let k = d - 1; k > 0; k--) {
    const n = dims[k]!;
    // W = Y_k · Renv_k as (q_k n) × r_{k+1}; Renv_{k−1} = W · V_kᵀ in the right unfoldings.
    const W = rowMajorProduct(Y.cores[k]!, Renv[k]!, q[k]! * n, q[k + 1]!, ranks[k + 1]!);
    Renv[k - 1] = rowMajorProduct(W, rowMajorTranspose(V[k]!, ranks[k]!, n * ranks[k + 1]!), q[k]!, n * ranks[k + 1]!, ranks[k]!);
  }
  return dims.map((n, k) => {
    const T = rowMajorProduct(Lenv[k]!, Y.cores[k]!, ranks[k]!, q[k]!, n * q[k + 1]!);
    const G = rowMajorProduct(T, Renv[k]!, ranks[k]! * n, q[k + 1]!, ranks[k + 1]!);
    if (k < d - 1) removeCoreComponent(point, k, G);
    return G;
  });
}

/** ⟨ξ, η⟩ of two tangent vectors at the same point (the gauge makes the terms orthogonal). */
export function tangentInner(xi: TangentVector, eta: TangentVector): number {
  let sum = 0;
  for (let k = 0; k < xi.length; k++) {
    const a = xi[k]!, b = eta[k]!;
    for (let j = 0; j < a.length; j++) sum += a[j]! * b[j]!;
  }
  return sum;
}

/** α·ξ + β·η, core by core. */
export function tangentCombine(alpha: number, xi: TangentVector, beta: number, eta: TangentVector): TangentVector {
  return xi.map((a, k) => {
    const b = eta[k]!, out = new Float64Array(a.length);
    for (let j = 0; j < a.length; j++) out[j] = alpha * a[j]! + beta * b[j]!;
    return out;
  });
}

/**
 * The retraction R_X(α ξ): TT rounding of X + α ξ (ranks ≤ 2r) back to the ranks r, i.e. the
 * TT-SVD of the sum, at O(d·n·r³).
 */
export function retract(point: ManifoldPoint, xi: TangentVector, alpha: number): ManifoldPoint {
  const step = xi.map((c) => c.map((x) => alpha * x));
  return manifoldPoint(roundTrain(tangentTrain(point, step, true), point.left.ranks), true);
}
