// Named structures of every kind the network layer builds, small enough for the naive oracle.
import { Tree } from "../../../src/tn/tree.js";
import { NetworkStructure } from "../../../src/search/network/structure.js";

export const named: Array<[string, () => NetworkStructure]> = [
  ["tensor train", () => NetworkStructure.tensorTrain([2, 3, 2, 3], [2, 3, 2])],
  ["tensor train, permuted", () => NetworkStructure.tensorTrain([2, 3, 2, 3], [2, 3, 2], [3, 1, 0, 2])],
  ["tensor ring", () => NetworkStructure.tensorRing([3, 2, 2, 3], [2, 3, 2, 2], [1, 3, 0, 2])],
  ["fully connected", () => NetworkStructure.fullyConnected([2, 3, 2, 2], 2, [2, 0, 3, 1])],
  ["2×3 grid", () => NetworkStructure.grid(2, 3, [2, 2, 2, 2, 2, 2], 2, [5, 4, 3, 2, 1, 0])],
  ["tree with inner vertices", () => NetworkStructure.fromTree(Tree.fromSpec([[0, 2], [1, [3, 4]]]), [2, 3, 2, 2, 3], [1, 2, 2, 2, 3, 2, 2, 2, 2])],
  ["rank one everywhere", () => NetworkStructure.fullyConnected([3, 2, 2], 1)],
  ["disconnected pieces", () => new NetworkStructure([2, 3, 2, 2], [[1, 3, 1, 1], [3, 1, 1, 1], [1, 1, 1, 2], [1, 1, 2, 1]], [0, 2, 1, 3])],
  ["single vertex", () => new NetworkStructure([5], [[1]])],
];

