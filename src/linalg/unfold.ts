import { ShapeError } from "../errors.js";
import { promoteTypes, type DType } from "./dtype.js";
import { contract } from "./contract.js";
import { permute } from "./permute.js";
import { formatShape, normalizeAxis, shapeSize, validateShape } from "./shape.js";
import { Tensor } from "./tensor.js";

function splitModes(ndim: number, rowModes: readonly number[]): { rows: number[]; cols: number[] } {
  const rows = rowModes.map((m) => normalizeAxis(m, ndim, "unfold mode"));
  if (new Set(rows).size !== rows.length) throw new ShapeError(`unfold: modes repeat in ${JSON.stringify(rowModes)}`);
  const cols = Array.from({ length: ndim }, (_, i) => i).filter((i) => !rows.includes(i));
  return { rows, cols };
}

/**
 * Matricisation: the modes `rowModes` (in the given order) index the rows, the remaining
 * modes (in increasing order) the columns, both row-major. `unfold(t, [k])` is the mode-k
 * unfolding (with numpy's C ordering of the column index).
 *
 * @example
 * ```ts
 * const t = randn([2, 3, 4], 1);
 * const m = unfold(t, [1]);
 * console.assert(m.shape.join() === "3,8" && m.get(2, 5) === t.get(1, 2, 1));
 * ```
 */
export function unfold<D extends DType>(t: Tensor<D>, rowModes: readonly number[]): Tensor<D> {
  const { rows, cols } = splitModes(t.ndim, rowModes);
  const r = shapeSize(rows.map((i) => t.shape[i]!));
  const c = shapeSize(cols.map((i) => t.shape[i]!));
  return permute(t, [...rows, ...cols]).reshape([r, c]);
}

/**
 * Inverse of {@link unfold}: folds a matrix back into a tensor of `shape`.
 *
 * @example
 * ```ts
 * const t = randn([2, 3, 4], 5);
 * console.assert(distance(fold(unfold(t, [2, 0]), [2, 3, 4], [2, 0]), t) === 0);
 * ```
 */
export function fold<D extends DType>(m: Tensor<D>, shape: readonly number[], rowModes: readonly number[]): Tensor<D> {
  const full = validateShape(shape);
  const { rows, cols } = splitModes(full.length, rowModes);
  const r = shapeSize(rows.map((i) => full[i]!));
  const c = shapeSize(cols.map((i) => full[i]!));
  if (m.ndim !== 2 || m.shape[0] !== r || m.shape[1] !== c) {
    throw new ShapeError(`fold: matrix ${formatShape(m.shape)} does not unfold shape ${formatShape(full)} along ${JSON.stringify(rowModes)} (needs [${r}, ${c}])`);
  }
  const order = [...rows, ...cols];
  const permuted = m.reshape(order.map((i) => full[i]!));
  const inverse = new Array<number>(order.length);
  order.forEach((axis, pos) => (inverse[axis] = pos));
  return permute(permuted, inverse);
}

/**
 * Mode-k product `t ×ₖ M`: contracts mode `mode` of `t` with the columns of matrix `M`
 * (shape J × n_k), putting the J-sized axis where mode k was. The Tucker workhorse.
 *
 * @example
 * ```ts
 * const t = randn([2, 3, 4], 1);
 * console.assert(modeProduct(t, eye(3), 1).shape.join() === "2,3,4");
 * ```
 */
export function modeProduct(t: Tensor, M: Tensor, mode: number): Tensor {
  const k = normalizeAxis(mode, t.ndim, "modeProduct mode");
  if (M.ndim !== 2 || M.shape[1] !== t.shape[k]) {
    throw new ShapeError(`modeProduct: matrix ${formatShape(M.shape)} cannot act on mode ${k} (size ${t.shape[k]}) of ${formatShape(t.shape)}`);
  }
  const smallDTypes = (M.dtype === "f64" || M.dtype === "c128") && (t.dtype === "f64" || t.dtype === "c128");
  if (smallDTypes && M.size <= SMALL_MATRIX) return smallModeProduct(t, M, k);
  const labels = t.shape.map((_, i) => i);
  return contract(M, ["new", k], t, labels, labels.map((l) => (l === k ? "new" : l)));
}

// Up to this many matrix entries (e.g. 8×8) direct loops beat contract's permute + GEMM: the
// work per output entry is a handful of multiply-adds, so the permutations would dominate.
const SMALL_MATRIX = 64;

// out[l, i, r] = Σ_j M[i, j]·t[l, j, r], with l the modes before k and r those after.
function smallModeProduct(t: Tensor, M: Tensor, k: number): Tensor {
  const J = M.shape[0]!, n = M.shape[1]!;
  const left = shapeSize(t.shape.slice(0, k));
  const right = shapeSize(t.shape.slice(k + 1));
  const dtype = promoteTypes(t.dtype, M.dtype);
  const shape = t.shape.slice();
  shape[k] = J;
  const out = new Tensor(dtype, shape);
  const o = out.data, x = t.data, m = M.data;
  if (dtype === "f64") {
    for (let l = 0; l < left; l++)
      for (let i = 0; i < J; i++) {
        const ob = (l * J + i) * right;
        for (let j = 0; j < n; j++) {
          const a = m[i * n + j]!;
          if (a === 0) continue;
          const xb = (l * n + j) * right;
          for (let r = 0; r < right; r++) o[ob + r]! += a * x[xb + r]!;
        }
      }
    return out;
  }
  const mc = M.dtype === "c128", xc = t.dtype === "c128";
  for (let l = 0; l < left; l++)
    for (let i = 0; i < J; i++) {
      const ob = 2 * (l * J + i) * right;
      for (let j = 0; j < n; j++) {
        const ar = mc ? m[2 * (i * n + j)]! : m[i * n + j]!;
        const ai = mc ? m[2 * (i * n + j) + 1]! : 0;
        if (ar === 0 && ai === 0) continue;
        const xb = (l * n + j) * right;
        if (xc) {
          for (let r = 0; r < right; r++) {
            const xr = x[2 * (xb + r)]!, xi = x[2 * (xb + r) + 1]!;
            o[ob + 2 * r]! += ar * xr - ai * xi;
            o[ob + 2 * r + 1]! += ar * xi + ai * xr;
          }
        } else {
          for (let r = 0; r < right; r++) {
            const xr = x[xb + r]!;
            o[ob + 2 * r]! += ar * xr;
            o[ob + 2 * r + 1]! += ai * xr;
          }
        }
      }
    }
  return out;
}
