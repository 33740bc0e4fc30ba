import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { writeFileAtomic } from "../../io/atomic.js";
import { parseParameterAssignments } from "../../problems/parameters.js";
import { isProblemPath } from "../../problems/registry.js";
import { recordsCsv, runPlots, summaryText } from "../../problems/report.js";
import { runProblem, type RunProblemOptions, type RunResult } from "../../problems/run.js";
import { parseSweepAxis, planSweep, runSweep, sweepRecord, sweepTable, type SweepPoint, type SweepSettings } from "../../problems/sweep.js";
import { closeWorkerPools } from "../../backend/pool/pool.js";
import { QueueRunner } from "../../backend/queue/queue-runner.js";
import type { ThetaMode } from "../../integrators/types.js";
import { loadCliProblem } from "../problem-files.js";
import { progressBar } from "../progress.js";
import { redactedCommand, urlOptions, withQueueOptions, type QueueArgs } from "../queue-options.js";
import { UsageError } from "../usage-error.js";

interface RunArgs extends QueueArgs {
  sweep: string[];
  queueTimeout?: number;
  problem: string;
  integrator?: string;
  dt?: number;
  tf?: number;
  tol?: number;
  thetaMode?: string;
  maxRank?: number;
  minRank?: number;
  workers: number;
  rejection?: boolean;
  rejectionC?: number;
  seed?: number;
  param: string[];
  preset?: string;
  every: number;
  reference: boolean;
  out?: string;
  csv?: string;
  plot?: string;
  checkpoint?: string;
  checkpointEvery: number;
  resume?: string;
  quiet: boolean;
  json: boolean;
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function writeOutput(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, encode(text));
}

/** `arbor run <problem|file>`: integrates a problem and records what it observes. */
export const runCommand: CommandModule<object, RunArgs> = {
  command: "run <problem>",
  describe: "Integrate a problem (built-in name or module file) and record observables, ranks and errors",
  builder: (y: Argv) =>
    withQueueOptions(y
      .positional("problem", { type: "string", demandOption: true, describe: "a built-in problem (arbor list) or a module file such as ./my-problem.ts" })
      .option("integrator", { type: "string", describe: "integrator [default: the problem's]; trees: parallel-bug, bug, fixed-bug; matrices also ksl, ksl-strang, bug-adaptive, midpoint-bug" })
      .option("dt", { type: "number", describe: "step size h [default: the problem's]" })
      .option("tf", { type: "number", describe: "final time [default: the problem's]" })
      .option("tol", { type: "number", describe: "truncation tolerance ϑ [default: the problem's]" })
      .option("theta-mode", { type: "string", choices: ["absolute", "relative", "per-unit-time"], describe: "meaning of --tol: per edge ‖discarded‖ ≤ ϑ, ≤ ϑ·‖Y‖, or ≤ ϑ·h [default: absolute]" })
      .option("max-rank", { type: "number", describe: "largest rank per edge" })
      .option("min-rank", { type: "number", describe: "smallest rank per edge" })
      .option("workers", { type: "number", default: 1, describe: "threads for the parallel sub-problems; with --sweep: points at once, each on a thread (results do not depend on it)" })
      .option("rejection", { type: "boolean", describe: "parallel BUG step rejection (--no-rejection to turn it off) [default: the problem's: on]" })
      .option("rejection-c", { type: "number", describe: "reject a parallel-BUG step when h·η > c·ϑ [default: 10 on trees, 1 on matrices]" })
      .option("seed", { type: "number", describe: "seed of every random choice [default: 1]" })
      .option("param", { type: "string", array: true, default: [], describe: "problem parameter key=value (repeatable); arbor info <problem> lists them" })
      .option("preset", { type: "string", describe: "a named parameter set of the problem (e.g. paper)" })
      .option("every", { type: "number", default: 1, describe: "record observables every N steps" })
      .option("reference", { type: "boolean", default: true, describe: "compare with the problem's reference when it has one (--no-reference to skip)" })
      .option("out", { type: "string", describe: "write the result as JSON to this file" })
      .option("csv", { type: "string", describe: "write the recorded observables and errors as CSV to this file" })
      .option("plot", { type: "string", describe: "write SVG plots: FILE.svg (observables), FILE-ranks.svg, FILE-error.svg" })
      .option("checkpoint", { type: "string", describe: "directory for checkpoints (written atomically)" })
      .option("checkpoint-every", { type: "number", default: 10, describe: "steps between checkpoints" })
      .option("resume", { type: "string", describe: "continue from the checkpoint in this directory (give the same problem and settings)" })
      .option("quiet", { type: "boolean", default: false, describe: "no progress bar" })
      .option("json", { type: "boolean", default: false, describe: "print the result as JSON on stdout instead of the summary" })
      .option("sweep", { type: "string", array: true, default: [], describe: "run one point per value: key=v1,v2,… or key=start:stop:count[:log] (repeatable: the Cartesian product, first option slowest); key is a problem parameter or one of the settings integrator, dt, tf, tol, theta-mode, max-rank, min-rank, seed, rejection, rejection-c (param.key / run.key where a name is both); --out is then a directory" }),
    "with --sweep: run the points on `arbor worker` processes (built-in problems only); the results do not depend on it")
      .option("queue-timeout", { type: "number", describe: "with --queue: fail when the sweep's points are not all done after this many seconds [default: wait for workers]" })
      .check((a) => {
        for (const key of ["workers", "every", "checkpoint-every"] as const) {
          const v = a[key] as number;
          if (!Number.isSafeInteger(v) || v < 1) throw new UsageError(`--${key} must be a whole number ≥ 1, got ${v}`);
        }
        const sweeping = (a.sweep as string[]).length > 0;
        if (sweeping) {
          for (const flag of ["checkpoint", "resume", "csv", "plot"] as const) {
            if (a[flag] !== undefined) throw new UsageError(`--${flag} applies to a single run, not to --sweep (each point runs from the start; --out DIR writes every point's record)`);
          }
        }
        if (a.queue !== undefined && !sweeping) throw new UsageError("--queue applies to --sweep: the points of a sweep go to the queue");
        if (a.queue !== undefined && isProblemPath(a.problem as string)) {
          throw new UsageError(`--queue runs built-in problems only, by name: ${a.problem as string} is a module file, and queue workers run no code sent to them (add the file to problems/ of the arbor installation on every machine to make it a built-in, or sweep it here with --workers)`);
        }
        if (a.queue !== undefined && (a.workers as number) > 1) throw new UsageError("--queue and --workers exclude each other: with a queue, the workers are `arbor worker` processes");
        if (a.queueTimeout !== undefined && a.queue === undefined) throw new UsageError("--queue-timeout applies with --queue only");
        if (a.queueTimeout !== undefined && !((a.queueTimeout as number) > 0)) throw new UsageError(`--queue-timeout must be a number of seconds > 0, got ${String(a.queueTimeout)}`);
        return true;
      })
      .example("$0 run ising-lr", "8 spins to T = 1, compared with the exact evolution")
      .example("$0 run ising-lr --preset paper --workers 2 --plot ising.svg", "the paper's 16 spins")
      .example("$0 run ./my-problem.ts --param \"V=0.5*x^2\" --out result.json", "a problem of your own")
      .example("$0 run ising-lr --sweep Omega=0.5,1,2 --sweep alpha=0:3:4 --workers 2 --out sweep/", "12 runs, two at a time, a record file each")
      .example("$0 run ising-lr --sweep dt=0.1,0.05,0.025 --sweep tol=1e-6:1e-10:5:log", "a convergence study in h and ϑ: 15 runs") as unknown as Argv<RunArgs>,
  handler: async (args) => {
    if (args.sweep.length > 0) return sweepHandler(args);
    const problem = await loadCliProblem(args.problem);
    const controller = new AbortController();
    let interrupts = 0;
    const onInterrupt = (): void => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      process.stderr.write("\narbor: stopping after this step (Ctrl-C again to quit at once)\n");
      controller.abort();
    };
    process.on("SIGINT", onInterrupt);
    process.on("SIGTERM", onInterrupt);
    const bar = progressBar(problem.name, !args.quiet && !args.json && process.stderr.isTTY === true);
    const options: RunProblemOptions = {
      params: parseParameterAssignments(args.param),
      ...runSettings(args),
      workers: args.workers,
      ...(args.checkpoint !== undefined ? { checkpoint: { dir: args.checkpoint, every: args.checkpointEvery } } : {}),
      ...(args.resume !== undefined ? { resume: args.resume } : {}),
      signal: controller.signal,
      onProgress: (p) => bar.update(p),
      onStage: (stage, detail) => stage === "reference" && bar.note(`computing the reference (${detail})…`),
      command: ["arbor", ...process.argv.slice(2)],
    };
    let result;
    try {
      result = await runProblem(problem, options);
    } finally {
      bar.done();
      process.off("SIGINT", onInterrupt);
      process.off("SIGTERM", onInterrupt);
      closeWorkerPools();
    }
    const json = JSON.stringify(result, null, 1) + "\n";
    if (args.out !== undefined) writeOutput(args.out, json);
    if (args.csv !== undefined) writeOutput(args.csv, recordsCsv(result));
    if (args.plot !== undefined) {
      const base = args.plot.replace(/\.svg$/i, "");
      for (const [suffix, svg] of Object.entries(runPlots(result))) {
        mkdirSync(dirname(base + suffix + ".svg"), { recursive: true });
        writeFileSync(base + suffix + ".svg", svg);
      }
    }
    process.stdout.write(args.json ? json : summaryText(result) + "\n");
    // A stopped run is not a success: its output is partial (and resumable with a checkpoint).
    if (!result.completed) process.exitCode = 130;
  },
};

/**
 * The run settings the options give, shared by a single run and every point of a sweep: only
 * those given (a sweep refuses to sweep a setting that is also given as an option).
 */
function runSettings(args: RunArgs): SweepSettings {
  return {
    ...(args.preset !== undefined ? { preset: args.preset } : {}),
    ...(args.integrator !== undefined ? { integrator: args.integrator } : {}),
    ...(args.dt !== undefined ? { h: args.dt } : {}),
    ...(args.tf !== undefined ? { tf: args.tf } : {}),
    ...(args.tol !== undefined ? { theta: args.tol } : {}),
    ...(args.thetaMode !== undefined ? { thetaMode: args.thetaMode as ThetaMode } : {}),
    ...(args.maxRank !== undefined ? { maxRank: args.maxRank } : {}),
    ...(args.minRank !== undefined ? { minRank: args.minRank } : {}),
    ...(args.rejection !== undefined || args.rejectionC !== undefined ? { rejection: { ...(args.rejection !== undefined ? { enabled: args.rejection } : {}), ...(args.rejectionC !== undefined ? { c: args.rejectionC } : {}) } } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
    every: args.every, reference: args.reference,
  };
}

const pad = (n: number, total: number): string => String(n).padStart(String(total).length, "0");

/** `arbor run <problem> --sweep …`: one run per point, on threads or through the queue. */
async function sweepHandler(args: RunArgs): Promise<void> {
  const start = performance.now();
  const definition = await loadCliProblem(args.problem);
  // Tasks name a file by its absolute path (the threads that load it may not share a cwd).
  const key = isProblemPath(args.problem) ? resolve(args.problem) : args.problem;
  const settings = runSettings(args);
  const plan = planSweep(key, definition, args.sweep.map(parseSweepAxis), parseParameterAssignments(args.param), settings);
  const out = args.out;
  if (out !== undefined) {
    if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out}: with --sweep, --out names a directory (one record file per point and sweep.json), and ${out} is a file`);
    mkdirSync(out, { recursive: true });
  }
  const total = plan.points.length;
  const files = plan.points.map((p) => `point-${pad(p.index + 1, total)}.json`);
  const progress = !args.quiet && !args.json && process.stderr.isTTY === true;
  const label = (p: SweepPoint): string => Object.entries(p.values).map(([k, v]) => `${k}=${v}`).join(" ");
  // Every record is written as its point finishes: a sweep stopped half-way keeps its points.
  const onPoint = (p: SweepPoint, result: RunResult, finished: number): void => {
    if (out !== undefined) writeOutput(join(out, files[p.index]!), JSON.stringify(result, null, 1) + "\n");
    if (progress) process.stderr.write(`${definition.name}: point ${p.index + 1}/${total} (${label(p)}) done in ${(result.timings.totalMs / 1000).toFixed(2)} s, max rank ${result.summary.maxRank} [${finished}/${total}]\n`);
  };
  let runner: QueueRunner | undefined;
  let results: RunResult[];
  let where: Record<string, unknown>;
  if (args.queue !== undefined) {
    runner = new QueueRunner(args.queue, { ...urlOptions(args), queueName: args.queueName, quiet: args.quiet, ...(args.queueTimeout !== undefined ? { batchTimeoutMs: args.queueTimeout * 1000 } : {}) });
    try {
      if (progress) process.stderr.write(`${definition.name}: ${total} points sent to queue ${runner.queueName} at ${runner.label} (${runner.workers()} workers connected); they come back together\n`);
      results = await runSweep(plan, { runner, onPoint });
    } finally {
      await runner.close();
    }
    where = { queue: { server: runner.label, name: runner.queueName, ...runner.counts } };
  } else {
    results = await runSweep(plan, { ...(args.workers > 1 ? { threads: args.workers } : {}), onPoint });
    where = { workers: args.workers };
  }
  const record = sweepRecord(plan, results, {
    command: ["arbor", ...redactedCommand(process.argv.slice(2))], runner: where, totalMs: performance.now() - start,
    ...(out !== undefined ? { files } : {}),
  });
  if (out !== undefined) writeOutput(join(out, "sweep.json"), JSON.stringify(record, null, 1) + "\n");
  if (args.json) process.stdout.write(JSON.stringify({ ...record, points: record.points.map((p, i) => ({ ...p, result: results[i] })) }, null, 1) + "\n");
  else process.stdout.write(sweepTable(record) + "\n");
}
