// The board's rules on plain records, without workerd or SQLite: phase join, final, verdict, and what
// each role may see. The records are what the board queries (durable-objects/board/queries.ts) return.
import { describe, expect, it } from "vitest";
import { assemble } from "../../durable-objects/board/assemble.ts";
import type { BoardRecords, ExperimentRecords, HostRecord, TrialRecord } from "../../durable-objects/board/records.ts";
import type { StoredRound } from "../../durable-objects/ingest/recent-rounds.ts";
import type { SplitSummary } from "../../durable-objects/ingest/summaries.ts";
import { CampaignMeta, type Attempt, type CampaignMetaInput, type Tier } from "../../protocol/index.ts";

const NOW = Date.parse("2026-11-24T02:00:00Z");
const TIMEOUT_S = 60;

function host(name: string, containers: string[], silentS = 5): HostRecord {
  return {
    host: name, agent_id: `agent-${name}`, last_seen: new Date(NOW - silentS * 1000).toISOString(), docker: "ok",
    containers, container_count: containers.length, received_ms: NOW - silentS * 1000,
  };
}

function trial(name: string, experiment: string, over: Partial<TrialRecord> = {}): TrialRecord {
  return {
    trial_lc: name.toLowerCase(), trial: name, experiment, host: "gpu-1", container: `${name.toLowerCase()}-main-1`,
    last_at: new Date(NOW - 10_000).toISOString(), last_at_ms: NOW - 10_000, received_ms: NOW - 10_000, error: null, rounds: 0, budgets: [], ...over,
  };
}

function attempt(t: string, finishedAt: string, rewards: Record<string, number> | null): Attempt {
  return { trial: t, job: "job-1", host: "gpu-1", rewards, finished_at: finishedAt, exception: null, source: "result.json" };
}

function summary(experiment: string, split: string, max: number, last: number, count = 3): SplitSummary {
  return { experiment, split, count, scored: count, max_score: max, min_score: 0, last_score: last, last_sort_at: "2026-11-24T01:50:00", last_row_key: "id:3", score_sort_at: "2026-11-24T01:50:00", score_row_key: "id:3", verifier_count: 0 };
}

function round(t: string, split: string, score: number): StoredRound {
  return { trial: t, commit: "c0ffee1", split, score, error_rate: 0.01, created_at: "2026-11-24T01:50:00", sort_at: "2026-11-24T01:50:00", row_key: `id:${split}` };
}

function experiment(over: Partial<ExperimentRecords> = {}): ExperimentRecords {
  return { trials: [], attempts: [], summaries: [], recent: [], ...over };
}

interface Setup {
  meta?: CampaignMetaInput;
  hosts?: HostRecord[];
  experiments: Record<string, ExperimentRecords>;
  configuredTiers?: Record<string, Tier>;
  sidecarTiers?: Record<string, Tier>;
  /** Keys a trial or final has named; defaults to every experiment given. */
  seen?: string[];
}

function records(s: Setup): BoardRecords {
  const seen = s.seen ?? Object.keys(s.experiments);
  return {
    campaign: {
      campaign: "camp",
      heartbeatTimeoutS: TIMEOUT_S,
      meta: s.meta ? { version: 1, meta: CampaignMeta.parse(s.meta), by: "admin:a@x", at: "2026-11-24T00:00:00Z" } : null,
      hosts: s.hosts ?? [],
      seen: new Map(seen.map((k) => [k, "2026-11-24T01:59:00.000Z"])),
      configuredTiers: new Map(Object.entries(s.configuredTiers ?? {})),
      sidecarTiers: new Map(Object.entries(s.sidecarTiers ?? {})),
      campaignBudget: undefined,
    },
    experiments: new Map(Object.entries(s.experiments)),
  };
}

describe("board phase join", () => {
  it("calls an experiment running when its trial's container is in the host's latest heartbeat", () => {
    const board = assemble(records({
      hosts: [host("gpu-1", ["exp-a__abc-main-1"])],
      experiments: { "exp-a": experiment({ trials: [trial("exp-a__abc", "exp-a", { rounds: 3 })] }) },
    }), "admin", NOW);
    const e = board.experiment("exp-a");
    expect([e.phase, e.phase_reason]).toEqual(["running", "3 rounds; live: exp-a__abc"]);
    expect(e.trials[0]!.live).toBe(true);
  });

  it("calls it gone when the container left the heartbeat, and stale when the host went silent past the timeout", () => {
    const gone = assemble(records({
      hosts: [host("gpu-1", [])],
      experiments: { "exp-a": experiment({ trials: [trial("exp-a__abc", "exp-a", { rounds: 3 })] }) },
    }), "admin", NOW);
    expect(gone.experiment("exp-a").phase).toBe("gone");
    expect(gone.experiment("exp-a").trials[0]!.live).toBe(false);

    const stale = assemble(records({
      hosts: [host("gpu-1", ["exp-a__abc-main-1"], 192)],
      experiments: { "exp-a": experiment({ trials: [trial("exp-a__abc", "exp-a", { rounds: 3 })] }) },
    }), "admin", NOW);
    expect([stale.experiment("exp-a").phase, stale.experiment("exp-a").phase_reason])
      .toEqual(["stale", "host gpu-1 silent for 3 min 12 s (heartbeat timeout 60s): state unknown"]);
    expect(stale.hosts()).toEqual([expect.objectContaining({ host: "gpu-1", silent_for_s: 192, stale: true })]);
  });

  it("measures silence from the server time it is given, not the wall clock", () => {
    const r = records({ hosts: [host("gpu-1", ["exp-a__abc-main-1"], 30)], experiments: { "exp-a": experiment({ trials: [trial("exp-a__abc", "exp-a", { rounds: 1 })] }) } });
    const early = assemble(r, "admin", NOW);
    const late = assemble(r, "admin", NOW + 60_000);
    expect([early.hosts()[0]!.silent_for_s, early.experiment("exp-a").phase]).toEqual([30, "running"]);
    expect([late.hosts()[0]!.silent_for_s, late.experiment("exp-a").phase]).toEqual([90, "stale"]);
    expect(late.snapshot().generated_at).toBe(new Date(NOW + 60_000).toISOString());
  });

  it("lists meta experiments first in the operator's order, then the rest, and counts each phase", () => {
    const board = assemble(records({
      meta: { experiments: [{ key: "zeta" }, { key: "alpha" }] },
      experiments: { zeta: experiment(), alpha: experiment(), beta: experiment({ trials: [trial("beta__abc", "beta", { container: null })] }) },
      seen: ["beta"],
    }), "admin", NOW);
    expect(board.keys).toEqual(["zeta", "alpha", "beta"]);
    expect(board.experiment("zeta").phase_reason).toBe("listed in meta but never seen on any host");
    expect(board.counts()).toMatchObject({ gone: 3, running: 0 });
  });
});

describe("board final and verdict", () => {
  const bars = { baseline: 0.5, win_bar: 0.6, healthy: 0.95 };

  it("takes the latest finished attempt as the final and judges it against the meta's bars", () => {
    const board = assemble(records({
      meta: { experiments: [{ key: "exp-a", bars }] },
      experiments: { "exp-a": experiment({
        trials: [trial("exp-a__one", "exp-a", { container: null }), trial("exp-a__two", "exp-a", { container: null })],
        attempts: [attempt("exp-a__two", "2026-11-24T01:30:00Z", { reward: 0.7 }), attempt("exp-a__one", "2026-11-24T01:00:00Z", { reward: 0.4 })],
      }) },
    }), "admin", NOW);
    const e = board.experiment("exp-a");
    expect(e.attempts.map((a) => a.trial)).toEqual(["exp-a__one", "exp-a__two"]);
    expect(e.final?.trial).toBe("exp-a__two");
    expect([e.phase, e.phase_reason]).toEqual(["done", "final from exp-a__two"]);
    expect(e.verdict).toEqual({ result: "PASSED", suspect: false, metric: "reward", value: 0.7, reason: null });
  });

  it("says why there is no verdict when the experiment has no bars", () => {
    const board = assemble(records({
      experiments: { "exp-a": experiment({ trials: [trial("exp-a__one", "exp-a")], attempts: [attempt("exp-a__one", "2026-11-24T01:00:00Z", { reward: 0.4 })] }) },
    }), "admin", NOW);
    expect(board.experiment("exp-a").verdict).toMatchObject({ result: null, reason: "no bars for this experiment in meta" });
  });
});

describe("board redaction per role", () => {
  const scored = (tiers: Pick<Setup, "configuredTiers" | "sidecarTiers">) => records({
    meta: { experiments: [{ key: "exp-a", bars: { baseline: 0.5, win_bar: 0.6 } }] },
    experiments: { "exp-a": experiment({
      trials: [trial("exp-a__one", "exp-a", { container: null })],
      attempts: [attempt("exp-a__one", "2026-11-24T01:00:00Z", { reward: 0.9 })],
      summaries: [summary("exp-a", "validation", 0.8, 0.7), summary("exp-a", "test", 0.95, 0.9)],
      recent: [round("exp-a__one", "test", 0.9), round("exp-a__one", "validation", 0.7)],
    }) },
    ...tiers,
  });

  it("hides a no_access split's scores, the final's rewards and the verdict's value from viewers", () => {
    const viewer = assemble(scored({ configuredTiers: { test: "no_access", validation: "viewable" } }), "viewer", NOW).experiment("exp-a");
    expect(viewer.last_rounds).toEqual([
      { trial: "exp-a__one", commit: "c0ffee1", split: "test", score: null, error_rate: null, created_at: "2026-11-24T01:50:00", hidden: true },
      { trial: "exp-a__one", commit: "c0ffee1", split: "validation", score: 0.7, error_rate: 0.01, created_at: "2026-11-24T01:50:00" },
    ]);
    expect(viewer.rounds).toMatchObject({ count: 6, best_score: 0.8 });
    expect(viewer.final?.rewards).toEqual({});
    expect(viewer.verdict).toMatchObject({ result: "PASSED", value: null, reason: "value hidden: no_access split" });
  });

  it("shows admins everything", () => {
    const admin = assemble(scored({ configuredTiers: { test: "no_access", validation: "viewable" } }), "admin", NOW);
    const e = admin.experiment("exp-a");
    expect(e.last_rounds.map((r) => r.score)).toEqual([0.9, 0.7]);
    expect(e.rounds.best_score).toBe(0.95);
    expect(e.final?.rewards).toEqual({ reward: 0.9 });
    expect(e.verdict?.value).toBe(0.9);
    expect(admin.snapshot().role).toBe("admin");
  });

  it("fails closed: a split no one has tiered is no_access, and the campaign config overrides what a sidecar says", () => {
    const unknown = assemble(scored({ configuredTiers: { validation: "viewable" } }), "viewer", NOW).experiment("exp-a");
    expect(unknown.last_rounds[0]).toMatchObject({ split: "test", hidden: true });
    const sidecarOnly = assemble(scored({ sidecarTiers: { test: "viewable", validation: "viewable" } }), "viewer", NOW).experiment("exp-a");
    expect(sidecarOnly.last_rounds[0]).toMatchObject({ split: "test", score: 0.9 });
    const overridden = assemble(scored({ configuredTiers: { test: "no_access", validation: "viewable" }, sidecarTiers: { test: "viewable" } }), "viewer", NOW).experiment("exp-a");
    expect(overridden.last_rounds[0]).toMatchObject({ split: "test", hidden: true });
  });

  it("redacts any stored round by the same rule (the experiment page and the export)", () => {
    const board = assemble(scored({ configuredTiers: { test: "no_access", validation: "viewable" } }), "viewer", NOW);
    expect(board.round(round("exp-a__one", "test", 0.9))).toMatchObject({ score: null, hidden: true });
    expect(board.round(round("exp-a__one", "validation", 0.7))).toMatchObject({ score: 0.7 });
  });
});

describe("board from a keyed read", () => {
  it("assembles one experiment from only its records, and refuses to invent one it was not given", () => {
    const board = assemble(records({
      experiments: { "exp-a": experiment({ trials: [trial("exp-a__abc", "exp-a", { container: null })] }) },
      seen: ["exp-a", "exp-b"],
    }), "admin", NOW);
    expect(board.has("exp-a") && board.has("exp-b")).toBe(true);
    expect(board.experiment("exp-a").trials).toHaveLength(1);
    expect(() => board.experiment("exp-b")).toThrow(/exp-b/);
    expect(board.has("exp-c")).toBe(false);
  });
});
