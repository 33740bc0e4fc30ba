import type { CommandModule } from "yargs";
import { rangeText, type ParameterSpec } from "../../problems/parameters.js";
import { loadCliProblem } from "../problem-files.js";

function describeType(spec: ParameterSpec): string {
  switch (spec.type) {
    case "number":
    case "integer":
      return `${spec.type} in ${rangeText(spec)}${spec.unit ? ` [${spec.unit}]` : ""}`;
    case "choice":
      return `one of ${spec.choices.join(", ")}`;
    case "expression":
      return `expression in ${spec.variables.join(", ") || "(no variables)"}`;
    case "boolean":
      return "true/false";
  }
}

/** `arbor info <problem>`: a problem's parameters, defaults, presets and run settings. */
export const infoCommand: CommandModule<object, { problem: string; json: boolean }> = {
  command: "info <problem>",
  describe: "Show a problem's parameters, defaults, presets and default run settings",
  builder: (y) =>
    y.positional("problem", { type: "string", demandOption: true, describe: "a built-in problem or a module file" })
      .option("json", { type: "boolean", default: false, describe: "as JSON" }) as never,
  handler: async (args) => {
    const p = await loadCliProblem(args.problem);
    if (args.json) {
      process.stdout.write(JSON.stringify({ name: p.name, description: p.description, source: p.source, parameters: p.parameters, presets: p.presets ?? {}, defaults: p.defaults }, null, 1) + "\n");
      return;
    }
    const lines = [`${p.name}: ${p.description}`];
    if (p.source) lines.push(`source: ${p.source}`);
    lines.push("", "parameters (--param key=value):");
    const entries = Object.entries(p.parameters);
    const width = Math.max(0, ...entries.map(([k]) => k.length));
    for (const [name, spec] of entries) {
      lines.push(`  ${name.padEnd(width)}  ${String(spec.default).padEnd(10)}  ${spec.description} (${describeType(spec)})`);
    }
    if (entries.length === 0) lines.push("  (none)");
    for (const [name, values] of Object.entries(p.presets ?? {})) {
      const settings = Object.entries(p.presetDefaults?.[name] ?? {}).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`);
      lines.push(`preset ${name} (--preset ${name}): ${[...Object.entries(values).map(([k, v]) => `${k}=${v}`), ...settings].join(" ")}`);
    }
    const d = p.defaults;
    lines.push("", `defaults: --integrator ${d.integrator} --dt ${d.h} --tf ${d.tf} --tol ${d.theta}` +
      `${d.thetaMode ? ` --theta-mode ${d.thetaMode}` : ""}${d.maxRank !== undefined ? ` --max-rank ${d.maxRank}` : ""}${d.minRank !== undefined ? ` --min-rank ${d.minRank}` : ""}`);
    process.stdout.write(lines.join("\n") + "\n");
  },
};
