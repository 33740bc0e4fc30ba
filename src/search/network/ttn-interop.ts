// Conversions between general networks on tree graphs and tree tensor networks (Ttn).
import { ArgumentError } from "../../errors.js";
import { permute } from "../../linalg/permute.js";
import { Tensor } from "../../linalg/tensor.js";
import { Tree, type TreeSpec } from "../../tn/tree.js";
import { Ttn } from "../../tn/ttn.js";
import { TensorNetwork, type NetworkDType } from "./network.js";
import { NetworkStructure } from "./structure.js";

// Node ids are pre-order, so a node's parent has a smaller id and its children follow in
// increasing order: a Ttn tensor's axes [parent, child 1, child 2, …] are its network core's
// bonds in increasing neighbour order, and converting is a reshape that adds or drops the
// size-1 axes (inner nodes' open legs, the root's parent axis, rank-1 edges).

export function networkFromTtn<D extends NetworkDType>(ttn: Ttn<D>): TensorNetwork<D> {
  const structure = NetworkStructure.fromTree(ttn.tree, ttn.dims, ttn.ranks());
  return new TensorNetwork(structure, ttn.tensors.map((t, v) => t.reshape(structure.coreShape(v))));
}

export function networkToTtn<D extends NetworkDType>(net: TensorNetwork<D>, tree?: Tree): Ttn<D> {
  return tree === undefined ? toDerivedTree(net) : toGivenTree(net, tree);
}

function toGivenTree<D extends NetworkDType>(net: TensorNetwork<D>, tree: Tree): Ttn<D> {
  const s = net.structure;
  if (s.numVertices !== tree.numNodes) throw new ArgumentError(`toTtn: the network has ${s.numVertices} vertices but the tree ${tree.numNodes} nodes`);
  for (let v = 0; v < tree.numNodes; v++) {
    const want = tree.isLeaf(v) ? tree.mode(v) : -1;
    if (s.perm[v] !== want) {
      throw new ArgumentError(`toTtn: vertex ${v} carries ${s.perm[v]! >= 0 ? `mode ${s.perm[v]}` : "no mode"} but tree node ${v} is ${want >= 0 ? `the leaf of mode ${want}` : "an inner node"}`);
    }
  }
  for (const { u, v } of s.edges()) {
    if (tree.parent(v) !== u && tree.parent(u) !== v) throw new ArgumentError(`toTtn: the bond ${u}–${v} is not an edge of the tree ${tree}`);
  }
  const tensors = net.cores.map((core, v) => {
    if (tree.isLeaf(v)) return core.reshape([core.shape[0]!, s.rank(v, tree.parent(v))]);
    const up = v === tree.root ? 1 : s.rank(v, tree.parent(v));
    return core.reshape([up, ...tree.children(v).map((c) => s.rank(v, c))]);
  });
  return new Ttn(tree, s.dims, tensors);
}

// Reads a rooted tree off a tree-shaped graph. A vertex with an open leg and at most one bond
// is a leaf; any other vertex is an inner node, and one that also carries a mode gets a new leaf
// child with the identity as basis. Inner nodes need two children, so a vertex of degree 2
// without an open leg can only be the root.
function toDerivedTree<D extends NetworkDType>(net: TensorNetwork<D>): Ttn<D> {
  const s = net.structure;
  const V = s.numVertices;
  if (s.numModes < 2) throw new ArgumentError("toTtn: a tree tensor network needs at least 2 modes");
  if (!s.isTree()) {
    throw new ArgumentError(`toTtn: the graph is not a tree (${s.numEdges} edges on ${V} vertices, ${s.isConnected() ? "connected" : "disconnected"}); pass the Tree it lives on if it came from one`);
  }
  const identityLeaf = Array.from({ length: V }, (_, v) => s.hasOpenLeg(v) && (s.degree(v) >= 2 || V === 2 && v === 0));
  const inner = Array.from({ length: V }, (_, v) => !s.hasOpenLeg(v) || identityLeaf[v]!);
  const nodeDegree = (v: number): number => s.degree(v) + (identityLeaf[v] ? 1 : 0);
  const dangling = Array.from({ length: V }, (_, v) => v).filter((v) => inner[v] && nodeDegree(v) < 2);
  if (dangling.length > 0) throw new ArgumentError(`toTtn: vertex ${dangling[0]} has no open leg and one bond; contract it into its neighbour first`);
  const rootOnly = Array.from({ length: V }, (_, v) => v).filter((v) => inner[v] && nodeDegree(v) === 2);
  if (rootOnly.length > 1) {
    throw new ArgumentError(`toTtn: vertices ${rootOnly.join(", ")} have no open leg and two bonds; a tree node needs two children, so only one of them can be the root`);
  }
  const root = rootOnly[0] ?? inner.indexOf(true);
  // Pre-order walk in the order Tree.fromSpec numbers nodes; children: the identity leaf, then
  // neighbours in increasing order.
  const nodeOf = new Array<number>(V);
  const parentOf = new Array<number>(V);
  const leafNodeOf = new Array<number>(V).fill(-1);
  let next = 0;
  const build = (v: number, parent: number): TreeSpec => {
    nodeOf[v] = next++;
    parentOf[v] = parent;
    if (!inner[v]) return s.perm[v]!;
    const children: TreeSpec[] = [];
    if (identityLeaf[v]) {
      leafNodeOf[v] = next++;
      children.push(s.perm[v]!);
    }
    for (const u of s.neighbors(v)) if (u !== parent) children.push(build(u, v));
    return children;
  };
  const tree = Tree.fromSpec(build(root, -1));
  const tensors = new Array<Tensor<D>>(tree.numNodes);
  net.cores.forEach((core, v) => {
    const nbrs = s.neighbors(v);
    const p = parentOf[v]!;
    if (!inner[v]) {
      tensors[nodeOf[v]!] = core.reshape([core.shape[0]!, s.rank(v, p)]);
      return;
    }
    const axes = [...(p >= 0 ? [1 + nbrs.indexOf(p)] : []), ...(identityLeaf[v] ? [0] : [])];
    nbrs.forEach((u, i) => u !== p && axes.push(1 + i));
    if (!identityLeaf[v]) axes.push(0); // the size-1 open leg, dropped by the reshape
    const shape = [p >= 0 ? s.rank(v, p) : 1, ...(identityLeaf[v] ? [core.shape[0]!] : []), ...nbrs.filter((u) => u !== p).map((u) => s.rank(v, u))];
    tensors[nodeOf[v]!] = permute(core, axes).reshape(shape);
    if (identityLeaf[v]) tensors[leafNodeOf[v]!] = Tensor.eye(core.shape[0]!, core.shape[0]!, net.dtype);
  });
  return new Ttn(tree, s.dims, tensors);
}
