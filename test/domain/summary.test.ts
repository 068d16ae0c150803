import { describe, expect, it } from "vitest";
import { formatDuration } from "../../durable-objects/domain/durations.ts";
import { combineSplits, type SplitFigures } from "../../durable-objects/domain/rounds-summary.ts";
import { isHiddenFor, resolveTier } from "../../durable-objects/domain/tier.ts";

const split = (s: Partial<SplitFigures> & { split: string }): SplitFigures => ({ count: 1, scored: 1, max_score: 0.5, min_score: 0.5, last_score: 0.5, last_sort_at: "2026-11-24T01:00:00", ...s });

describe("rounds summary", () => {
  it("adds counts across splits and takes the best in the bars' direction", () => {
    const splits = [split({ split: "dev", count: 3, max_score: 0.7, min_score: 0.2 }), split({ split: "test", count: 2, max_score: 0.9, min_score: 0.4 })];
    expect(combineSplits(splits, () => false, true)).toMatchObject({ count: 5, best_score: 0.9 });
    expect(combineSplits(splits, () => false, false)).toMatchObject({ count: 5, best_score: 0.2 });
  });
  it("keeps hidden splits' scores out of best and last, but still counts their rounds", () => {
    const splits = [split({ split: "dev", max_score: 0.3, last_score: 0.3 }), split({ split: "secret", max_score: 0.99, last_score: 0.99, last_sort_at: "2026-11-24T02:00:00" })];
    expect(combineSplits(splits, (s) => s === "secret", true)).toEqual({ count: 2, scored: 2, best_score: 0.3, last_score: 0.3, last_at: "2026-11-24T02:00:00" });
  });
});

describe("tiers", () => {
  it("prefers the campaign budget config, then the sidecar's report, else no_access", () => {
    const config = new Map([["test", "no_access" as const]]);
    const sidecar = new Map([["test", "viewable" as const], ["dev", "viewable" as const]]);
    expect(resolveTier("test", config, sidecar)).toBe("no_access");
    expect(resolveTier("dev", config, sidecar)).toBe("viewable");
    expect(resolveTier("unknown", config, sidecar)).toBe("no_access");
  });
  it("hides no_access only from viewers", () => {
    expect(isHiddenFor("viewer", "no_access")).toBe(true);
    expect(isHiddenFor("admin", "no_access")).toBe(false);
    expect(isHiddenFor("viewer", "non_viewable")).toBe(false);
  });
});

describe("durations", () => {
  it("reads like an operator would say it", () => {
    expect([formatDuration(45), formatDuration(192), formatDuration(7500), formatDuration(3 * 86400 + 4 * 3600)]).toEqual(["45s", "3m 12s", "2h 5m", "3d 4h"]);
  });
});
