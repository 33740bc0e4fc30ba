import type { Argv, CommandModule } from "yargs";
import { SUITES, parseThreads, runBench } from "../../../bench/suites.js";

interface BenchArgs {
  suite: string;
  quick: boolean;
  threads?: number[];
  json: boolean;
  out?: string;
  quiet: boolean;
}

/** `arbor bench [suite]`: runs a benchmark suite against numpy and records the result. */
export const benchCommand: CommandModule<object, BenchArgs> = {
  command: "bench [suite]",
  describe: "Benchmark arbor against numpy in the same run (table on stdout, records in a JSON file)",
  builder: (y: Argv) =>
    y
      .positional("suite", { type: "string", default: "linalg", choices: Object.keys(SUITES), describe: Object.entries(SUITES).map(([name, suite]) => `${name}: ${suite.description}`).join("; ") })
      .option("quick", { type: "boolean", default: false, describe: "small sizes (n = 64, 256), 1 thread, few repetitions" })
      .option("threads", { type: "string", describe: "comma-separated thread counts [default: 1,2; 1 with --quick]", coerce: parseThreads })
      .option("json", { type: "boolean", default: false, describe: "print the records as JSON instead of the table" })
      .option("out", { type: "string", describe: "JSON file to write [default: bench/results/<suite>.json, <suite>-quick.json with --quick]", normalize: true })
      .option("quiet", { type: "boolean", default: false, describe: "no progress lines on stderr" })
      .example("$0 bench linalg --quick", "smoke run: a few seconds")
      .example("$0 bench linalg --threads 1,2 --json > linalg.json", "full run, records on stdout") as unknown as Argv<BenchArgs>,
  handler: (args) => {
    runBench({ suite: args.suite, quick: args.quick, threads: args.threads, json: args.json, out: args.out, quiet: args.quiet });
  },
};
