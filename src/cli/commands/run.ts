import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { writeFileAtomic } from "../../io/atomic.js";
import { parseParameterAssignments } from "../../problems/parameters.js";
import { recordsCsv, runPlots, summaryText } from "../../problems/report.js";
import { runProblem, type RunProblemOptions } from "../../problems/run.js";
import { closeWorkerPools } from "../../backend/pool/pool.js";
import type { ThetaMode } from "../../integrators/types.js";
import { loadCliProblem } from "../problem-files.js";
import { progressBar } from "../progress.js";
import { UsageError } from "../usage-error.js";

interface RunArgs {
  problem: string;
  integrator?: string;
  dt?: number;
  tf?: number;
  tol?: number;
  thetaMode?: string;
  maxRank?: number;
  minRank?: number;
  workers: number;
  rejection: boolean;
  rejectionC?: number;
  seed: number;
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
    y
      .positional("problem", { type: "string", demandOption: true, describe: "a built-in problem (arbor list) or a module file such as ./my-problem.ts" })
      .option("integrator", { type: "string", describe: "integrator [default: the problem's]; trees: parallel-bug, bug, fixed-bug; matrices also ksl, ksl-strang, bug-adaptive, midpoint-bug" })
      .option("dt", { type: "number", describe: "step size h [default: the problem's]" })
      .option("tf", { type: "number", describe: "final time [default: the problem's]" })
      .option("tol", { type: "number", describe: "truncation tolerance ϑ [default: the problem's]" })
      .option("theta-mode", { type: "string", choices: ["absolute", "relative", "per-unit-time"], describe: "meaning of --tol: per edge ‖discarded‖ ≤ ϑ, ≤ ϑ·‖Y‖, or ≤ ϑ·h [default: absolute]" })
      .option("max-rank", { type: "number", describe: "largest rank per edge" })
      .option("min-rank", { type: "number", describe: "smallest rank per edge" })
      .option("workers", { type: "number", default: 1, describe: "threads for the parallel sub-problems (results do not depend on it)" })
      .option("rejection", { type: "boolean", default: true, describe: "parallel BUG step rejection (--no-rejection to turn it off)" })
      .option("rejection-c", { type: "number", describe: "reject a parallel-BUG step when h·η > c·ϑ [default: 10 on trees, 1 on matrices]" })
      .option("seed", { type: "number", default: 1, describe: "seed of every random choice" })
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
      .check((a) => {
        for (const key of ["workers", "every", "checkpoint-every"] as const) {
          const v = a[key] as number;
          if (!Number.isSafeInteger(v) || v < 1) throw new UsageError(`--${key} must be a whole number ≥ 1, got ${v}`);
        }
        return true;
      })
      .example("$0 run ising-lr", "8 spins to T = 1, compared with the exact evolution")
      .example("$0 run ising-lr --preset paper --workers 2 --plot ising.svg", "the paper's 16 spins")
      .example("$0 run ./my-problem.ts --param \"V=0.5*x^2\" --out result.json", "a problem of your own") as unknown as Argv<RunArgs>,
  handler: async (args) => {
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
      ...(args.preset !== undefined ? { preset: args.preset } : {}),
      ...(args.integrator !== undefined ? { integrator: args.integrator } : {}),
      ...(args.dt !== undefined ? { h: args.dt } : {}),
      ...(args.tf !== undefined ? { tf: args.tf } : {}),
      ...(args.tol !== undefined ? { theta: args.tol } : {}),
      ...(args.thetaMode !== undefined ? { thetaMode: args.thetaMode as ThetaMode } : {}),
      ...(args.maxRank !== undefined ? { maxRank: args.maxRank } : {}),
      ...(args.minRank !== undefined ? { minRank: args.minRank } : {}),
      ...(!args.rejection || args.rejectionC !== undefined ? { rejection: { ...(!args.rejection ? { enabled: false } : {}), ...(args.rejectionC !== undefined ? { c: args.rejectionC } : {}) } } : {}),
      workers: args.workers, seed: args.seed, every: args.every, reference: args.reference,
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
