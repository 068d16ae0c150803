// Bundles web/src into web/dist (the Worker's static assets) with esbuild; copies web/public.
// Code splitting: a route the board does not need (loaded with `import()`) is its own chunk under
// chunks/, so each page pays only for what it shows. Prints each page's gzipped JS + CSS (the
// budget is 60 KB a page) and writes the per-page file lists to web/.page-weights.json for the test.
// Builds into a staging dir and renames files into place: every `wrangler dev` start runs this
// build, and a running Worker must never see web/dist half-written or missing (no 404 mid-swap).
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "web/dist");
const out = mkdtempSync(join(root, "web/.dist-staging-"));
process.on("exit", () => rmSync(out, { recursive: true, force: true }));
if (existsSync(join(root, "web/public"))) cpSync(join(root, "web/public"), out, { recursive: true });
const entry = join(root, "web/src/main.ts");
/**
 * zod's namespace export (`z`) drags in every part of zod, tree shaking cannot drop them, and the
 * page budget is 60 KB gzipped. The page only validates live messages and shows English errors, so
 * its bundle swaps unused parts for small stand-ins: all ~50 message locales (English only), the
 * ahead-of-time compiler (z.compile), JSON Schema import (z.fromJSONSchema) and JSON Schema export
 * (z.toJSONSchema, schema.toJSONSchema(), its per-type processors: ~6 KB gzipped), which throw.
 */
/**
 * A stand-in for one zod module: every name it exports, each a function that throws when called.
 * Factories (`create…Method`) return such a function, so building a schema never throws, using it does.
 */
function throwingExports(file, name) {
  const text = readFileSync(join(root, "node_modules/zod", file), "utf8");
  const names = new Set([...text.matchAll(/^export (?:const|function|class) (\w+)/gm)].map((m) => m[1]));
  for (const m of text.matchAll(/^export \{([^}]*)\}/gm)) for (const part of m[1].split(",")) names.add(part.trim().split(/\s+as\s+/).pop());
  return [...names].map((n) => `export const ${n} = ${n.startsWith("create") ? `() => ${unused(name)}` : `function () { throw new Error(${JSON.stringify(`${name} is not in the page bundle`)}); }`};`).join("\n");
}
const unused = (name) => `() => { throw new Error(${JSON.stringify(`${name} is not in the page bundle`)}); }`;
const ZOD_STANDINS = {
  "v4/locales/index.js": `export { default as en } from ${JSON.stringify(join(root, "node_modules/zod/v4/locales/en.js"))};`,
  "v4/core/compile.js": [
    `export const INVALID = Symbol.for("zod.compile.invalid");`,
    `export class ZodCompileAsyncError extends Error {}`,
    `export class ZodCompileUnsupportedError extends Error {}`,
    `export const compile = ${unused("z.compile")};`,
    `export const compileFn = ${unused("z.compile")};`,
    `export const withParser = ${unused("z.withParser")};`,
  ].join("\n"),
  "v4/classic/from-json-schema.js": `export const fromJSONSchema = ${unused("z.fromJSONSchema")};`,
  "v4/core/json-schema-processors.js": throwingExports("v4/core/json-schema-processors.js", "z.toJSONSchema"),
  "v4/core/to-json-schema.js": throwingExports("v4/core/to-json-schema.js", "z.toJSONSchema"),
  "v4/core/json-schema-generator.js": throwingExports("v4/core/json-schema-generator.js", "z.toJSONSchema"),
};
const zodPageStandins = {
  name: "zod-page-standins",
  setup(b) {
    b.onLoad({ filter: /node_modules\/zod\/v4\/(locales\/index|core\/compile|classic\/from-json-schema|core\/json-schema-processors|core\/to-json-schema|core\/json-schema-generator)\.js$/ }, (args) => {
      const key = Object.keys(ZOD_STANDINS).find((k) => args.path.endsWith(k));
      return key ? { contents: ZOD_STANDINS[key], loader: "js", resolveDir: root } : undefined;
    });
  },
};
let pages = {};
if (existsSync(entry)) {
  const result = await build({
    plugins: [zodPageStandins],
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    outdir: out,
    entryNames: "app",
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });
  pages = pageFiles(result.metafile, out);
}
const css = join(root, "web/src/app.css");
if (existsSync(css)) {
  await build({ entryPoints: [css], bundle: true, minify: true, outfile: join(out, "app.css"), logLevel: "warning" });
}
const filesUnder = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
const built = new Set(filesUnder(out).map((f) => relative(out, f)));
mkdirSync(dist, { recursive: true });
for (const file of built) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  renameSync(join(out, file), join(dist, file));
}
for (const file of filesUnder(dist).map((f) => relative(dist, f))) if (!built.has(file)) rmSync(join(dist, file));
rmSync(out, { recursive: true, force: true });
const gzipped = (f) => (existsSync(join(dist, f)) ? gzipSync(readFileSync(join(dist, f)), { level: 9 }).length : 0);
const weights = Object.fromEntries(
  Object.entries(pages).map(([page, files]) => {
    const all = [...files, "app.css"];
    return [page, { files: all, gzip_bytes: all.reduce((sum, f) => sum + gzipped(f), 0) }];
  }),
);
writeFileSync(join(root, "web/.page-weights.json"), JSON.stringify(weights, null, 2) + "\n");
if (!process.env.LOOKOUT_QUIET_BUILD) {
  const line = Object.entries(weights).map(([page, w]) => `${page} ${(w.gzip_bytes / 1024).toFixed(1)} KB`).join(", ");
  console.log(`web/dist pages (JS + CSS gzipped, 60 KB each): ${line}`);
}

/**
 * What each page loads: app.js (the router) and every chunk it imports statically; a route behind
 * `import()` adds its chunk and that chunk's static imports. A part a page loads later with its own
 * `import()` (the board's "what changed" panel, a card's timeline) counts with everything of the page
 * that loads it, since it adds to that page. Keys are the source modules behind each dynamic import
 * ("web/src/board-page.ts", "web/src/since-last-visit.ts", …), plus "web/src/main.ts" for app.js alone;
 * a part loaded from two pages gets one key per page ("<module> via <page>"), and a page with such parts
 * is also weighed with all of them loaded ("<page> + later parts").
 */
function pageFiles(metafile, outDir) {
  const outputs = metafile.outputs;
  const rel = (p) => relative(outDir, join(root, p));
  const closure = (start, into = new Set()) => {
    const walk = (p) => {
      if (into.has(p)) return;
      into.add(p);
      for (const imp of outputs[p]?.imports ?? []) if (imp.kind === "import-statement") walk(imp.path);
    };
    walk(start);
    return into;
  };
  const appPath = Object.keys(outputs).find((p) => p.endsWith("/app.js"));
  if (!appPath) return {};
  const sourceOf = (p) => outputs[p]?.entryPoint ?? p;
  const result = {};
  // A page = the page that loads it + the chunk's static closure; only what the chunk adds can load more.
  // Returns the page's files with every part it may load later (its heaviest state: all of them open).
  const visit = (chunk, parentFiles, name) => {
    const files = closure(chunk, new Set(parentFiles));
    result[name] = [...files].map(rel).sort();
    const added = [...files].filter((p) => !parentFiles.has(p));
    const later = new Set(added.flatMap((p) => (outputs[p]?.imports ?? []).filter((i) => i.kind === "dynamic-import").map((i) => i.path)));
    const everything = new Set(files);
    for (const child of later) {
      if (files.has(child)) continue;
      for (const f of visit(child, files, sourceOf(child) in result ? `${sourceOf(child)} via ${name}` : sourceOf(child))) everything.add(f);
    }
    // A route (not the router) with parts of its own: also weigh it with all of them loaded.
    if (chunk !== appPath && everything.size > files.size) result[`${name} + later parts`] = [...everything].map(rel).sort();
    return everything;
  };
  visit(appPath, new Set(), sourceOf(appPath) === appPath ? "web/src/main.ts" : sourceOf(appPath));
  return result;
}
