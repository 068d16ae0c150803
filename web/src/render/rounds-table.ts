// The rounds table on a card: commit, split, score, error rate, when — newest first; rounds hidden
// from this viewer (no-access split) say "hidden" instead of a number.
import type { Round } from "../../../protocol/status.ts";
import { roundsInOrder } from "../chart-model.ts";
import { columnHeader, h } from "../dom.ts";
import { formatRate, formatScore, shortCommit } from "../format.ts";
import { agoLabel } from "./ago.ts";

function hiddenCell(): HTMLElement {
  return h("span", { class: "hidden-value", attrs: { title: "this split's tier is no access: redacted for viewers" } }, "hidden");
}

/** Newest first; `limit` rows at most. */
export function roundsTable(rounds: readonly Round[], nowMs: number, limit: number, caption: string): HTMLElement | null {
  if (rounds.length === 0) return null;
  const newest = roundsInOrder(rounds).reverse().slice(0, limit);
  return h(
    "table",
    { class: "rounds" },
    h("caption", null, caption),
    h("thead", null, h("tr", null, columnHeader("commit"), columnHeader("split"), columnHeader("score"), columnHeader("errors"), columnHeader("when"))),
    h(
      "tbody",
      null,
      ...newest.map((r) =>
        h(
          "tr",
          null,
          h("td", { class: "mono", attrs: { title: r.commit } }, shortCommit(r.commit) || "—"),
          h("td", null, h("span", { class: "clip", attrs: { title: r.split } }, r.split)),
          h("td", { class: "num" }, r.hidden ? hiddenCell() : formatScore(r.score)),
          h("td", { class: "num" }, r.hidden ? hiddenCell() : formatRate(r.error_rate)),
          h("td", null, agoLabel(r.created_at, "", nowMs)),
        ),
      ),
    ),
  );
}

