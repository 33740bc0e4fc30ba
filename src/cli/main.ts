#!/usr/bin/env node
/**
 * The `arbor` command. Each command lives in ./commands/; this file only wires them up.
 * @packageDocumentation
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { benchCommand } from "./commands/bench.js";
import { completeCommand } from "./commands/complete.js";
import { infoCommand } from "./commands/info.js";
import { listCommand } from "./commands/list.js";
import { runCommand } from "./commands/run.js";
import { searchCommand } from "./commands/search.js";
import { workerCommand } from "./commands/worker.js";
import { ArborError } from "../errors.js";
import { webgpuWasLoaded } from "../backend/gpu/worker-backend.js";
import { UsageError } from "./usage-error.js";
import { packageVersion } from "../version.js";

const cli = yargs(hideBin(process.argv))
  .scriptName("arbor")
  .usage("$0 <command> [options]")
  .command(runCommand)
  .command(listCommand)
  .command(infoCommand)
  .command(searchCommand)
  .command(completeCommand)
  .command(workerCommand)
  .command(benchCommand)
  .option("debug", { type: "boolean", default: false, describe: "print stack traces of errors" })
  .demandCommand(1, "no command given; try: arbor run ising-lr")
  .recommendCommands()
  .strict()
  .version(packageVersion())
  .alias("h", "help")
  .alias("v", "version")
  .wrap(Math.min(100, process.stdout.columns ?? 100))
  // Usage errors (unknown commands or options, bad values such as --threads 0) end here with
  // exit status 2; yargs' default would print the whole usage text before the line that matters.
  // Errors thrown by a handler pass through to the classification below.
  .fail((message, error) => {
    if (error !== undefined && error !== null && (error as Error).name !== "YError" && !(error instanceof UsageError)) throw error;
    const text = (error as Error | undefined)?.message ?? message;
    const hint = error === undefined || error === null ? "\nRun 'arbor --help' for usage." : "";
    process.stderr.write(`arbor: ${text}${hint}\n`);
    process.exit(2);
  });

// Bad input (arbor's own errors: unknown problem or parameter, invalid values, malformed
// files, a missing file) is one line and exit status 2; anything else is a failure of arbor
// or of a plugin's code (1). --debug adds the stack trace.
const debug = process.argv.includes("--debug");
try {
  await cli.parseAsync();
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`arbor: ${message}\n`);
  for (let x: unknown = e; debug && x instanceof Error; x = x.cause) process.stderr.write(`${x === e ? "" : "caused by: "}${x.stack ?? x.message}\n`);
  process.exitCode = e instanceof ArborError || e instanceof UsageError || (e as NodeJS.ErrnoException)?.code === "ENOENT" ? 2 : 1;
}
// Dawn (WebGPU) can keep the process alive after its device is destroyed.
if (webgpuWasLoaded()) process.exit(process.exitCode ?? 0);
