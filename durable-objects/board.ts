// Board assembly: joins hosts, trials, rounds summaries, finals and meta into the status the page shows.
// Reads summaries and a few recent rounds per experiment — never every round.
import type {
  Attempt, BudgetView, CampaignMeta, ExperimentStatus, HostStatus, MetaExperiment, Phase, Round, ScorecardEntry, StatusSnapshot, Tier, TrialState,
} from "../protocol/index.ts";
import { PHASES } from "../protocol/index.ts";
import type { Role } from "../workers/app-types.ts";
import { campaignBudgetView, campaignTiers } from "./campaign-budget-seam.ts";
import { orderAttempts, selectFinal } from "./domain/final.ts";
import { derivePhase, type HostFacts, type PhaseOutcome, type TrialFacts } from "./domain/phase.ts";
import { combineSplits } from "./domain/rounds-summary.ts";
import { isHiddenFor, resolveTier } from "./domain/tier.ts";
import { judge } from "./domain/verdict.ts";
import { readAllAttempts } from "./finals-store.ts";
import { getMeta } from "./meta-store.ts";
import { newestFirst, roundsOfExperiment, type RecentRoundsStore, type StoredRound } from "./recent-rounds.ts";
import { readAllSummaries, type SplitSummary } from "./summaries.ts";

export interface BoardOptions {
  campaign: string;
  role: Role;
  nowMs: number;
  heartbeatTimeoutS: number;
}

interface HostRow {
  host: string; agent_id: string; last_seen: string; docker: "ok" | "unreachable";
  containers: string; container_count: number; received_ms: number;
}
interface TrialRow {
  trial_lc: string; trial: string; experiment: string; host: string | null; container: string | null;
  last_at: string | null; last_at_ms: number | null; error: string | null; rounds: number;
}
interface BudgetRow {
  trial_lc: string; split: string; tier: Tier; remaining_runs: number | null; remaining_samples: number | null; at: string; host: string | null;
}

function groupBy<T>(rows: Iterable<T>, key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export type Board = ReturnType<typeof loadBoard>;

/** Loads everything the board needs except rounds, once per read. */
export function loadBoard(sql: SqlStorage, recent: RecentRoundsStore, opts: BoardOptions) {
  const stored = getMeta(sql);
  const meta: CampaignMeta | null = stored?.meta ?? null;
  const metaByKey = new Map<string, MetaExperiment>((meta?.experiments ?? []).map((e) => [e.key, e]));

  const hostRows = sql.exec("SELECT host, agent_id, last_seen, docker, containers, container_count, received_ms FROM hosts ORDER BY host").toArray() as unknown as HostRow[];
  const hostFacts = new Map<string, HostFacts & { containers: Set<string> }>();
  for (const h of hostRows) {
    const silentForS = Math.max(0, (opts.nowMs - h.received_ms) / 1000);
    hostFacts.set(h.host, { silentForS, stale: silentForS > opts.heartbeatTimeoutS, containers: new Set(JSON.parse(h.containers) as string[]) });
  }
  const trialRows: TrialRow[] = [];
  for (const row of sql.exec("SELECT trial_lc, trial, experiment, host, container, last_at, last_at_ms, error, rounds FROM trials ORDER BY trial_lc").raw()) {
    const [trial_lc, trial, experiment, host, container, last_at, last_at_ms, error, rounds] = row as [string, string, string, string | null, string | null, string | null, number | null, string | null, number];
    trialRows.push({ trial_lc, trial, experiment, host, container, last_at, last_at_ms, error, rounds });
  }
  const trialsByExp = groupBy(trialRows, (t) => t.experiment);
  const attemptsByExp = readAllAttempts(sql);
  const summariesByExp = readAllSummaries(sql);
  const recentByExp = recent.all();
  const budgetsByTrial = new Map<string, BudgetRow[]>();
  for (const row of sql.exec("SELECT trial_lc, split, tier, remaining_runs, remaining_samples, at, host FROM trial_budgets ORDER BY trial_lc, split").raw()) {
    const [trial_lc, split, tier, remaining_runs, remaining_samples, at, host] = row as [string, string, Tier, number | null, number | null, string, string | null];
    const b: BudgetRow = { trial_lc, split, tier, remaining_runs, remaining_samples, at, host };
    const list = budgetsByTrial.get(trial_lc);
    if (list) list.push(b);
    else budgetsByTrial.set(trial_lc, [b]);
  }

  // Latest sidecar-reported tier per split (SQLite returns the bare column from the max(at_ms) row).
  const sidecarTiers = new Map<string, Tier>();
  for (const r of sql.exec<{ split: string; tier: Tier }>("SELECT split, tier, max(at_ms) AS at_ms FROM trial_budgets GROUP BY split")) sidecarTiers.set(r.split, r.tier);
  const configuredTiers = campaignTiers(sql);
  const isHidden = (split: string) => isHiddenFor(opts.role, resolveTier(split, configuredTiers, sidecarTiers));

  const updatedAt = new Map<string, string>();
  for (const [key, at] of sql.exec("SELECT key, updated_at FROM experiments ORDER BY key").raw() as IterableIterator<[string, string]>) updatedAt.set(key, at);
  const seenKeys = [...updatedAt.keys()];
  // Meta order first (the operator's order), then experiments meta does not list.
  const keys = [...metaByKey.keys(), ...seenKeys.filter((k) => !metaByKey.has(k))];
  const keySet = new Set(keys);

  function trialLive(t: TrialRow): boolean {
    if (t.container === null) return false;
    const host = t.host ? hostFacts.get(t.host) : undefined;
    // A host that has not sent a heartbeat yet: trust the trial report until it does.
    return host ? host.containers.has(t.container) : true;
  }

  const phases = new Map<string, PhaseOutcome>();
  function phaseOf(key: string): PhaseOutcome {
    let p = phases.get(key);
    if (!p) {
      const trials: TrialFacts[] = (trialsByExp.get(key) ?? []).map((t) => ({ trial: t.trial, host: t.host, live: trialLive(t), rounds: t.rounds, lastSeenMs: t.last_at_ms }));
      p = derivePhase({ inMeta: metaByKey.has(key), final: selectFinal(attemptsByExp.get(key) ?? []), trials, hosts: hostFacts, heartbeatTimeoutS: opts.heartbeatTimeoutS, nowMs: opts.nowMs });
      phases.set(key, p);
    }
    return p;
  }

  function redactRound(r: StoredRound): Round {
    const round: Round = { trial: r.trial, commit: r.commit, split: r.split, score: r.score, error_rate: r.error_rate, created_at: r.created_at };
    return isHidden(r.split) ? { ...round, score: null, error_rate: null, hidden: true } : round;
  }

  function experiment(key: string): ExperimentStatus {
    const m = metaByKey.get(key);
    const bars = m?.bars ?? null;
    const splits: SplitSummary[] = summariesByExp.get(key) ?? [];
    const anyHidden = splits.some((s) => isHidden(s.split));
    const trialRows = trialsByExp.get(key) ?? [];
    const trials: TrialState[] = trialRows.map((t) => ({
      trial: t.trial, host: t.host, container: t.container, live: trialLive(t), last_seen: t.last_at, error: t.error, rounds: t.rounds,
    }));
    const budget: BudgetView[] = trialRows.flatMap((t) =>
      (budgetsByTrial.get(t.trial_lc) ?? []).map((b) => ({
        split: b.split, tier: b.tier, remaining_runs: b.remaining_runs, remaining_samples: b.remaining_samples, trial: t.trial, host: b.host, at: b.at,
      })),
    );
    let attempts: Attempt[] = orderAttempts(attemptsByExp.get(key) ?? []);
    let final = attempts[attempts.length - 1] ?? null;
    let verdict = judge(final, bars);
    if (anyHidden) {
      // Viewers may not see no_access scores; a final scored on that experiment is redacted the same way.
      attempts = attempts.map((a) => ({ ...a, rewards: a.rewards === null ? null : {} }));
      final = attempts[attempts.length - 1] ?? null;
      if (verdict) verdict = { ...verdict, value: null, reason: verdict.reason ?? "value hidden: no_access split" };
    }
    const lastRounds = recentByExp.get(key) ?? [];
    const phase = phaseOf(key);
    return {
      key,
      title: m?.title ?? null,
      question: m?.question ?? null,
      note: m?.note ?? null,
      bars,
      in_meta: m !== undefined,
      phase: phase.phase,
      phase_reason: phase.reason,
      trials,
      rounds: combineSplits(splits, isHidden, bars?.higher_is_better ?? true),
      last_rounds: lastRounds.map(redactRound),
      budget,
      final,
      attempts,
      verdict,
      updated_at: updatedAt.get(key) ?? null,
    };
  }

  function hosts(): HostStatus[] {
    return hostRows.map((h) => {
      const f = hostFacts.get(h.host)!;
      return {
        host: h.host, agent_id: h.agent_id, last_seen: h.last_seen, docker: h.docker, containers: h.container_count,
        silent_for_s: Math.round(f.silentForS), stale: f.stale,
      };
    });
  }

  function counts(): Record<Phase, number> {
    const out = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
    for (const k of keys) out[phaseOf(k).phase]++;
    return out;
  }

  function history(): ScorecardEntry[] {
    return (meta?.history ?? []).map((h) => ({
      exp: h.exp, question: h.question ?? null, baseline: h.baseline ?? null, bar: h.bar ?? null, final: h.final ?? null, result: h.result, summary: h.summary ?? null,
    }));
  }

  function snapshot(): StatusSnapshot {
    const campaignBudget = campaignBudgetView(sql);
    return {
      campaign: opts.campaign,
      title: meta?.title ?? null,
      generated_at: new Date(opts.nowMs).toISOString(),
      meta_version: stored?.version ?? 0,
      heartbeat_timeout_s: opts.heartbeatTimeoutS,
      counts: counts(),
      experiments: keys.map(experiment),
      hosts: hosts(),
      history: history(),
      ...(campaignBudget ? { campaign_budget: campaignBudget } : {}),
      role: opts.role,
    };
  }

  /** All rounds of one experiment, oldest first, redacted for the role. */
  function roundsOf(key: string): Round[] {
    return roundsOfExperiment(sql, key).map(redactRound);
  }

  /** Every round of the campaign, by experiment then oldest first, redacted for the role. */
  function allRounds(): Array<Round & { experiment: string }> {
    const rows = sql.exec(
      `SELECT experiment, trial, commit_sha AS "commit", split, score, error_rate, created_at, sort_at, row_key FROM rounds`,
    ).toArray() as unknown as Array<StoredRound & { experiment: string }>;
    rows.sort((a, b) => (a.experiment < b.experiment ? -1 : a.experiment > b.experiment ? 1 : -newestFirst(a, b)));
    return rows.map((r) => ({ experiment: r.experiment, ...redactRound(r) }));
  }

  return { keys, has: (key: string) => keySet.has(key), experiment, hosts, counts, history, snapshot, roundsOf, allRounds, meta: stored, campaignBudget: () => campaignBudgetView(sql) };
}
