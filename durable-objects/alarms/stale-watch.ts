// Alarm participants for staleness that the clock alone brings about, so a live delta and the event log
// follow it without waiting for a write: a host silent past the heartbeat timeout, and a producer that
// never heartbeats whose last report arrived longer ago than it (on the server's clock). The phase itself reads the clock
// (domain/phase.ts); these only notice the moment it moves.
import type { AlarmParticipant } from "./alarms.ts";

export function staleWatch(sql: SqlStorage, heartbeatTimeoutS: number): AlarmParticipant {
  const timeoutMs = heartbeatTimeoutS * 1000;
  return {
    name: "stale-hosts",
    nextDueAt() {
      const row = sql.exec<{ oldest: number | null }>("SELECT min(received_ms) AS oldest FROM hosts WHERE stale = 0").one();
      return row.oldest === null ? null : row.oldest + timeoutMs + 1;
    },
    onAlarm(nowMs) {
      return sql.exec("UPDATE hosts SET stale = 1 WHERE stale = 0 AND received_ms + ? < ?", timeoutMs, nowMs).rowsWritten > 0;
    },
  };
}

/**
 * What the silent-producer watch has already noticed, and when it is next due, kept by the campaign
 * object across alarms and ingests. The due time is read from trials (one pass over them) only when it is
 * not known: every rearm asks for it, and a pass per ingest would cost the live path more than the log it
 * serves. A heartbeat-less producer's batch can only bring it earlier (reported(), told by ingest); anything else that
 * moves it (a final, a heartbeat, a newer report) moves it later, so a kept time that is too early costs one
 * alarm that notices nothing and reads it again. In memory: after eviction it starts unknown and at 0, so
 * the first alarm looks once at every silence it finds, which logs only what the log does not hold.
 */
export class ProducerSilence {
  /** Silences that began before this server time have been noticed. */
  noticedUpToMs = 0;
  /** undefined: not known, read it; null: nothing to watch. */
  private dueAtMs: number | null | undefined = undefined;
  private crossed = new Set<string>();

  due(read: () => number | null): number | null {
    if (this.dueAtMs === undefined) this.dueAtMs = read();
    return this.dueAtMs;
  }

  /** A producer without a heartbeat reported trials at this server time; their silence may now be due first. */
  reported(receivedMs: number, timeoutMs: number): void {
    if (this.dueAtMs === undefined) return;
    const due = receivedMs + timeoutMs + 1;
    this.dueAtMs = this.dueAtMs === null ? due : Math.min(this.dueAtMs, due);
  }

  noticed(keys: Iterable<string>, nowMs: number): void {
    for (const k of keys) this.crossed.add(k);
    this.noticedUpToMs = nowMs;
    this.dueAtMs = undefined;
  }

  /** The experiments whose producer fell silent since the last take. */
  take(): string[] {
    const keys = [...this.crossed];
    this.crossed.clear();
    return keys;
  }
}

/**
 * Experiments without a final whose latest report came from a host that never sent a heartbeat, with the
 * server time that report's trial was last heard from (last_ms): once that is older than the timeout, the
 * phase reads "stale". The trial that speaks for an experiment is picked as domain/phase.ts lastReported
 * picks it: the latest report by its own `at`, a tie going to the greater trial name.
 */
const HEARTBEATLESS_LAST_REPORTS = `
  SELECT l.experiment, l.last_ms FROM (
    SELECT experiment, host, received_ms AS last_ms,
      row_number() OVER (PARTITION BY experiment ORDER BY last_at_ms DESC, trial DESC) AS nth
    FROM trials WHERE last_at_ms IS NOT NULL
  ) l
  WHERE l.nth = 1 AND l.host IS NOT NULL AND l.last_ms IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.host = l.host)
    AND NOT EXISTS (SELECT 1 FROM finals f WHERE f.experiment = l.experiment)`;

export function silentProducerWatch(sql: SqlStorage, heartbeatTimeoutS: number, silence: ProducerSilence): AlarmParticipant {
  const timeoutMs = heartbeatTimeoutS * 1000;
  return {
    name: "silent-producers",
    nextDueAt() {
      return silence.due(() => {
        const row = sql.exec<{ next: number | null }>(
          `SELECT min(last_ms) AS next FROM (${HEARTBEATLESS_LAST_REPORTS}) WHERE last_ms + ? >= ?`,
          timeoutMs, silence.noticedUpToMs,
        ).one();
        return row.next === null ? null : row.next + timeoutMs + 1;
      });
    },
    onAlarm(nowMs) {
      const crossed = sql.exec<{ experiment: string }>(
        `SELECT experiment FROM (${HEARTBEATLESS_LAST_REPORTS}) WHERE last_ms + ? >= ? AND last_ms + ? < ?`,
        timeoutMs, silence.noticedUpToMs, timeoutMs, nowMs,
      ).toArray().map((r) => r.experiment);
      silence.noticed(crossed, nowMs);
      // Only these experiments moved: the campaign object sends and logs them alone (take()), not the board.
      return false;
    },
  };
}
