// Reconnect timing for the live channel: "full jitter" exponential backoff, so a fleet of open
// pages does not stampede a restarted Worker in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const LIVE_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 10_000 };

/** Delay before reconnect attempt `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, policy: BackoffPolicy = LIVE_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}
