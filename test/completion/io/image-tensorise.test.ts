import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { imageTensorLayout, tensoriseImage, untensoriseImage, type ImageTensorOptions } from "../../../src/completion/io/image-tensorise.js";
import { ArgumentError, DTypeError, ShapeError } from "../../../src/errors.js";
import { permute } from "../../../src/linalg/permute.js";
import { rand } from "../../../src/linalg/random.js";
import { Tensor } from "../../../src/linalg/tensor.js";
import { captureError } from "../../helpers/reference.js";


/**
 * The tensorisation as reshape → permute → reshape, the way numpy code writes it: split the
 * height into its factors and the width into its, interleave the two lists of axes (scale by
 * scale, in the requested pair and scale order), then merge each pair into one mode.
 */
function reference(image: Tensor, rows: number[], cols: number[], options: ImageTensorOptions): Tensor {
  const k = rows.length, withChannels = image.ndim === 3;
  const split = image.reshape([...rows, ...cols, ...(withChannels ? [image.shape[2]!] : [])]);
  const scales = Array.from({ length: k }, (_, j) => j);
  if (options.scales === "fine-first") scales.reverse();
  const axes = scales.flatMap((j) => (options.pair === "column-major" ? [k + j, j] : [j, k + j]));
  if (withChannels) axes.push(2 * k);
  const merged = scales.map((j) => rows[j]! * cols[j]!);
  return permute(split, axes).reshape([...merged, ...(withChannels ? [image.shape[2]!] : [])]);
}

const orders: ImageTensorOptions[] = [
  {},
  { scales: "fine-first" },
  { pair: "column-major" },
  { scales: "fine-first", pair: "column-major" },
];

describe("tensoriseImage", () => {
  it("is the reshape–permute–reshape of the image for 2^k × 2^k images, in all four orders", () => {
    const img = rand([16, 16, 3], 1);
    for (const o of orders) {
      const t = tensoriseImage(img, o);
      expect(t.shape).toEqual([4, 4, 4, 4, 3]);
      expect(Array.from(t.data)).toEqual(Array.from(reference(img, [2, 2, 2, 2], [2, 2, 2, 2], o).data));
    }
  });

  it("is the same for general factor lists, unequal lengths padded with 1s at the coarse end", () => {
    const img = rand([12, 10, 2], 2);
    const o = { rowFactors: [3, 2, 2], colFactors: [5, 2] };
    for (const order of orders) {
      const t = tensoriseImage(img, { ...o, ...order });
      const want = reference(img, [3, 2, 2], [1, 5, 2], order);
      expect(t.shape).toEqual(want.shape);
      expect(Array.from(t.data)).toEqual(Array.from(want.data));
    }
    // A grey image without a channel axis gets no channel mode.
    const grey = rand([8, 4], 3);
    expect(Array.from(tensoriseImage(grey).data)).toEqual(Array.from(reference(grey, [2, 2, 2], [1, 2, 2], {}).data));
  });

  it("indexes the image quadrants with the first mode, coarse scales first", () => {
    // Value = 10 · quadrant + sub-quadrant of each pixel of an 8×8 image.
    const img = new Tensor("f64", [8, 8]);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) img.data[8 * y + x] = 10 * (2 * (y >> 2) + (x >> 2)) + (2 * ((y >> 1) & 1) + ((x >> 1) & 1));
    const t = tensoriseImage(img);
    expect(t.shape).toEqual([4, 4, 4]);
    for (let q = 0; q < 4; q++) for (let r = 0; r < 4; r++) for (let s = 0; s < 4; s++) expect(t.get(q, r, s)).toBe(10 * q + r);
    // Fine-first puts the same bits last.
    const f = tensoriseImage(img, { scales: "fine-first" });
    for (let q = 0; q < 4; q++) for (let r = 0; r < 4; r++) for (let s = 0; s < 4; s++) expect(f.get(s, r, q)).toBe(10 * q + r);
  });

  it("with fine-first, column-major pairs reproduces MATLAB's column-major ket augmentation", () => {
    // MATLAB: reshape(I, [2 2 2 2 2 2 3]) column-major (least significant row bit first), permute to
    // [r0 c0 r1 c1 r2 c2 ch], reshape to [4 4 4 3]: mode j is r_j + 2 c_j.
    const img = rand([8, 8, 3], 4);
    const t = tensoriseImage(img, { scales: "fine-first", pair: "column-major" });
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const modes = [0, 1, 2].map((j) => ((y >> j) & 1) + 2 * ((x >> j) & 1));
        for (let c = 0; c < 3; c++) expect(t.get(...modes, c)).toBe(img.get(y, x, c));
      }
    }
  });

  it("has untensoriseImage as its exact inverse (property)", () => {
    const arbFactors = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });
    fc.assert(fc.property(arbFactors, arbFactors, fc.integer({ min: 0, max: 3 }), fc.constantFrom(...orders), fc.integer({ min: 0, max: 1000 }), (rf, cf, channels, order, seed) => {
      const h = rf.reduce((p, f) => p * f, 1), w = cf.reduce((p, f) => p * f, 1);
      const shape = channels === 0 ? [h, w] : [h, w, channels];
      if (channels === 0 && Math.max(rf.length, cf.length) === 0) return; // 1×1 grey: no modes
      const layout = imageTensorLayout(shape, { rowFactors: rf, colFactors: cf, ...order });
      const img = rand(shape, seed);
      const t = tensoriseImage(img, layout);
      expect(t.shape).toEqual(layout.shape);
      // A permutation of the entries…
      expect(Array.from(t.data).sort()).toEqual(Array.from(img.data).sort());
      // …undone exactly.
      expect(Array.from(untensoriseImage(t, layout).data)).toEqual(Array.from(img.data));
    }), { numRuns: 200 });
  });

  it("keeps the dtype", () => {
    const img = rand([4, 4, 1], 5, { dtype: "f32" });
    const t = tensoriseImage(img);
    expect(t.dtype).toBe("f32");
    expect(untensoriseImage(t, imageTensorLayout([4, 4, 1])).dtype).toBe("f32");
  });
});

describe("imageTensorLayout", () => {
  it("defaults to prime factors, largest first, padded at the coarse end", () => {
    expect(imageTensorLayout([256, 256, 3]).shape).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 3]);
    expect(imageTensorLayout([256, 512]).shape).toEqual([2, 4, 4, 4, 4, 4, 4, 4, 4]);
    const l = imageTensorLayout([96, 96]);
    expect(l.rowFactors).toEqual([3, 2, 2, 2, 2, 2]);
    expect(l.shape).toEqual([9, 4, 4, 4, 4, 4]);
    expect(imageTensorLayout([1, 4, 3]).shape).toEqual([2, 2, 3]);
  });

  it("refuses bad shapes, factors and options", () => {
    expect(captureError(() => imageTensorLayout([4]))).toBeInstanceOf(ShapeError);
    expect(captureError(() => imageTensorLayout([4, 0]))).toBeInstanceOf(ShapeError);
    expect(captureError(() => imageTensorLayout([1, 1]))).toBeInstanceOf(ShapeError);
    const e = captureError(() => imageTensorLayout([12, 8], { rowFactors: [3, 3] }));
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toMatch(/rowFactors \[3, 3\] multiply to 9, but the height is 12/);
    expect(captureError(() => imageTensorLayout([4, 4], { colFactors: [2, 2.0001] }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => imageTensorLayout([4, 4], { scales: "coarse" as never }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => imageTensorLayout([4, 4], { pair: "rows" as never }))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => imageTensorLayout([4, 4], { rowfactors: [2, 2] } as never)).message).toMatch(/unknown option 'rowfactors'/);
  });

  it("is checked against the image and the tensor", () => {
    const layout = imageTensorLayout([4, 4, 3]);
    expect(captureError(() => tensoriseImage(rand([4, 4, 2], 1), layout))).toBeInstanceOf(ShapeError);
    expect(captureError(() => untensoriseImage(rand([4, 4, 4], 1), layout))).toBeInstanceOf(ShapeError);
    expect(captureError(() => untensoriseImage(rand([4, 4, 3], 1), { ...layout, rowFactors: [3, 2] }))).toBeInstanceOf(ShapeError);
    expect(captureError(() => untensoriseImage(rand([4, 4, 3], 1), null as never))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => tensoriseImage(new Tensor("c128", [2, 2])))).toBeInstanceOf(DTypeError);
  });
});
