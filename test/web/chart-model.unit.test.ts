import { describe, expect, it } from "vitest";
import type { Round } from "../../protocol/status.ts";
import { CHART_BOX, chartModel } from "../../web/src/chart-model.ts";

const r = (split: string, score: number | null, at: string, hidden = false): Round => ({ trial: "t", commit: "c", split, score, error_rate: 0, created_at: at, hidden });

describe("score-per-round chart geometry", () => {
  it("has nothing to draw until a round is scored, bars or not", () => {
    expect(chartModel([], null)).toBeNull();
    expect(chartModel([r("dev", null, "2026-11-24T01:00:00Z")], { baseline: 0.2, win_bar: 0.6, higher_is_better: true })).toBeNull();
    expect(chartModel([r("dev", 0.4, "2026-11-24T01:00:00Z", true)], null)).toBeNull();
  });

  it("keeps baseline, win bar and ceiling inside the plot even when scores are far from them", () => {
    const model = chartModel([r("dev", 0.5, "2026-11-24T01:00:00Z")], { baseline: 0.2, win_bar: 0.6, healthy: 0.95, higher_is_better: true })!;
    expect(model.lines.map((l) => l.kind)).toEqual(["baseline", "bar", "ceiling"]);
    for (const line of model.lines) {
      expect(line.y).toBeGreaterThanOrEqual(CHART_BOX.top);
      expect(line.y).toBeLessThanOrEqual(CHART_BOX.height - CHART_BOX.bottom);
    }
    const ceiling = model.lines.find((l) => l.kind === "ceiling")!;
    const baseline = model.lines.find((l) => l.kind === "baseline")!;
    expect(ceiling.y).toBeLessThan(baseline.y);
  });

  it("plots rounds oldest first, one series per split, and counts hidden rounds without plotting them", () => {
    const model = chartModel(
      [r("dev", 0.3, "2026-11-24T01:02:00Z"), r("dev", 0.1, "2026-11-24T01:00:00Z"), r("test", null, "2026-11-24T01:01:00Z", true), r("val", 0.2, "2026-11-24T01:03:00")],
      null,
    )!;
    expect(model.series.map((s) => s.split)).toEqual(["dev", "val"]);
    const dev = model.series[0]!.points;
    expect(dev.map((p) => p.round.score)).toEqual([0.1, 0.3]);
    expect(dev[0]!.x).toBeLessThan(dev[1]!.x);
    expect(dev[0]!.y).toBeGreaterThan(dev[1]!.y);
    expect(model.hidden).toBe(1);
  });
});
