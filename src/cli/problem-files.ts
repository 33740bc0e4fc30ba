import { register } from "node:module";
import type { ProblemDefinition } from "../problems/problem.js";
import { isProblemPath, loadProblem } from "../problems/registry.js";

let enabled = false;

/**
 * Installs the module hooks of `typescript-hooks.ts` once per process, so that problem files
 * given by path may be TypeScript and may import "arbor" from anywhere.
 */
function enableProblemFiles(): void {
  if (enabled) return;
  enabled = true;
  const arborUrl = new URL("../index.js", import.meta.url).href;
  register(new URL("./typescript-hooks.js", import.meta.url), { data: { arborUrl } });
}

/** A problem named on the command line: a built-in, or a file (TypeScript allowed). */
export async function loadCliProblem(spec: string): Promise<ProblemDefinition> {
  if (isProblemPath(spec)) enableProblemFiles();
  return loadProblem(spec);
}
