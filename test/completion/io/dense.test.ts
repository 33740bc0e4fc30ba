import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  observedFromCoordinateArrays, observedFromMask, observedFromNaN, readCoordinateNpy, readObservedNpy,
} from "../../../src/completion/io/dense.js";
import { ArgumentError, DTypeError, FormatError, ShapeError } from "../../../src/errors.js";
import { readNpy } from "../../../src/linalg/io/npy.js";
import { randn } from "../../../src/linalg/random.js";
import { Tensor, tensor } from "../../../src/linalg/tensor.js";
import type { ObservedEntries } from "../../../src/search/fit/observed.js";
import { captureError } from "../../helpers/reference.js";

const fixtures = join(import.meta.dirname, "../../fixtures/completion");


function rows(obs: ObservedEntries): number[][] {
  const d = obs.shape.length;
  return Array.from({ length: obs.values.length }, (_, s) => Array.from(obs.indices.subarray(s * d, s * d + d)));
}

/** np.argwhere(mask) and dense[mask], as numpy computed them. */
function numpyExpected(): { indices: number[][]; values: number[] } {
  const idx = readNpy(join(fixtures, "dense_expected_indices.npy"));
  const d = idx.shape[1]!;
  return {
    indices: Array.from({ length: idx.shape[0]! }, (_, s) => Array.from(idx.data.subarray(s * d, s * d + d))),
    values: Array.from(readNpy(join(fixtures, "dense_expected_values.npy")).data),
  };
}

describe("observedFromNaN", () => {
  it("lists the non-NaN entries in row-major order with their multi-indices", () => {
    const x = randn([3, 4, 2], 1);
    const data = x.data.slice();
    const missing = [1, 5, 6, 11, 23];
    for (const p of missing) data[p] = NaN;
    const obs = observedFromNaN(new Tensor("f64", [3, 4, 2], data));
    expect(obs.shape).toEqual([3, 4, 2]);
    expect(obs.values.length).toBe(24 - missing.length);
    // Reference: every multi-index in nested loops, skipping the NaNs.
    const want: number[][] = [];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 2; k++) if (!missing.includes(8 * i + 2 * j + k)) want.push([i, j, k]);
    expect(rows(obs)).toEqual(want);
    expect(Array.from(obs.values)).toEqual(want.map(([i, j, k]) => x.get(i!, j!, k!)));
  });

  it("reads f32 tensors and refuses infinities, complex, scalar and empty tensors", () => {
    expect(Array.from(observedFromNaN(tensor([NaN, 0.5], { dtype: "f32" })).values)).toEqual([0.5]);
    const e = captureError(() => observedFromNaN(tensor([[1, NaN], [Infinity, 2]])));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toMatch(/\(1, 0\) is Infinity/);
    expect(captureError(() => observedFromNaN(tensor([{ re: 1, im: 0 }])))).toBeInstanceOf(DTypeError);
    expect(captureError(() => observedFromNaN(new Tensor("f64", [])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedFromNaN(new Tensor("f64", [2, 0])))).toBeInstanceOf(ShapeError);
  });

  it("agrees with numpy's argwhere on a .npy written by numpy", () => {
    const want = numpyExpected();
    const obs = readObservedNpy(join(fixtures, "dense_nan.npy"));
    expect(rows(obs)).toEqual(want.indices);
    expect(Array.from(obs.values)).toEqual(want.values);
  });
});

describe("observedFromMask", () => {
  it("takes a mask as a tensor of the same shape, or as flags", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    for (const mask of [tensor([[1, 0, 0], [0, 1, 1]]), [1, 0, 0, 0, 1, 1], [true, false, false, false, true, true], Uint8Array.of(1, 0, 0, 0, 1, 1)]) {
      const obs = observedFromMask(x, mask);
      expect(rows(obs)).toEqual([[0, 0], [1, 1], [1, 2]]);
      expect(Array.from(obs.values)).toEqual([1, 5, 6]);
    }
    // Missing entries may hold anything, NaN included.
    expect(Array.from(observedFromMask(tensor([NaN, 2]), [0, 1]).values)).toEqual([2]);
  });

  it("refuses masks that are not 0/1, of another shape, or observing a non-finite value", () => {
    const x = tensor([[1, 2], [3, 4]]);
    let e = captureError(() => observedFromMask(x, tensor([[1, 0.5], [0, 1]])));
    expect(e).toBeInstanceOf(ArgumentError);
    expect(e.message).toMatch(/mask entry at \(0, 1\) is 0.5/);
    expect(captureError(() => observedFromMask(x, tensor([1, 0, 0, 1])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedFromMask(x, [1, 0, 0]))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedFromMask(x, [1, 0, 2, 1]))).toBeInstanceOf(ArgumentError);
    e = captureError(() => observedFromMask(tensor([1, NaN]), [1, 1]));
    expect(e.message).toMatch(/observed entry at \(1\) is NaN/);
    expect(captureError(() => observedFromMask(x, null as never))).toBeInstanceOf(ArgumentError);
  });

  it("agrees with numpy for bool, uint8 and float32 mask files", () => {
    const want = numpyExpected();
    for (const mask of ["mask_bool.npy", "mask_u1.npy", "mask_f4.npy"]) {
      const obs = readObservedNpy(join(fixtures, "dense.npy"), { mask: join(fixtures, mask) });
      expect(rows(obs)).toEqual(want.indices);
      expect(Array.from(obs.values)).toEqual(want.values);
    }
  });

  it("prefixes errors with the files, and refuses a mask of another shape", () => {
    const e = captureError(() => readObservedNpy(join(fixtures, "dense.npy"), { mask: join(fixtures, "coo_values.npy") }));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toContain("dense.npy with mask");
    expect(captureError(() => readObservedNpy(join(fixtures, "coo.csv")))).toBeInstanceOf(FormatError);
    expect(captureError(() => readObservedNpy(join(fixtures, "dense.npy"), { musk: "x" } as never))).toBeInstanceOf(ArgumentError);
  });
});

describe("observedFromCoordinateArrays", () => {
  it("reads numpy's int64 index and f64 value arrays", () => {
    const obs = readCoordinateNpy(join(fixtures, "coo_indices.npy"), join(fixtures, "coo_values.npy"), { shape: [5, 4, 6] });
    const idx = readNpy(join(fixtures, "coo_indices.npy"));
    expect(Array.from(obs.indices)).toEqual(Array.from(idx.data));
    expect(Array.from(obs.values)).toEqual(Array.from(readNpy(join(fixtures, "coo_values.npy")).data));
  });

  it("infers the shape and takes 1-based indices", () => {
    const obs = observedFromCoordinateArrays(tensor([[3, 1], [1, 2]]), tensor([1, 2]), { oneBased: true });
    expect(obs.shape).toEqual([3, 2]);
    expect(rows(obs)).toEqual([[2, 0], [0, 1]]);
  });

  it("refuses bad indices, shapes and duplicates", () => {
    expect(captureError(() => observedFromCoordinateArrays(tensor([[0.5, 1]]), tensor([1])))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => observedFromCoordinateArrays(tensor([[0, 1]]), tensor([1]), { oneBased: true })).message).toMatch(/sample 0 has index 0 for mode 0/);
    expect(captureError(() => observedFromCoordinateArrays(tensor([[-1, 1]]), tensor([1])))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => observedFromCoordinateArrays(tensor([0, 1]), tensor([1])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedFromCoordinateArrays(tensor([[0, 1]]), tensor([1, 2])))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedFromCoordinateArrays(tensor([[0, 3]]), tensor([1]), { shape: [2, 2] }))).toBeInstanceOf(ShapeError);
    expect(captureError(() => observedFromCoordinateArrays(tensor([[0, 1], [0, 1]]), tensor([1, 2]))).message).toMatch(/samples 0 and 1/);
    expect(captureError(() => observedFromCoordinateArrays(tensor([[0, 1]]), tensor([NaN])))).toBeInstanceOf(ArgumentError);
  });
});
