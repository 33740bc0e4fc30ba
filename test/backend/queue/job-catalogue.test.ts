import { describe, expect, it } from "vitest";
import { QUEUE_JOB_NAMES, queueJobProblem, queueJobType } from "../../../src/backend/queue/job-catalogue.js";
import { runTask } from "../../../src/backend/pool/registry.js";
import { zeros } from "../../../src/linalg/tensor.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";

const ring = NetworkStructure.tensorRing([3, 3, 3], 2);
const payload = { dims: [3, 3, 3], ranks: ring.ranks(), perm: ring.perm.slice(), target: zeros([3, 3, 3]), restarts: 2, fitSweeps: 20, escapes: 1, seed: 5 };

describe("the queue job catalogue", () => {
  it("runs arbor's evaluation, sweep points and the diagnostic echo, nothing else", () => {
    expect([...QUEUE_JOB_NAMES].sort()).toEqual(["problems/run-point", "queue/echo", "search/evaluate"]);
    expect(queueJobType("toString")).toBeUndefined(); // no prototype names
    expect(queueJobProblem("shell/exec", {})).toMatch(/^unknown job type "shell\/exec": arbor workers run only search\/evaluate, queue\/echo, problems\/run-point$/);
    expect(runTask("queue/echo", { value: 4 })).toEqual({ value: 4 });
  });

  it("refuses malformed evaluation payloads with a message that says what is wrong", () => {
    expect(queueJobProblem("search/evaluate", payload)).toBeUndefined();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ dims: "3x3x3" }, /dims, ranks and perm must be arrays/],
      [{ ranks: [[1, 2], [2, 1]] }, /bad structure: .*rank matrix/],
      [{ ranks: ring.ranks().map((r) => r.map((x) => (x > 1 ? 10_000 : x))) }, /ranks must be whole numbers in 1…4096/],
      [{ ranks: ring.ranks().map((r, u) => r.map((x, v) => (u === 0 && v === 1 ? 3 : x))) }, /symmetric/],
      [{ perm: [0, 0, 1] }, /not a permutation/],
      [{ target: zeros([3, 3]) }, /target's shape 3×3 is not the structure's 3×3×3/],
      [{ target: { dtype: "f64", shape: [3, 3, 3] } }, /target must be a real \(f64\) tensor/],
      [{ target: zeros([3, 3, 3], "c128") }, /target must be a real/],
      [{ restarts: 0 }, /restarts must be a whole number/],
      [{ fitSweeps: 1.5 }, /fitSweeps/],
      [{ escapes: -1 }, /escapes/],
      [{ seed: "1" }, /seed/],
    ];
    for (const [change, pattern] of cases) expect(queueJobProblem("search/evaluate", { ...payload, ...change })).toMatch(pattern);
    expect(queueJobProblem("search/evaluate", null)).toMatch(/must be an object/);
    expect(queueJobProblem("queue/echo", { value: "1" })).toMatch(/value must be a number/);
    expect(queueJobProblem("queue/echo", { value: 1, spinMs: 1e9 })).toMatch(/spinMs/);
  });

  it("checks results against the structure of their payload", () => {
    const check = queueJobType("search/evaluate")!.resultProblem;
    const cores = [0, 1, 2].map((v) => zeros(ring.coreShape(v)));
    expect(check({ cores, rse: 0.25 }, payload)).toBeUndefined();
    expect(check({ cores, rse: NaN }, payload)).toBeUndefined(); // as in-process: not judged here
    expect(check({ cores, rse: -1 }, payload)).toMatch(/rse must be a number ≥ 0/);
    expect(check({ cores: cores.slice(1), rse: 0 }, payload)).toMatch(/expected 3 cores, got 2/);
    expect(check({ cores: [cores[0], cores[0], zeros([1])], rse: 0 }, payload)).toMatch(/core 2 must be an f64 tensor of shape 3×2×2, got f64 1/);
    expect(check({ cores: [cores[0], { shape: [3, 2, 2] }, cores[2]], rse: 0 }, payload)).toMatch(/core 1 must be/);
    expect(check("garbage", payload)).toMatch(/must be an object/);
    const echo = queueJobType("queue/echo")!.resultProblem;
    expect(echo({ value: 3 }, { value: 3 })).toBeUndefined();
    expect(echo({ value: 4 }, { value: 3 })).toMatch(/differs/);
  });
});
