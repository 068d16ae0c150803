import { describe, expect, it } from "vitest";
import type { CampaignEvent } from "../../protocol/events.ts";
import { changedWhatIsLogged, kindCounts, seenUpTo, visitWindow } from "../../web/src/events-model.ts";
import { experiment, host, snapshot } from "./fixtures.ts";

const ev = (kind: CampaignEvent["kind"]): CampaignEvent => ({ at: "2026-12-06T10:00:00.000Z", kind, detail: kind });

describe("what changed: the panel's window and summary", () => {
  it("lists since the last visit, or the last 24 h on a first one", () => {
    const now = Date.parse("2026-12-06T12:00:00Z");
    expect(visitWindow("2026-12-06T09:00:00.000Z", now)).toEqual({ since: "2026-12-06T09:00:00.000Z", heading: "Since your last visit" });
    expect(visitWindow(null, now)).toEqual({ since: "2026-12-05T12:00:00.000Z", heading: "Recent changes (last 24 h)" });
  });

  it("counts each kind in a fixed order, in the operator's words", () => {
    expect(kindCounts([ev("host"), ev("phase"), ev("phase"), ev("alert"), ev("budget"), ev("final")])).toBe("2 phase changes · 1 final · 1 budget exhausted · 1 host change · 1 alert");
    expect(kindCounts([ev("budget"), ev("budget"), ev("verdict"), ev("verdict")])).toBe("2 verdicts · 2 budgets exhausted");
    expect(kindCounts([])).toBe("");
  });

  it("marks seen up to the newest of the times it has, ignoring missing and unreadable ones", () => {
    expect(seenUpTo(["2026-12-06T10:00:00.000Z", null, "2026-12-06T11:00:00Z", "garbage", undefined])).toBe("2026-12-06T11:00:00.000Z");
    expect(seenUpTo([null, undefined])).toBeNull();
  });
});

describe("what changed: which live updates are worth reading the log again", () => {
  const running = experiment("a", { phase: "running" });
  const board = snapshot([running, experiment("b")], { hosts: [host("gpu-1")] });

  it("ignores an update that touched nothing the log records (a new round, an age)", () => {
    expect(changedWhatIsLogged(board, { ...board, experiments: [experiment("a", { phase: "running", updated_at: "2026-11-24T03:00:00.000Z" }), board.experiments[1]!] })).toBe(false);
    expect(changedWhatIsLogged(board, { ...board, hosts: [host("gpu-1", { silent_for_s: 9 })] })).toBe(false);
    expect(changedWhatIsLogged(board, board)).toBe(false);
  });

  it("reads again on a phase, verdict, final, exhausted split, new experiment or host going silent", () => {
    const final = { trial: "a__x", job: "j", host: null, rewards: { reward: 0.5 }, finished_at: "2026-11-24T03:00:00Z", exception: null, source: "reward.json" };
    const variants = [
      experiment("a", { phase: "done" }),
      experiment("a", { final }),
      experiment("a", { verdict: { result: "PASSED", suspect: false, metric: "reward", value: 0.5, reason: null } }),
      experiment("a", { budget: [{ split: "dev", tier: "viewable", remaining_runs: 0, remaining_samples: 0, trial: "a__x", host: "gpu-1", at: "2026-11-24T03:00:00Z" }] }),
    ];
    for (const changed of variants) expect(changedWhatIsLogged(board, { ...board, experiments: [changed, board.experiments[1]!] })).toBe(true);
    expect(changedWhatIsLogged(board, { ...board, experiments: [...board.experiments, experiment("c")] })).toBe(true);
    expect(changedWhatIsLogged(board, { ...board, hosts: [host("gpu-1", { stale: true })] })).toBe(true);
    const ledger = (left: number) => [{ split: "dev", tier: "viewable" as const, total_runs: 10, remaining_runs: left, total_samples: 10, remaining_samples: 10, max_samples_per_run: null, open_reservations: 0, drift: null }];
    expect(changedWhatIsLogged({ ...board, campaign_budget: ledger(2) }, { ...board, campaign_budget: ledger(1) })).toBe(false);
    expect(changedWhatIsLogged({ ...board, campaign_budget: ledger(1) }, { ...board, campaign_budget: ledger(0) })).toBe(true);
  });
});
