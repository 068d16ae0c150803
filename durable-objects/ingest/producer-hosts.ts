// Hosts that report trials but never sent a heartbeat (the curl example, a Harbor hook): when the server
// last heard from each, kept per host so alerts can judge its silence as they judge a heartbeat's, and
// dropped once the host heartbeats (its hosts row speaks for it from then on).

/** A batch without a heartbeat reported trials from `host`; true when the host has no heartbeat on record. */
export function noteProducerReport(sql: SqlStorage, host: string, nowMs: number): boolean {
  if (sql.exec("SELECT 1 FROM hosts WHERE host = ?", host).toArray().length > 0) return false;
  sql.exec(
    "INSERT INTO producer_hosts (host, received_ms) VALUES (?, ?) ON CONFLICT(host) DO UPDATE SET received_ms = max(received_ms, excluded.received_ms)",
    host, nowMs,
  );
  return true;
}

/** The host sent its first heartbeat. */
export function forgetProducerHost(sql: SqlStorage, host: string): void {
  sql.exec("DELETE FROM producer_hosts WHERE host = ?", host);
}
