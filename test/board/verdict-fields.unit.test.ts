// The board's rules for vero main's facts on plain records: a hidden split's round loses its
// diagnostics and violations, a hidden experiment's usage and finalization values stay with admins,
// undisclosed budgets stay "not disclosed", and job progress rides the snapshot and the live delta.
import { describe, expect, it } from "vitest";
import { assemble } from "../../durable-objects/board/assemble.ts";
import type { BoardRecords, ExperimentRecords, TrialRecord } from "../../durable-objects/board/records.ts";
import type { StoredRound } from "../../durable-objects/ingest/recent-rounds.ts";
import { buildDelta } from "../../durable-objects/live/hub.ts";
import type { JobView } from "../../protocol/index.ts";

const NOW = Date.parse("2026-11-24T02:00:00Z");
const AT = "2026-11-24T01:50:00";

const trial: TrialRecord = {
  trial_lc: "exp-a__one", trial: "exp-a__one", experiment: "exp-a", host: "gpu-1", container: "exp-a__one-eval-sidecar-1",
  last_at: AT, last_at_ms: NOW - 10_000, received_ms: NOW - 10_000, error: null, rounds: 2,
  budgets: [
    { split: "test", tier: "no_access", remaining_runs: null, remaining_samples: null, at: AT, host: "gpu-1", disclosed: false },
    { split: "dev", tier: "viewable", remaining_runs: 3, remaining_samples: null, at: AT, host: "gpu-1" },
  ],
  sidecar: { usage: [{ scope: "gateway", remaining_requests: 40, remaining_tokens: null, at: AT, host: "gpu-1" }], evaluating: { queued: 1, running: 2, at: AT } },
};

const invalidHidden: StoredRound = {
  trial: "exp-a__one", commit: "c1", split: "test", score: 0.05, error_rate: 0.85, created_at: AT, sort_at: AT, row_key: "id:1",
  status: "invalid", feasible: false, violations: ["too slow"], diagnostics: ["transient_infrastructure"],
};
const verifierVisible: StoredRound = { trial: "exp-a__one", commit: "c2", split: "dev", score: 0.99, error_rate: 0, created_at: AT, sort_at: AT, row_key: "id:2", principal: "admin", status: "success" };

const job: JobView = {
  host: "gpu-1", job: "2026-11-24__01-02-03", n_total_trials: 12, completed: 5, errored: 1, running: 3, pending: 3, cancelled: 0, retries: 0,
  cost_usd: 1.5, started_at: "2026-11-24T01:02:03Z", updated_at: "2026-11-24T01:40:00Z", finished_at: null,
};

function records(hiddenTest: boolean): BoardRecords {
  const exp: ExperimentRecords = {
    trials: [trial],
    attempts: [{ trial: "exp-a__one", job: "j", host: "gpu-1", rewards: { reward: 0.7 }, finished_at: "2026-11-24T01:55:00Z", exception: null, source: "result.json",
      shipped: true, candidate: "c2", errors: { reward: "lost 3 cases" }, baseline_rewards: { reward: 0.4 } }],
    summaries: [{ experiment: "exp-a", split: "test", count: 1, scored: 0, max_score: null, min_score: null, last_score: null, last_sort_at: AT, last_row_key: "id:1", score_sort_at: null, score_row_key: null, verifier_count: 0 }],
    recent: [verifierVisible, invalidHidden],
  };
  return {
    campaign: {
      campaign: "camp", heartbeatTimeoutS: 60, meta: null,
      hosts: [{ host: "gpu-1", agent_id: "a", last_seen: AT, docker: "ok", containers: ["exp-a__one-eval-sidecar-1"], container_count: 1, received_ms: NOW - 5000 }],
      seen: new Map([["exp-a", AT]]),
      configuredTiers: new Map(hiddenTest ? [["test", "no_access" as const], ["dev", "viewable" as const]] : [["test", "viewable" as const], ["dev", "viewable" as const]]),
      sidecarTiers: new Map(), campaignBudget: undefined, jobs: [job],
    },
    experiments: new Map([["exp-a", exp]]),
  };
}

describe("board verdict fields per role", () => {
  it("keeps a hidden split's round status for viewers but drops its score, feasibility, violations and diagnostics", () => {
    const e = assemble(records(true), "viewer", NOW).experiment("exp-a");
    expect(e.last_rounds).toEqual([
      { trial: "exp-a__one", commit: "c2", split: "dev", score: 0.99, error_rate: 0, created_at: AT, principal: "admin", status: "success" },
      { trial: "exp-a__one", commit: "c1", split: "test", score: null, error_rate: null, created_at: AT, status: "invalid", hidden: true },
    ]);
  });

  it("keeps a hidden experiment's usage, measured baseline and verifier messages from viewers", () => {
    const e = assemble(records(true), "viewer", NOW).experiment("exp-a");
    expect([e.usage, e.evaluating]).toEqual([undefined, undefined]);
    expect(e.final).toMatchObject({ rewards: {}, baseline_rewards: {}, errors: { reward: "hidden" }, shipped: true, candidate: "c2" });
    expect(e.verdict).toMatchObject({ result: "INVALID", value: null, reason: "verifier errors (hidden: no_access split)" });
  });

  it("shows admins every field, usage and evaluations in flight, and says which budget is not disclosed", () => {
    const e = assemble(records(true), "admin", NOW).experiment("exp-a");
    expect(e.last_rounds[1]).toMatchObject({ score: 0.05, feasible: false, violations: ["too slow"], diagnostics: ["transient_infrastructure"] });
    expect(e.usage).toEqual([{ scope: "gateway", remaining_requests: 40, remaining_tokens: null, trial: "exp-a__one", host: "gpu-1", at: AT }]);
    expect(e.evaluating).toEqual({ queued: 1, running: 2 });
    expect(e.budget.map((b) => [b.split, b.disclosed])).toEqual([["test", false], ["dev", undefined]]);
    expect(e.verdict).toMatchObject({ result: "INVALID", reason: "verifier errors: reward: lost 3 cases" });
  });

  it("carries job progress in the snapshot, and in a delta only when jobs changed", () => {
    const board = assemble(records(false), "viewer", NOW);
    expect(board.snapshot().jobs).toEqual([job]);
    expect(buildDelta(board, { experiments: new Set(), removed: new Set(), hosts: new Set(), meta: false, jobs: true }, board.counts(), NOW)).toMatchObject({ jobs: [job] });
    expect(buildDelta(board, { experiments: new Set(), removed: new Set(), hosts: new Set(), meta: false }, board.counts(), NOW)).not.toHaveProperty("jobs");
  });
});
