import { describe, expect, it } from "vitest";
import { budgetParts, formatAgo, formatEta, paceText, formatCount, formatDuration, formatRate, formatScore, parseTime, shortCommit } from "../../web/src/format.ts";

describe("board formatting", () => {
  it("reads naive sidecar times as UTC and offset times as given", () => {
    expect(parseTime("2026-11-24T02:00:00")).toBe(Date.UTC(2026, 10, 24, 2, 0, 0));
    expect(parseTime("2026-11-24T03:00:00+01:00")).toBe(Date.UTC(2026, 10, 24, 2, 0, 0));
    expect(parseTime(null)).toBeNull();
    expect(parseTime("not a time")).toBeNull();
  });

  it("says how long ago with at most two units and never a negative age", () => {
    const now = Date.UTC(2026, 10, 24, 2, 0, 0);
    expect(formatAgo("2026-11-24T01:59:48Z", now)).toBe("12 s ago");
    expect(formatAgo("2026-11-24T01:56:48Z", now)).toBe("3 min 12 s ago");
    expect(formatAgo("2026-11-23T23:55:00Z", now)).toBe("2 h 5 min ago");
    expect(formatAgo("2026-11-24T02:00:05Z", now)).toBe("0 s ago");
    expect(formatAgo(null, now)).toBe("never");
    expect(formatDuration(3 * 86400 + 4 * 3600 + 59)).toBe("3 d 4 h");
  });

  it("shows scores with three decimals, rates as percentages, and missing values as a dash", () => {
    expect(formatScore(0.5)).toBe("0.500");
    expect(formatScore(null)).toBe("—");
    expect(formatScore(123.456)).toBe("123.5");
    expect(formatRate(0.25)).toBe("25%");
    expect(formatRate(0.021)).toBe("2.1%");
    expect(formatRate(null)).toBe("—");
  });

  it("says unlimited for budgets the sidecar does not cap", () => {
    expect(formatCount(null)).toBe("unlimited");
    expect(formatCount(12000)).toBe("12,000");
  });

  it("tells a split with no budget at all from an undisclosed one and from an uncapped remainder", () => {
    const split = { remaining_runs: null, remaining_samples: null };
    expect(budgetParts({ ...split, metered: false })).toEqual({ runs: "no budget", rest: null, paced: false });
    expect(budgetParts({ ...split, disclosed: false })).toEqual({ runs: "budget not disclosed", rest: null, paced: false });
    expect(budgetParts({ remaining_runs: 3, remaining_samples: null })).toEqual({ runs: "3 runs left", rest: "unlimited samples left", paced: true });
  });

  it("states the totals beside what is left when the sidecar gives them", () => {
    expect(budgetParts({ remaining_runs: 37, remaining_samples: 3700, total_runs: 40, total_samples: 4000 })).toEqual({ runs: "37 of 40 runs left", rest: "3,700 of 4,000 samples left", paced: true });
    // An unlimited remainder has no "of": a total of what is not counted says nothing.
    expect(budgetParts({ remaining_runs: 37, remaining_samples: null, total_runs: 40 })).toMatchObject({ runs: "37 of 40 runs left", rest: "unlimited samples left" });
    expect(budgetParts({ remaining_runs: null, remaining_samples: 5, total_samples: 9, disclosed: false })).toMatchObject({ runs: "runs not disclosed", rest: "5 of 9 samples left", paced: false });
  });

  it("tells the pace as a rounded forecast, from exhausted_at against now", () => {
    const now = Date.UTC(2026, 11, 6, 12, 0, 0);
    const at = (h: number) => new Date(now + h * 3600_000).toISOString();
    expect(paceText({ burn_per_hour: 6, exhausted_at: at(37 / 6) }, now)).toBe("~6 h at this pace");
    expect(paceText({ burn_per_hour: 100, exhausted_at: at(0.75) }, now)).toBe("~45 min at this pace");
    expect(paceText({ burn_per_hour: 1, exhausted_at: at(24 * 3 + 2) }, now)).toBe("~3 d at this pace");
    expect(paceText({ burn_per_hour: 6, exhausted_at: at(-1) }, now)).toBe("running out now at this pace");
    expect(paceText({ burn_per_hour: 0, exhausted_at: null }, now)).toBe("no runs spent in the last hour");
    expect(paceText({ burn_per_hour: null, exhausted_at: null }, now)).toBeNull();
    expect(paceText({}, now)).toBeNull();
    expect([formatEta(10), formatEta(89 * 60), formatEta(47.4 * 3600), formatEta(49 * 3600)]).toEqual(["~1 min", "~1 h", "~47 h", "~2 d"]);
  });

  it("shortens hash commits but leaves other commit labels whole", () => {
    expect(shortCommit("0123456789abcdef0123")).toBe("0123456");
    expect(shortCommit("baseline")).toBe("baseline");
  });
});
