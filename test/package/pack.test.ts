// The package as users get it: `npm pack`, unpacked into a separate ESM project, imported as
// "arbor" from JavaScript and type-checked from TypeScript against the shipped declarations.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "arbor-user-project-"));
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

beforeAll(() => {
  // dist/ is built by the test setup; pack it without rebuilding.
  const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", project], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { filename: string }[];
  mkdirSync(join(project, "node_modules", "arbor"), { recursive: true });
  execFileSync("tar", ["-xzf", join(project, packed[0]!.filename), "-C", join(project, "node_modules", "arbor"), "--strip-components", "1"]);
  // The runtime dependencies, as npm would install them beside arbor (offline: links to ours).
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies)) symlinkSync(join(root, "node_modules", dep), join(project, "node_modules", dep), "dir");
  symlinkSync(join(root, "node_modules", "@types"), join(project, "node_modules", "@types"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-project", type: "module", private: true }));
}, 120_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("the packed package", () => {
  it("is importable as \"arbor\" from a separate ESM project, built-in problems included", () => {
    writeFileSync(join(project, "main.mjs"), `
import { Tree, Ttn, tensor, randn, svd, loadProblem, runProblem, builtinProblemNames } from "arbor";
const y = Ttn.product(Tree.balancedBinary(4), [0, 1, 2, 3].map(() => tensor([1, 0])));
const { s } = svd(randn([5, 4], 1));
const ising = await loadProblem("ising-lr");
const result = await runProblem(ising, { params: { sites: 4 }, tf: 0.1, h: 0.05 });
console.log(JSON.stringify({ norm: y.norm(), singular: s.length, problems: builtinProblemNames(), completed: result.completed, error: Math.max(...result.reference.errors.mz) }));
`);
    const r = spawnSync(process.execPath, ["main.mjs"], { cwd: project, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { norm: number; singular: number; problems: string[]; completed: boolean; error: number };
    expect(out).toMatchObject({ norm: 1, singular: 4, completed: true });
    expect(out.problems).toContain("ising-lr");
    expect(out.error).toBeLessThan(1e-3);
    const cli = spawnSync(process.execPath, [join(project, "node_modules", "arbor", "dist", "src", "cli", "main.js"), "list"], { cwd: project, encoding: "utf8" });
    expect(cli.stdout).toMatch(/^ising-lr /m);
  }, 60_000);

  it("ships type declarations that a TypeScript project checks against", () => {
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true, skipLibCheck: true }, include: ["*.ts"] }));
    writeFileSync(join(project, "good.ts"), `
import { Tree, Ttn, tensor, defineProblem, type RunResult } from "arbor";
const y: Ttn = Ttn.product(Tree.tucker(2), [tensor([1, 0]), tensor([0, 1])]);
export const n: number = y.norm();
export const p = defineProblem({ name: "p", description: "d", parameters: { k: { type: "integer", default: 2, description: "k" } },
  defaults: { integrator: "bug", h: 0.1, tf: 1, theta: 1e-8 }, setup: (q) => ({ kind: "ttn", initial: y, rhs: { kind: "callback", f: (_t, z) => z }, observables: { k: () => q.k } }) });
export type R = RunResult["summary"];
`);
    const good = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: project, encoding: "utf8", timeout: 120_000 });
    expect(good.stdout + good.stderr).toBe("");
    expect(good.status).toBe(0);
    writeFileSync(join(project, "bad.ts"), `import { Ttn } from "arbor";\nexport const s: string = (null as unknown as Ttn).norm();\n`);
    const bad = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: project, encoding: "utf8", timeout: 120_000 });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts.*Type 'number' is not assignable to type 'string'/);
  }, 120_000);
});
