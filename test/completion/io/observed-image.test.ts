import { describe, expect, it } from "vitest";
import { tensoriseImage } from "../../../src/completion/io/image-tensorise.js";
import { observedFromImage } from "../../../src/completion/io/observed-image.js";
import { ArgumentError, DTypeError } from "../../../src/errors.js";
import { rand } from "../../../src/linalg/random.js";
import { Tensor } from "../../../src/linalg/tensor.js";
import type { ObservedEntries } from "../../../src/search/fit/observed.js";
import { captureError } from "../../helpers/reference.js";


function offsets(obs: ObservedEntries): number[] {
  const d = obs.shape.length;
  return Array.from({ length: obs.values.length }, (_, s) => {
    let off = 0;
    for (let k = 0; k < d; k++) off = off * obs.shape[k]! + obs.indices[s * d + k]!;
    return off;
  });
}

describe("observedFromImage", () => {
  const img = rand([16, 16, 3], 1);

  it("observes round((1 − missing) · pixels) whole pixels, entries of the tensorised image in row-major order", () => {
    const { observed, layout, channelModes } = observedFromImage(img, { missing: 0.8, seed: 3 });
    expect(layout.shape).toEqual([4, 4, 4, 4, 3]);
    expect(channelModes).toEqual([4]);
    expect(observed.shape).toEqual(layout.shape);
    expect(observed.values.length).toBe(Math.round(0.2 * 256) * 3);
    const t = tensoriseImage(img, layout);
    const offs = offsets(observed);
    offs.forEach((o, s) => expect(observed.values[s]).toBe(t.data[o]));
    for (let s = 1; s < offs.length; s++) expect(offs[s]!).toBeGreaterThan(offs[s - 1]!);
    // All channels of a pixel together: the entries come in runs of 3 with channels 0, 1, 2.
    for (let s = 0; s < offs.length; s += 3) expect([offs[s + 1]! - offs[s]!, offs[s + 2]! - offs[s]!, offs[s]! % 3]).toEqual([1, 2, 0]);
  });

  it("is reproducible for a seed and differs between seeds", () => {
    const a = observedFromImage(img, { missing: 0.9, seed: 5 }).observed;
    const b = observedFromImage(img, { missing: 0.9, seed: 5 }).observed;
    const c = observedFromImage(img, { missing: 0.9, seed: 6 }).observed;
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
    expect(Array.from(c.indices)).not.toEqual(Array.from(a.indices));
  });

  it("chooses every pixel about equally often", () => {
    const small = rand([4, 4], 2);
    const hits = new Array<number>(16).fill(0);
    const seeds = 400;
    for (let seed = 0; seed < seeds; seed++) {
      const { observed, channelModes } = observedFromImage(small, { missing: 0.5, seed });
      // A grey [h, w] image has no channel mode; its tensor entries are its pixels, permuted.
      expect(channelModes).toEqual([]);
      const t = tensoriseImage(small);
      for (const o of offsets(observed)) hits[Array.from(small.data).indexOf(t.data[o]!)]!++;
    }
    // Each pixel is observed with probability 1/2: 200 ± 10 (one standard deviation) per pixel.
    for (const h of hits) expect(Math.abs(h - seeds / 2)).toBeLessThan(50);
  });

  it("observes everything at missing 0, and passes tensorisation options on", () => {
    const { observed } = observedFromImage(img, { missing: 0 });
    expect(Array.from(observed.values)).toEqual(Array.from(tensoriseImage(img).data));
    const fine = observedFromImage(img, { missing: 0, scales: "fine-first", pair: "column-major" });
    expect(fine.layout.scales).toBe("fine-first");
    expect(Array.from(fine.observed.values)).toEqual(Array.from(tensoriseImage(img, { scales: "fine-first", pair: "column-major" }).data));
  });

  it("refuses bad ratios, an empty sample, non-finite pixels and complex images", () => {
    for (const missing of [1, -0.1, NaN, "0.5"]) expect(captureError(() => observedFromImage(img, { missing } as never))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => observedFromImage(rand([4, 4], 1), { missing: 0.99 })).message).toMatch(/leaves none observed/);
    const bad = rand([2, 2, 3], 1);
    bad.data[4] = NaN;
    expect(captureError(() => observedFromImage(bad, { missing: 0 })).message).toMatch(/pixel \(0, 1\) channel 1 is NaN/);
    expect(captureError(() => observedFromImage(new Tensor("c128", [2, 2]), { missing: 0 }))).toBeInstanceOf(DTypeError);
    expect(captureError(() => observedFromImage(img, undefined as never))).toBeInstanceOf(ArgumentError);
    expect(captureError(() => observedFromImage(img, { missing: 0.5, sed: 3 } as never))).toBeInstanceOf(ArgumentError);
  });
});
