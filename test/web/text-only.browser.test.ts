// Nothing on the page can run script from data: hostile strings from the operator's meta and from
// agents (commit, split, errors, exceptions), and the event log's details built from them, render as
// literal text in real Chromium.
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { containerFor, finalObservation, heartbeat, putMeta, round, TestAgent, trialObservation } from "../support/batches.ts";
import { armTrap, cspViolations, openBoard, type PageTrap } from "./support/browser.ts";
import { useWorkerAndBrowser } from "./support/worker-and-browser.ts";

const CAMPAIGN = "web-xss";
const IMG = `<img src=x onerror="window.__pwned=1;alert('img')">`;
const SCRIPT = `<script>window.__pwned=1;alert('script')</script>`;
const SVG = `<svg onload="window.__pwned=1;alert('svg')"></svg>`;
const EXP = "xss-exp";
const TRIAL = "xss-exp__abc1234";

describe("text-only rendering of hostile data", () => {
  const real = useWorkerAndBrowser();
  let page: Page;
  let trap: PageTrap;

  beforeAll(async () => {
    await putMeta(real.worker.url, CAMPAIGN, {
      title: `Campaign ${SCRIPT}`,
      experiments: [{ key: EXP, title: `Title ${IMG}`, question: `Question ${SCRIPT}`, note: `Note ${SVG}`, bars: { baseline: 0.1, win_bar: 0.2 } }],
      history: [{ exp: `hist ${IMG}`, question: `Q ${SVG}`, baseline: 0.1, bar: 0.2, final: 0.3, result: "passed", summary: `Summary ${SCRIPT}` }],
    });
    const agent = await TestAgent.create(real.worker.url, real.worker.agentSecret, CAMPAIGN, "gpu-x", `host ${SVG}`);
    await agent.send([
      heartbeat([containerFor(TRIAL)]),
      trialObservation(EXP, TRIAL, [round(`c ${IMG}`, `split ${SVG}`, 0.15)], { error: `sidecar said ${SCRIPT}` }),
      finalObservation(EXP, TRIAL, null, { exception: { type: `Err ${IMG}`, message: `boom ${SVG}` } }),
    ]);
    page = await real.browser.newPage();
    trap = await armTrap(page);
    await openBoard(page, real.worker.url, CAMPAIGN);
  });

  it("shows meta titles, questions, notes and scorecard cells as the literal text the operator wrote", async () => {
    const text = await page.locator("#app").innerText();
    for (const literal of [`Campaign ${SCRIPT}`, `Title ${IMG}`, `Question ${SCRIPT}`, `Note ${SVG}`, `hist ${IMG}`, `Q ${SVG}`, `Summary ${SCRIPT}`]) {
      expect(text).toContain(literal);
    }
  });

  it("shows agent-reported commits, splits, host names, errors and exceptions as literal text", async () => {
    const text = await page.locator("#app").innerText();
    expect(text).toContain(`split ${SVG}`);
    expect(text).toContain(`sidecar said ${SCRIPT}`);
    expect(text).toContain(`Err ${IMG}`);
    expect(text).toContain(`boom ${SVG}`);
    expect(text).toContain(`host ${SVG}`);
  });

  it("shows the event log's details (titles, trials, hosts) as literal text, in the panel and a card's timeline", async () => {
    const panelEvents = page.locator("section.since-visit ol.events");
    await expect.poll(() => panelEvents.innerText()).toContain(`Title ${IMG} (${EXP})`);
    await page.locator(`article.card[data-key="${EXP}"]`).getByRole("button", { name: "Timeline" }).click();
    await expect.poll(() => page.locator(`article.card[data-key="${EXP}"] .timeline ol.events`).innerText()).toContain(`Title ${IMG} (${EXP}): final attempt failed from trial ${TRIAL}`);
  });

  it("creates no element from data and runs nothing: no img, no extra script, no handlers, no dialogs", async () => {
    const injected = await page.evaluate(() => ({
      img: document.querySelectorAll("img").length,
      scripts: Array.from(document.querySelectorAll("script")).map((s) => s.getAttribute("src")),
      handlers: document.querySelectorAll("[onerror], [onload]").length,
      // Only the page's own charts are SVG, and they have no handlers.
      foreignSvg: Array.from(document.querySelectorAll("svg")).filter((s) => !s.classList.contains("chart")).length,
    }));
    expect(injected).toEqual({ img: 0, scripts: ["/app.js"], handlers: 0, foreignSvg: 0 });
    expect(await trap.pwned()).toBe(false);
    expect(trap.dialogs).toEqual([]);
    expect(trap.problems).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });

  it("sends a strict Content-Security-Policy with the page, and the page also declares one itself", async () => {
    const res = await fetch(`${real.worker.url}/campaigns/${CAMPAIGN}`);
    const html = await res.text();
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
  });
});
