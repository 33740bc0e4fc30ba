/**
 * Planted-structure success rates of the structure searches, and the evaluations TNLS needs to
 * reach TnALE's objective (docs/search.md):
 *
 *   npm run build && node dist/docs/scripts/search-planted.js [ring] [fctn] [tree] [--seeds N] [--quick] [--out-dir DIR]
 *   npm run reproduce -- search-planted [parts]     (regenerates and compares with docs/results)
 *
 * Each part plants one structure with a hidden mode permutation ({@link plantedNetwork}, seeds
 * 1…N) and runs, per seed, TnALE over the matching graph, TNLS over the same graph until it
 * reaches TnALE's objective (or its evaluation cap), and greedy rank growth (which knows no
 * graph). A run succeeds when it finds RSE ≤ 1e-4 with at most the planted parameters. Writes
 * docs/results/search-planted-<part>.json. Deterministic (times aside).
 */
import { runParts, scriptArgs } from "./script-args.js";
import { closeWorkerPools } from "../../src/backend/pool/pool.js";
import { OBJECTIVE_SLACK } from "../../src/search/evaluator.js";
import { greedySearch } from "../../src/search/greedy.js";
import { NetworkStructure } from "../../src/search/network/structure.js";
import { plantedNetwork } from "../../src/search/planted.js";
import type { SearchTopology } from "../../src/search/search-space.js";
import { tnaleSearch } from "../../src/search/tnale.js";
import { tnlsSearch } from "../../src/search/tnls.js";
import { Tree } from "../../src/tn/tree.js";

const SUCCESS_RSE = 1e-4;
const TNLS_CAP = 600;

interface Task {
  description: string;
  planted: NetworkStructure;
  /** The graph TnALE and TNLS search, over the target's unpermuted labels. */
  topology: (dims: readonly number[]) => SearchTopology;
  maxRank: number;
}

const triangleWithTail = new NetworkStructure([4, 4, 4, 4], [[1, 2, 2, 1], [2, 1, 2, 1], [2, 2, 1, 2], [1, 1, 2, 1]]);
const TASKS: Record<string, Task> = {
  ring: {
    description: "tensor ring 4⁵, ranks 2, 3, 2, 3, 2, hidden mode order; searched as a ring",
    planted: NetworkStructure.tensorRing([4, 4, 4, 4, 4], [2, 3, 2, 3, 2]),
    topology: () => "ring",
    maxRank: 5,
  },
  fctn: {
    description: "triangle 0–1–2 with a tail 2–3, 4⁴, ranks 2, hidden mode order; searched as a fully connected graph",
    planted: triangleWithTail,
    topology: () => "fctn",
    maxRank: 4,
  },
  tree: {
    description: "balanced binary tree over 4⁴ (three inner cores), ranks 2, hidden leaf order; searched over the tree's ranks and leaf placement",
    planted: NetworkStructure.fromTree(Tree.balancedBinary(4), [4, 4, 4, 4], 2),
    topology: (dims) => NetworkStructure.fromTree(Tree.balancedBinary(4), dims, 2),
    maxRank: 4,
  },
};

interface Run {
  rse: number;
  parameters: number;
  objective: number;
  evaluations: number;
  evaluationsToBest: number;
  success: boolean;
  seconds: number;
}


function summary(r: { rse: number; parameters: number; objective?: number; evaluations: number; evaluationsToBest?: number }, planted: number, seconds: number): Run {
  return {
    rse: r.rse, parameters: r.parameters, objective: r.objective ?? NaN, evaluations: r.evaluations, evaluationsToBest: r.evaluationsToBest ?? r.evaluations,
    success: r.rse <= SUCCESS_RSE && r.parameters <= planted, seconds,
  };
}

function runPart(name: string, seeds: number, quick: boolean): void {
  const task = TASKS[name]!;
  const rows: Record<string, unknown>[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const planted = plantedNetwork(task.planted, seed, { permutation: "random" });
    const x = planted.tensor;
    const entries = x.data.length;
    const topology = task.topology(x.shape);
    const common = { topology, maxRank: task.maxRank, seed, ...(quick ? { maxEvaluations: 30 } : {}) };
    let t = performance.now();
    const tnale = tnaleSearch(x, common);
    const tnaleRun = summary(tnale, planted.parameters, (performance.now() - t) / 1000);
    // TNLS until it is as good as TnALE, up to the slack that separates structures from refits.
    t = performance.now();
    const goal = tnale.objective + OBJECTIVE_SLACK;
    const tnls = tnlsSearch(x, { ...common, targetObjective: goal, maxEvaluations: quick ? 30 : TNLS_CAP });
    const tnlsRun = { ...summary(tnls, planted.parameters, (performance.now() - t) / 1000), reachedTnale: tnls.objective <= goal };
    t = performance.now();
    const greedy = greedySearch(x, { targetRse: SUCCESS_RSE, seed, ...(quick ? { maxSteps: 3 } : {}) });
    const greedyRun = summary(greedy, planted.parameters, (performance.now() - t) / 1000);
    rows.push({ seed, permutation: planted.permutation, plantedParameters: planted.parameters, plantedObjective: planted.parameters / entries, tnale: tnaleRun, tnls: tnlsRun, greedy: greedyRun });
    console.error(`${name} seed ${seed}: TnALE ${tnaleRun.parameters} p, RSE ${tnaleRun.rse.toExponential(1)}, ${tnaleRun.evaluationsToBest}/${tnaleRun.evaluations} ev; ` +
      `TNLS ${tnlsRun.parameters} p, ${tnlsRun.reachedTnale ? "reached" : "did not reach"} TnALE at ${tnlsRun.evaluationsToBest} ev; greedy ${greedyRun.parameters} p, RSE ${greedyRun.rse.toExponential(1)}`);
  }
  const rate = (m: string): number => rows.filter((r) => (r[m] as Run).success).length / rows.length;
  const ratios = rows.filter((r) => (r.tnls as { reachedTnale: boolean }).reachedTnale).map((r) => (r.tnls as Run).evaluationsToBest / (r.tnale as Run).evaluationsToBest);
  const data = {
    task: task.description, planted: { key: task.planted.key(), parameters: task.planted.numParameters() }, successRse: SUCCESS_RSE, tnlsCap: TNLS_CAP,
    successRate: { tnale: rate("tnale"), tnls: rate("tnls"), greedy: rate("greedy") },
    tnlsOverTnaleEvaluations: { reached: ratios.length, of: rows.length, median: ratios.length > 0 ? ratios.slice().sort((a, b) => a - b)[Math.floor(ratios.length / 2)]! : null },
    runs: rows,
  };
  out.saveJson(`search-planted-${name}.json`, data);
  console.log(`\n### ${task.description}\n`);
  console.log(`| seed | TnALE params / RSE / evals to best | TNLS evals to TnALE's objective | greedy params / RSE / evals |`);
  console.log(`|---|---|---|---|`);
  for (const r of rows) {
    const a = r.tnale as Run, b = r.tnls as Run & { reachedTnale: boolean }, g = r.greedy as Run;
    console.log(`| ${r.seed as number} | ${a.parameters} / ${a.rse.toExponential(1)} / ${a.evaluationsToBest} | ${b.reachedTnale ? b.evaluationsToBest : `> ${b.evaluations}`} | ${g.parameters} / ${g.rse.toExponential(1)} / ${g.evaluations} |`);
  }
  console.log(`\nsuccess (RSE ≤ 1e-4, ≤ ${task.planted.numParameters()} parameters): TnALE ${data.successRate.tnale}, TNLS ${data.successRate.tnls}, greedy ${data.successRate.greedy}`);
}

const args = process.argv.slice(2);
const out = scriptArgs(args, Object.keys(TASKS), { valueFlags: ["--seeds"] });
const seedsAt = args.indexOf("--seeds");
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : out.quick ? 1 : 4;
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds must be a whole number ≥ 1`);
await runParts(out.parts, (name) => runPart(name, seeds, out.quick));
await closeWorkerPools();
