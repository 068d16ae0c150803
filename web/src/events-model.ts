// What the "since your last visit" panel asks for and how it sums up the answer. Pure: no DOM, no clock.
import type { CampaignEvent, EventKind } from "../../protocol/events.ts";
import type { ExperimentStatus, StatusSnapshot } from "../../protocol/status.ts";

/** A first visit from this browser shows the last day instead of nothing. */
const FIRST_VISIT_WINDOW_MS = 24 * 3600 * 1000;

const KIND_ORDER: readonly EventKind[] = ["phase", "verdict", "final", "budget", "host", "alert"];
const KIND_NOUN: Record<EventKind, string> = { phase: "phase change", verdict: "verdict", final: "final", budget: "budget exhausted", host: "host change", alert: "alert" };

/** Since when to list changes, and what to call the list: since the last visit, or the last 24 h on a first one. */
export function visitWindow(lastVisit: string | null, nowMs: number): { since: string; heading: string } {
  if (lastVisit !== null) return { since: lastVisit, heading: "Since your last visit" };
  return { since: new Date(nowMs - FIRST_VISIT_WINDOW_MS).toISOString(), heading: "Recent changes (last 24 h)" };
}

/** "3 phase changes · 1 verdict · 2 host changes": how many of each kind, in a fixed kind order. */
export function kindCounts(events: readonly CampaignEvent[]): string {
  const counts = new Map<EventKind, number>();
  for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return KIND_ORDER.filter((k) => counts.has(k)).map((k) => {
    const n = counts.get(k)!;
    const noun = n === 1 ? KIND_NOUN[k] : k === "budget" ? "budgets exhausted" : `${KIND_NOUN[k]}s`;
    return `${n} ${noun}`;
  }).join(" · ");
}

/** The newest time among what was shown and the board's own clock: the mark "seen up to" in the server's time. */
export function seenUpTo(times: ReadonlyArray<string | null | undefined>): string | null {
  const ms = times.map((t) => (t ? Date.parse(t) : NaN)).filter(Number.isFinite);
  return ms.length === 0 ? null : new Date(Math.max(...ms)).toISOString();
}

type BoardLike = Pick<StatusSnapshot, "experiments" | "hosts" | "campaign_budget">;

/** What of an experiment the event log writes about: its phase, verdict, final and exhausted splits. */
function loggedFacts(e: ExperimentStatus): string {
  const exhausted = e.budget.filter((b) => b.remaining_runs === 0).map((b) => b.split);
  return JSON.stringify([e.phase, e.verdict?.result ?? null, e.verdict?.suspect ?? false, e.final?.trial ?? null, e.final?.finished_at ?? null, exhausted]);
}

/**
 * Whether a live update changed something the event log records (a phase, verdict, final, an exhausted
 * split, a host going silent or coming back): only then is the panel worth reading again. Entries a
 * delta did not touch keep their identity, so this looks only at what changed.
 */
export function changedWhatIsLogged(prev: BoardLike, next: BoardLike): boolean {
  const before = new Map(prev.experiments.map((e) => [e.key, e] as const));
  for (const e of next.experiments) {
    const old = before.get(e.key);
    if (old !== e && (old === undefined || loggedFacts(old) !== loggedFacts(e))) return true;
  }
  const stale = new Map(prev.hosts.map((h) => [h.host, h.stale] as const));
  if (next.hosts.some((h) => stale.get(h.host) !== h.stale)) return true;
  const ledgerOut = (b: BoardLike) => JSON.stringify((b.campaign_budget ?? []).filter((s) => s.remaining_runs === 0).map((s) => s.split));
  return prev.campaign_budget !== next.campaign_budget && ledgerOut(prev) !== ledgerOut(next);
}
