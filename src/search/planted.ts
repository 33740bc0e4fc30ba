/**
 * Planted targets for structure search: tensors generated from a known network (random
 * Gaussian cores, contracted, normalised to unit Frobenius norm), optionally with the modes
 * shuffled by a hidden permutation and with added noise. Everything is drawn from one seeded
 * generator, so a (structure, seed, options) triple names a tensor anyone can regenerate.
 *
 * The named targets are the four 7×7×7×7×7 tensors of the greedy paper's decomposition
 * experiment (Hashemizadeh, Liu, Miller & Rabusseau, "Adaptive learning of tensor network
 * structures", arXiv 2008.05437, §5.1 and `run_decomposition.py`/`random_tensors.py` of
 * merajhashemi/GreedyTN): Tucker, tensor train, tensor ring and a triangle with two tails.
 * @module
 */
import { ArgumentError, ShapeError } from "../errors.js";
import { scale } from "../linalg/elementwise.js";
import { norm } from "../linalg/norms.js";
import { Rng, randn, type Seed } from "../linalg/random.js";
import { Tensor } from "../linalg/tensor.js";
import { contractNetwork } from "./network/contract.js";
import { TensorNetwork } from "./network/network.js";
import { NetworkStructure } from "./network/structure.js";

/** Options of {@link plantedNetwork}. */
export interface PlantedOptions {
  /**
   * A hidden relabelling of the modes: `permutation[k]` is the axis of the returned tensor
   * that carries mode k of the given structure, or `"random"` for a uniformly random one
   * (drawn from the seed's generator after the cores, so the cores are those of the
   * unpermuted target). Default: the identity (no hiding).
   */
  permutation?: readonly number[] | "random";
  /**
   * Relative Gaussian noise: the tensor X/‖X‖ + noise·G/‖G‖ (G i.i.d. standard normals, drawn
   * after the cores and the permutation), normalised again. Default 0.
   */
  noise?: number;
}

/** A planted target and what generated it. */
export interface PlantedTarget {
  /** The target, of unit Frobenius norm; axis m is mode m of `structure`. */
  tensor: Tensor<"f64">;
  /**
   * The planted structure in the target's mode labels: the given structure with its modes
   * relabelled by the permutation (dims and `perm` moved accordingly). A network of this
   * structure fits the noiseless target exactly.
   */
  structure: NetworkStructure;
  /**
   * The generating network on `structure`, its cores scaled so that it contracts to `tensor`
   * (to rounding) when there is no noise.
   */
  network: TensorNetwork<"f64">;
  /** The mode relabelling used: permutation[k] = the target axis carrying the given structure's mode k. */
  permutation: number[];
  /** Parameters of the planted structure (entries of all cores). */
  parameters: number;
  /** Relative noise level added (0 for none). */
  noise: number;
  /** The seed the target was generated from. */
  seed: Seed;
}

/** Names of {@link plantedTarget}'s targets. */
export type PlantedTargetName = "tucker" | "tensor-train" | "tensor-ring" | "triangle";

/**
 * The named planted targets of {@link plantedTarget}, with the rank settings of the greedy paper.
 *
 * @example
 * ```ts
 * console.assert(PLANTED_TARGETS.length === 4 && PLANTED_TARGETS.every((n) => plantedStructure(n).numModes === 5));
 * ```
 */
export const PLANTED_TARGETS: readonly PlantedTargetName[] = Object.freeze(["tucker", "tensor-train", "tensor-ring", "triangle"]);

function rankMatrix(V: number, edges: readonly (readonly [number, number, number])[]): number[][] {
  const R = Array.from({ length: V }, () => new Array<number>(V).fill(1));
  for (const [u, v, r] of edges) R[u]![v] = R[v]![u] = r;
  return R;
}

/**
 * The planted structure of a named target (before any permutation): all over 7×7×7×7×7.
 *
 * - `"tucker"`: a star, modes 0…4 on vertices 0…4 joined to an inner core (vertex 5, no open
 *   leg) by bonds of ranks 2, 3, 4, 3, 2: 144 + 7·14 = 242 parameters.
 * - `"tensor-train"`: the chain 0–1–2–3–4 with ranks 2, 3, 6, 5: 427 parameters.
 * - `"tensor-ring"`: the ring 0–1–2–3–4–0 with ranks 2, 3, 4, 5, 5 (the last closing 4–0):
 *   511 parameters.
 * - `"triangle"`: the triangle 1–2–4 with tails 0 and 3: bonds 0–1:5, 1–2:2, 2–3:5, 1–4:2,
 *   2–4:2 (the GreedyTN `generate_tensor_tri` ranks, see docs/search-experiments.md): 378
 *   parameters.
 *
 * @throws {@link ArgumentError} for an unknown name.
 * @example
 * ```ts
 * const s = plantedStructure("tucker");
 * console.assert(s.numVertices === 6 && s.perm[5] === -1 && s.numParameters() === 242);
 * console.assert(plantedStructure("tensor-ring").numParameters() === 511);
 * ```
 */
export function plantedStructure(name: PlantedTargetName): NetworkStructure {
  const dims = [7, 7, 7, 7, 7];
  switch (name) {
    case "tucker":
      return new NetworkStructure(dims, rankMatrix(6, [[0, 5, 2], [1, 5, 3], [2, 5, 4], [3, 5, 3], [4, 5, 2]]), [0, 1, 2, 3, 4, -1]);
    case "tensor-train":
      return NetworkStructure.tensorTrain(dims, [2, 3, 6, 5]);
    case "tensor-ring":
      return NetworkStructure.tensorRing(dims, [2, 3, 4, 5, 5]);
    case "triangle":
      return new NetworkStructure(dims, rankMatrix(5, [[0, 1, 5], [1, 2, 2], [2, 3, 5], [1, 4, 2], [2, 4, 2]]));
    default:
      throw new ArgumentError(`plantedStructure: unknown target ${JSON.stringify(name)}; expected one of ${PLANTED_TARGETS.join(", ")}`);
  }
}

// The generator of a planted target: the seed XOR a fixed salt, so that the planted cores are
// never the random start that fitNetwork/TensorNetwork.random draw for the same structure and
// seed (a fit would start at the answer).
const SALT = 0xa3b1c2d3e4f50617n;
function plantedRng(seed: Seed): Rng {
  new Rng(seed); // the generator's own checks (and error) for a bad seed
  return new Rng(BigInt(seed) ^ SALT);
}

function checkPermutation(p: readonly number[], N: number): number[] {
  if (!Array.isArray(p) || p.length !== N) throw new ArgumentError(`plantedNetwork: permutation must list the target axis of each of the ${N} modes`);
  const seen = new Set<number>();
  for (const a of p) {
    if (!Number.isInteger(a) || a < 0 || a >= N || seen.has(a)) throw new ArgumentError(`plantedNetwork: permutation [${p.join(", ")}] is not a permutation of 0…${N - 1}`);
    seen.add(a);
  }
  return p.slice();
}

/**
 * A target tensor planted from a known network: cores of `structure` with i.i.d. standard
 * normal entries (drawn vertex by vertex, each filled as {@link randn} does, from
 * `new Rng(BigInt(seed) ^ 0xa3b1c2d3e4f50617n)`: salted, so that they never coincide with the
 * random start a fit draws from the same seed), contracted to the full tensor and normalised to unit Frobenius norm. With
 * `permutation` the modes are relabelled (mode k of `structure` becomes axis permutation[k] of
 * the target), which hides the structure from methods that depend on the mode order (tensor
 * trains, rings with a fixed order); the returned `structure` is the planted one in the
 * target's labels. With `noise`, relative Gaussian noise is added. Deterministic: the same
 * arguments give the same tensor on every machine.
 *
 * Meant for targets that fit in memory (the full tensor is formed).
 *
 * @throws {@link ArgumentError} for a bad permutation or noise level; {@link ShapeError} if the
 * planted network contracts to zero.
 * @example
 * ```ts
 * // A tensor ring over 4 modes with a hidden random mode order.
 * const ring = NetworkStructure.tensorRing([3, 4, 5, 6], [2, 3, 2, 3]);
 * const t = plantedNetwork(ring, 5, { permutation: "random" });
 * console.assert(Math.abs(norm(t.tensor) - 1) < 1e-12);
 * // Axis permutation[k] of the target has the size of the ring's mode k.
 * t.permutation.forEach((a, k) => console.assert(t.tensor.shape[a] === ring.dims[k]));
 * // The returned structure is the ring in the target's labels: a fit of it is exact.
 * const fit = fitNetwork(t.structure, t.tensor, { targetRse: 1e-8, maxSweeps: 300, seed: 2 });
 * console.assert(t.parameters === ring.numParameters() && fit.rse < 1e-6);
 * ```
 */
export function plantedNetwork(structure: NetworkStructure, seed: Seed, options: PlantedOptions = {}): PlantedTarget {
  const N = structure.numModes;
  const noise = options.noise ?? 0;
  if (typeof noise !== "number" || !Number.isFinite(noise) || noise < 0) throw new ArgumentError(`plantedNetwork: noise must be a finite number ≥ 0, got ${String(options.noise)}`);
  const given = options.permutation;
  if (given !== undefined && given !== "random") checkPermutation(given, N);
  const rng = plantedRng(seed);
  // Cores first (their shapes do not depend on the relabelling), so a permuted target is the
  // unpermuted one with its axes moved.
  const cores = Array.from({ length: structure.numVertices }, (_, v) => randn(structure.coreShape(v), rng));
  let permutation: number[];
  if (given === "random") {
    permutation = Array.from({ length: N }, (_, k) => k);
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(rng.nextFloat64() * (i + 1));
      [permutation[i], permutation[j]] = [permutation[j]!, permutation[i]!];
    }
  } else permutation = given === undefined ? Array.from({ length: N }, (_, k) => k) : given.slice();
  const dims = new Array<number>(N);
  structure.dims.forEach((n, k) => (dims[permutation[k]!] = n));
  const perm = structure.perm.map((m) => (m >= 0 ? permutation[m]! : -1));
  const planted = new NetworkStructure(dims, structure.ranks(), perm);
  const raw = new TensorNetwork(planted, cores);
  const full = contractNetwork(raw) as Tensor<"f64">;
  const x = norm(full);
  if (!(x > 0) || !Number.isFinite(x)) throw new ShapeError(`plantedNetwork: the planted network contracts to a tensor of norm ${x}`);
  // Scale every core by x^(−1/V): the network then contracts to full/x.
  const c = Math.pow(x, -1 / structure.numVertices);
  const network = new TensorNetwork(planted, cores.map((t) => scale(t, c) as Tensor<"f64">));
  let tensor = scale(full, 1 / x) as Tensor<"f64">;
  if (noise > 0) {
    const g = randn(tensor.shape, rng);
    const gn = norm(g);
    const data = tensor.data.slice();
    for (let i = 0; i < data.length; i++) data[i] = data[i]! + (noise / gn) * g.data[i]!;
    tensor = new Tensor("f64", tensor.shape, data);
    tensor = scale(tensor, 1 / norm(tensor)) as Tensor<"f64">;
  }
  return { tensor, structure: planted, network, permutation, parameters: planted.numParameters(), noise, seed };
}

/**
 * One of the greedy paper's four 7×7×7×7×7 targets ({@link plantedStructure}: `"tucker"`,
 * `"tensor-train"`, `"tensor-ring"`, `"triangle"`), planted by {@link plantedNetwork} from
 * `seed` (default 0), of unit norm.
 *
 * @throws {@link ArgumentError} for an unknown name or bad options.
 * @example
 * ```ts
 * const t = plantedTarget("tensor-train", 0);
 * console.assert(t.tensor.shape.join() === "7,7,7,7,7" && t.parameters === 427);
 * console.assert(plantedTarget("tensor-train", 0).tensor.data[5] === t.tensor.data[5]);
 * ```
 */
export function plantedTarget(name: PlantedTargetName, seed: Seed = 0, options: PlantedOptions = {}): PlantedTarget {
  return plantedNetwork(plantedStructure(name), seed, options);
}
