// docs/problems.md shows docs/examples/heat-2d.ts as a complete problem a user writes: the page
// must show the file as it is, and the file must run as the page says, from a directory outside
// the package (a user's), with first-order errors against its exact reference.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/problems/run.js";
import { arbor, repoRoot } from "../helpers/cli.js";

const root = repoRoot;
const example = join(root, "docs/examples/heat-2d.ts");
const dir = mkdtempSync(join(tmpdir(), "arbor-guide-"));

beforeAll(() => {
  copyFileSync(example, join(dir, "heat-2d.ts"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the problem guide (docs/problems.md)", () => {
  it("shows the example file verbatim", () => {
    const page = readFileSync(join(root, "docs/problems.md"), "utf8");
    expect(page).toContain("```ts\n" + readFileSync(example, "utf8").trimEnd() + "\n```");
  });

  it("its example runs from a user's directory, grows ranks, and converges at first order", () => {
    const run = (dt: string): RunResult => {
      const r = arbor(["run", "./heat-2d.ts", "--param", "n=24", "--dt", dt, "--tf", "0.04", "--json"], { cwd: dir });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as RunResult;
    };
    const coarse = run("0.004"), fine = run("0.002");
    const err = (r: RunResult): number => Math.max(...r.reference!.relativeStateError!);
    expect(fine.summary.maxRank).toBeGreaterThan(1); // V(x)·V(y) couples the axes: ranks grow from 1
    expect(err(fine)).toBeLessThan(2e-2);
    // The rank-adaptive BUG is first order: halving h halves the error (measured ratio ≈ 2).
    expect(err(coarse) / err(fine)).toBeGreaterThan(1.6);
    expect(err(coarse) / err(fine)).toBeLessThan(2.5);
  }, 120_000);
});
