// The campaign-wide budget ledger per split, with drift against what sidecars report.
import type { CampaignBudgetView } from "../../../protocol/status.ts";
import { columnHeader, h } from "../dom.ts";
import { formatCount } from "../format.ts";
import { paceLabel } from "./ago.ts";
import { tierBadge } from "./chips.ts";

export function campaignBudgetSection(budget: readonly CampaignBudgetView[] | undefined, nowMs: number): HTMLElement | null {
  if (!budget || budget.length === 0) return null;
  return h(
    "section",
    { class: "campaign-budget", attrs: { "aria-label": "Campaign budget" } },
    h("h2", null, "Campaign budget"),
    h(
      "table",
      null,
      h("thead", null, h("tr", null, columnHeader("split"), columnHeader("tier"), columnHeader("runs left"), columnHeader("at this pace"), columnHeader("samples left"), columnHeader("max samples / run"), columnHeader("open reservations"), columnHeader("drift"))),
      h(
        "tbody",
        null,
        ...budget.map((b) =>
          h(
            "tr",
            null,
            h("th", { attrs: { scope: "row" } }, b.split),
            h("td", null, tierBadge(b.tier)),
            h("td", { class: "num" }, `${formatCount(b.remaining_runs)} / ${formatCount(b.total_runs)}`),
            h("td", { class: "pace-cell" }, paceLabel(b, nowMs) ?? h("span", { class: "muted" }, "—")),
            h("td", { class: "num" }, `${formatCount(b.remaining_samples)} / ${formatCount(b.total_samples)}`),
            h("td", { class: "num" }, formatCount(b.max_samples_per_run)),
            h("td", { class: "num" }, String(b.open_reservations)),
            h("td", null, b.drift ? h("span", { class: "badge bad" }, h("span", { class: "icon", attrs: { "aria-hidden": "true" } }, "⚠"), b.drift) : h("span", { class: "muted" }, "consistent")),
          ),
        ),
      ),
    ),
  );
}
