import { ArgumentError, ShapeError } from "../errors.js";

/**
 * A tree written as nested arrays: a number is a leaf (the index of a physical mode), an array
 * is an inner node whose children are its entries, e.g. `[[0, 1], [2, [3, 4]]]`.
 */
export type TreeSpec = number | readonly TreeSpec[];

/**
 * A rooted tree over d physical modes: leaves carry the modes 0…d−1, inner nodes have two or
 * more ordered children. Nodes are numbered in pre-order (the root is 0), so a parent always
 * comes before its children. The edge above a node is identified by that node's id.
 *
 * Only topology lives here; mode sizes and ranks belong to a network on the tree.
 *
 * @example
 * ```ts
 * const t = Tree.fromSpec([[0, 1], [2, [3, 4]]]);
 * console.assert(t.numModes === 5 && t.numNodes === 9);
 * const v = t.leaf(3);
 * console.assert(t.subtreeModes(t.parent(v)).join() === "3,4");
 * ```
 */
export class Tree {
  /** Number of physical modes d (= leaves). */
  readonly numModes: number;
  /** Number of nodes (leaves and inner nodes). */
  readonly numNodes: number;
  /** The root's id (always 0). */
  readonly root = 0;
  private readonly parents: Int32Array;
  private readonly childLists: readonly (readonly number[])[];
  private readonly modes: Int32Array;
  private readonly leafNodes: Int32Array;
  private readonly depths: Int32Array;
  private readonly subtrees: readonly (readonly number[])[];
  private readonly slots: Int32Array;
  private readonly pre: readonly number[];
  private readonly post: readonly number[];

  private constructor(parents: number[], children: number[][], modes: number[]) {
    const n = parents.length;
    this.numNodes = n;
    this.parents = Int32Array.from(parents);
    this.childLists = children.map((c) => Object.freeze(c.slice()));
    this.modes = Int32Array.from(modes);
    this.numModes = modes.filter((m) => m >= 0).length;
    this.leafNodes = new Int32Array(this.numModes);
    modes.forEach((m, v) => {
      if (m >= 0) this.leafNodes[m] = v;
    });
    this.depths = new Int32Array(n);
    this.slots = new Int32Array(n);
    for (let v = 1; v < n; v++) {
      this.depths[v] = this.depths[parents[v]!]! + 1;
      this.slots[v] = children[parents[v]!]!.indexOf(v) + 1;
    }
    // Pre-order ids mean reverse id order visits children before parents.
    this.pre = Object.freeze(Array.from({ length: n }, (_, v) => v));
    const post: number[] = [];
    const visit = (v: number): void => {
      for (const c of children[v]!) visit(c);
      post.push(v);
    };
    visit(0);
    this.post = Object.freeze(post);
    const subtrees: number[][] = new Array(n);
    for (const v of post) subtrees[v] = modes[v]! >= 0 ? [modes[v]!] : children[v]!.flatMap((c) => subtrees[c]!);
    this.subtrees = subtrees.map((s) => Object.freeze(s));
  }

  /**
   * A tree from a nested-array spec.
   * @throws {@link ShapeError} unless every mode 0…d−1 appears exactly once, no node is empty,
   * every inner node has at least two children and d ≥ 2.
   */
  static fromSpec(spec: TreeSpec): Tree {
    if (!Array.isArray(spec)) {
      throw new ShapeError(`tree spec must be an array of children (a tree needs at least two modes), got ${JSON.stringify(spec)}`);
    }
    const parents: number[] = [];
    const children: number[][] = [];
    const modes: number[] = [];
    const seen = new Map<number, string>();
    const build = (s: TreeSpec, parent: number, path: string): number => {
      const v = parents.length;
      parents.push(parent);
      children.push([]);
      if (typeof s === "number") {
        if (!Number.isInteger(s) || s < 0) throw new ShapeError(`tree spec: leaf at ${path} is ${s}, not a mode index (a non-negative integer)`);
        if (seen.has(s)) throw new ShapeError(`tree spec: mode ${s} appears twice (at ${seen.get(s)} and ${path})`);
        seen.set(s, path);
        modes.push(s);
        return v;
      }
      if (!Array.isArray(s)) throw new ShapeError(`tree spec: entry at ${path} is ${JSON.stringify(s)}, neither a mode index nor an array`);
      if (s.length === 0) throw new ShapeError(`tree spec: empty node at ${path}`);
      if (s.length === 1) throw new ShapeError(`tree spec: node at ${path} has a single child; inner nodes need at least two`);
      modes.push(-1);
      s.forEach((c, i) => children[v]!.push(build(c, v, `${path}[${i}]`)));
      return v;
    };
    build(spec, -1, "root");
    const d = seen.size;
    for (let m = 0; m < d; m++) {
      if (!seen.has(m)) throw new ShapeError(`tree spec: modes must be 0…${d - 1} each exactly once; mode ${m} is missing`);
    }
    return new Tree(parents, children, modes);
  }

  /**
   * Tensor train as a caterpillar: `[0, [1, [2, …, [d−2, d−1]]]]`, every inner node a
   * physical leaf plus the rest of the chain.
   */
  static tensorTrain(d: number): Tree {
    checkModes(d);
    let spec: TreeSpec = [d - 2, d - 1];
    for (let m = d - 3; m >= 0; m--) spec = [m, spec];
    return Tree.fromSpec(spec);
  }

  /** Tucker: a star, one root over all d leaves. */
  static tucker(d: number): Tree {
    checkModes(d);
    return Tree.fromSpec(Array.from({ length: d }, (_, m) => m));
  }

  /** Balanced binary tree over modes 0…d−1: each node splits its modes in halves (the larger half left). */
  static balancedBinary(d: number): Tree {
    checkModes(d);
    const build = (lo: number, hi: number): TreeSpec => {
      if (hi - lo === 1) return lo;
      const mid = lo + Math.ceil((hi - lo) / 2);
      return [build(lo, mid), build(mid, hi)];
    };
    return Tree.fromSpec(build(0, d));
  }

  /** The nested-array spec of this tree. */
  toSpec(): TreeSpec {
    const build = (v: number): TreeSpec => (this.isLeaf(v) ? this.modes[v]! : this.childLists[v]!.map(build));
    return build(0);
  }

  /** Whether node `v` is a leaf. */
  isLeaf(v: number): boolean {
    return this.modes[this.check(v)]! >= 0;
  }

  /** The mode of leaf `v` (throws for inner nodes). */
  mode(v: number): number {
    const m = this.modes[this.check(v)]!;
    if (m < 0) throw new ArgumentError(`node ${v} is an inner node, not a leaf`);
    return m;
  }

  /** The leaf node carrying mode `m`. */
  leaf(m: number): number {
    if (!Number.isInteger(m) || m < 0 || m >= this.numModes) throw new ArgumentError(`mode ${m} is out of range 0…${this.numModes - 1}`);
    return this.leafNodes[m]!;
  }

  /** Parent of `v` (−1 for the root). */
  parent(v: number): number {
    return this.parents[this.check(v)]!;
  }

  /** Ordered children of `v` (empty for leaves). */
  children(v: number): readonly number[] {
    return this.childLists[this.check(v)]!;
  }

  /**
   * Axis of the parent's connecting tensor that the edge above `v` occupies: 1 + the position of
   * `v` among its parent's children (axis 0 is the parent's own upward edge).
   */
  slot(v: number): number {
    if (this.check(v) === 0) throw new ArgumentError("the root has no parent slot");
    return this.slots[v]!;
  }

  /** The modes under `v`, in left-to-right tree order. */
  subtreeModes(v: number): readonly number[] {
    return this.subtrees[this.check(v)]!;
  }

  /** Depth of `v` (the root has depth 0). */
  depth(v: number): number {
    return this.depths[this.check(v)]!;
  }

  /** Largest depth of any node. */
  get height(): number {
    return Math.max(...this.depths);
  }

  /** Node ids, parents before children (pre-order). */
  preorder(): readonly number[] {
    return this.pre;
  }

  /** Node ids, children before parents (post-order). */
  postorder(): readonly number[] {
    return this.post;
  }

  /** Inner node ids in post-order. */
  innerNodes(): number[] {
    return this.post.filter((v) => !this.isLeaf(v));
  }

  /** All edges, each named by its lower node (every node but the root), in pre-order. */
  edges(): number[] {
    return this.pre.slice(1);
  }

  /**
   * The edge joining adjacent nodes `u` and `v`, named by the lower node.
   * @throws {@link ArgumentError} if they are not adjacent.
   */
  edgeBetween(u: number, v: number): number {
    if (this.parent(v) === u) return v;
    if (this.parent(u) === v) return u;
    throw new ArgumentError(`nodes ${u} and ${v} are not adjacent`);
  }

  /** The nodes from `u` to `v` along the tree, both included. */
  path(u: number, v: number): number[] {
    const up = (x: number): number[] => {
      const p: number[] = [];
      for (let y = this.check(x); y >= 0; y = this.parents[y]!) p.push(y);
      return p;
    };
    const a = up(u), b = up(v);
    const inB = new Set(b);
    const meet = a.find((x) => inB.has(x))!;
    return [...a.slice(0, a.indexOf(meet) + 1), ...b.slice(0, b.indexOf(meet)).reverse()];
  }

  /** Whether two trees have the same shape and mode placement. */
  equals(other: Tree): boolean {
    return this === other || JSON.stringify(this.toSpec()) === JSON.stringify(other.toSpec());
  }

  /** The spec as text, e.g. `[[0,1],[2,3]]`. */
  toString(): string {
    return JSON.stringify(this.toSpec());
  }

  private check(v: number): number {
    if (!Number.isInteger(v) || v < 0 || v >= this.numNodes) throw new ArgumentError(`node ${v} is not in this tree (ids 0…${this.numNodes - 1})`);
    return v;
  }
}

function checkModes(d: number): void {
  if (!Number.isInteger(d) || d < 2) throw new ArgumentError(`a tree needs an integer number of modes ≥ 2, got ${d}`);
}
