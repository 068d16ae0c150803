// End to end: the real agent CLI reads real sidecar containers and a jobs tree and reports to
// the real Worker (wrangler dev); the campaign status shows phases, rounds and verdicts, through
// a server outage and an agent killed between send and ack — nothing lost, nothing doubled.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveAgentKey, type ExperimentStatus, type StatusSnapshot } from "../../protocol/index.ts";
import { startWorker, type RunningWorker } from "../support/wrangler-dev.ts";
import { startAckKiller, type AckKiller } from "../agent/support/ack-killer.ts";
import { startAgent, stopAgent, type AgentProcess } from "../agent/support/agent-process.ts";
import { currentRecord, currentStatus, legacyRow, legacyStatus, removeContainers, startFakeSidecar, uniquePrefix, type FakeSidecar } from "../agent/support/sidecars.ts";

const campaign = `e2e-agent-${Date.now().toString(36)}`;
const prefix = uniquePrefix("e2e");
const work = mkdtempSync(join(tmpdir(), "lookout-agent-e2e-"));
const jobs = join(work, "jobs");
const stateDir = join(work, "state");
const keyFile = join(work, "agent.key");
const JOB = "2026-11-24__03-00-00";
const exp = (name: string) => `${prefix}-${name}`;

let worker: RunningWorker;
let legacy: FakeSidecar, current: FakeSidecar;
let agent: AgentProcess | null = null;
let proxy: AckKiller | null = null;

function trialDir(trial: string, files: Record<string, unknown>) {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(jobs, JOB, trial, rel);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  }
}
const finished = (task: string, extra: object = {}) => ({ task_name: task, finished_at: "2026-11-24T03:10:00", ...extra });

async function status(): Promise<StatusSnapshot> {
  const res = await fetch(`${worker.url}/api/campaigns/${campaign}/status`);
  if (!res.ok) throw new Error(`status ${res.status}: ${await res.text()}`);
  return (await res.json()) as StatusSnapshot;
}
async function rounds(key: string): Promise<Array<{ commit: string; score: number | null }>> {
  const res = await fetch(`${worker.url}/api/campaigns/${campaign}/experiments/${encodeURIComponent(key)}`);
  if (!res.ok) return [];
  return ((await res.json()) as { rounds: Array<{ commit: string; score: number | null }> }).rounds;
}
async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${String(last ?? "")})\nagent stderr:\n${agent?.stderr().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const byKey = (s: StatusSnapshot) => Object.fromEntries(s.experiments.map((e) => [e.key, e])) as Record<string, ExperimentStatus>;

const agentArgs = () => [
  "--endpoint", `http://127.0.0.1:${proxy!.port}`, "--campaign", campaign, "--agent-id", "gpu-1", "--key-file", keyFile,
  "--jobs", jobs, "--interval", "300ms", "--state-dir", stateDir, "--trial-prefix", prefix, "--host", "gpu-1",
];

beforeAll(async () => {
  mkdirSync(jobs, { recursive: true });
  worker = await startWorker();
  writeFileSync(keyFile, (await deriveAgentKey(worker.agentSecret, campaign, "gpu-1")) + "\n", { mode: 0o600 });
  proxy = await startAckKiller(() => worker);
  [legacy, current] = await Promise.all([
    startFakeSidecar({ trial: `${exp("legacy")}__aaaaaaa`, profile: "legacy", rows: [legacyRow("c1", "dev", 0.4, "2026-11-24T03:00:00"), legacyRow("c2", "dev", 0.55, "2026-11-24T03:01:00")], status: legacyStatus([{ split: "dev", tier: "viewable", runs: 5, samples: 50 }]) }),
    startFakeSidecar({ trial: `${exp("current")}__bbbbbbb`, profile: "current", envSuffix: true, rows: [currentRecord("ev-1", "v1", { name: "select" }, 0.7)], status: currentStatus([{ name: "select", disclosure: "full", runs: 3, cases: 30 }]) }),
  ]);
  trialDir(`${exp("legacy")}__aaaaaaa`, { "config.json": { task: { path: `tasks/${exp("legacy")}` } } });
  trialDir(`${exp("won")}__ccccccc`, { "result.json": finished(exp("won")), "verifier/reward.json": { reward: 0.9 } });
  trialDir(`${exp("lost")}__ddddddd`, { "result.json": finished(exp("lost")), "verifier/reward.txt": "0.2" });
  trialDir(`${exp("crashed")}__eeeeeee`, { "result.json": finished(exp("crashed"), { exception_info: { exception_type: "RuntimeError", exception_message: "boom" } }) });
  const bars = { baseline: 0.3, win_bar: 0.5 };
  const meta = { experiments: ["won", "lost", "crashed", "legacy", "current"].map((n) => ({ key: exp(n), bars })) };
  const put = await fetch(`${worker.url}/api/campaigns/${campaign}/meta`, { method: "PUT", body: JSON.stringify(meta), headers: { "content-type": "application/json" } });
  expect(put.status, await put.clone().text()).toBe(200);
}, 180_000);

afterAll(async () => {
  if (agent) await stopAgent(agent, "SIGKILL");
  proxy?.server.close();
  await removeContainers([legacy, current].filter(Boolean).map((s) => s.container));
  await worker?.stop({ removeState: true });
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("agent → Worker → campaign status", () => {
  it("shows live trials running with their rounds, finals done or errored, and verdicts against the bars", async () => {
    agent = startAgent(agentArgs());
    const s = await eventually(async () => {
      const st = await status();
      const e = byKey(st);
      return e[exp("legacy")]?.rounds.count === 2 && e[exp("current")]?.rounds.count === 1 && e[exp("crashed")]?.phase === "errored" && st;
    }, "the board to show every trial");
    const e = byKey(s);
    expect(e[exp("legacy")]!.phase).toBe("running");
    expect(e[exp("current")]!.phase).toBe("running");
    expect(e[exp("won")]).toMatchObject({ phase: "done", verdict: { result: "PASSED", value: 0.9 } });
    expect(e[exp("lost")]).toMatchObject({ phase: "done", verdict: { result: "FAILED", value: 0.2 } });
    expect(e[exp("crashed")]!.final).toMatchObject({ rewards: null, exception: { type: "RuntimeError", message: "boom" } });
    expect(s.hosts.find((h) => h.host === "gpu-1")).toMatchObject({ docker: "ok" });
  });

  it("loses and doubles nothing when the server stops mid-run and comes back on the same storage", async () => {
    await worker.stop();
    legacy.setRows([legacyRow("c1", "dev", 0.4, "2026-11-24T03:00:00"), legacyRow("c2", "dev", 0.55, "2026-11-24T03:01:00"), legacyRow("c3", "dev", 0.6, "2026-11-24T03:05:00")]);
    trialDir(`${exp("late")}__fffffff`, { "result.json": finished(exp("late")), "verifier/reward.txt": "0.8" });
    await agent!.waitFor(() => /send failed; will retry/.test(agent!.stderr()), "the agent to notice the outage");
    await new Promise((r) => setTimeout(r, 1500));
    expect(readdirSync(join(stateDir, "outbox")).length).toBeGreaterThan(0);
    worker = await startWorker({ persistDir: worker.persistDir, port: worker.port });
    const s = await eventually(async () => {
      const st = await status();
      const e = byKey(st);
      return e[exp("legacy")]?.rounds.count === 3 && e[exp("late")]?.phase === "done" && st;
    }, "the rows and final queued during the outage");
    expect((await rounds(exp("legacy"))).map((r) => r.commit).sort()).toEqual(["c1", "c2", "c3"]);
    expect((await rounds(exp("current"))).length).toBe(1);
    expect(byKey(s)[exp("won")]!.attempts).toHaveLength(1);
    await eventually(async () => readdirSync(join(stateDir, "outbox")).length === 0, "the outbox to drain");
  });

  it("re-sends nothing twice after `kill -9` between send and ack", async () => {
    // The batch carrying round ev-2: an ack for an older batch still in flight must not kill the agent first.
    proxy!.killOnlyForBatch = (body) => body.includes("ev-2");
    const killed = new Promise<void>((resolve) => {
      proxy!.killAgentOnNextAck = () => {
        agent!.child.kill("SIGKILL");
        resolve();
      };
    });
    current.setRows([currentRecord("ev-1", "v1", { name: "select" }, 0.7), currentRecord("ev-2", "v2", { name: "select" }, 0.75)]);
    await killed;
    await agent!.exited;
    // The server applied the batch; the agent never heard the ack, so it is still in the outbox.
    await eventually(async () => (await rounds(exp("current"))).length === 2, "the applied batch");
    expect(readdirSync(join(stateDir, "outbox")).length).toBeGreaterThan(0);
    agent = startAgent([...agentArgs(), "--log-level", "debug"]);
    await eventually(async () => readdirSync(join(stateDir, "outbox")).length === 0, "the re-sent batch to be acked");
    // Same epoch and seq as before the kill: the server answered "already applied".
    expect(agent.stderr()).toMatch(/"msg":"batch acked","seq":\d+,"duplicate":true/);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await rounds(exp("current"))).map((r) => r.commit).sort()).toEqual(["v1", "v2"]);
    expect((await rounds(exp("legacy"))).length).toBe(3);
    const e = byKey(await status());
    expect(e[exp("won")]!.attempts).toHaveLength(1);
    expect(e[exp("late")]!.attempts).toHaveLength(1);
    expect(await stopAgent(agent)).toBe(0);
    agent = null;
  });
});
