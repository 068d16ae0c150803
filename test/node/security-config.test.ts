// The deployable configuration cannot open the board by itself: no dev bypass in wrangler.toml,
// and every path (assets included) runs through the Worker's security headers.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
const settings = toml.split("\n").filter((line) => !line.trim().startsWith("#"));

describe("wrangler.toml", () => {
  it("never sets LOOKOUT_DEV_AUTH (the local-only bypass lives in .dev.vars)", () => {
    expect(settings.join("\n")).not.toMatch(/LOOKOUT_DEV_AUTH/);
  });

  it("ships no agent secret", () => {
    expect(settings.join("\n")).not.toMatch(/LOOKOUT_AGENT_SECRET/);
  });

  it("runs the Worker first for every path, so assets get the security headers", () => {
    expect(settings).toContain("run_worker_first = true");
  });
});
