import { describe, expect, it } from "vitest";
import type { Attempt } from "../../protocol/index.ts";
import { derivePhase, type HostFacts, type PhaseInput, type TrialFacts } from "../../durable-objects/domain/phase.ts";

const trial = (t: Partial<TrialFacts> = {}): TrialFacts => ({ trial: "task__aaaaaaa", host: "gpu-1", live: true, rounds: 0, reportedAtMs: 1000, receivedMs: 1000, ...t });
const fresh: HostFacts = { silentForS: 5, stale: false };
const silent: HostFacts = { silentForS: 192, stale: true };
const done: Attempt = { trial: "task__aaaaaaa", job: "j", host: "gpu-1", rewards: { reward: 0.5 }, finished_at: "2026-11-24T01:00:00Z", exception: null, source: "result.json" };

function phase(p: Partial<PhaseInput>) {
  return derivePhase({ inMeta: false, final: null, trials: [], hosts: new Map([["gpu-1", fresh]]), heartbeatTimeoutS: 60, nowMs: 6_000, ...p });
}

describe("phase", () => {
  it("is building while the container is up and no rounds exist", () => {
    expect(phase({ trials: [trial()] }).phase).toBe("building");
  });
  it("is running once the live trial has rounds", () => {
    expect(phase({ trials: [trial({ rounds: 3 })] }).phase).toBe("running");
  });
  it("is done when a final with rewards exists — even with a live container and rounds", () => {
    expect(phase({ final: done, trials: [trial({ rounds: 9 })] })).toEqual({ phase: "done", reason: "final from task__aaaaaaa" });
  });
  it("is errored when the final has an exception and no rewards", () => {
    const out = phase({ final: { ...done, rewards: null, exception: { type: "AgentTimeout", message: "600 s" } }, trials: [trial()] });
    expect(out).toEqual({ phase: "errored", reason: "task__aaaaaaa ended without rewards (AgentTimeout: 600 s)" });
  });
  it("keeps a final's phase when the host goes silent (stale never overrides a final)", () => {
    expect(phase({ final: done, trials: [trial()], hosts: new Map([["gpu-1", silent]]) }).phase).toBe("done");
  });
  it("marks an experiment gone when its container disappears without a final", () => {
    expect(phase({ trials: [trial({ live: false, rounds: 4 })] })).toEqual({ phase: "gone", reason: "container gone from gpu-1 without a final" });
  });
  it("marks a meta-listed experiment never seen as gone, and says so", () => {
    expect(phase({ inMeta: true })).toEqual({ phase: "gone", reason: "listed in meta but never seen on any host" });
  });
  it("trusts a host that has not sent a heartbeat yet while its last report is recent", () => {
    expect(phase({ trials: [trial({ rounds: 2 })], hosts: new Map() }).phase).toBe("running");
  });
  it("turns stale when a host that never sent a heartbeat has not reported past the timeout", () => {
    expect(phase({ trials: [trial({ rounds: 2 })], hosts: new Map(), nowMs: 1000 + 61_000 })).toEqual({
      phase: "stale", reason: "host gpu-1 never sent a heartbeat and last reported 1 min 1 s ago (heartbeat timeout 60s): state unknown",
    });
  });
  it("measures a heartbeat-less producer's silence on the server's clock, not the report's own time", () => {
    // Its clock is ten minutes behind: the report says 1 s, the server heard it at 600 s.
    const behind = trial({ rounds: 2, reportedAtMs: 1000, receivedMs: 600_000 });
    expect(phase({ trials: [behind], hosts: new Map(), nowMs: 601_000 }).phase).toBe("running");
    expect(phase({ trials: [behind], hosts: new Map(), nowMs: 661_001 }).phase).toBe("stale");
    // Ten minutes ahead: silent all the same once the server has not heard from it for the timeout.
    const ahead = trial({ rounds: 2, reportedAtMs: 1_200_000, receivedMs: 600_000 });
    expect(phase({ trials: [ahead], hosts: new Map(), nowMs: 661_001 }).phase).toBe("stale");
  });
  it("is stale when the host that last reported it is silent past the timeout, with the silence", () => {
    expect(phase({ trials: [trial({ rounds: 2 })], hosts: new Map([["gpu-1", silent]]) })).toEqual({
      phase: "stale", reason: "host gpu-1 silent for 3 min 12 s (heartbeat timeout 60s): state unknown",
    });
  });
  it("judges staleness by the host that reported the experiment last", () => {
    const hosts = new Map([["gpu-1", silent], ["gpu-2", fresh]]);
    const old = trial({ trial: "task__old0000", host: "gpu-1", reportedAtMs: 1000, live: false });
    const recent = trial({ trial: "task__new0000", host: "gpu-2", reportedAtMs: 2000, rounds: 1 });
    expect(phase({ trials: [old, recent], hosts }).phase).toBe("running");
    expect(phase({ trials: [{ ...old, reportedAtMs: 3000 }, recent], hosts }).phase).toBe("stale");
  });
  it("is running when any of several attempts is live", () => {
    expect(phase({ trials: [trial({ live: false, rounds: 1 }), trial({ trial: "task__b", live: true, rounds: 0 })] }).phase).toBe("running");
  });
});
