// One experiment card: what it is, its phase and why, the bars, budget, recent rounds and chart,
// the final with its verdict, every attempt, the operator's note. Text-only rendering.
import type { Bars } from "../../../protocol/meta.ts";
import type { Attempt, ExperimentStatus, TrialState } from "../../../protocol/status.ts";
import { h } from "../dom.ts";
import { budgetParts, formatCount, formatScore, formatUtc } from "../format.ts";
import { agoLabel, paceLabel } from "./ago.ts";
import { roundsTable } from "./rounds-table.ts";
import { allRoundsToggle, type CardContext } from "./all-rounds.ts";
import { timelineToggle } from "./card-timeline.ts";

export type { CardContext };
import { scoreChart } from "./chart.ts";
import { phaseChip, tierBadge, verdictBanner } from "./chips.ts";

const TABLE_ROUNDS = 5;

/**
 * The verifier's measured baseline for the judged metric, from the final's finalization: its value,
 * "not measured" when the verifier's re-measurement of it failed (its value is a failure value), or null.
 */
function measuredBaseline(exp: ExperimentStatus): string | null {
  const measured = exp.final?.baseline_rewards;
  if (!measured) return null;
  const names = Object.keys(measured);
  const metric = exp.verdict?.metric ?? exp.bars?.metric ?? (names.length === 1 ? names[0]! : "reward");
  if (exp.verdict?.baseline_unmeasured?.includes(metric)) return "not measured";
  return Object.hasOwn(measured, metric) ? formatScore(measured[metric]!) : null;
}

function barsLine(bars: Bars | null, measured: string | null): HTMLElement {
  if (bars === null) return h("p", { class: "bars muted" }, "No bars registered.");
  const direction = bars.higher_is_better ? "higher is better" : "lower is better";
  const cmp = bars.higher_is_better ? ">" : "<";
  return h(
    "dl",
    { class: "bars" },
    h("dt", null, "baseline"), h("dd", null, formatScore(bars.baseline)),
    measured !== null ? h("dt", null, "measured baseline") : null,
    measured !== null ? h("dd", null, measured) : null,
    h("dt", null, "win bar"), h("dd", null, `${cmp} ${formatScore(bars.win_bar)}`),
    bars.healthy !== undefined ? h("dt", null, "ceiling") : null,
    bars.healthy !== undefined ? h("dd", null, formatScore(bars.healthy)) : null,
    h("dt", null, "metric"), h("dd", null, bars.metric ?? "reward"),
    h("dd", { class: "muted" }, direction),
  );
}

/** "37 of 40 runs left · ~6 h at this pace · 3,700 of 4,000 samples left": the pace sits with the runs it is about. */
function budgetLine(b: ExperimentStatus["budget"][number], nowMs: number): HTMLElement {
  const { runs, rest, paced } = budgetParts(b);
  return h("span", { class: "budget-text" }, runs, paced ? paceLabel(b, nowMs, " · ") : null, rest === null ? null : ` · ${rest}`);
}

function budgetList(exp: ExperimentStatus, nowMs: number): HTMLElement | null {
  const { budget, usage = [], evaluating } = exp;
  if (budget.length === 0 && usage.length === 0 && !evaluating) return null;
  return h(
    "ul",
    { class: "budget" },
    ...budget.map((b) =>
      h("li", null, h("span", { class: "split" }, b.split), tierBadge(b.tier), budgetLine(b, nowMs)),
    ),
    ...usage.map((u) => h("li", null, h("span", { class: "split" }, u.scope), `inference: ${formatCount(u.remaining_requests)} requests · ${formatCount(u.remaining_tokens)} tokens left`)),
    evaluating ? h("li", null, h("span", { class: "split" }, "evaluating"), `${evaluating.running} running · ${evaluating.queued} queued`) : null,
  );
}

function trialsLine(trials: readonly TrialState[]): HTMLElement | null {
  if (trials.length === 0) return null;
  const live = trials.filter((t) => t.live);
  const hosts = [...new Set(live.map((t) => t.host).filter((x): x is string => x !== null))];
  const errors = trials.filter((t) => t.error !== null);
  return h(
    "div",
    { class: "trials" },
    h("p", null, `${trials.length} trial${trials.length === 1 ? "" : "s"}, ${live.length} live` + (hosts.length ? ` on ${hosts.join(", ")}` : "")),
    ...errors.map((t) => h("p", { class: "warn" }, h("span", { class: "icon", attrs: { "aria-hidden": "true" } }, "⚠"), `${t.trial}: ${t.error}`)),
  );
}

function rewardsText(a: Attempt): string {
  if (a.exception) return `${a.exception.type}: ${a.exception.message}`;
  if (a.rewards === null) return "no rewards";
  return Object.entries(a.rewards).map(([k, v]) => `${k} ${formatScore(v)}`).join(", ") || "no rewards";
}

/** What the agent spent in an attempt (Harbor's agent_result), when the final says: " · 124,000 in / 4,000 out tokens · $0.42". */
function spendText(a: { n_input_tokens?: number; n_output_tokens?: number; cost_usd?: number }): string {
  const tokens = a.n_input_tokens !== undefined || a.n_output_tokens !== undefined
    ? ` · ${formatCount(a.n_input_tokens ?? 0)} in / ${formatCount(a.n_output_tokens ?? 0)} out tokens` : "";
  return tokens + (a.cost_usd !== undefined ? ` · $${a.cost_usd.toFixed(2)}` : "");
}

function finalBlock(exp: ExperimentStatus, nowMs: number): HTMLElement[] {
  const out: HTMLElement[] = [];
  const banner = verdictBanner(exp.verdict, exp.final !== null);
  if (banner) out.push(banner);
  if (exp.final) {
    out.push(h("p", { class: "final" }, h("strong", null, "Final: "), rewardsText(exp.final), exp.final.candidate ? ` · candidate ${exp.final.candidate}` : "", spendText(exp.final), " · ", h("span", { class: "mono" }, exp.final.trial), " · ", agoLabel(exp.final.finished_at, "finished ", nowMs)));
  }
  if (exp.attempts.length > 1 || (exp.attempts.length === 1 && exp.final === null)) {
    out.push(
      h(
        "details",
        { class: "attempts" },
        h("summary", null, `All ${exp.attempts.length} attempts`),
        h("ol", null, ...exp.attempts.map((a) => h("li", null, h("span", { class: "mono" }, a.trial), ` (${a.job}${a.host ? ` on ${a.host}` : ""}) — ${rewardsText(a)}${spendText(a)} — ${formatUtc(a.finished_at)}`))),
      ),
    );
  }
  return out;
}

export function experimentCard(exp: ExperimentStatus, nowMs: number, ctx: CardContext): HTMLElement {
  const titled = exp.title !== null && exp.title.trim() !== "";
  const summary = exp.rounds.count === 0 ? "no rounds yet"
    : `${exp.rounds.count} rounds (${exp.rounds.scored} scored${exp.rounds.verifier ? `, ${exp.rounds.verifier} by the verifier` : ""}), best ${formatScore(exp.rounds.best_score)}`;
  return h(
    "article",
    { class: `card phase-${exp.phase}`, attrs: { "data-key": exp.key, "aria-label": `${titled ? exp.title : exp.key}: ${exp.phase}` } },
    h(
      "header",
      { class: "card-head" },
      h("div", { class: "card-title" }, h("h3", null, titled ? exp.title : exp.key), titled ? h("p", { class: "key mono" }, exp.key) : null),
      phaseChip(exp.phase),
    ),
    exp.phase_reason ? h("p", { class: `phase-reason phase-${exp.phase}` }, exp.phase_reason) : null,
    exp.in_meta ? null : h("p", { class: "muted small" }, "Not listed in the campaign meta."),
    exp.question ? h("p", { class: "question" }, exp.question) : null,
    barsLine(exp.bars, measuredBaseline(exp)),
    ...finalBlock(exp, nowMs),
    scoreChart(exp.last_rounds, exp.bars, exp.rounds.best_score, "recent") ?? (exp.last_rounds.length > 0 ? h("p", { class: "muted small" }, "No scored rounds to chart yet.") : null),
    roundsTable(exp.last_rounds, nowMs, TABLE_ROUNDS, `Last ${Math.min(TABLE_ROUNDS, exp.last_rounds.length)} of ${exp.rounds.count} rounds`),
    exp.rounds.count > exp.last_rounds.length ? allRoundsToggle(exp, ctx) : null,
    budgetList(exp, nowMs),
    trialsLine(exp.trials),
    exp.note ? h("p", { class: "note" }, h("strong", null, "Note: "), exp.note) : null,
    timelineToggle(exp, ctx),
    h("footer", { class: "card-foot" }, h("span", null, summary), h("a", { attrs: { href: `?view=table&compare=${encodeURIComponent(exp.key)}` } }, "compare with…"), agoLabel(exp.updated_at, "updated ", nowMs)),
  );
}
