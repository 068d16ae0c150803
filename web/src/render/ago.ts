// "n s ago" labels, and the budget's "~6 h at this pace", that tick: each carries its time in a data
// attribute and one timer refreshes them all, so a card is rebuilt only when its data changes, not every second.
import { h } from "../dom.ts";
import { formatAgo, formatUtc, paceText } from "../format.ts";

export function agoLabel(iso: string | null, prefix: string, nowMs: number): HTMLElement {
  return h("time", { class: "ago", attrs: { "data-at": iso ?? "", "data-prefix": prefix, datetime: iso, title: formatUtc(iso) } }, `${prefix}${formatAgo(iso, nowMs)}`);
}

/** "~6 h at this pace" (after `prefix`; the time it runs out in a tooltip), or null without a pace. */
export function paceLabel(pace: { burn_per_hour?: number | null; exhausted_at?: string | null }, nowMs: number, prefix = ""): HTMLElement | null {
  const text = paceText(pace, nowMs);
  if (text === null) return null;
  const burn = pace.burn_per_hour ?? 0;
  const title = pace.exhausted_at ? `${formatUtc(pace.exhausted_at)} at ${burn.toFixed(1)} runs per hour` : "over the last hour of observations";
  return h("time", { class: "pace", attrs: { "data-until": pace.exhausted_at ?? "", "data-burn": String(burn), "data-prefix": prefix, datetime: pace.exhausted_at, title } }, `${prefix}${text}`);
}

/** Refreshes every age and pace label under `root`; writes only labels whose text changed. */
export function refreshAgoLabels(root: ParentNode, nowMs: number): void {
  for (const el of root.querySelectorAll<HTMLElement>("time.ago")) {
    const text = `${el.dataset.prefix ?? ""}${formatAgo(el.dataset.at || null, nowMs)}`;
    if (el.textContent !== text) el.textContent = text;
  }
  for (const el of root.querySelectorAll<HTMLElement>("time.pace")) {
    const text = `${el.dataset.prefix ?? ""}${paceText({ exhausted_at: el.dataset.until || null, burn_per_hour: Number(el.dataset.burn) }, nowMs) ?? ""}`;
    if (el.textContent !== text) el.textContent = text;
  }
}
