#!/usr/bin/env node
// Generates the API reference docs/api/*.md from the TSDoc comments in src/: one page per area
// (linalg, tn, integrators, problems, …), one entry per public export with its declaration,
// its documentation and its checked @example. The public exports are what the built package's
// entry (dist/src/index.js) exports, plus the types re-exported by the src index files.
//
//   npm run build && node scripts/api-docs.mjs           # writes docs/api/
//   node scripts/api-docs.mjs --check                    # exit 1 if docs/api/ is stale
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "docs", "api");

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Every `export <kind> <name>` in src/ with the doc comment above it and its declaration text. */
export function declarations() {
  const out = new Map();
  for (const file of sources(join(root, "src")).sort()) {
    const text = readFileSync(file, "utf8");
    const re = /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/\s*)?export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(function|class|const|interface|type|let)\s+([A-Za-z_$][\w$]*)/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const name = m[3];
      const doc = m[1] ?? "";
      const previous = out.get(name);
      if (previous !== undefined && previous.doc.length >= doc.length) continue; // overloads: the documented one
      const start = m.index + doc.length;
      const line = text.slice(0, start).split("\n").length;
      out.set(name, { file: relative(root, file), line, kind: m[2], doc, declaration: declarationText(text.slice(start), m[2]) });
    }
  }
  return out;
}

// The declaration up to its body: a function's signature, a class's heading, a type or const in
// full when short.
function declarationText(rest, kind) {
  const lines = rest.split("\n");
  if (kind === "interface") {
    // The whole interface (its fields and their comments) when it is short.
    const end = lines.findIndex((l) => /^}/.test(l));
    if (end >= 0 && end < 60) return lines.slice(0, end + 1).join("\n");
  }
  const taken = [];
  for (const line of lines.slice(0, 12)) {
    taken.push(line);
    if (kind === "function" || kind === "class" || kind === "interface") {
      if (/\{\s*$/.test(line) || /;\s*$/.test(line)) break;
    } else if (/;\s*$/.test(line)) break;
  }
  let text = taken.join("\n").replace(/\s*\{\s*$/, "");
  if (kind === "interface") text += " { … }";
  if (kind === "class") text += " { … }";
  if (kind === "function") text = text.replace(/\s*\{\s*$/, "");
  return text.length > 900 ? text.slice(0, 900) + " …" : text;
}

function docMarkdown(doc) {
  const body = doc.replace(/^\/\*\*\s*/, "").replace(/\s*\*\/\s*$/, "").split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n");
  return body
    .replace(/\{@link\s+([^}|\s]+)(?:\s*\|\s*([^}]+))?\}/g, (_, target, label) => "`" + (label ?? target) + "`")
    .replace(/^@example\s*$/m, "\n**Example**\n")
    .replace(/^@throws\s+/gm, "**Throws** ")
    .replace(/^@(module|packageDocumentation)\s*$/gm, "")
    .trim();
}

const AREAS = {
  linalg: "Dense tensors, contractions and decompositions",
  tn: "Trees, tree tensor networks and tree operators",
  integrators: "Dynamical low-rank integrators",
  problems: "Problems as plugins and their runs",
  search: "Network structure search",
  completion: "Tensor completion: data in and out",
  backend: "Kernels, threads and the worker pool",
  io: "Files and plots",
  other: "Errors and versions",
};

export async function generate() {
  const entry = join(root, "dist", "src", "index.js");
  if (!existsSync(entry)) throw new Error("api-docs: build first (npm run build)");
  const values = Object.keys(await import(pathToFileURL(entry).href));
  const indexText = sources(join(root, "src")).filter((f) => f.endsWith("index.ts")).map((f) => readFileSync(f, "utf8")).join("\n");
  const types = [...indexText.matchAll(/\btype\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]);
  const decls = declarations();
  const publicNames = [...new Set([...values, ...types])].filter((n) => decls.has(n)).sort((a, b) => a.localeCompare(b));
  const byArea = new Map();
  for (const name of publicNames) {
    const d = decls.get(name);
    const top = d.file.split("/")[1];
    const area = top in AREAS ? top : "other";
    if (!byArea.has(area)) byArea.set(area, []);
    byArea.get(area).push([name, d]);
  }
  const pages = new Map();
  const index = ["# arbor API reference", "", "Generated from the TSDoc comments of `src/` by `node scripts/api-docs.mjs` (do not edit by hand).", "Every `@example` here is run by the test suite (`test/docs/examples.test.ts`).", ""];
  for (const [area, title] of Object.entries(AREAS)) {
    const entries = byArea.get(area);
    if (!entries) continue;
    index.push(`- [${title}](${area}.md): ${entries.map(([n]) => "`" + n + "`").join(", ")}`);
    const page = [`# ${title}`, "", `[API reference](README.md) · generated from \`src/\` — do not edit.`, ""];
    for (const [name, d] of entries) {
      page.push(`## ${name}`, "", `*${d.kind}* · [${d.file}:${d.line}](../../${d.file}#L${d.line})`, "", "```ts", d.declaration, "```", "");
      const doc = docMarkdown(d.doc);
      if (doc) page.push(doc, "");
    }
    pages.set(`${area}.md`, page.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n");
  }
  pages.set("README.md", index.join("\n") + "\n");
  return pages;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const pages = await generate();
  if (process.argv.includes("--check")) {
    const stale = [...pages].filter(([f, text]) => !existsSync(join(outDir, f)) || readFileSync(join(outDir, f), "utf8") !== text).map(([f]) => f);
    const extra = existsSync(outDir) ? readdirSync(outDir).filter((f) => !pages.has(f)) : [];
    if (stale.length + extra.length > 0) {
      console.error(`docs/api is stale (${[...stale, ...extra].join(", ")}): run npm run build && node scripts/api-docs.mjs`);
      process.exit(1);
    }
    console.log("docs/api is up to date");
  } else {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    for (const [f, text] of pages) writeFileSync(join(outDir, f), text);
    console.log(`docs/api: ${pages.size} pages`);
  }
}
