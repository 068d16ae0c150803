import { describe, expect, it } from "vitest";
import { LiveMessage } from "../../protocol/status.ts";
import { applyLiveMessage } from "../../web/src/board-state.ts";
import { counts, experiment, host, snapshot } from "./fixtures.ts";

function delta(over: Partial<Extract<LiveMessage, { type: "delta" }>>): LiveMessage {
  return LiveMessage.parse({ type: "delta", generated_at: "2026-11-24T02:01:00.000Z", counts: counts([]), experiments: [], removed: [], hosts: [], ...over });
}

describe("folding live messages into the board", () => {
  const a = experiment("a");
  const b = experiment("b", { phase: "building" });
  const board = snapshot([a, b], { history: [{ exp: "old", question: null, baseline: 0.1, bar: 0.2, final: 0.3, result: "passed", summary: null }] });

  it("takes a snapshot whole, replacing whatever was there", () => {
    const other = snapshot([experiment("z")]);
    expect(applyLiveMessage(board, { type: "snapshot", status: other })).toBe(other);
    expect(applyLiveMessage(null, { type: "snapshot", status: other })).toBe(other);
  });

  it("cannot place a delta before the first snapshot", () => {
    expect(applyLiveMessage(null, delta({}))).toBeNull();
  });

  it("replaces changed experiments by key and keeps unchanged ones identical", () => {
    const b2 = experiment("b", { phase: "running" });
    const msg = delta({ experiments: [b2], counts: counts([a, b2]) });
    const next = applyLiveMessage(board, msg)!;
    expect(next.experiments.map((e) => [e.key, e.phase])).toEqual([["a", "running"], ["b", "running"]]);
    expect(next.experiments[0]).toBe(board.experiments[0]);
    expect(next.experiments[1]).toBe(msg.type === "delta" ? msg.experiments[0] : undefined);
    expect(next.counts.running).toBe(2);
    expect(next.generated_at).toBe("2026-11-24T02:01:00.000Z");
  });

  it("appends experiments it has not seen and drops removed keys", () => {
    const c = experiment("c");
    const next = applyLiveMessage(board, delta({ experiments: [c], removed: ["a"] }))!;
    expect(next.experiments.map((e) => e.key)).toEqual(["b", "c"]);
  });

  it("merges hosts by name", () => {
    const next = applyLiveMessage(board, delta({ hosts: [host("gpu-1", { stale: true }), host("gpu-2")] }))!;
    expect(next.hosts.map((h) => [h.host, h.stale])).toEqual([["gpu-1", true], ["gpu-2", false]]);
  });

  it("keeps the scorecard, budget and title unless the delta carries them", () => {
    const kept = applyLiveMessage(board, delta({}))!;
    expect(kept.history).toBe(board.history);
    expect(kept.title).toBeNull();
    const changed = applyLiveMessage(board, delta({ history: [], title: "GAIA sweep", meta_version: 2 }))!;
    expect(changed.history).toEqual([]);
    expect(changed.title).toBe("GAIA sweep");
    expect(changed.meta_version).toBe(2);
  });

  it("never mutates the board it was given", () => {
    const before = JSON.stringify(board);
    applyLiveMessage(board, delta({ experiments: [experiment("a", { phase: "done" })], removed: ["b"] }));
    expect(JSON.stringify(board)).toBe(before);
  });
});
