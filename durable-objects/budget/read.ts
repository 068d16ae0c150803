// Read side of the budget ledger over plain SqlStorage: balances for the board, tiers for redaction,
// and the admin view. No writes here, so the board can call it from anywhere.
import type { BudgetAuditEntry, BudgetLedgerReply, ExperimentSpend, ReservationView } from "../../protocol/budget.ts";
import { DEFAULT_RESERVATION_TTL_S } from "../../protocol/budget.ts";
import type { Tier } from "../../protocol/ingest.ts";
import type { BudgetView, CampaignBudgetView } from "../../protocol/status.ts";
import { forecast, BURN_WINDOW_MS } from "../domain/forecast.ts";
import { balanceOf, driftOf, type ReservationRecord, type SplitLedger } from "./rules.ts";

type SplitRow = Omit<SplitLedger, "listed" | "tier"> & { listed: number; tier: string };

const SPLIT_COLUMNS = "split, listed, tier, total_runs, total_samples, max_samples_per_run, committed_runs, committed_samples";
const RESERVATION_COLUMNS = "id, agent_id, split, experiment, runs, samples, state, expires_at_ms, runs_used, samples_used, closed_at_ms, expired_at_ms, reclaimed_by";

export const iso = (ms: number) => new Date(ms).toISOString();

function toSplit(row: SplitRow): SplitLedger {
  return { ...row, listed: row.listed === 1, tier: row.tier as Tier };
}

export function readSplit(sql: SqlStorage, name: string): SplitLedger | null {
  const row = sql.exec<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM budget_splits WHERE split = ?`, name).toArray()[0];
  return row ? toSplit(row) : null;
}

/** Every split ever configured (listed or not), by name. */
export function readSplits(sql: SqlStorage): SplitLedger[] {
  return sql.exec<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM budget_splits ORDER BY split`).toArray().map(toSplit);
}

export function readReservation(sql: SqlStorage, id: string): ReservationRecord | null {
  return sql.exec<ReservationRecord & Record<string, SqlStorageValue>>(`SELECT ${RESERVATION_COLUMNS} FROM budget_reservations WHERE id = ?`, id).toArray()[0] ?? null;
}

/** Open reservations due at or before `nowMs`, oldest first. */
export function readDueReservations(sql: SqlStorage, nowMs: number): ReservationRecord[] {
  return sql.exec<ReservationRecord & Record<string, SqlStorageValue>>(
    `SELECT ${RESERVATION_COLUMNS} FROM budget_reservations WHERE state = 'open' AND expires_at_ms <= ? ORDER BY expires_at_ms`, nowMs,
  ).toArray();
}

export function readReservationTtlS(sql: SqlStorage): number {
  const row = sql.exec<{ reservation_ttl_s: number }>("SELECT reservation_ttl_s FROM budget_settings WHERE id = 1").toArray()[0];
  return row?.reservation_ttl_s ?? DEFAULT_RESERVATION_TTL_S;
}

/** Listed splits' configured tiers: the first source of resolveTier (domain/tier.ts). */
export function configuredTiers(sql: SqlStorage): Map<string, Tier> {
  return new Map(readSplits(sql).filter((s) => s.listed).map((s) => [s.split, s.tier]));
}

/** When the earliest open reservation falls due, or null when none is open. */
export function nextExpiryAt(sql: SqlStorage): number | null {
  return sql.exec<{ due: number | null }>("SELECT MIN(expires_at_ms) AS due FROM budget_reservations WHERE state = 'open'").one().due;
}

function openCounts(sql: SqlStorage): Map<string, number> {
  const rows = sql.exec<{ split: string; n: number }>("SELECT split, COUNT(*) AS n FROM budget_reservations WHERE state = 'open' GROUP BY split").toArray();
  return new Map(rows.map((r) => [r.split, r.n]));
}

/** The split's burn and exhaustion time from what the audit says remained after each change in the last hour. */
function ledgerForecast(sql: SqlStorage, split: string, nowMs: number): Pick<CampaignBudgetView, "burn_per_hour" | "exhausted_at"> {
  const rows = sql.exec<{ at: string; remaining_runs: number }>("SELECT at, remaining_runs FROM budget_audit WHERE split = ? AND at >= ? ORDER BY seq", split, iso(nowMs - BURN_WINDOW_MS)).toArray();
  return forecast(rows.map((r) => ({ atMs: Date.parse(r.at), remaining: r.remaining_runs })));
}

function viewOf(sql: SqlStorage, s: SplitLedger, openReservations: number, drift: string | null, nowMs: number): CampaignBudgetView {
  const b = balanceOf(s);
  return {
    split: s.split, tier: s.tier, total_runs: s.total_runs, remaining_runs: b.remaining_runs, total_samples: s.total_samples,
    remaining_samples: b.remaining_samples, max_samples_per_run: s.max_samples_per_run, open_reservations: openReservations, drift,
    ...ledgerForecast(sql, s.split, nowMs),
  };
}

/** The board's per-split ledger (listed splits), flagged where a sidecar's own figures drift from it. */
function budgetView(sql: SqlStorage, nowMs: number, sidecars: readonly BudgetView[] = []): CampaignBudgetView[] {
  const open = openCounts(sql);
  return readSplits(sql).filter((s) => s.listed).map((s) => viewOf(sql, s, open.get(s.split) ?? 0, driftOf(s, sidecars), nowMs));
}

/** Where every committed unit sits, per (split, experiment): held by open or overdue reservations, and used parts of released ones. */
function spendByExperiment(sql: SqlStorage): ExperimentSpend[] {
  return sql.exec<ExperimentSpend & Record<string, SqlStorageValue>>(
    `SELECT split, experiment,
       SUM(CASE WHEN state IN ('open', 'expired') THEN runs ELSE 0 END) AS open_runs,
       SUM(CASE WHEN state IN ('open', 'expired') THEN samples ELSE 0 END) AS open_samples,
       SUM(COALESCE(runs_used, 0)) AS used_runs,
       SUM(COALESCE(samples_used, 0)) AS used_samples,
       SUM(CASE WHEN expired_at_ms IS NOT NULL THEN 1 ELSE 0 END) AS expired_reservations
     FROM budget_reservations GROUP BY split, experiment ORDER BY split, experiment`,
  ).toArray().map((r) => ({ ...r }));
}

/**
 * Only recent sidecar reports count for drift: a finished trial's last report is history, and
 * comparing it with today's ledger would flag every old trial.
 */
const DRIFT_FRESH_MS = 10 * 60 * 1000;

/** Each sidecar's latest report per split, received within DRIFT_FRESH_MS of `nowMs`. */
export function recentSidecarBudgets(sql: SqlStorage, nowMs: number): BudgetView[] {
  return sql.exec<BudgetView & Record<string, SqlStorageValue>>(
    `SELECT b.split, b.tier, b.remaining_runs, b.remaining_samples, COALESCE(t.trial, b.trial_lc) AS trial, b.host, b.at
     FROM trial_budgets b LEFT JOIN trials t ON t.trial_lc = b.trial_lc
     WHERE b.at_ms >= ? ORDER BY b.split, b.at_ms DESC`,
    nowMs - DRIFT_FRESH_MS,
  ).toArray().map((r) => ({ ...r }));
}

/** The ledger's listed splits without drift (no sidecar reports read): what the event log and alerts watch. */
export function ledgerBalances(sql: SqlStorage, nowMs: number): CampaignBudgetView[] {
  return budgetView(sql, nowMs);
}

/** The board's `campaign_budget` section; undefined (left out) until an admin configures a split. */
export function campaignBudgetView(sql: SqlStorage, nowMs: number): CampaignBudgetView[] | undefined {
  // Drift needs every recent sidecar report: read them only when there is a ledger to compare them with.
  if (sql.exec("SELECT 1 FROM budget_splits WHERE listed = 1 LIMIT 1").toArray().length === 0) return undefined;
  const view = budgetView(sql, nowMs, recentSidecarBudgets(sql, nowMs));
  return view.length > 0 ? view : undefined;
}

/** GET /api/campaigns/:c/budget: every split ever configured, open reservations, newest audit first. */
export function ledgerReply(sql: SqlStorage, opts: { auditLimit?: number; sidecars?: readonly BudgetView[]; nowMs?: number } = {}): BudgetLedgerReply {
  const open = openCounts(sql);
  type Row = { id: string; split: string; experiment: string; agent_id: string; runs: number; samples: number; created_at_ms: number; expires_at_ms: number };
  const reservationsIn = (state: "open" | "expired") => sql.exec<Row>(
    "SELECT id, split, experiment, agent_id, runs, samples, created_at_ms, expires_at_ms FROM budget_reservations WHERE state = ? ORDER BY created_at_ms, id LIMIT 1000", state,
  ).toArray().map((r): ReservationView => ({
    reservation: r.id, split: r.split, experiment: r.experiment, agent: r.agent_id, runs: r.runs, samples: r.samples,
    created_at: iso(r.created_at_ms), expires_at: iso(r.expires_at_ms),
  }));
  const audit = sql.exec<BudgetAuditEntry & Record<string, SqlStorageValue>>("SELECT * FROM budget_audit ORDER BY seq DESC LIMIT ?", opts.auditLimit ?? 1000).toArray();
  return {
    reservation_ttl_s: readReservationTtlS(sql),
    splits: readSplits(sql).map((s) => ({ ...viewOf(sql, s, open.get(s.split) ?? 0, driftOf(s, opts.sidecars ?? []), opts.nowMs ?? Date.now()), listed: s.listed })),
    spend_by_experiment: spendByExperiment(sql),
    open_reservations: reservationsIn("open"),
    overdue_reservations: reservationsIn("expired"),
    audit: audit.map((a) => ({ ...a })),
    audit_total: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM budget_audit").one().n,
  };
}
