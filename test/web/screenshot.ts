// Saves docs/screenshot.png: a realistic campaign seeded through the real signed ingest, meta and
// budget routes, rendered by the real Worker in headless Chromium. Run: npx tsx test/web/screenshot.ts [light|dark]
import { mkdirSync } from "node:fs";
import { containerFor, finalObservation, heartbeat, putMeta, round, TestAgent, trialObservation } from "../support/batches.ts";
import { startWorker } from "../support/wrangler-dev.ts";
import { launchChromium, openBoard } from "./support/browser.ts";

const CAMPAIGN = "gaia-nov";
const scheme = process.argv[2] === "dark" ? "dark" : "light";
const out = process.argv[3] ?? (scheme === "dark" ? "docs/screenshot-dark.png" : "docs/screenshot.png");
const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const commit = (i: number) => `${(0x1a2b3c4 + i * 7919).toString(16)}e9f01d2c3b4a5968778695a4b3c2d1e0f`.slice(0, 40);

// A short heartbeat timeout lets one host go stale during the seeding, as it would after a crash.
const worker = await startWorker({ vars: { HEARTBEAT_TIMEOUT_S: "4" } });
const browser = await launchChromium();
try {
  const bars = { baseline: 0.42, win_bar: 0.5, healthy: 0.9 };
  await putMeta(worker.url, CAMPAIGN, {
    title: "GAIA tool-use campaign · November",
    experiments: [
      { key: "gaia-tool-retries", title: "Tool retries with backoff", question: "Does retrying failed tool calls lift the pass rate above 0.50?", bars, note: "Restarted once after an OOM at round 3." },
      { key: "gaia-fetch-cache", title: "Cache web fetches", question: "Does caching cut the error rate without hurting the score?", bars: { ...bars, win_bar: 0.55 } },
      { key: "gaia-planner-v2", title: "Planner prompt v2", question: "Does an explicit plan step beat 0.50?", bars },
      { key: "gaia-long-context", title: "Long-context summarizer", question: "Does summarizing long pages help?", bars },
      { key: "gaia-self-check", title: "Self-check before answering", question: "Does a verification pass beat 0.50?", bars },
      { key: "gaia-distill-small", title: "Distilled small model", question: "Can a small model hold 0.45 at a third of the cost?", bars: { baseline: 0.42, win_bar: 0.45 } },
      { key: "gaia-multi-agent", title: "Two-agent debate", question: "Does a critic agent raise the score?", bars },
    ],
    history: [
      { exp: "gaia-react", question: "Does ReAct prompting beat the baseline?", baseline: 0.42, bar: 0.5, final: 0.53, result: "passed", summary: "ReAct +0.11 on dev; kept as the new default." },
      { exp: "gaia-temperature", question: "Does temperature 0.2 help?", baseline: 0.42, bar: 0.5, final: 0.43, result: "no change", summary: "Within noise across 3 attempts." },
      { exp: "gaia-browser-v2", question: "Browser tool v2", baseline: 0.42, bar: 0.5, final: 0.31, result: "failed", summary: "Regressed on long pages; reverted." },
      { exp: "gaia-code-exec", question: "Sandboxed code execution", baseline: 0.42, bar: 0.5, final: null, result: "cancelled", summary: "Sidecar budget exhausted before a final." },
    ],
  });
  const budgetRes = await fetch(`${worker.url}/api/campaigns/${CAMPAIGN}/budget`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ splits: [
      { split: "dev", tier: "viewable", total_runs: 200, total_samples: 20000, max_samples_per_run: 500 },
      { split: "test", tier: "no_access", total_runs: 10, total_samples: 1000, max_samples_per_run: 100 },
    ] }),
  });
  if (!budgetRes.ok) console.warn(`budget config refused (${budgetRes.status}): the screenshot will lack the campaign budget`);

  const gpu1 = await TestAgent.create(worker.url, worker.agentSecret, CAMPAIGN, "gpu-1");
  const gpu2 = await TestAgent.create(worker.url, worker.agentSecret, CAMPAIGN, "gpu-2");
  const gpu3 = await TestAgent.create(worker.url, worker.agentSecret, CAMPAIGN, "gpu-3");
  const T = { retries: "gaia-tool-retries__nxkmtjb", cache: "gaia-fetch-cache__aa11bb2", planner: "gaia-planner-v2__ab12cd3", longctx: "gaia-long-context__qq11ww2", distill: "gaia-distill-small__mm22nn3", multi: "gaia-multi-agent__pp00oo9", cacheOld: "gaia-fetch-cache__zz99yy8" };
  const rounds = (n: number, start: number, step: number, every = 0) => Array.from({ length: n }, (_, i) => round(commit(start * 100 + i), every && i % every === every - 1 ? "test" : "dev", +(start / 100 + i * step + ((i * 37) % 5) / 100).toFixed(3), { createdAt: ago((n - i) * 6), errorRate: +(((i * 13) % 9) / 100).toFixed(2) }));
  const devBudget = (runs: number, samples: number) => [{ split: "dev", tier: "viewable" as const, remaining_runs: runs, remaining_samples: samples }, { split: "test", tier: "no_access" as const, remaining_runs: 2, remaining_samples: null }];

  // gpu-3 reports a trial, then goes silent: its experiment turns stale.
  await gpu3.send([heartbeat([containerFor(T.multi)]), trialObservation("gaia-multi-agent", T.multi, rounds(3, 44, 0.01), { budget: devBudget(6, 300) })]);
  await gpu1.send([
    heartbeat([containerFor(T.retries), containerFor(T.distill)]),
    trialObservation("gaia-tool-retries", T.retries, rounds(9, 43, 0.018, 4), { budget: devBudget(12, 480) }),
    trialObservation("gaia-distill-small", T.distill, []),
    finalObservation("gaia-long-context", T.longctx, null, { finishedAt: ago(7), exception: { type: "AgentTimeoutError", message: "Agent execution timed out after 3600 s" } }),
  ]);
  await gpu2.send([
    heartbeat([]),
    trialObservation("gaia-fetch-cache", T.cache, rounds(8, 45, 0.02), { budget: devBudget(3, 120) }),
    finalObservation("gaia-fetch-cache", T.cacheOld, { reward: 0.41 }, { finishedAt: ago(180), job: "2026-11-23__22-00-00" }),
    finalObservation("gaia-fetch-cache", T.cache, { reward: 0.61 }, { finishedAt: ago(12) }),
    trialObservation("gaia-planner-v2", T.planner, rounds(5, 80, 0.03)),
    finalObservation("gaia-planner-v2", T.planner, { reward: 0.96 }, { finishedAt: ago(25) }),
  ]);
  await new Promise((r) => setTimeout(r, 5500));
  // gpu-1 and gpu-2 keep reporting; gpu-3 stays silent past the timeout.
  await gpu1.send([heartbeat([containerFor(T.retries), containerFor(T.distill)]), trialObservation("gaia-tool-retries", T.retries, [round(commit(999), "dev", 0.57, { createdAt: ago(0.5), errorRate: 0.02 })], { budget: devBudget(11, 440) })]);
  await gpu2.send([heartbeat([], { docker: "ok" })]);

  const page = await browser.newPage({ viewport: { width: Number(process.env.SHOT_WIDTH ?? 1440), height: 1000 }, colorScheme: scheme, deviceScaleFactor: 1 });
  await openBoard(page, worker.url, CAMPAIGN);
  await page.waitForTimeout(1200);
  mkdirSync("docs", { recursive: true });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await worker.stop({ removeState: true });
}
