// Combines per-split summaries into the experiment's rounds summary, leaving out splits the role may not see.
import type { RoundsSummary } from "../../protocol/index.ts";

export interface SplitFigures {
  split: string;
  count: number;
  scored: number;
  max_score: number | null;
  min_score: number | null;
  last_score: number | null;
  last_sort_at: string | null;
}

/** Counts and times are not secret; best and last scores come only from visible splits. */
export function combineSplits(splits: readonly SplitFigures[], isHidden: (split: string) => boolean, higherIsBetter: boolean): RoundsSummary {
  let count = 0;
  let scored = 0;
  let best: number | null = null;
  let lastAt: string | null = null;
  let lastVisibleAt: string | null = null;
  let lastScore: number | null = null;
  for (const s of splits) {
    count += s.count;
    scored += s.scored;
    if (s.last_sort_at !== null && (lastAt === null || s.last_sort_at > lastAt)) lastAt = s.last_sort_at;
    if (isHidden(s.split)) continue;
    const candidate = higherIsBetter ? s.max_score : s.min_score;
    if (candidate !== null && (best === null || (higherIsBetter ? candidate > best : candidate < best))) best = candidate;
    if (s.last_sort_at !== null && (lastVisibleAt === null || s.last_sort_at > lastVisibleAt)) {
      lastVisibleAt = s.last_sort_at;
      lastScore = s.last_score;
    }
  }
  return { count, scored, best_score: best, last_score: lastScore, last_at: lastAt };
}
