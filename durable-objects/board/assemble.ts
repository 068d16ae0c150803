// Board assembly, pure: joins the records the queries read (hosts, trials, summaries, finals, meta,
// tiers) into the status the page shows, for one role at one server time. No SQL, no clock.
import type {
  Attempt, BudgetView, CampaignBudgetView, JobView, ExperimentStatus, HostStatus, MetaExperiment, Phase, Role, Round, ScorecardEntry, StatusSnapshot,
} from "../../protocol/index.ts";
import { PHASES } from "../../protocol/index.ts";
import { orderAttempts, selectFinal } from "../domain/final.ts";
import { derivePhase, lastReported, type HostFacts, type PhaseOutcome, type TrialFacts } from "../domain/phase.ts";
import { combineSplits } from "../domain/rounds-summary.ts";
import { isHiddenFor, resolveTier } from "../domain/tier.ts";
import { judge } from "../domain/verdict.ts";
import type { StoredRound } from "../ingest/recent-rounds.ts";
import type { StoredMeta } from "../meta/store.ts";
import { fieldsOf } from "../ingest/round-fields.ts";
import { redactFinalization, sidecarUsageOf } from "./verdict-fields.ts";
import { boardKeys, type BoardRecords, type CampaignRecords, type ExperimentRecords, type HostRecord, type TrialRecord } from "./records.ts";

/** The assembled board for one role. Experiments are built on demand: a delta builds only the ones it sends. */
export interface Board {
  /** Every experiment key in board order: meta order first, then experiments meta does not list. */
  keys: readonly string[];
  has(key: string): boolean;
  /** One experiment's entry; its records must have been read (scope "all" or a scope naming it). */
  experiment(key: string): ExperimentStatus;
  hosts(): HostStatus[];
  /** Experiments per phase; needs every experiment's records. */
  counts(): Record<Phase, number>;
  history(): ScorecardEntry[];
  /** The whole board; needs every experiment's records. */
  snapshot(): StatusSnapshot;
  /** One experiment's phase (role-independent), and what outside its own records could change it. */
  phaseOf(key: string): PhaseOutcome;
  phaseWatch(key: string): PhaseWatch | null;
  /** A stored round as this role may see it. */
  round(r: StoredRound): Round;
  meta: StoredMeta | null;
  campaignBudget: CampaignBudgetView[] | undefined;
  /** Harbor job progress, when it was read. */
  jobs: JobView[] | undefined;
}

/**
 * The only things besides an experiment's own records that move its phase: its last reporting host
 * (present or not, stale or not) and, for a host that never sent a heartbeat, the clock passing the
 * timeout after its last report. Null when nothing outside its records can (a final decides, no trials).
 */
export interface PhaseWatch {
  host: string;
  /** Server time its last reporting trial was last heard from. */
  receivedMs: number | null;
}

/** The state of a watch at `nowMs`: a cached phase is still right while this string is unchanged. */
export function watchState(watch: PhaseWatch, hostStale: ReadonlyMap<string, boolean>, nowMs: number, heartbeatTimeoutS: number): string {
  const stale = hostStale.get(watch.host);
  if (stale !== undefined) return stale ? "host stale" : "host reporting";
  if (watch.receivedMs === null) return "no heartbeat";
  return (nowMs - watch.receivedMs) / 1000 > heartbeatTimeoutS ? "no heartbeat, silent" : "no heartbeat, reporting";
}

type HostFactsByName = Map<string, HostFacts & { containers: Set<string> }>;

/** How long each host has been silent at `nowMs`, and whether that is past the heartbeat timeout. */
function hostFacts(hosts: readonly HostRecord[], nowMs: number, heartbeatTimeoutS: number): HostFactsByName {
  const out: HostFactsByName = new Map();
  for (const h of hosts) {
    const silentForS = Math.max(0, (nowMs - h.received_ms) / 1000);
    out.set(h.host, { silentForS, stale: silentForS > heartbeatTimeoutS, containers: new Set(h.containers) });
  }
  return out;
}

/** A trial is live when its container is in its host's latest heartbeat. */
function trialLive(t: TrialRecord, hosts: HostFactsByName): boolean {
  if (t.container === null) return false;
  const host = t.host ? hosts.get(t.host) : undefined;
  // A host that has not sent a heartbeat yet: trust the trial report until it does.
  return host ? host.containers.has(t.container) : true;
}

/** Redaction by tier: a split hidden from `role` (the config's tier, else the sidecars', else no_access). */
function hiddenSplits(campaign: CampaignRecords, role: Role): (split: string) => boolean {
  return (split) => isHiddenFor(role, resolveTier(split, campaign.configuredTiers, campaign.sidecarTiers));
}

/** A hidden split's round keeps whose it is and how it ended; its score, error rate, feasibility and diagnostics go. */
function redactRound(r: StoredRound, isHidden: (split: string) => boolean): Round {
  const round: Round = { trial: r.trial, commit: r.commit, split: r.split, score: r.score, error_rate: r.error_rate, created_at: r.created_at, ...fieldsOf(r) };
  if (!isHidden(r.split)) return round;
  const { feasible: _f, violations: _v, diagnostics: _d, ...kept } = round;
  return { ...kept, score: null, error_rate: null, hidden: true };
}

/**
 * Rounds per experiment entry on the board (status, live snapshot and deltas): what a card shows first
 * (its table's last rounds and the recent chart). Every round is one request away (experiments/:key).
 */
const BOARD_ROUNDS = 5;

const NO_RECORDS: ExperimentRecords = { trials: [], attempts: [], summaries: [], recent: [] };

/** `lastRounds`: how many recent rounds each entry carries (the board's few unless told). */
export function assemble(records: BoardRecords, role: Role, nowMs: number, opts: { lastRounds?: number } = {}): Board {
  const lastRounds = opts.lastRounds ?? BOARD_ROUNDS;
  const { campaign } = records;
  const timeoutS = campaign.heartbeatTimeoutS;
  const meta = campaign.meta?.meta ?? null;
  const metaByKey = new Map<string, MetaExperiment>((meta?.experiments ?? []).map((e) => [e.key, e]));
  const hosts = hostFacts(campaign.hosts, nowMs, timeoutS);
  const isHidden = hiddenSplits(campaign, role);
  const keys = boardKeys(campaign);
  const keySet = new Set(keys);

  function recordsOf(key: string): ExperimentRecords {
    const r = records.experiments.get(key);
    if (r) return r;
    if (keySet.has(key)) throw new Error(`board records for experiment "${key}" were not read`);
    return NO_RECORDS;
  }

  const trialFacts = (r: ExperimentRecords): TrialFacts[] =>
    r.trials.map((t) => ({ trial: t.trial, host: t.host, live: trialLive(t, hosts), rounds: t.rounds, reportedAtMs: t.last_at_ms, receivedMs: t.received_ms }));

  const phases = new Map<string, PhaseOutcome>();
  function phaseOf(key: string): PhaseOutcome {
    let p = phases.get(key);
    if (!p) {
      const r = recordsOf(key);
      p = derivePhase({ inMeta: metaByKey.has(key), final: selectFinal(r.attempts), trials: trialFacts(r), hosts, heartbeatTimeoutS: timeoutS, nowMs });
      phases.set(key, p);
    }
    return p;
  }

  function phaseWatch(key: string): PhaseWatch | null {
    const r = recordsOf(key);
    if (selectFinal(r.attempts)) return null;
    const last = lastReported(trialFacts(r));
    return last?.host ? { host: last.host, receivedMs: last.receivedMs } : null;
  }

  const round = (r: StoredRound) => redactRound(r, isHidden);

  function experiment(key: string): ExperimentStatus {
    const r = recordsOf(key);
    const m = metaByKey.get(key);
    const bars = m?.bars ?? null;
    const budget: BudgetView[] = r.trials.flatMap((t) => t.budgets.map((b) => ({
      split: b.split, tier: b.tier, remaining_runs: b.remaining_runs, remaining_samples: b.remaining_samples, trial: t.trial, host: b.host, at: b.at,
      ...(b.disclosed === false ? { disclosed: false } : {}),
      ...(b.metered === false ? { metered: false } : {}),
      ...(b.total_runs !== undefined ? { total_runs: b.total_runs } : {}), ...(b.total_samples !== undefined ? { total_samples: b.total_samples } : {}),
      burn_per_hour: b.burn_per_hour ?? null, exhausted_at: b.exhausted_at ?? null,
    })));
    let attempts: Attempt[] = orderAttempts(r.attempts);
    let final = attempts[attempts.length - 1] ?? null;
    let verdict = judge(final, bars);
    const experimentHidden = r.summaries.some((s) => isHidden(s.split));
    if (experimentHidden) {
      // Viewers may not see no_access scores; a final scored on that experiment is redacted the same way.
      attempts = attempts.map((a) => redactFinalization({ ...a, rewards: a.rewards === null ? null : {} }));
      final = attempts[attempts.length - 1] ?? null;
      if (verdict) verdict = { ...verdict, value: null, reason: verdict.result === "INVALID" ? "verifier errors (hidden: no_access split)" : verdict.reason ?? "value hidden: no_access split" };
    }
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
      trials: r.trials.map((t) => ({
        trial: t.trial, host: t.host, container: t.container, live: trialLive(t, hosts), last_seen: t.last_at, error: t.error, rounds: t.rounds,
      })),
      rounds: combineSplits(r.summaries, isHidden, bars?.higher_is_better ?? true),
      last_rounds: r.recent.slice(0, lastRounds).map(round),
      budget,
      final,
      attempts,
      verdict,
      updated_at: campaign.seen.get(key) ?? null,
      // Viewers of an experiment with a hidden split see none of its sidecars' usage either.
      ...(experimentHidden ? {} : sidecarUsageOf(r.trials, (t) => trialLive(t, hosts))),
    };
  }

  function hostList(): HostStatus[] {
    return campaign.hosts.map((h) => {
      const f = hosts.get(h.host)!;
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
    return {
      campaign: campaign.campaign,
      title: meta?.title ?? null,
      generated_at: new Date(nowMs).toISOString(),
      meta_version: campaign.meta?.version ?? 0,
      heartbeat_timeout_s: timeoutS,
      counts: counts(),
      experiments: keys.map(experiment),
      hosts: hostList(),
      history: history(),
      ...(campaign.campaignBudget ? { campaign_budget: campaign.campaignBudget } : {}),
      ...(campaign.jobs && campaign.jobs.length > 0 ? { jobs: campaign.jobs } : {}),
      role,
    };
  }

  return {
    keys, has: (key) => keySet.has(key), experiment, hosts: hostList, counts, history, snapshot, round, phaseOf, phaseWatch,
    meta: campaign.meta, campaignBudget: campaign.campaignBudget, jobs: campaign.jobs,
  };
}
