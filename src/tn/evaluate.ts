import { ShapeError } from "../errors.js";
import type { Complex } from "../linalg/dtype.js";
import { getArena, type Arena } from "../backend/cpu/arena.js";
import { countFlops } from "../backend/cpu/flops.js";
import { dgemmArena, zgemmArena } from "../backend/cpu/gemm.js";
import { permute } from "../linalg/permute.js";
import { formatShape } from "../linalg/shape.js";
import { Tensor } from "../linalg/tensor.js";
import type { Ttn, TtnDType } from "./ttn.js";

// Samples per pass: the per-node intermediates (chunk × r^k) stay modest, and millions of
// indices never need millions-sized temporaries.
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
 * array of index arrays; returns a tensor of shape [m]. Leaves→root per chunk of samples, all
 * in kernel memory: leaf rows are gathered, each inner node costs one GEMM (samples × first
 * child's rank × the rest) and a batched SIMD reduction per further child, so the cost is
 * linear in m (O(m·r^(k+1)) per node of k children).
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
  const { tree } = y;
  const w = y.dtype === "c128" ? 2 : 1;
  const out = new Tensor(y.dtype, [m]);
  const arena = getArena();
  arena.scope(() => {
    const plan = planNodes(y, arena, Math.min(CHUNK, m));
    const f = () => arena.f64;
    for (let s0 = 0; s0 < m; s0 += CHUNK) {
      const n = Math.min(CHUNK, m - s0);
      for (const v of tree.postorder()) {
        const node = plan[v]!;
        if (tree.isLeaf(v)) {
          const data = y.tensors[v]!.data;
          const mode = tree.mode(v), r = node.rank, d = tree.numModes;
          const heap = f();
          for (let s = 0; s < n; s++) {
            const row = idx[(s0 + s) * d + mode]!;
            heap.set(data.subarray(w * row * r, w * (row + 1) * r), node.values + w * s * r);
          }
          continue;
        }
        evaluateNode(y, plan, v, n, arena);
      }
      out.data.set(f().subarray(plan[tree.root]!.values, plan[tree.root]!.values + w * n), w * s0);
    }
  });
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

interface NodePlan {
  rank: number;
  /** Arena index of this node's per-sample values (chunk × rank). */
  values: number;
  /** Inner nodes: arena index of the connecting tensor permuted to [r_c1, (r_c2…r_ck, r_v)]. */
  tensor: number;
  first: number;
  rest: number;
}

// Kernel-memory buffers for one chunk: every node's sample values, the permuted connecting
// tensors, and two scratch buffers for the partial contractions.
function planNodes(y: Ttn, arena: Arena, chunk: number): NodePlan[] & { scratch: [number, number] } {
  const { tree } = y;
  const w = y.dtype === "c128" ? 2 : 1;
  let widest = 1;
  const plan = y.tensors.map((t, v) => {
    const rank = y.rank(v);
    const values = arena.allocF64(w * chunk * rank);
    if (tree.isLeaf(v)) return { rank, values, tensor: -1, first: 0, rest: 0 };
    const k = t.ndim - 1;
    const p = permute(t, [...Array.from({ length: k }, (_, i) => i + 1), 0]);
    const tensor = arena.allocF64(p.data.length);
    arena.f64.set(p.data, tensor);
    const first = t.shape[1]!, rest = p.size / first;
    widest = Math.max(widest, rest);
    return { rank, values, tensor, first, rest };
  }) as NodePlan[] & { scratch: [number, number] };
  plan.scratch = [arena.allocF64(w * chunk * widest), arena.allocF64(w * chunk * widest)];
  return plan;
}

function evaluateNode(y: Ttn, plan: NodePlan[] & { scratch: [number, number] }, v: number, n: number, arena: Arena): void {
  const children = y.tree.children(v);
  const node = plan[v]!;
  const complex = y.dtype === "c128";
  const K = arena.kernels;
  // T[s, (r_c2…r_ck, r_v)] = V_c1[s, :] · C(r_c1; rest); the last step writes the node's values.
  const last = children.length === 1;
  let T = last ? node.values : plan.scratch[0];
  const V1 = plan[children[0]!]!.values;
  if (complex) zgemmArena(0, 0, n, node.rest, node.first, { re: 1, im: 0 }, V1, node.first, node.tensor, node.rest, { re: 0, im: 0 }, T, node.rest);
  else dgemmArena(0, 0, n, node.rest, node.first, 1, V1, node.first, node.tensor, node.rest, 0, T, node.rest);
  let width = node.rest;
  for (let j = 1; j < children.length; j++) {
    const child = plan[children[j]!]!;
    const next = width / child.rank;
    const target = j === children.length - 1 ? node.values : plan.scratch[j % 2]!;
    countFlops((complex ? 8 : 2) * n * child.rank * next);
    (complex ? K.zbatchedReduce : K.dbatchedReduce)(n, child.rank, next, 8 * child.values, 8 * T, 8 * target);
    T = target;
    width = next;
  }
}
