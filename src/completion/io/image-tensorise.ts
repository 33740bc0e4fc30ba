/**
 * Visual data tensorisation (the "ket augmentation" of Bengua et al., TIP 2017, and the VDT of
 * Yuan et al.): an image of 2^k × 2^k pixels becomes a tensor with k modes of size 4 (and the
 * channels last), mode j holding the j-th bit of the row and the j-th bit of the column, the
 * coarsest scale first. The first mode then says which quadrant a pixel is in, the second which
 * quadrant of that quadrant, and so on, so neighbouring pixels share their leading indices and
 * low-rank tensor trains or rings capture an image far better than its 2-D or 3-D form does.
 *
 * In general the height is a product of factors a_0 · a_1 ⋯ a_{k−1} (row y has the mixed-radix
 * digits d_j, a_0 most significant), the width one of b_0 ⋯ b_{k−1} (digits e_j), and mode j has
 * size a_j · b_j and index d_j · b_j + e_j (`pair: "row-major"`, the default) or e_j · a_j + d_j
 * (`"column-major"`). With `scales: "fine-first"` the modes come in the reverse order. MATLAB
 * code that reshapes column-major (as `CastImageAsKet` does) produces the layout
 * `{ scales: "fine-first", pair: "column-major" }`.
 * @module
 */
import { ArgumentError, DTypeError, ShapeError } from "../../errors.js";
import { formatShape } from "../../linalg/shape.js";
import { Tensor } from "../../linalg/tensor.js";

const OPTION_KEYS: readonly string[] = ["rowFactors", "colFactors", "scales", "pair"];

/** Which scale the first mode holds: the coarsest (default) or the finest. */
export type ScaleOrder = "coarse-first" | "fine-first";

/** Within a mode, whether the row digit is the major one (default) or the column digit. */
export type PairOrder = "row-major" | "column-major";

/** How to tensorise an image (see {@link imageTensorLayout}). */
export interface ImageTensorOptions {
  /** Factors of the height, coarsest first; default its prime factors, largest first. */
  rowFactors?: readonly number[];
  /** Factors of the width, coarsest first; default its prime factors, largest first. */
  colFactors?: readonly number[];
  /** Default `"coarse-first"`. */
  scales?: ScaleOrder;
  /** Default `"row-major"`. */
  pair?: PairOrder;
}

/** A complete tensorisation of images of one shape: what {@link untensoriseImage} inverts. */
export interface ImageTensorLayout {
  /** [height, width] or [height, width, channels]. */
  readonly imageShape: readonly number[];
  /** Factors of the height, coarsest first, padded with leading 1s to the length of colFactors. */
  readonly rowFactors: readonly number[];
  /** Factors of the width, coarsest first, padded with leading 1s to the length of rowFactors. */
  readonly colFactors: readonly number[];
  readonly scales: ScaleOrder;
  readonly pair: PairOrder;
  /** The tensor's shape: one mode per scale, then the channels if the image has a channel axis. */
  readonly shape: readonly number[];
}

/**
 * The tensorisation of images of shape [height, width] or [height, width, channels]. Without
 * factors, the height and width are split into prime factors, largest first, and the shorter
 * list is padded with 1s at the coarse end: 256 × 256 × 3 gives [4, 4, 4, 4, 4, 4, 4, 4, 3],
 * 256 × 512 gives [2, 4, …, 4], 96 × 96 gives [9, 4, 4, 4, 4, 4].
 *
 * @throws {@link ShapeError} for an image shape that is not 2-D or 3-D with positive sizes,
 * factors whose product is not the height or width, or a layout with no modes (a 1 × 1 grey
 * image); {@link ArgumentError} for bad factors or options.
 * @example
 * ```ts
 * const layout = imageTensorLayout([256, 256, 3]);
 * console.assert(layout.shape.join() === "4,4,4,4,4,4,4,4,3");
 * const custom = imageTensorLayout([12, 8], { rowFactors: [3, 4], colFactors: [2, 4] });
 * console.assert(custom.shape.join() === "6,16");
 * ```
 */
export function imageTensorLayout(imageShape: readonly number[], options: ImageTensorOptions = {}): ImageTensorLayout {
  const where = "imageTensorLayout";
  if (!Array.isArray(imageShape) || imageShape.length < 2 || imageShape.length > 3 || imageShape.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new ShapeError(`${where}: expected an image shape [height, width] or [height, width, channels] of positive integers, got ${Array.isArray(imageShape) ? formatShape(imageShape) : String(imageShape)}`);
  }
  if (options === null || typeof options !== "object") throw new ArgumentError(`${where}: options must be an object`);
  const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.includes(key));
  if (unknown.length > 0) throw new ArgumentError(`${where}: unknown option '${unknown[0]}' (known: ${OPTION_KEYS.join(", ")})`);
  const { scales = "coarse-first", pair = "row-major" } = options;
  if (scales !== "coarse-first" && scales !== "fine-first") throw new ArgumentError(`${where}: scales must be "coarse-first" or "fine-first", got ${String(scales)}`);
  if (pair !== "row-major" && pair !== "column-major") throw new ArgumentError(`${where}: pair must be "row-major" or "column-major", got ${String(pair)}`);
  const [height, width] = imageShape as [number, number];
  const rows = checkFactors(options.rowFactors, height, "rowFactors", "height");
  const cols = checkFactors(options.colFactors, width, "colFactors", "width");
  const k = Math.max(rows.length, cols.length);
  while (rows.length < k) rows.unshift(1);
  while (cols.length < k) cols.unshift(1);
  const modes = rows.map((a, j) => a * cols[j]!);
  if (scales === "fine-first") modes.reverse();
  const shape = imageShape.length === 3 ? [...modes, imageShape[2]!] : modes;
  if (shape.length === 0) throw new ShapeError(`${where}: a 1 × 1 grey image has no modes to tensorise`);
  return Object.freeze({
    imageShape: Object.freeze(imageShape.slice()),
    rowFactors: Object.freeze(rows),
    colFactors: Object.freeze(cols),
    scales,
    pair,
    shape: Object.freeze(shape),
  });
}

/**
 * The tensorised image (see the module documentation): entry (i_0, …, i_{k−1}, c) of the result
 * is the pixel whose row and column digits the i_j hold, channel c. The values are copied,
 * not resampled: tensorisation is a permutation of the entries.
 *
 * @param layout a layout from {@link imageTensorLayout} for `image.shape`, or options to make one.
 * @throws {@link ShapeError} if the image does not have the layout's image shape;
 * {@link DTypeError} for a complex image; as {@link imageTensorLayout}.
 * @example
 * ```ts
 * // A 4×4 image whose value is its row-major pixel number.
 * const img = tensor(Array.from({ length: 16 }, (_, p) => p), { shape: [4, 4] });
 * const t = tensoriseImage(img);
 * console.assert(t.shape.join() === "4,4");
 * // Mode 0 picks the quadrant (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right),
 * // mode 1 the pixel inside it: quadrant 1 is columns 2–3 of rows 0–1.
 * console.assert([0, 1, 2, 3].map((i) => t.get(1, i)).join() === "2,3,6,7");
 * ```
 */
export function tensoriseImage(image: Tensor, layout: ImageTensorLayout | ImageTensorOptions = {}): Tensor {
  const L = resolveLayout(image, layout, "tensoriseImage");
  const { rows, cols } = pixelOffsets(L);
  const [height, width, channels = 1] = L.imageShape as [number, number, number?];
  const out = new Tensor(image.dtype, L.shape);
  const src = image.data, dst = out.data;
  for (let y = 0, q = 0; y < height; y++) {
    const r = rows[y]!;
    for (let x = 0; x < width; x++) {
      const o = r + cols[x]!;
      for (let c = 0; c < channels; c++) dst[o + c] = src[q++]!;
    }
  }
  return out;
}

/**
 * The image back from its tensorisation: the exact inverse of {@link tensoriseImage} for the
 * same layout.
 *
 * @throws {@link ShapeError} if the tensor does not have the layout's shape; {@link DTypeError}
 * for a complex tensor; as {@link imageTensorLayout} for a malformed layout.
 * @example
 * ```ts
 * const img = randn([8, 4, 3], 1);
 * const layout = imageTensorLayout(img.shape);
 * console.assert(layout.shape.join() === "2,4,4,3");
 * const back = untensoriseImage(tensoriseImage(img, layout), layout);
 * console.assert(distance(back, img) === 0);
 * ```
 */
export function untensoriseImage(tensor: Tensor, layout: ImageTensorLayout): Tensor {
  if (layout === null || typeof layout !== "object" || !Array.isArray(layout.imageShape)) {
    throw new ArgumentError("untensoriseImage: layout must be an ImageTensorLayout (see imageTensorLayout)");
  }
  // Rebuilt from its parts, which validates a layout made or edited by hand.
  const L = imageTensorLayout(layout.imageShape, layoutOptions(layout));
  if (!(tensor instanceof Tensor)) throw new ArgumentError("untensoriseImage: expected a tensor");
  if (tensor.dtype === "c128") throw new DTypeError("untensoriseImage: the tensor must be real, got c128");
  if (!sameShape(tensor.shape, L.shape)) {
    throw new ShapeError(`untensoriseImage: a tensor of shape ${formatShape(tensor.shape)} for the layout's shape ${formatShape(L.shape)}`);
  }
  const { rows, cols } = pixelOffsets(L);
  const [height, width, channels = 1] = L.imageShape as [number, number, number?];
  const out = new Tensor(tensor.dtype, L.imageShape);
  const src = tensor.data, dst = out.data;
  for (let y = 0, q = 0; y < height; y++) {
    const r = rows[y]!;
    for (let x = 0; x < width; x++) {
      const o = r + cols[x]!;
      for (let c = 0; c < channels; c++) dst[q++] = src[o + c]!;
    }
  }
  return out;
}

/**
 * The row-major offset in the tensorised image of pixel (y, x), channel 0, is
 * `rows[y] + cols[x]`: the offset is a sum of one term per mode, and each mode's index is a sum
 * of a row part and a column part. Internal to src/completion.
 */
export function pixelOffsets(layout: ImageTensorLayout): { rows: Float64Array; cols: Float64Array } {
  const { rowFactors: a, colFactors: b, shape, scales, pair } = layout;
  const k = a.length;
  // Stride of each scale's mode in the tensor, the channel axis (if any) having stride 1.
  const strides = new Float64Array(k);
  let s = layout.imageShape.length === 3 ? layout.imageShape[2]! : 1;
  for (let t = k - 1; t >= 0; t--) {
    const j = scales === "coarse-first" ? t : k - 1 - t;
    strides[j] = s;
    s *= shape[t]!;
  }
  const digitsTable = (n: number, f: readonly number[], weight: (j: number, digit: number) => number): Float64Array => {
    const out = new Float64Array(n);
    for (let v = 0; v < n; v++) {
      let rest = v, off = 0;
      for (let j = k - 1; j >= 0; j--) {
        off += weight(j, rest % f[j]!) * strides[j]!;
        rest = Math.floor(rest / f[j]!);
      }
      out[v] = off;
    }
    return out;
  };
  const rowMajor = pair === "row-major";
  return {
    rows: digitsTable(layout.imageShape[0]!, a, (j, d) => (rowMajor ? d * b[j]! : d)),
    cols: digitsTable(layout.imageShape[1]!, b, (j, e) => (rowMajor ? e : e * a[j]!)),
  };
}

function resolveLayout(image: Tensor, layout: ImageTensorLayout | ImageTensorOptions, where: string): ImageTensorLayout {
  if (!(image instanceof Tensor)) throw new ArgumentError(`${where}: the image must be a tensor`);
  if (image.dtype === "c128") throw new DTypeError(`${where}: the image must be real, got c128`);
  if (layout !== null && typeof layout === "object" && "imageShape" in layout) {
    const L = imageTensorLayout(layout.imageShape, layoutOptions(layout));
    if (!sameShape(image.shape, L.imageShape)) {
      throw new ShapeError(`${where}: an image of shape ${formatShape(image.shape)} for a layout of images of shape ${formatShape(L.imageShape)}`);
    }
    return L;
  }
  return imageTensorLayout(image.shape, layout);
}

function layoutOptions(layout: ImageTensorLayout): ImageTensorOptions {
  const { rowFactors, colFactors, scales, pair } = layout;
  return { rowFactors, colFactors, scales, pair };
}

function checkFactors(given: readonly number[] | undefined, n: number, name: string, what: string): number[] {
  if (given === undefined) return primeFactors(n);
  if (!Array.isArray(given) || given.some((f) => !Number.isSafeInteger(f) || f < 1)) {
    throw new ArgumentError(`imageTensorLayout: ${name} must be an array of positive integers, got ${JSON.stringify(given)}`);
  }
  const product = given.reduce((p, f) => p * f, 1);
  if (product !== n) throw new ShapeError(`imageTensorLayout: ${name} [${given.join(", ")}] multiply to ${product}, but the ${what} is ${n}`);
  return given.slice();
}

/** Prime factors of n, largest first (none for 1). */
function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; p * p <= n; p++) {
    while (n % p === 0) {
      out.push(p);
      n /= p;
    }
  }
  if (n > 1) out.push(n);
  return out.reverse();
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
