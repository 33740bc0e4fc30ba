import { existsSync } from "node:fs";
import { sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ArborError } from "../../errors.js";

/**
 * The URL of a module that a worker thread can import: `relative` resolved against `from`
 * (an `import.meta.url`). Workers run plain JavaScript, so when `from` is a TypeScript source
 * (tests run `src/` directly) the compiled copy under `dist/` is used instead.
 *
 * @throws {@link ArborError} `E_BUILD` if that compiled copy does not exist.
 */
export function compiledModuleUrl(from: string, relative: string): string {
  const url = new URL(relative, from);
  if (!from.endsWith(".ts")) return url.href;
  const path = fileURLToPath(url);
  const marker = `${sep}src${sep}`;
  const at = path.lastIndexOf(marker);
  if (at < 0) throw new ArborError("E_BUILD", `cannot locate the compiled copy of ${path} (not under a src/ folder)`);
  const compiled = `${path.slice(0, at)}${sep}dist${path.slice(at)}`;
  if (!existsSync(compiled)) {
    throw new ArborError("E_BUILD", `worker threads load the compiled library, and ${compiled} is missing: run \`npm run build\``);
  }
  return pathToFileURL(compiled).href;
}
