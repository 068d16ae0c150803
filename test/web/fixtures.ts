// Protocol-valid board entries for the page's pure unit tests (parsed through protocol's schemas,
// so a fixture that drifts from the contract fails loudly instead of testing a fiction).
import { ExperimentStatus, HostStatus, StatusSnapshot, type Phase } from "../../protocol/status.ts";

export function experiment(key: string, over: Partial<ExperimentStatus> = {}): ExperimentStatus {
  return ExperimentStatus.parse({
    key,
    title: null,
    question: null,
    note: null,
    bars: null,
    in_meta: false,
    phase: "running",
    phase_reason: null,
    trials: [],
    rounds: { count: 0, scored: 0, best_score: null, last_score: null, last_at: null },
    last_rounds: [],
    budget: [],
    final: null,
    attempts: [],
    verdict: null,
    updated_at: "2026-11-24T02:00:00.000Z",
    ...over,
  });
}

export function host(name: string, over: Partial<HostStatus> = {}): HostStatus {
  return HostStatus.parse({ host: name, agent_id: name, last_seen: "2026-11-24T02:00:00.000Z", docker: "ok", containers: 1, silent_for_s: 3, stale: false, ...over });
}

export function counts(experiments: ExperimentStatus[]): Record<Phase, number> {
  const out: Record<Phase, number> = { building: 0, running: 0, done: 0, errored: 0, gone: 0, stale: 0 };
  for (const e of experiments) out[e.phase] += 1;
  return out;
}

export function snapshot(experiments: ExperimentStatus[], over: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return StatusSnapshot.parse({
    campaign: "gaia",
    title: null,
    generated_at: "2026-11-24T02:00:00.000Z",
    meta_version: 1,
    heartbeat_timeout_s: 60,
    counts: counts(experiments),
    experiments,
    hosts: [host("gpu-1")],
    history: [],
    role: "admin",
    ...over,
  });
}
