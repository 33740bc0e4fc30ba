/**
 * What the reproducible scripts of docs/scripts share: which parts to run, where they write, and
 * a Markdown table. Results go to docs/results and pictures to docs/images; `--quick` (a smoke
 * run, for the scripts that have one) writes both under docs/results/quick/ (ignored by git),
 * never over the published files; `--out-dir DIR` writes both to DIR, which is how
 * `npm run reproduce` compares a rerun with the stored results.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../../src/io/atomic.js";

/** The repository root (the scripts run compiled, from dist/docs/scripts/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** A script's command line, read. */
export interface ScriptArgs {
  quick: boolean;
  /** The parts named on the command line, or every part when none is. */
  parts: string[];
  /** Where results (JSON) and pictures go. */
  resultsDir: string;
  imagesDir: string;
  /** Writes `data` as JSON to `file` in the results folder, atomically. */
  saveJson(file: string, data: unknown): void;
  /** The path of picture `name` in the pictures folder, which is created. */
  imagePath(name: string): string;
}

/**
 * Reads `args` (process.argv.slice(2)): part names among `partNames`, `--out-dir DIR`, `--quick`
 * unless `quickFlag` is false, and the values of `valueFlags` (options with a value, which are
 * not part names).
 *
 * @throws {Error} for an unknown part name.
 */
export function scriptArgs(args: readonly string[], partNames: readonly string[], options: { quickFlag?: boolean; valueFlags?: readonly string[] } = {}): ScriptArgs {
  const { quickFlag = true, valueFlags = [] } = options;
  const quick = quickFlag && args.includes("--quick");
  let resultsDir = join(repoRoot, "docs", "results"), imagesDir = join(repoRoot, "docs", "images");
  if (quick) resultsDir = imagesDir = join(repoRoot, "docs", "results", "quick");
  const outAt = args.indexOf("--out-dir");
  if (outAt >= 0) resultsDir = imagesDir = args[outAt + 1]!;
  const named = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--out-dir" && !valueFlags.includes(args[i - 1]!));
  for (const name of named) if (!partNames.includes(name)) throw new Error(`unknown part "${name}"; parts: ${partNames.join(", ")}`);
  return {
    quick, parts: named.length > 0 ? named : partNames.slice(), resultsDir, imagesDir,
    saveJson(file, data) {
      const path = join(resultsDir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(data, null, 2) + "\n"));
    },
    imagePath(name) {
      const path = join(imagesDir, name);
      mkdirSync(dirname(path), { recursive: true });
      return path;
    },
  };
}

/** Runs each part in turn, with its wall time on stderr. */
export async function runParts(parts: readonly string[], run: (part: string) => void | Promise<void>): Promise<void> {
  for (const name of parts) {
    const t = performance.now();
    await run(name);
    console.error(`[${name}: ${((performance.now() - t) / 1000).toFixed(0)} s]`);
  }
}

/** A Markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}
