// What changed and the budget's pace, in real headless Chromium against the real Worker (wrangler dev):
// the "since your last visit" panel (the mark kept per campaign in localStorage, read again after a live
// change, "Mark all seen"), a card's timeline (oldest first, open across live rebuilds) and
// "37 of 40 runs left · ~6 h at this pace" from the sidecar's own observation times.
import { beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { containerFor, finalObservation, heartbeat, round, trialObservation, type TestAgent } from "../support/batches.ts";
import { armTrap, cspViolations, openBoard } from "./support/browser.ts";
import { useWorkerAndBrowser } from "./support/worker-and-browser.ts";
import { seedCampaign, TRIALS } from "./support/seed.ts";

const CAMPAIGN = "web-what-changed";
const RETRIES = "gaia-exp11-tool-retries";
const CACHE = "gaia-exp12-cache";
const MARK = `lookout:last-visit:${CAMPAIGN}`;
const panel = (page: Page) => page.locator("section.since-visit");

describe("what changed, and the budget's pace, in Chromium", () => {
  const real = useWorkerAndBrowser();
  let gpu1: TestAgent;
  let gpu2: TestAgent;
  let seededAt: number;

  beforeAll(async () => {
    seededAt = Date.now();
    ({ gpu1, gpu2 } = await seedCampaign(real.worker, CAMPAIGN));
  });

  /** A browser that last had this board open `minutesAgo` minutes ago (or never: null). */
  async function visitor(minutesAgo: number | null): Promise<BrowserContext> {
    const origin = new URL(real.worker.url).origin;
    const localStorage = minutesAgo === null ? [] : [{ name: MARK, value: new Date(seededAt - minutesAgo * 60_000).toISOString() }];
    return real.browser.newContext({ storageState: { cookies: [], origins: [{ origin, localStorage }] } });
  }

  it("lists what changed since the last visit, reads again after a live change, and forgets it on \"Mark all seen\"", async () => {
    const context = await visitor(60);
    const page = await context.newPage();
    const trap = await armTrap(page);
    await openBoard(page, real.worker.url, CAMPAIGN);
    await expect.poll(() => panel(page).locator("ol.events li").count()).toBeGreaterThan(0);
    expect(await panel(page).locator("h2").innerText()).toBe("Since your last visit");
    expect(await panel(page).innerText()).toContain("last visit 1 h");
    const kinds = await panel(page).locator("ol.events li").evaluateAll((els) => els.map((e) => [e.getAttribute("data-kind"), e.getAttribute("data-experiment")]));
    expect(kinds).toContainEqual(["final", CACHE]);
    expect(kinds).toContainEqual(["phase", RETRIES]);
    expect(await panel(page).locator(".since-summary").innerText()).toMatch(/^\d+ changes: \d+ phase changes · 1 verdict · 1 final$/);
    // Newest first: the seed's final for the cache experiment came last.
    expect(await panel(page).locator("ol.events li").first().getAttribute("data-experiment")).toBe(CACHE);

    // A live change the log records (a final) brings the panel up to date without a reload.
    await gpu1.send([heartbeat([containerFor(TRIALS.retries), containerFor(TRIALS.building)]), finalObservation(RETRIES, TRIALS.retries, { reward: 0.58 })]);
    await expect.poll(() => panel(page).locator(`ol.events li[data-kind="final"][data-experiment="${RETRIES}"]`).count(), { timeout: 15_000 }).toBe(1);
    expect(await panel(page).locator("ol.events li").first().getAttribute("data-experiment")).toBe(RETRIES);
    expect(await panel(page).locator(`li[data-kind="final"][data-experiment="${RETRIES}"] .event-detail`).innerText()).toBe(`Tool retries with backoff (${RETRIES}): final result from trial ${TRIALS.retries} (job 2026-11-24__02-00-00)`);

    await panel(page).getByRole("button", { name: "Mark all seen" }).click();
    expect(await panel(page).locator(".since-summary").innerText()).toBe("Nothing changed.");
    const stored = await page.evaluate((key) => localStorage.getItem(key), MARK);
    const newest = await page.evaluate(async (campaign) => (await (await fetch(`/api/campaigns/${campaign}/events?limit=1`)).json()).events[0].at, CAMPAIGN);
    expect(Date.parse(stored!)).toBeGreaterThanOrEqual(Date.parse(newest));
    await page.reload();
    await page.waitForSelector(".board:not([hidden])");
    await expect.poll(() => panel(page).locator(".since-summary").innerText()).toBe("Nothing changed.");
    expect(await panel(page).locator("h2").innerText()).toBe("Since your last visit");
    expect(await cspViolations(page)).toEqual([]);
    expect(trap.problems).toEqual([]);
    await context.close();
  });

  it("shows the last day on a first visit from a browser, and records the visit when the page is left", async () => {
    const context = await visitor(null);
    const page = await context.newPage();
    await openBoard(page, real.worker.url, CAMPAIGN);
    await expect.poll(() => panel(page).locator("ol.events li").count()).toBeGreaterThan(0);
    expect(await panel(page).locator("h2").innerText()).toBe("Recent changes (last 24 h)");
    expect(await panel(page).innerText()).toContain("First visit from this browser");
    expect(await page.evaluate((key) => localStorage.getItem(key), MARK)).toBeNull();
    await page.goto("about:blank"); // leaving the board records the visit
    const other = await context.newPage();
    await openBoard(other, real.worker.url, CAMPAIGN);
    await expect.poll(() => panel(other).locator(".since-summary").innerText()).toBe("Nothing changed.");
    expect(await panel(other).locator("h2").innerText()).toBe("Since your last visit");
    await context.close();
  });

  it("opens a card's timeline oldest first, keeps it open across a live rebuild of the card", async () => {
    const context = await visitor(5);
    const page = await context.newPage();
    await openBoard(page, real.worker.url, CAMPAIGN);
    const card = page.locator(`article.card[data-key="${CACHE}"]`);
    await card.getByRole("button", { name: "Timeline" }).click();
    const items = card.locator(".timeline ol.events li");
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(3);
    const kinds = await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-kind")));
    expect(kinds[0]).toBe("phase"); // first seen
    expect(kinds).toEqual(expect.arrayContaining(["final", "verdict"]));
    expect(new Set(await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-experiment"))))).toEqual(new Set([CACHE]));
    const times = await items.locator("time").evaluateAll((els) => els.map((e) => e.getAttribute("datetime")!));
    expect([...times].sort()).toEqual(times);
    expect(await card.locator(".timeline .muted").first().innerText()).toMatch(/^\d+ changes, oldest first$/);
    // A live update rebuilds the card; the timeline stays open and is read again.
    const before = await items.count();
    await gpu2.send([heartbeat([containerFor(TRIALS.cache)]), trialObservation(CACHE, TRIALS.cache, [round("7777777aaaaaaa", "dev", 0.61)], { error: "sidecar unreachable: connection refused" })]);
    await expect.poll(() => page.locator(`article.card[data-key="${CACHE}"] .timeline ol.events li`).count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(before);
    expect(await page.locator(`article.card[data-key="${CACHE}"]`).getByRole("button", { name: "Hide the timeline" }).count()).toBe(1);
    await context.close();
  });

  it("says how many runs are left of the total and how long they last at the sidecar's own pace", async () => {
    const exp = "gaia-exp15-selfcheck";
    const trial = "gaia-exp15-selfcheck__pp33qq4";
    const at = (minAgo: number) => new Date(Date.now() - minAgo * 60_000).toISOString();
    const budget = (left: number) => [{ split: "dev", tier: "viewable" as const, remaining_runs: left, remaining_samples: left * 100, total_runs: 40, total_samples: 4000 }];
    await gpu1.send([heartbeat([containerFor(trial), containerFor(TRIALS.retries), containerFor(TRIALS.building)]), trialObservation(exp, trial, [], { at: at(30), budget: budget(40) })]);
    await gpu1.send([heartbeat([containerFor(trial), containerFor(TRIALS.retries), containerFor(TRIALS.building)]), trialObservation(exp, trial, [], { at: at(0), budget: budget(37) })]);
    const page = await real.browser.newPage();
    await openBoard(page, real.worker.url, CAMPAIGN);
    const line = page.locator(`article.card[data-key="${exp}"] ul.budget li`).first();
    // 3 runs in 30 min = 6 an hour; 37 left ≈ 6.2 h.
    await expect.poll(() => line.locator(".budget-text").innerText()).toBe("37 of 40 runs left · ~6 h at this pace · 3,700 of 4,000 samples left");
    expect(await line.locator("time.pace").getAttribute("title")).toMatch(/UTC at 6\.0 runs per hour$/);
    // A split without stated totals or a second observation keeps the plain remainder, no pace.
    expect(await page.locator(`article.card[data-key="${RETRIES}"] ul.budget .budget-text`).first().innerText()).toBe("12 runs left · 480 samples left");
    await page.close();
  });
});
