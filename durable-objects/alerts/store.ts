// SQL for the alerts tables (schema.ts): config, per-subject state, activity, events and deliveries.
// Every function is synchronous so it runs inside the caller's transaction.
import type { AlertDelivery, AlertEvent, AlertEventType, AlertsConfig } from "../../protocol/index.ts";
import type { SubjectState, Topic } from "./rules.ts";

export interface StoredConfig {
  config: AlertsConfig;
  publicUrl: string;
}

export function readConfig(sql: SqlStorage): StoredConfig | null {
  const row = sql.exec<{ config: string; public_url: string }>("SELECT config, public_url FROM alert_config WHERE id = 1").toArray()[0];
  return row ? { config: JSON.parse(row.config) as AlertsConfig, publicUrl: row.public_url } : null;
}

export function writeConfig(sql: SqlStorage, config: AlertsConfig, publicUrl: string, by: string, nowMs: number): void {
  sql.exec(
    `INSERT INTO alert_config (id, config, public_url, by, at) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET config = excluded.config, public_url = excluded.public_url, by = excluded.by, at = excluded.at`,
    JSON.stringify(config), publicUrl, by, new Date(nowMs).toISOString(),
  );
}

export class StateTable {
  private readonly cache = new Map<string, SubjectState | undefined>();
  constructor(private readonly sql: SqlStorage) {}

  get(subject: string, topic: Topic): SubjectState | undefined {
    const k = `${topic}\u0000${subject}`;
    if (this.cache.has(k)) return this.cache.get(k);
    const row = this.sql.exec<{ value: string | null; since_ms: number; alerted: string | null; alerted_ms: number | null }>(
      "SELECT value, since_ms, alerted, alerted_ms FROM alert_state WHERE subject = ? AND topic = ?", subject, topic,
    ).toArray()[0];
    const state = row ? { value: row.value, sinceMs: row.since_ms, alerted: row.alerted, alertedMs: row.alerted_ms } : undefined;
    this.cache.set(k, state);
    return state;
  }

  put(subject: string, topic: Topic, s: SubjectState): void {
    this.cache.set(`${topic}\u0000${subject}`, s);
    this.sql.exec(
      `INSERT INTO alert_state (subject, topic, value, since_ms, alerted, alerted_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(subject, topic) DO UPDATE SET value = excluded.value, since_ms = excluded.since_ms, alerted = excluded.alerted, alerted_ms = excluded.alerted_ms`,
      subject, topic, s.value, s.sinceMs, s.alerted, s.alertedMs,
    );
  }

  /** The host whose recovery note waits longest for it to stay back (rules.hostSettlesAt says when). */
  longestPendingRecovery(): SubjectState | undefined {
    const row = this.sql.exec<{ value: string | null; since_ms: number; alerted: string | null; alerted_ms: number | null }>(
      "SELECT value, since_ms, alerted, alerted_ms FROM alert_state WHERE topic = 'host' AND value = 'live' AND alerted = 'stale' ORDER BY since_ms LIMIT 1",
    ).toArray()[0];
    return row ? { value: row.value, sinceMs: row.since_ms, alerted: row.alerted, alertedMs: row.alerted_ms } : undefined;
  }
}

/** When the experiment's rounds last grew (server clock); updated when its count rises. */
export function touchActivity(sql: SqlStorage, experiment: string, rounds: number, nowMs: number): number {
  const row = sql.exec<{ rounds: number; last_round_ms: number }>("SELECT rounds, last_round_ms FROM alert_activity WHERE experiment = ?", experiment).toArray()[0];
  if (row && row.rounds === rounds) return row.last_round_ms;
  // Fewer rounds (a trial moved to a better-named experiment): remember the count, not a new round.
  const lastRoundMs = row && row.rounds > rounds ? row.last_round_ms : nowMs;
  sql.exec(
    "INSERT INTO alert_activity (experiment, rounds, last_round_ms) VALUES (?, ?, ?) ON CONFLICT(experiment) DO UPDATE SET rounds = excluded.rounds, last_round_ms = excluded.last_round_ms",
    experiment, rounds, lastRoundMs,
  );
  return lastRoundMs;
}

/** Earliest time an experiment now "active" (running, live) would become quiet. */
export function earliestQuietAt(sql: SqlStorage, quietAfterS: number): number | null {
  const row = sql.exec<{ at: number | null }>(
    // Joined with experiments: one renamed away or removed can never become quiet (and must not keep the alarm due).
    `SELECT min(a.last_round_ms) AS at FROM alert_activity a JOIN experiments e ON e.key = a.experiment
     JOIN alert_state s ON s.subject = a.experiment AND s.topic = 'quiet' WHERE s.value = 'active'`,
  ).one();
  return row.at === null ? null : row.at + quietAfterS * 1000;
}

/** Stores the event and one pending delivery per channel, due now. */
export function insertEvent(sql: SqlStorage, event: AlertEvent, channels: readonly string[], nowMs: number): void {
  sql.exec("INSERT INTO alert_events (id, type, experiment, host, at_ms, body) VALUES (?, ?, ?, ?, ?, ?)", event.id, event.type, event.experiment ?? null, event.host ?? null, nowMs, JSON.stringify(event));
  for (const channel of channels) {
    sql.exec("INSERT INTO alert_deliveries (event_id, channel, status, attempts, next_attempt_ms, updated_ms) VALUES (?, ?, 'pending', 0, ?, ?)", event.id, channel, nowMs, nowMs);
  }
}

export interface DueDelivery {
  event_id: string;
  channel: string;
  attempts: number;
  body: string;
  at_ms: number;
}

export function dueDeliveries(sql: SqlStorage, nowMs: number, limit: number): DueDelivery[] {
  return sql.exec<DueDelivery & Record<string, SqlStorageValue>>(
    `SELECT d.event_id, d.channel, d.attempts, e.body, e.at_ms FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id
     WHERE d.status = 'pending' AND d.next_attempt_ms <= ? ORDER BY d.next_attempt_ms LIMIT ?`,
    nowMs, limit,
  ).toArray().map((r) => ({ ...r }));
}

export function earliestPendingDelivery(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>("SELECT min(next_attempt_ms) AS at FROM alert_deliveries WHERE status = 'pending'").one().at;
}

export function updateDelivery(sql: SqlStorage, d: Pick<DueDelivery, "event_id" | "channel">, change: { status: "pending" | "delivered" | "failed"; attempts: number; nextAttemptMs: number | null; lastError: string | null }, nowMs: number): void {
  sql.exec(
    "UPDATE alert_deliveries SET status = ?, attempts = ?, next_attempt_ms = ?, last_error = ?, updated_ms = ? WHERE event_id = ? AND channel = ?",
    change.status, change.attempts, change.nextAttemptMs, change.lastError, nowMs, d.event_id, d.channel,
  );
}

/** Moves a delivery's next attempt out while it is in flight, so an overlapping alarm does not send it twice. */
export function leaseDelivery(sql: SqlStorage, d: Pick<DueDelivery, "event_id" | "channel">, untilMs: number): void {
  sql.exec("UPDATE alert_deliveries SET next_attempt_ms = ? WHERE event_id = ? AND channel = ? AND status = 'pending'", untilMs, d.event_id, d.channel);
}

export function recentDeliveries(sql: SqlStorage, limit: number): AlertDelivery[] {
  return sql.exec<{ event_id: string; type: AlertEventType; experiment: string | null; host: string | null; channel: string; status: AlertDelivery["status"]; attempts: number; last_error: string | null; at_ms: number }>(
    `SELECT d.event_id, e.type, e.experiment, e.host, d.channel, d.status, d.attempts, d.last_error, e.at_ms
     FROM alert_deliveries d JOIN alert_events e ON e.id = d.event_id ORDER BY e.at_ms DESC, d.event_id, d.channel LIMIT ?`,
    limit,
  ).toArray().map((r) => ({
    event_id: r.event_id, type: r.type, ...(r.experiment ? { experiment: r.experiment } : {}), ...(r.host ? { host: r.host } : {}),
    channel: r.channel, status: r.status, attempts: r.attempts, last_error: r.last_error, at: new Date(r.at_ms).toISOString(),
  }));
}

/** When the server last heard from the live host (by heartbeat, or a heartbeat-less producer by report) it heard from longest ago: its silence is the next stale alert. */
export function lastHeardOfOldestLiveHost(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>(
    `SELECT min(h.received_ms) AS at FROM heard_hosts h JOIN alert_state s ON s.subject = 'host:' || h.host AND s.topic = 'host' WHERE s.value = 'live'`,
  ).one().at;
}

/** Settled deliveries (and their events) are kept this long for the GET and the page, then dropped. */
const KEEP_SETTLED_MS = 7 * 24 * 3600 * 1000;

export function pruneSettled(sql: SqlStorage, nowMs: number): void {
  sql.exec("DELETE FROM alert_deliveries WHERE status != 'pending' AND updated_ms < ?", nowMs - KEEP_SETTLED_MS);
  sql.exec("DELETE FROM alert_events WHERE at_ms < ? AND id NOT IN (SELECT event_id FROM alert_deliveries)", nowMs - KEEP_SETTLED_MS);
}
