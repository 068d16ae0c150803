// The view controls: phase toggles that double as the counts by phase, search, sort. Built once and
// updated in place, so keyboard focus and typing survive live updates.
import { PHASES, type Phase } from "../../../protocol/status.ts";
import { h } from "../dom.ts";
import { SORT_LABELS, SORTS, type SortKey, type ViewQuery } from "../view-query.ts";
import { PHASE_ICON } from "./chips.ts";

export interface Toolbar {
  el: HTMLElement;
  update(counts: Partial<Record<Phase, number>>, total: number, shown: number, view: ViewQuery): void;
}

export function createToolbar(initial: ViewQuery, onChange: (view: ViewQuery) => void): Toolbar {
  let view = initial;
  const set = (next: Partial<ViewQuery>) => {
    view = { ...view, ...next };
    onChange(view);
  };
  const allButton = h("button", { class: "phase-toggle all", attrs: { type: "button" }, on: { click: () => set({ phases: [] }) } }, "all");
  const phaseButtons = new Map<Phase, { button: HTMLButtonElement; count: HTMLElement }>();
  for (const phase of PHASES) {
    const count = h("span", { class: "count" }, "0");
    const button = h(
      "button",
      {
        class: `phase-toggle phase-${phase}`,
        attrs: { type: "button", title: `show only ${phase} experiments (toggle)` },
        on: { click: () => set({ phases: view.phases.includes(phase) ? view.phases.filter((p) => p !== phase) : [...view.phases, phase] }) },
      },
      h("span", { class: "icon", attrs: { "aria-hidden": "true" } }, PHASE_ICON[phase]),
      count,
      ` ${phase}`,
    );
    phaseButtons.set(phase, { button, count });
  }
  const search = h("input", {
    attrs: { type: "search", id: "search", placeholder: "key, title, question, host…", autocomplete: "off", value: initial.search },
    on: { input: () => set({ search: search.value }) },
  });
  const sort = h(
    "select",
    { attrs: { id: "sort" }, on: { change: () => set({ sort: sort.value as SortKey }) } },
    ...SORTS.map((key) => h("option", { attrs: { value: key, selected: key === initial.sort } }, SORT_LABELS[key])),
  );
  const shownText = h("span", { class: "shown muted", attrs: { "aria-live": "polite" } });
  const el = h(
    "div",
    { class: "toolbar", attrs: { role: "toolbar", "aria-label": "Filter and sort experiments" } },
    h("div", { class: "phase-filter", attrs: { role: "group", "aria-label": "Counts and filter by phase" } }, allButton, ...[...phaseButtons.values()].map((b) => b.button)),
    h("div", { class: "controls" }, h("label", { attrs: { for: "search" } }, "Search"), search, h("label", { attrs: { for: "sort" } }, "Sort"), sort, shownText),
  );
  return {
    el,
    update(counts, total, shown, next) {
      view = next;
      allButton.setAttribute("aria-pressed", String(view.phases.length === 0));
      allButton.textContent = `all ${total}`;
      for (const [phase, { button, count }] of phaseButtons) {
        count.textContent = String(counts[phase] ?? 0);
        button.setAttribute("aria-pressed", String(view.phases.includes(phase)));
      }
      if (search.value !== view.search && document.activeElement !== search) search.value = view.search;
      if (sort.value !== view.sort) sort.value = view.sort;
      shownText.textContent = shown === total ? `${total} experiments` : `showing ${shown} of ${total}`;
    },
  };
}
