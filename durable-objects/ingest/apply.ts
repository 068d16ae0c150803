// Applies one verified agent batch to campaign storage in a single synchronous transaction: all or
// nothing, idempotent on (agent, epoch, seq) and on natural keys, so replays and reorders converge.
import { recordRemaining } from "./budget-history.ts";
import type { AgentBatch, Attempt, FinalObservation, HeartbeatObservation, IngestReply, TrialObservation } from "../../protocol/index.ts";
import { isoToMs } from "../domain/durations.ts";
import { nextExperimentName, type NameSource } from "../domain/experiment-name.ts";
import { supersedesReport } from "../domain/final.ts";
import { rowIdentity } from "../../protocol/row-identity.ts";
import { addRoundsToSummaries, recomputeSummaries } from "./summaries.ts";
import type { RecentRoundsStore, StoredRound } from "./recent-rounds.ts";
import { readFinal, writeFinal } from "./finals.ts";
import { fieldsOf, ROUND_FIELD_COLUMNS, toColumns } from "./round-fields.ts";
import { writeSidecarUsage } from "../usage/store.ts";
import { finalizationOf } from "./finalization.ts";
import { spendOf } from "./final-spend.ts";
import { writeJob } from "../jobs/store.ts";
import { forgetProducerHost, noteProducerReport } from "./producer-hosts.ts";

export type IngestOutcome =
  | { ok: true; reply: IngestReply; changed: Set<string>; removed: Set<string>; hosts: Set<string>; jobs?: boolean; producerReported?: boolean }
  | { ok: false; status: 403; error: string };

/** What one batch touched, so the live hub can send only those entries. */
interface Touched {
  changed: Set<string>;
  removed: Set<string>;
  /** Hosts whose heartbeat row was written. */
  hosts: Set<string>;
  /** A job observation changed the stored progress. */
  jobs?: boolean;
  /** A host with no heartbeat on record reported trials (producer-hosts.ts kept when). */
  producerReported?: boolean;
}

/** Runs inside the batch's transaction after it applied, with the experiments it touched (alerts raise here). */
export type InTransaction = (changed: ReadonlySet<string>) => void;

export function applyBatch(storage: DurableObjectStorage, recent: RecentRoundsStore, batch: AgentBatch, nowMs: number, inTransaction?: InTransaction): IngestOutcome {
  try {
    return applyInTransaction(storage, recent, batch, nowMs, inTransaction);
  } catch (err) {
    recent.invalidate(); // storage rolled back; the cache may hold what it wrote
    throw err;
  }
}

function applyInTransaction(storage: DurableObjectStorage, recent: RecentRoundsStore, batch: AgentBatch, nowMs: number, inTransaction?: InTransaction): IngestOutcome {
  const sql = storage.sql;
  return storage.transactionSync((): IngestOutcome => {
    const agent = sql.exec<{ revoked_at: string | null }>("SELECT revoked_at FROM agents WHERE agent_id = ?", batch.agent.id).toArray()[0];
    if (agent?.revoked_at) return { ok: false, status: 403, error: `agent ${batch.agent.id} is revoked` };

    const reply = { acked_seq: batch.seq };
    const seen = sql.exec("SELECT 1 FROM batches WHERE agent_id = ? AND epoch = ? AND seq = ?", batch.agent.id, batch.epoch, batch.seq).toArray();
    if (seen.length > 0) return { ok: true, reply: { ...reply, duplicate: true }, changed: new Set(), removed: new Set(), hosts: new Set() };

    const now = new Date(nowMs).toISOString();
    const touched: Touched = { changed: new Set(), removed: new Set(), hosts: new Set() };
    for (const obs of batch.observations) {
      if (obs.kind === "heartbeat") applyHeartbeat(sql, batch, obs, nowMs, touched);
      else if (obs.kind === "trial") applyTrial(sql, recent, batch, obs, nowMs, touched);
      else if (obs.kind === "final") applyFinal(sql, recent, batch, obs, touched);
      else if (obs.kind === "job" && writeJob(sql, batch.agent.host, obs)) touched.jobs = true;
    }
    const observations = batch.observations;
    if (!observations.some((o) => o.kind === "heartbeat") && observations.some((o) => o.kind === "trial")) {
      touched.producerReported = noteProducerReport(sql, batch.agent.host, nowMs);
    }
    for (const key of touched.changed) {
      sql.exec("INSERT INTO experiments (key, first_seen, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET updated_at = excluded.updated_at", key, now, now);
    }
    for (const key of touched.removed) {
      sql.exec("DELETE FROM experiments WHERE key = ?", key);
      touched.changed.delete(key);
    }
    sql.exec(
      `INSERT INTO agents (agent_id, host, version, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(agent_id) DO UPDATE SET host = excluded.host, version = excluded.version, last_seen = excluded.last_seen`,
      batch.agent.id, batch.agent.host, batch.agent.version, now, now,
    );
    sql.exec("INSERT INTO batches (agent_id, epoch, seq, applied_at) VALUES (?, ?, ?, ?)", batch.agent.id, batch.epoch, batch.seq, now);
    inTransaction?.(touched.changed);
    return { ok: true, reply: { ...reply, duplicate: false }, ...touched };
  });
}

function applyHeartbeat(sql: SqlStorage, batch: AgentBatch, obs: HeartbeatObservation, nowMs: number, touched: Touched): void {
  const host = batch.agent.host;
  const atMs = isoToMs(obs.at)!;
  const prev = sql.exec<{ last_seen_ms: number; containers: string; stale: number }>("SELECT last_seen_ms, containers, stale FROM hosts WHERE host = ?", host).toArray()[0];
  // Docker unreachable says nothing about which containers run: keep the last known list rather than
  // calling every trial on the host gone (the seed dashboard blanked its page on a docker timeout).
  touched.hosts.add(host);
  const list: string[] = obs.docker === "unreachable" && prev
    ? (JSON.parse(prev.containers) as string[])
    : [...new Set(obs.containers.map((c) => c.toLowerCase()))].sort();
  const containers = JSON.stringify(list);
  if (prev && atMs < prev.last_seen_ms) {
    // An older heartbeat still proves the host is alive now, but its container list is out of date.
    sql.exec("UPDATE hosts SET received_ms = ?, stale = 0 WHERE host = ?", nowMs, host);
  } else {
    sql.exec(
      `INSERT INTO hosts (host, agent_id, last_seen, last_seen_ms, docker, containers, container_count, jobs_dirs, received_ms, stale)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
       ON CONFLICT(host) DO UPDATE SET agent_id = excluded.agent_id, last_seen = excluded.last_seen, last_seen_ms = excluded.last_seen_ms,
         docker = excluded.docker, containers = excluded.containers, container_count = excluded.container_count,
         jobs_dirs = excluded.jobs_dirs, received_ms = excluded.received_ms, stale = 0`,
      host, batch.agent.id, obs.at, atMs, obs.docker, containers, list.length, JSON.stringify(obs.jobs_dirs), nowMs,
    );
  }
  // Liveness of this host's trials changes with its staleness (all of them) or, container by container,
  // with the list: only the experiments whose containers came or went are touched.
  if (!prev) forgetProducerHost(sql, host);
  if (!prev || prev.stale) {
    for (const r of sql.exec<{ experiment: string }>("SELECT DISTINCT experiment FROM trials WHERE host = ?", host)) touched.changed.add(r.experiment);
  } else if (prev.containers !== containers) {
    const cameOrWent = symmetricDifference(JSON.parse(prev.containers) as string[], list);
    const rows = sql.exec<{ experiment: string }>(
      "SELECT DISTINCT experiment FROM trials WHERE host = ? AND container IN (SELECT value FROM json_each(?))", host, JSON.stringify(cameOrWent),
    );
    for (const r of rows) touched.changed.add(r.experiment);
  }
}

function symmetricDifference(a: readonly string[], b: readonly string[]): string[] {
  const inA = new Set(a);
  const inB = new Set(b);
  return [...a.filter((x) => !inB.has(x)), ...b.filter((x) => !inA.has(x))];
}

interface TrialRow {
  experiment: string;
  named_by: NameSource;
  last_at_ms: number | null;
}

function readTrial(sql: SqlStorage, trialLc: string): TrialRow | undefined {
  return sql.exec<Record<string, string | number | null>>("SELECT experiment, named_by, last_at_ms FROM trials WHERE trial_lc = ?", trialLc).toArray()[0] as TrialRow | undefined;
}

/** Moves a trial (and its rounds and final) to a better-named experiment; both summaries are rebuilt. */
function renameTrial(sql: SqlStorage, recent: RecentRoundsStore, trialLc: string, from: string, to: { name: string; source: NameSource }, touched: Touched): void {
  sql.exec("UPDATE trials SET experiment = ?, named_by = ? WHERE trial_lc = ?", to.name, to.source, trialLc);
  if (from === to.name) return;
  sql.exec("UPDATE rounds SET experiment = ? WHERE trial_lc = ?", to.name, trialLc);
  sql.exec("UPDATE finals SET experiment = ? WHERE trial_lc = ?", to.name, trialLc);
  recomputeSummaries(sql, recent, from);
  recomputeSummaries(sql, recent, to.name);
  touched.changed.add(to.name);
  touched.changed.add(from);
  const left = sql.exec("SELECT 1 FROM trials WHERE experiment = ? LIMIT 1", from).toArray();
  if (left.length === 0) touched.removed.add(from);
  touched.removed.delete(to.name);
}

function applyTrial(sql: SqlStorage, recent: RecentRoundsStore, batch: AgentBatch, obs: TrialObservation, nowMs: number, touched: Touched): void {
  const trialLc = obs.trial.toLowerCase();
  const atMs = isoToMs(obs.at)!;
  const host = batch.agent.host;
  const prev = readTrial(sql, trialLc);
  let experiment = obs.experiment;
  if (!prev) {
    sql.exec(
      `INSERT INTO trials (trial_lc, trial, experiment, named_by, host, container, last_at, last_at_ms, error, rounds, received_ms)
       VALUES (?, ?, ?, 'trial', ?, ?, ?, ?, ?, 0, ?)`,
      trialLc, obs.trial, experiment, host, obs.container.toLowerCase(), obs.at, atMs, obs.error ?? null, nowMs,
    );
    touched.removed.delete(experiment);
  } else {
    const next = nextExperimentName({ name: prev.experiment, source: prev.named_by }, { name: obs.experiment, source: "trial" });
    if (next.name !== prev.experiment) renameTrial(sql, recent, trialLc, prev.experiment, next, touched);
    experiment = next.name;
    // Latest-wins by observed time: an older snapshot arriving late does not overwrite a newer one.
    if (prev.last_at_ms === null || atMs >= prev.last_at_ms) {
      sql.exec(
        "UPDATE trials SET trial = ?, host = ?, container = ?, last_at = ?, last_at_ms = ?, error = ?, received_ms = ? WHERE trial_lc = ?",
        obs.trial, host, obs.container.toLowerCase(), obs.at, atMs, obs.error ?? null, nowMs, trialLc,
      );
    } else {
      // An older report arriving late still says its producer is speaking now.
      sql.exec("UPDATE trials SET received_ms = ? WHERE trial_lc = ?", nowMs, trialLc);
    }
  }
  touched.changed.add(experiment);

  const added: StoredRound[] = [];
  for (const row of obs.rows) {
    const rowKey = rowIdentity(row);
    const sortAt = row.created_at ?? obs.at;
    const cur = sql.exec(
      `INSERT INTO rounds (trial_lc, row_key, experiment, trial, commit_sha, split, score, error_rate, created_at, sort_at, ${ROUND_FIELD_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      trialLc, rowKey, experiment, obs.trial, row.commit, row.split, row.score, row.error_rate, row.created_at, sortAt, ...toColumns(row),
    );
    if (cur.rowsWritten > 0) {
      added.push({ trial: obs.trial, commit: row.commit, split: row.split, score: row.score, error_rate: row.error_rate, created_at: row.created_at, sort_at: sortAt, row_key: rowKey, ...fieldsOf(row) });
    }
  }
  if (added.length > 0) {
    sql.exec("UPDATE trials SET rounds = rounds + ? WHERE trial_lc = ?", added.length, trialLc);
    addRoundsToSummaries(sql, recent, experiment, added);
  }
  for (const b of obs.budget) {
    sql.exec(
      `INSERT INTO trial_budgets (trial_lc, split, tier, remaining_runs, remaining_samples, total_runs, total_samples, at, at_ms, host, disclosed, metered)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(trial_lc, split) DO UPDATE SET tier = excluded.tier, remaining_runs = excluded.remaining_runs,
         remaining_samples = excluded.remaining_samples, total_runs = excluded.total_runs, total_samples = excluded.total_samples,
         at = excluded.at, at_ms = excluded.at_ms, host = excluded.host, disclosed = excluded.disclosed,
         metered = excluded.metered
       WHERE excluded.at_ms >= trial_budgets.at_ms`,
      trialLc, b.split, b.tier, b.remaining_runs, b.remaining_samples, b.total_runs ?? null, b.total_samples ?? null,
      obs.at, atMs, host, b.disclosed === false ? 0 : null, b.metered === false ? 0 : null,
    );
    recordRemaining(sql, trialLc, b.split, atMs, b.remaining_runs);
  }
  writeSidecarUsage(sql, trialLc, obs, atMs, host);
}

function applyFinal(sql: SqlStorage, recent: RecentRoundsStore, batch: AgentBatch, obs: FinalObservation, touched: Touched): void {
  const trialLc = obs.trial.toLowerCase();
  const report: Attempt = {
    trial: obs.trial,
    job: obs.job,
    host: batch.agent.host,
    rewards: obs.rewards,
    finished_at: obs.finished_at ?? null,
    exception: obs.exception ?? null,
    source: obs.source,
    ...finalizationOf(obs),
    ...spendOf(obs),
  };
  const current = readFinal(sql, trialLc);
  if (current && !supersedesReport(current, report)) return;

  const prev = readTrial(sql, trialLc);
  if (!prev) {
    // Finished before any agent saw it running: the trial dir alone tells us it existed.
    sql.exec(
      "INSERT INTO trials (trial_lc, trial, experiment, named_by, host, container, last_at, last_at_ms, error, rounds) VALUES (?, ?, ?, 'final', ?, NULL, NULL, NULL, NULL, 0)",
      trialLc, obs.trial, obs.experiment, batch.agent.host,
    );
    touched.removed.delete(obs.experiment);
    writeFinal(sql, trialLc, obs.experiment, report);
    touched.changed.add(obs.experiment);
    return;
  }
  const next = nextExperimentName({ name: prev.experiment, source: prev.named_by }, { name: obs.experiment, source: "final" });
  renameTrial(sql, recent, trialLc, prev.experiment, next, touched);
  writeFinal(sql, trialLc, next.name, report);
  touched.changed.add(next.name);
}
