// What the alert rules look at, read from campaign storage: experiments (phase, verdict), hosts and
// split budgets. The phase and verdict come from the board (experimentFacts is the one call to swap for a
// keyed board read later).
import type { Bars, Phase, Verdict } from "../../protocol/index.ts";
import { assemble } from "../board/assemble.ts";
import { readBoardRecords } from "../board/queries.ts";
import { ledgerBalances } from "../budget/read.ts";
import type { RecentRoundsStore } from "../ingest/recent-rounds.ts";

export interface ObserveContext {
  sql: SqlStorage;
  recent: RecentRoundsStore;
  campaign: string;
  heartbeatTimeoutS: number;
}

export interface ExperimentFacts {
  key: string;
  title: string | null;
  phase: Phase;
  phaseReason: string | null;
  verdict: Verdict | null;
  /** The final the board shows (the trial and when it finished), when there is one. */
  final: { trial: string; job: string; finishedAt: string | null; failed: boolean } | null;
  bars: Bars | null;
  /** A trial of it has a live container. */
  live: boolean;
  rounds: number;
  hosts: string[];
}

export interface HostFacts {
  host: string;
  stale: boolean;
  silentForS: number;
  /** False for a producer that reports trials without heartbeats: judged by its last report's arrival. */
  heartbeats: boolean;
}

/** Phase and verdict of the given experiments (all when "all"), as the board derives them (admin view: unredacted). */
export function experimentFacts(ctx: ObserveContext, keys: Iterable<string> | "all", nowMs: number): ExperimentFacts[] {
  const scope: "all" | string[] = keys === "all" ? "all" : [...keys];
  if (scope !== "all" && scope.length === 0) return []; // no board read for a look at hosts and budgets alone
  const board = assemble(readBoardRecords(ctx.sql, ctx.recent, { campaign: ctx.campaign, heartbeatTimeoutS: ctx.heartbeatTimeoutS, nowMs, scope }), "admin", nowMs);
  const wanted = scope === "all" ? board.keys : scope.filter((k) => board.has(k));
  return wanted.map((key) => {
    const e = board.experiment(key);
    return {
      key,
      title: e.title,
      phase: e.phase,
      phaseReason: e.phase_reason,
      verdict: e.verdict,
      final: e.final ? { trial: e.final.trial, job: e.final.job, finishedAt: e.final.finished_at, failed: e.final.exception !== null } : null,
      bars: e.bars,
      live: e.trials.some((t) => t.live),
      rounds: e.trials.reduce((n, t) => n + t.rounds, 0),
      hosts: [...new Set(e.trials.map((t) => t.host).filter((h): h is string => h !== null))],
    };
  });
}

export function hostFacts(ctx: ObserveContext, nowMs: number): HostFacts[] {
  const timeoutMs = ctx.heartbeatTimeoutS * 1000;
  return ctx.sql.exec<{ host: string; received_ms: number; heartbeats: number }>(
    "SELECT host, received_ms, heartbeats FROM heard_hosts ORDER BY host",
  ).toArray().map((h) => ({
    host: h.host,
    stale: nowMs - h.received_ms > timeoutMs,
    silentForS: Math.max(0, (nowMs - h.received_ms) / 1000),
    heartbeats: h.heartbeats === 1,
  }));
}

/** The experiments whose trials last reported from `host`. */
export function experimentsOnHost(sql: SqlStorage, host: string): string[] {
  return sql.exec<{ experiment: string }>("SELECT DISTINCT experiment FROM trials WHERE host = ? ORDER BY experiment", host).toArray().map((r) => r.experiment);
}

export interface BudgetFacts {
  /** "ledger:<split>" or "sidecar:<trial>:<split>". */
  subject: string;
  split: string;
  source: "ledger" | "sidecar";
  remaining: number;
  /** Null when the source does not say (legacy sidecars report only what remains). */
  total: number | null;
  trial?: string;
  experiment?: string;
}

/**
 * Remaining runs per split: the campaign ledger's, and each sidecar's latest report — of the given
 * experiments' trials only (all on "all"). A sidecar's budget moves only when its trial reports, so a
 * look after a change reads just the touched experiments' budgets, not the whole campaign's.
 */
export function budgetFacts(ctx: ObserveContext, nowMs: number, experiments: Iterable<string> | "all"): BudgetFacts[] {
  const out: BudgetFacts[] = [];
  for (const s of ledgerBalances(ctx.sql, nowMs)) {
    out.push({ subject: `ledger:${s.split}`, split: s.split, source: "ledger", remaining: s.remaining_runs, total: s.total_runs });
  }
  const keys = experiments === "all" ? null : [...experiments];
  if (keys !== null && keys.length === 0) return out;
  type Row = { split: string; remaining_runs: number; total_runs: number | null; trial: string; experiment: string; trial_lc: string };
  const select = `SELECT b.split, b.remaining_runs, b.total_runs, t.trial, t.experiment, b.trial_lc FROM trial_budgets b JOIN trials t ON t.trial_lc = b.trial_lc
     WHERE b.remaining_runs IS NOT NULL`;
  const rows = keys === null
    ? ctx.sql.exec<Row>(`${select} ORDER BY b.trial_lc, b.split`)
    : ctx.sql.exec<Row>(`${select} AND t.experiment IN (SELECT value FROM json_each(?)) ORDER BY b.trial_lc, b.split`, JSON.stringify(keys));
  for (const r of rows) {
    out.push({ subject: `sidecar:${r.trial_lc}:${r.split}`, split: r.split, source: "sidecar", remaining: r.remaining_runs, total: r.total_runs, trial: r.trial, experiment: r.experiment });
  }
  return out;
}
