import { ArgumentError, ShapeError } from "../errors.js";
import { allocStorage, promoteTypes, type DType } from "./dtype.js";
import { asDType } from "./elementwise.js";
import { gemmOperands, gemmStorage, type GemmOperand } from "./matmul.js";
import { permute } from "./permute.js";
import { formatShape, normalizeAxis } from "./shape.js";
import { Tensor } from "./tensor.js";

/** An axis label in {@link contract}: any string or number; equal labels are the same index. */
export type Label = string | number;

function isRun(axes: readonly number[], start: number): boolean {
  return axes.every((a, i) => a === start + i);
}

function product(dims: readonly number[]): number {
  return dims.reduce((p, d) => p * d, 1);
}

/**
 * Pairwise contraction over numbered axes: Σ over `axesA[i]` of `a` paired with `axesB[i]` of
 * `b`. The result's axes are the free axes of `a` then those of `b`, each in their original
 * order (numpy's `tensordot`). A number `n` for `axes` pairs the last n axes of `a` with the
 * first n of `b`. Reduces to one GEMM, permuting an operand only when its contracted axes are
 * neither leading nor trailing in order.
 *
 * @example
 * ```ts
 * const a = randn([3, 4, 5], 1), b = randn([5, 4, 2], 2);
 * const c = tensordot(a, b, [[1, 2], [1, 0]]);
 * console.assert(c.shape.join() === "3,2");
 * ```
 */
export function tensordot(a: Tensor, b: Tensor, axes: number | readonly [readonly number[], readonly number[]]): Tensor {
  let axesA: number[];
  let axesB: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > a.ndim || axes > b.ndim) {
      throw new ShapeError(`tensordot: cannot contract ${axes} axes of ${formatShape(a.shape)} with ${formatShape(b.shape)}`);
    }
    axesA = Array.from({ length: axes }, (_, i) => a.ndim - axes + i);
    axesB = Array.from({ length: axes }, (_, i) => i);
  } else {
    if (axes[0].length !== axes[1].length) {
      throw new ShapeError(`tensordot: ${axes[0].length} axes of the first operand paired with ${axes[1].length} of the second`);
    }
    axesA = axes[0].map((x) => normalizeAxis(x, a.ndim, "tensordot axis of the first operand"));
    axesB = axes[1].map((x) => normalizeAxis(x, b.ndim, "tensordot axis of the second operand"));
  }
  if (new Set(axesA).size !== axesA.length || new Set(axesB).size !== axesB.length) {
    throw new ShapeError(`tensordot: an axis is repeated in ${JSON.stringify([axesA, axesB])}`);
  }
  axesA.forEach((x, i) => {
    const y = axesB[i]!;
    if (a.shape[x] !== b.shape[y]) {
      throw new ShapeError(
        `tensordot: axis ${x} of ${formatShape(a.shape)} (size ${a.shape[x]}) does not match axis ${y} of ${formatShape(b.shape)} (size ${b.shape[y]})`,
      );
    }
  });
  const freeA = a.shape.map((_, i) => i).filter((i) => !axesA.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !axesB.includes(i));
  const dtype = promoteTypes(a.dtype, b.dtype);
  const A = asDType(a, dtype);
  const B = asDType(b, dtype);
  const m = product(freeA.map((i) => a.shape[i]!));
  const k = product(axesA.map((i) => a.shape[i]!));
  const n = product(freeB.map((i) => b.shape[i]!));

  // Operands already laid out as a matrix (or its transpose) go as stored; others are
  // permuted on their way into kernel memory.
  let opA: GemmOperand<typeof dtype>;
  if (isRun(freeA, 0) && isRun(axesA, freeA.length)) opA = { data: A.data, op: 0, ld: k };
  else if (isRun(axesA, 0) && isRun(freeA, axesA.length)) opA = { data: A.data, op: 1, ld: m };
  else opA = { data: A.data, shape: A.shape, axes: [...freeA, ...axesA] };
  let opB: GemmOperand<typeof dtype>;
  if (isRun(axesB, 0) && isRun(freeB, axesB.length)) opB = { data: B.data, op: 0, ld: n };
  else if (isRun(freeB, 0) && isRun(axesB, freeB.length)) opB = { data: B.data, op: 1, ld: k };
  else opB = { data: B.data, shape: B.shape, axes: [...axesB, ...freeB] };

  const C = gemmOperands(dtype, m, n, k, opA, opB);
  return new Tensor(dtype, [...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)], C);
}

/**
 * Sums `t` over the given axes (which are removed).
 *
 * @example
 * ```ts
 * const s = sumAxes(ones([2, 3, 4]), [0, 2]);
 * console.assert(s.shape.join() === "3" && s.get(0) === 8);
 * ```
 */
export function sumAxes(t: Tensor, axes: readonly number[]): Tensor {
  const ax = axes.map((x) => normalizeAxis(x, t.ndim));
  if (ax.length === 0) return t;
  const keep = t.shape.map((_, i) => i).filter((i) => !ax.includes(i));
  const p = permute(t, [...keep, ...ax]);
  const rows = product(keep.map((i) => t.shape[i]!));
  const cols = product(ax.map((i) => t.shape[i]!));
  const w = t.dtype === "c128" ? 2 : 1;
  const out = allocStorage(t.dtype, rows);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      for (let q = 0; q < w; q++) out[w * r + q] = out[w * r + q]! + p.data[w * (r * cols + c) + q]!;
  return new Tensor(t.dtype, keep.map((i) => t.shape[i]!), out);
}

function checkLabels(t: Tensor, labels: readonly Label[], which: string): void {
  if (labels.length !== t.ndim) {
    throw new ShapeError(`contract: ${which} operand has shape ${formatShape(t.shape)} but ${labels.length} labels`);
  }
  if (new Set(labels).size !== labels.length) {
    throw new ArgumentError(
      `contract: a label repeats within the ${which} operand (${JSON.stringify(labels)}); diagonals and traces are not supported`,
    );
  }
}

/**
 * Pairwise contraction with labelled axes (ncon / einsum semantics). A label shared by both
 * operands is summed over unless it appears in `labelsOut`, in which case it is a batch index;
 * a label in one operand only is kept if it is in `labelsOut` and summed over otherwise.
 * `labelsOut` defaults to the labels that occur once, in order of appearance.
 *
 * @example
 * ```ts
 * const a = randn([2, 3], 1), b = randn([3, 4], 2);
 * const c = contract(a, ["i", "k"], b, ["k", "j"], ["j", "i"]);
 * console.assert(c.shape.join() === "4,2");
 * ```
 */
export function contract(a: Tensor, labelsA: readonly Label[], b: Tensor, labelsB: readonly Label[], labelsOut?: readonly Label[]): Tensor {
  checkLabels(a, labelsA, "first");
  checkLabels(b, labelsB, "second");
  const out = labelsOut ?? [...labelsA.filter((l) => !labelsB.includes(l)), ...labelsB.filter((l) => !labelsA.includes(l))];
  if (new Set(out).size !== out.length) throw new ArgumentError(`contract: output labels repeat: ${JSON.stringify(out)}`);
  for (const l of out) {
    if (!labelsA.includes(l) && !labelsB.includes(l)) {
      throw new ArgumentError(`contract: output label ${JSON.stringify(l)} is in neither operand`);
    }
  }
  for (const l of labelsA) {
    const j = labelsB.indexOf(l);
    if (j >= 0 && a.shape[labelsA.indexOf(l)] !== b.shape[j]) {
      throw new ShapeError(
        `contract: label ${JSON.stringify(l)} has size ${a.shape[labelsA.indexOf(l)]} in ${formatShape(a.shape)} but ${b.shape[j]} in ${formatShape(b.shape)}`,
      );
    }
  }
  // Indices private to one operand and absent from the output are summed out first.
  const dropA = labelsA.map((l, i) => (!labelsB.includes(l) && !out.includes(l) ? i : -1)).filter((i) => i >= 0);
  const dropB = labelsB.map((l, i) => (!labelsA.includes(l) && !out.includes(l) ? i : -1)).filter((i) => i >= 0);
  const A = sumAxes(a, dropA);
  const B = sumAxes(b, dropB);
  const la = labelsA.filter((_, i) => !dropA.includes(i));
  const lb = labelsB.filter((_, i) => !dropB.includes(i));
  const batch = la.filter((l) => lb.includes(l) && out.includes(l));
  const summed = la.filter((l) => lb.includes(l) && !out.includes(l));
  const freeA = la.filter((l) => !lb.includes(l));
  const freeB = lb.filter((l) => !la.includes(l));
  let result: Tensor;
  let resultLabels: Label[];
  if (batch.length === 0) {
    result = tensordot(A, B, [summed.map((l) => la.indexOf(l)), summed.map((l) => lb.indexOf(l))]);
    resultLabels = [...freeA, ...freeB];
  } else {
    result = batchedContract(A, la, B, lb, batch, summed, freeA, freeB);
    resultLabels = [...batch, ...freeA, ...freeB];
  }
  const order = out.map((l) => resultLabels.indexOf(l));
  return order.every((p, i) => p === i) ? result : permute(result, order);
}

function batchedContract(
  A: Tensor, la: readonly Label[], B: Tensor, lb: readonly Label[],
  batch: Label[], summed: Label[], freeA: Label[], freeB: Label[],
): Tensor {
  const dtype: DType = promoteTypes(A.dtype, B.dtype);
  const pa = permute(asDType(A, dtype), [...batch, ...freeA, ...summed].map((l) => la.indexOf(l)));
  const pb = permute(asDType(B, dtype), [...batch, ...summed, ...freeB].map((l) => lb.indexOf(l)));
  const dimA = (l: Label) => A.shape[la.indexOf(l)]!;
  const dimB = (l: Label) => B.shape[lb.indexOf(l)]!;
  const nb = product(batch.map(dimA));
  const m = product(freeA.map(dimA));
  const k = product(summed.map(dimA));
  const n = product(freeB.map(dimB));
  const w = dtype === "c128" ? 2 : 1;
  const out = allocStorage(dtype, nb * m * n);
  for (let t = 0; t < nb; t++) {
    const sa = pa.data.subarray(w * t * m * k, w * (t + 1) * m * k);
    const sb = pb.data.subarray(w * t * k * n, w * (t + 1) * k * n);
    out.set(gemmStorage(dtype, 0, 0, m, n, k, sa, k, sb, n), w * t * m * n);
  }
  return new Tensor(dtype, [...batch.map(dimA), ...freeA.map(dimA), ...freeB.map(dimB)], out);
}

function parseTerm(term: string, spec: string): string[] {
  const t = term.trim();
  if (!/^[a-zA-Z]*$/.test(t)) {
    throw new ArgumentError(`einsum: "${spec}": subscripts must be letters (no ellipsis), got "${term}"`);
  }
  return t.split("");
}

/**
 * Einstein summation over one or two operands, e.g. `einsum("ij,jk->ik", a, b)`,
 * `einsum("abc->cab", t)` or `einsum("ij->i", t)`. Without `->` the output holds the labels
 * that occur once, in alphabetical order (numpy's implicit mode). Letters only; repeated
 * letters within one operand (diagonals) are rejected with an error.
 *
 * @example
 * ```ts
 * const a = randn([2, 3], 1), b = randn([3, 2], 2);
 * const tr = einsum("ij,ji->", a, b);
 * console.assert(tr.ndim === 0);
 * ```
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  const [lhs, rhs] = spec.split("->") as [string, string | undefined];
  const terms = lhs.split(",").map((t) => parseTerm(t, spec));
  if (terms.length !== operands.length || terms.length < 1 || terms.length > 2) {
    throw new ArgumentError(`einsum: "${spec}" names ${terms.length} operands, ${operands.length} given (one or two supported)`);
  }
  let out: string[];
  if (rhs === undefined) {
    const all = terms.flat();
    out = [...new Set(all)].filter((l) => all.indexOf(l) === all.lastIndexOf(l)).sort();
  } else {
    out = parseTerm(rhs, spec);
  }
  if (operands.length === 1) {
    const t = operands[0]!;
    const labels = terms[0]!;
    checkLabels(t, labels, "only");
    for (const l of out) if (!labels.includes(l)) throw new ArgumentError(`einsum: output label "${l}" is not in the input`);
    const drop = labels.map((l, i) => (out.includes(l) ? -1 : i)).filter((i) => i >= 0);
    const kept = labels.filter((l) => out.includes(l));
    const reduced = sumAxes(t, drop);
    const order = out.map((l) => kept.indexOf(l));
    return order.every((p, i) => p === i) ? reduced : permute(reduced, order);
  }
  return contract(operands[0]!, terms[0]!, operands[1]!, terms[1]!, out);
}
