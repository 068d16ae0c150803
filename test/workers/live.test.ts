import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { freshCampaign } from "../support/campaigns.ts";
import { openLive } from "./live-support.ts";
import { campaignObject, containerFor, heartbeat, putMeta, round, trialObservation, WorkerAgent } from "./campaign-support.ts";

describe("live board", () => {
  it("sends the full board first, so a late browser never sees an empty one", async () => {
    const campaign = freshCampaign("live-late");
    await new WorkerAgent(campaign).send([heartbeat([containerFor("t-a__aaaaaaa")]), trialObservation("t-a", "t-a__aaaaaaa", [round("c1", "dev", 0.3, { id: "1" })])]);
    const live = await openLive(campaign);
    const first = await live.next();
    expect(first.type).toBe("snapshot");
    if (first.type !== "snapshot") throw new Error("unreachable");
    expect(first.status.experiments.map((e) => e.key)).toEqual(["t-a"]);
    expect(first.status.experiments[0]!.phase).toBe("running");
    live.ws.close();
  });

  it("sends a delta with the changed experiment after every applied batch", async () => {
    const campaign = freshCampaign("live-delta");
    const live = await openLive(campaign);
    expect((await live.next()).type).toBe("snapshot");
    const agent = new WorkerAgent(campaign);
    await agent.send([heartbeat([containerFor("t-b__bbbbbbb")]), trialObservation("t-b", "t-b__bbbbbbb", [])]);
    const delta = await live.next();
    expect(delta).toMatchObject({ type: "delta", removed: [], counts: { building: 1 } });
    if (delta.type !== "delta") throw new Error("unreachable");
    expect(delta.experiments.map((e) => [e.key, e.phase])).toEqual([["t-b", "building"]]);
    expect(delta.hosts.map((h) => h.host)).toEqual(["gpu-1"]);
    live.ws.close();
  });

  it("sends a delta carrying the scorecard when meta changes", async () => {
    const campaign = freshCampaign("live-meta");
    const live = await openLive(campaign);
    await live.next();
    expect((await putMeta(campaign, { title: "Q4", experiments: [{ key: "planned" }], history: [] })).status).toBe(200);
    const delta = await live.next();
    expect(delta).toMatchObject({ type: "delta", title: "Q4", meta_version: 1, history: [] });
    if (delta.type !== "delta") throw new Error("unreachable");
    expect(delta.experiments.map((e) => [e.key, e.phase])).toEqual([["planned", "gone"]]);
    live.ws.close();
  });

  it("sends a delta when the alarm finds the host silent", async () => {
    const campaign = freshCampaign("live-alarm");
    await new WorkerAgent(campaign).send([heartbeat([containerFor("t-c__ccccccc")]), trialObservation("t-c", "t-c__ccccccc", [])]);
    const live = await openLive(campaign);
    await live.next();
    const stub = campaignObject(campaign);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec("UPDATE hosts SET received_ms = received_ms - 120000");
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const delta = await live.next();
    if (delta.type !== "delta") throw new Error("expected delta");
    expect(delta.experiments.map((e) => [e.key, e.phase])).toEqual([["t-c", "stale"]]);
    expect(delta.hosts).toMatchObject([{ host: "gpu-1", stale: true }]);
    live.ws.close();
  });

  it("takes the role from the verified operator, not from a header the client sent", async () => {
    const campaign = freshCampaign("live-role");
    const live = await openLive(campaign, { "X-Lookout-Role": "viewer" });
    const first = await live.next();
    if (first.type !== "snapshot") throw new Error("expected snapshot");
    expect(first.status.role).toBe("admin");
    live.ws.close();
  });

  it("refuses a socket that arrives at the object without a role", async () => {
    const res = await campaignObject(freshCampaign("live-norole")).fetch("http://do/live", { headers: { Upgrade: "websocket" } });
    expect(res.status).toBe(403);
  });
});
