// ── BUDGET SEAM ── The two places the board reads the campaign budget ledger (durable-objects/budget-ledger*.ts),
// plus the sidecars' own budget reports the ledger is compared with for drift.
import type { BudgetView, CampaignBudgetView, Tier } from "../protocol/index.ts";
import { budgetView, configuredTiers } from "./budget-ledger-read.ts";

/**
 * Only recent sidecar reports count for drift: a finished trial's last report is history, and
 * comparing it with today's ledger would flag every old trial.
 */
export const DRIFT_FRESH_MS = 10 * 60 * 1000;

/** Tier per split from the campaign budget config (it overrides what sidecars report). */
export function campaignTiers(sql: SqlStorage): Map<string, Tier> {
  return configuredTiers(sql);
}

/** Each sidecar's latest report per split, received within DRIFT_FRESH_MS of `nowMs`. */
export function recentSidecarBudgets(sql: SqlStorage, nowMs: number): BudgetView[] {
  return sql.exec<BudgetView & Record<string, SqlStorageValue>>(
    `SELECT b.split, b.tier, b.remaining_runs, b.remaining_samples, COALESCE(t.trial, b.trial_lc) AS trial, b.host, b.at
     FROM trial_budgets b LEFT JOIN trials t ON t.trial_lc = b.trial_lc
     WHERE b.at_ms >= ? ORDER BY b.split, b.at_ms DESC`,
    nowMs - DRIFT_FRESH_MS,
  ).toArray().map((r) => ({ ...r }));
}

/** The `campaign_budget` section of the board; undefined (left out) until an admin configures a split. */
export function campaignBudgetView(sql: SqlStorage, nowMs = Date.now()): CampaignBudgetView[] | undefined {
  const view = budgetView(sql, recentSidecarBudgets(sql, nowMs));
  return view.length > 0 ? view : undefined;
}
