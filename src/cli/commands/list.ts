import type { CommandModule } from "yargs";
import { loadBuiltinProblems } from "../../problems/registry.js";

/** `arbor list`: the built-in problems with their one-line descriptions. */
export const listCommand: CommandModule<object, { json: boolean }> = {
  command: "list",
  describe: "List the built-in problems",
  builder: (y) => y.option("json", { type: "boolean", default: false, describe: "as JSON" }),
  handler: async (args) => {
    const problems = await loadBuiltinProblems();
    if (args.json) {
      process.stdout.write(JSON.stringify(problems.map((p) => ({ name: p.name, description: p.description })), null, 1) + "\n");
      return;
    }
    const width = Math.max(...problems.map((p) => p.name.length));
    for (const p of problems) process.stdout.write(`${p.name.padEnd(width)}  ${p.description}\n`);
    process.stdout.write(`\narbor info <problem> shows a problem's parameters; arbor run <problem> runs it.\n`);
  },
};
