/**
 * The two numbers image-completion papers report: the peak signal-to-noise ratio and the
 * structural similarity index (SSIM, Wang, Bovik, Sheikh & Simoncelli, "Image quality
 * assessment: from error visibility to structural similarity", IEEE TIP 13(4), 2004), with the
 * conventions of scikit-image's `peak_signal_noise_ratio` and `structural_similarity` so that
 * numbers can be compared with Python code.
 * @module
 */
import { ArgumentError, DTypeError, NonFiniteError, ShapeError } from "../errors.js";
import { formatShape } from "../linalg/shape.js";
import { Tensor } from "../linalg/tensor.js";

/** Options of {@link ssim}. */
export interface SsimOptions {
  /**
   * L, the range of the pixel values (max − min possible), which sets the stabilising constants
   * C1 = (k1·L)² and C2 = (k2·L)². Default 1: images as `readPng` gives them, in [0, 1]. Use
   * 255 for raw 8-bit values.
   */
  dataRange?: number;
  /**
   * Standard deviation of the Gaussian window in pixels (default 1.5). The window has radius
   * r = ⌊3.5·sigma + 0.5⌋ (11 × 11 pixels for 1.5), as scipy's `gaussian_filter` with
   * `truncate=3.5` uses it.
   */
  sigma?: number;
  /** Default 0.01. */
  k1?: number;
  /** Default 0.03. */
  k2?: number;
}

const OPTION_KEYS: readonly string[] = ["dataRange", "sigma", "k1", "k2"];
const TRUNCATE = 3.5;

/** The checked shape of a pair of images: height, width and channels (1 for a grey image). */
function imagePair(a: Tensor, b: Tensor, where: string): { height: number; width: number; channels: number } {
  for (const [t, name] of [[a, "first"], [b, "second"]] as const) {
    if (!(t instanceof Tensor)) throw new ArgumentError(`${where}: the ${name} image must be a tensor`);
    if (t.dtype === "c128") throw new DTypeError(`${where}: the images must be real, got c128`);
  }
  if (a.ndim < 2 || a.ndim > 3) throw new ShapeError(`${where}: expected images of shape [height, width] or [height, width, channels], got ${formatShape(a.shape)}`);
  if (a.ndim !== b.ndim || a.shape.some((n, k) => n !== b.shape[k])) {
    throw new ShapeError(`${where}: images of different shapes, ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  for (const t of [a, b]) {
    const data = t.data;
    for (let p = 0; p < data.length; p++) {
      if (!Number.isFinite(data[p]!)) throw new NonFiniteError(`${where}: entry ${p} of an image is ${data[p]}; the values must be finite`);
    }
  }
  return { height: a.shape[0]!, width: a.shape[1]!, channels: a.ndim === 3 ? a.shape[2]! : 1 };
}

function positive(value: unknown, name: string, where: string): number {
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) throw new ArgumentError(`${where}: ${name} must be a finite number > 0, got ${String(value)}`);
  return value;
}

/**
 * Peak signal-to-noise ratio of `b` against `a` in decibels: 10·log₁₀(peak² / MSE), the mean
 * squared difference taken over every entry (all pixels and channels), as scikit-image's
 * `peak_signal_noise_ratio(a, b, data_range=peak)`. Infinity for identical images.
 *
 * @param peak the largest possible pixel value (default 1, for images in [0, 1]).
 * @throws {@link ShapeError} for tensors of different shapes or of neither 2 nor 3 modes;
 * {@link DTypeError} for a complex one; {@link NonFiniteError} for a non-finite value;
 * {@link ArgumentError} for a peak that is not a positive number.
 * @example
 * ```ts
 * const a = tensor([[0, 0.5], [1, 0.25]]);
 * // One entry off by 0.1: MSE 0.01 / 4, so PSNR = 10·log10(400) ≈ 26.02 dB.
 * const b = tensor([[0.1, 0.5], [1, 0.25]]);
 * console.assert(Math.abs(psnr(a, b) - 10 * Math.log10(400)) < 1e-12);
 * console.assert(psnr(a, a) === Infinity);
 * // On the 0–255 scale the same images give the same number.
 * console.assert(Math.abs(psnr(scale(a, 255), scale(b, 255), 255) - psnr(a, b)) < 1e-9);
 * ```
 */
export function psnr(a: Tensor, b: Tensor, peak = 1): number {
  const where = "psnr";
  imagePair(a, b, where);
  positive(peak, "peak", where);
  const x = a.data, y = b.data;
  let se = 0;
  for (let p = 0; p < x.length; p++) se += (x[p]! - y[p]!) ** 2;
  const mse = se / x.length;
  return mse > 0 ? 10 * Math.log10((peak * peak) / mse) : Infinity;
}

/**
 * Mean structural similarity (SSIM) of two images, in [−1, 1], 1 only for identical images.
 *
 * The convention, which is scikit-image's `structural_similarity(a, b, gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False, data_range=L, channel_axis=-1)` (and Wang et al.'s):
 * for every channel separately and every pixel whose window lies wholly inside the image, the
 * local means μ, variances σ² = E[x²] − μ² (population, not sample) and covariance σ_xy under a
 * Gaussian window (σ = `sigma`, radius ⌊3.5σ + 0.5⌋: 11 × 11 by default, weights normalised to
 * sum 1) give
 *
 *   S = (2 μ_a μ_b + C1)(2 σ_ab + C2) / ((μ_a² + μ_b² + C1)(σ_a² + σ_b² + C2)),
 *
 * C1 = (k1·L)², C2 = (k2·L)²; the result is the mean of S over those pixels (the image less a
 * border of the window's radius, so no padding convention enters), averaged over the channels.
 * Checked against a scipy.ndimage implementation of that recipe to 1e-12
 * (test/fixtures/completion/ssim_reference.py).
 *
 * @param a an image of shape [height, width] or [height, width, channels], channels last, its
 * height and width at least the window's size.
 * @param b an image of the same shape.
 * @throws {@link ShapeError} for tensors of different shapes, of neither 2 nor 3 modes, or
 * smaller than the window; {@link DTypeError} for a complex one; {@link NonFiniteError} for a
 * non-finite value; {@link ArgumentError} for an unknown or non-positive option.
 * @example
 * ```ts
 * const x = rand([24, 24, 3], 1);
 * console.assert(ssim(x, x) === 1);
 * // Symmetric, and noise lowers it; a darker copy too, though it keeps every edge.
 * const noisy = add(x, scale(randn([24, 24, 3], 2), 0.1));
 * const s = ssim(x, noisy);
 * console.assert(s < 1 && s > 0 && Math.abs(ssim(noisy, x) - s) < 1e-12);
 * console.assert(ssim(x, scale(x, 0.5)) < 1);
 * // SSIM does not depend on the scale of the values when L scales with them.
 * console.assert(Math.abs(ssim(scale(x, 255), scale(noisy, 255), { dataRange: 255 }) - s) < 1e-12);
 * ```
 */
export function ssim(a: Tensor, b: Tensor, options: SsimOptions = {}): number {
  const where = "ssim";
  if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: options must be an object`);
  const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.includes(key));
  if (unknown.length > 0) throw new ArgumentError(`${where}: unknown option '${unknown[0]}' (known: ${OPTION_KEYS.join(", ")})`);
  const { height: H, width: W, channels: C } = imagePair(a, b, where);
  const L = positive(options.dataRange ?? 1, "dataRange", where);
  const sigma = positive(options.sigma ?? 1.5, "sigma", where);
  const k1 = positive(options.k1 ?? 0.01, "k1", where);
  const k2 = positive(options.k2 ?? 0.03, "k2", where);
  const r = Math.floor(TRUNCATE * sigma + 0.5);
  const size = 2 * r + 1;
  if (H < size || W < size) throw new ShapeError(`${where}: a ${H} × ${W} image is smaller than the ${size} × ${size} window (sigma ${sigma})`);

  // The normalised Gaussian weights of offsets −r … r (scipy's _gaussian_kernel1d).
  const w = new Float64Array(size);
  let total = 0;
  for (let t = -r; t <= r; t++) total += w[t + r] = Math.exp((-0.5 / (sigma * sigma)) * t * t);
  for (let t = 0; t < size; t++) w[t] = w[t]! / total;

  const c1 = (k1 * L) ** 2, c2 = (k2 * L) ** 2;
  const oh = H - 2 * r, ow = W - 2 * r;
  const x = a.data, y = b.data;
  // Five moments (x, y, x², y², xy), filtered along rows into `row`, then along columns.
  const row = new Float64Array(5 * H * ow);
  let sum = 0;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < ow; j++) {
        let m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0;
        for (let t = 0; t < size; t++) {
          const p = (i * W + j + t) * C + c;
          const u = x[p]!, v = y[p]!, g = w[t]!;
          m0 += g * u;
          m1 += g * v;
          m2 += g * (u * u);
          m3 += g * (v * v);
          m4 += g * (u * v);
        }
        const q = 5 * (i * ow + j);
        row[q] = m0;
        row[q + 1] = m1;
        row[q + 2] = m2;
        row[q + 3] = m3;
        row[q + 4] = m4;
      }
    }
    let channelSum = 0;
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
        for (let t = 0; t < size; t++) {
          const q = 5 * ((i + t) * ow + j), g = w[t]!;
          ux += g * row[q]!;
          uy += g * row[q + 1]!;
          uxx += g * row[q + 2]!;
          uyy += g * row[q + 3]!;
          uxy += g * row[q + 4]!;
        }
        const vx = uxx - ux * ux, vy = uyy - uy * uy, vxy = uxy - ux * uy;
        channelSum += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      }
    }
    sum += channelSum / (oh * ow);
  }
  return sum / C;
}
