// An independent oracle for network contractions: every entry is the explicit sum, over all
// assignments of the bond indices, of the product of one scalar per core. Only the documented
// conventions are shared with the library (core axes: open leg, then neighbours in increasing
// order; vertex v carries mode perm[v] or none); not its contraction code.
import { NetworkStructure } from "../../../src/search/network/structure.js";
import type { TensorNetwork } from "../../../src/search/network/network.js";

/** The full tensor of `net` as flat row-major (re, im) pairs over the modes 0…N−1. */
export function naiveFull(net: TensorNetwork): { re: Float64Array; im: Float64Array } {
  const s = net.structure;
  const ranks = s.ranks();
  const V = ranks.length;
  const edges: [number, number, number][] = [];
  for (let u = 0; u < V; u++) for (let v = u + 1; v < V; v++) if (ranks[u]![v]! > 1) edges.push([u, v, ranks[u]![v]!]);
  const dims = s.dims;
  const total = dims.reduce((p, d) => p * d, 1);
  const re = new Float64Array(total);
  const im = new Float64Array(total);
  const complex = net.dtype === "c128";
  const bond = new Array<number>(edges.length).fill(0);
  const mode = new Array<number>(dims.length).fill(0);
  // For core v: its bond axes are its edges sorted by the other endpoint.
  const coreEdges = Array.from({ length: V }, (_, v) =>
    edges.map((e, k) => ({ k, other: e[0] === v ? e[1] : e[1] === v ? e[0] : -1 })).filter((x) => x.other >= 0).sort((a, b) => a.other - b.other).map((x) => x.k),
  );
  const shapes = net.cores.map((c) => c.shape);
  const bondCount = edges.reduce((p, e) => p * e[2], 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    for (let m = dims.length - 1; m >= 0; m--) {
      mode[m] = rest % dims[m]!;
      rest = Math.floor(rest / dims[m]!);
    }
    let sr = 0, si = 0;
    bond.fill(0);
    for (let b = 0; b < bondCount; b++) {
      let pr = 1, pi = 0;
      for (let v = 0; v < V; v++) {
        const idx = [s.perm[v]! >= 0 ? mode[s.perm[v]!]! : 0, ...coreEdges[v]!.map((k) => bond[k]!)];
        let off = 0;
        idx.forEach((i, a) => (off = off * shapes[v]![a]! + i));
        const data = net.cores[v]!.data;
        const xr = complex ? data[2 * off]! : data[off]!;
        const xi = complex ? data[2 * off + 1]! : 0;
        [pr, pi] = [pr * xr - pi * xi, pr * xi + pi * xr];
      }
      sr += pr;
      si += pi;
      for (let k = edges.length - 1; k >= 0; k--) {
        if (++bond[k]! < edges[k]![2]) break;
        bond[k] = 0;
      }
    }
    re[flat] = sr;
    im[flat] = si;
  }
  return { re, im };
}

/** Independent parameter count: Σ_v open size · Π of the ranks in row v of the rank matrix. */
export function naiveParameters(s: NetworkStructure): number {
  const ranks = s.ranks();
  return ranks.reduce((total, row, v) => total + (s.perm[v]! >= 0 ? s.dims[s.perm[v]!]! : 1) * row.reduce((p, r) => p * r, 1), 0);
}

/** A small deterministic generator (not the library's), for test structures. */
function lcgInts(seed: number): (k: number) => number {
  let x = seed >>> 0;
  return (k) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % k;
  };
}

/**
 * A random structure: N modes of sizes 1…3 on V = N + extra vertices (the extra ones without
 * open legs), each pair joined with probability 2/3 by a bond of rank 2…3, modes placed by a
 * random permutation.
 */
export function randomStructure(N: number, extra: number, seed: number): NetworkStructure {
  const next = lcgInts(seed);
  const V = N + extra;
  const ranks = Array.from({ length: V }, () => new Array<number>(V).fill(1));
  for (let u = 0; u < V; u++)
    for (let v = u + 1; v < V; v++) {
      const r = next(3) === 0 ? 1 : 2 + next(2);
      ranks[u]![v] = r;
      ranks[v]![u] = r;
    }
  const perm = Array.from({ length: V }, (_, v) => (v < N ? v : -1));
  for (let i = V - 1; i > 0; i--) {
    const j = next(i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const dims = Array.from({ length: N }, () => 1 + next(3));
  return new NetworkStructure(dims, ranks, perm);
}

/** Left to right, ((0·1)·2)·…: an order no optimiser would choose on most graphs. */
export const sequentialPath = (p: { inputs: readonly (readonly number[])[] }): [number, number][] =>
  p.inputs.slice(1).map((_, k) => [k === 0 ? 0 : p.inputs.length + k - 1, k + 1]);
