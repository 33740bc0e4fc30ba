import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { psnr, ssim } from "../../src/completion/index.js";
import { ArgumentError, DTypeError, NonFiniteError, ShapeError } from "../../src/errors.js";
import { rand, randn } from "../../src/linalg/random.js";
import { Tensor } from "../../src/linalg/tensor.js";

interface ReferenceCase {
  name: string;
  shape: number[];
  divisor: number;
  dataRange: number;
  sigma: number;
  windowSize: number;
  a: number[];
  b: number[];
  ssim: number;
  psnr: number | null;
}

// test/fixtures/completion/ssim_reference.py: scikit-image's recipe written with scipy.ndimage.
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "../fixtures/completion/ssim_reference.json"), "utf8")) as { cases: ReferenceCase[] };
const image = (values: number[], shape: number[], divisor: number): Tensor<"f64"> => new Tensor("f64", shape, Float64Array.from(values, (v) => v / divisor));

describe("ssim and psnr against the scipy reference", () => {
  it("has the cases", () => expect(fixture.cases.map((c) => c.name)).toEqual(["rgb-noisy", "rgb-blurred-dark", "grey-255-independent", "grey-sigma-1", "flat", "identical"]));
  for (const c of fixture.cases) {
    it(`${c.name}: ${c.shape.join("×")}, window ${c.windowSize}`, () => {
      const a = image(c.a, c.shape, c.divisor), b = image(c.b, c.shape, c.divisor);
      const s = ssim(a, b, { dataRange: c.dataRange, sigma: c.sigma });
      expect(Math.abs(s - c.ssim)).toBeLessThan(1e-12);
      const p = psnr(a, b, c.dataRange);
      if (c.psnr === null) expect(p).toBe(Infinity);
      else expect(Math.abs(p - c.psnr)).toBeLessThan(1e-10);
    });
  }
});

describe("ssim", () => {
  const x = rand([20, 18, 3], 3) as Tensor<"f64">;
  const noise = randn([20, 18, 3], 4) as Tensor<"f64">;
  const y = new Tensor("f64", x.shape, Float64Array.from(x.data, (v, p) => v + 0.05 * noise.data[p]!));

  it("is 1 for identical images, symmetric, and within [−1, 1]", () => {
    expect(ssim(x, x)).toBe(1);
    expect(ssim(x, y)).toBeCloseTo(ssim(y, x), 14);
    const neg = new Tensor("f64", x.shape, Float64Array.from(x.data, (v) => 1 - v));
    const s = ssim(x, neg);
    expect(s).toBeLessThan(0);
    expect(s).toBeGreaterThanOrEqual(-1);
  });

  it("averages the channels: a colour image's SSIM is the mean of its channels'", () => {
    const channel = (t: Tensor<"f64">, c: number): Tensor<"f64"> => new Tensor("f64", [20, 18], Float64Array.from({ length: 360 }, (_, p) => t.data[3 * p + c]!));
    const each = [0, 1, 2].map((c) => ssim(channel(x, c), channel(y, c)));
    expect(ssim(x, y)).toBeCloseTo((each[0]! + each[1]! + each[2]!) / 3, 14);
  });

  it("uses only windows inside the image: changing a border pixel by a lot changes little", () => {
    // A pixel in the corner enters fewer windows (with small weights) than one in the middle.
    const corner = x.clone(), middle = x.clone();
    corner.data[0] = 1 - corner.data[0]!;
    middle.data[(10 * 18 + 9) * 3] = 1 - middle.data[(10 * 18 + 9) * 3]!;
    expect(1 - ssim(x, corner)).toBeLessThan(1 - ssim(x, middle));
    expect(1 - ssim(x, corner)).toBeGreaterThan(0);
  });

  it("takes f32 images and the window options", () => {
    const x32 = new Tensor("f32", x.shape, Float32Array.from(x.data)), y32 = new Tensor("f32", y.shape, Float32Array.from(y.data));
    expect(ssim(x32, y32)).toBeCloseTo(ssim(x, y), 6);
    // A 5 × 5 window (sigma 0.6: radius ⌊2.6⌋ = 2) fits a 5 × 5 image.
    const small = rand([5, 5], 1);
    expect(ssim(small, small, { sigma: 0.6 })).toBe(1);
    expect(() => ssim(small, small)).toThrow(ShapeError);
  });

  it("refuses bad input", () => {
    expect(() => ssim(x, rand([20, 18], 1))).toThrow(ShapeError);
    expect(() => ssim(rand([20], 1), rand([20], 1))).toThrow(ShapeError);
    expect(() => ssim(rand([12, 12, 1, 1], 1), rand([12, 12, 1, 1], 1))).toThrow(ShapeError);
    expect(() => ssim(new Tensor("c128", [12, 12]), new Tensor("c128", [12, 12]))).toThrow(DTypeError);
    const nan = x.clone();
    nan.data[5] = NaN;
    expect(() => ssim(x, nan)).toThrow(NonFiniteError);
    expect(() => ssim(x, y, { dataRange: 0 })).toThrow(ArgumentError);
    expect(() => ssim(x, y, { sigma: -1 })).toThrow(ArgumentError);
    expect(() => ssim(x, y, { windowSize: 7 } as never)).toThrow(/unknown option 'windowSize'/);
    expect(() => ssim(x.data as never, y)).toThrow(ArgumentError);
  });
});

describe("psnr", () => {
  it("is 10·log10(peak²/MSE) over all entries", () => {
    const a = new Tensor("f64", [2, 2, 3], new Float64Array(12).fill(0.5));
    const b = a.clone();
    b.data[7] = 0.7;
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(12 / 0.04), 12);
    expect(psnr(a, b, 2)).toBeCloseTo(10 * Math.log10((4 * 12) / 0.04), 12);
    expect(psnr(b, a)).toBe(psnr(a, b));
    expect(psnr(a, a.clone())).toBe(Infinity);
  });

  it("refuses bad input", () => {
    const a = rand([4, 4], 1);
    expect(() => psnr(a, rand([4, 5], 1))).toThrow(ShapeError);
    expect(() => psnr(a, a, 0)).toThrow(ArgumentError);
    expect(() => psnr(a, a, NaN)).toThrow(ArgumentError);
    const inf = a.clone();
    inf.data[0] = Infinity;
    expect(() => psnr(a, inf)).toThrow(NonFiniteError);
  });
});
