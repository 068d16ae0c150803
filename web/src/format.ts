// How numbers, times and durations read on the board. Pure: no DOM, no clock (callers pass `now`).
import type { Verdict } from "../../protocol/status.ts";
import { formatDuration } from "../../protocol/durations.ts";

export { formatDuration };

/** Parses an ISO time; naive times (sidecars write them) are read as UTC, as the sidecar means them. */
export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const naive = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso);
  const ms = Date.parse(naive ? `${iso}Z` : iso);
  return Number.isFinite(ms) ? ms : null;
}

/** "12 s ago" relative to `nowMs`; "never" when there is no time; clock skew never shows "in the future". */
export function formatAgo(iso: string | null | undefined, nowMs: number): string {
  const at = parseTime(iso);
  if (at === null) return "never";
  return `${formatDuration((nowMs - at) / 1000)} ago`;
}

/** Scores are usually 0..1 rewards: three significant decimals, trailing zeros kept for alignment. */
export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(2);
  return abs >= 100 ? value.toFixed(1) : value.toFixed(3);
}

/** Error rates are fractions: show them as percentages. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;
}

/** Budget counts: null means the sidecar does not limit it — unless it does not disclose it (then unknown). */
export function formatCount(value: number | null | undefined, disclosed?: boolean): string {
  if (value === null || value === undefined) return disclosed === false ? "not disclosed" : "unlimited";
  return value.toLocaleString("en-US");
}

interface BudgetNumbers {
  remaining_runs: number | null;
  remaining_samples: number | null;
  total_runs?: number;
  total_samples?: number;
  disclosed?: boolean;
  metered?: boolean;
}

/** "37 of 40 runs left" when the total is stated, "37 runs left" when not, "runs not disclosed". */
function leftOf(remaining: number | null, total: number | undefined, unit: string, disclosed: boolean | undefined): string {
  if (remaining === null && disclosed === false) return `${unit} not disclosed`;
  const of = remaining !== null && total !== undefined ? ` of ${formatCount(total)}` : "";
  return `${formatCount(remaining, disclosed)}${of} ${unit} left`;
}

/**
 * One split's budget in words, in two parts the card shows around the pace: the runs ("37 of 40 runs left")
 * and what follows them ("3,700 of 4,000 samples left"). "no budget" (none exists for it) and "budget not
 * disclosed" come whole, with no pace.
 */
export function budgetParts(b: BudgetNumbers): { runs: string; rest: string | null; paced: boolean } {
  if (b.metered === false) return { runs: "no budget", rest: null, paced: false };
  if (b.disclosed === false && b.remaining_runs === null && b.remaining_samples === null) return { runs: "budget not disclosed", rest: null, paced: false };
  return { runs: leftOf(b.remaining_runs, b.total_runs, "runs", b.disclosed), rest: leftOf(b.remaining_samples, b.total_samples, "samples", b.disclosed), paced: b.remaining_runs !== null };
}

/** A forecast's distance, rounded to one unit as a forecast deserves: "~45 min", "~6 h", "~3 d". */
export function formatEta(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 3600) return `~${Math.max(1, Math.round(s / 60))} min`;
  if (s < 48 * 3600) return `~${Math.round(s / 3600)} h`;
  return `~${Math.round(s / 86400)} d`;
}

/**
 * The pace after the runs left: "~6 h at this pace" until `exhausted_at`, "no runs spent in the last hour"
 * at zero burn, null when there is no burn to tell (fewer than two observations in the hour).
 */
export function paceText(pace: { burn_per_hour?: number | null; exhausted_at?: string | null }, nowMs: number): string | null {
  const until = parseTime(pace.exhausted_at);
  if (until !== null) return until <= nowMs ? "running out now at this pace" : `${formatEta((until - nowMs) / 1000)} at this pace`;
  return pace.burn_per_hour === 0 ? "no runs spent in the last hour" : null;
}

/** Commits are long hashes; seven characters identify them on a card (the full one goes in a tooltip). */
export function shortCommit(commit: string): string {
  return /^[0-9a-f]{12,}$/i.test(commit) ? commit.slice(0, 7) : commit;
}

/** UTC wall time for tooltips: "2026-11-24 02:31:07 UTC". */
export function formatUtc(iso: string | null | undefined): string {
  const at = parseTime(iso);
  if (at === null) return "unknown time";
  return `${new Date(at).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A verdict result in the operator's words, the same on the card banner and in the table. */
export const VERDICT_WORDS: Record<NonNullable<Verdict["result"]>, string> = {
  PASSED: "PASSED",
  FAILED: "FAILED",
  NOT_SHIPPED: "NOT SHIPPED",
  INVALID: "INVALID",
};
