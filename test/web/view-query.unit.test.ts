import { describe, expect, it } from "vitest";
import { DEFAULT_VIEW, formatViewQuery, parseViewQuery, selectExperiments } from "../../web/src/view-query.ts";
import { experiment } from "./fixtures.ts";

describe("the board's view and its URL", () => {
  it("round-trips phase filter, search and sort through the query string", () => {
    const view = { phases: ["stale" as const, "running" as const], search: "gaia", sort: "updated" as const };
    const text = formatViewQuery(view);
    expect(text).toBe("?phase=running%2Cstale&q=gaia&sort=updated");
    expect(parseViewQuery(text)).toEqual({ phases: ["running", "stale"], search: "gaia", sort: "updated" });
  });

  it("leaves the default view out of the URL and ignores unknown values", () => {
    expect(formatViewQuery(DEFAULT_VIEW)).toBe("");
    expect(parseViewQuery("?phase=bogus,done&sort=<script>")).toEqual({ phases: ["done"], search: "", sort: "attention" });
  });

  const exps = [
    experiment("alpha", { phase: "done", title: "Tool retries", updated_at: "2026-11-24T02:00:00Z", rounds: { count: 2, scored: 2, best_score: 0.7, last_score: 0.7, last_at: null } }),
    experiment("beta", { phase: "gone", question: "Does caching help?", updated_at: "2026-11-24T02:05:00Z" }),
    experiment("gamma", { phase: "running", trials: [{ trial: "gamma__abc1234", host: "gpu-7", container: null, live: true, last_seen: null, error: null, rounds: 1 }], rounds: { count: 1, scored: 1, best_score: 0.9, last_score: 0.9, last_at: null } }),
    experiment("delta", { phase: "stale", note: "watch the retry storm" }),
  ];

  it("puts experiments needing attention first by default: gone, stale, errored before running and done", () => {
    expect(selectExperiments(exps, DEFAULT_VIEW).map((e) => e.key)).toEqual(["beta", "delta", "gamma", "alpha"]);
  });

  it("sorts by key, by last update and by best score", () => {
    expect(selectExperiments(exps, { ...DEFAULT_VIEW, sort: "key" }).map((e) => e.key)).toEqual(["alpha", "beta", "delta", "gamma"]);
    expect(selectExperiments(exps, { ...DEFAULT_VIEW, sort: "updated" }).map((e) => e.key)[0]).toBe("beta");
    expect(selectExperiments(exps, { ...DEFAULT_VIEW, sort: "score" }).map((e) => e.key).slice(0, 2)).toEqual(["gamma", "alpha"]);
  });

  it("filters by phase and searches title, question, note and hosts case-insensitively", () => {
    expect(selectExperiments(exps, { ...DEFAULT_VIEW, phases: ["done", "stale"] }).map((e) => e.key)).toEqual(["delta", "alpha"]);
    expect(selectExperiments(exps, { ...DEFAULT_VIEW, search: "CACHING" }).map((e) => e.key)).toEqual(["beta"]);
    expect(selectExperiments(exps, { ...DEFAULT_VIEW, search: "gpu-7" }).map((e) => e.key)).toEqual(["gamma"]);
    expect(selectExperiments(exps, { ...DEFAULT_VIEW, search: "retry storm" }).map((e) => e.key)).toEqual(["delta"]);
    expect(selectExperiments(exps, { ...DEFAULT_VIEW, search: "tool" }).map((e) => e.key)).toEqual(["alpha"]);
  });

  it("does not reorder the board it was given", () => {
    const keys = exps.map((e) => e.key);
    selectExperiments(exps, { ...DEFAULT_VIEW, sort: "key" });
    expect(exps.map((e) => e.key)).toEqual(keys);
  });
});
