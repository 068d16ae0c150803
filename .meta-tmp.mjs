import { build } from "esbuild";
import { readFileSync } from "node:fs";
// reuse plugin by importing build script? simple: inline
import { join } from "node:path";
const root = process.cwd();
const plugin = { name: "x", setup(b) {
  b.onResolve({ filter: /\/locales\/index\.js$/ }, (a) => a.importer.includes("node_modules/zod/") ? { path: "en", namespace: "zl" } : undefined);
  b.onLoad({ filter: /.*/, namespace: "zl" }, () => ({ contents: `export { default as en } from ${JSON.stringify(join(root, "node_modules/zod/v4/locales/en.js"))};`, loader: "js", resolveDir: root }));
}};
const r = await build({ entryPoints: ["web/src/main.ts"], plugins: [plugin], bundle: true, minify: true, format: "esm", target: "es2022", write: false, metafile: true, outfile: "/tmp/x.js" });
const inputs = Object.entries(r.metafile.outputs[Object.keys(r.metafile.outputs)[0]].inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput);
console.log(inputs.slice(0,25).map(([k,v])=>[k,v.bytesInOutput]));
