// A realistic campaign for the page's tests, seeded through the real signed ingest and meta upload.
import { finalObservation, heartbeat, containerFor, putMeta, round, TestAgent, trialObservation } from "../../support/batches.ts";
import type { RunningWorker } from "../../support/wrangler-dev.ts";

export const TRIALS = {
  retries: "gaia-exp11-tool-retries__nxkmtjb",
  cache: "gaia-exp12-cache__aa11bb2",
  building: "gaia-exp17-distill__mm22nn3",
} as const;

export async function seedCampaign(worker: RunningWorker, campaign: string): Promise<{ gpu1: TestAgent; gpu2: TestAgent }> {
  await putMeta(worker.url, campaign, {
    title: "GAIA tool-use campaign",
    experiments: [
      { key: "gaia-exp11-tool-retries", title: "Tool retries with backoff", question: "Does retrying failed tool calls beat 0.50?", bars: { baseline: 0.42, win_bar: 0.5, healthy: 0.9 }, note: "Restarted once after OOM." },
      { key: "gaia-exp12-cache", title: "Cache web fetches", question: "Does caching cut errors without hurting score?", bars: { baseline: 0.42, win_bar: 0.55, healthy: 0.9 } },
      { key: "gaia-exp15-selfcheck", title: "Self-check before answering", question: "Does a verification pass help?", bars: { baseline: 0.42, win_bar: 0.5 } },
      { key: "gaia-exp17-distill", title: "Smaller model distillation", bars: { baseline: 0.42, win_bar: 0.5 } },
    ],
    history: [
      { exp: "gaia-exp08-react", question: "Does ReAct prompting beat the baseline?", baseline: 0.42, bar: 0.5, final: 0.53, result: "passed", summary: "ReAct +0.11; kept." },
      { exp: "gaia-exp10-browse", question: "Browser tool v2", baseline: 0.42, bar: 0.5, final: 0.31, verdict: "failed", summary: "Regressed on long pages." },
    ],
  });
  const gpu1 = await TestAgent.create(worker.url, worker.agentSecret, campaign, "gpu-1");
  const gpu2 = await TestAgent.create(worker.url, worker.agentSecret, campaign, "gpu-2");
  const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
  await gpu1.send([
    heartbeat([containerFor(TRIALS.retries), containerFor(TRIALS.building)]),
    trialObservation("gaia-exp11-tool-retries", TRIALS.retries, [
      round("1111111aaaaaaa", "dev", 0.44, { createdAt: ago(40), errorRate: 0.08 }),
      round("2222222bbbbbbb", "dev", 0.49, { createdAt: ago(30), errorRate: 0.05 }),
      round("3333333ccccccc", "dev", 0.52, { createdAt: ago(20), errorRate: 0.03 }),
      round("4444444ddddddd", "dev", 0.58, { createdAt: ago(10), errorRate: 0.02 }),
    ], { budget: [{ split: "dev", tier: "viewable", remaining_runs: 12, remaining_samples: 480 }] }),
    trialObservation("gaia-exp17-distill", TRIALS.building, []),
  ]);
  await gpu2.send([
    heartbeat([]),
    trialObservation("gaia-exp12-cache", TRIALS.cache, [
      round("5555555eeeeeee", "dev", 0.47, { createdAt: ago(50) }),
      round("6666666fffffff", "dev", 0.6, { createdAt: ago(35) }),
    ], { budget: [{ split: "dev", tier: "viewable", remaining_runs: 3, remaining_samples: 100 }] }),
    finalObservation("gaia-exp12-cache", TRIALS.cache, { reward: 0.6 }, { finishedAt: ago(30) }),
  ]);
  return { gpu1, gpu2 };
}
