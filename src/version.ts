import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * arbor's version from its package.json, found by walking up from this file: the compiled
 * file sits at dist/src/ and the source at src/, so a fixed relative path would be
 * right for only one of them.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "arbor" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no package.json here (or not ours): keep climbing
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}
