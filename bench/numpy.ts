/**
 * Runs a numpy benchmark script in a child Python process pinned to a thread count, so the
 * numpy side of a comparison is measured in the same run, on the same machine state.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** What a numpy script printed: its environment and one time per case, in case order. */
export interface NumpyOutput {
  /** e.g. "numpy 2.4.6, scipy-openblas 0.3.31". */
  info: string;
  times_ms: number[];
}

/** The outcome of {@link runNumpy}: timings, or why there are none. */
export type NumpyResult = { ok: true; output: NumpyOutput } | { ok: false; reason: string };

/** Exit status the numpy scripts use when `import numpy` fails. */
const NO_NUMPY_STATUS = 3;

/**
 * Finds a file that lives next to the benchmark sources. From `bench/*.ts` (tests) it is a
 * sibling; from the compiled `dist/bench/*.js` it is back in the repository's `bench/`,
 * because tsc does not copy Python files.
 */
export function benchFile(name: string): string | undefined {
  for (const rel of [`./${name}`, `../../bench/${name}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * The environment for a numpy child: BLAS pools sized to `threads` (OpenBLAS, OpenMP and MKL
 * builds each read their own variable), and OpenBLAS core-type/cache overrides removed so the
 * library tunes itself for this CPU as it would for a user.
 */
export function numpyEnv(threads: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]) env[key] = String(threads);
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/**
 * Runs `python3 <script>` (or `$ARBOR_PYTHON`) with `payload` as JSON on stdin and parses the
 * JSON it prints. The child's stderr is passed through so its own messages (and progress,
 * when the payload asks for it) reach the user.
 */
export function runNumpy(scriptName: string, payload: unknown, threads: number): NumpyResult {
  const script = benchFile(scriptName);
  if (script === undefined) return { ok: false, reason: `bench/${scriptName} was not found (it ships with the repository, not the npm package)` };
  const python = process.env.ARBOR_PYTHON || "python3";
  const child = spawnSync(python, [script], {
    input: JSON.stringify(payload),
    env: numpyEnv(threads),
    stdio: ["pipe", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.error !== undefined) {
    const code = (child.error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === "ENOENT" ? `${python} was not found on PATH` : `${python} could not be started: ${child.error.message}` };
  }
  if (child.status === NO_NUMPY_STATUS) return { ok: false, reason: `numpy is not installed for ${python}` };
  if (child.status !== 0) return { ok: false, reason: `${python} ${scriptName} failed (exit status ${child.status ?? child.signal})` };
  try {
    const out = JSON.parse(child.stdout) as NumpyOutput;
    if (!Array.isArray(out.times_ms)) throw new Error("no times_ms array");
    return { ok: true, output: out };
  } catch (e) {
    return { ok: false, reason: `${scriptName} printed no valid JSON (${(e as Error).message})` };
  }
}
