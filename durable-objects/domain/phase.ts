// The phase of an experiment, derived from what hosts reported — never guessed.
//   building → running → done | errored (terminal: a final decides); gone; stale (we do not know).
import type { Attempt, Phase } from "../../protocol/index.ts";
import { formatDuration } from "../../protocol/durations.ts";

export interface TrialFacts {
  trial: string;
  host: string | null;
  /** Its container is in its host's latest heartbeat (or the host has not sent one yet). */
  live: boolean;
  rounds: number;
  /** The latest report's own time (ms, the producer's clock): orders a trial's reports against another's. */
  reportedAtMs: number | null;
  /** Server time (ms) when a report of this trial last arrived: a heartbeat-less producer is silent from here. */
  receivedMs: number | null;
}

export interface HostFacts {
  silentForS: number;
  /** Silent past the heartbeat timeout. */
  stale: boolean;
}

export interface PhaseInput {
  inMeta: boolean;
  final: Attempt | null;
  trials: readonly TrialFacts[];
  /** Hosts by name; a host that never sent a heartbeat is absent. */
  hosts: ReadonlyMap<string, HostFacts>;
  heartbeatTimeoutS: number;
  /** Server time of the read: judges hosts that never sent a heartbeat by their last report. */
  nowMs: number;
}

export interface PhaseOutcome {
  phase: Phase;
  reason: string | null;
}

/** The trial that reported this experiment most recently; its host speaks for the experiment. */
export function lastReported(trials: readonly TrialFacts[]): TrialFacts | null {
  let best: TrialFacts | null = null;
  for (const t of trials) {
    if (best === null || (t.reportedAtMs ?? -1) > (best.reportedAtMs ?? -1) || ((t.reportedAtMs ?? -1) === (best.reportedAtMs ?? -1) && t.trial > best.trial)) best = t;
  }
  return best;
}

export function derivePhase(input: PhaseInput): PhaseOutcome {
  const { final, trials } = input;
  if (final) {
    if (final.rewards !== null) return { phase: "done", reason: `final from ${final.trial}` };
    const why = final.exception ? `${final.exception.type}: ${final.exception.message}` : "no rewards";
    return { phase: "errored", reason: `${final.trial} ended without rewards (${why})` };
  }
  if (trials.length === 0) {
    return { phase: "gone", reason: input.inMeta ? "listed in meta but never seen on any host" : "no trials seen" };
  }
  const last = lastReported(trials);
  const lastHost = last?.host ? input.hosts.get(last.host) : undefined;
  if (last?.host && lastHost?.stale) {
    return {
      phase: "stale",
      reason: `host ${last.host} silent for ${formatDuration(lastHost.silentForS)} (heartbeat timeout ${input.heartbeatTimeoutS}s): state unknown`,
    };
  }
  // A producer that never heartbeats cannot say which containers are live; once its last report is
  // older than the timeout we do not know either, rather than showing it running forever.
  if (last?.host && !lastHost && last.receivedMs !== null) {
    const silentForS = Math.max(0, (input.nowMs - last.receivedMs) / 1000);
    if (silentForS > input.heartbeatTimeoutS) {
      return {
        phase: "stale",
        reason: `host ${last.host} never sent a heartbeat and last reported ${formatDuration(silentForS)} ago (heartbeat timeout ${input.heartbeatTimeoutS}s): state unknown`,
      };
    }
  }
  const live = trials.filter((t) => t.live);
  if (live.length > 0) {
    const rounds = trials.reduce((n, t) => n + t.rounds, 0);
    if (rounds > 0) return { phase: "running", reason: `${rounds} round${rounds === 1 ? "" : "s"}; live: ${live.map((t) => t.trial).join(", ")}` };
    return { phase: "building", reason: `container up, no rounds yet: ${live.map((t) => t.trial).join(", ")}` };
  }
  const where = last?.host ? ` from ${last.host}` : "";
  return { phase: "gone", reason: `container gone${where} without a final` };
}
