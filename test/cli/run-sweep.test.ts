// `arbor run --sweep`: the table, --json and --out; the same numbers on two threads, and through
// a real Redis queue with two `arbor worker` processes, as in this process; clear refusals.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunResult } from "../../src/problems/run.js";
import type { SweepPointSummary, ParameterSweepRecord } from "../../src/problems/sweep.js";
import { arbor } from "../helpers/cli.js";
import { QUEUE_TEST_TIMEOUT, startRedis, startWorker, type RedisServer } from "../helpers/redis.js";

const dir = mkdtempSync(join(tmpdir(), "arbor-cli-sweep-"));
// 2 × 3 × 2 points of 2 or 1 steps on 4 spins, over two parameters and the step size: each
// point takes milliseconds.
const SWEEP = ["run", "ising-lr", "--param", "sites=4", "--tf", "0.1", "--sweep", "Omega=0.5,1", "--sweep", "alpha=0:2:3", "--sweep", "dt=0.05,0.1"];

type JsonRecord = Omit<ParameterSweepRecord, "points"> & { points: (SweepPointSummary & { result: RunResult })[] };

// What must not depend on where the points ran: everything but times, the command and the runner.
const numbers = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v: unknown) => (["timings", "wallMs", "seconds", "command", "runner", "file"].includes(k) ? undefined : v)));

let table: string;
let saved: ParameterSweepRecord;
let files: RunResult[];

beforeAll(() => {
  const r = arbor([...SWEEP, "--out", join(dir, "out")]);
  expect(r.stderr).toBe(""); // not a terminal: no progress lines
  expect(r.status).toBe(0);
  table = r.stdout;
  saved = JSON.parse(readFileSync(join(dir, "out", "sweep.json"), "utf8")) as ParameterSweepRecord;
  files = saved.points.map((p) => JSON.parse(readFileSync(join(dir, "out", p.file!), "utf8")) as RunResult);
}, QUEUE_TEST_TIMEOUT);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("arbor run --sweep", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  it("prints a row per point and writes a record per point and a summary", () => {
    const lines = table.trimEnd().split("\n");
    expect(lines[0]).toBe("ising-lr: 12 points over Omega × alpha × dt, with sites=4");
    expect(lines[1]).toMatch(/^integrator parallel-bug, h = \(swept\), tf = 0.1, ϑ = /);
    expect(lines[3]).toMatch(/^ # +Omega +alpha +dt +t +max rank +mz +energy +norm +state error +seconds$/);
    // The largest state error against the exact evolution, as the point's record has it.
    const errors = lines.slice(4).map((l) => Number(l.trim().split(/ +/).at(-2)));
    expect(errors.map((e, i) => Math.abs(e - files[i]!.summary.maxErrors.state!) <= 1e-3 * files[i]!.summary.maxErrors.state!)).toEqual(errors.map(() => true));
    const rows = ["0.5", "1"].flatMap((omega) => ["0", "1", "2"].flatMap((alpha) => ["0.05", "0.1"].map((dt) => [omega, alpha, dt, "0.1"])));
    expect(lines.slice(4).map((l) => l.trim().split(/ +/).slice(0, 5))).toEqual(rows.map((r, i) => [String(i + 1), ...r]));
    expect(readdirSync(join(dir, "out")).filter((f) => !f.startsWith(".")).sort()).toEqual([...rows.map((_r, i) => `point-${String(i + 1).padStart(2, "0")}.json`), "sweep.json"]);
    expect(saved).toMatchObject({ format: "arbor-sweep/1", problem: { name: "ising-lr" }, params: { sites: 4 }, seed: 1, runner: { workers: 1 } });
    expect(saved.sweep).toEqual([{ key: "Omega", values: [0.5, 1] }, { key: "alpha", values: [0, 1, 2] }, { key: "dt", values: [0.05, 0.1], setting: "dt" }]);
    expect(saved.command).toEqual(["arbor", ...SWEEP, "--out", join(dir, "out")]);
    for (const [i, p] of saved.points.entries()) {
      const run = files[i]!;
      expect(run.format).toBe("arbor-run/1");
      const { dt, ...parameters } = p.values;
      expect(run.problem.parameters).toMatchObject({ sites: 4, ...parameters });
      expect(run.settings).toMatchObject({ h: dt, tf: 0.1, steps: dt === 0.05 ? 2 : 1 });
      expect(p).toMatchObject({ point: i + 1, maxRank: run.summary.maxRank, final: run.summary.final });
      expect(run.reference).toBeDefined(); // 2^4 amplitudes: compared with the exact evolution
    }
  });

  it("--json holds every point's record, and --workers 2 gives the same numbers", () => {
    const r = arbor([...SWEEP, "--json", "--workers", "2"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const record = JSON.parse(r.stdout) as JsonRecord;
    expect(record.runner).toEqual({ workers: 2 });
    expect(numbers(record.points.map((p) => p.result))).toEqual(numbers(files));
    expect(numbers({ ...record, points: record.points.map(({ result: _r, ...p }) => p) })).toEqual(numbers(saved));
  });

  it.each([
    [["--sweep", "spins=1,2"], /^arbor: --sweep spins=1,2: problem ising-lr has no parameter "spins"; its parameters: sites, /],
    [["--sweep", "Omega=0:1"], /^arbor: --sweep Omega=0:1: malformed range; a range is start:stop:count/],
    [["--sweep", "Omega=1,2", "--resume", "somewhere"], /^arbor: --resume applies to a single run, not to --sweep/],
    [["--sweep", "Omega=1,2", "--out", "not-a-dir.json"], /^arbor: --out not-a-dir.json: with --sweep, --out names a directory/],
    [["--queue", "redis://127.0.0.1:1"], /^arbor: --queue applies to --sweep/],
    [["--dt", "0.05", "--sweep", "dt=0.1,0.05"], /^arbor: dt is both swept \(--sweep\) and fixed \(--dt\)/],
    [["--seed", "3", "--sweep", "seed=1,2"], /^arbor: seed is both swept \(--sweep\) and fixed \(--seed\)/],
    [["--no-rejection", "--sweep", "rejection=1,0"], /^arbor: rejection is both swept \(--sweep\) and fixed \(--no-rejection\)/],
    [["--tf", "0.1", "--sweep", "dt=0.05,0.03"], /^arbor: sweep point 2 of 2 \(dt=0\.03\): tf\/h = 0\.1\/0\.03 = .* is not a whole number of steps/],
    [["--sweep", "integrator=bug,rk4"], /^arbor: --sweep integrator=bug,rk4: unknown integrator; arbor's integrators: /],
    [["--sweep", "run.every=1,2"], /^arbor: --sweep run\.every=1,2: "every" is not a run setting a sweep can vary/],
  ])("refuses %j: one line, exit status 2", (args, message) => {
    writeFileSync(join(dir, "not-a-dir.json"), "{}");
    const r = arbor(["run", "ising-lr", ...args], { cwd: dir });
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.status).toBe(2);
  });

  it("refuses to send a problem file through the queue", () => {
    writeFileSync(join(dir, "mine.ts"), "export default {};\n");
    const r = arbor(["run", "./mine.ts", "--sweep", "k=1,2", "--queue", "redis://127.0.0.1:1"], { cwd: dir });
    expect(r.stderr).toMatch(/^arbor: --queue runs built-in problems only, by name: \.\/mine\.ts is a module file, and queue workers run no code sent to them/);
    expect(r.status).toBe(2);
  });
});

describe("arbor run --sweep --queue with arbor worker processes", { timeout: QUEUE_TEST_TIMEOUT }, () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  }, QUEUE_TEST_TIMEOUT);
  afterAll(async () => {
    await server?.stop();
  }, QUEUE_TEST_TIMEOUT);

  it("gives the in-process numbers through two workers, and a rerun reuses every point", async () => {
    const workers = await Promise.all(["a", "b"].map((name) => startWorker(server.url, ["--queue-name", "sweep", "--name", name, "--verbose"])));
    try {
      const args = [...SWEEP, "--json", "--queue", server.url, "--queue-name", "sweep"];
      const r = arbor(args);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const record = JSON.parse(r.stdout) as JsonRecord;
      expect(numbers(record.points.map((p) => p.result))).toEqual(numbers(files));
      expect(numbers({ ...record, points: record.points.map(({ result: _r, ...p }) => p) })).toEqual(numbers(saved));
      expect(record.runner).toMatchObject({ queue: { server: server.url, name: "sweep", submitted: 12, reused: 0 } });
      // The workers' logs arrive once this process's event loop runs again (arbor() blocked it).
      const jobs = (): number => workers.reduce((n, w) => n + (w.log().match(/\(problems\/run-point\) done in/g) ?? []).length, 0);
      for (let k = 0; k < 100 && jobs() < 12; k++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(jobs()).toBe(12);
      // The same sweep again: every point's job is already done in Redis.
      const again = JSON.parse(arbor(args).stdout) as JsonRecord;
      expect(again.runner).toMatchObject({ queue: { submitted: 0, reused: 12 } });
      expect(numbers(again.points.map((p) => p.result))).toEqual(numbers(files));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});
