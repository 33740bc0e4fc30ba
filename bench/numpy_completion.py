"""numpy side of arbor's "completion" benchmark suite (bench/completion.ts).

Runs the numpy reference of arbor's ALS completion, test/fixtures/completion/als_reference.py
(its `complete`: per-slice ridge normal equations from einsum environments, QR gauge moves,
the ridge path), imported from the repository and run unchanged, on the entries and from the
start that arbor used.

Reads {"dir", "progress", "cases": [{"name", "kind", "dims", "m", "coreShapes", "sweeps",
"ridge", "ridgeStart", "ridgeDecay", "timing", "heldOut"?}]} as JSON on stdin. <dir>/<name>/
holds raw little-endian arrays: idx.bin (int32, m×d), y.bin (float64, m), start<k>.bin (core k,
shape coreShapes[k] = (left bond, mode, right bond)), and for kind "recovery" truth<k>.bin (the
planted train), for kind "scale" test_idx.bin and test_y.bin (held-out entries).

Per case: `complete` under the timing rule of bench/harness.ts (best_of_ms), with the clock read
at the end of every sweep (the reference computes its training error there, through
`entries`, which this script wraps to read the clock and copy the cores); then, untimed, the
error of each sweep's cores on all entries (recovery, `full`) or on the held-out entries
(scale). Prints {"info", "times_ms": [best ms per case], "values": [{"history", "sweep_s",
"rse_history", "rss_baseline_bytes", "rss_peak_bytes"}]}; the RSS figures are this process's
resident set before the first run and its peak (ru_maxrss), for the scale case, which runs in
a process of its own.

Exit status 3: numpy could not be imported; 4: the reference script is not there (it ships
with the repository's tests, not with the npm package).
"""

import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from numpy_linalg import blas_name, import_numpy  # noqa: E402

REFERENCE_DIR = os.path.join(HERE, "..", "test", "fixtures", "completion")


def import_reference():
    if not os.path.exists(os.path.join(REFERENCE_DIR, "als_reference.py")):
        print("numpy_completion.py: test/fixtures/completion/als_reference.py was not found (run from a repository checkout)", file=sys.stderr)
        sys.exit(4)
    sys.path.insert(0, REFERENCE_DIR)
    import als_reference  # noqa: E402

    return als_reference


def current_rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class SweepClock:
    """Wraps ref.entries: when `complete` evaluates the training error (end of a sweep), reads the clock and keeps a copy of the cores."""

    def __init__(self, ref):
        self.ref = ref
        self.original = ref.entries
        self.idx = None
        self.t0 = 0.0
        self.times = []
        self.snapshots = []
        ref.entries = self

    def start(self, idx):
        self.idx, self.times, self.snapshots = idx, [], []
        self.t0 = time.perf_counter()

    def stop(self):
        self.idx = None

    def __call__(self, cores, idx):
        out = self.original(cores, idx)
        if self.idx is not None and idx is self.idx:
            self.times.append(time.perf_counter() - self.t0)
            self.snapshots.append([c.copy() for c in cores])
        return out


def load(np, folder, case):
    d = len(case["dims"])
    m = case["m"]
    idx = np.fromfile(os.path.join(folder, "idx.bin"), dtype="<i4").reshape(m, d).astype(np.intp)
    y = np.fromfile(os.path.join(folder, "y.bin"), dtype="<f8")
    start = [np.fromfile(os.path.join(folder, f"start{k}.bin"), dtype="<f8").reshape(shape) for k, shape in enumerate(case["coreShapes"])]
    return idx, y, start


def run_case(np, ref, clock, payload, case):
    folder = os.path.join(payload["dir"], case["name"])
    dims = case["dims"]
    idx, y, start = load(np, folder, case)
    if case["kind"] == "recovery":
        truth = [np.fromfile(os.path.join(folder, f"truth{k}.bin"), dtype="<f8").reshape(shape) for k, shape in enumerate(case["coreShapes"])]
        x = ref.full(truth, dims)
        x_norm = np.linalg.norm(x)
        score = lambda cores: float(np.linalg.norm(ref.full(cores, dims) - x) / x_norm)  # noqa: E731
    else:
        h = case["heldOut"]
        test_idx = np.fromfile(os.path.join(folder, "test_idx.bin"), dtype="<i4").reshape(h, len(dims)).astype(np.intp)
        test_y = np.fromfile(os.path.join(folder, "test_y.bin"), dtype="<f8")
        test_norm = np.linalg.norm(test_y)
        score = lambda cores: float(np.linalg.norm(ref.entries(cores, test_idx) - test_y) / test_norm)  # noqa: E731
    rss_baseline = current_rss_bytes()
    timing = case["timing"]
    best, best_times, history = float("inf"), [], []

    def once():
        cores = [c.copy() for c in start]
        clock.start(idx)
        t0 = time.perf_counter()
        errs, _ = ref.complete(cores, idx, y, case["sweeps"], case["ridge"], case["ridgeStart"], case["ridgeDecay"])
        ms = (time.perf_counter() - t0) * 1e3
        clock.stop()
        return ms, [float(e) for e in errs]

    for _ in range(timing["warmup"]):
        once()
    total, reps = 0.0, 0
    while reps < timing["maxReps"] and (reps < timing["minReps"] or total < timing["minTotalMs"]):
        ms, history = once()
        total += ms
        reps += 1
        if ms < best:
            best, best_times = ms, list(clock.times)
    rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    rse_history = [score(cores) for cores in clock.snapshots]
    if payload.get("progress"):
        print(f"  numpy  {case['name']}: {case['sweeps']} sweeps {best:10.1f} ms, RSE {rse_history[-1]:.2e}", file=sys.stderr)
    return best, {"history": history, "sweep_s": best_times, "rse_history": rse_history, "rss_baseline_bytes": rss_baseline, "rss_peak_bytes": rss_peak}


def main():
    payload = json.load(sys.stdin)
    np = import_numpy("numpy_completion.py")
    ref = import_reference()
    clock = SweepClock(ref)
    times, values = [], []
    for case in payload["cases"]:
        ms, v = run_case(np, ref, clock, payload, case)
        times.append(ms)
        values.append(v)
    print(json.dumps({"info": f"numpy {np.__version__}, {blas_name(np)}", "times_ms": times, "values": values}))


if __name__ == "__main__":
    main()
