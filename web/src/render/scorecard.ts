// The scorecard: finished experiments from the meta history, with a legend for its columns.
import type { ScorecardEntry } from "../../../protocol/status.ts";
import { columnHeader, h } from "../dom.ts";
import { formatScore } from "../format.ts";
import { resultChip } from "./chips.ts";

export function scorecardSection(history: readonly ScorecardEntry[]): HTMLElement {
  return h(
    "section",
    { class: "scorecard", attrs: { "aria-label": "Scorecard" } },
    h("h2", null, `Scorecard (${history.length})`),
    h(
      "p",
      { class: "legend" },
      h("strong", null, "baseline"), " = score before the change · ",
      h("strong", null, "bar"), " = the pre-registered score the final must beat to pass · ",
      h("strong", null, "final"), " = the score of the latest finished attempt.",
    ),
    history.length === 0
      ? h("p", { class: "muted" }, "No finished experiments in the meta history yet.")
      : h(
          "table",
          null,
          h("thead", null, h("tr", null, columnHeader("experiment"), columnHeader("question"), columnHeader("baseline"), columnHeader("bar"), columnHeader("final"), columnHeader("result"), columnHeader("summary"))),
          h(
            "tbody",
            null,
            ...history.map((entry) =>
              h(
                "tr",
                null,
                h("th", { class: "mono", attrs: { scope: "row" } }, entry.exp),
                h("td", null, entry.question ?? ""),
                h("td", { class: "num" }, formatScore(entry.baseline)),
                h("td", { class: "num" }, formatScore(entry.bar)),
                h("td", { class: "num" }, formatScore(entry.final)),
                h("td", null, resultChip(entry.result)),
                h("td", null, entry.summary ?? ""),
              ),
            ),
          ),
        ),
  );
}
