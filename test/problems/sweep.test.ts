// Parameter sweeps: the --sweep syntax, the product's order, the checks made before anything
// runs, swept run settings (dt, tol, seed, …), and the points themselves — equal to individual runs, the same on worker threads, in
// this thread and through a TaskRunner. (Through the job queue: test/cli/run-sweep.test.ts.)
import { describe, expect, it } from "vitest";
import { inThreadRunner } from "../../src/backend/pool/pool.js";
import { runTask } from "../../src/backend/pool/registry.js";
import { queueJobProblem } from "../../src/backend/queue/job-catalogue.js";
import { ArgumentError } from "../../src/errors.js";
import { lowRankFromDense } from "../../src/integrators/matrix/state.js";
import { norm } from "../../src/linalg/norms.js";
import { randn } from "../../src/linalg/random.js";
import { defineProblem, type ProblemDefinition } from "../../src/problems/problem.js";
import { loadProblem } from "../../src/problems/registry.js";
import { runProblem, type RunResult } from "../../src/problems/run.js";
import { parseSweepAxis, planSweep, runSweep, SWEEP_SETTINGS, sweepProduct, sweepRecord, sweepTable, type SweepAxis } from "../../src/problems/sweep.js";
import { RUN_POINT_TASK, sweepPointResultProblem } from "../../src/problems/sweep-check.js";

// Ẏ = −k·V(1)·Y on a rank-2 matrix: parameters of every kind a sweep converts.
const decay = defineProblem({
  name: "decay",
  description: "Ẏ = −k·V(1)·Y",
  parameters: {
    k: { type: "number", default: 1, min: 0, description: "rate" },
    n: { type: "integer", default: 6, min: 3, max: 20, description: "rows" },
    V: { type: "expression", default: "x^2", variables: ["x"], description: "rate profile" },
    shift: { type: "boolean", default: false, description: "add 1 to the rate" },
  },
  presets: { fast: { k: 3 } },
  defaults: { integrator: "bug-adaptive", h: 0.1, tf: 0.3, theta: 1e-12 },
  setup: (p, { seed }) => ({
    kind: "matrix",
    initial: lowRankFromDense(randn([p.n, 5], seed), { maxRank: 2 }),
    rhs: { kind: "linear", terms: [{ coeff: -(p.k * p.V(1) + (p.shift ? 1 : 0)) }] },
    observables: { size: (_t, y) => norm(y.S) },
  }),
});

const SETTINGS = { seed: 1, every: 1, reference: true };
// A run's numbers: everything but the wall-clock times.
const numbers = (r: RunResult): unknown => JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === "timings" || k === "wallMs" ? undefined : v)));
const axes = (...texts: string[]): SweepAxis[] => texts.map(parseSweepAxis);

describe("--sweep syntax", () => {
  it("reads lists, keeping commas inside parentheses, and ranges", () => {
    expect(parseSweepAxis("k=0.5,1, 2")).toEqual({ key: "k", values: ["0.5", "1", "2"], text: "k=0.5,1, 2" });
    expect(parseSweepAxis("V=max(x,0),x^2").values).toEqual(["max(x,0)", "x^2"]);
    expect(parseSweepAxis("k=7").values).toEqual(["7"]);
    expect(parseSweepAxis("k=0:1:5").values).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(parseSweepAxis("k=0.1:0.5:5").values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]); // no 0.30000000000000004
    expect(parseSweepAxis("k=2:-2:3").values).toEqual([2, 0, -2]);
    expect(parseSweepAxis("k=1e-12:1e-4:5:log").values).toEqual([1e-12, 1e-10, 1e-8, 1e-6, 1e-4]);
    expect(parseSweepAxis("tol=1e-6:1e-10:5:log").values).toEqual([1e-6, 1e-7, 1e-8, 1e-9, 1e-10]); // decades exact, descending too
  });

  it.each([
    ["k", /--sweep expects key=v1,v2,… or key=start:stop:count, got "k"/],
    ["=1,2", /--sweep expects key=/],
    ["k=", /no values after "="/],
    ["k=1,,2", /value 2 is empty/],
    ["k=1,2,", /value 3 is empty/],
    ["k=0:1", /malformed range/],
    ["k=0:1:3:lin", /malformed range/],
    ["k=0:1:x", /count must be a whole number in 2…10000, got "x"/],
    ["k=0:1:1", /count must be a whole number/],
    ["k=0:1:2.5", /count must be a whole number/],
    ["k=a:1:3", /start and stop must be finite numbers/],
    ["k=1:1:3", /start and stop are equal/],
    ["k=0:1:3:log", /a log range needs start > 0 and stop > 0/],
  ])("refuses %j", (text, message) => {
    expect(() => parseSweepAxis(text)).toThrow(ArgumentError);
    expect(() => parseSweepAxis(text)).toThrow(message);
  });

  it("makes the Cartesian product, the first axis slowest", () => {
    const points = sweepProduct<number | string>([{ key: "a", values: [1, 2] }, { key: "b", values: ["x", "y", "z"] }]);
    expect(points.map((p) => `${p.a}${p.b}`)).toEqual(["1x", "1y", "1z", "2x", "2y", "2z"]);
    expect(sweepProduct([])).toEqual([{}]);
    expect(() => sweepProduct([{ key: "a", values: new Array(1000).fill(0) }, { key: "b", values: new Array(1000).fill(0) }])).toThrow(/1000000 points \(1000 × 1000\); at most 100000/);
  });
});

describe("planSweep", () => {
  it("types every value as the problem does and lists the points with their payloads", () => {
    const plan = planSweep("decay", decay, axes("n=4:8:3", "V=2*x,max(x,0)", "shift=yes,0"), { k: "0.5" }, { ...SETTINGS, tf: 0.2 });
    expect(plan.axes).toEqual([{ key: "n", values: [4, 6, 8] }, { key: "V", values: ["2*x", "max(x,0)"] }, { key: "shift", values: [true, false] }]);
    expect(plan.params).toEqual({ k: 0.5 });
    expect(plan.points).toHaveLength(12);
    expect(plan.points[5]!.values).toEqual({ n: 6, V: "2*x", shift: false });
    expect(plan.points[5]!.payload).toEqual({ problem: "decay", tf: 0.2, seed: 1, every: 1, reference: true, params: { k: 0.5, n: 6, V: "2*x", shift: false } });
    expect(plan.settings).toMatchObject({ integrator: "bug-adaptive", h: 0.1, tf: 0.2, steps: 2, workers: 1 });
  });

  it.each([
    [["m=1,2"], {}, {}, /--sweep m=1,2: problem decay has no parameter "m"; its parameters: k, n, V, shift/],
    [["k=1,2", "k=3"], {}, {}, /--sweep k is given twice/],
    [["k=1,2"], { k: "3" }, {}, /k is both swept \(--sweep\) and fixed \(--param\)/],
    [["n=2,3"], {}, {}, /--sweep n=2,3: parameter n: expected a value in \[3, 20\], got "2"/],
    [["n=3:6:3"], {}, {}, /--sweep n=3:6:3: parameter n: expected a whole number, got 4.5/],
    [["V=y^2"], {}, {}, /--sweep V=y\^2: parameter V: expression "y\^2" uses y/],
    [["k=1,1.0"], {}, {}, /the value 1 appears twice/],
    [["k=1,2"], { m: "1" }, {}, /problem decay has no parameter "m"/],
    [["k=1,2"], { n: "x" }, {}, /problem decay, parameter n: expected a finite number/],
    [["k=1,2"], {}, { preset: "slow" }, /problem decay has no preset "slow"; its presets: fast/],
    [["k=1,2"], {}, { h: 0.07 }, /is not a whole number of steps/],
    [["k=1,2"], {}, { theta: -1 }, /.+/],
  ])("refuses %j with --param %j and settings %j before anything runs", (texts, params, settings, message) => {
    expect(() => planSweep("decay", decay, axes(...texts), params, { ...SETTINGS, ...settings })).toThrow(message);
  });

  it("needs an axis", () => {
    expect(() => planSweep("decay", decay, [], {}, SETTINGS)).toThrow(/at least one --sweep/);
  });
});

// A problem with parameters named like run settings (tf, seed): sweeping them needs a prefix.
const clash = {
  ...decay,
  name: "clash",
  parameters: { ...decay.parameters, tf: { type: "number", default: 1, description: "a rate called tf" }, seed: { type: "integer", default: 0, description: "an offset called seed" } },
} as ProblemDefinition;

describe("swept run settings", () => {
  it("sweeps settings by their option names, with parameters, into every point's payload", () => {
    const plan = planSweep("decay", decay, axes("dt=0.1,0.05", "tol=1e-6:1e-10:3:log", "k=1,2", "integrator=bug,ksl"), {}, { tf: 0.2, every: 2 });
    expect(plan.axes).toEqual([
      { key: "dt", values: [0.1, 0.05], setting: "dt" }, { key: "tol", values: [1e-6, 1e-8, 1e-10], setting: "tol" },
      { key: "k", values: [1, 2] }, { key: "integrator", values: ["bug", "ksl"], setting: "integrator" },
    ]);
    expect(plan.points).toHaveLength(24);
    expect(plan.points[15]!.values).toEqual({ dt: 0.05, tol: 1e-6, k: 2, integrator: "ksl" });
    expect(plan.points[15]!.payload).toEqual({ problem: "decay", tf: 0.2, h: 0.05, theta: 1e-6, integrator: "ksl", seed: 1, every: 2, reference: true, params: { k: 2 } });
    // The plan's settings are the first point's.
    expect(plan.settings).toMatchObject({ integrator: "bug", h: 0.1, tf: 0.2, steps: 2, truncation: { theta: 1e-6 } });
    const more = planSweep("decay", decay, axes("seed=1:3:3", "max-rank=2,3", "min-rank=1,2", "theta-mode=relative,per-unit-time", "rejection=yes,0", "rejection-c=0.5,2"), {}, { rejection: { max: 3 } });
    expect(more.points).toHaveLength(96);
    expect(more.points[95]!.payload).toEqual({ problem: "decay", seed: 3, maxRank: 3, minRank: 2, thetaMode: "per-unit-time", rejection: { max: 3, enabled: false, c: 2 }, every: 1, reference: true, params: {} });
    expect(Object.keys(SWEEP_SETTINGS)).toEqual(["integrator", "dt", "tf", "tol", "theta-mode", "max-rank", "min-rank", "seed", "rejection", "rejection-c"]);
  });

  it("refuses a name that is both a parameter and a setting, and takes param.NAME and run.NAME", () => {
    expect(() => planSweep("clash", clash, axes("tf=1,2"), {}, {})).toThrow(/^--sweep tf=1,2: tf is both a parameter of problem clash and a run setting \(--tf\); write param\.tf=… for the parameter or run\.tf=… for the setting$/);
    expect(() => planSweep("clash", clash, axes("seed=1,2"), {}, {})).toThrow(/seed is both a parameter of problem clash and a run setting \(--seed\)/);
    const plan = planSweep("clash", clash, axes("param.tf=1,2", "run.tf=0.1,0.2", "param.k=3", "run.dt=0.05", "param.seed=4", "run.seed=5"), {}, {});
    expect(plan.axes.map((a) => [a.key, a.setting])).toEqual([["param.tf", undefined], ["run.tf", "tf"], ["k", undefined], ["dt", "dt"], ["param.seed", undefined], ["run.seed", "seed"]]);
    expect(plan.points[3]!.values).toEqual({ "param.tf": 2, "run.tf": 0.2, k: 3, dt: 0.05, "param.seed": 4, "run.seed": 5 });
    expect(plan.points[3]!.payload).toEqual({ problem: "clash", tf: 0.2, h: 0.05, seed: 5, every: 1, reference: true, params: { tf: 2, k: 3, seed: 4 } });
    // A prefix where none is needed is accepted and dropped from the key.
    expect(planSweep("decay", decay, axes("param.k=1,2", "run.dt=0.1"), {}, {}).axes.map((a) => a.key)).toEqual(["k", "dt"]);
  });

  it.each([
    [["dt=0.1,0.05"], {}, { h: 0.1 }, /^dt is both swept \(--sweep\) and fixed \(--dt\)$/],
    [["tol=1e-6,1e-8"], {}, { theta: 1e-9 }, /tol is both swept \(--sweep\) and fixed \(--tol\)/],
    [["seed=1,2"], {}, { seed: 1 }, /seed is both swept \(--sweep\) and fixed \(--seed\)/],
    [["max-rank=2,3"], {}, { maxRank: 4 }, /max-rank is both swept \(--sweep\) and fixed \(--max-rank\)/],
    [["rejection-c=1,2"], {}, { rejection: { c: 3 } }, /rejection-c is both swept \(--sweep\) and fixed \(--rejection-c\)/],
    [["rejection=yes,no"], {}, { rejection: { enabled: false } }, /rejection is both swept \(--sweep\) and fixed \(--no-rejection\)/],
    [["dt=0.1", "run.dt=0.05"], {}, {}, /--sweep dt is given twice/],
    [["k=1", "param.k=2"], {}, {}, /--sweep k is given twice/],
    [["run.every=1,2"], {}, {}, /--sweep run\.every=1,2: "every" is not a run setting a sweep can vary; those are integrator, dt, tf, tol, theta-mode, max-rank, min-rank, seed, rejection, rejection-c$/],
    [["param.dt=1,2"], {}, {}, /--sweep param\.dt=1,2: problem decay has no parameter "dt"/],
    [["h=0.1,0.2"], {}, {}, /problem decay has no parameter "h"; its parameters: k, n, V, shift; run settings a sweep can vary: integrator, dt, /],
    [["dt=0.1,x"], {}, {}, /^--sweep dt=0\.1,x: expected a finite number, got "x"$/],
    [["dt=0.1,1e-1"], {}, {}, /the value 0\.1 appears twice/],
    [["integrator=bug,rk9"], {}, {}, /^--sweep integrator=bug,rk9: unknown integrator; arbor's integrators: parallel-bug, bug, fixed-bug, ksl, ksl-strang, bug-adaptive, midpoint-bug, got "rk9"$/],
    [["integrator=1:2:3"], {}, {}, /expected a name, not a number range/],
    [["rejection=maybe"], {}, {}, /expected true or false, got "maybe"/],
    [["dt=0.1,-0.05"], {}, {}, /^sweep point 2 of 2 \(dt=-0\.05\): h \(--dt\) must be a finite number > 0, got -0\.05$/],
    [["k=1,2", "dt=0.1,0.07"], {}, {}, /^sweep point 2 of 4 \(dt=0\.07\): tf\/h = 0\.3\/0\.07 = .* is not a whole number of steps$/],
    [["max-rank=1:4:3"], {}, {}, /^sweep point 2 of 3 \(max-rank=2\.5\): truncation: maxRank must be a positive integer, got 2\.5$/],
    [["min-rank=1,3"], {}, { maxRank: 2 }, /sweep point 2 of 2 \(min-rank=3\): truncation: minRank 3 exceeds maxRank 2/],
    [["theta-mode=relative,sideways"], {}, {}, /sweep point 2 of 2 \(theta-mode=sideways\): truncation: thetaMode must be/],
    [["seed=0,-1"], {}, {}, /^sweep point 2 of 2 \(seed=-1\): seed must be a whole number ≥ 0, got -1$/],
    [["seed=0,1.5"], {}, {}, /seed must be a whole number ≥ 0, got 1\.5/],
    [["rejection-c=1,0"], {}, {}, /sweep point 2 of 2 \(rejection-c=0\): rejection\.c: invalid value 0/],
  ])("refuses %j with --param %j and settings %j", (texts, params, settings, message) => {
    expect(() => planSweep("decay", decay, axes(...texts), params, settings)).toThrow(ArgumentError);
    expect(() => planSweep("decay", decay, axes(...texts), params, settings)).toThrow(message);
  });

  it("checks every combination of swept settings, not the unswept defaults", () => {
    // tf = 0.25 is no whole number of decay's default steps (h = 0.1), but of every swept one.
    expect(() => planSweep("decay", decay, axes("k=1,2"), {}, { tf: 0.25 })).toThrow(/not a whole number of steps/);
    expect(planSweep("decay", decay, axes("dt=0.05,0.125"), {}, { tf: 0.25 }).settings).toMatchObject({ h: 0.05, steps: 5 });
  });

  it("gives each point of a dt and seed sweep the numbers of runProblem with those settings, on any runner", async () => {
    const plan = planSweep("decay", decay, axes("dt=0.1,0.05", "seed=1,2"), { k: "0.5" }, { tf: 0.2 });
    const here = await runSweep(plan);
    for (const p of plan.points) {
      const alone = await runProblem(decay, { params: { k: "0.5" }, tf: 0.2, h: p.values.dt as number, seed: p.values.seed as number });
      expect(numbers(here[p.index]!)).toEqual(numbers(alone));
      expect(here[p.index]!.settings).toMatchObject({ h: p.values.dt, steps: Math.round(0.2 / (p.values.dt as number)) });
      expect(sweepPointResultProblem(here[p.index], p.payload)).toBeUndefined();
    }
    expect(numbers(here[0]!)).not.toEqual(numbers(here[1]!)); // the seed draws another initial state
    expect(numbers(here[0]!)).not.toEqual(numbers(here[2]!));
    expect((await runSweep(plan, { runner: inThreadRunner })).map(numbers)).toEqual(here.map(numbers));
    // A result of other settings than its point's is refused.
    expect(sweepPointResultProblem(here[0], plan.points[2]!.payload)).toMatch(/^the result has h = 0\.1, not 0\.05$/);
    expect(sweepPointResultProblem(here[0], { ...plan.points[0]!.payload, theta: 1e-3 })).toMatch(/the result has theta = 1e-12, not 0\.001/);
    expect(sweepPointResultProblem(here[0], { ...plan.points[0]!.payload, integrator: "ksl" })).toMatch(/the result has integrator = "bug-adaptive", not "ksl"/);
    expect(sweepPointResultProblem(here[0], { ...plan.points[0]!.payload, rejection: { c: 2 } })).toMatch(/the result has rejection\.c = undefined, not 2/);
    // The record and the table carry the swept settings.
    const record = sweepRecord(plan, here, { runner: { workers: 1 }, totalMs: 5 });
    expect(record.sweep).toEqual([{ key: "dt", values: [0.1, 0.05], setting: "dt" }, { key: "seed", values: [1, 2], setting: "seed" }]);
    expect(record.points.map((p) => p.values)).toEqual([{ dt: 0.1, seed: 1 }, { dt: 0.1, seed: 2 }, { dt: 0.05, seed: 1 }, { dt: 0.05, seed: 2 }]);
    const table = sweepTable(record).split("\n");
    expect(table[0]).toBe("decay: 4 points over dt × seed, with k=0.5");
    expect(table[1]).toBe("integrator bug-adaptive, h = (swept), tf = 0.2, ϑ = 1e-12 (absolute), rank 1…∞, seed (swept)");
    expect(table[3]).toMatch(/^# +dt +seed +t +max rank +size +seconds$/);
    expect(table[6]).toMatch(/^3 +0\.05 +1 +0\.2 +2 +\d\.\d{5} +\d+\.\d\d$/);
  });

  it("runs a built-in problem's dt and integrator sweep on worker threads with the numbers of this thread", async () => {
    const ising = await loadProblem("ising-lr");
    const plan = planSweep("ising-lr", ising, axes("dt=0.05,0.025", "integrator=bug,parallel-bug"), { sites: "4" }, { tf: 0.1, reference: false });
    const here = await runSweep(plan);
    const threads = await runSweep(plan, { threads: 2 });
    expect(threads.map(numbers)).toEqual(here.map(numbers));
    expect(here.map((r) => [r.settings.h, r.settings.integrator, r.stepsDone])).toEqual([[0.05, "bug", 2], [0.05, "parallel-bug", 2], [0.025, "bug", 4], [0.025, "parallel-bug", 4]]);
  }, 90_000);
});

describe("runSweep", () => {
  it("gives each point the numbers of its own run, in product order, on any runner", async () => {
    const plan = planSweep("decay", decay, axes("k=0.5,2", "V=x,3*x"), { n: "5" }, { ...SETTINGS, preset: "fast", seed: 7 });
    const seen: number[] = [];
    const here = await runSweep(plan, { onPoint: (p, _r, finished) => seen.push(p.index, finished) });
    expect(seen).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
    for (const p of plan.points) {
      const alone = await runProblem(decay, { preset: "fast", seed: 7, params: { n: "5", k: String(p.values.k), V: String(p.values.V) } });
      expect(numbers(here[p.index]!)).toEqual(numbers(alone));
    }
    expect(here[3]!.problem.parameters).toEqual({ k: 2, n: 5, V: "3*x", shift: false });
    const viaRunner = await runSweep(plan, { runner: inThreadRunner });
    expect(viaRunner.map(numbers)).toEqual(here.map(numbers));
    // The summary and the table.
    const record = sweepRecord(plan, here, { runner: { workers: 1 }, totalMs: 5 });
    expect(record.points.map((p) => [p.point, p.values, p.t, p.maxRank])).toEqual([
      [1, { k: 0.5, V: "x" }, 3 * 0.1, 2], [2, { k: 0.5, V: "3*x" }, 3 * 0.1, 2], [3, { k: 2, V: "x" }, 3 * 0.1, 2], [4, { k: 2, V: "3*x" }, 3 * 0.1, 2],
    ]);
    expect(record.points[2]!.final.size).toBe(here[2]!.summary.final.size);
    const table = sweepTable(record).split("\n");
    expect(table[0]).toBe("decay (preset fast): 4 points over k × V, with n=5");
    expect(table[3]).toMatch(/^# +k +V +t +max rank +size +seconds$/);
    expect(table[7]).toMatch(/^4 +2 +3\*x +0\.3 +2 +0\.\d{6} +\d+\.\d\d$/);
  });

  it("runs built-in points on worker threads with the numbers of this thread", async () => {
    const ising = await loadProblem("ising-lr");
    const plan = planSweep("ising-lr", ising, axes("Omega=0.5,1", "alpha=0,2"), { sites: "4" }, { ...SETTINGS, tf: 0.1, h: 0.05 });
    const here = await runSweep(plan);
    const finished: number[] = [];
    const threads = await runSweep(plan, { threads: 2, onPoint: (_p, _r, n) => finished.push(n) });
    expect(finished).toEqual([1, 2, 3, 4]);
    expect(threads.map(numbers)).toEqual(here.map(numbers));
    expect(here[1]!.reference).toBeDefined();
  }, 90_000);

  it("says which point failed, with the error's class, here and on threads", async () => {
    const ising = await loadProblem("ising-lr");
    const plan = planSweep("ising-lr", ising, axes("Omega=0.5,1"), { sites: "4" }, { ...SETTINGS, tf: 0.1, h: 0.05, integrator: "rk9" });
    for (const execution of [{}, { threads: 2 }]) {
      const failure = await runSweep(plan, execution).then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(ArgumentError);
      expect((failure as Error).message).toMatch(/^sweep point [12] of 2 \(Omega=(0\.5|1)\): unknown integrator "rk9"/);
    }
  }, 90_000);
});

describe("the sweep point task", () => {
  const payload = { problem: "ising-lr", params: { sites: 4, Omega: 0.5 }, tf: 0.1, h: 0.05, seed: 1, every: 1, reference: false };

  it("runs only what this thread has loaded, by name", () => {
    expect(() => runTask(RUN_POINT_TASK, { ...payload, problem: "nosuch" })).toThrow(/problem "nosuch" is not a problem this thread loaded; built-in problems: .*ising-lr/);
  });

  it("is refused on the queue for anything but a built-in problem by name and sound settings", () => {
    expect(queueJobProblem(RUN_POINT_TASK, payload)).toBeUndefined();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ problem: "./mine.ts" }, /problem "\.\/mine\.ts" is not the name of a built-in problem \(queue workers run built-in problems by name only\)/],
      [{ problem: "/tmp/evil.js" }, /not the name of a built-in problem/],
      [{ problem: "mine.mjs" }, /not the name of a built-in problem/],
      [{ problem: "file:///tmp/evil.js" }, /not the name of a built-in problem/],
      [{ problem: 42 }, /not the name of a built-in problem/],
      [{ params: [1] }, /params must be an object/],
      [{ params: { "a b": 1 } }, /is not an identifier/],
      [{ params: { sites: {} } }, /parameter sites must be a finite number, a boolean or a string/],
      [{ params: { sites: NaN } }, /parameter sites must be/],
      [{ tf: 0 }, /tf must be a finite number > 0/],
      [{ thetaMode: "sideways" }, /thetaMode must be one of/],
      [{ maxRank: 0.5 }, /maxRank must be a whole number/],
      [{ rejection: { c: -1 } }, /rejection.c: invalid setting/],
      [{ rejection: { ok: true } }, /rejection.ok: invalid setting/],
      [{ seed: -1 }, /seed must be a whole number ≥ 0/],
      [{ every: 0 }, /every must be a whole number ≥ 1/],
      [{ reference: "yes" }, /reference must be true or false/],
      [{ module: "file:///tmp/evil.js" }, /unknown setting "module"/],
    ];
    for (const [change, message] of cases) expect(queueJobProblem(RUN_POINT_TASK, { ...payload, ...change })).toMatch(message);
    expect(queueJobProblem(RUN_POINT_TASK, "ising-lr")).toMatch(/must be an object/);
  });

  it("checks a result against its payload", async () => {
    const result = await runProblem(await loadProblem("ising-lr"), { params: payload.params, tf: 0.1, h: 0.05, reference: false });
    expect(sweepPointResultProblem(result, payload)).toBeUndefined();
    expect(sweepPointResultProblem(JSON.parse(JSON.stringify(result)), payload)).toBeUndefined();
    expect(sweepPointResultProblem({ ...result, format: "arbor-run/0" }, payload)).toMatch(/format arbor-run\/1/);
    expect(sweepPointResultProblem(result, { ...payload, problem: "koch-lubich" })).toMatch(/of problem "ising-lr", not koch-lubich/);
    expect(sweepPointResultProblem(result, { ...payload, params: { sites: 4, Omega: 2 } })).toMatch(/Omega = 0.5, not 2/);
    expect(sweepPointResultProblem(result, { ...payload, seed: 2 })).toMatch(/seed 1, not 2/);
    expect(sweepPointResultProblem({ ...result, completed: false }, payload)).toMatch(/did not complete/);
    expect(sweepPointResultProblem({ ...result, records: { ...result.records, t: ["0"] } }, payload)).toMatch(/records\.t/);
    expect(sweepPointResultProblem({ ...result, summary: { ...result.summary, final: { mz: "1" } } }, payload)).toMatch(/summary/);
    expect(sweepPointResultProblem(null, payload)).toMatch(/must be a run record/);
  });
});
