#!/usr/bin/env node
/**
 * The `arbor` command. Each command lives in ./commands/; this file only wires them up.
 * @packageDocumentation
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { benchCommand } from "./commands/bench.js";
import { packageVersion } from "./version.js";

const cli = yargs(hideBin(process.argv))
  .scriptName("arbor")
  .usage("$0 <command> [options]")
  .command(benchCommand)
  .demandCommand(1, "no command given; try: arbor bench linalg --quick")
  .recommendCommands()
  .strict()
  .version(packageVersion())
  .alias("h", "help")
  .alias("v", "version")
  .wrap(Math.min(100, process.stdout.columns ?? 100))
  // Usage errors (unknown commands or options, bad values such as --threads 0) end here with
  // exit status 1; yargs' default would print the whole usage text before the line that matters.
  .fail((message, error) => {
    const text = (error as Error | undefined)?.message ?? message;
    const hint = error === undefined ? "\nRun 'arbor --help' for usage." : "";
    process.stderr.write(`arbor: ${text}${hint}\n`);
    process.exit(1);
  });

// yargs hands usage errors to .fail() but lets an error thrown by a command's handler
// propagate; report those the same way rather than as a stack trace.
try {
  await cli.parseAsync();
} catch (e) {
  process.stderr.write(`arbor: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
