// Raises alert events: derives the current state of each subject (observe.ts), steps it through the pure
// rules (rules.ts) against the stored state, and stores each raised event with its pending deliveries.
// Synchronous: it runs inside the transaction of the change that raised it (ingest, alarm, config).
import type { AlertEventType } from "../../protocol/index.ts";
import { budgetEvent, experimentEvent, finishEvent, hostEvent, type EventDraft } from "./events.ts";
import { budgetFacts, experimentFacts, experimentsOnHost, hostFacts, type ObserveContext } from "./observe.ts";
import { baseline, budgetLevel, budgetStep, hostStep, phaseStep, quietStep, verdictStep, type Step, type SubjectState, type Topic } from "./rules.ts";
import { logAlert } from "../events/log.ts";
import { insertEvent, readConfig, StateTable, touchActivity, type StoredConfig } from "./store.ts";

export interface RaiseScope {
  /** Experiments to look at: the touched ones after ingest, all on the alarm. */
  experiments: Iterable<string> | "all";
  /** First look after configuring: record what is, announce nothing. */
  baseline?: boolean;
}

function verdictKey(v: { result: string | null; suspect: boolean } | null): string | null {
  if (!v || v.result === null) return null;
  return v.suspect ? `${v.result}+SUSPECT` : v.result;
}

/** Evaluates the rules for `scope`; returns the number of events raised. No-op until alerts are configured. */
export function raiseAlerts(ctx: ObserveContext, scope: RaiseScope, nowMs: number): number {
  const stored = readConfig(ctx.sql);
  if (!stored) return 0;
  const state = new StateTable(ctx.sql);
  const drafts: EventDraft[] = [];
  const quietMs = stored.config.rules.quiet_after_s * 1000;

  function apply<V extends string | null>(subject: string, topic: Topic, value: V, step: (prev: SubjectState | undefined, v: V, now: number) => Step, draft: (type: AlertEventType) => EventDraft | null): void {
    const prev = state.get(subject, topic);
    if (scope.baseline) {
      if (!prev) state.put(subject, topic, baseline(value, nowMs));
      return;
    }
    const out = step(prev, value, nowMs);
    if (out.next !== prev) state.put(subject, topic, out.next);
    if (out.raise) {
      const d = draft(out.raise);
      if (d) drafts.push(d);
    }
  }

  for (const e of experimentFacts(ctx, scope.experiments, nowMs)) {
    apply(e.key, "phase", e.phase, phaseStep, () => (e.phase === "errored" || e.phase === "gone" ? experimentEvent(e.phase, e) : null));
    apply(e.key, "verdict", verdictKey(e.verdict), verdictStep, () => experimentEvent("verdict", e));
    const lastRoundMs = touchActivity(ctx.sql, e.key, e.rounds, nowMs);
    const quietForMs = nowMs - lastRoundMs;
    const quiet = e.phase === "running" && e.live ? (quietForMs >= quietMs ? "quiet" : "active") : null;
    apply(e.key, "quiet", quiet, quietStep, () => experimentEvent("quiet", e, { quietForS: quietForMs / 1000 }));
  }
  for (const h of hostFacts(ctx, nowMs)) {
    apply(`host:${h.host}`, "host", h.stale ? "stale" : "live", hostStep, (type) =>
      hostEvent(type === "stale" ? "stale" : "recovered", h, experimentsOnHost(ctx.sql, h.host), ctx.heartbeatTimeoutS));
  }
  for (const b of budgetFacts(ctx, nowMs, scope.experiments)) {
    apply(b.subject, "budget", budgetLevel(b.remaining, b.total, stored.config.rules.budget_low_fraction), budgetStep, () => budgetEvent(b, stored.config.rules));
  }

  let raised = 0;
  for (const d of drafts) {
    if (!enabled(stored, d.type)) continue;
    storeEvent(ctx, stored, d, nowMs);
    raised++;
  }
  return raised;
}

function enabled(stored: StoredConfig, type: AlertEventType): boolean {
  const events: readonly string[] = stored.config.rules.events;
  if (type === "test") return true;
  // The recovery note belongs to the stale alert.
  return events.includes(type === "recovered" ? "stale" : type);
}

/** Stores one event for every configured channel. */
export function storeEvent(ctx: ObserveContext, stored: StoredConfig, draft: EventDraft, nowMs: number): string | null {
  const channels = stored.config.channels.map((c) => c.id);
  if (channels.length === 0) return null;
  const event = finishEvent(draft, { campaign: ctx.campaign, publicUrl: stored.publicUrl, nowMs });
  insertEvent(ctx.sql, event, channels, nowMs);
  if (event.type !== "test") logAlert(ctx.sql, event, nowMs);
  return event.id;
}
