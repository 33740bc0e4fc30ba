/**
 * Benchmark entry point: `node dist/bench/run.js <suite> [--quick] [--threads 1,2] [--json]
 * [--out FILE] [--quiet]` (`npm run bench -- linalg` builds first). `arbor bench` is the same
 * with the CLI's help text.
 */
import { parseArgs } from "node:util";
import { SUITES, parseThreads, runBench } from "./suites.js";

const USAGE = `usage: node dist/bench/run.js <suite> [--quick] [--threads 1,2] [--json] [--out FILE] [--quiet]
suites:
${Object.entries(SUITES).map(([name, suite]) => `  ${name}  ${suite.description}`).join("\n")}`;

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      threads: { type: "string" },
      json: { type: "boolean", default: false },
      out: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  if (positionals.length !== 1) throw new Error(`expected one suite name, got ${positionals.length}`);
  runBench({
    suite: positionals[0]!,
    quick: values.quick,
    threads: values.threads === undefined ? undefined : parseThreads(values.threads),
    json: values.json,
    out: values.out,
    quiet: values.quiet,
  });
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}\n`);
  process.exitCode = 1;
}
