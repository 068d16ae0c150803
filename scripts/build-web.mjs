// Bundles web/src into web/dist (the Worker's static assets) with esbuild; copies web/public.
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "web/dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
if (existsSync(join(root, "web/public"))) cpSync(join(root, "web/public"), dist, { recursive: true });
const entry = join(root, "web/src/main.ts");
if (existsSync(entry)) {
  await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    outfile: join(dist, "app.js"),
    legalComments: "none",
    logLevel: "warning",
  });
}
