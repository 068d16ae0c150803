// Final selection: which finished attempt decides an experiment, and which report of one trial counts.
// Never "whichever file the directory walk returned last".
import type { Attempt } from "../../protocol/index.ts";
import { isoToMs } from "./durations.ts";

/** result.json is written last by Harbor: it supersedes a reward file seen earlier for the same trial. */
const SOURCE_RANK: Record<string, number> = { "reward.txt": 0, "reward.json": 1, "result.json": 2 };

/**
 * True when `incoming` should replace `current` as the trial's final report. Ordering is total, so the
 * same set of reports gives the same answer in any arrival order.
 */
export function supersedesReport(current: Attempt, incoming: Attempt): boolean {
  const rank = (SOURCE_RANK[incoming.source] ?? -1) - (SOURCE_RANK[current.source] ?? -1);
  if (rank !== 0) return rank > 0;
  const t = compareFinishTimes(incoming.finished_at, current.finished_at);
  if (t !== 0) return t > 0;
  return JSON.stringify(incoming) > JSON.stringify(current);
}

function compareFinishTimes(a: string | null, b: string | null): number {
  const am = isoToMs(a) ?? -Infinity;
  const bm = isoToMs(b) ?? -Infinity;
  return am === bm ? 0 : am > bm ? 1 : -1;
}

/** Attempts in decision order: earliest first; the last one is the final. Ties break by trial name. */
export function orderAttempts(attempts: readonly Attempt[]): Attempt[] {
  return [...attempts].sort((a, b) => compareFinishTimes(a.finished_at, b.finished_at) || (a.trial < b.trial ? -1 : a.trial > b.trial ? 1 : 0));
}

/** The latest finished attempt (finished_at — result.json's, else the reward file's time), ties by trial name. */
export function selectFinal(attempts: readonly Attempt[]): Attempt | null {
  const ordered = orderAttempts(attempts);
  return ordered[ordered.length - 1] ?? null;
}
