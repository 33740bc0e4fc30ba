"""numpy side of arbor's "ttn" benchmark suite (bench/ttn.ts).

Reads {"dir", "progress", "cases": [{"kernel", "input", "op"?, "maxRank"?, "timing"}],
"save"?} as JSON on stdin. `dir` holds the networks arbor wrote: tree.json (children, parent
slot and post-order of every node) and one folder per network with <node id>.npy per node, so
both sides work on the very same tensors. Prints {"info", "times_ms", "values"} as JSON on
stdout: the best time per case, and per case a value that is null unless "save" is given (for
the test that checks this script against arbor): then each case is run once more, an
expectation's value is reported and every other case's resulting network is written to
<save>/<case index>/<node id>.npy.

Every routine follows the contraction sequence of its arbor counterpart in src/tn (named in
its docstring) so that the two sides do the same work. best_of_ms is the timing rule of
bench/harness.ts; thread counts come from OPENBLAS_NUM_THREADS & co., set by the parent.

Exit status 3 means numpy could not be imported.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_linalg import best_of_ms, blas_name, import_numpy  # noqa: E402  (same rule, one implementation)


class Tree:
    def __init__(self, spec):
        self.children = spec["children"]
        self.slot = spec["slot"]
        self.postorder = spec["postorder"]
        self.n = len(self.children)

    def parent_of(self):
        parent = [-1] * self.n
        for v, cs in enumerate(self.children):
            for c in cs:
                parent[c] = v
        return parent


def mode_product(np, t, m, axis):
    """modeProduct (src/linalg/unfold.ts): t's axis `axis` mapped through the matrix m."""
    return np.moveaxis(np.tensordot(m, t, axes=([1], [axis])), 0, axis)


def qr_along(np, t, axis):
    """qrAlong (src/tn/orthonormalize.ts): thin QR with `axis` as the column index."""
    moved = np.moveaxis(t, axis, -1)
    q, r = np.linalg.qr(moved.reshape(-1, t.shape[axis]))
    return np.moveaxis(q.reshape(*moved.shape[:-1], q.shape[1]), -1, axis), r


def orthonormalize(np, tree, tensors):
    """orthonormalize: one QR per node, leaves→root, R absorbed by the parent."""
    out = list(tensors)
    parent = tree.parent_of()
    for v in tree.postorder:
        if v == 0:
            continue
        leaf = not tree.children[v]
        out[v], r = qr_along(np, out[v], 1 if leaf else 0)
        out[parent[v]] = mode_product(np, out[parent[v]], r, tree.slot[v])
    return out


def kept_rank(np, s, max_rank):
    """truncationRank with tol = 0: drop exact zeros only, cap at max_rank, keep at least one."""
    tail = np.concatenate([np.cumsum((s * s)[::-1])[::-1], [0.0]])
    rank = len(s)
    while rank > 0 and tail[rank - 1] <= 0:
        rank -= 1
    return max(min(rank, max_rank), min(1, len(s)))


def truncate(np, tree, tensors, max_rank):
    """truncateTtn (src/tn/truncate.ts): orthonormalise, edge SVDs root→leaves through the
    environment factors L = P·diag(σ), project every edge at once, orthonormalise again."""
    z = orthonormalize(np, tree, tensors)
    P, rank, L = {}, {}, {}
    for v in range(tree.n):  # ids are pre-order: parents first
        if not tree.children[v]:
            continue
        b = z[v] if v == 0 else mode_product(np, z[v], L[v].T, 0)
        for c in tree.children[v]:
            slot = tree.slot[c]
            u, s, _ = np.linalg.svd(np.moveaxis(b, slot, 0).reshape(b.shape[slot], -1), full_matrices=False)
            P[c], rank[c], L[c] = u, kept_rank(np, s, max_rank), u * s
    if len(tree.children[0]) == 2:  # both root edges carry the same σ: keep one rank
        pair = min(rank[c] for c in tree.children[0])
        for c in tree.children[0]:
            rank[c] = pair
    out = []
    for v in range(tree.n):
        t = z[v]
        if not tree.children[v]:
            t = t @ P[v][:, : rank[v]]
        else:
            if v != 0:
                t = mode_product(np, t, P[v][:, : rank[v]].T, 0)
            for c in tree.children[v]:
                t = mode_product(np, t, P[c][:, : rank[c]].conj().T, tree.slot[c])
        out.append(t)
    return orthonormalize(np, tree, out)


def leaf_operator(np, w):
    """Ttno.leafOperator: the leaf [n², R] as [n_out, n_in, R]."""
    n = int(round(np.sqrt(w.shape[0])))
    return w.reshape(n, n, w.shape[1])


def apply_ttno(np, tree, op, y):
    """applyTtno (src/tn/operators/apply.ts): node-wise Kronecker products, bond (s, b) → s·r + b."""
    out = []
    for v in range(tree.n):
        if not tree.children[v]:
            t = np.einsum("pqs,qb->psb", leaf_operator(np, op[v]), y[v], optimize=True)
            out.append(t.reshape(t.shape[0], -1))
        else:
            k = op[v].ndim
            t = np.multiply.outer(op[v], y[v]).transpose([a for i in range(k) for a in (i, k + i)])
            out.append(t.reshape([op[v].shape[i] * y[v].shape[i] for i in range(k)]))
    return out


def contract(np, a, la, b, lb, lout):
    """contract (src/linalg/contract.ts): a pairwise contraction by labels (tensordot via einsum)."""
    return np.einsum(f"{la},{lb}->{lout}", a, b, optimize=True)


def sandwich(np, tree, op, y):
    """OperatorEnvironments.below at the root (src/tn/operators/environments.ts): ⟨Y|A|Y⟩,
    leaves→root; at a node, Y's tensor takes the first child's environment, then the operator,
    then the other children's, then X's tensor. Labels: bra a…, operator k…, ket u…."""
    bra, opl, ket = (lambda i: chr(97 + i)), (lambda i: chr(107 + i)), (lambda i: chr(117 + i))
    below = [None] * tree.n
    for v in tree.postorder:
        x = y[v].conj()
        if not tree.children[v]:
            t = contract(np, leaf_operator(np, op[v]), "pqs", y[v], "qb", "psb")
            below[v] = contract(np, x, "pa", t, "psb", "asb")
            continue
        k = len(tree.children[v])
        wl = "".join(opl(i) for i in range(k + 1))
        t, lab = y[v], "".join(ket(i) for i in range(k + 1))
        for j, c in enumerate(tree.children[v], start=1):
            with_op = j > 1
            out = "".join(ch for ch in lab if ch not in (ket(j), opl(j))) + bra(j) + ("" if with_op else opl(j))
            t, lab = contract(np, t, lab, below[c], bra(j) + opl(j) + ket(j), out), out
            if not with_op:
                out = "".join(ch for ch in lab if ch not in wl) + "".join(ch for ch in wl if ch not in lab)
                t, lab = contract(np, t, lab, op[v], wl, out), out
        below[v] = contract(np, x, "".join(bra(i) for i in range(k + 1)), t, lab, bra(0) + opl(0) + ket(0))
    return below[0].reshape(-1)[0]


def inner(np, tree, x, y):
    """innerTtn (src/tn/algebra.ts): M_v = X_vᴴ·Y_v leaves→root, each child's M by mode product."""
    M = [None] * tree.n
    for v in tree.postorder:
        if not tree.children[v]:
            M[v] = x[v].conj().T @ y[v]
            continue
        t = y[v]
        for c in tree.children[v]:
            t = mode_product(np, t, M[c], tree.slot[c])
        axes = list(range(1, t.ndim))
        M[v] = np.tensordot(x[v].conj(), t, axes=(axes, axes))
    return M[0].reshape(-1)[0]


def expectation(np, tree, op, y):
    """expectation: ⟨Y|A|Y⟩ / ⟨Y|Y⟩."""
    return sandwich(np, tree, op, y) / inner(np, tree, y, y).real


def operation(np, tree, load, case):
    kernel = case["kernel"]
    y = load(case["input"])
    if kernel == "orthonormalize":
        return lambda: orthonormalize(np, tree, y)
    if kernel == "truncate":
        return lambda: truncate(np, tree, y, case["maxRank"])
    op = load(case["op"])
    if kernel == "apply+truncate":
        return lambda: truncate(np, tree, apply_ttno(np, tree, op, y), case["maxRank"])
    if kernel == "expectation":
        return lambda: expectation(np, tree, op, y)
    raise ValueError(f"unknown kernel {kernel!r}")


def main():
    payload = json.load(sys.stdin)
    np = import_numpy("numpy_ttn.py")
    root = payload["dir"]
    with open(os.path.join(root, "tree.json")) as f:
        tree = Tree(json.load(f))

    def load(name):
        return [np.load(os.path.join(root, name, f"{v}.npy")) for v in range(tree.n)]

    times, values = [], []
    for index, case in enumerate(payload["cases"]):
        fn = operation(np, tree, load, case)
        ms = best_of_ms(fn, case["timing"])
        times.append(ms)
        result = fn() if "save" in payload else None
        values.append(float(result.real) if case["kernel"] == "expectation" and result is not None else None)
        if isinstance(result, list):
            folder = os.path.join(payload["save"], str(index))
            os.makedirs(folder, exist_ok=True)
            for v, t in enumerate(result):
                np.save(os.path.join(folder, f"{v}.npy"), np.ascontiguousarray(t))
        if payload.get("progress"):
            print(f"  numpy  {case['kernel']:<15} {case['input']:<12} {ms:10.3f} ms", file=sys.stderr)
    print(json.dumps({"info": f"numpy {np.__version__}, {blas_name(np)}", "times_ms": times, "values": values}))


if __name__ == "__main__":
    main()
