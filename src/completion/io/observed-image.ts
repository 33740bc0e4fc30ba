/**
 * The standard image-completion experiment: an image with a fraction of its pixels missing,
 * uniformly at random, all channels of a pixel missing together (as in the TT/TR completion
 * papers' demos), handed over as the observed entries of the tensorised image.
 * @module
 */
import { ArgumentError, DTypeError, ShapeError } from "../../errors.js";
import { Rng, type Seed } from "../../linalg/random.js";
import { Tensor } from "../../linalg/tensor.js";
import type { ObservedEntries } from "../../search/fit/observed.js";
import { imageTensorLayout, pixelOffsets, type ImageTensorLayout, type ImageTensorOptions } from "./image-tensorise.js";

/** Options of {@link observedFromImage}: the missing ratio, the seed and the tensorisation. */
export interface ObservedImageOptions extends ImageTensorOptions {
  /** The fraction of pixels that are missing, in [0, 1). */
  missing: number;
  /** Seed of the choice of pixels; default 1. */
  seed?: Seed;
}

/** The observed entries of a tensorised image and the layout that maps them back to pixels. */
export interface ObservedImage {
  /** Entries of the tensorised image (shape `layout.shape`), in its row-major order. */
  observed: ObservedEntries;
  /** The tensorisation: {@link untensoriseImage} of a completed tensor gives the image. */
  layout: ImageTensorLayout;
  /**
   * The channel mode of the tensor (its last), or none for a greyscale image: pass it as
   * `validationGroupModes` to hold out whole pixels for validation, as the missing ones are.
   */
  channelModes: number[];
}

/**
 * Observes `round((1 − missing) · height · width)` pixels of an image, chosen uniformly at random
 * without replacement (a seeded shuffle), every channel of each, and returns them as observed
 * entries of the tensorised image ({@link tensoriseImage}, same options).
 *
 * @param image [height, width] or [height, width, channels], real, finite.
 * @throws {@link ArgumentError} for a missing ratio outside [0, 1), one that leaves no pixel, or
 * a non-finite observed pixel; {@link DTypeError} for a complex image; otherwise as
 * {@link imageTensorLayout}.
 * @example
 * ```ts
 * const img = rand([16, 16, 3], 5);
 * const { observed, layout, channelModes } = observedFromImage(img, { missing: 0.9, seed: 2 });
 * console.assert(layout.shape.join() === "4,4,4,4,3" && observed.values.length === 26 * 3 && channelModes[0] === 4);
 * // The entries are those of the tensorised image.
 * const t = tensoriseImage(img, layout);
 * console.assert(t.get(...observed.indices.subarray(0, 5)) === observed.values[0]);
 * ```
 */
export function observedFromImage(image: Tensor, options: ObservedImageOptions): ObservedImage {
  const where = "observedFromImage";
  if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: options { missing, seed? } are required`);
  const { missing, seed = 1, ...tensorOptions } = options;
  // Unknown keys are reported by imageTensorLayout, which receives the rest.
  if (!(typeof missing === "number" && missing >= 0 && missing < 1)) throw new ArgumentError(`${where}: missing must lie in [0, 1), got ${String(missing)}`);
  if (!(image instanceof Tensor)) throw new ArgumentError(`${where}: the image must be a tensor`);
  if (image.dtype === "c128") throw new DTypeError(`${where}: the image must be real, got c128`);
  const layout = imageTensorLayout(image.shape, tensorOptions);
  const [height, width, channels = 1] = layout.imageShape as [number, number, number?];
  const pixels = height * width;
  const count = Math.round((1 - missing) * pixels);
  if (count < 1) throw new ArgumentError(`${where}: missing ${missing} of ${pixels} pixels leaves none observed`);
  if (layout.shape.some((n) => n > 2 ** 31 - 1)) throw new ShapeError(`${where}: a mode of the tensorised shape is beyond 2^31 − 1`);

  // Partial Fisher–Yates, as sampleObserved draws entries: the first `count` positions become
  // a uniform random subset of the pixels.
  const order = Int32Array.from({ length: pixels }, (_, p) => p);
  const rng = new Rng(seed);
  for (let k = 0; k < count; k++) {
    const r = k + Math.floor(rng.nextFloat64() * (pixels - k));
    const t = order[k]!;
    order[k] = order[r]!;
    order[r] = t;
  }
  const { rows, cols } = pixelOffsets(layout);
  // Listed in the tensor's row-major order, which does not depend on the order of the draws.
  const chosen = order.subarray(0, count);
  const base = new Float64Array(count);
  for (let s = 0; s < count; s++) base[s] = rows[Math.floor(chosen[s]! / width)]! + cols[chosen[s]! % width]!;
  const byOffset = Int32Array.from({ length: count }, (_, s) => s).sort((u, v) => base[u]! - base[v]!);

  const shape = layout.shape, d = shape.length;
  const indices = new Int32Array(count * channels * d), values = new Float64Array(count * channels);
  const idx = new Int32Array(d);
  const hasChannelMode = layout.imageShape.length === 3;
  let e = 0;
  for (let s = 0; s < count; s++) {
    const pixel = chosen[byOffset[s]!]!;
    let rest = base[byOffset[s]!]!;
    for (let k = d - 1; k >= 0; k--) {
      idx[k] = rest % shape[k]!;
      rest = Math.floor(rest / shape[k]!);
    }
    for (let c = 0; c < channels; c++, e++) {
      const x = image.data[pixel * channels + c]!;
      if (!Number.isFinite(x)) {
        throw new ArgumentError(`${where}: pixel (${Math.floor(pixel / width)}, ${pixel % width}) channel ${c} is ${x}; observed values must be finite`);
      }
      if (hasChannelMode) idx[d - 1] = c;
      indices.set(idx, e * d);
      values[e] = x;
    }
  }
  return { observed: Object.freeze({ shape: Object.freeze(shape.slice()), indices, values }), layout, channelModes: hasChannelMode ? [d - 1] : [] };
}
