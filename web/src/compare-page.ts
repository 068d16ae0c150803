// The compare page at /campaigns/<campaign>/compare?keys=a,b,…: the keys in the URL are the whole
// state (shareable). One chart, then a side-by-side table (one column per experiment, in the URL's
// order) with the bars that differ between experiments marked. Reply validated with protocol/compare.ts.
import { CompareReply, COMPARE_MAX_KEYS, COMPARE_MIN_KEYS, type CompareExperiment } from "../../protocol/compare.ts";
import { getJson } from "./api-get.ts";
import { h, columnHeader, type Child } from "./dom.ts";
import { BAR_FIELDS, differingBars, keysOfSearch, type BarField } from "./compare-model.ts";
import { formatScore } from "./format.ts";
import { compareChartFigure } from "./render/compare-chart.ts";
import { tightestBudget, verdictText } from "./table-model.ts";

const BAR_LABELS: Record<BarField, string> = { baseline: "Baseline", win_bar: "Win bar", healthy: "Ceiling", metric: "Metric", higher_is_better: "Direction" };

function barValue(e: CompareExperiment, field: BarField): string {
  const bars = e.bars;
  if (!bars) return "—";
  if (field === "higher_is_better") return bars.higher_is_better === false ? "lower is better" : "higher is better";
  if (field === "metric") return bars.metric ?? "—";
  return formatScore(bars[field] ?? null);
}

function gapText(gap: number | null): string {
  return gap === null ? "—" : `${gap > 0 ? "+" : ""}${formatScore(gap)}`;
}

/** The table's rows: a label and one cell per experiment; `differs` marks a bar that is not the same everywhere. */
function comparisonTable(experiments: readonly CompareExperiment[]): HTMLElement {
  const differs = differingBars(experiments);
  const row = (label: string, cell: (e: CompareExperiment) => Child, differ = false) =>
    h(
      "tr",
      { class: differ ? "differs" : "" },
      h("th", { attrs: { scope: "row" } }, label, differ ? h("span", { class: "differs-mark", attrs: { title: "differs between the experiments" } }, " ≠") : null),
      ...experiments.map((e) => h("td", null, cell(e))),
    );
  return h(
    "table",
    { class: "compare-table", attrs: { "aria-label": "Experiments side by side" } },
    h("thead", null, h("tr", null, columnHeader("Experiment"), ...experiments.map((e) => columnHeader(h("span", { class: "mono" }, e.key))))),
    h(
      "tbody",
      null,
      row("Title", (e) => e.title ?? "—"),
      row("Question", (e) => e.question ?? "—"),
      ...BAR_FIELDS.map((f) => row(BAR_LABELS[f], (e) => barValue(e, f), differs.has(f))),
      row("Best agent round", (e) => formatScore(e.best_score)),
      row("Final", (e) => (e.final === null ? "—" : formatScore(e.verdict?.value ?? null))),
      row("Verdict", (e) => verdictText(e)),
      row("Gap (final − best)", (e) => gapText(e.gap)),
      row("Budget left", (e) => tightestBudget(e).text),
      row("Attempts", (e) => String(e.attempts.length)),
      row("Rounds (agent · verifier)", (e) => `${e.rounds.length} · ${e.verifier_rounds.length}`),
    ),
  );
}

function load(campaign: string, keys: readonly string[]) {
  return getJson(`/api/campaigns/${encodeURIComponent(campaign)}/compare?keys=${keys.map(encodeURIComponent).join(",")}`, CompareReply, "compare");
}

export async function mountCompare(root: HTMLElement, campaign: string): Promise<void> {
  const boardHref = `/campaigns/${encodeURIComponent(campaign)}`;
  const keys = keysOfSearch(location.search);
  const body = h("div", { class: "loading", attrs: { role: "status" } }, h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }), "Loading the comparison…");
  root.replaceChildren(
    h("header", { class: "top" }, h("nav", null, h("a", { attrs: { href: boardHref } }, "← board")), h("div", { class: "title-row" }, h("h1", null, `Compare · ${campaign}`))),
    body,
  );
  document.title = `Compare · ${campaign} · Lookout`;
  const pick = h("a", { attrs: { href: `${boardHref}?view=table` } }, "pick experiments in the table view");
  if (keys.length < COMPARE_MIN_KEYS || keys.length > COMPARE_MAX_KEYS) {
    body.replaceWith(h("p", { class: "warn", attrs: { role: "alert" } }, `Compare needs ${COMPARE_MIN_KEYS} to ${COMPARE_MAX_KEYS} experiments (this link names ${keys.length}): `, pick, "."));
    return;
  }
  const out = await load(campaign, keys);
  if (!out.ok) {
    body.replaceWith(h("p", { class: "warn", attrs: { role: "alert" } }, out.reason, " — ", pick));
    return;
  }
  body.replaceWith(h("div", { class: "compare" }, compareChartFigure(out.data.experiments), h("div", { class: "table-view" }, comparisonTable(out.data.experiments))));
}
