// The CampaignObject's SQLite schema as an ordered list of migrations, each applied once and
// recorded in `migrations`. Append new entries at the end (the budget ledger's are "budget-1", …).
import { BUDGET_HOLD_MIGRATION, BUDGET_MIGRATIONS } from "./budget/schema.ts";
import { ALERTS_MIGRATIONS } from "./alerts/schema.ts";

export interface Migration {
  id: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    id: "core-1",
    sql: `
      -- (agent, epoch, seq) of every applied batch: the replay answer comes from here.
      CREATE TABLE batches (
        agent_id TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL,
        applied_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, epoch, seq)
      ) WITHOUT ROWID;

      CREATE TABLE agents (
        agent_id TEXT PRIMARY KEY, host TEXT, version TEXT,
        first_seen TEXT, last_seen TEXT,
        revoked_at TEXT, revoked_by TEXT
      ) WITHOUT ROWID;

      -- Latest heartbeat per host (latest-wins by its own \`at\`).
      CREATE TABLE hosts (
        host TEXT PRIMARY KEY, agent_id TEXT NOT NULL,
        last_seen TEXT NOT NULL, last_seen_ms INTEGER NOT NULL,
        docker TEXT NOT NULL, containers TEXT NOT NULL, container_count INTEGER NOT NULL,
        jobs_dirs TEXT NOT NULL,
        -- Server clock when a heartbeat from this host last arrived: silence is measured from here,
        -- so a host whose clock is behind is not called stale.
        received_ms INTEGER NOT NULL,
        -- Whether the alarm last found it silent (only to notice transitions; the phase reads the clock).
        stale INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;

      -- One row per trial (lowercased name is the join key between container and trial dir).
      CREATE TABLE trials (
        trial_lc TEXT PRIMARY KEY, trial TEXT NOT NULL,
        experiment TEXT NOT NULL, named_by TEXT NOT NULL,
        host TEXT, container TEXT,
        last_at TEXT, last_at_ms INTEGER,
        error TEXT,
        rounds INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE INDEX trials_by_experiment ON trials (experiment);

      -- Ledger rows, stored once per (trial, row identity). One b-tree and no secondary index keeps
      -- ingest near raw insert speed; reads by experiment go through its trials (a key-prefix scan).
      CREATE TABLE rounds (
        trial_lc TEXT NOT NULL, row_key TEXT NOT NULL,
        experiment TEXT NOT NULL, trial TEXT NOT NULL,
        commit_sha TEXT NOT NULL, split TEXT NOT NULL,
        score REAL, error_rate REAL, created_at TEXT,
        sort_at TEXT NOT NULL,
        PRIMARY KEY (trial_lc, row_key)
      ) WITHOUT ROWID;

      -- The newest rounds of each experiment (JSON, newest first), kept on write for the board.
      CREATE TABLE recent_rounds (
        experiment TEXT PRIMARY KEY, rounds TEXT NOT NULL
      ) WITHOUT ROWID;

      -- What each sidecar last said about each split (latest-wins by observation time).
      CREATE TABLE trial_budgets (
        trial_lc TEXT NOT NULL, split TEXT NOT NULL, tier TEXT NOT NULL,
        remaining_runs INTEGER, remaining_samples INTEGER,
        at TEXT NOT NULL, at_ms INTEGER NOT NULL, host TEXT,
        PRIMARY KEY (trial_lc, split)
      ) WITHOUT ROWID;

      -- One final per trial (the best-ranked report wins; see domain/final.ts).
      CREATE TABLE finals (
        trial_lc TEXT PRIMARY KEY, trial TEXT NOT NULL, experiment TEXT NOT NULL,
        job TEXT NOT NULL, host TEXT, rewards TEXT, finished_at TEXT,
        exception TEXT, source TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX finals_by_experiment ON finals (experiment);

      -- Per-experiment, per-split round summaries, maintained on write so reads never scan rounds.
      CREATE TABLE split_summaries (
        experiment TEXT NOT NULL, split TEXT NOT NULL,
        count INTEGER NOT NULL, scored INTEGER NOT NULL,
        max_score REAL, min_score REAL,
        last_score REAL, last_sort_at TEXT, last_row_key TEXT,
        PRIMARY KEY (experiment, split)
      ) WITHOUT ROWID;

      -- Every experiment ever seen by a trial or final.
      CREATE TABLE experiments (
        key TEXT PRIMARY KEY, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE meta_versions (
        version INTEGER PRIMARY KEY, meta TEXT NOT NULL, by TEXT NOT NULL, at TEXT NOT NULL
      );

      CREATE TABLE campaign_info (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
    `,
  },
  // The campaign budget ledger's tables (durable-objects/budget/schema.ts).
  ...BUDGET_MIGRATIONS,
  // Alert state, events and deliveries (durable-objects/alerts/schema.ts).
  ...ALERTS_MIGRATIONS,
  {
    id: "verdicts-1",
    sql: `
      -- vero main's round facts. NULL = absent on the wire = a legacy round (success, agent, feasible).
      ALTER TABLE rounds ADD COLUMN status TEXT;
      ALTER TABLE rounds ADD COLUMN principal TEXT;
      ALTER TABLE rounds ADD COLUMN feasible INTEGER;
      ALTER TABLE rounds ADD COLUMN violations TEXT;
      ALTER TABLE rounds ADD COLUMN diagnostics TEXT;

      -- Summaries keep the agent's score line apart from the rest: last_* still track the newest round
      -- of any kind (activity); score_* track the newest round on the agent's score line, whose score is
      -- last_score; max/min cover only rounds that may be the agent's best. Existing rows were all
      -- legacy rounds, so their newest round is their newest scored-line round.
      ALTER TABLE split_summaries ADD COLUMN score_sort_at TEXT;
      ALTER TABLE split_summaries ADD COLUMN score_row_key TEXT;
      ALTER TABLE split_summaries ADD COLUMN verifier_count INTEGER NOT NULL DEFAULT 0;
      UPDATE split_summaries SET score_sort_at = last_sort_at, score_row_key = last_row_key;

      -- 0 = the sidecar does not disclose this budget (remainders unknown); NULL = disclosed (legacy).
      ALTER TABLE trial_budgets ADD COLUMN disclosed INTEGER;

      -- finalization.json, when the trial has one (NULL = absent).
      ALTER TABLE finals ADD COLUMN shipped INTEGER;
      ALTER TABLE finals ADD COLUMN candidate TEXT;
      ALTER TABLE finals ADD COLUMN has_candidate INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE finals ADD COLUMN errors TEXT;
      ALTER TABLE finals ADD COLUMN baseline_rewards TEXT;
      ALTER TABLE finals ADD COLUMN has_baseline INTEGER NOT NULL DEFAULT 0;

      -- What each sidecar last said about each inference scope, and its evaluations in flight
      -- (latest-wins by observation time, like trial_budgets).
      CREATE TABLE trial_usage (
        trial_lc TEXT NOT NULL, scope TEXT NOT NULL,
        remaining_requests INTEGER, remaining_tokens INTEGER,
        at TEXT NOT NULL, at_ms INTEGER NOT NULL, host TEXT,
        PRIMARY KEY (trial_lc, scope)
      ) WITHOUT ROWID;
      CREATE TABLE trial_evaluating (
        trial_lc TEXT PRIMARY KEY, queued INTEGER NOT NULL, running INTEGER NOT NULL,
        at TEXT NOT NULL, at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Harbor job progress per (host, job): the latest \`at\` wins, so replays change nothing.
      CREATE TABLE jobs (
        host TEXT NOT NULL, job TEXT NOT NULL, jobs_dir TEXT,
        at TEXT NOT NULL, at_ms INTEGER NOT NULL,
        n_total_trials INTEGER, completed INTEGER, errored INTEGER, running INTEGER, pending INTEGER,
        cancelled INTEGER, retries INTEGER, cost_usd REAL,
        started_at TEXT, updated_at TEXT, finished_at TEXT,
        PRIMARY KEY (host, job)
      ) WITHOUT ROWID;
    `,
  },
  {
    id: "budget-totals-1",
    sql: `
      -- What each split started with, when the sidecar says (vero main); NULL = not stated (legacy),
      -- so a sidecar's budget_low alert falls back to firing only at zero.
      ALTER TABLE trial_budgets ADD COLUMN total_runs INTEGER;
      ALTER TABLE trial_budgets ADD COLUMN total_samples INTEGER;
    `,
  },
  {
    id: "fidelity-1",
    sql: `
      -- 0 = no budget exists for the split (vero's ledger has none: unmetered); NULL = metered (legacy).
      ALTER TABLE trial_budgets ADD COLUMN metered INTEGER;
      -- The agent's tokens and cost in an attempt (Harbor's agent_result); NULL = not stated.
      ALTER TABLE finals ADD COLUMN n_input_tokens INTEGER;
      ALTER TABLE finals ADD COLUMN n_cache_tokens INTEGER;
      ALTER TABLE finals ADD COLUMN n_output_tokens INTEGER;
      ALTER TABLE finals ADD COLUMN cost_usd REAL;
      -- A job's token totals (Harbor's stats); NULL = not stated.
      ALTER TABLE jobs ADD COLUMN n_input_tokens INTEGER;
      ALTER TABLE jobs ADD COLUMN n_cache_tokens INTEGER;
      ALTER TABLE jobs ADD COLUMN n_output_tokens INTEGER;
    `,
  },
  BUDGET_HOLD_MIGRATION,
  {
    id: "events-1",
    sql: `
      -- The campaign's event log (what changed): newest first by seq; pruned only beyond 30 days AND 100k events.
      CREATE TABLE campaign_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, kind TEXT NOT NULL,
        experiment TEXT, host TEXT, from_value TEXT, to_value TEXT, detail TEXT NOT NULL
      );
      CREATE INDEX campaign_events_at ON campaign_events (at_ms);
      -- What the log last recorded per (subject, topic), so a replay or an unchanged state logs nothing.
      CREATE TABLE campaign_event_state (
        subject TEXT NOT NULL, topic TEXT NOT NULL, value TEXT,
        PRIMARY KEY (subject, topic)
      ) WITHOUT ROWID;
      -- Budget forecast: [[at_ms, remaining_runs], …] a sidecar reported within the last hour (JSON).
      ALTER TABLE trial_budgets ADD COLUMN remaining_history TEXT;
    `,
  },
  {
    id: "events-2",
    sql: `
      -- One experiment's timeline (GET …/events?experiment=) reads its events newest first without a scan.
      CREATE INDEX campaign_events_experiment ON campaign_events (experiment, seq);
    `,
  },
  {
    id: "trial-received-1",
    sql: `
      -- Server clock when a report of this trial last arrived. A producer that never heartbeats is judged
      -- silent from here, as a host is from its heartbeat's received_ms: a producer whose clock is behind is
      -- not called stale at once, nor one whose clock is ahead kept running. Older rows start at their
      -- report's own time, as they were judged until now.
      ALTER TABLE trials ADD COLUMN received_ms INTEGER;
      UPDATE trials SET received_ms = last_at_ms;
      -- Hosts that report trials but never sent a heartbeat, and when the server last heard from each: alerts
      -- judge their silence as a heartbeat's (stale, then recovered). A host's first heartbeat drops its row.
      CREATE TABLE producer_hosts (host TEXT PRIMARY KEY, received_ms INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO producer_hosts (host, received_ms)
        SELECT host, max(received_ms) FROM trials
        WHERE host IS NOT NULL AND received_ms IS NOT NULL AND host NOT IN (SELECT host FROM hosts)
        GROUP BY host;
      -- Every host the server hears from, with when it last did: by heartbeat (hosts) or by report (producer_hosts).
      CREATE VIEW heard_hosts AS
        SELECT host, received_ms, 1 AS heartbeats FROM hosts UNION ALL SELECT host, received_ms, 0 FROM producer_hosts;
    `,
  },
];

/** Applies every migration not yet recorded, each in its own transaction. */
export function applyMigrations(storage: DurableObjectStorage, migrations: readonly Migration[] = MIGRATIONS): void {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
  const applied = new Set(sql.exec<{ id: string }>("SELECT id FROM migrations").toArray().map((r) => r.id));
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    storage.transactionSync(() => {
      sql.exec(m.sql);
      sql.exec("INSERT INTO migrations (id, applied_at) VALUES (?, ?)", m.id, new Date().toISOString());
    });
  }
}
