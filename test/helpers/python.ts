import { spawnSync } from "node:child_process";

/**
 * Why the numpy side of a benchmark check cannot run here (python missing or without numpy),
 * or null when it can. CI has numpy, so there these checks always run.
 */
export function numpyUnavailable(): string | null {
  const python = process.env.ARBOR_PYTHON || "python3";
  const r = spawnSync(python, ["-c", "import numpy"], { encoding: "utf8" });
  if (r.error !== undefined) return `${python} could not be started (${r.error.message})`;
  return r.status === 0 ? null : `numpy is not importable by ${python}`;
}
