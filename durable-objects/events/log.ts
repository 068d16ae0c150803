// The campaign's event log (what changed). It reads the same observation the alert rules read
// (alerts/observe.ts: phase, verdict, hosts, budgets), keeps what it last logged per subject, and appends an
// event for each change, inside the transaction of the change that caused it. Details carry no score, so a
// viewer never learns a no_access value from the log.
import type { CampaignEvent, EventKind, EventsQuery, EventsReply } from "../../protocol/index.ts";
import { cursorSeq, eventCursor } from "../../protocol/index.ts";
import { budgetFacts, experimentFacts, hostFacts, type ObserveContext } from "../alerts/observe.ts";

const KEEP_DAYS_MS = 30 * 24 * 3600 * 1000;
const KEEP_EVENTS = 100_000;

interface Draft {
  kind: EventKind;
  experiment?: string;
  host?: string;
  from?: string | null;
  to?: string | null;
  detail: string;
}

function appendEvent(sql: SqlStorage, e: Draft, nowMs: number): void {
  sql.exec(
    "INSERT INTO campaign_events (at_ms, kind, experiment, host, from_value, to_value, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
    nowMs, e.kind, e.experiment ?? null, e.host ?? null, e.from ?? null, e.to ?? null, e.detail,
  );
}

/**
 * What the log last recorded for a set of subjects, read in one query and written back only where a
 * value changed: a look at 60 experiments costs two statements plus one per change, not two per topic.
 */
class LoggedState {
  private readonly known = new Map<string, string | null>();
  private readonly writes: Array<[string, string, string | null]> = [];

  constructor(private readonly sql: SqlStorage, subjects: readonly string[]) {
    const rows = sql.exec<{ subject: string; topic: string; value: string | null }>(
      "SELECT subject, topic, value FROM campaign_event_state WHERE subject IN (SELECT value FROM json_each(?))", JSON.stringify(subjects),
    );
    for (const r of rows) this.known.set(`${r.subject}\u0000${r.topic}`, r.value);
  }

  /** Remembers `value` for (subject, topic); the previous value (undefined when never recorded) if it changed, else null. */
  changed(subject: string, topic: string, value: string | null): { prev: string | null | undefined } | null {
    const key = `${subject}\u0000${topic}`;
    const had = this.known.has(key);
    const prev = this.known.get(key);
    if (had && prev === value) return null;
    this.known.set(key, value);
    this.writes.push([subject, topic, value]);
    return { prev: had ? prev : undefined };
  }

  save(): void {
    for (const [subject, topic, value] of this.writes) {
      this.sql.exec("INSERT INTO campaign_event_state (subject, topic, value) VALUES (?, ?, ?) ON CONFLICT (subject, topic) DO UPDATE SET value = excluded.value", subject, topic, value);
    }
  }
}

/** Logs what changed for `experiments` (all on "all") and their sidecars' budgets, every host and the ledger; returns the count logged. */
export function logChanges(ctx: ObserveContext, experiments: Iterable<string> | "all", nowMs: number): number {
  const scope = experiments === "all" ? "all" : [...experiments];
  const [facts, hosts, budgets] = [experimentFacts(ctx, scope, nowMs), hostFacts(ctx, nowMs), budgetFacts(ctx, nowMs, scope)];
  const state = new LoggedState(ctx.sql, [...facts.map((e) => e.key), ...hosts.map((h) => `host:${h.host}`), ...budgets.map((b) => b.subject)]);
  const changed = (subject: string, topic: string, value: string | null) => state.changed(subject, topic, value);
  const drafts: Draft[] = [];
  for (const e of facts) {
    const name = e.title ? `${e.title} (${e.key})` : e.key;
    const phase = changed(e.key, "phase", e.phase);
    if (phase) drafts.push({ kind: "phase", experiment: e.key, from: phase.prev ?? null, to: e.phase, detail: `${name}: ${phase.prev ?? "new"} → ${e.phase}${e.phaseReason ? ` (${e.phaseReason})` : ""}` });
    // A final the board had not logged: new, or a later attempt replacing it. An experiment the log already
    // knew that has no final entry yet was logged before finals were (upgrade): record it without news.
    const identity = e.final ? `${e.final.trial}@${e.final.finishedAt ?? ""}` : null;
    const f = changed(e.key, "final", identity);
    const knownBefore = phase === null || phase.prev !== undefined;
    if (f && e.final && !(f.prev === undefined && knownBefore)) {
      const what = e.final.failed ? "final attempt failed" : "final result";
      drafts.push({ kind: "final", experiment: e.key, to: e.final.trial, detail: `${name}: ${what} from trial ${e.final.trial} (job ${e.final.job})` });
    }
    const result = e.verdict?.result ?? null;
    const verdict = result === null ? null : e.verdict?.suspect ? `${result}+SUSPECT` : result;
    const v = changed(e.key, "verdict", verdict);
    if (v && verdict !== null) drafts.push({ kind: "verdict", experiment: e.key, from: v.prev ?? null, to: verdict, detail: `${name}: verdict ${verdict.replace("+", ", ")}` });
  }
  for (const h of hosts) {
    const level = h.stale ? "stale" : "live";
    const c = changed(`host:${h.host}`, "host", level);
    // A host first heard from live is not news; going stale and coming back are.
    if (c && !(c.prev === undefined && level === "live")) {
      drafts.push({ kind: "host", host: h.host, from: c.prev ?? null, to: level, detail: level === "stale" ? `host ${h.host} went silent` : `host ${h.host} is reporting again` });
    }
  }
  for (const b of budgets) {
    const level = b.remaining <= 0 ? "exhausted" : "left";
    const c = changed(b.subject, "budget", level);
    if (c && level === "exhausted") {
      const where = b.source === "ledger" ? `campaign budget for split ${b.split}` : `sidecar budget for split ${b.split} (trial ${b.trial})`;
      drafts.push({ kind: "budget", ...(b.experiment ? { experiment: b.experiment } : {}), from: c.prev ?? null, to: level, detail: `${where}: no runs left` });
    }
  }
  state.save();
  for (const d of drafts) appendEvent(ctx.sql, d, nowMs);
  return drafts.length;
}

/** Logs a raised alert (called where the alert is stored, so it shares that transaction). No summary: it may carry a score. */
export function logAlert(sql: SqlStorage, alert: { type: string; experiment?: string; host?: string }, nowMs: number): void {
  const about = alert.experiment ?? (alert.host ? `host ${alert.host}` : "campaign");
  appendEvent(sql, { kind: "alert", ...(alert.experiment ? { experiment: alert.experiment } : {}), ...(alert.host ? { host: alert.host } : {}), to: alert.type, detail: `alert ${alert.type} raised for ${about}` }, nowMs);
}

/** Drops only what is both older than 30 days and beyond the newest 100k events (two indexed lookups and a range delete). */
export function pruneEvents(sql: SqlStorage, nowMs: number): void {
  const cut = sql.exec<{ seq: number }>("SELECT seq FROM campaign_events ORDER BY seq DESC LIMIT 1 OFFSET ?", KEEP_EVENTS).toArray()[0];
  if (!cut) return;
  sql.exec("DELETE FROM campaign_events WHERE seq <= ? AND at_ms < ?", cut.seq, nowMs - KEEP_DAYS_MS);
}

type Row = { seq: number; at_ms: number; kind: EventKind; experiment: string | null; host: string | null; from_value: string | null; to_value: string | null; detail: string };

/** One page, newest first: events after `since`, before the cursor, of one experiment when asked (its timeline). */
export function readEvents(sql: SqlStorage, q: EventsQuery): EventsReply {
  const sinceMs = q.since ? Date.parse(q.since) : -1;
  const beforeSeq = q.cursor ? cursorSeq(q.cursor) : Number.MAX_SAFE_INTEGER;
  const columns = "SELECT seq, at_ms, kind, experiment, host, from_value, to_value, detail FROM campaign_events";
  const rows = (q.experiment === undefined
    ? sql.exec<Row>(`${columns} WHERE seq < ? AND at_ms > ? ORDER BY seq DESC LIMIT ?`, beforeSeq, sinceMs, q.limit + 1)
    : sql.exec<Row>(`${columns} WHERE experiment = ? AND seq < ? AND at_ms > ? ORDER BY seq DESC LIMIT ?`, q.experiment, beforeSeq, sinceMs, q.limit + 1)
  ).toArray();
  const page = rows.slice(0, q.limit);
  const events = page.map((r): CampaignEvent => ({
    at: new Date(r.at_ms).toISOString(), kind: r.kind,
    ...(r.experiment !== null ? { experiment: r.experiment } : {}), ...(r.host !== null ? { host: r.host } : {}),
    ...(r.kind === "phase" || r.kind === "host" || r.kind === "verdict" ? { from: r.from_value } : {}),
    ...(r.to_value !== null ? { to: r.to_value } : {}),
    detail: r.detail,
  }));
  return rows.length > q.limit ? { events, next: eventCursor(page[page.length - 1]!.seq) } : { events };
}
