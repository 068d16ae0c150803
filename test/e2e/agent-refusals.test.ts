// The agent against the real Worker when things go wrong: a refused batch is set aside loudly
// (never retried forever), and SIGTERM aborts a hung sidecar read and flushes before exiting.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveAgentKey } from "../../protocol/index.ts";
import { startWorker, type RunningWorker } from "../support/wrangler-dev.ts";
import { startAgent, stopAgent } from "../agent/support/agent-process.ts";
import { removeContainers, startFakeSidecar, uniquePrefix, type FakeSidecar } from "../agent/support/sidecars.ts";

const campaign = `e2e-refuse-${Date.now().toString(36)}`;
const prefix = uniquePrefix("rf");
const work = mkdtempSync(join(tmpdir(), "lookout-agent-refuse-"));
let worker: RunningWorker;
let hung: FakeSidecar;

beforeAll(async () => {
  [worker, hung] = await Promise.all([startWorker(), startFakeSidecar({ trial: `${prefix}-hung__aaaaaaa`, profile: "legacy", hang: true })]);
}, 180_000);
afterAll(async () => {
  await removeContainers(hung ? [hung.container] : []);
  await worker?.stop({ removeState: true });
  rmSync(work, { recursive: true, force: true });
}, 60_000);

const args = (name: string, keyFile: string, extra: string[] = []) => [
  "--endpoint", worker.url, "--campaign", campaign, "--agent-id", name, "--key-file", keyFile, "--state-dir", join(work, `state-${name}`),
  "--trial-prefix", prefix, "--host", name, ...extra,
];

describe("agent refusals and shutdown", () => {
  it("sets a batch the server refuses (401: wrong key) aside with a loud log and does not retry it", async () => {
    const wrongKey = join(work, "wrong.key");
    writeFileSync(wrongKey, (await deriveAgentKey("not-the-server-secret", campaign, "gpu-wrong")) + "\n", { mode: 0o600 });
    const agent = startAgent(args("gpu-wrong", wrongKey, ["--once", "--sidecar-timeout", "300ms"]));
    expect(await agent.exited).toBe(0);
    const refused = agent.stderr().split("\n").filter((l) => l.includes("batch refused by the server and set aside"));
    expect(refused).toHaveLength(1);
    expect(JSON.parse(refused[0]!)).toMatchObject({ level: "error", seq: 1, reason: expect.stringMatching(/^HTTP 401/) });
    expect(readdirSync(join(work, "state-gpu-wrong", "outbox"))).toEqual([]);
    expect(readdirSync(join(work, "state-gpu-wrong", "outbox-set-aside"))).toEqual(["000000000001.batch"]);
    expect(agent.stderr()).not.toMatch(/send failed; will retry/);
  });

  it("on SIGTERM aborts a hung sidecar read in flight and exits 0 long before the read's own bound", async () => {
    const keyFile = join(work, "good.key");
    writeFileSync(keyFile, (await deriveAgentKey(worker.agentSecret, campaign, "gpu-term")) + "\n", { mode: 0o600 });
    // A 60 s read bound: only the shutdown abort can end the hung read this soon.
    const agent = startAgent(args("gpu-term", keyFile, ["--interval", "200ms", "--sidecar-timeout", "60s"]));
    await agent.waitFor(() => readScriptRunning(), "the hung read to be in flight");
    const stopAt = Date.now();
    expect(await stopAgent(agent, "SIGTERM")).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(20_000);
    expect(agent.stderr()).toMatch(/"msg":"agent stopped","pending_batches":0/);
  });

  it("on SIGTERM with the server down, tries to flush until its deadline, keeps the batches on disk and exits 0", async () => {
    const keyFile = join(work, "down.key");
    writeFileSync(keyFile, (await deriveAgentKey(worker.agentSecret, campaign, "gpu-down")) + "\n", { mode: 0o600 });
    const agent = startAgent([...args("gpu-down", keyFile, ["--interval", "200ms", "--sidecar-timeout", "300ms"]).map((a) => (a === worker.url ? "http://127.0.0.1:9" : a))]);
    await agent.waitFor(() => /send failed; will retry/.test(agent.stderr()), "a failed send");
    expect(await stopAgent(agent, "SIGTERM")).toBe(0);
    const stopped = agent.stderr().split("\n").find((l) => l.includes('"msg":"agent stopped"'));
    expect(JSON.parse(stopped!).pending_batches).toBeGreaterThan(0);
    expect(readdirSync(join(work, "state-gpu-down", "outbox")).length).toBe(JSON.parse(stopped!).pending_batches);
  });
});

function readScriptRunning(): boolean {
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("lookout-read")) return true;
    } catch {
      /* gone */
    }
  }
  return false;
}
