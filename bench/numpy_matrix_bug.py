"""numpy side of the matrix part of arbor's "integrators" benchmark (bench/integrators-matrix.ts).

Reads {"dir", "h", "theta", "maxRank", "timing", "progress", "save"?} as JSON on stdin; `dir`
holds A0.npy, A1.npy (the data A(t0), A(t1)) and U0.npy, S0.npy, V0.npy (Y0 = U0 S0 V0ᴴ).
Times one parallel-BUG step (Ceruti, Kusch & Lubich, SISC 2024) for the data problem F = Ȧ,
the same sequence arbor runs (src/integrators/matrix/steps.ts parallelBugStep with the exact
data sub-steps of rhs-data.ts, augmentBasis of basis.ts, truncateLowRank of truncate.ts), and
prints {"info", "times_ms": [best ms], "values": null}. With "save", the step is run once more,
Y1 = U1 S1 V1ᴴ is written to <save>/Y1.npy and "values" is {"rank", "eta"}.

best_of_ms is the timing rule of bench/harness.ts; thread counts come from OPENBLAS_NUM_THREADS
& co., set by the parent. Exit status 3 means numpy could not be imported.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_linalg import best_of_ms, blas_name, import_numpy  # noqa: E402  (same rule, one implementation)


def augment(np, X, Z):
    """New orthonormal directions of orth([X, Z]) (X kept verbatim): project twice, QR, SVD of R
    to drop directions below 16·eps·sqrt(m)·‖Z‖, re-project the unit directions, QR."""
    m, r = X.shape
    P = Z - X @ (X.conj().T @ Z)
    P = P - X @ (X.conj().T @ P)
    Q, R = np.linalg.qr(P)
    W, s, _ = np.linalg.svd(R)
    keep = int(np.sum(s > 16 * np.finfo(float).eps * np.sqrt(m) * np.linalg.norm(Z)))
    keep = min(keep, m - r)
    N = Q @ W[:, :keep]
    for _ in range(2):
        N = N - X @ (X.conj().T @ N)
    return np.linalg.qr(N)[0]


def parallel_bug_step(np, A0, A1, U0, S0, V0, h, theta, max_rank):
    dA = A1 - A0
    dAV = dA @ V0
    K = U0 @ S0 + dAV
    L = V0 @ S0.conj().T + dA.conj().T @ U0
    Sbar = S0 + U0.conj().T @ dAV
    Ut, Vt = augment(np, U0, K), augment(np, V0, L)
    core = np.block([[Sbar, L.conj().T @ Vt], [Ut.conj().T @ K, np.zeros((Ut.shape[1], Vt.shape[1]))]])
    eta = np.linalg.norm(Ut.conj().T @ (dA @ Vt)) / h
    P, s, Qh = np.linalg.svd(core)
    tail = np.sqrt(np.cumsum((s**2)[::-1])[::-1])  # tail[k] = ‖s[k:]‖
    rank = next((k for k in range(1, len(s)) if tail[k] <= theta), len(s))
    rank = max(1, min(rank, max_rank))
    U1 = np.hstack([U0, Ut]) @ P[:, :rank]
    V1 = np.hstack([V0, Vt]) @ Qh[:rank].conj().T
    return U1, np.diag(s[:rank]), V1, eta


def main():
    payload = json.load(sys.stdin)
    np = import_numpy("numpy_matrix_bug.py")
    d = payload["dir"]
    A0, A1, U0, S0, V0 = (np.load(os.path.join(d, f"{k}.npy")) for k in ("A0", "A1", "U0", "S0", "V0"))
    args = (A0, A1, U0, S0, V0, payload["h"], payload["theta"], payload["maxRank"])
    ms = best_of_ms(lambda: parallel_bug_step(np, *args), payload["timing"])
    if payload.get("progress"):
        print(f"  numpy  parallel-bug step n={A0.shape[0]} r={U0.shape[1]} {ms:10.2f} ms", file=sys.stderr)
    values = None
    if payload.get("save"):
        U1, S1, V1, eta = parallel_bug_step(np, *args)
        os.makedirs(payload["save"], exist_ok=True)
        np.save(os.path.join(payload["save"], "Y1.npy"), U1 @ S1 @ V1.conj().T)
        values = {"rank": int(S1.shape[0]), "eta": float(eta)}
    print(json.dumps({"info": f"numpy {np.__version__}, {blas_name(np)}", "times_ms": [ms], "values": values}))


if __name__ == "__main__":
    main()
