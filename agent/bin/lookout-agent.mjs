#!/usr/bin/env node
// Entry for `npx lookout-agent`: registers tsx's ESM loader so the TypeScript CLI runs as-is
// (no build step to forget; tsx is a runtime dependency for this reason).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli.ts");
process.exitCode = await main(process.argv.slice(2));
