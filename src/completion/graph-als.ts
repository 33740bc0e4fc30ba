/**
 * ALS completion for networks of any graph — above all trees with inner vertices, which the
 * chain solver does not cover. A core's per-sample environments (the rest of the network
 * contracted at the sample's indices) come from the batched kernel of src/search, one per
 * sample and update, so an update costs about one per-entry contraction per sample plus
 * O(m·R²) for the normal equations (R the product of the core's bond ranks).
 *
 * On a tree the updates follow an Euler tour from a leaf (down every branch and back), and the
 * core just updated is orthogonalised towards the next one (QR over their shared bond), so the
 * updated core is always the orthogonality centre: the relative ridge then penalises the norm
 * of the whole tensor, as in the chain solver, and on a train the tour is the chain solver's
 * left-to-right-and-back sweep, update for update. Graphs with loops (other than rings, which
 * go to the chain solver) have no such gauge; they are swept in vertex order and back.
 * Internal to src/completion.
 * @module
 */
import { contract } from "../linalg/contract.js";
import { qr } from "../linalg/decomp/qr.js";
import { permute } from "../linalg/permute.js";
import { Tensor } from "../linalg/tensor.js";
import { TensorNetwork } from "../search/network/network.js";
import { environmentSize, forEachSampleEnvironment } from "../search/network/sample-environments.js";
import type { NetworkStructure } from "../search/network/structure.js";
import { groupBySlice, SliceSystems, underdeterminedLine, type SweepSolver, type TrainingSamples } from "./sweep-solver.js";

/**
 * The order of core updates in one sweep: on a tree, the Euler tour from its lowest-id leaf
 * (neighbours in increasing id order) without the final return to that leaf; otherwise the
 * vertices up and back down.
 */
export function sweepSequence(structure: NetworkStructure): number[] {
  const V = structure.numVertices;
  if (V === 1) return [0];
  if (!structure.isTree()) return [...Array.from({ length: V }, (_, v) => v), ...Array.from({ length: V - 2 }, (_, i) => V - 2 - i)];
  const root = Array.from({ length: V }, (_, v) => v).find((v) => structure.degree(v) <= 1)!;
  const tour: number[] = [];
  const walk = (v: number, parent: number): void => {
    tour.push(v);
    for (const u of structure.neighbors(v)) {
      if (u === parent) continue;
      walk(u, v);
      tour.push(v);
    }
  };
  walk(root, -1);
  tour.pop();
  return tour;
}

/** ALS sweeps over any graph with per-sample environments; see the module notes. */
export class GraphAls implements SweepSolver {
  private readonly cores: Tensor<"f64">[];
  private readonly sequence: number[];
  private readonly tree: boolean;
  private readonly systems: SliceSystems[];

  constructor(private readonly structure: NetworkStructure, start: TensorNetwork<"f64">, private readonly samples: TrainingSamples) {
    this.cores = start.cores.map((c) => new Tensor("f64", c.shape.slice(), (c.data as Float64Array).slice()));
    this.sequence = sweepSequence(structure);
    this.tree = structure.isTree() && structure.numVertices > 1;
    this.systems = this.cores.map((_, v) => new SliceSystems(structure.openSize(v), environmentSize(structure, v)));
    if (this.tree) this.gaugeTowards(this.sequence[0]!, -1);
  }

  sweep(ridge: number): boolean {
    const seq = this.sequence;
    for (let i = 0; i < seq.length; i++) {
      if (!this.update(seq[i]!, ridge)) return false;
      if (this.tree) this.move(seq[i]!, seq[(i + 1) % seq.length]!);
    }
    return true;
  }

  network(): TensorNetwork<"f64"> {
    return new TensorNetwork(this.structure, this.cores.map((c) => new Tensor("f64", c.shape.slice(), (c.data as Float64Array).slice())));
  }

  underdetermined(): string[] {
    const s = this.structure, lines: string[] = [];
    for (let v = 0; v < s.numVertices; v++) {
      const what = s.hasOpenLeg(v) ? `core ${v} (mode ${s.perm[v]})` : `core ${v} (inner)`;
      const line = underdeterminedLine(what, groupBySlice(this.samples, s.numModes, s.perm[v]!, s.openSize(v)).starts, environmentSize(s, v));
      if (line !== undefined) lines.push(line);
    }
    return lines;
  }

  // Core v from its normal equations. The kernel hands out environments a chunk of samples at
  // a time in sample order; each chunk's rows are regrouped by slice for the block products.
  private update(v: number, ridge: number): boolean {
    const s = this.structure, N = s.numModes, mode = s.perm[v]!, n = s.openSize(v), sys = this.systems[v]!, R = sys.R;
    const { idx, values, m } = this.samples;
    sys.clear();
    const net = new TensorNetwork(s, this.cores);
    const counts = new Int32Array(n + 1);
    let E = new Float64Array(0), y = new Float64Array(0), slot = new Int32Array(0);
    forEachSampleEnvironment(net, v, idx, m, (s0, count, env) => {
      if (E.length < count * R) {
        E = new Float64Array(count * R);
        y = new Float64Array(count);
        slot = new Int32Array(count);
      }
      counts.fill(0);
      for (let t = 0; t < count; t++) counts[(mode >= 0 ? idx[(s0 + t) * N + mode]! : 0) + 1]++;
      for (let j = 0; j < n; j++) counts[j + 1] += counts[j]!;
      for (let t = 0; t < count; t++) slot[t] = counts[mode >= 0 ? idx[(s0 + t) * N + mode]! : 0]!++;
      for (let t = 0; t < count; t++) {
        E.set(env.subarray(t * R, (t + 1) * R), slot[t]! * R);
        y[slot[t]!] = values[s0 + t]!;
      }
      // counts[j] now ends slice j's rows, and counts[j − 1] (0 for j = 0) starts them.
      for (let j = 0, from = 0; j < n; from = counts[j]!, j++) {
        sys.addBlock(j, E.subarray(from * R), y.subarray(from), counts[j]! - from);
      }
    });
    return sys.solve(ridge, this.cores[v]!.data as Float64Array);
  }

  // Orthonormalises every core of the subtree hanging from v (away from `parent`) towards v.
  private gaugeTowards(v: number, parent: number): void {
    for (const u of this.structure.neighbors(v)) {
      if (u === parent) continue;
      this.gaugeTowards(u, v);
      this.move(u, v);
    }
  }

  // Core v = Q·R over its bond to w (Q an isometry onto that bond), R moved into core w. The
  // tensor is unchanged. Skipped when core v has fewer other entries than the bond rank.
  private move(v: number, w: number): void {
    const s = this.structure;
    const core = this.cores[v]!, p = 1 + s.neighbors(v).indexOf(w), r = s.rank(v, w);
    const rest = core.data.length / r;
    if (rest < r) return;
    const axes = [...core.shape.map((_, i) => i).filter((i) => i !== p), p];
    const moved = permute(core, axes);
    const { Q, R } = qr(moved.reshape([rest, r]));
    const back = axes.map((_, i) => axes.indexOf(i));
    this.cores[v] = permute(Q!.reshape(moved.shape) as Tensor<"f64">, back);
    const target = this.cores[w]!, q = 1 + s.neighbors(w).indexOf(v);
    const labels = target.shape.map((_, i) => i);
    const out = labels.map((l) => (l === q ? -1 : l));
    this.cores[w] = contract(R, [-1, q], target, labels, out) as Tensor<"f64">;
  }
}
