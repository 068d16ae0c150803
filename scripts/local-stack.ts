// `npm run stack`: the whole path on this machine — fake vero sidecars in real Docker containers, a
// Harbor jobs dir, the real lookout-agent, and the Worker on wrangler dev. For watching real data flow.
// Ctrl-C stops the agent, removes the containers and temp dirs, and stops the Worker.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deriveAgentKey } from "../protocol/index.ts";
import { startAgent, stopAgent } from "../test/agent/support/agent-process.ts";
import { currentRecord, currentStatus, legacyRow, legacyStatus, removeContainers, startFakeSidecar, uniquePrefix, type FakeSidecar } from "../test/agent/support/sidecars.ts";
import { startWorker } from "../test/support/wrangler-dev.ts";

const CAMPAIGN = "local";
const JOB = "2026-11-24__10-00-00";
const port = Number(process.env.PORT ?? 8788);
/** The round after which the first trial writes its result and its container goes away. */
const FIRST_FINISHES_AT = 6;

execFileSync("bash", ["test/setup/system.sh"], { stdio: "inherit" });
const work = mkdtempSync(join(tmpdir(), "lookout-stack-"));
const jobs = join(work, "jobs");
const prefix = uniquePrefix("stack");
const tasks = [`${prefix}-retrieval-task`, `${prefix}-verifier-task`, `${prefix}-critique-task`];
const trials = tasks.map((t, i) => `${t.slice(0, 32)}__${["a1b2c3d", "e4f5g6h", "i7j8k9l"][i]}`);

const worker = await startWorker({ port, persistDir: join(work, "worker") });
const sidecars: FakeSidecar[] = [];
let agent: ReturnType<typeof startAgent> | undefined;
let stopping = false;

/** Idempotent: Ctrl-C reaches this process twice (from the terminal's group and relayed by tsx). */
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping: agent, sidecar containers, Worker");
  if (agent) await stopAgent(agent);
  await removeContainers(sidecars.map((s) => s.container));
  await worker.stop({ removeState: true });
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  const now = () => new Date().toISOString();
  // One of each profile, as Harbor < 0.16 and ≥ 0.16 name them.
  sidecars.push(await startFakeSidecar({ trial: trials[0]!, profile: "legacy", rows: [], status: legacyStatus([{ split: "validation", tier: "viewable", runs: 20, samples: 2000 }]) }));
  sidecars.push(await startFakeSidecar({ trial: trials[1]!, profile: "current", envSuffix: true, rows: [], status: currentStatus([{ name: "validation", disclosure: "full", runs: 20, cases: 2000 }]) }));
  sidecars.push(await startFakeSidecar({ trial: trials[2]!, profile: "current", envSuffix: true, rows: [], status: currentStatus([{ name: "validation", disclosure: "full", runs: 20, cases: 2000 }, { name: "test", disclosure: "none", runs: 3, cases: null }]) }));
  for (const [i, trial] of trials.entries()) {
    mkdirSync(join(jobs, JOB, trial), { recursive: true });
    writeFileSync(join(jobs, JOB, trial, "config.json"), JSON.stringify({ task: { path: tasks[i] }, trial_name: trial }));
  }

  const keyFile = join(work, "agent.key");
  writeFileSync(keyFile, (await deriveAgentKey(worker.agentSecret, CAMPAIGN, "this-host")) + "\n", { mode: 0o600 });
  agent = startAgent(["--endpoint", worker.url, "--campaign", CAMPAIGN, "--agent-id", "this-host", "--key-file", keyFile,
    "--jobs", jobs, "--interval", "2s", "--state-dir", join(work, "agent-state"), "--trial-prefix", prefix]);
  agent.child.stderr!.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (/"level":"(warn|error)"/.test(line)) console.error(`agent: ${line}`);
  });

  console.log(`\nLookout board (real agent, real containers): ${worker.url}/campaigns/${CAMPAIGN}`);
  console.log(`sidecars: ${sidecars.map((s) => s.container).join(", ")}\nCtrl-C to stop.\n`);

  // Rounds arrive every few seconds; then the first trial finishes, its container goes away.
  const legacy: unknown[] = [];
  const current: unknown[][] = [[], []];
  for (let round = 1; !stopping; round++) {
    await new Promise((r) => setTimeout(r, 4000));
    if (round <= FIRST_FINISHES_AT) {
      legacy.unshift(legacyRow(`c0ffee${round}`, "validation", 0.4 + round * 0.012, now().replace("Z", "")));
      sidecars[0]!.setRows(legacy);
      sidecars[0]!.setStatus(legacyStatus([{ split: "validation", tier: "viewable", runs: 20 - round, samples: 2000 - round * 100 }]));
    }
    for (const [k, rows] of current.entries()) {
      rows.unshift(currentRecord(`ev-${k}-${round}`, `v${round}`, { name: "validation" }, 0.35 + round * 0.01 + k * 0.05, { createdAt: now(), cases: ["passed", "passed", round % 3 ? "passed" : "errored"] }));
      sidecars[k + 1]!.setRows(rows);
    }
    if (round === FIRST_FINISHES_AT) {
      const dir = join(jobs, JOB, trials[0]!);
      mkdirSync(join(dir, "verifier"), { recursive: true });
      writeFileSync(join(dir, "verifier", "reward.json"), JSON.stringify({ reward: 0.49 }));
      writeFileSync(join(dir, "result.json"), JSON.stringify({ task_name: tasks[0], trial_name: trials[0], verifier_result: { rewards: { reward: 0.49 } }, exception_info: null, started_at: new Date(Date.now() - 60_000).toISOString(), finished_at: now() }));
      await removeContainers([sidecars[0]!.container]);
      console.log(`${trials[0]} finished (reward 0.49) and its container is gone`);
    }
  }
} catch (err) {
  console.error(`stack: ${(err as Error).message}`);
  await shutdown(1);
}
