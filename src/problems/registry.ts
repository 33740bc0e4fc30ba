/**
 * Finding problems: the built-in ones are the modules in the package's `problems/` directory
 * (adding a file there adds a problem; nothing in `src/` lists them), and any other problem is a
 * module file given by its path.
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ArgumentError } from "../errors.js";
import { checkProblemDefinition, type ProblemDefinition } from "./problem.js";

// This module is src/problems/registry.ts in the sources and dist/src/problems/registry.js
// once built; the problems sit two levels up in either case, as .ts or as compiled .js.
const HERE = dirname(fileURLToPath(import.meta.url));
const BUILTIN_DIR = join(HERE, "..", "..", "problems");
const BUILTIN_EXTENSION = extname(fileURLToPath(import.meta.url)) === ".ts" ? ".ts" : ".js";

/**
 * Names of the built-in problems (their file names), sorted.
 *
 * @example
 * ```ts
 * console.assert(builtinProblemNames().includes("ising-lr"));
 * ```
 */
export function builtinProblemNames(): string[] {
  if (!existsSync(BUILTIN_DIR)) return [];
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith(BUILTIN_EXTENSION) && !f.endsWith(".d.ts") && !f.startsWith("_"))
    .map((f) => f.slice(0, -BUILTIN_EXTENSION.length))
    .sort();
}

/**
 * Whether `spec` names a file rather than a built-in problem.
 *
 * @example
 * ```ts
 * console.assert(isProblemPath("./mine.ts") && isProblemPath("mine.js") && !isProblemPath("ising-lr"));
 * ```
 */
export function isProblemPath(spec: string): boolean {
  return spec.includes("/") || spec.includes("\\") || /\.(m?[jt]s)$/.test(spec);
}

async function importDefinition(url: string, origin: string): Promise<ProblemDefinition> {
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (e) {
    const wrapped = new ArgumentError(`problem ${origin}: the module failed to load: ${(e as Error)?.message ?? String(e)}`);
    throw Object.assign(wrapped, { cause: e });
  }
  if (module.default === undefined) throw new ArgumentError(`problem ${origin}: the module has no default export (export default defineProblem({ … }))`);
  checkProblemDefinition(module.default, origin);
  return module.default;
}

/**
 * Loads a problem: a built-in by name (`ising-lr`), or a module file by path (`./my-problem.js`;
 * `.ts` files need a TypeScript loader, which the `arbor` command installs).
 *
 * @throws {@link ArgumentError} for an unknown name (the built-ins listed), a missing file, a
 * module that fails to load or whose default export is not a problem definition.
 * @example
 * ```ts
 * const ising = await loadProblem("ising-lr");
 * console.assert(ising.name === "ising-lr" && typeof ising.setup === "function");
 * ```
 */
export async function loadProblem(spec: string): Promise<ProblemDefinition> {
  if (typeof spec !== "string" || spec === "") throw new ArgumentError(`no problem given; built-in problems: ${builtinProblemNames().join(", ")}`);
  if (isProblemPath(spec)) {
    const path = resolve(spec);
    if (!existsSync(path) || !statSync(path).isFile()) throw new ArgumentError(`problem file ${spec} not found (looked at ${path})`);
    return importDefinition(pathToFileURL(path).href, spec);
  }
  const names = builtinProblemNames();
  if (!names.includes(spec)) throw new ArgumentError(`unknown problem ${JSON.stringify(spec)}; built-in problems: ${names.join(", ")} (or give a file path such as ./my-problem.ts)`);
  const def = await importDefinition(pathToFileURL(join(BUILTIN_DIR, spec + BUILTIN_EXTENSION)).href, spec);
  if (def.name !== spec) throw new ArgumentError(`problem ${spec}: the module in problems/${spec}${BUILTIN_EXTENSION} calls itself ${JSON.stringify(def.name)}`);
  return def;
}

/**
 * Loads every built-in problem (for `arbor list`).
 *
 * @example
 * ```ts
 * const all = await loadBuiltinProblems();
 * console.assert(all.every((p) => typeof p.description === "string" && p.defaults.h > 0));
 * ```
 */
export async function loadBuiltinProblems(): Promise<ProblemDefinition[]> {
  return Promise.all(builtinProblemNames().map((n) => loadProblem(n)));
}
