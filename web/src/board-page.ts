// The board at /campaigns/<campaign>: owns the live channel, the merged snapshot and the view, and
// re-renders only the cards whose experiment entry changed (deltas keep unchanged entries' identity).
import type { StatusSnapshot } from "../../protocol/status.ts";
import { applyLiveMessage } from "./board-state.ts";
import { changedWhatIsLogged } from "./events-model.ts";
import { h } from "./dom.ts";
import { formatAgo, formatDuration } from "./format.ts";
import type { SinceLastVisit } from "./since-last-visit.ts";
import { openLive, type LinkState } from "./live-connection.ts";
import { refreshAgoLabels } from "./render/ago.ts";
import { createAlertsPanel } from "./render/alerts.ts";
import { campaignBudgetSection } from "./render/campaign-budget.ts";
import { createCardDeck } from "./render/card-deck.ts";
import { createExperimentTable } from "./render/experiment-table.ts";
import { hostsSection } from "./render/hosts.ts";
import { jobsSection } from "./render/jobs.ts";
import { scorecardSection } from "./render/scorecard.ts";
import { createLayoutSwitch } from "./render/layout-switch.ts";
import { createToolbar } from "./render/toolbar.ts";
import { parseLayoutQuery, toggleSort, withLayoutQuery, type LayoutQuery } from "./table-model.ts";
import { formatViewQuery, parseViewQuery, selectExperiments, type ViewQuery } from "./view-query.ts";

export function mountBoard(root: HTMLElement, campaign: string): void {
  let board: StatusSnapshot | null = null;
  let link: LinkState = { kind: "connecting", attempt: 0 };
  let view: ViewQuery = parseViewQuery(location.search);
  let layout: LayoutQuery = parseLayoutQuery(location.search);
  let renderedHistory: StatusSnapshot["history"] | null = null;

  const title = h("h1", null, campaign);
  const linkPill = h("span", { class: "link", attrs: { role: "status", "aria-live": "polite" } });
  const age = h("span", { class: "data-age" });
  const roleNote = h("span", { class: "muted small" });
  const rejected = h("p", { class: "rejected warn", attrs: { role: "alert", hidden: true } });
  const hostsSlot = h("div", { class: "hosts-slot" });
  const budgetSlot = h("div", { class: "budget-slot" });
  const jobsSlot = h("div", { class: "budget-slot" });
  const grid = h("div", { class: "cards", attrs: { "aria-label": "Experiments" } });
  // bench/live.mjs reads this mark: every card of the first snapshot fully built.
  const deck = createCardDeck(grid, { campaign, expanded: new Set(), timelines: new Set() }, () => {
    if (performance.getEntriesByName("lookout:complete").length === 0) performance.mark("lookout:complete");
  });
  const empty = h("p", { class: "empty muted", attrs: { hidden: true } });
  const scorecardSlot = h("div", { class: "scorecard-slot" });
  const sinceSlot = h("div", { class: "since-slot" });
  let sinceVisit: SinceLastVisit | null = null;
  const alerts = createAlertsPanel(campaign);
  const loading = h("div", { class: "loading", attrs: { role: "status" } }, h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }), "Loading the board…");
  const changeView = (nextView: ViewQuery, nextLayout: LayoutQuery) => {
    [view, layout] = [nextView, nextLayout];
    history.replaceState(null, "", `${location.pathname}${withLayoutQuery(formatViewQuery(view), layout)}`);
    renderCards();
  };
  // Choosing a toolbar sort hands the table's order back to it.
  const toolbar = createToolbar(view, (next) => changeView(next, next.sort !== view.sort ? { ...layout, by: null } : layout));
  const table = createExperimentTable(campaign, (column) => changeView(view, toggleSort(layout, column)));
  const layoutSwitch = createLayoutSwitch(layout.layout, (next) => changeView(view, { ...layout, layout: next }));
  const content = h("div", { class: "board", attrs: { hidden: true } }, sinceSlot, hostsSlot, jobsSlot, budgetSlot, toolbar.el, layoutSwitch.el, grid, table.el, empty, scorecardSlot, alerts.el);

  root.replaceChildren(
    h(
      "header",
      { class: "top" },
      h("nav", null, h("a", { attrs: { href: "/" } }, "← all campaigns")),
      h("div", { class: "title-row" }, title, h("div", { class: "status-line" }, linkPill, age, roleNote)),
    ),
    rejected,
    loading,
    content,
  );

  function renderLink(now: number): void {
    let text: string;
    let kind: string;
    if (link.kind === "connected") [kind, text] = ["connected", "● Live"];
    else if (link.kind === "connecting") [kind, text] = ["reconnecting", link.attempt === 0 ? "◌ Connecting…" : "↻ Reconnecting…"];
    else [kind, text] = ["reconnecting", `↻ Reconnecting in ${formatDuration(Math.ceil(Math.max(0, link.retryAt - now) / 1000))}`];
    linkPill.className = `link link-${kind}`;
    if (linkPill.textContent !== text) linkPill.textContent = text;
    if (board) {
      const ageText = `updated ${formatAgo(board.generated_at, now)}`;
      if (age.textContent !== ageText) age.textContent = ageText;
    }
  }

  function renderCards(): void {
    if (!board) return;
    const [shown, present, asTable] = [selectExperiments(board.experiments, view), new Set(board.experiments.map((e) => e.key)), layout.layout === "table"];
    [grid.hidden, table.el.hidden] = [asTable, !asTable];
    layoutSwitch.update(layout.layout);
    const shownCount = asTable ? table.show(shown, present, layout, Date.now()) : deck.show(shown, present, Date.now());
    empty.hidden = shownCount > 0;
    empty.textContent = board.experiments.length === 0 ? "No experiments yet: no agent has reported and the meta lists none." : "No experiment matches this filter.";
    toolbar.update(board.counts, board.experiments.length, shownCount, view);
  }

  function render(): void {
    if (!board) return;
    const now = Date.now();
    loading.hidden = true;
    content.hidden = false;
    const name = board.title ?? board.campaign;
    title.textContent = name;
    document.title = `${name} · Lookout`;
    roleNote.textContent = board.role === "viewer" ? "viewer: scores of no-access splits are hidden" : "";
    hostsSlot.replaceChildren(hostsSection(board.hosts, now));
    budgetSlot.replaceChildren(campaignBudgetSection(board.campaign_budget, now) ?? "");
    alerts.show(board.role === "admin");
    jobsSlot.replaceChildren(jobsSection(board.jobs, now) ?? "");
    if (renderedHistory !== board.history) {
      scorecardSlot.replaceChildren(scorecardSection(board.history));
      renderedHistory = board.history;
    }
    renderCards();
    renderLink(now);
  }

  openLive(campaign, {
    onMessage(msg) {
      const next = applyLiveMessage(board, msg);
      if (next === null) return;
      if (msg.type === "snapshot") rejected.hidden = true;
      const first = board === null;
      if (first) performance.mark("lookout:snapshot");
      const before = board;
      board = next;
      render();
      if (before !== null && changedWhatIsLogged(before, next)) sinceVisit?.changed();
      if (first) {
        // The panel is its own chunk: the board paints first, then reads what changed.
        void import("./since-last-visit.ts").then((m) => {
          sinceVisit = m.mountSinceLastVisit(campaign, () => board?.generated_at ?? null);
          sinceSlot.replaceChildren(sinceVisit.el);
        });
        // Marks for bench/live.mjs: snapshot received → DOM built → next frame painted.
        performance.mark("lookout:rendered");
        requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("lookout:painted")));
      }
    },
    onLinkState(state) {
      link = state;
      renderLink(Date.now());
    },
    onRejected(reason) {
      rejected.hidden = false;
      rejected.textContent = `A live update was rejected and not applied: ${reason.slice(0, 500)}`;
    },
  });

  setInterval(() => {
    const now = Date.now();
    renderLink(now);
    refreshAgoLabels(root, now);
  }, 1000);
}
