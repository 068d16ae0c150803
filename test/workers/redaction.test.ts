import { describe, expect, it } from "vitest";
import { WorkerAgent, campaignObject, containerFor, finalObservation, heartbeat, newCampaign, putMeta, round, trialObservation } from "./campaign-support.ts";

const trial = "red-task__abcdefg";

async function seed(campaign: string) {
  await putMeta(campaign, { experiments: [{ key: "red-task", bars: { baseline: 0.1, win_bar: 0.2 } }] });
  await new WorkerAgent(campaign).send([
    heartbeat([containerFor(trial)]),
    trialObservation("red-task", trial, [
      round("c1", "dev", 0.3, { id: "1", createdAt: "2026-11-24T01:00:00" }),
      round("c2", "test", 0.9, { id: "2", createdAt: "2026-11-24T01:01:00" }),
      round("c3", "unreported", 0.8, { id: "3", createdAt: "2026-11-24T01:02:00" }),
    ], { budget: [
      { split: "dev", tier: "viewable", remaining_runs: 5, remaining_samples: null },
      { split: "test", tier: "no_access", remaining_runs: 1, remaining_samples: null },
    ] }),
    finalObservation("red-task", trial, { reward: 0.25 }),
  ]);
}

describe("viewer redaction", () => {
  it("hides no_access and unreported splits' scores from viewers, everywhere they appear", async () => {
    const campaign = newCampaign("redact");
    await seed(campaign);
    const stub = campaignObject(campaign);
    const viewer = await stub.status("viewer");
    const e = viewer.experiments[0]!;
    expect(e.last_rounds.map((r) => [r.split, r.score, r.error_rate, r.hidden ?? false])).toEqual([
      ["unreported", null, null, true],
      ["test", null, null, true],
      ["dev", 0.3, 0, false],
    ]);
    expect(e.rounds).toMatchObject({ count: 3, best_score: 0.3, last_score: 0.3 });
    expect(e.verdict).toMatchObject({ result: "PASSED", value: null });
    expect(e.final!.rewards).toEqual({});
    const exported = await stub.exportRounds("viewer");
    expect(exported.filter((r) => r.hidden).map((r) => [r.split, r.score])).toEqual([["test", null], ["unreported", null]]);
    const detail = await stub.experiment("red-task", "viewer");
    expect(detail!.rounds.filter((r) => r.score !== null).map((r) => r.split)).toEqual(["dev"]);
  });

  it("shows admins everything", async () => {
    const campaign = newCampaign("redact-admin");
    await seed(campaign);
    const admin = await campaignObject(campaign).status("admin");
    const e = admin.experiments[0]!;
    expect(e.last_rounds.every((r) => r.score !== null && r.hidden === undefined)).toBe(true);
    expect(e.rounds.best_score).toBe(0.9);
    expect(e.verdict).toMatchObject({ result: "PASSED", value: 0.25 });
  });
});
