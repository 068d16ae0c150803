// Alarm participants for staleness that the clock alone brings about, so a live delta and the event log
// follow it without waiting for a write: a host silent past the heartbeat timeout, and a producer that
// never heartbeats whose last report grows older than it. The phase itself reads the clock
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
 * What the silent-producer watch has already noticed, kept by the campaign object across alarms (in
 * memory: after eviction it starts again at 0, and the first alarm looks once at every silence it
 * finds, which logs only what the log does not already hold).
 */
export class ProducerSilence {
  /** Silences that began at or before this server time have been noticed. */
  noticedUpToMs = 0;
  private crossed = new Set<string>();

  noticed(keys: Iterable<string>, nowMs: number): void {
    for (const k of keys) this.crossed.add(k);
    this.noticedUpToMs = nowMs;
  }

  /** The experiments whose producer fell silent since the last take. */
  take(): string[] {
    const keys = [...this.crossed];
    this.crossed.clear();
    return keys;
  }
}

/**
 * Experiments without a final whose latest report came from a host that never sent a heartbeat, with
 * the server time that report arrived: once it is older than the timeout, the phase reads "stale".
 * SQLite's bare-column rule makes `host` the one of the row holding max(last_at_ms), the trial that
 * speaks for the experiment (domain/phase.ts lastReported; a tie in time may pick either).
 */
const HEARTBEATLESS_LAST_REPORTS = `
  SELECT l.experiment, l.last_ms FROM (
    SELECT experiment, host, max(last_at_ms) AS last_ms FROM trials WHERE last_at_ms IS NOT NULL GROUP BY experiment
  ) l
  WHERE l.host IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.host = l.host)
    AND NOT EXISTS (SELECT 1 FROM finals f WHERE f.experiment = l.experiment)`;

export function silentProducerWatch(sql: SqlStorage, heartbeatTimeoutS: number, silence: ProducerSilence): AlarmParticipant {
  const timeoutMs = heartbeatTimeoutS * 1000;
  return {
    name: "silent-producers",
    nextDueAt() {
      const row = sql.exec<{ next: number | null }>(
        `SELECT min(last_ms) AS next FROM (${HEARTBEATLESS_LAST_REPORTS}) WHERE last_ms + ? >= ?`,
        timeoutMs, silence.noticedUpToMs,
      ).one();
      return row.next === null ? null : row.next + timeoutMs + 1;
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
