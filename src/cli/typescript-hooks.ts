/**
 * Module hooks (run by Node in its loader thread, see {@link enableProblemFiles}) that let
 * `arbor run ./my-problem.ts` load a TypeScript problem written outside the package:
 * - `.ts`/`.mts` files are compiled to JavaScript by esbuild (types are stripped, not checked);
 * - a relative `./x.js` import that does not exist falls back to `./x.ts` (TypeScript's habit);
 * - a bare `arbor` import that cannot be resolved from the file's directory (the file is not in
 *   a project that depends on arbor) resolves to the arbor running the command.
 * @module
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";

interface HookData {
  arborUrl: string;
}

type Resolve = (specifier: string, context: { parentURL?: string }) => Promise<{ url: string; format?: string | null; shortCircuit?: boolean }>;
type Load = (url: string, context: { format?: string | null }) => Promise<{ format: string; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }>;

let arborUrl = "";

/** Receives the URL of arbor's entry module. */
export function initialize(data: HookData): void {
  arborUrl = data.arborUrl;
}

/** Resolves `arbor` and TypeScript-style `.js` imports of `.ts` files. */
export const resolve = async (specifier: string, context: { parentURL?: string }, next: Resolve): ReturnType<Resolve> => {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (specifier === "arbor") return { url: arborUrl, shortCircuit: true };
    if ((specifier.startsWith("./") || specifier.startsWith("../")) && specifier.endsWith(".js")) {
      return next(specifier.slice(0, -3) + ".ts", context);
    }
    throw e;
  }
};

/** Compiles TypeScript modules. */
export const load = async (url: string, context: { format?: string | null }, next: Load): ReturnType<Load> => {
  if (url.startsWith("file:") && /\.m?ts$/.test(url)) {
    const path = fileURLToPath(url);
    const source = await readFile(path, "utf8");
    const { code } = await transform(source, { loader: "ts", format: "esm", sourcefile: path, sourcemap: "inline", target: "node20" });
    return { format: "module", source: code, shortCircuit: true };
  }
  return next(url, context);
};
