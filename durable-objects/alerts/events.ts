// Composes alert events in operator words (pure): what happened, to which experiment or host, with the
// facts a receiver needs in `data`. The webhook body is this event; Slack renders it (slack.ts).
import type { AlertEvent, AlertEventType, AlertRules } from "../../protocol/index.ts";
import { formatDuration } from "../../protocol/durations.ts";
import type { BudgetFacts, ExperimentFacts, HostFacts } from "./observe.ts";

export interface EventContext {
  campaign: string;
  publicUrl: string;
  nowMs: number;
}

export type EventDraft = Omit<AlertEvent, "id" | "campaign" | "at" | "board_url">;

function boardUrl(publicUrl: string, campaign: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/campaigns/${encodeURIComponent(campaign)}`;
}

/** A new event id: Standard Webhooks asks for one unique id per message, kept across retries. */
function newEventId(): string {
  return `evt_${crypto.randomUUID().replaceAll("-", "")}`;
}

export function finishEvent(draft: EventDraft, ctx: EventContext, id = newEventId()): AlertEvent {
  return { id, type: draft.type, campaign: ctx.campaign, ...(draft.experiment ? { experiment: draft.experiment } : {}), ...(draft.host ? { host: draft.host } : {}), at: new Date(ctx.nowMs).toISOString(), summary: draft.summary, board_url: boardUrl(ctx.publicUrl, ctx.campaign), data: draft.data };
}

function label(e: ExperimentFacts): string {
  return e.title ? `${e.title} (${e.key})` : e.key;
}

/** "PASSED: reward 0.61 vs bar 0.55 (baseline 0.4)", or the reason there is no value. */
function describeVerdict(e: Pick<ExperimentFacts, "verdict" | "bars">): string {
  const v = e.verdict;
  if (!v || v.result === null) return `no verdict${v?.reason ? `: ${v.reason}` : ""}`;
  const bars = e.bars;
  const against = bars ? ` vs bar ${bars.win_bar} (baseline ${bars.baseline}${bars.higher_is_better === false ? ", lower is better" : ""})` : "";
  const value = v.value === null ? "value hidden" : `${v.metric ?? "value"} ${v.value}`;
  return `${v.result}: ${value}${against}${v.suspect ? " — SUSPECT: beyond the healthy ceiling, too good to trust" : ""}`;
}

export function experimentEvent(type: Extract<AlertEventType, "verdict" | "errored" | "gone" | "quiet">, e: ExperimentFacts, extra: { quietForS?: number } = {}): EventDraft {
  const base = { type, experiment: e.key };
  const data = { title: e.title, phase: e.phase, phase_reason: e.phaseReason, verdict: e.verdict, bars: e.bars };
  switch (type) {
    case "verdict":
      return { ...base, summary: `${label(e)}: ${describeVerdict(e)}`, data };
    case "errored":
      return { ...base, summary: `${label(e)} errored: ${e.phaseReason ?? "no reason given"}`, data };
    case "gone":
      return { ...base, summary: `${label(e)} is gone: ${e.phaseReason ?? "no live container and no final"}`, data };
    case "quiet":
      return { ...base, summary: `${label(e)} is running but has had no new round for ${formatDuration(extra.quietForS ?? 0)}`, data: { ...data, quiet_for_s: Math.round(extra.quietForS ?? 0) } };
  }
}

export function hostEvent(type: "stale" | "recovered", h: HostFacts, experiments: string[], heartbeatTimeoutS: number): EventDraft {
  const names = experiments.length > 0 ? `; experiments: ${experiments.join(", ")}` : "";
  const silence = h.heartbeats ? `silent for ${formatDuration(h.silentForS)}` : `never sent a heartbeat and last reported ${formatDuration(h.silentForS)} ago`;
  const summary = type === "stale"
    ? `host ${h.host} ${silence} (heartbeat timeout ${heartbeatTimeoutS}s): state of its experiments unknown${names}`
    : `host ${h.host} is reporting again${names}`;
  return { type, host: h.host, summary, data: { silent_for_s: Math.round(h.silentForS), heartbeat_timeout_s: heartbeatTimeoutS, experiments } };
}

export function budgetEvent(b: BudgetFacts, rules: Pick<AlertRules, "budget_low_fraction">): EventDraft {
  const where = b.source === "ledger" ? `campaign budget for split ${b.split}` : `sidecar budget for split ${b.split} (trial ${b.trial})`;
  const left = b.remaining <= 0 ? "no runs left" : `${b.remaining}${b.total !== null ? ` of ${b.total}` : ""} runs left (below ${Math.round(rules.budget_low_fraction * 100)}%)`;
  return {
    type: "budget_low",
    ...(b.experiment ? { experiment: b.experiment } : {}),
    summary: `${where}: ${left}`,
    data: { split: b.split, source: b.source, remaining_runs: b.remaining, total_runs: b.total, ...(b.trial ? { trial: b.trial } : {}) },
  };
}

export function testEvent(campaign: string): EventDraft {
  return { type: "test", summary: `Test alert from Lookout for campaign ${campaign}: this channel is wired up.`, data: {} };
}
