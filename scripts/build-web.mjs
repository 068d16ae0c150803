// Bundles web/src into web/dist (the Worker's static assets) with esbuild; copies web/public.
// Prints the gzipped size of app.js + app.css: the page's budget is 60 KB.
// Builds into a staging dir and renames files into place: every `wrangler dev` start runs this
// build, and a running Worker must never see web/dist half-written or missing (no 404 mid-swap).
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
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
 * its bundle swaps three unused parts for small stand-ins: all ~50 message locales (English only),
 * the ahead-of-time compiler (z.compile) and JSON Schema import (z.fromJSONSchema), which throw.
 */
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
};
const zodPageStandins = {
  name: "zod-page-standins",
  setup(b) {
    b.onLoad({ filter: /node_modules\/zod\/v4\/(locales\/index|core\/compile|classic\/from-json-schema)\.js$/ }, (args) => {
      const key = Object.keys(ZOD_STANDINS).find((k) => args.path.endsWith(k));
      return key ? { contents: ZOD_STANDINS[key], loader: "js", resolveDir: root } : undefined;
    });
  },
};
if (existsSync(entry)) {
  await build({
    plugins: [zodPageStandins],
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    outfile: join(out, "app.js"),
    legalComments: "none",
    logLevel: "warning",
  });
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
const gz = ["app.js", "app.css"]
  .filter((f) => existsSync(join(dist, f)))
  .map((f) => [f, gzipSync(readFileSync(join(dist, f)), { level: 9 }).length]);
if (gz.length > 0 && !process.env.LOOKOUT_QUIET_BUILD) {
  const total = gz.reduce((sum, [, n]) => sum + n, 0);
  console.log(`web/dist: ${gz.map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KB`).join(", ")} gzipped; total ${(total / 1024).toFixed(1)} KB of 60 KB`);
}
