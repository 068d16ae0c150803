// The board as a viewer sees it, in real Chromium: a campaign seeded by an admin is reopened with
// LOOKOUT_DEV_ROLE=viewer, and no_access-tier scores are shown as hidden — never drawn, never sent
// over the live socket or the API, including rounds that arrive while the page is open.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { containerFor, finalObservation, heartbeat, putMeta, round, TestAgent, trialObservation } from "../support/batches.ts";
import { startWorker, type RunningWorker } from "../support/wrangler-dev.ts";
import { formatRate, formatScore } from "../../web/src/format.ts";
import { armTrap, cardText, cspViolations, launchChromium, openBoard, type PageTrap } from "./support/browser.ts";

const CAMPAIGN = "web-viewer";
const MIXED = "viewer-exp1-mixed";
const OPEN = "viewer-exp2-open";
const MIXED_TRIAL = `${MIXED}__hh11kk2`;
const OPEN_TRIAL = `${OPEN}__pp33qq4`;

const VISIBLE_SCORE = 0.6421;
const OPEN_FINAL = 0.5812;
/** Scores and error rates of the no_access split, and the final of the experiment that has one. */
const HIDDEN = { first: 0.8137, second: 0.9264, firstRate: 0.0561, secondRate: 0.0683, final: 0.7358 };
/** A no_access round ingested while the viewer's page is open. */
const LIVE_HIDDEN = { score: 0.9591, rate: 0.0472 };

const BUDGET = [
  { split: "dev", tier: "viewable" as const, remaining_runs: 10, remaining_samples: 400 },
  { split: "holdout", tier: "no_access" as const, remaining_runs: 2, remaining_samples: 50 },
];

/**
 * Every way a hidden value could surface: as stored (JSON) and as the page formats it; on the page
 * text also its bare digits (frames carry epoch-ms numbers where four digits may occur by chance).
 */
function forbiddenForms(scores: number[], rates: number[], opts: { digits: boolean }): string[] {
  return [
    ...scores.flatMap((v) => [String(v), formatScore(v), ...(opts.digits ? [String(v).slice(2)] : [])]),
    ...rates.flatMap((v) => [String(v), formatRate(v)]),
  ];
}

function leaks(text: string, forms: string[]): string[] {
  return forms.filter((f) => text.includes(f));
}

describe("the board seen by a viewer (LOOKOUT_DEV_ROLE=viewer) in Chromium", () => {
  let worker: RunningWorker;
  let browser: Browser;
  let agent: TestAgent;
  let page: Page;
  let trap: PageTrap;
  const frames: string[] = [];
  const apiBodies: string[] = [];

  beforeAll(async () => {
    // Seeded as an admin on one Worker, then read as a viewer by a second on the same storage and
    // port, so the admin-keyed agent (ingest is agent-signed, not operator-gated) keeps sending to it.
    const admin = await startWorker();
    try {
      await putMeta(admin.url, CAMPAIGN, {
        title: "Viewer preview campaign",
        experiments: [
          { key: MIXED, title: "Mixed splits", question: "Does the held-out split agree?", bars: { baseline: 0.4, win_bar: 0.5 } },
          { key: OPEN, title: "Open splits only", bars: { baseline: 0.4, win_bar: 0.5 } },
        ],
      });
      agent = await TestAgent.create(admin.url, admin.agentSecret, CAMPAIGN, "gpu-v");
      const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
      await agent.send([
        heartbeat([containerFor(MIXED_TRIAL)]),
        trialObservation(MIXED, MIXED_TRIAL, [
          round("a1a1a1a1a1a1a1", "dev", VISIBLE_SCORE, { createdAt: ago(30), errorRate: 0.02 }),
          round("b2b2b2b2b2b2b2", "holdout", HIDDEN.first, { createdAt: ago(20), errorRate: HIDDEN.firstRate }),
          round("c3c3c3c3c3c3c3", "holdout", HIDDEN.second, { createdAt: ago(10), errorRate: HIDDEN.secondRate }),
        ], { budget: BUDGET }),
        finalObservation(MIXED, MIXED_TRIAL, { reward: HIDDEN.final }, { finishedAt: ago(5) }),
        trialObservation(OPEN, OPEN_TRIAL, [round("d4d4d4d4d4d4d4", "dev", 0.55, { createdAt: ago(25) })], { budget: [BUDGET[0]!] }),
        finalObservation(OPEN, OPEN_TRIAL, { reward: OPEN_FINAL }, { finishedAt: ago(4) }),
      ]);
      // The admin does see the hidden score: the viewer's absence of it below is redaction, not missing data.
      const adminStatus = await (await fetch(`${admin.url}/api/campaigns/${CAMPAIGN}/status`)).text();
      expect(adminStatus).toContain(String(HIDDEN.first));
    } finally {
      await admin.stop();
    }

    [worker, browser] = await Promise.all([startWorker({ persistDir: admin.persistDir, port: admin.port, vars: { LOOKOUT_DEV_ROLE: "viewer" } }), launchChromium()]);

    page = await browser.newPage();
    trap = await armTrap(page);
    page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(typeof f.payload === "string" ? f.payload : f.payload.toString("utf8"))));
    page.on("response", (res) => {
      if (new URL(res.url()).pathname.startsWith("/api/")) void res.text().then((t) => apiBodies.push(t), () => {});
    });
    await openBoard(page, worker.url, CAMPAIGN);
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop({ removeState: true });
  });

  it("shows the viewable score and marks the no_access rounds and the final as hidden", async () => {
    const mixed = await cardText(page, MIXED);
    expect(mixed).toContain(formatScore(VISIBLE_SCORE));
    expect(mixed).toContain("3 rounds");
    const card = page.locator(`article.card[data-key="${MIXED}"]`);
    // Two hidden rounds, each with a hidden score and a hidden error rate.
    expect(await card.locator(".hidden-value").count()).toBe(4);
    expect(await card.locator(".verdict-value").innerText()).toContain("hidden");
    // A viewable experiment's final is still drawn: the page does render finals for a viewer.
    expect(await cardText(page, OPEN)).toContain(formatScore(OPEN_FINAL));
    expect(await page.locator("body").innerText()).toContain("viewer: scores of no-access splits are hidden");
  });

  it("never puts a hidden value in the page text, a live frame or an API response", async () => {
    const hidden = [[HIDDEN.first, HIDDEN.second, HIDDEN.final], [HIDDEN.firstRate, HIDDEN.secondRate]] as const;
    const forms = forbiddenForms([...hidden[0]], [...hidden[1]], { digits: false });
    expect(frames.length, "live frames received").toBeGreaterThan(0);
    expect(frames.some((f) => f.includes(String(VISIBLE_SCORE))), "the snapshot frame carries the visible score").toBe(true);
    expect(leaks(await page.evaluate(() => document.body.innerText), forbiddenForms([...hidden[0]], [...hidden[1]], { digits: true }))).toEqual([]);
    expect(leaks(frames.join("\n"), forms)).toEqual([]);
    // The page itself lives on the socket; ask the status route from the page as it would.
    const status = await page.evaluate(async (c) => (await fetch(`/api/campaigns/${c}/status`, { credentials: "same-origin" })).text(), CAMPAIGN);
    expect((JSON.parse(status) as { role: string }).role).toBe("viewer");
    expect(status).toContain(String(VISIBLE_SCORE));
    expect(leaks([status, ...apiBodies].join("\n"), forms)).toEqual([]);
  });

  it("applies a live no_access round to the open card while its score stays out of every frame and the text", async () => {
    const framesBefore = frames.length;
    await agent.send([
      heartbeat([containerFor(MIXED_TRIAL)]),
      trialObservation(MIXED, MIXED_TRIAL, [round("e5e5e5e5e5e5e5", "holdout", LIVE_HIDDEN.score, { errorRate: LIVE_HIDDEN.rate })], { budget: BUDGET }),
    ]);
    await expect.poll(() => cardText(page, MIXED), { timeout: 10_000, interval: 50 }).toContain("4 rounds");
    expect(frames.length).toBeGreaterThan(framesBefore);
    expect(await page.locator(`article.card[data-key="${MIXED}"] .hidden-value`).count()).toBe(6);
    const scores = [LIVE_HIDDEN.score, HIDDEN.first, HIDDEN.second, HIDDEN.final];
    const rates = [LIVE_HIDDEN.rate, HIDDEN.firstRate, HIDDEN.secondRate];
    expect(leaks(frames.join("\n"), forbiddenForms(scores, rates, { digits: false }))).toEqual([]);
    expect(leaks(await page.evaluate(() => document.body.innerText), forbiddenForms(scores, rates, { digits: true }))).toEqual([]);
    expect(trap.problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });
});
