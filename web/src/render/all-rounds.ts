// "Show all N rounds" on a card: the live channel carries only the last few rounds, so the full
// history is fetched on demand and drawn as a chart plus a scrollable table. Which cards are open
// survives live rebuilds of the card (the set lives in the deck's context).
import type { ExperimentStatus } from "../../../protocol/status.ts";
import { h } from "../dom.ts";
import { fetchAllRounds } from "../experiment-rounds.ts";
import { roundsTable } from "./rounds-table.ts";
import { scoreChart } from "./chart.ts";

export interface CardContext {
  campaign: string;
  /** Keys of experiments whose full round history the operator opened. */
  expanded: Set<string>;
}

export function allRoundsToggle(exp: ExperimentStatus, ctx: CardContext): HTMLElement {
  const panel = h("div", { class: "all-rounds", attrs: { id: `all-rounds-${exp.key}`, hidden: true } });
  const button = h("button", { class: "link-button", attrs: { type: "button", "aria-expanded": "false", "aria-controls": panel.id } });
  const label = () => (button.textContent = ctx.expanded.has(exp.key) ? "Hide the full history" : `Show all ${exp.rounds.count} rounds`);

  const load = async () => {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    panel.replaceChildren(h("p", { class: "muted small", attrs: { role: "status" } }, "Loading every round…"));
    const result = await fetchAllRounds(ctx.campaign, exp.key);
    if (!ctx.expanded.has(exp.key)) return;
    if (!result.ok) {
      panel.replaceChildren(h("p", { class: "warn" }, `Could not load the rounds: ${result.reason}`));
      return;
    }
    panel.replaceChildren(
      scoreChart(result.rounds, exp.bars, exp.rounds.best_score, "all") ?? h("p", { class: "muted small" }, "No scored rounds to chart."),
      h("div", { class: "scroll" }, roundsTable(result.rounds, Date.now(), Infinity, `All ${result.rounds.length} rounds, newest first`) ?? ""),
    );
  };

  button.addEventListener("click", () => {
    if (ctx.expanded.has(exp.key)) {
      ctx.expanded.delete(exp.key);
      panel.hidden = true;
      panel.replaceChildren();
      button.setAttribute("aria-expanded", "false");
    } else {
      ctx.expanded.add(exp.key);
      void load();
    }
    label();
  });
  label();
  if (ctx.expanded.has(exp.key)) void load();
  return h("div", { class: "all-rounds-wrap" }, button, panel);
}
