// A producer that never heartbeats (the curl example, a Harbor hook) is judged silent on the server's
// clock, from when its last report arrived, as a host is from its last heartbeat: whatever its own clock
// says. This project's heartbeat timeout is 3 s, so the real alarm fires on its own within each test.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EventsReply } from "../../protocol/index.ts";
import { freshCampaign } from "../support/campaigns.ts";
import { campaignObject, experimentOf, operatorGet, putMeta, round, status, trialObservation, WorkerAgent } from "../workers/campaign-support.ts";
import { openLive } from "../workers/live-support.ts";
import { configureWebhook, inObject, raisedEvents, receiver } from "../workers/alerts-support.ts";

const TEN_MINUTES_MS = 10 * 60_000;
const TIMEOUT_MS = 3000;

async function events(campaign: string): Promise<EventsReply["events"]> {
  const res = await operatorGet(`/api/campaigns/${campaign}/events`);
  expect(res.status).toBe(200);
  return ((await res.json()) as EventsReply).events;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, withinMs = TIMEOUT_MS + 5000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Heartbeat-less producers, one per host, each posting rounds stamped by its own clock `skewMs` off. */
function producers(campaign: string) {
  const byHost = new Map<string, WorkerAgent>();
  let n = 0;
  return async (host: string, experiment: string, skewMs: number): Promise<void> => {
    const producer = byHost.get(host) ?? new WorkerAgent(campaign, `producer-${host}`, host);
    byHost.set(host, producer);
    const at = new Date(Date.now() + skewMs).toISOString();
    n++;
    await producer.send([trialObservation(experiment, `${experiment}__aaaaaaa`, [round(`c${n}`, "dev", 0.4, { id: String(n), createdAt: at })], { at })]);
  };
}

describe("a producer that never heartbeats", () => {
  it("reads running right after it reports, its clock ten minutes behind or ahead, and stale once the server has not heard from it for the timeout", async () => {
    const campaign = freshCampaign("silence-skew");
    const report = producers(campaign);
    // The meta write arms the watch with nothing to watch: the reports below must bring it due themselves.
    expect((await putMeta(campaign, { experiments: [{ key: "behind-task" }, { key: "ahead-task" }] })).status).toBe(200);
    await report("box-behind", "behind-task", -TEN_MINUTES_MS);
    await report("box-ahead", "ahead-task", TEN_MINUTES_MS);
    const fresh = await status(campaign);
    expect(experimentOf(fresh, "behind-task").phase).toBe("running");
    expect(experimentOf(fresh, "ahead-task").phase).toBe("running");

    // Nobody touches the campaign: only its own alarm can log the silence.
    const logged = await waitFor(async () => {
      const phases = (await events(campaign)).filter((e) => e.kind === "phase" && e.to === "stale");
      return phases.length === 2 ? phases : undefined;
    }, "both producers' silence in the event log");
    expect(logged.map((e) => [e.experiment, e.from, e.to]).sort()).toEqual([["ahead-task", "running", "stale"], ["behind-task", "running", "stale"]]);
    const silent = await status(campaign);
    expect(experimentOf(silent, "behind-task").phase_reason).toMatch(/^host box-behind never sent a heartbeat and last reported \d+ s ago \(heartbeat timeout 3s\)/);
    expect(experimentOf(silent, "ahead-task").phase).toBe("stale");

    // Logged once: a later alarm finds nothing new.
    const all = await events(campaign);
    await runDurableObjectAlarm(campaignObject(campaign));
    expect(await events(campaign)).toEqual(all);
  });

  it("pushes each silence to an open board when it begins, that experiment alone", async () => {
    const campaign = freshCampaign("silence-live");
    const report = producers(campaign);
    const live = await openLive(campaign);
    expect((await live.next()).type).toBe("snapshot");
    /** The next delta that says any experiment is stale (the reports' own deltas, however coalesced, before it). */
    const nextStaleDelta = () => waitFor(async () => {
      const m = await live.next().catch(() => undefined);
      if (m?.type !== "delta") return undefined;
      return m.experiments.some((e) => e.phase === "stale") ? m : undefined;
    }, "a delta with a stale experiment");
    await report("box-1", "first-task", -TEN_MINUTES_MS);
    await report("box-2", "second-task", 0);
    // The second producer speaks again 1.5 s later: its silence begins 1.5 s after the first one's.
    await new Promise((r) => setTimeout(r, 1500));
    await report("box-2", "second-task", 0);

    const first = await nextStaleDelta();
    expect(first.experiments.map((e) => [e.key, e.phase])).toEqual([["first-task", "stale"]]);
    expect(first.counts).toMatchObject({ stale: 1, running: 1 });
    const second = await nextStaleDelta();
    expect(second.experiments.map((e) => [e.key, e.phase])).toEqual([["second-task", "stale"]]);
    expect(second.counts).toMatchObject({ stale: 2 });
    live.ws.close();
  });

  it("alerts stale once when it falls silent, from the alarm alone, and recovered once it stays back", async () => {
    const campaign = freshCampaign("silence-alert");
    const report = producers(campaign);
    await report("box-1", "quiet-task", -TEN_MINUTES_MS);
    const r = await receiver();
    await configureWebhook(campaign, r.url, { events: ["stale"] });
    const stub = campaignObject(campaign);

    const [stale] = await waitFor(async () => {
      const got = await r.events();
      return got.length > 0 ? got : undefined;
    }, "the stale alert");
    expect(stale).toMatchObject({ type: "stale", host: "box-1", data: { experiments: ["quiet-task"], heartbeat_timeout_s: 3 } });
    expect(stale!.summary).toMatch(/^host box-1 never sent a heartbeat and last reported \d+ s ago \(heartbeat timeout 3s\): state of its experiments unknown; experiments: quiet-task$/);
    await runDurableObjectAlarm(stub);
    expect(await raisedEvents(campaign)).toEqual([{ type: "stale", experiment: null, host: "box-1" }]);

    // It reports again; the recovery is announced once it has lasted the flap window (moved into the past here).
    await report("box-1", "quiet-task", -TEN_MINUTES_MS);
    await inObject(campaign, "UPDATE alert_state SET since_ms = since_ms - 300000 WHERE topic = 'host'");
    await runDurableObjectAlarm(stub);
    expect((await raisedEvents(campaign)).map((e) => [e.type, e.host])).toEqual([["stale", "box-1"], ["recovered", "box-1"]]);
  });
});
