/**
 * Tensor trains in the plain layout the comparison completion methods compute with: core k is
 * an r_k × n_k × r_{k+1} array (row-major, r_0 = r_d = 1), so that a slice G_k[i] is a
 * contiguous-by-rows r_k × r_{k+1} matrix. The general {@link TensorNetwork} puts the open leg
 * first and drops rank-1 bonds; converting at the boundary keeps the inner loops simple.
 * Internal to src/completion.
 * @module
 */
import { ArgumentError, ShapeError } from "../../errors.js";
import { qr } from "../../linalg/decomp/qr.js";
import { svd } from "../../linalg/decomp/svd.js";
import { truncationRank } from "../../linalg/decomp/truncation.js";
import type { Rng } from "../../linalg/random.js";
import { Tensor } from "../../linalg/tensor.js";
import { TensorNetwork } from "../../search/network/network.js";
import { NetworkStructure } from "../../search/network/structure.js";

/** A tensor train: `cores[k]` holds r_k × n_k × r_{k+1} numbers, row-major. */
export interface TensorTrain {
  readonly dims: readonly number[];
  /** r_0 … r_d with r_0 = r_d = 1. */
  readonly ranks: readonly number[];
  readonly cores: readonly Float64Array[];
}

/**
 * The bond ranks r_0 … r_d for a requested rank (one for every bond, or the d − 1 bond ranks),
 * each lowered to what the shape allows (r_{k+1} ≤ r_k·n_k and r_k ≤ n_k·r_{k+1}): the set of
 * trains of exactly these ranks is then a smooth manifold, which the Riemannian method needs.
 */
export function trainRanks(dims: readonly number[], rank: number | readonly number[], where: string, name = "rank"): number[] {
  const d = dims.length;
  if (d < 2) throw new ShapeError(`${where}: tensor-train completion needs at least 2 modes, got ${d}`);
  const list = typeof rank === "number" ? new Array<number>(d - 1).fill(rank) : rank;
  if (!Array.isArray(list) || list.length !== d - 1) {
    throw new ArgumentError(`${where}: ${name} must be one number or ${d - 1} bond ranks for ${d} modes, got ${String(rank)}`);
  }
  list.forEach((r) => {
    if (typeof r !== "number" || !Number.isInteger(r) || r < 1) throw new ArgumentError(`${where}: ${name} ${String(r)} must be a whole number ≥ 1`);
  });
  const ranks = [1, ...list, 1];
  for (let k = 0; k < d; k++) ranks[k + 1] = Math.min(ranks[k + 1]!, ranks[k]! * dims[k]!);
  ranks[d] = 1;
  for (let k = d - 1; k > 0; k--) ranks[k] = Math.min(ranks[k]!, dims[k]! * ranks[k + 1]!);
  return ranks;
}

/** A train of the given ranks with independent N(0, 1/(r_k n_k)) core entries. */
export function randomTrain(dims: readonly number[], ranks: readonly number[], rng: Rng): TensorTrain {
  const cores = dims.map((n, k) => {
    const core = new Float64Array(ranks[k]! * n * ranks[k + 1]!);
    return rng.fillNormal(core, 1 / Math.sqrt(ranks[k]! * n));
  });
  return { dims: dims.slice(), ranks: ranks.slice(), cores };
}

/** C = A·B for row-major A (p×q) and B (q×r). */
export function rowMajorProduct(A: Float64Array, B: Float64Array, p: number, q: number, r: number): Float64Array {
  const C = new Float64Array(p * r);
  for (let i = 0; i < p; i++)
    for (let k = 0; k < q; k++) {
      const a = A[i * q + k]!;
      if (a === 0) continue;
      const row = i * r, col = k * r;
      for (let j = 0; j < r; j++) C[row + j] = C[row + j]! + a * B[col + j]!;
    }
  return C;
}

/** The transpose of a row-major p×q matrix. */
export function rowMajorTranspose(A: Float64Array, p: number, q: number): Float64Array {
  const T = new Float64Array(p * q);
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) T[j * p + i] = A[i * q + j]!;
  return T;
}

/** The train's entries at m multi-indices (m×d row-major): O(m·d·r²). */
export function trainEntries(tt: TensorTrain, idx: Int32Array, m: number): Float64Array {
  const { dims, ranks, cores } = tt;
  const d = dims.length;
  const out = new Float64Array(m);
  const rmax = Math.max(...ranks);
  let v = new Float64Array(rmax), w = new Float64Array(rmax);
  for (let s = 0; s < m; s++) {
    v[0] = 1;
    for (let k = 0; k < d; k++) {
      const rl = ranks[k]!, rr = ranks[k + 1]!, n = dims[k]!, i = idx[s * d + k]!, core = cores[k]!;
      w.fill(0, 0, rr);
      for (let a = 0; a < rl; a++) {
        const va = v[a]!, base = (a * n + i) * rr;
        for (let b = 0; b < rr; b++) w[b] = w[b]! + va * core[base + b]!;
      }
      [v, w] = [w, v];
    }
    out[s] = v[0]!;
  }
  return out;
}

/** The full tensor, row-major: for the dense baseline and for tests. */
export function trainToDense(tt: TensorTrain): Float64Array {
  const { dims, ranks, cores } = tt;
  let X = cores[0]!; // (n_0) × r_1
  let rows = dims[0]!;
  for (let k = 1; k < dims.length; k++) {
    X = rowMajorProduct(X, cores[k]!, rows, ranks[k]!, dims[k]! * ranks[k + 1]!);
    rows *= dims[k]!;
  }
  return X;
}

/**
 * TT-SVD (Oseledets 2011) of a full row-major tensor: sweeping left to right, the leading left
 * singular vectors of each unfolding become the core and the rest is carried on. Bond k + 1
 * keeps at most `maxRanks[k + 1]` singular values, and with `tol` > 0 only as many as the
 * relative Frobenius-norm tolerance of that unfolding needs. Quasi-optimal: the error is at
 * most √(d − 1) times the best of these ranks.
 */
export function trainFromDense(data: Float64Array, dims: readonly number[], maxRanks: readonly number[], tol = 0): TensorTrain {
  const d = dims.length;
  const ranks = [1];
  const cores: Float64Array[] = [];
  let rest = data;
  let cols = data.length;
  for (let k = 0; k < d - 1; k++) {
    const rows = ranks[k]! * dims[k]!;
    cols /= dims[k]!;
    const { U, s, Vh } = svd(new Tensor("f64", [rows, cols], rest));
    const full = s.length;
    const t = truncationRank(s, { tol, mode: "rnorm", maxRank: maxRanks[k + 1]! }).rank;
    cores.push(leadingColumns(U.data as Float64Array, rows, full, t));
    const next = new Float64Array(t * cols);
    const vh = Vh.data as Float64Array;
    for (let a = 0; a < t; a++) {
      const sa = s[a]!;
      for (let j = 0; j < cols; j++) next[a * cols + j] = sa * vh[a * cols + j]!;
    }
    ranks.push(t);
    rest = next;
  }
  cores.push(rest);
  ranks.push(1);
  return { dims: dims.slice(), ranks, cores };
}

function leadingColumns(U: Float64Array, rows: number, cols: number, t: number): Float64Array {
  if (t === cols) return U.slice();
  const out = new Float64Array(rows * t);
  for (let i = 0; i < rows; i++) for (let j = 0; j < t; j++) out[i * t + j] = U[i * cols + j]!;
  return out;
}

/**
 * The same tensor with cores 0 … d − 2 left-orthogonal (each (r_k n_k) × r_{k+1} unfolding has
 * orthonormal columns), by QR from the left; the last core carries the norm.
 */
export function leftOrthogonalize(tt: TensorTrain): TensorTrain {
  const { dims } = tt;
  const d = dims.length;
  const ranks = tt.ranks.slice();
  const cores: Float64Array[] = tt.cores.map((c) => c.slice());
  for (let k = 0; k < d - 1; k++) {
    const rows = ranks[k]! * dims[k]!, cols = ranks[k + 1]!;
    const { Q, R } = qr(new Tensor("f64", [rows, cols], cores[k]!));
    const t = Math.min(rows, cols);
    cores[k] = Q!.data as Float64Array;
    cores[k + 1] = rowMajorProduct(R.data as Float64Array, cores[k + 1]!, t, cols, dims[k + 1]! * ranks[k + 2]!);
    ranks[k + 1] = t;
  }
  return { dims: dims.slice(), ranks, cores };
}

/**
 * The same tensor with cores 1 … d − 1 right-orthogonal (each r_k × (n_k r_{k+1}) unfolding has
 * orthonormal rows), by QR of the transposed unfoldings from the right; core 0 carries the norm.
 */
export function rightOrthogonalize(tt: TensorTrain): TensorTrain {
  const { dims } = tt;
  const d = dims.length;
  const ranks = tt.ranks.slice();
  const cores: Float64Array[] = tt.cores.map((c) => c.slice());
  for (let k = d - 1; k > 0; k--) {
    const rows = ranks[k]!, cols = dims[k]! * ranks[k + 1]!;
    const { Q, R } = qr(new Tensor("f64", [cols, rows], rowMajorTranspose(cores[k]!, rows, cols)));
    const t = Math.min(rows, cols);
    cores[k] = rowMajorTranspose(Q!.data as Float64Array, cols, t);
    // core_{k−1} · Rᵀ, with core_{k−1} as (r_{k−1} n_{k−1}) × r_k.
    const left = ranks[k - 1]! * dims[k - 1]!;
    cores[k - 1] = rowMajorProduct(cores[k - 1]!, rowMajorTranspose(R.data as Float64Array, t, rows), left, rows, t);
    ranks[k] = t;
  }
  return { dims: dims.slice(), ranks, cores };
}

/**
 * TT rounding (Oseledets 2011): right-orthogonalise, then truncate each bond by an SVD from
 * the left to at most `maxRanks[k]`. The result is left-orthogonal, with the norm in the last
 * core, and is the TT-SVD of the tensor the input represents, at O(d·n·R³) for input ranks R.
 */
export function roundTrain(tt: TensorTrain, maxRanks: readonly number[]): TensorTrain {
  const y = rightOrthogonalize(tt);
  const { dims } = y;
  const d = dims.length;
  const ranks = y.ranks.slice();
  const cores = y.cores.slice();
  for (let k = 0; k < d - 1; k++) {
    const rows = ranks[k]! * dims[k]!, cols = ranks[k + 1]!;
    const { U, s, Vh } = svd(new Tensor("f64", [rows, cols], cores[k]!));
    const full = s.length;
    const t = Math.min(maxRanks[k + 1]!, full);
    cores[k] = leadingColumns(U.data as Float64Array, rows, full, t);
    const sv = new Float64Array(t * cols);
    const vh = Vh.data as Float64Array;
    for (let a = 0; a < t; a++) for (let j = 0; j < cols; j++) sv[a * cols + j] = s[a]! * vh[a * cols + j]!;
    cores[k + 1] = rowMajorProduct(sv, cores[k + 1]!, t, cols, dims[k + 1]! * ranks[k + 2]!);
    ranks[k + 1] = t;
  }
  return { dims: dims.slice(), ranks, cores };
}

/** The train as a {@link TensorNetwork} on `NetworkStructure.tensorTrain` (open leg first). */
export function trainToNetwork(tt: TensorTrain): TensorNetwork<"f64"> {
  const { dims, ranks } = tt;
  const structure = NetworkStructure.tensorTrain(dims, ranks.slice(1, -1));
  const cores = tt.cores.map((core, k) => {
    const rl = ranks[k]!, n = dims[k]!, rr = ranks[k + 1]!;
    const out = new Float64Array(core.length);
    // (a, i, b) → (i, a, b); rank-1 bonds are absent axes in the network, which changes nothing
    // in memory.
    for (let a = 0; a < rl; a++) for (let i = 0; i < n; i++) for (let b = 0; b < rr; b++) out[(i * rl + a) * rr + b] = core[(a * n + i) * rr + b]!;
    return new Tensor("f64", structure.coreShape(k), out);
  });
  return new TensorNetwork(structure, cores);
}

/**
 * The train of a network on `NetworkStructure.tensorTrain(dims, …)` with the identity mode
 * order, as a warm start.
 * @throws {@link ArgumentError} for another graph, mode order or dtype.
 */
export function trainFromNetwork(net: TensorNetwork, dims: readonly number[], where: string): TensorTrain {
  if (!(net instanceof TensorNetwork)) throw new ArgumentError(`${where}: start must be a TensorNetwork`);
  const d = dims.length;
  const s = net.structure;
  const bonds = s.numVertices === d && s.numModes === d ? Array.from({ length: d - 1 }, (_, k) => s.rank(k, k + 1)) : undefined;
  if (bonds === undefined || !s.equals(NetworkStructure.tensorTrain(dims, bonds))) {
    throw new ArgumentError(`${where}: start must be a tensor train over the modes 0…${d - 1} in order with shape [${dims.join(", ")}] (NetworkStructure.tensorTrain), got ${s}`);
  }
  if (net.dtype !== "f64") throw new ArgumentError(`${where}: start must be real (f64), got ${net.dtype}`);
  const ranks = [1, ...bonds, 1];
  const cores = net.cores.map((t, k) => {
    const rl = ranks[k]!, n = dims[k]!, rr = ranks[k + 1]!;
    const out = new Float64Array(t.size);
    for (let i = 0; i < n; i++) for (let a = 0; a < rl; a++) for (let b = 0; b < rr; b++) out[(a * n + i) * rr + b] = t.data[(i * rl + a) * rr + b]!;
    return out;
  });
  return { dims: dims.slice(), ranks, cores };
}
