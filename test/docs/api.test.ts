// docs/api/ is generated from the TSDoc of src/ (scripts/api-docs.mjs); it must not go stale.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("API reference", () => {
  it("docs/api matches the sources (regenerate: npm run docs:api)", () => {
    const r = spawnSync(process.execPath, [join(root, "scripts/api-docs.mjs"), "--check"], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("docs/api is up to date");
    expect(r.status).toBe(0);
  });
});
