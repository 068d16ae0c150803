// "Show all N rounds" on a card: the live channel carries only the last few rounds, so the full
// history is fetched on demand and drawn as a chart plus a scrollable table.
import type { ExperimentStatus } from "../../../protocol/status.ts";
import { h } from "../dom.ts";
import { fetchAllRounds } from "../experiment-rounds.ts";
import { disclosure } from "./disclosure.ts";
import { roundsTable } from "./rounds-table.ts";
import { scoreChart } from "./chart.ts";

export interface CardContext {
  campaign: string;
  /** Keys of experiments whose full round history the operator opened. */
  expanded: Set<string>;
  /** Keys of experiments whose timeline (what changed) the operator opened. */
  timelines: Set<string>;
}

export function allRoundsToggle(exp: ExperimentStatus, ctx: CardContext): HTMLElement {
  return disclosure({
    id: `all-rounds-${exp.key}`,
    key: exp.key,
    open: ctx.expanded,
    label: (open) => (open ? "Hide the full history" : `Show all ${exp.rounds.count} rounds`),
    async fill(panel, stillOpen) {
      panel.replaceChildren(h("p", { class: "muted small", attrs: { role: "status" } }, "Loading every round…"));
      const result = await fetchAllRounds(ctx.campaign, exp.key);
      if (!stillOpen()) return;
      if (!result.ok) {
        panel.replaceChildren(h("p", { class: "warn" }, `Could not load the rounds: ${result.reason}`));
        return;
      }
      panel.replaceChildren(
        scoreChart(result.rounds, exp.bars, exp.rounds.best_score, "all") ?? h("p", { class: "muted small" }, "No scored rounds to chart."),
        h("div", { class: "scroll" }, roundsTable(result.rounds, Date.now(), Infinity, `All ${result.rounds.length} rounds, newest first`) ?? ""),
      );
    },
  }, "all-rounds");
}
