// Per-experiment, per-split round summaries, kept current on every write so the board never scans rounds.
export interface RoundForSummary {
  split: string;
  score: number | null;
  sortAt: string;
  rowKey: string;
}

export interface SplitSummary {
  experiment: string;
  split: string;
  count: number;
  scored: number;
  max_score: number | null;
  min_score: number | null;
  last_score: number | null;
  last_sort_at: string | null;
  last_row_key: string | null;
}

/** Rounds order by (sort_at, row_key): the same rounds give the same "last" in any arrival order. */
export function isLater(sortAt: string, rowKey: string, thanSortAt: string | null, thanRowKey: string | null): boolean {
  if (thanSortAt === null) return true;
  return sortAt > thanSortAt || (sortAt === thanSortAt && rowKey > (thanRowKey ?? ""));
}

/** Folds newly stored rounds into their split summaries: one read and one write per split touched. */
export function addRoundsToSummaries(sql: SqlStorage, experiment: string, rounds: readonly RoundForSummary[]): void {
  const bySplit = new Map<string, RoundForSummary[]>();
  for (const r of rounds) {
    const list = bySplit.get(r.split);
    if (list) list.push(r);
    else bySplit.set(r.split, [r]);
  }
  for (const [split, list] of bySplit) {
    const s: SplitSummary = (sql.exec("SELECT * FROM split_summaries WHERE experiment = ? AND split = ?", experiment, split).toArray()[0] as unknown as SplitSummary | undefined) ?? {
      experiment, split, count: 0, scored: 0, max_score: null, min_score: null, last_score: null, last_sort_at: null, last_row_key: null,
    };
    for (const r of list) {
      s.count++;
      if (r.score !== null) {
        s.scored++;
        s.max_score = s.max_score === null ? r.score : Math.max(s.max_score, r.score);
        s.min_score = s.min_score === null ? r.score : Math.min(s.min_score, r.score);
      }
      if (isLater(r.sortAt, r.rowKey, s.last_sort_at, s.last_row_key)) {
        s.last_score = r.score;
        s.last_sort_at = r.sortAt;
        s.last_row_key = r.rowKey;
      }
    }
    writeSummary(sql, s);
  }
}

function writeSummary(sql: SqlStorage, s: SplitSummary): void {
  sql.exec(
    `INSERT OR REPLACE INTO split_summaries (experiment, split, count, scored, max_score, min_score, last_score, last_sort_at, last_row_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    s.experiment, s.split, s.count, s.scored, s.max_score, s.min_score, s.last_score, s.last_sort_at, s.last_row_key,
  );
}

/** Rebuilds one experiment's summaries from its rounds (only when a trial moves between experiments). */
export function recomputeSummaries(sql: SqlStorage, experiment: string): void {
  sql.exec("DELETE FROM split_summaries WHERE experiment = ?", experiment);
  const groups = sql.exec<{ split: string; count: number; scored: number; max_score: number | null; min_score: number | null }>(
    "SELECT split, count(*) AS count, count(score) AS scored, max(score) AS max_score, min(score) AS min_score FROM rounds WHERE experiment = ? GROUP BY split",
    experiment,
  ).toArray();
  for (const g of groups) {
    const last = sql.exec<{ score: number | null; sort_at: string; row_key: string }>(
      "SELECT score, sort_at, row_key FROM rounds WHERE experiment = ? AND split = ? ORDER BY sort_at DESC, row_key DESC LIMIT 1",
      experiment, g.split,
    ).one();
    writeSummary(sql, { experiment, ...g, last_score: last.score, last_sort_at: last.sort_at, last_row_key: last.row_key });
  }
}

export function readAllSummaries(sql: SqlStorage): Map<string, SplitSummary[]> {
  const out = new Map<string, SplitSummary[]>();
  for (const row of sql.exec("SELECT * FROM split_summaries")) {
    const s = row as unknown as SplitSummary;
    const list = out.get(s.experiment);
    if (list) list.push(s);
    else out.set(s.experiment, [s]);
  }
  return out;
}
