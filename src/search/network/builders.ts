// Builders of the common network graphs; NetworkStructure's static methods call these.
import { ArgumentError, ShapeError } from "../../errors.js";
import type { Tree } from "../../tn/tree.js";
import { NetworkStructure } from "./structure.js";

function onesMatrix(V: number): number[][] {
  return Array.from({ length: V }, () => new Array<number>(V).fill(1));
}

function setRank(ranks: number[][], u: number, v: number, r: number): void {
  ranks[u]![v] = r;
  ranks[v]![u] = r;
}

// One rank for every bond, or a list of exactly `count` ranks (validated by the constructor).
function bondRanks(ranks: number | readonly number[], count: number, what: string): readonly number[] {
  if (typeof ranks === "number") return new Array<number>(count).fill(ranks);
  if (!Array.isArray(ranks) || ranks.length !== count) {
    throw new ShapeError(`${what} needs ${count} bond ranks, got ${Array.isArray(ranks) ? ranks.length : String(ranks)}`);
  }
  return ranks;
}

function checkRank(rank: number, what: string): void {
  // A bad rank would also be caught by the constructor; here the message names the builder.
  if (typeof rank !== "number" || !Number.isInteger(rank) || rank < 1) throw new ShapeError(`${what}: rank ${rank} must be an integer ≥ 1`);
}

export function tensorTrainStructure(dims: readonly number[], ranks: number | readonly number[], perm?: readonly number[]): NetworkStructure {
  const N = dims.length;
  const r = bondRanks(ranks, Math.max(N - 1, 0), `a tensor train over ${N} modes`);
  const matrix = onesMatrix(N);
  for (let k = 0; k + 1 < N; k++) setRank(matrix, k, k + 1, r[k]!);
  return new NetworkStructure(dims, matrix, perm);
}

export function tensorRingStructure(dims: readonly number[], ranks: number | readonly number[], perm?: readonly number[]): NetworkStructure {
  const N = dims.length;
  if (N < 3) throw new ArgumentError(`a tensor ring needs at least 3 modes (two vertices cannot share two bonds), got ${N}; use a tensor train`);
  const r = bondRanks(ranks, N, `a tensor ring over ${N} modes`);
  const matrix = onesMatrix(N);
  for (let k = 0; k < N; k++) setRank(matrix, k, (k + 1) % N, r[k]!);
  return new NetworkStructure(dims, matrix, perm);
}

export function fullyConnectedStructure(dims: readonly number[], rank: number, perm?: readonly number[]): NetworkStructure {
  checkRank(rank, "fullyConnected");
  const N = dims.length;
  const matrix = onesMatrix(N);
  for (let u = 0; u < N; u++) for (let v = u + 1; v < N; v++) setRank(matrix, u, v, rank);
  return new NetworkStructure(dims, matrix, perm);
}

export function gridStructure(rows: number, cols: number, dims: readonly number[], rank: number, perm?: readonly number[]): NetworkStructure {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new ShapeError(`grid: rows and cols must be positive integers, got ${rows}×${cols}`);
  }
  if (dims.length !== rows * cols) throw new ShapeError(`grid: a ${rows}×${cols} grid has ${rows * cols} vertices but ${dims.length} mode sizes were given`);
  checkRank(rank, "grid");
  const matrix = onesMatrix(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const v = i * cols + j;
      if (j + 1 < cols) setRank(matrix, v, v + 1, rank);
      if (i + 1 < rows) setRank(matrix, v, v + cols, rank);
    }
  return new NetworkStructure(dims, matrix, perm);
}

export function fromTreeStructure(tree: Tree, dims: readonly number[], ranks: number | readonly number[]): NetworkStructure {
  const V = tree.numNodes;
  if (dims.length !== tree.numModes) throw new ShapeError(`fromTree: ${dims.length} mode sizes for a tree over ${tree.numModes} modes`);
  if (typeof ranks !== "number" && (!Array.isArray(ranks) || ranks.length !== V)) {
    throw new ShapeError(`fromTree: ranks must be one number or one per node (${V}), got ${Array.isArray(ranks) ? ranks.length : String(ranks)}`);
  }
  const matrix = onesMatrix(V);
  for (const v of tree.edges()) setRank(matrix, tree.parent(v), v, typeof ranks === "number" ? ranks : ranks[v]!);
  const perm = Array.from({ length: V }, (_, v) => (tree.isLeaf(v) ? tree.mode(v) : -1));
  return new NetworkStructure(dims, matrix, perm);
}
