import { describe, expect, it } from "vitest";
import { linePlotSvg } from "../../src/io/svg-plot.js";

describe("linePlotSvg", () => {
  it("draws one path and one legend entry per series, and escapes text", () => {
    const svg = linePlotSvg(
      [
        { label: "a < b", x: [1, 2, 3], y: [1, 4, 9] },
        { label: "ref", x: [1, 3], y: [1, 9], dashed: true, markers: false },
      ],
      { title: "squares & co", xLabel: "x", yLabel: "y" },
    );
    expect(svg.match(/<path /g)?.length).toBe(2);
    expect(svg.match(/<circle /g)?.length).toBe(3);
    expect(svg).toContain("a &lt; b");
    expect(svg).toContain("squares &amp; co");
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });

  it("leaves out non-positive points on log axes as gaps, and decade ticks", () => {
    const svg = linePlotSvg([{ label: "e", x: [1e-3, 1e-2, 1e-1, 1], y: [1e-8, 0, 1e-4, 1e-2] }], { logX: true, logY: true });
    expect(svg.match(/<circle /g)?.length).toBe(3);
    expect(svg.match(/<path /g)?.length).toBe(1); // only the segment 1e-1 → 1 has two points
    expect(svg).toContain(">1e-8<");
    expect(svg).toContain(">1e0<");
  });

  it("refuses mismatched or empty data", () => {
    expect(() => linePlotSvg([{ label: "bad", x: [1, 2], y: [1] }])).toThrow(/2 x and 1 y/);
    expect(() => linePlotSvg([{ label: "none", x: [1], y: [Number.NaN] }])).toThrow(/no finite point/);
  });
});
