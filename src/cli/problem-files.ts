import { register } from "node:module";

let enabled = false;

/**
 * Installs the module hooks of `typescript-hooks.ts` once per process, so that problem files
 * given by path may be TypeScript and may import "arbor" from anywhere.
 */
export function enableProblemFiles(): void {
  if (enabled) return;
  enabled = true;
  const arborUrl = new URL("../index.js", import.meta.url).href;
  register(new URL("./typescript-hooks.js", import.meta.url), { data: { arborUrl } });
}
