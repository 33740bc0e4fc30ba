import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

// Worker threads (the parallel integrators' pool) run the compiled library under dist/, while
// tests import src/ directly. So that the two never disagree, the tests rebuild dist/ first
// whenever a source file is newer than it (a no-op after `npm ci`, which builds).

const root = join(import.meta.dirname, "..", "..");

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "generated") t = Math.max(t, newest(path));
    } else if (/\.(ts|mjs)$/.test(entry.name)) t = Math.max(t, statSync(path).mtimeMs);
  }
  return t;
}

export default function setup(): void {
  const built = join(root, "dist", "src", "index.js");
  // problems/ too: the CLI tests run the compiled built-in problems.
  const sources = Math.max(...["src", "asm", "scripts", "problems"].map((d) => (existsSync(join(root, d)) ? newest(join(root, d)) : 0)));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execSync("npm run build", { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}
