// The bench Worker (bench/worker/wrangler.bench.toml under `wrangler dev`) and what every bench posts to it:
// signed agent batches, ledger rows, and the status campaign at 500 experiments × 2,000 rounds.
import { register } from "tsx/esm/api";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { median, pct } from "./stats.mjs";

register();
const { freePort } = await import("../test/support/wrangler-dev.ts");
const { DEV_AUTH_ARGS } = await import("../scripts/local-env.ts");
const { AGENT_HEADER, SIGNATURE_HEADER, deriveAgentKey, signRequest } = await import("../protocol/index.ts");

const SECRET = "bench-secret-local-only";
const BATCH_ROWS = 500;

const here = dirname(fileURLToPath(import.meta.url));

export async function startBenchWorker() {
  const dir = mkdtempSync(join(tmpdir(), "lookout-bench-ingest-"));
  const port = await freePort();
  const inspectorPort = await freePort();
  const envFile = join(dir, "bench.dev.vars");
  // Secrets travel in an env file, never argv. The bench posts far faster than a real agent: lift the rate limit.
  writeFileSync(envFile, [`LOOKOUT_AGENT_SECRET="${SECRET}"`, `AGENT_RATE_PER_S="1000000"`, `AGENT_RATE_BURST="1000000"`].join("\n") + "\n", { mode: 0o600 });
  const child = spawn("npx", ["wrangler", "dev", "--config", join(here, "worker/wrangler.bench.toml"), "--ip", "127.0.0.1", "--port", String(port),
    "--inspector-port", String(inspectorPort), "--persist-to", join(dir, "state"), "--env-file", envFile, ...DEV_AUTH_ARGS, "--show-interactive-dev-session=false", "--log-level", "warn"],
  { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* starting */ }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    /** The local-only agent secret this Worker verifies with (benches derive their agents' keys from it). */
    agentSecret: SECRET,
    async stop() {
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
      await new Promise((r) => setTimeout(r, 1000));
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One agent's batches, built and signed before the clock starts (signing is the agent's cost, not the server's). */
export async function prepareBatches(url, campaign, agentId, host, batches, makeObservations, epoch = "bench") {
  const key = await deriveAgentKey(SECRET, campaign, agentId);
  const path = `/v1/campaigns/${campaign}/ingest`;
  const out = [];
  for (let seq = 1; seq <= batches; seq++) {
    const body = JSON.stringify({ agent: { id: agentId, host, version: "bench" }, epoch, seq, sent_at: new Date().toISOString(), observations: makeObservations(seq) });
    out.push({ body, headers: { "content-type": "application/json", [AGENT_HEADER]: agentId, [SIGNATURE_HEADER]: await signRequest(key, "POST", path, body) } });
  }
  return { url: `${url}${path}`, batches: out };
}

export async function sendAll(agent) {
  for (const b of agent.batches) {
    const res = await fetch(agent.url, { method: "POST", body: b.body, headers: b.headers });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`ingest ${res.status}: ${text}`);
  }
}

export function trialRows(trial, tag, count, offset) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const minute = String(Math.floor(n / 60) % 60).padStart(2, "0");
    rows.push({ id: `${tag}-${n}`, commit: `c${n.toString(16).padStart(8, "0")}`, split: n % 5 === 0 ? "test" : "dev", score: (n % 997) / 997, error_rate: 0, created_at: `2026-11-24T${String(Math.floor(n / 3600) % 24).padStart(2, "0")}:${minute}:${String(n % 60).padStart(2, "0")}` });
  }
  return rows;
}

/**
 * Seeds `campaign` with `experiments` × `rounds` rounds (meta with bars, live containers, finals for every
 * other experiment), then reads GET /status `runs` × `reads` times and a same-size body from Worker
 * memory (the transport floor) the same way. Fails unless the board holds every round.
 */
export async function statusAtScale(url, campaign, { experiments, rounds, seedAgents, runs, reads }) {
  const meta = { title: "bench", experiments: Array.from({ length: experiments }, (_, e) => ({ key: `bench-exp-${e}`, title: `Experiment ${e}`, bars: { baseline: 0.3, win_bar: 0.5, healthy: 0.95 } })) };
  await fetch(`${url}/api/campaigns/${campaign}/meta`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(meta) });
  const seedStart = performance.now();
  const perExperiment = rounds / BATCH_ROWS;
  const agents = [];
  for (let a = 0; a < seedAgents; a++) {
    const mine = Array.from({ length: experiments / seedAgents }, (_, i) => a * (experiments / seedAgents) + i);
    const host = `bench-host-${a}`;
    const containers = mine.map((e) => `bench-exp-${e}__abc${String(e).padStart(4, "0")}__env-eval-sidecar-1`);
    agents.push(await prepareBatches(url, campaign, `bench-agent-${a}`, host, mine.length * perExperiment + 1, (seq) => {
      if (seq > mine.length * perExperiment) {
        // Last batch: finals for every other experiment.
        return mine.filter((e) => e % 2 === 0).map((e) => ({ kind: "final", experiment: `bench-exp-${e}`, trial: `bench-exp-${e}__abc${String(e).padStart(4, "0")}`, job: "2026-11-24__01-00-00", rewards: { reward: (e % 10) / 10 }, finished_at: new Date().toISOString(), source: "result.json" }));
      }
      const e = mine[Math.floor((seq - 1) / perExperiment)];
      const part = (seq - 1) % perExperiment;
      const trial = `bench-exp-${e}__abc${String(e).padStart(4, "0")}`;
      return [
        { kind: "heartbeat", at: new Date().toISOString(), docker: "ok", containers, jobs_dirs: ["/jobs"] },
        { kind: "trial", experiment: `bench-exp-${e}`, trial, container: `${trial}__env-eval-sidecar-1`, at: new Date().toISOString(), rows: trialRows(trial, `s${e}`, BATCH_ROWS, part * BATCH_ROWS), budget: [{ split: "dev", tier: "viewable", remaining_runs: 100, remaining_samples: null }, { split: "test", tier: "no_access", remaining_runs: 3, remaining_samples: null }] },
      ];
    }));
  }
  await Promise.all(agents.map(sendAll));
  const seedS = (performance.now() - seedStart) / 1000;
  const seedRate = (experiments * rounds) / seedS;

  const statusUrl = `${url}/api/campaigns/${campaign}/status`;
  let bytes = 0;
  let check = null;
  for (let i = 0; i < 5; i++) await (await fetch(statusUrl)).text(); // warm-up
  const statusRuns = [];
  for (let run = 0; run < runs; run++) {
    const times = [];
    for (let i = 0; i < reads; i++) {
      const t0 = performance.now();
      const res = await fetch(statusUrl);
      const text = await res.text();
      times.push(performance.now() - t0);
      bytes = text.length;
      check ??= JSON.parse(text);
    }
    statusRuns.push({ median: median(times), p95: pct(times, 95) });
  }
  // Transport floor: a JSON body of the same size served from Worker memory, read the same way, same run.
  const floorRuns = [];
  for (let run = 0; run < runs; run++) {
    const times = [];
    for (let i = 0; i < reads; i++) {
      const t0 = performance.now();
      await (await fetch(`${url}/bench/transport-floor?bytes=${bytes}`)).text();
      times.push(performance.now() - t0);
    }
    floorRuns.push(median(times));
  }
  const total = check.experiments.reduce((n, e) => n + e.rounds.count, 0);
  if (check.experiments.length !== experiments || total !== experiments * rounds) {
    throw new Error(`status board is wrong: ${check.experiments.length} experiments, ${total} rounds`);
  }
  return { seedRate, bytes, statusMedian: median(statusRuns.map((r) => r.median)), statusP95: median(statusRuns.map((r) => r.p95)), floorMedian: median(floorRuns) };
}
