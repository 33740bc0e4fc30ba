import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arbor, repoRoot } from "../helpers/cli.js";

const root = repoRoot;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

// The CLI is tested as users run it, compiled (test/helpers/cli.ts).

describe("arbor CLI", () => {
  it("--version prints the package version", () => {
    const r = arbor(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("--help lists the bench command", () => {
    const r = arbor(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/arbor bench \[suite\]/);
  });

  it("bench --help documents its options", () => {
    const r = arbor(["bench", "--help"]);
    expect(r.status).toBe(0);
    for (const opt of ["--quick", "--threads", "--json", "--out", "--quiet"]) expect(r.stdout).toContain(opt);
  });

  it.each([
    [["frobnicate"], /Unknown argument: frobnicate/],
    [["bench", "--frob"], /Unknown argument: frob/],
    [["bench", "nosuch"], /Invalid values/],
    [["bench", "--threads", "0"], /not a thread count/],
    [[], /no command given/],
  ])("%j fails with exit status 2 and says why", (args, message) => {
    const r = arbor(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });

  describe("bench without numpy", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "arbor-cli-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    // Runs arbor's side of the quick suite for real (a few seconds); only shapes are checked.
    it("still runs arbor's side, warns on stderr and records null numpy times", () => {
      const out = join(dir, "linalg.json");
      const r = arbor(["bench", "linalg", "--quick", "--json", "--out", out], { env: { ARBOR_PYTHON: "/nonexistent/python3" } });
      expect(r.stderr).toMatch(/python3 was not found on PATH/);
      expect(r.status).toBe(0);
      const printed = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
      expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(printed);
      expect(printed.length).toBeGreaterThan(0);
      for (const rec of printed) {
        expect(rec).toMatchObject({ threads: 1, numpy_ms: null, ratio: null });
        expect(rec.arbor_ms).toEqual(expect.any(Number));
      }
    }, 120_000);
  });
});
