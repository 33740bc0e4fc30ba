import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { ArgumentError } from "../../errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { readNpy } from "../../linalg/io/npy.js";
import type { Tensor } from "../../linalg/tensor.js";
import { tuckerCoreShape } from "../../search/core-shapes.js";
import { greedySearch } from "../../search/greedy.js";
import type { TensorNetwork } from "../../search/network/network.js";
import { NetworkStructure } from "../../search/network/structure.js";
import type { SearchTopology } from "../../search/search-space.js";
import type { SearchFitMethod } from "../../search/evaluate-task.js";
import { tnaleSearch } from "../../search/tnale.js";
import { tnlsSearch } from "../../search/tnls.js";
import { fitNetwork } from "../../search/fit/als.js";
import { Tree } from "../../tn/tree.js";
import { QueueRunner } from "../../backend/queue/queue-runner.js";
import { packageVersion } from "../../version.js";
import { redactedCommand, urlOptions, withQueueOptions, type QueueArgs } from "../queue-options.js";
import { UsageError } from "../usage-error.js";

interface SearchArgs extends QueueArgs {
  queueTimeout?: number;
  tensor: string;
  method: string;
  topology?: string;
  targetRse: number;
  budget?: number;
  fit: string;
  maxEvaluations?: number;
  seed: number;
  workers: number;
  out?: string;
  json: boolean;
  quiet: boolean;
}

/** The found network as text: one line per vertex (mode, size, bonds). */
export function describeNetwork(structure: NetworkStructure): string {
  const lines: string[] = [];
  for (let v = 0; v < structure.numVertices; v++) {
    const bonds = structure.neighbors(v).map((u) => `${u} (rank ${structure.rank(v, u)})`).join(", ") || "none";
    const leg = structure.hasOpenLeg(v) ? `mode ${structure.perm[v]} (size ${structure.openSize(v)})` : "no open leg";
    lines.push(`  vertex ${v}: ${leg}; bonds to ${bonds}`);
  }
  return lines.join("\n");
}

function coresJson(net: TensorNetwork<"f64">): { shape: number[]; data: string }[] {
  return net.cores.map((c) => ({ shape: c.shape.slice(), data: Buffer.from(new Float64Array(c.data).buffer).toString("base64") }));
}

/** `arbor search <tensor.npy>`: learn a network structure for a tensor. */
export const searchCommand: CommandModule<object, SearchArgs> = {
  command: "search <tensor>",
  describe: "Learn a tensor-network structure for a tensor (.npy): greedy rank growth, TnALE, TNLS or Tucker core shapes",
  builder: (y: Argv) =>
    withQueueOptions(y
      .positional("tensor", { type: "string", demandOption: true, describe: "the target tensor as a .npy file (real)" })
      .option("method", { type: "string", default: "tnale", choices: ["greedy", "tnale", "tnls", "core-shape"], describe: "search method" })
      .option("topology", { type: "string", choices: ["tr", "tt", "fctn", "tree", "tucker"], describe: "graph searched [default: tnale and tnls: tr (or tt, fctn, tree: a balanced binary tree over the modes), greedy: fctn, core-shape: tucker]" })
      .option("target-rse", { type: "number", default: 1e-4, describe: "relative error to reach (greedy, core-shape) or judged by (tnale, tnls: objective params/entries + 200·RSE²)" })
      .option("fit", { type: "string", default: "als", choices: ["als", "lm"], describe: "how tnale and tnls fit candidates: als, or lm (Levenberg–Marquardt: fits loopy graphs such as fctn where ALS stalls; slower)" })
      .option("budget", { type: "number", describe: "largest number of parameters (greedy, core-shape)" })
      .option("max-evaluations", { type: "number", describe: "largest number of structure evaluations (tnale, tnls)" })
      .option("workers", { type: "number", default: 1, describe: "threads that fit candidate structures at once (tnale, tnls); the result does not depend on it" })
      .option("seed", { type: "number", default: 1, describe: "seed of every random choice" })
      .option("out", { type: "string", describe: "write the structure, its fitted cores and the search record as JSON" })
      .option("json", { type: "boolean", default: false, describe: "print the record as JSON" })
      .option("quiet", { type: "boolean", default: false, describe: "no progress lines" }),
    "fit candidates on `arbor worker` processes (tnale, tnls); the result does not depend on it")
      .option("queue-timeout", { type: "number", describe: "with --queue: fail when a batch of evaluations is not done after this many seconds [default: wait for workers]" })
      .check((a) => {
        const pairs: Record<string, string[]> = { greedy: ["fctn"], tnale: ["tr", "tt", "fctn", "tree"], tnls: ["tr", "tt", "fctn", "tree"], "core-shape": ["tucker"] };
        const method = a.method as string, topology = a.topology as string | undefined;
        if (topology !== undefined && !pairs[method]!.includes(topology)) {
          throw new UsageError(`--method ${method} searches ${pairs[method]!.join(" or ")}, not ${topology}`);
        }
        if (!Number.isInteger(a.workers) || (a.workers as number) < 1) throw new UsageError(`--workers must be a whole number ≥ 1, got ${String(a.workers)}`);
        if (a.fit !== "als" && method !== "tnale" && method !== "tnls") throw new UsageError(`--fit applies to --method tnale and tnls, not ${method}`);
        if (a.queue !== undefined && method !== "tnale" && method !== "tnls") throw new UsageError(`--queue applies to --method tnale and tnls, not ${method}`);
        if (a.queueTimeout !== undefined && a.queue === undefined) throw new UsageError("--queue-timeout applies with --queue only");
        if (a.queueTimeout !== undefined && !((a.queueTimeout as number) > 0)) throw new UsageError(`--queue-timeout must be a number of seconds > 0, got ${String(a.queueTimeout)}`);
        if (a.queue !== undefined && (a.workers as number) > 1) throw new UsageError("--queue and --workers exclude each other: with a queue, the workers are `arbor worker` processes");
        return true;
      }) as unknown as Argv<SearchArgs>,
  handler: async (args) => {
    const target: Tensor = readNpy(args.tensor);
    if (target.dtype === "c128") throw new ArgumentError(`${args.tensor}: structure search needs a real tensor, got complex`);
    const x = target.dtype === "f64" ? target : target.astype("f64");
    const progress = !args.quiet && !args.json && process.stderr.isTTY === true;
    const say = (text: string): void => void (progress && process.stderr.write(text + "\n"));
    const start = performance.now();
    let structure: NetworkStructure, network: TensorNetwork<"f64">, rse: number, evaluations: number;
    let runner: QueueRunner | undefined;
    switch (args.method) {
      case "greedy": {
        const r = greedySearch(x, { targetRse: args.targetRse, seed: args.seed, criterion: "loss-per-parameter", ...(args.budget !== undefined ? { maxParameters: args.budget } : {}),
          onStep: (s) => say(`greedy: edge ${s.edge.join("–")}, RSE ${s.rse.toExponential(2)}, ${s.parameters} parameters, ${s.evaluations} evaluations`) });
        ({ structure, network, rse, evaluations } = r);
        break;
      }
      case "tnale":
      case "tnls": {
        const topology: SearchTopology = args.topology === "tt" ? "train" : args.topology === "fctn" ? "fctn"
          : args.topology === "tree" ? NetworkStructure.fromTree(Tree.balancedBinary(x.ndim), x.shape, 2) : "ring";
        runner = args.queue !== undefined
          ? new QueueRunner(args.queue, { ...urlOptions(args), queueName: args.queueName, ...(args.queueTimeout !== undefined ? { batchTimeoutMs: args.queueTimeout * 1000 } : {}) })
          : undefined;
        const common = { seed: args.seed, topology, workers: args.workers, runner, fitMethod: args.fit as SearchFitMethod, ...(args.maxEvaluations !== undefined ? { maxEvaluations: args.maxEvaluations } : {}) };
        try {
          const r = args.method === "tnale"
            ? tnaleSearch(x, { ...common, onRound: (s) => say(`tnale: round ${s.round}, objective ${s.objective.toFixed(4)}, RSE ${s.rse.toExponential(2)}, ${s.parameters} parameters, ${s.evaluations} evaluations`) })
            : tnlsSearch(x, { ...common, onGeneration: (g) => say(`tnls: generation ${g.generation}, objective ${g.objective.toFixed(4)}, ${g.evaluations} evaluations`) });
          ({ structure, network, rse, evaluations } = r);
        } finally {
          await runner?.close();
        }
        break;
      }
      default: {
        const shape = tuckerCoreShape(x, args.budget !== undefined ? { budget: args.budget } : { targetRse: args.targetRse });
        // The Tucker network as a star: one inner core over the leaves; its cores fitted by ALS.
        const N = x.ndim, R = Array.from({ length: N + 1 }, () => new Array<number>(N + 1).fill(1));
        shape.ranks.forEach((r, m) => (R[m]![N] = R[N]![m] = r));
        structure = new NetworkStructure(x.shape, R, [...Array.from({ length: N }, (_, m) => m), -1]);
        const fit = fitNetwork(structure, x, { targetRse: 1e-12, maxSweeps: 30, seed: args.seed });
        ({ network, rse } = fit);
        evaluations = 1;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const record = {
      format: "arbor-structure/1", arbor: packageVersion(), command: ["arbor", ...redactedCommand(process.argv.slice(2))], method: args.method, ...(args.method === "tnale" || args.method === "tnls" ? { fit: args.fit } : {}), seed: args.seed,
      tensor: { path: args.tensor, shape: x.shape.slice() }, rse, parameters: structure.numParameters(), entries: x.data.length, evaluations, seconds,
      structure: { dims: structure.dims.slice(), ranks: structure.ranks(), perm: structure.perm.slice(), key: structure.key() },
      ...(runner !== undefined ? { queue: { server: runner.label, name: runner.queueName, ...runner.counts } } : {}),
    };
    if (args.out !== undefined) {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileAtomic(args.out, new TextEncoder().encode(JSON.stringify({ ...record, cores: coresJson(network) }) + "\n"));
    }
    if (args.json) process.stdout.write(JSON.stringify(record, null, 1) + "\n");
    else {
      process.stdout.write(`${args.method}: RSE ${rse.toExponential(3)} with ${record.parameters} parameters (${record.entries} entries), ${evaluations} evaluations, ${seconds.toFixed(1)} s\n`);
      process.stdout.write(`${structure}\n${describeNetwork(structure)}\n`);
    }
  },
};
