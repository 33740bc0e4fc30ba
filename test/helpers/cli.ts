// The compiled `arbor` command as tests run it. dist/ is built (when stale) by the global test
// setup (test/setup/build-dist.ts), so a test needs no build step of its own.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The compiled CLI entry point. */
export const cliMain = join(repoRoot, "dist/src/cli/main.js");

/** Runs `arbor …args` with Node (cwd: the repository unless given; env added to this process's). */
export function arbor(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cliMain, ...args], {
    cwd: options.cwd ?? repoRoot, encoding: "utf8", env: { ...process.env, ...(options.env ?? {}) }, timeout: options.timeout ?? 120_000,
  });
}
