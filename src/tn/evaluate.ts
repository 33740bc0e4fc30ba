import { ShapeError } from "../errors.js";
import type { Complex } from "../linalg/dtype.js";
import { gemmStorage } from "../linalg/matmul.js";
import { permute } from "../linalg/permute.js";
import { formatShape } from "../linalg/shape.js";
import { Tensor } from "../linalg/tensor.js";
import type { Ttn, TtnDType } from "./ttn.js";

// Samples per pass: the per-node intermediates (chunk × r^(children+1)) stay in cache, and
// millions of indices never need millions-sized temporaries.
const CHUNK = 2048;

function indexMatrix(y: Ttn, indices: Int32Array | readonly (readonly number[])[]): { idx: Int32Array; m: number } {
  const d = y.tree.numModes;
  let idx: Int32Array;
  if (indices instanceof Int32Array) {
    if (indices.length % d !== 0) throw new ShapeError(`entries: ${indices.length} indices are not a whole number of ${d}-mode multi-indices`);
    idx = indices;
  } else {
    idx = new Int32Array(indices.length * d);
    indices.forEach((row, s) => {
      if (row.length !== d) throw new ShapeError(`entries: multi-index ${s} has ${row.length} entries for ${d} modes`);
      for (let k = 0; k < d; k++) idx[s * d + k] = row[k]!;
    });
  }
  const m = idx.length / d;
  for (let s = 0; s < m; s++)
    for (let k = 0; k < d; k++) {
      const i = idx[s * d + k]!;
      if (!(i >= 0 && i < y.dims[k]!) || !Number.isInteger(i)) {
        throw new ShapeError(`entries: multi-index ${s} has ${i} for mode ${k} of size ${y.dims[k]} (dims ${formatShape(y.dims)})`);
      }
    }
  return { idx, m };
}

/**
 * Entries Y[i₀, …, i_{d−1}] at m multi-indices, given as an m×d row-major `Int32Array` or an
 * array of index arrays; returns a tensor of shape [m]. Leaves→root per chunk of samples: leaf
 * rows are gathered, each inner node costs one GEMM (samples × first child rank × rest) and
 * an O(samples·r^k) reduction, so cost is linear in m.
 *
 * @throws {@link ShapeError} for an index out of range or of the wrong length.
 * @example
 * ```ts
 * const y = Ttn.random(Tree.balancedBinary(4), [3, 3, 3, 3], 2, 1);
 * const v = entries(y, [[0, 1, 2, 0], [2, 2, 2, 2]]);
 * console.assert(Math.abs((v.get(1) as number) - (y.toFull().get(2, 2, 2, 2) as number)) < 1e-15);
 * ```
 */
export function entries<D extends TtnDType>(y: Ttn<D>, indices: Int32Array | readonly (readonly number[])[]): Tensor<D> {
  const { idx, m } = indexMatrix(y, indices);
  const w = y.dtype === "c128" ? 2 : 1;
  const out = new Tensor(y.dtype, [m]);
  const prepared = prepareNodes(y);
  for (let s0 = 0; s0 < m; s0 += CHUNK) {
    const n = Math.min(CHUNK, m - s0);
    const values = evaluateChunk(y, prepared, idx, s0, n);
    out.data.set(values.subarray(0, w * n), w * s0);
  }
  return out;
}

/**
 * One entry Y[i₀, …, i_{d−1}]: a number, or `{ re, im }` for a complex network.
 *
 * @example
 * ```ts
 * const y = Ttn.product(Tree.tucker(2), [tensor([1, 2]), tensor([3, 4])]);
 * console.assert(entry(y, [1, 0]) === 6);
 * ```
 */
export function entry(y: Ttn, index: readonly number[]): number | Complex {
  const v = entries(y, [index]);
  return v.dtype === "c128" ? { re: v.data[0]!, im: v.data[1]! } : v.data[0]!;
}

interface PreparedNode {
  /** Connecting tensor permuted to [r_c1, (r_c2 … r_ck, r_v)] as storage. */
  data: Float64Array;
  first: number;
  rest: number;
}

function prepareNodes(y: Ttn): (PreparedNode | undefined)[] {
  const { tree } = y;
  return y.tensors.map((t, v) => {
    if (tree.isLeaf(v)) return undefined;
    const k = t.ndim - 1;
    const order = [...Array.from({ length: k }, (_, i) => i + 1), 0];
    const p = permute(t, order);
    return { data: p.data as Float64Array, first: t.shape[1]!, rest: p.size / t.shape[1]! };
  });
}

function evaluateChunk(y: Ttn, prepared: (PreparedNode | undefined)[], idx: Int32Array, s0: number, n: number): Float64Array {
  const { tree } = y;
  const d = tree.numModes;
  const w = y.dtype === "c128" ? 2 : 1;
  const V: Float64Array[] = new Array(tree.numNodes);
  for (const v of tree.postorder()) {
    const t = y.tensors[v]!;
    if (tree.isLeaf(v)) {
      const mode = tree.mode(v);
      const r = t.shape[1]!;
      const g = new Float64Array(w * n * r);
      for (let s = 0; s < n; s++) {
        const row = idx[(s0 + s) * d + mode]!;
        g.set((t.data as Float64Array).subarray(w * row * r, w * (row + 1) * r), w * s * r);
      }
      V[v] = g;
      continue;
    }
    const node = prepared[v]!;
    const children = tree.children(v);
    // T[s, (r_c2…r_ck, r_v)] = V_c1[s, :] · C(r_c1; rest)
    let T = gemmStorage(y.dtype, 0, 0, n, node.rest, node.first, V[children[0]!]!, node.first, node.data, node.rest) as Float64Array;
    let width = node.rest;
    for (let j = 1; j < children.length; j++) {
      const c = children[j]!;
      const r = y.rank(c);
      const next = width / r;
      T = w === 1 ? reduceReal(T, V[c]!, n, r, next) : reduceComplex(T, V[c]!, n, r, next);
      width = next;
    }
    V[v] = T;
  }
  return V[tree.root]!;
}

// out[s, q] = Σ_b v[s, b]·T[s, b, q]
function reduceReal(T: Float64Array, v: Float64Array, n: number, r: number, q: number): Float64Array {
  const out = new Float64Array(n * q);
  for (let s = 0; s < n; s++) {
    const o = s * q;
    for (let b = 0; b < r; b++) {
      const c = v[s * r + b]!;
      const base = (s * r + b) * q;
      for (let k = 0; k < q; k++) out[o + k] = out[o + k]! + c * T[base + k]!;
    }
  }
  return out;
}

function reduceComplex(T: Float64Array, v: Float64Array, n: number, r: number, q: number): Float64Array {
  const out = new Float64Array(2 * n * q);
  for (let s = 0; s < n; s++) {
    const o = 2 * s * q;
    for (let b = 0; b < r; b++) {
      const cr = v[2 * (s * r + b)]!, ci = v[2 * (s * r + b) + 1]!;
      const base = 2 * (s * r + b) * q;
      for (let k = 0; k < q; k++) {
        const tr = T[base + 2 * k]!, ti = T[base + 2 * k + 1]!;
        out[o + 2 * k] = out[o + 2 * k]! + cr * tr - ci * ti;
        out[o + 2 * k + 1] = out[o + 2 * k + 1]! + cr * ti + ci * tr;
      }
    }
  }
  return out;
}
