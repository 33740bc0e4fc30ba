"""numpy side of arbor's "search" benchmark suite (bench/search.ts): one ALS fit of a tensor ring.

Reads {"dir", "timing", "progress", "cases": [{"name", "dims", "perm", "sweeps"}]} as JSON on
stdin. For each case, <dir>/<name>/ holds X.npy (the target) and core<v>.npy (the starting core
of ring vertex v, in arbor's layout: the open leg first, then the bonds in increasing order of
the neighbouring vertex). Ring vertex v carries mode perm[v] and is joined to v ± 1 (mod N).

The fit is the ALS of arbor's fitNetwork (src/search/fit/als.ts), sweep by sweep the same work:
the relative error ‖X − Y‖/‖X‖ of the start, then `sweeps` sweeps, each updating the cores
0…N−1 in turn (core v: its environment B, the other cores contracted, as bonds × rest;
G = X_(v)·Bᵀ·(B·Bᵀ + δI)⁻¹ with δ = 1e-12 · trace(B·Bᵀ)/bonds, solved by LU) and then the
error of the whole ring. The bonds of B are ordered (left, right) here and by neighbour id in
arbor; that relabels the unknowns, not the solution. Prints {"info", "times_ms": [best ms per
case], "values": [{"rse", "history"}]}: the error after the last sweep and after each sweep,
from one more (untimed) fit, for the same-work check against arbor's.

best_of_ms is the timing rule of bench/harness.ts; thread counts come from OPENBLAS_NUM_THREADS
& co., set by the parent. Exit status 3 means numpy could not be imported.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_linalg import best_of_ms, blas_name, import_numpy  # noqa: E402  (same rule, one implementation)


def ring_core(np, core, v, n_vertices):
    """Core v of arbor's layout (open leg, bonds by neighbour id) as (left bond, mode, right bond)."""
    left, right = (v - 1) % n_vertices, (v + 1) % n_vertices
    neighbours = sorted({left, right})
    return np.ascontiguousarray(np.transpose(core, (1 + neighbours.index(left), 0, 1 + neighbours.index(right))))


def chain(np, cores):
    """The cores (a, n, b)·(b, n', c)·… multiplied along the ring: shape (a, ∏n, last bond)."""
    m = cores[0]
    for c in cores[1:]:
        a, k, b = m.shape
        m = (m.reshape(a * k, b) @ c.reshape(b, -1)).reshape(a, k * c.shape[1], c.shape[2])
    return m


def ring_error(np, cores, X, perm, x_norm):
    """‖X − ring‖/‖X‖: the full ring (axes in vertex order, i.e. modes perm[0], perm[1], …) put in mode order."""
    m = chain(np, cores)
    full = np.trace(m, axis1=0, axis2=2).reshape([X.shape[p] for p in perm])
    return float(np.linalg.norm(np.transpose(full, np.argsort(perm)) - X) / x_norm)


def update_core(np, cores, X, perm, v):
    """The least-squares update of core v through its environment."""
    N = len(cores)
    env = chain(np, [cores[(v + k) % N] for k in range(1, N)])  # (right bond of v, rest, left bond of v)
    b, rest, a = env.shape
    B = np.transpose(env, (2, 0, 1)).reshape(a * b, rest)  # bonds (left, right) × the other modes in ring order
    axes = [perm[(v + k) % N] for k in range(N)]
    Xv = np.transpose(X, axes).reshape(X.shape[perm[v]], rest)
    gram = B @ B.T
    bonds = a * b
    ridge = 1e-12 * (np.trace(gram) / bonds or 1.0)
    gram[np.diag_indices(bonds)] += ridge
    Gt = np.linalg.solve(gram, B @ Xv.T)  # bonds × n
    return np.ascontiguousarray(Gt.reshape(a, b, -1).transpose(0, 2, 1))


def fit(np, start, X, perm, sweeps):
    """`sweeps` ALS sweeps from `start`; the relative error after each."""
    x_norm = np.linalg.norm(X)
    cores = list(start)
    ring_error(np, cores, X, perm, x_norm)  # the start's error, as arbor computes it
    history = []
    for _ in range(sweeps):
        for v in range(len(cores)):
            cores[v] = update_core(np, cores, X, perm, v)
        history.append(ring_error(np, cores, X, perm, x_norm))
    return history


def load_case(np, d, case):
    folder = os.path.join(d, case["name"])
    X = np.load(os.path.join(folder, "X.npy"))
    N = len(case["perm"])
    start = [ring_core(np, np.load(os.path.join(folder, f"core{v}.npy")), v, N) for v in range(N)]
    return X, start


def main():
    payload = json.load(sys.stdin)
    np = import_numpy("numpy_search.py")
    times, values = [], []
    for case in payload["cases"]:
        X, start = load_case(np, payload["dir"], case)
        perm, sweeps = case["perm"], case["sweeps"]
        ms = best_of_ms(lambda: fit(np, start, X, perm, sweeps), payload["timing"])
        history = fit(np, start, X, perm, sweeps)
        times.append(ms)
        values.append({"rse": history[-1] if history else None, "history": history})
        if payload.get("progress"):
            print(f"  numpy  ALS fit {case['name']:<24} {sweeps:3d} sweeps {ms:10.2f} ms", file=sys.stderr)
    print(json.dumps({"info": f"numpy {np.__version__}, {blas_name(np)}", "times_ms": times, "values": values}))


if __name__ == "__main__":
    main()
