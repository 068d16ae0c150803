// The campaign event log through the real signed ingest and the real route: each change logged once in the
// change's transaction, replays log nothing, newest-first paging by cursor, `since`, and 400s naming the field.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EventsReply } from "../../protocol/index.ts";
import { WorkerAgent, campaignObject, containerFor, finalObservation, heartbeat, operatorGet, putMeta, round, trialObservation } from "./campaign-support.ts";
import { freshCampaign } from "../support/campaigns.ts";
import { configureWebhook, inObject, receiver } from "./alerts-support.ts";
import { adminRequest, reservePath, viewable } from "./budget-support.ts";
import { signedFetch } from "./agent-client.ts";

const exp = "event-task";
const trial = "event-task__abcdefg";

async function events(campaign: string, query = ""): Promise<EventsReply> {
  const res = await operatorGet(`/api/campaigns/${campaign}/events${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as EventsReply;
}

async function setUp(prefix: string) {
  const campaign = freshCampaign(prefix);
  expect((await putMeta(campaign, { experiments: [{ key: exp, title: "Event task", bars: { baseline: 0.3, win_bar: 0.5 } }] })).status).toBe(200);
  const agent = new WorkerAgent(campaign);
  await agent.send([heartbeat([containerFor(trial)]), trialObservation(exp, trial, [round("c1", "dev", 0.4, { id: "1" })])]);
  return { campaign, agent };
}

describe("campaign event log", () => {
  it("logs a phase change with from/to and a verdict once each, and a replayed batch logs nothing new", async () => {
    const { campaign, agent } = await setUp("ev-basic");
    const before = (await events(campaign)).events;
    // Newest first: the meta named it (no trial yet), then its first round made it run.
    expect(before.filter((e) => e.kind === "phase").map((e) => [e.from, e.to])).toEqual([["gone", "running"], [null, "gone"]]);
    const final = [heartbeat([]), finalObservation(exp, trial, { reward: 0.61 }, { finishedAt: "2026-11-30T10:00:00Z" })];
    await agent.send(final);
    const after = (await events(campaign)).events;
    const phases = after.filter((e) => e.kind === "phase");
    expect(phases[0]).toMatchObject({ experiment: exp, from: "running", to: "done" });
    expect(after.filter((e) => e.kind === "verdict")).toEqual([expect.objectContaining({ experiment: exp, to: "PASSED", from: null })]);
    agent.seq--;
    expect(await (await agent.post(final)).json()).toMatchObject({ duplicate: true });
    await agent.send(final); // same news in a new batch
    expect((await events(campaign)).events).toEqual(after);
  });

  it("keeps the score out of every detail (viewers must not learn no_access values)", async () => {
    const { campaign, agent } = await setUp("ev-redact");
    await agent.send([heartbeat([]), finalObservation(exp, trial, { reward: 0.6173 }, { finishedAt: "2026-11-30T10:00:00Z" })]);
    const all = (await events(campaign)).events;
    expect(all.length).toBeGreaterThan(0);
    for (const e of all) expect(JSON.stringify(e)).not.toContain("0.6173");
  });

  it("pages newest first with an opaque cursor and filters by since", async () => {
    const { campaign, agent } = await setUp("ev-page");
    await agent.send([heartbeat([]), finalObservation(exp, trial, { reward: 0.61 }, { finishedAt: "2026-11-30T10:00:00Z" })]);
    const all = (await events(campaign, "?limit=1000")).events;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const times = all.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    const first = await events(campaign, "?limit=2");
    expect(first.events).toEqual(all.slice(0, 2));
    expect(first.next).toMatch(/^e/);
    const second = await events(campaign, `?limit=2&cursor=${first.next}`);
    expect(second.events).toEqual(all.slice(2, 4));
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await events(campaign, `?since=${future}`)).events).toEqual([]);
    const past = new Date(Date.now() - 3600_000).toISOString();
    expect((await events(campaign, `?since=${past}&limit=1000`)).events).toEqual(all);
  });

  it("logs a final once when it lands, again when a later attempt replaces it, and never its score", async () => {
    const { campaign, agent } = await setUp("ev-final");
    const failed = [heartbeat([]), finalObservation(exp, trial, null, { exception: { type: "DockerError", message: "build failed" }, finishedAt: "2026-11-30T09:00:00Z" })];
    await agent.send(failed);
    await agent.send(failed); // the same final in a new batch is no news
    const retry = "event-task__hijklmn";
    await agent.send([heartbeat([]), finalObservation(exp, retry, { reward: 0.6173 }, { finishedAt: "2026-11-30T10:00:00Z" })]);
    const finals = (await events(campaign)).events.filter((e) => e.kind === "final");
    expect(finals.map((e) => [e.experiment, e.to, e.detail])).toEqual([
      [exp, retry, `Event task (${exp}): final result from trial ${retry} (job 2026-11-24__02-00-00)`],
      [exp, trial, expect.stringContaining(`final attempt failed from trial ${trial}`)],
    ]);
    for (const e of finals) expect(JSON.stringify(e)).not.toContain("0.6173");
  });

  it("takes the finals a campaign had before finals were logged as known: no burst of old news on upgrade", async () => {
    const { campaign, agent } = await setUp("ev-final-upgrade");
    await agent.send([heartbeat([]), finalObservation(exp, trial, { reward: 0.61 }, { finishedAt: "2026-11-30T10:00:00Z" })]);
    // A log written before finals were: it knows the experiment (phase, verdict) but has no final entry.
    await runInDurableObject(campaignObject(campaign), (_i, state) => {
      state.storage.sql.exec("DELETE FROM campaign_events WHERE kind = 'final'");
      state.storage.sql.exec("DELETE FROM campaign_event_state WHERE topic = 'final'");
    });
    await agent.send([heartbeat([]), trialObservation(exp, trial, [round("c2", "dev", 0.45, { id: "2" })])]);
    expect((await events(campaign)).events.filter((e) => e.kind === "final")).toEqual([]);
    await agent.send([heartbeat([]), finalObservation(exp, "event-task__later00", { reward: 0.7 }, { finishedAt: "2026-11-30T11:00:00Z" })]);
    expect((await events(campaign)).events.filter((e) => e.kind === "final").map((e) => e.to)).toEqual(["event-task__later00"]);
  });

  it("reads one experiment's timeline with ?experiment=, paged like the log, without the others' events", async () => {
    const { campaign, agent } = await setUp("ev-timeline");
    const other = "other-task";
    await agent.send([heartbeat([containerFor(trial), containerFor("other-task__zzzzzzz")]), trialObservation(other, "other-task__zzzzzzz", [round("c9", "dev", 0.2, { id: "9" })])]);
    await agent.send([heartbeat([]), finalObservation(exp, trial, { reward: 0.61 }, { finishedAt: "2026-11-30T10:00:00Z" })]);
    const all = (await events(campaign, "?limit=1000")).events;
    const mine = (await events(campaign, `?experiment=${exp.toUpperCase()}&limit=1000`)).events;
    expect(mine).toEqual(all.filter((e) => e.experiment === exp));
    expect(mine.map((e) => e.kind)).toEqual(expect.arrayContaining(["phase", "final", "verdict"]));
    expect(all.some((e) => e.experiment === other)).toBe(true);
    const page = await events(campaign, `?experiment=${exp}&limit=1`);
    expect(page.events).toEqual(mine.slice(0, 1));
    expect((await events(campaign, `?experiment=${exp}&limit=1000&cursor=${page.next}`)).events).toEqual(mine.slice(1));
    expect((await events(campaign, "?experiment=no-such-task")).events).toEqual([]);
  });

  it("logs a host going silent from the alarm alone, with its experiments' phase, and its return on the next heartbeat", async () => {
    const { campaign, agent } = await setUp("ev-host");
    const stub = campaignObject(campaign);
    await inObject(campaign, "UPDATE hosts SET received_ms = received_ms - 120000");
    await runDurableObjectAlarm(stub);
    const silent = (await events(campaign)).events;
    expect(silent.filter((e) => e.kind === "host")).toEqual([expect.objectContaining({ host: "gpu-1", from: "live", to: "stale", detail: "host gpu-1 went silent" })]);
    expect(silent.find((e) => e.kind === "phase")).toMatchObject({ experiment: exp, from: "running", to: "stale" });
    // An alarm that changes nothing (no participant moved the board) logs nothing more.
    await runDurableObjectAlarm(stub);
    expect((await events(campaign)).events).toEqual(silent);
    await agent.send([heartbeat([containerFor(trial)])]);
    const back = (await events(campaign)).events;
    expect(back[0]).toMatchObject({ kind: "host", host: "gpu-1", from: "stale", to: "live", detail: "host gpu-1 is reporting again" });
    expect(back.find((e) => e.kind === "phase")).toMatchObject({ experiment: exp, from: "stale", to: "running" });
  });

  it("answers 400 naming since, limit, cursor or experiment when one is bad", async () => {
    const campaign = freshCampaign("ev-400");
    for (const [query, field] of [["?since=yesterday", "since"], ["?limit=0", "limit"], ["?limit=abc", "limit"], ["?cursor=%3Cscript%3E", "cursor"], [`?experiment=${"x".repeat(300)}`, "experiment"], ["?experiment=", "experiment"]] as const) {
      const res = await operatorGet(`/api/campaigns/${campaign}/events${query}`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain(`query.${field}`);
    }
  });

  it("logs a raised alert once, in the same write as the change that raised it", async () => {
    const { campaign, agent } = await setUp("ev-alert");
    await configureWebhook(campaign, (await receiver()).url, { events: ["errored"] });
    const errored = [heartbeat([]), finalObservation(exp, trial, null, { exception: { type: "DockerError", message: "build failed" } })];
    await agent.send(errored);
    await agent.send([heartbeat([])]);
    const all = (await events(campaign)).events;
    expect(all.filter((e) => e.kind === "alert")).toEqual([expect.objectContaining({ experiment: exp, to: "errored" })]);
    expect(all.filter((e) => e.kind === "phase")[0]).toMatchObject({ to: "errored" });
  });

  it("logs a sidecar's split running out once, on the experiment whose trial reported it, and not for its neighbours", async () => {
    const { campaign, agent } = await setUp("ev-sidecar-budget");
    const left = (runs: number) => [{ split: "dev", tier: "viewable" as const, remaining_runs: runs, remaining_samples: null, total_runs: 3 }];
    await agent.send([heartbeat([containerFor(trial)]), trialObservation(exp, trial, [], { budget: left(1) })]);
    await agent.send([heartbeat([containerFor(trial)]), trialObservation(exp, trial, [], { budget: left(0) })]);
    await agent.send([heartbeat([containerFor(trial)]), trialObservation(exp, trial, [], { budget: left(0) })]);
    expect((await events(campaign)).events.filter((e) => e.kind === "budget")).toEqual([
      expect.objectContaining({ experiment: exp, to: "exhausted", detail: `sidecar budget for split dev (trial ${trial}): no runs left` }),
    ]);
  });

  it("logs a campaign budget split running out once", async () => {
    const campaign = freshCampaign("ev-budget");
    expect((await adminRequest(campaign, "PUT", { splits: [viewable("validation", 1)] })).status).toBe(200);
    const reserve = (key: string) => signedFetch(campaign, "agent-1", { split: "validation", runs: 1, samples: 0, experiment: exp, idempotency_key: key }, { path: reservePath(campaign) });
    expect((await reserve("k1")).status).toBe(200);
    await reserve("k2"); // refused: nothing left, nothing new to log
    expect((await events(campaign)).events.filter((e) => e.kind === "budget")).toEqual([expect.objectContaining({ to: "exhausted", detail: "campaign budget for split validation: no runs left" })]);
  });
});
