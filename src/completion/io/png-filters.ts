/**
 * PNG's per-row filters (ISO/IEC 15948, §9): each row of bytes is stored as the difference to a
 * prediction from the byte to its left (`bpp` bytes back, a whole pixel), the byte above, or
 * both. Filter type 0 = None, 1 = Sub, 2 = Up, 3 = Average, 4 = Paeth. Internal to the PNG codec.
 * @module
 */
import { FormatError } from "../../errors.js";

/** Which filters {@link filterRows} may use. */
export type FilterChoice = "none" | "adaptive";

/**
 * Undoes the filters of `height` rows of `stride` bytes, each preceded by its filter type byte,
 * into a new array of `height · stride` bytes.
 *
 * @throws {@link FormatError} naming the row of an unknown filter type.
 */
export function unfilterRows(filtered: Uint8Array, height: number, stride: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const type = filtered[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1, row = y * stride, up = row - stride;
    switch (type) {
      case 0:
        out.set(filtered.subarray(src, src + stride), row);
        break;
      case 1:
        for (let i = 0; i < stride; i++) out[row + i] = filtered[src + i]! + (i >= bpp ? out[row + i - bpp]! : 0);
        break;
      case 2:
        for (let i = 0; i < stride; i++) out[row + i] = filtered[src + i]! + (y > 0 ? out[up + i]! : 0);
        break;
      case 3:
        for (let i = 0; i < stride; i++) {
          const a = i >= bpp ? out[row + i - bpp]! : 0, b = y > 0 ? out[up + i]! : 0;
          out[row + i] = filtered[src + i]! + ((a + b) >>> 1);
        }
        break;
      case 4:
        for (let i = 0; i < stride; i++) {
          const a = i >= bpp ? out[row + i - bpp]! : 0;
          const b = y > 0 ? out[up + i]! : 0;
          const c = y > 0 && i >= bpp ? out[up + i - bpp]! : 0;
          out[row + i] = filtered[src + i]! + paeth(a, b, c);
        }
        break;
      default:
        throw new FormatError(`row ${y} has the unknown filter type ${type} (PNG defines 0 to 4)`);
    }
  }
  return out;
}

/**
 * Filters `height` rows of `stride` bytes for storage: filter 0 throughout, or per row the
 * filter whose output has the least sum of absolute values read as signed bytes (the heuristic
 * the PNG specification recommends and libpng uses), which deflate then compresses best.
 */
export function filterRows(raw: Uint8Array, height: number, stride: number, bpp: number, choice: FilterChoice): Uint8Array {
  const out = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = y * stride, dst = y * (stride + 1);
    if (choice === "none") {
      out.set(raw.subarray(row, row + stride), dst + 1);
      continue;
    }
    let best = Infinity;
    for (let type = 0; type <= 4; type++) {
      let cost = 0;
      for (let i = 0; i < stride; i++) {
        const x = raw[row + i]!;
        const a = i >= bpp ? raw[row + i - bpp]! : 0;
        const b = y > 0 ? raw[row - stride + i]! : 0;
        const c = y > 0 && i >= bpp ? raw[row - stride + i - bpp]! : 0;
        const v = (x - (type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >>> 1 : paeth(a, b, c))) & 0xff;
        candidate[i] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < best) {
        best = cost;
        out[dst] = type;
        out.set(candidate, dst + 1);
      }
    }
  }
  return out;
}

/** The Paeth predictor: of left, up and upper-left, the one nearest to left + up − upper-left. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
