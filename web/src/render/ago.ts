// "n s ago" labels that tick: each carries its time in a data attribute and one timer refreshes
// them all, so a card is rebuilt only when its data changes, not every second.
import { h } from "../dom.ts";
import { formatAgo, formatUtc } from "../format.ts";

export function agoLabel(iso: string | null, prefix: string, nowMs: number): HTMLElement {
  return h("time", { class: "ago", attrs: { "data-at": iso ?? "", "data-prefix": prefix, datetime: iso, title: formatUtc(iso) } }, `${prefix}${formatAgo(iso, nowMs)}`);
}

/** Refreshes every age label under `root`; writes only labels whose text changed. */
export function refreshAgoLabels(root: ParentNode, nowMs: number): void {
  for (const el of root.querySelectorAll<HTMLElement>("time.ago")) {
    const text = `${el.dataset.prefix ?? ""}${formatAgo(el.dataset.at || null, nowMs)}`;
    if (el.textContent !== text) el.textContent = text;
  }
}
