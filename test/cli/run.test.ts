import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/problems/run.js";
import { arbor, cliMain, repoRoot } from "../helpers/cli.js";

const root = repoRoot, main = cliMain;
const dir = mkdtempSync(join(tmpdir(), "arbor-cli-run-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe("arbor run", () => {
  it("runs a built-in problem and writes JSON, CSV and SVG plots", () => {
    const out = join(dir, "ising.json"), csv = join(dir, "ising.csv"), plot = join(dir, "ising.svg");
    const r = arbor(["run", "ising-lr", "--param", "sites=4", "--tf", "0.2", "--dt", "0.02", "--out", out, "--csv", csv, "--plot", plot, "--every", "5"]);
    expect(r.stderr).toBe(""); // not a terminal: no progress bar
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/completed 10 steps/);
    expect(r.stdout).toMatch(/max ‖Y − reference‖ = /);
    const result = JSON.parse(readFileSync(out, "utf8")) as RunResult;
    expect(result.command).toEqual(["arbor", "run", "ising-lr", "--param", "sites=4", "--tf", "0.2", "--dt", "0.02", "--out", out, "--csv", csv, "--plot", plot, "--every", "5"]);
    expect(result.records.t).toEqual([0, 0.1, 0.2]);
    expect(result.problem.parameters.sites).toBe(4);
    // The run's magnetisation against the exact 2^4 evolution (first order in h = 0.02 at most).
    expect(Math.max(...result.reference!.errors.mz!)).toBeLessThan(1e-3);
    expect(readFileSync(csv, "utf8").split("\n")[0]).toBe("t,max_rank,mz,energy,norm,mz_reference,energy_reference,norm_reference,mz_error,energy_error,norm_error,state_error,relative_state_error");
    for (const f of ["ising.svg", "ising-ranks.svg", "ising-error.svg"]) expect(readFileSync(join(dir, f), "utf8")).toMatch(/^<svg/);
  }, 60_000);

  it("--json prints the result on stdout", () => {
    const r = arbor(["run", "ising-lr", "--param", "sites=2", "--tf", "0.1", "--dt", "0.05", "--json", "--no-reference"]);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result.completed).toBe(true);
    expect(result.reference).toBeUndefined();
    expect(result.steps).toHaveLength(2);
  });

  it("runs a TypeScript problem file written outside the package, importing \"arbor\"", () => {
    const file = join(dir, "my-decay.ts");
    writeFileSync(file, `
import { defineProblem, lowRankFromDense, randn, norm, type LowRankMatrix } from "arbor";
import { rate } from "./rate.js"; // a sibling TypeScript module, imported the TypeScript way
export default defineProblem({
  name: "my-decay",
  description: "Y' = -V(1)·Y",
  parameters: { V: { type: "expression", default: "x^2", variables: ["x"], description: "rate" } },
  defaults: { integrator: "bug-adaptive", h: 0.1, tf: 0.5, theta: 1e-12 },
  setup: (p, { seed }) => ({
    kind: "matrix",
    initial: lowRankFromDense(randn([6, 5], seed), { maxRank: 2 }),
    rhs: { kind: "linear", terms: [{ coeff: -rate(p.V) }] },
    observables: { size: (_t: number, y: LowRankMatrix) => norm(y.S) },
  }),
});
`);
    writeFileSync(join(dir, "rate.ts"), `export const rate = (V: (x: number) => number): number => V(1);\n`);
    const r = arbor(["run", "./my-decay.ts", "--param", "V=2*x", "--json"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as RunResult;
    const size = result.records.observables.size!;
    expect(size[size.length - 1]! / size[0]!).toBeCloseTo(Math.exp(-2 * 0.5), 10);
    expect(arbor(["info", "./my-decay.ts"], { cwd: dir }).stdout).toMatch(/V +x\^2 +rate \(expression in x\)/);
  });

  it.each([
    [["run", "nosuch"], /^arbor: unknown problem "nosuch"; built-in problems: .*ising-lr/],
    [["run", "ising-lr", "--param", "sites=1"], /^arbor: problem ising-lr, parameter sites: expected a value in \[2, 256\], got "1"/],
    [["run", "ising-lr", "--param", "spins=4"], /^arbor: problem ising-lr has no parameter "spins"/],
    [["run", "ising-lr", "--integrator", "rk9"], /^arbor: unknown integrator "rk9"/],
    [["run", "./nowhere.ts"], /^arbor: problem file .\/nowhere.ts not found/],
    [["run", "ising-lr", "--resume", "/nonexistent/dir"], /^arbor: --resume \/nonexistent\/dir: no checkpoint there/],
    [["run", "ising-lr", "--every", "0"], /^arbor: --every must be a whole number ≥ 1/],
  ])("%j: one line on stderr, exit status 2", (args, message) => {
    const r = arbor(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
  });

  it("reports a plugin that throws or exports the wrong thing, in one line", () => {
    writeFileSync(join(dir, "broken.js"), `export default { name: "broken", description: "x", parameters: {}, defaults: { integrator: "bug", h: 0.1, tf: 1, theta: 1e-8 }, setup() { throw new Error("no data file"); } };\n`);
    writeFileSync(join(dir, "empty.mjs"), `export const x = 1;\n`);
    writeFileSync(join(dir, "syntax.ts"), `export default {{;\n`);
    const r1 = arbor(["run", "./broken.js"], { cwd: dir });
    expect([r1.status, r1.stderr.trim()]).toEqual([2, "arbor: problem broken: setup failed: no data file"]);
    const r2 = arbor(["run", "./empty.mjs"], { cwd: dir });
    expect([r2.status, r2.stderr.trim()]).toEqual([2, "arbor: problem ./empty.mjs: the module has no default export (export default defineProblem({ … }))"]);
    const r3 = arbor(["run", "./syntax.ts"], { cwd: dir });
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/^arbor: problem .\/syntax.ts: the module failed to load: /);
    const r4 = arbor(["run", "./broken.js", "--debug"], { cwd: dir });
    expect(r4.stderr).toMatch(/\n\s+at /); // --debug adds the stack trace
  });

  it("list and info describe the built-in problems", () => {
    expect(arbor(["list"]).stdout).toMatch(/^ising-lr +long-range transverse-field Ising/m);
    const info = arbor(["info", "ising-lr"]);
    expect(info.stdout).toMatch(/sites +8 +number of spins d \(integer in \[2, 256\]\)/);
    expect(info.stdout).toMatch(/defaults: --integrator parallel-bug --dt 0.01 --tf 1 --tol 1e-8 --max-rank 40/);
  });
});

describe("Ctrl-C and --resume", () => {
  // A run is interrupted by SIGINT once its first checkpoint exists, then resumed; the
  // resumed result must have the same records as an uninterrupted run.
  it("an interrupted run writes what it has, exits 130, and resumes to the uninterrupted numbers", async () => {
    const args = ["run", "ising-lr", "--param", "sites=8", "--tf", "0.6", "--dt", "0.02", "--every", "3", "--no-reference"];
    const whole = JSON.parse(arbor([...args, "--json"]).stdout) as RunResult;
    const ckpt = join(dir, "ckpt"), partialOut = join(dir, "partial.json");
    const child = spawn(process.execPath, [main, ...args, "--checkpoint", ckpt, "--checkpoint-every", "2", "--out", partialOut, "--quiet"], { cwd: root });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(join(ckpt, "progress.json"))) {
          clearInterval(poll);
          child.kill("SIGINT");
        }
      }, 20);
      child.on("exit", (code) => {
        clearInterval(poll);
        resolve(code);
      });
    });
    expect(status).toBe(130);
    expect(stderr).toMatch(/stopping after this step/);
    const partial = JSON.parse(readFileSync(partialOut, "utf8")) as RunResult;
    expect(partial.completed).toBe(false);
    expect(partial.stepsDone).toBeGreaterThan(0);
    expect(partial.stepsDone).toBeLessThan(30);
    const resumed = arbor([...args, "--resume", ckpt, "--json"]);
    expect(resumed.status).toBe(0);
    const result = JSON.parse(resumed.stdout) as RunResult;
    expect(result.completed).toBe(true);
    expect(result.records).toEqual(whole.records);
  }, 120_000);
});
