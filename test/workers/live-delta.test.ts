// The live path at scale (issue 13): a delta carries what the batch touched and nothing else, bursts
// are merged into one delta per window without losing a change, and a socket that connects while a
// change waits in the window gets it in its snapshot.
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AgentBatch, type ExperimentStatus, type LiveMessage, type Role } from "../../protocol/index.ts";
import type { CampaignObject } from "../../durable-objects/campaign-object.ts";
import { WorkerAgent, batchOf, campaignObject, containerFor, heartbeat, round, status, trialObservation } from "./campaign-support.ts";
import { freshCampaign } from "../support/campaigns.ts";

type Delta = Extract<LiveMessage, { type: "delta" }>;

const keyOf = (i: number) => `exp-${String(i).padStart(2, "0")}`;
const trialOf = (i: number) => `${keyOf(i)}__t${String(i).padStart(6, "0")}`;
/** Host gpu-1 runs the even experiments, gpu-2 the odd ones. */
const hostOf = (i: number) => (i % 2 === 0 ? "gpu-1" : "gpu-2");
const agents = (campaign: string) => ({ "gpu-1": new WorkerAgent(campaign, "agent-1", "gpu-1"), "gpu-2": new WorkerAgent(campaign, "agent-2", "gpu-2") });
const budget = [
  { split: "dev", tier: "viewable" as const, remaining_runs: 5, remaining_samples: null },
  { split: "test", tier: "no_access" as const, remaining_runs: 1, remaining_samples: null },
];

/** `count` running experiments on two hosts, each with a dev and a no_access test round. */
async function seed(campaign: string, count: number) {
  const byHost = agents(campaign);
  for (const host of ["gpu-1", "gpu-2"] as const) {
    const mine = Array.from({ length: count }, (_, i) => i).filter((i) => hostOf(i) === host);
    await byHost[host].send([
      heartbeat(mine.map((i) => containerFor(trialOf(i)))),
      ...mine.map((i) => trialObservation(keyOf(i), trialOf(i), [round("c0", "dev", 0.1, { id: `d${i}` }), round("c0", "test", 0.2, { id: `t${i}` })], { budget })),
    ]);
  }
  return byHost;
}

/** A socket addressed to the object as `role` (the Worker sets the role header from the verified operator). */
async function openAs(campaign: string, role: Role) {
  const res = await campaignObject(campaign).fetch("http://do/live", { headers: { Upgrade: "websocket", "X-Lookout-Role": role } });
  return collect(res.webSocket!);
}

function collect(ws: WebSocket) {
  const messages: LiveMessage[] = [];
  ws.addEventListener("message", (ev) => {
    messages.push(JSON.parse(ev.data as string) as LiveMessage);
  });
  ws.accept();
  async function until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`no ${what} within 5 s: ${JSON.stringify(messages.map((m) => m.type))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const deltas = () => messages.filter((m): m is Delta => m.type === "delta");
  return { ws, messages, deltas, until };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const newestCommit = (e: ExperimentStatus | undefined) => e?.last_rounds[0]?.commit;

/** The entries of a run of deltas merged by key, later over earlier (what the page does). */
function mergedEntries(deltas: readonly Delta[]): Map<string, ExperimentStatus> {
  const out = new Map<string, ExperimentStatus>();
  for (const d of deltas) for (const e of d.experiments) out.set(e.key, e);
  return out;
}

describe("live deltas in proportion to the change", () => {
  it("sends exactly the 2 experiments a batch touched out of 50, and only the host that reported", async () => {
    const campaign = freshCampaign("delta-keyed");
    const byHost = await seed(campaign, 50);
    const admin = await openAs(campaign, "admin");
    await admin.until(() => admin.messages.length === 1, "snapshot");

    await byHost["gpu-2"].send([
      heartbeat(Array.from({ length: 50 }, (_, i) => i).filter((i) => hostOf(i) === "gpu-2").map((i) => containerFor(trialOf(i)))),
      trialObservation(keyOf(7), trialOf(7), [round("c7", "dev", 0.7, { id: "n7" })]),
      trialObservation(keyOf(31), trialOf(31), [round("c31", "dev", 0.31, { id: "n31" })]),
    ]);
    await admin.until(() => admin.deltas().length === 1, "delta");
    const [delta] = admin.deltas();
    expect(delta!.experiments.map((e) => e.key).sort()).toEqual([keyOf(7), keyOf(31)]);
    expect(delta!.experiments.map(newestCommit).sort()).toEqual(["c31", "c7"]);
    expect(delta!.hosts.map((h) => h.host)).toEqual(["gpu-2"]);
    expect(delta!.removed).toEqual([]);
    // The counts still cover the whole board.
    expect(delta!.counts).toMatchObject({ running: 50 });
    admin.ws.close();
  });

  it("sends only the experiment whose container left a heartbeat, not the rest of its host", async () => {
    const campaign = freshCampaign("delta-container");
    const byHost = await seed(campaign, 20);
    const admin = await openAs(campaign, "admin");
    await admin.until(() => admin.messages.length === 1, "snapshot");
    const gpu2 = Array.from({ length: 20 }, (_, i) => i).filter((i) => hostOf(i) === "gpu-2");
    await byHost["gpu-2"].send([heartbeat(gpu2.filter((i) => i !== 7).map((i) => containerFor(trialOf(i))))]);
    await admin.until(() => admin.deltas().length === 1, "delta");
    const [delta] = admin.deltas();
    expect(delta!.experiments.map((e) => [e.key, e.phase])).toEqual([[keyOf(7), "gone"]]);
    expect(delta!.counts).toMatchObject({ running: 19, gone: 1 });
    // It comes back: again that experiment alone.
    await byHost["gpu-2"].send([heartbeat(gpu2.map((i) => containerFor(trialOf(i))))]);
    await admin.until(() => admin.deltas().length === 2, "second delta");
    expect(admin.deltas()[1]!.experiments.map((e) => [e.key, e.phase])).toEqual([[keyOf(7), "running"]]);
    admin.ws.close();
  });

  it("keeps the counts true to the clock: a host silent past the timeout turns its experiments stale in the next delta's counts", async () => {
    const campaign = freshCampaign("delta-counts");
    const byHost = await seed(campaign, 10);
    const admin = await openAs(campaign, "admin");
    await admin.until(() => admin.messages.length === 1, "snapshot");
    // gpu-1 falls silent (its last heartbeat 2 minutes ago); no alarm has run, nothing names its experiments.
    await runInDurableObject(campaignObject(campaign), (_i, state) => {
      state.storage.sql.exec("UPDATE hosts SET received_ms = received_ms - 120000 WHERE host = 'gpu-1'");
    });
    await byHost["gpu-2"].send([trialObservation(keyOf(1), trialOf(1), [round("c1", "dev", 0.5, { id: "n1" })])]);
    await admin.until(() => admin.deltas().length === 1, "delta");
    expect(admin.deltas()[0]!.counts).toMatchObject({ running: 5, stale: 5 });
    expect(admin.deltas()[0]!.counts).toEqual((await status(campaign)).counts);
    admin.ws.close();
  });

  it("sends no host entries for a batch without a heartbeat", async () => {
    const campaign = freshCampaign("delta-nohost");
    const byHost = await seed(campaign, 4);
    const admin = await openAs(campaign, "admin");
    await admin.until(() => admin.messages.length === 1, "snapshot");
    await byHost["gpu-1"].send([trialObservation(keyOf(2), trialOf(2), [round("c2", "dev", 0.5, { id: "n2" })])]);
    await admin.until(() => admin.deltas().length === 1, "delta");
    expect(admin.deltas()[0]).toMatchObject({ hosts: [], experiments: [{ key: keyOf(2) }] });
    admin.ws.close();
  });

  it("never puts a hidden score in a viewer's delta, while the admin's delta on the same batch has it", async () => {
    const campaign = freshCampaign("delta-viewer");
    const byHost = await seed(campaign, 50);
    const [viewer, admin] = [await openAs(campaign, "viewer"), await openAs(campaign, "admin")];
    await viewer.until(() => viewer.messages.length === 1, "snapshot");
    await admin.until(() => admin.messages.length === 1, "snapshot");

    await byHost["gpu-1"].send([
      trialObservation(keyOf(4), trialOf(4), [round("c4", "test", 0.987654, { id: "h4", errorRate: 0.0123 })]),
      trialObservation(keyOf(6), trialOf(6), [round("c6", "dev", 0.5, { id: "v6" })]),
    ]);
    await viewer.until(() => viewer.deltas().length === 1, "viewer delta");
    await admin.until(() => admin.deltas().length === 1, "admin delta");
    const [seen, full] = [viewer.deltas()[0]!, admin.deltas()[0]!];
    expect(seen.experiments.map((e) => e.key).sort()).toEqual([keyOf(4), keyOf(6)]);
    const hidden = seen.experiments.find((e) => e.key === keyOf(4))!;
    expect(hidden.last_rounds[0]).toMatchObject({ commit: "c4", split: "test", score: null, error_rate: null, hidden: true });
    expect(hidden.last_rounds.filter((r) => r.split === "test").every((r) => r.hidden && r.score === null)).toBe(true);
    expect(JSON.stringify(seen)).not.toContain("0.987654");
    expect(JSON.stringify(seen)).not.toContain("0.0123");
    expect(JSON.stringify(full)).toContain("0.987654");
    viewer.ws.close();
    admin.ws.close();
  });
});

describe("coalesced publishing", () => {
  it("merges a burst of batches into at most 2 deltas that hold every change", async () => {
    const campaign = freshCampaign("delta-burst");
    await seed(campaign, 20);
    const stub = campaignObject(campaign);
    const burst = Array.from({ length: 12 }, (_, n) =>
      AgentBatch.parse(batchOf("agent-1", "gpu-1", "burst", n + 1, [trialObservation(keyOf(n), trialOf(n), [round(`b${n}`, "dev", 0.5, { id: `b${n}` })])])));

    const { deltas, entries } = await runInDurableObject(stub, async (instance: CampaignObject) => {
      const live = collect((await instance.fetch(new Request("http://do/live", { headers: { Upgrade: "websocket", "X-Lookout-Role": "admin" } }))).webSocket!);
      await live.until(() => live.messages.length === 1, "snapshot");
      // All 12 are applied in one turn of the object (no I/O between them), so all fall in one window
      // whatever the machine's speed: the first goes out at once, the rest wait for the window's end.
      const replies = burst.map((b) => instance.ingest(b));
      await Promise.all(replies);
      await live.until(() => [...mergedEntries(live.deltas()).values()].filter((e) => e.last_rounds[0]?.commit.startsWith("b")).length === 12, "every change");
      await settle(500); // two more windows: anything else that was coming has come
      live.ws.close();
      return { deltas: live.deltas(), entries: mergedEntries(live.deltas()) };
    });
    expect(deltas.length).toBeLessThanOrEqual(2);
    expect(deltas[0]!.experiments.map((e) => e.key)).toEqual([keyOf(0)]);
    for (let n = 0; n < 12; n++) expect(newestCommit(entries.get(keyOf(n)))).toBe(`b${n}`);
    // The counts kept per phase match a full read of the board (odd experiments moved to gpu-1, whose
    // heartbeat does not list their containers: gone).
    expect(deltas.at(-1)!.counts).toEqual((await status(campaign)).counts);
    expect(deltas.at(-1)!.counts).toMatchObject({ running: 14, gone: 6 });
  });

  it("gives a socket that connects while a change waits in the window a snapshot that already holds it", async () => {
    const campaign = freshCampaign("delta-midwindow");
    await seed(campaign, 4);
    const stub = campaignObject(campaign);
    const change = (n: number) =>
      AgentBatch.parse(batchOf("agent-1", "gpu-1", "mid", n, [trialObservation(keyOf(2 * (n - 1)), trialOf(2 * (n - 1)), [round(`m${n}`, "dev", 0.6, { id: `m${n}` })])]));
    const [first, second] = [change(1), change(2)];

    const { early, late } = await runInDurableObject(stub, async (instance: CampaignObject) => {
      const upgrade = () => new Request("http://do/live", { headers: { Upgrade: "websocket", "X-Lookout-Role": "admin" } });
      const early = collect((await instance.fetch(upgrade())).webSocket!);
      await early.until(() => early.messages.length === 1, "snapshot");
      // Same turn: the first change goes out at once, the second waits in the window while a board connects.
      const replies = [instance.ingest(first), instance.ingest(second)];
      const late = collect((await instance.fetch(upgrade())).webSocket!);
      await Promise.all(replies);
      await early.until(() => mergedEntries(early.deltas()).get(keyOf(2))?.last_rounds[0]?.commit === "m2", "the waiting change");
      await late.until(() => late.messages.length >= 1, "late snapshot");
      early.ws.close();
      late.ws.close();
      return { early: early.messages, late: late.messages };
    });
    // The early board got the first change alone, then the second one merged after the window.
    const earlyDeltas = early.filter((m): m is Delta => m.type === "delta");
    expect(earlyDeltas[0]!.experiments.map((e) => e.key)).toEqual([keyOf(0)]);
    // The late board's snapshot already holds both.
    const snapshot = late[0];
    if (snapshot?.type !== "snapshot") throw new Error("expected a snapshot first");
    const byKey = new Map(snapshot.status.experiments.map((e) => [e.key, e]));
    expect(newestCommit(byKey.get(keyOf(0)))).toBe("m1");
    expect(newestCommit(byKey.get(keyOf(2)))).toBe("m2");
  });

  it("loses nothing when the object is evicted mid-window: storage holds the change and a reconnect's snapshot shows it", async () => {
    const campaign = freshCampaign("delta-evict");
    await seed(campaign, 4);
    const stub = campaignObject(campaign);
    const change = (n: number) =>
      AgentBatch.parse(batchOf("agent-1", "gpu-1", "evict", n, [trialObservation(keyOf(2 * (n - 1)), trialOf(2 * (n - 1)), [round(`x${n}`, "dev", 0.6, { id: `x${n}` })])]));
    const [first, second] = [change(1), change(2)];
    await runInDurableObject(stub, async (instance: CampaignObject) => {
      const live = collect((await instance.fetch(new Request("http://do/live", { headers: { Upgrade: "websocket", "X-Lookout-Role": "admin" } }))).webSocket!);
      await live.until(() => live.messages.length === 1, "snapshot");
      await Promise.all([instance.ingest(first), instance.ingest(second)]);
    });
    await abortAllDurableObjects(); // the window's timer dies with the object
    const board = await status(campaign);
    expect(newestCommit(board.experiments.find((e) => e.key === keyOf(2)))).toBe("x2");
    const reconnect = await openAs(campaign, "admin");
    await reconnect.until(() => reconnect.messages.length === 1, "snapshot");
    const snapshot = reconnect.messages[0]!;
    if (snapshot.type !== "snapshot") throw new Error("expected a snapshot first");
    expect(newestCommit(snapshot.status.experiments.find((e) => e.key === keyOf(2)))).toBe("x2");
    reconnect.ws.close();
  });
});
