import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeNpy } from "../../src/linalg/io/npy.js";
import { contractNetwork } from "../../src/search/network/contract.js";
import { TensorNetwork } from "../../src/search/network/network.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { arbor } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "arbor-cli-search-"));
const target = join(dir, "ring.npy");

beforeAll(() => {
  writeNpy(target, contractNetwork(TensorNetwork.random(NetworkStructure.tensorRing([3, 3, 3, 3], 2, [0, 2, 1, 3]), 1)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => arbor(args, { cwd: dir });

describe("arbor search", () => {
  it("learns a planted ring with TnALE and saves the structure with its fitted cores", () => {
    const out = join(dir, "structure.json");
    const r = run(["search", "ring.npy", "--method", "tnale", "--max-evaluations", "60", "--out", out, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout) as { rse: number; parameters: number; structure: { ranks: number[][]; perm: number[] } };
    expect(printed.rse).toBeLessThan(1e-3);
    expect(printed.parameters).toBeLessThanOrEqual(NetworkStructure.tensorRing([3, 3, 3, 3], 2).numParameters());
    const saved = JSON.parse(readFileSync(out, "utf8")) as { cores: { shape: number[]; data: string }[]; structure: unknown };
    expect(saved.structure).toEqual(printed.structure);
    // The saved cores rebuild a network of the saved structure with the reported error.
    const s = new NetworkStructure([3, 3, 3, 3], printed.structure.ranks, printed.structure.perm);
    expect(saved.cores.map((c) => c.shape)).toEqual(Array.from({ length: s.numVertices }, (_, v) => s.coreShape(v)));
  });

  it("searches a fully connected graph with TNLS on two threads, with the same result as on one", () => {
    const args = ["search", "ring.npy", "--method", "tnls", "--topology", "fctn", "--max-evaluations", "12", "--json"];
    const one = run(args), two = run([...args, "--workers", "2"]);
    expect([one.status, two.status]).toEqual([0, 0]);
    const [a, b] = [one, two].map((r) => JSON.parse(r.stdout) as { rse: number; evaluations: number; structure: { key: string } });
    expect(b!.structure.key).toBe(a!.structure.key);
    expect(b!.rse).toBe(a!.rse);
    expect(a!.evaluations).toBeLessThanOrEqual(12);
  });

  it("--fit lm fits the candidates by Levenberg–Marquardt, recorded; refused for greedy", () => {
    const r = run(["search", "ring.npy", "--method", "tnls", "--topology", "fctn", "--max-evaluations", "6", "--fit", "lm", "--json"]);
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout) as { fit: string; rse: number; evaluations: number };
    expect(printed.fit).toBe("lm");
    expect(Number.isFinite(printed.rse)).toBe(true);
    expect(printed.evaluations).toBeLessThanOrEqual(6);
    const bad = run(["search", "ring.npy", "--method", "greedy", "--fit", "lm"]);
    expect([bad.status, bad.stderr.trim()]).toEqual([2, "arbor: --fit applies to --method tnale and tnls, not greedy"]);
  });

  it("prints the graph as text, and refuses a method–topology mismatch with exit 2", () => {
    const r = run(["search", "ring.npy", "--method", "greedy", "--target-rse", "1e-3"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^greedy: RSE .* parameters/);
    expect(r.stdout).toMatch(/vertex 0: mode 0 \(size 3\); bonds to/);
    const bad = run(["search", "ring.npy", "--method", "tnls", "--topology", "tucker"]);
    expect([bad.status, bad.stderr.trim()]).toEqual([2, "arbor: --method tnls searches tr or tt or fctn or tree, not tucker"]);
    const tree = run(["search", "ring.npy", "--method", "tnale", "--topology", "tree", "--max-evaluations", "8", "--json"]);
    expect(tree.status).toBe(0);
    // A balanced binary tree over 4 modes has three inner vertices (the root and two) without open legs.
    expect((JSON.parse(tree.stdout) as { structure: { perm: number[] } }).structure.perm.filter((m) => m < 0)).toHaveLength(3);
    const workers = run(["search", "ring.npy", "--workers", "0"]);
    expect([workers.status, workers.stderr.trim()]).toEqual([2, "arbor: --workers must be a whole number ≥ 1, got 0"]);
    const missing = run(["search", "nope.npy"]);
    expect(missing.status).toBe(2);
  });
});
