// `lookout-agent budget reserve|release` as a sidecar hook runs it: the real CLI process against the
// real Worker (wrangler dev), key from a file, reply on stdout, outcome in the exit code.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveAgentKey, type BudgetLedgerReply, type ReleaseReply, type ReserveReply } from "../../protocol/index.ts";
import { freePort, startWorker, type RunningWorker } from "../support/wrangler-dev.ts";

const campaign = `e2e-budget-${Date.now().toString(36)}`;
const work = mkdtempSync(join(tmpdir(), "lookout-budget-cli-"));
const keyFile = join(work, "gpu-1.key");
let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorker();
  writeFileSync(keyFile, `${await deriveAgentKey(worker.agentSecret, campaign, "gpu-1")}\n`, { mode: 0o600 });
  const put = await fetch(`${worker.url}/api/campaigns/${campaign}/budget`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ splits: [
      { split: "validation", tier: "viewable", total_runs: 3, total_samples: 300, max_samples_per_run: 100 },
      { split: "test", tier: "no_access", total_runs: 50, total_samples: 50 },
    ] }),
  });
  expect(put.status).toBe(200);
}, 180_000);
afterAll(async () => {
  await worker?.stop({ removeState: true });
  rmSync(work, { recursive: true, force: true });
}, 60_000);

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["agent/bin/lookout-agent.mjs", "budget", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

const common = () => ["--endpoint", worker.url, "--campaign", campaign, "--agent-id", "gpu-1", "--key-file", keyFile];
const reserve = (split: string, runs: number, samples: number, key: string) =>
  cli(["reserve", ...common(), "--split", split, "--runs", String(runs), "--samples", String(samples), "--experiment", "exp-a", "--idempotency-key", key]);

async function ledger(): Promise<BudgetLedgerReply> {
  return (await fetch(`${worker.url}/api/campaigns/${campaign}/budget`)).json() as Promise<BudgetLedgerReply>;
}

describe("lookout-agent budget", () => {
  it("reserves (exit 0, reply on stdout), spends once when the hook retries, and releases the unused part", async () => {
    const first = await reserve("validation", 2, 150, "hook-1");
    expect(first.code, first.stderr).toBe(0);
    const grant = JSON.parse(first.stdout) as ReserveReply;
    expect(grant.balance).toEqual({ split: "validation", remaining_runs: 1, remaining_samples: 150 });
    const retry = await reserve("validation", 2, 150, "hook-1");
    expect(JSON.parse(retry.stdout)).toEqual(grant);

    const release = await cli(["release", ...common(), "--reservation", grant.reservation, "--runs-used", "1", "--samples-used", "90"]);
    expect(release.code, release.stderr).toBe(0);
    expect(JSON.parse(release.stdout) as ReleaseReply).toMatchObject({ returned_runs: 1, returned_samples: 60, balance: { remaining_runs: 2, remaining_samples: 210 } });
    expect((await ledger()).splits.find((s) => s.split === "validation")).toMatchObject({ remaining_runs: 2, open_reservations: 0 });
  });

  it("exits 3 when the split is exhausted, 4 for a no_access split, 2 for a bad amount", async () => {
    const exhausted = await reserve("validation", 5, 0, "hook-2");
    expect(exhausted.code).toBe(3);
    expect(JSON.parse(exhausted.stdout)).toMatchObject({ status: 409, balance: { remaining_runs: 2 } });
    const forbidden = await reserve("test", 1, 0, "hook-3");
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toContain('split "test" is no_access');
    const bad = await reserve("validation", 1, 101, "hook-4");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("samples: at most runs × max_samples_per_run = 1 × 100 = 100");
  });

  it("rejects bad flags before sending anything, naming the flag", async () => {
    const out = await cli(["reserve", ...common(), "--split", "validation", "--runs", "-1", "--samples", "0", "--experiment", "exp-a"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("--runs");
    const unknown = await cli(["spend", ...common()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown budget command "spend"');
  });

  it("gives up with exit 1 after its attempts when the server is unreachable, and never prints the key", async () => {
    const port = await freePort(); // nothing listens here
    const out = await cli(["reserve", "--endpoint", `http://127.0.0.1:${port}`, "--campaign", campaign, "--agent-id", "gpu-1", "--key-file", keyFile,
      "--split", "validation", "--runs", "1", "--samples", "0", "--experiment", "exp-a", "--attempts", "2"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("server unreachable after 2 attempts");
    const key = readFileSync(keyFile, "utf8").trim();
    expect(out.stderr + out.stdout).not.toContain(key);
  });

  it("is refused (exit 4) with a key for another campaign", async () => {
    const otherKey = join(work, "other.key");
    writeFileSync(otherKey, `${await deriveAgentKey(worker.agentSecret, "another-campaign", "gpu-1")}\n`, { mode: 0o600 });
    const out = await cli(["reserve", "--endpoint", worker.url, "--campaign", campaign, "--agent-id", "gpu-1", "--key-file", otherKey,
      "--split", "validation", "--runs", "1", "--samples", "0", "--experiment", "exp-a"]);
    expect(out.code).toBe(4);
    expect(out.stderr).toContain("HTTP 401");
  });
});
