import { describe, expect, it } from "vitest";
import { formatDuration, progressBar, progressLine } from "../../src/cli/progress.js";

describe("progress bar", () => {
  it("formats durations", () => {
    expect([0, 59.4, 65, 3600 * 12 + 3].map(formatDuration)).toEqual(["0:00", "0:59", "1:05", "12:00:03"]);
    expect(formatDuration(Number.NaN)).toBe("?");
  });

  it("shows step, time, rank, seconds per step and an ETA from the mean step time", () => {
    const line = progressLine("ising-lr", { step: 25, steps: 100, t: 0.25, maxRank: 16, elapsedMs: 5000, stepMs: 190 }, 20);
    expect(line).toBe("ising-lr [#####---------------] 25/100  t = 0.2500  rank 16  0.20 s/step  elapsed 0:05  ETA 0:15");
  });

  it("draws on a terminal only, at most ten times a second, and clears its line when done", () => {
    const writes: string[] = [];
    const tty = { isTTY: true, columns: 60, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const bar = progressBar("p", true, tty);
    bar.note("computing the reference…");
    for (let k = 1; k <= 50; k++) bar.update({ step: k, steps: 50, t: k / 50, maxRank: 2, elapsedMs: k, stepMs: 1 });
    bar.done();
    expect(writes[0]).toContain("p: computing the reference…");
    expect(writes.length).toBeLessThan(6); // the first update, the last, and the clearing
    expect(writes.every((w) => w.replace(/\x1b\[K/, "").length <= 60)).toBe(true);
    expect(writes[writes.length - 1]).toBe("\r\x1b[K");
    const silent: string[] = [];
    const off = progressBar("p", false, { isTTY: true, write: (s: string) => silent.push(s) } as unknown as NodeJS.WriteStream);
    off.update({ step: 1, steps: 2, t: 0, maxRank: 1, elapsedMs: 1, stepMs: 1 });
    off.done();
    expect(silent).toEqual([]);
  });
});
