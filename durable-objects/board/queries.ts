// The board's SQL reads: plain typed records, nothing derived. Campaign-wide facts are read once;
// per-experiment facts are read for every experiment or only for a given set of keys.
import type { Attempt, Tier } from "../../protocol/index.ts";
import { campaignBudgetView, configuredTiers } from "../budget/read.ts";
import { groupBy } from "../domain/group-by.ts";
import { forecast } from "../domain/forecast.ts";
import { parseHistory } from "../ingest/budget-history.ts";
import { toAttempt, type FinalRow } from "../ingest/finals.ts";
import { newestFirst, roundsOfExperiment, type RecentRoundsStore, type StoredRound } from "../ingest/recent-rounds.ts";
import type { SplitSummary } from "../ingest/summaries.ts";
import { getMeta } from "../meta/store.ts";
import { readJobs } from "../jobs/store.ts";
import { fromColumns, ROUND_FIELD_COLUMNS } from "../ingest/round-fields.ts";
import { readSidecarUsage } from "../usage/store.ts";
import { boardKeys, type BoardRecords, type CampaignRecords, type ExperimentRecords, type ExperimentScope, type HostRecord, type TrialRecord } from "./records.ts";

/** Binds a key set as one JSON parameter: no bound-parameter limit, one statement for any set size. */
function keyFilter(column: string, scope: ExperimentScope): { where: string; params: string[] } {
  return scope === "all" ? { where: "", params: [] } : { where: ` WHERE ${column} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(scope)] };
}

export function readCampaignRecords(sql: SqlStorage, opts: { campaign: string; heartbeatTimeoutS: number; nowMs: number }): CampaignRecords {
  const hosts: HostRecord[] = [];
  for (const row of sql.exec("SELECT host, agent_id, last_seen, docker, containers, container_count, received_ms FROM hosts ORDER BY host").raw()) {
    const [host, agent_id, last_seen, docker, containers, container_count, received_ms] = row as [string, string, string, "ok" | "unreachable", string, number, number];
    hosts.push({ host, agent_id, last_seen, docker, containers: JSON.parse(containers) as string[], container_count, received_ms });
  }
  const seen = new Map<string, string>();
  for (const [key, at] of sql.exec("SELECT key, updated_at FROM experiments ORDER BY key").raw() as IterableIterator<[string, string]>) seen.set(key, at);
  // SQLite returns the bare column from the max(at_ms) row: the latest report per split.
  const sidecarTiers = new Map<string, Tier>();
  for (const r of sql.exec<{ split: string; tier: Tier }>("SELECT split, tier, max(at_ms) AS at_ms FROM trial_budgets GROUP BY split")) sidecarTiers.set(r.split, r.tier);
  return {
    campaign: opts.campaign,
    heartbeatTimeoutS: opts.heartbeatTimeoutS,
    meta: getMeta(sql),
    hosts,
    seen,
    configuredTiers: configuredTiers(sql),
    sidecarTiers,
    campaignBudget: campaignBudgetView(sql, opts.nowMs),
    jobs: readJobs(sql),
  };
}

function readTrials(sql: SqlStorage, scope: ExperimentScope): TrialRecord[] {
  const f = keyFilter("experiment", scope);
  const trials: TrialRecord[] = [];
  for (const row of sql.exec(`SELECT trial_lc, trial, experiment, host, container, last_at, last_at_ms, received_ms, error, rounds FROM trials${f.where} ORDER BY trial_lc`, ...f.params).raw()) {
    const [trial_lc, trial, experiment, host, container, last_at, last_at_ms, received_ms, error, rounds] = row as [string, string, string, string | null, string | null, string | null, number | null, number | null, string | null, number];
    trials.push({ trial_lc, trial, experiment, host, container, last_at, last_at_ms, received_ms, error, rounds, budgets: [] });
  }
  const g = keyFilter("t.experiment", scope);
  const byTrial = new Map(trials.map((t) => [t.trial_lc, t]));
  const budgets = scope === "all"
    ? sql.exec("SELECT trial_lc, split, tier, remaining_runs, remaining_samples, at, host, disclosed, metered, total_runs, total_samples, remaining_history FROM trial_budgets ORDER BY trial_lc, split")
    : sql.exec(
      `SELECT b.trial_lc, b.split, b.tier, b.remaining_runs, b.remaining_samples, b.at, b.host, b.disclosed, b.metered, b.total_runs, b.total_samples, b.remaining_history
       FROM trial_budgets b JOIN trials t ON t.trial_lc = b.trial_lc${g.where} ORDER BY b.trial_lc, b.split`,
      ...g.params,
    );
  for (const row of budgets.raw()) {
    const [trial_lc, split, tier, remaining_runs, remaining_samples, at, host, disclosed, metered, total_runs, total_samples, history] =
      row as [string, string, Tier, number | null, number | null, string, string | null, number | null, number | null, number | null, number | null, string | null];
    byTrial.get(trial_lc)?.budgets.push({
      split, tier, remaining_runs, remaining_samples, at, host, ...(disclosed === 0 ? { disclosed: false } : {}), ...(metered === 0 ? { metered: false } : {}),
      ...(total_runs !== null ? { total_runs } : {}), ...(total_samples !== null ? { total_samples } : {}), ...forecast(parseHistory(history)),
    });
  }
  for (const [trial_lc, u] of readSidecarUsage(sql, [...byTrial.keys()])) byTrial.get(trial_lc)!.sidecar = u;
  return trials;
}

export function readAttempts(sql: SqlStorage, scope: ExperimentScope): Map<string, Attempt[]> {
  const f = keyFilter("experiment", scope);
  const rows = sql.exec(`SELECT * FROM finals${f.where}`, ...f.params).toArray() as unknown as FinalRow[];
  const out = new Map<string, Attempt[]>();
  for (const [key, list] of groupBy(rows, (r) => r.experiment)) out.set(key, list.map(toAttempt));
  return out;
}

/** Rows come back as arrays (raw): at 500 experiments this read is on the status path, and arrays
 * materialise faster than objects. */
function readSummaries(sql: SqlStorage, scope: ExperimentScope): Map<string, SplitSummary[]> {
  const f = keyFilter("experiment", scope);
  const cursor = sql.exec(`SELECT experiment, split, count, scored, max_score, min_score, last_score, last_sort_at, last_row_key, score_sort_at, score_row_key, verifier_count FROM split_summaries${f.where}`, ...f.params);
  const rows: SplitSummary[] = [];
  for (const row of cursor.raw()) {
    const [experiment, split, count, scored, max_score, min_score, last_score, last_sort_at, last_row_key, score_sort_at, score_row_key, verifier_count] =
      row as [string, string, number, number, number | null, number | null, number | null, string | null, string | null, string | null, string | null, number];
    rows.push({ experiment, split, count, scored, max_score, min_score, last_score, last_sort_at, last_row_key, score_sort_at, score_row_key, verifier_count });
  }
  return groupBy(rows, (s) => s.experiment);
}

/**
 * Per-experiment records. Scope "all" covers every experiment in meta or seen; a key list covers
 * exactly those keys (an unknown key gets empty records: the board decides whether it exists).
 */
export function readExperimentRecords(sql: SqlStorage, recent: RecentRoundsStore, scope: ExperimentScope, keys: readonly string[]): Map<string, ExperimentRecords> {
  const trials = groupBy(readTrials(sql, scope), (t) => t.experiment);
  const attempts = readAttempts(sql, scope);
  const summaries = readSummaries(sql, scope);
  const wanted = scope === "all" ? keys : scope;
  const out = new Map<string, ExperimentRecords>();
  for (const key of wanted) {
    out.set(key, { trials: trials.get(key) ?? [], attempts: attempts.get(key) ?? [], summaries: summaries.get(key) ?? [], recent: recent.get(key) });
  }
  return out;
}

/** Everything the board needs for `scope` (rounds apart: see readRoundsOf / readAllRounds). */
export function readBoardRecords(
  sql: SqlStorage,
  recent: RecentRoundsStore,
  opts: { campaign: string; heartbeatTimeoutS: number; nowMs: number; scope: ExperimentScope },
): BoardRecords {
  const campaign = readCampaignRecords(sql, opts);
  return { campaign, experiments: readExperimentRecords(sql, recent, opts.scope, boardKeys(campaign)) };
}

/** All rounds of one experiment, oldest first. */
export function readRoundsOf(sql: SqlStorage, key: string): StoredRound[] {
  return roundsOfExperiment(sql, key);
}

/** Every round of the campaign, by experiment then oldest first. */
export function readAllRounds(sql: SqlStorage): Array<StoredRound & { experiment: string }> {
  const rows = sql.exec(
    `SELECT experiment, trial, commit_sha AS "commit", split, score, error_rate, created_at, sort_at, row_key, ${ROUND_FIELD_COLUMNS} FROM rounds`,
  ).toArray().map((r) => fromColumns(r as Parameters<typeof fromColumns<StoredRound & { experiment: string }>>[0]) as StoredRound & { experiment: string });
  return rows.sort((a, b) => (a.experiment < b.experiment ? -1 : a.experiment > b.experiment ? 1 : -newestFirst(a, b)));
}
