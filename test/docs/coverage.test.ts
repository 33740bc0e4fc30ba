// Every value the package exports (function, class, constant) carries TSDoc with an @example;
// every exported type carries TSDoc. The examples themselves run in examples.test.ts.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as arbor from "../../src/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

interface Declaration {
  file: string;
  kind: string;
  doc: string;
}

// Finds `export <kind> <name>` declarations with the doc comment right above them.
function declarations(): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  for (const file of sources(join(root, "src"))) {
    const text = readFileSync(file, "utf8");
    const re = /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(function|class|const|interface|type|let)\s+([A-Za-z_$][\w$]*)/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const name = m[3]!;
      const previous = out.get(name);
      // Overloads: keep the declaration that has the documentation.
      if (previous !== undefined && previous.doc.length >= (m[1] ?? "").length) continue;
      out.set(name, { file: relative(root, file), kind: m[2]!, doc: m[1] ?? "" });
    }
  }
  return out;
}

describe("public API documentation", () => {
  const decls = declarations();
  const values = Object.keys(arbor);

  it("every exported value has TSDoc with an @example", () => {
    const missing = values.filter((name) => {
      const d = decls.get(name);
      return d === undefined || !d.doc.includes("@example");
    });
    expect(missing, `exports without an @example: ${missing.map((n) => `${n} (${decls.get(n)?.file ?? "?"})`).join(", ")}`).toEqual([]);
  });

  it("every exported type has TSDoc", () => {
    const index = readFileSync(join(root, "src/linalg/index.ts"), "utf8") + readFileSync(join(root, "src/index.ts"), "utf8");
    const types = [...index.matchAll(/type\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!).filter((n) => !values.includes(n));
    const missing = types.filter((name) => !(decls.get(name)?.doc ?? "").startsWith("/**"));
    expect(missing, `types without TSDoc: ${missing.join(", ")}`).toEqual([]);
  });
});
