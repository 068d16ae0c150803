// The production bundle builds (wrangler deploy --dry-run) and ships no local-only bypass.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), "lookout-dry-run-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("deploy", () => {
  it("bundles the Worker and its Durable Object for wrangler deploy", async () => {
    const { stdout } = await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
      timeout: 120_000,
    });
    expect(stdout).toContain("env.CAMPAIGNS (CampaignObject)");
    expect(stdout).toContain("--dry-run: exiting now.");
    const bundle = readFileSync(join(outdir, "index.js"), "utf8");
    expect(bundle).toMatch(/export\s*\{[^}]*\bCampaignObject\b/);
  });

  it("keeps the local auth bypass out of the deployed configuration", () => {
    const config = readFileSync("wrangler.toml", "utf8");
    expect(config).not.toMatch(/^\s*LOOKOUT_DEV_AUTH\s*=/m);
    expect(config).not.toMatch(/^\s*LOOKOUT_AGENT_SECRET(_PREVIOUS)?\s*=/m);
  });
});
