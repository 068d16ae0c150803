import { describe, expect, it } from "vitest";
import type { Attempt } from "../../protocol/index.ts";
import { orderAttempts, selectFinal, supersedesReport } from "../../durable-objects/domain/final.ts";

function attempt(trial: string, finished_at: string | null, extra: Partial<Attempt> = {}): Attempt {
  return { trial, job: "j", host: "h", rewards: { reward: 1 }, finished_at, exception: null, source: "result.json", ...extra };
}

describe("final selection", () => {
  it("picks the latest finished attempt, whatever order the attempts arrive in", () => {
    const early = attempt("task__aaaaaaa", "2026-11-24T01:00:00Z");
    const late = attempt("task__bbbbbbb", "2026-11-24T02:00:00Z");
    expect(selectFinal([late, early])).toBe(late);
    expect(selectFinal([early, late])).toBe(late);
  });
  it("compares finish times as instants, not as text", () => {
    const a = attempt("task__aaaaaaa", "2026-11-24T03:00:00+02:00"); // 01:00Z
    const b = attempt("task__bbbbbbb", "2026-11-24T02:00:00Z");
    expect(selectFinal([b, a])).toBe(b);
  });
  it("breaks a tie in finish time by trial name", () => {
    const a = attempt("task__aaaaaaa", "2026-11-24T01:00:00Z");
    const b = attempt("task__bbbbbbb", "2026-11-24T01:00:00Z");
    expect(selectFinal([b, a])).toBe(b);
    expect(selectFinal([a, b])).toBe(b);
  });
  it("ranks an attempt with no known finish time before any timed one", () => {
    const untimed = attempt("task__zzzzzzz", null);
    const timed = attempt("task__aaaaaaa", "2026-11-24T01:00:00Z");
    expect(selectFinal([timed, untimed])).toBe(timed);
  });
  it("keeps every attempt, oldest first", () => {
    const xs = [attempt("c__1", "2026-11-24T03:00:00Z"), attempt("a__1", "2026-11-24T01:00:00Z"), attempt("b__1", "2026-11-24T02:00:00Z")];
    expect(orderAttempts(xs).map((a) => a.trial)).toEqual(["a__1", "b__1", "c__1"]);
  });
  it("has no final without attempts", () => {
    expect(selectFinal([])).toBeNull();
  });
});

describe("reports of one trial", () => {
  it("lets result.json supersede a reward file seen earlier", () => {
    const reward = attempt("t", "2026-11-24T02:00:00Z", { source: "reward.json" });
    const result = attempt("t", "2026-11-24T01:59:00Z", { source: "result.json" });
    expect(supersedesReport(reward, result)).toBe(true);
    expect(supersedesReport(result, reward)).toBe(false);
  });
  it("does not let the same report replace itself (a re-sent final is a no-op)", () => {
    const r = attempt("t", "2026-11-24T02:00:00Z");
    expect(supersedesReport(r, { ...r })).toBe(false);
  });
  it("orders same-source reports by finish time, then content, so any arrival order converges", () => {
    const a = attempt("t", "2026-11-24T01:00:00Z");
    const b = attempt("t", "2026-11-24T02:00:00Z");
    expect(supersedesReport(a, b)).toBe(true);
    expect(supersedesReport(b, a)).toBe(false);
    const x = attempt("t", "2026-11-24T01:00:00Z", { rewards: { reward: 0.1 } });
    const y = attempt("t", "2026-11-24T01:00:00Z", { rewards: { reward: 0.2 } });
    expect(supersedesReport(x, y)).not.toBe(supersedesReport(y, x));
  });
});
