"""numpy side of arbor's "linalg" benchmark suite (bench/linalg.ts).

Reads {"timing": {...}, "progress": bool, "cases": [{"kernel", "dtype", "dims"}]} as JSON on
stdin and prints {"info": str, "times_ms": [best ms per case]} as JSON on stdout. The timing
rule is the one in bench/harness.ts (bestOfMs); keep the two in step. Thread counts come from
OPENBLAS_NUM_THREADS & co., which the parent sets before this process starts, since BLAS reads
them once at load time.

Exit status 3 means numpy could not be imported.
"""

import json
import sys
import time


def import_numpy(script):
    """numpy, or exit with status 3 (the parent reports numpy missing) naming the script."""
    try:
        import numpy as np
    except ImportError as e:
        print(f"{script}: cannot import numpy ({e})", file=sys.stderr)
        sys.exit(3)
    return np


def best_of_ms(fn, timing):
    for _ in range(timing["warmup"]):
        fn()
    best = float("inf")
    total = 0.0
    reps = 0
    while reps < timing["maxReps"] and (reps < timing["minReps"] or total < timing["minTotalMs"]):
        t0 = time.perf_counter()
        fn()
        dt = (time.perf_counter() - t0) * 1e3
        total += dt
        reps += 1
        best = min(best, dt)
    return best


def blas_name(np):
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']}"
    except Exception:  # older numpy has no mode="dicts"; the name is informational only
        return "unknown BLAS"


def random_matrix(np, rng, dims, dtype):
    if dtype == "c128":
        return (rng.standard_normal(dims) + 1j * rng.standard_normal(dims)) * np.sqrt(0.5)
    return rng.standard_normal(dims)


def operation(np, rng, case):
    kernel, dtype, dims = case["kernel"], case["dtype"], case["dims"]
    a = random_matrix(np, rng, dims[0], dtype)
    if kernel == "gemm":
        b = random_matrix(np, rng, dims[1], dtype)
        return lambda: a @ b
    if kernel == "qr":
        return lambda: np.linalg.qr(a)  # mode="reduced": forms Q and R
    if kernel == "svd":
        return lambda: np.linalg.svd(a, full_matrices=False)
    if kernel == "eigh":
        h = np.ascontiguousarray((a + a.conj().T) / 2)
        return lambda: np.linalg.eigh(h)
    raise ValueError(f"unknown kernel {kernel!r}")


def main():
    payload = json.load(sys.stdin)
    np = import_numpy("numpy_linalg.py")
    rng = np.random.default_rng(20240601)
    times = []
    for case in payload["cases"]:
        ms = best_of_ms(operation(np, rng, case), payload["timing"])
        times.append(ms)
        if payload.get("progress"):
            shape = "*".join("x".join(map(str, d)) for d in case["dims"])
            print(f"  numpy  {case['kernel']:<5} {case['dtype']:<4} {shape:<16} {ms:10.3f} ms", file=sys.stderr)
    print(json.dumps({"info": f"numpy {np.__version__}, {blas_name(np)}", "times_ms": times}))


if __name__ == "__main__":
    main()
