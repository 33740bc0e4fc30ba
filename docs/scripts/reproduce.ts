/**
 * `npm run reproduce -- <name> [parts…]`: reruns the script behind a published table or figure
 * into a scratch directory and compares every number it writes with the stored reference in
 * docs/results/, failing loudly (exit status 1, the differing entries listed) when they drift.
 * Times (keys ending in "seconds", "Seconds" or "Ms") are not compared. `--update` copies the
 * new results over the stored ones instead (after an intended change).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The reproducible scripts: compiled script, its parts, and the stored file of each part. */
const SCRIPTS: Record<string, { script: string; parts: string[]; stored: (part: string) => string; images: string[] }> = {
  "completion-image": {
    script: "dist/docs/scripts/completion-image.js",
    parts: ["airplane", "airplane-64"],
    stored: (part) => (part === "airplane" ? "completion-image.json" : `completion-image-${part}.json`),
    images: ["original", "observed", "nearest", "em", "rttc", "tt", "tr", "greedy"].map((m) => `completion-airplane-${m}.png`),
  },
  "integrators-ising": {
    script: "dist/docs/scripts/integrators-ising.js",
    parts: ["order", "exact", "theta", "d16"],
    stored: (part) => `integrators-ising-${part}.json`,
    images: ["ising-order.svg", "ising-d16-magnetisation.svg", "ising-d16-ranks.svg"],
  },
  "search-greedy": {
    script: "dist/docs/scripts/search-greedy.js",
    parts: ["greedy", "core-shapes"],
    stored: (part) => (part === "greedy" ? "search-greedy.json" : "search-core-shapes.json"),
    images: ["search-greedy-tucker.svg", "search-greedy-tensor-train.svg", "search-greedy-tensor-ring.svg", "search-greedy-triangle.svg"],
  },
  "search-planted": {
    script: "dist/docs/scripts/search-planted.js",
    parts: ["ring", "fctn", "tree"],
    stored: (part) => `search-planted-${part}.json`,
    images: [],
  },
};

// Same-machine reruns give identical numbers; across machines and Node versions the libm
// functions (exp, sin, …) may differ in the last bit, which the integrations amplify little.
const RELATIVE = 1e-6, ABSOLUTE = 1e-12;
const isTime = (key: string): boolean => /(seconds|Seconds|Ms)$/.test(key);

function compare(stored: unknown, fresh: unknown, path: string, out: string[]): void {
  if (typeof stored === "number" && typeof fresh === "number") {
    if (!(Math.abs(stored - fresh) <= RELATIVE * Math.abs(stored) + ABSOLUTE)) out.push(`${path}: stored ${stored}, now ${fresh}`);
  } else if (Array.isArray(stored) && Array.isArray(fresh)) {
    if (stored.length !== fresh.length) out.push(`${path}: stored ${stored.length} entries, now ${fresh.length}`);
    else stored.forEach((s, i) => compare(s, fresh[i], `${path}[${i}]`, out));
  } else if (stored !== null && fresh !== null && typeof stored === "object" && typeof fresh === "object") {
    for (const key of new Set([...Object.keys(stored), ...Object.keys(fresh)])) {
      if (isTime(key)) continue;
      if (!(key in stored) || !(key in fresh)) out.push(`${path}.${key}: ${key in stored ? "missing now" : "new"}`);
      else compare((stored as Record<string, unknown>)[key], (fresh as Record<string, unknown>)[key], `${path}.${key}`, out);
    }
  } else if (stored !== fresh) {
    out.push(`${path}: stored ${JSON.stringify(stored)}, now ${JSON.stringify(fresh)}`);
  }
}

const args = process.argv.slice(2);
const update = args.includes("--update");
const [name, ...partArgs] = args.filter((a) => !a.startsWith("--"));
const entry = name === undefined ? undefined : SCRIPTS[name];
if (entry === undefined) {
  console.error(`usage: npm run reproduce -- <name> [parts…] [--update]; names: ${Object.keys(SCRIPTS).join(", ")}`);
  process.exit(2);
}
const parts = partArgs.length > 0 ? partArgs : entry.parts;
const unknown = parts.filter((p) => !entry.parts.includes(p));
if (unknown.length > 0) {
  console.error(`${name} has no part ${unknown.join(", ")}; parts: ${entry.parts.join(", ")}`);
  process.exit(2);
}
const scratch = mkdtempSync(join(tmpdir(), `arbor-reproduce-${name}-`));
let drifted = 0;
try {
  execFileSync(process.execPath, [join(root, entry.script), ...parts, "--out-dir", scratch], { stdio: "inherit" });
  for (const part of parts) {
    const file = entry.stored(part);
    const storedPath = join(root, "docs", "results", file);
    const fresh = JSON.parse(readFileSync(join(scratch, file), "utf8")) as unknown;
    if (update || !existsSync(storedPath)) {
      copyFileSync(join(scratch, file), storedPath);
      console.log(`${file}: stored`);
      continue;
    }
    const diffs: string[] = [];
    compare(JSON.parse(readFileSync(storedPath, "utf8")), fresh, file, diffs);
    if (diffs.length === 0) console.log(`${file}: matches the stored results`);
    else {
      drifted++;
      console.log(`${file}: DRIFTED from the stored results (${diffs.length} values):\n  ${diffs.slice(0, 20).join("\n  ")}${diffs.length > 20 ? "\n  …" : ""}`);
    }
  }
  if (update) for (const image of readdirSync(scratch).filter((f) => entry.images.includes(f))) copyFileSync(join(scratch, image), join(root, "docs", "images", image));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (drifted > 0) {
  console.error(`reproduce ${name}: ${drifted} result file(s) drifted (rerun with --update after an intended change)`);
  process.exit(1);
}
