// `npm run agent-key`: derives the same key the Worker verifies, takes the secret only from the
// environment or a file, and never prints the secret.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deriveAgentKey } from "../../protocol/signing.ts";

const SECRET = "agent-key-script-secret-7f3a";
const dir = mkdtempSync(join(tmpdir(), "lookout-agent-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string | undefined> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env.LOOKOUT_AGENT_SECRET === undefined) delete childEnv.LOOKOUT_AGENT_SECRET;
  const out = spawnSync("npx", ["tsx", "scripts/agent-key.ts", ...args], { encoding: "utf8", env: childEnv, timeout: 60_000 });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe("npm run agent-key", () => {
  it("prints the key deriveAgentKey gives for (campaign, agent), and nothing else on stdout", async () => {
    const r = run(["--campaign", "demo", "--agent", "gpu-1"], { LOOKOUT_AGENT_SECRET: SECRET });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${await deriveAgentKey(SECRET, "demo", "gpu-1")}\n`);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it("reads the secret from --secret-file and writes the key to a 0600 --out file", async () => {
    const secretFile = join(dir, "secret");
    const keyFile = join(dir, "agent.key");
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    writeFileSync(keyFile, "old", { mode: 0o644 });
    const r = run(["--campaign", "demo", "--agent", "gpu-2", "--secret-file", secretFile, "--out", keyFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(readFileSync(keyFile, "utf8")).toBe(`${await deriveAgentKey(SECRET, "demo", "gpu-2")}\n`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it("refuses to run without a secret, and has no flag that takes one on the command line", () => {
    const none = run(["--campaign", "demo", "--agent", "gpu-1"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no secret/);
    const argv = run(["--campaign", "demo", "--agent", "gpu-1", "--secret", SECRET]);
    expect(argv.code).toBe(2);
    expect(argv.stdout).toBe("");
    expect(argv.stderr).toMatch(/unknown argument --secret/);
    expect(argv.stderr).not.toContain(SECRET);
  });

  it("names each invalid field", () => {
    const r = run(["--campaign", "Bad Slug", "--agent", "../x"], { LOOKOUT_AGENT_SECRET: SECRET });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/campaign: campaign must match/);
    expect(r.stderr).toMatch(/agent: agent id must be/);
    expect(r.stdout).toBe("");
  });
});
