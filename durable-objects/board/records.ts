// The plain records the board's queries read and its assembly joins: no SQL, no derived values.
import type { Attempt, CampaignBudgetView, JobView, Tier } from "../../protocol/index.ts";
import type { TrialUsage } from "../usage/store.ts";
import type { StoredRound } from "../ingest/recent-rounds.ts";
import type { SplitSummary } from "../ingest/summaries.ts";
import type { StoredMeta } from "../meta/store.ts";

/** Which experiments to read: every one, or only these keys (e.g. the ones a batch touched). */
export type ExperimentScope = "all" | readonly string[];

export interface HostRecord {
  host: string;
  agent_id: string;
  last_seen: string;
  docker: "ok" | "unreachable";
  /** Lowercased container names in the host's latest heartbeat. */
  containers: string[];
  container_count: number;
  /** Server clock when its latest heartbeat arrived. */
  received_ms: number;
}

/** What one sidecar last said about one split of one trial. */
interface SidecarBudgetRecord {
  split: string;
  tier: Tier;
  remaining_runs: number | null;
  remaining_samples: number | null;
  at: string;
  host: string | null;
  /** False: the sidecar keeps this budget to itself (null remainders are unknown). Absent: disclosed. */
  disclosed?: false;
  /** False: no budget exists for the split (unmetered). Absent: metered. */
  metered?: false;
  total_runs?: number;
  total_samples?: number;
  burn_per_hour?: number | null;
  exhausted_at?: string | null;
}

export interface TrialRecord {
  trial_lc: string;
  trial: string;
  experiment: string;
  host: string | null;
  container: string | null;
  last_at: string | null;
  /** Its latest report's own time (the producer's clock). */
  last_at_ms: number | null;
  /** Server time a report of it last arrived. */
  received_ms: number | null;
  error: string | null;
  rounds: number;
  /** Its sidecar budget reports, by split. */
  budgets: SidecarBudgetRecord[];
  /** Its sidecar's inference usage and evaluations in flight, when it reported any. */
  sidecar?: TrialUsage;
}

/** Everything stored about one experiment that the board shows (rounds: only the recent few). */
export interface ExperimentRecords {
  trials: TrialRecord[];
  attempts: Attempt[];
  summaries: SplitSummary[];
  /** Newest first. */
  recent: readonly StoredRound[];
}

/** Campaign-wide facts every board read needs, whatever experiments it covers. */
export interface CampaignRecords {
  campaign: string;
  heartbeatTimeoutS: number;
  meta: StoredMeta | null;
  hosts: HostRecord[];
  /** Every experiment a trial or final has named, with when it last changed, by key. */
  seen: Map<string, string>;
  /** Listed splits' tiers from the campaign budget config. */
  configuredTiers: Map<string, Tier>;
  /** The latest tier any sidecar reported, per split. */
  sidecarTiers: Map<string, Tier>;
  campaignBudget: CampaignBudgetView[] | undefined;
  /** Harbor job progress per host and job (absent: not read). */
  jobs?: JobView[];
}

export interface BoardRecords {
  campaign: CampaignRecords;
  /** Per-experiment records for the keys read (every key for scope "all"). */
  experiments: Map<string, ExperimentRecords>;
}

/** Meta order first (the operator's order), then experiments meta does not list. */
export function boardKeys(campaign: CampaignRecords): string[] {
  const listed = new Set((campaign.meta?.meta.experiments ?? []).map((e) => e.key));
  return [...listed, ...[...campaign.seen.keys()].filter((k) => !listed.has(k))];
}

