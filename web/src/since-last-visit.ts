// The "since your last visit" panel at the top of a board, its own chunk (loaded after the first snapshot):
// what changed in the campaign since this browser last had the board open, newest first, from the event log.
// Leaving the page or hiding its tab records the visit; "Mark all seen" moves the mark to now. Marks are in
// the server's clock (the newest event shown or the board's own time), so a skewed laptop hides nothing.
import type { CampaignEvent } from "../../protocol/events.ts";
import { fetchEvents } from "./campaign-events.ts";
import { h } from "./dom.ts";
import { kindCounts, seenUpTo, visitWindow } from "./events-model.ts";
import { lastVisit, rememberVisit } from "./last-visit.ts";
import { agoLabel } from "./render/ago.ts";
import { eventItem } from "./render/event-list.ts";

const PAGE = 50;
/** A burst of live changes reads the log once, this long after the first of them. */
const REFRESH_AFTER_MS = 5_000;
/** Alerts raised by the alarm (quiet) change nothing on the board: a slow re-read catches them. */
const IDLE_REFRESH_MS = 5 * 60_000;

export interface SinceLastVisit {
  el: HTMLElement;
  /** The board changed something the log records: read it again shortly. */
  changed(): void;
}

export function mountSinceLastVisit(campaign: string, boardClock: () => string | null): SinceLastVisit {
  const prev = lastVisit(campaign);
  let { since, heading } = visitWindow(prev, Date.now());
  let events: CampaignEvent[] = [];
  let next: string | undefined;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const title = h("h2", null, heading);
  const when = h("p", { class: "muted small" }, prev !== null ? agoLabel(prev, "last visit ", Date.now()) : "First visit from this browser: from now on this lists what changed since you were last here.");
  const summary = h("p", { class: "since-summary", attrs: { role: "status" } }, "Reading what changed…");
  const list = h("ol", { class: "events" });
  const older = h("button", { class: "link-button", attrs: { type: "button", hidden: true } }, "Show older changes");
  const seen = h("button", { attrs: { type: "button" } }, "Mark all seen");
  const el = h("section", { class: "since-visit", attrs: { "aria-label": "What changed" } }, h("div", { class: "since-head" }, title, seen), when, summary, list, older);

  const mark = () => seenUpTo([events[0]?.at, boardClock()]) ?? new Date().toISOString();

  function render(): void {
    const now = Date.now();
    summary.className = "since-summary";
    summary.textContent = events.length === 0 ? "Nothing changed." : `${events.length}${next ? "+" : ""} change${events.length === 1 ? "" : "s"}: ${kindCounts(events)}`;
    list.replaceChildren(...events.map((e) => eventItem(e, now)));
    older.hidden = next === undefined;
  }

  async function read(cursor?: string): Promise<void> {
    const askedSince = since;
    const out = await fetchEvents(campaign, { since, limit: PAGE, cursor });
    if (askedSince !== since) return; // marked seen meanwhile
    if (!out.ok) {
      summary.className = "since-summary warn";
      summary.textContent = `Could not read what changed: ${out.reason.slice(0, 300)}`;
      return;
    }
    events = cursor === undefined ? out.data.events : [...events, ...out.data.events];
    next = out.data.next;
    render();
  }

  function changed(): void {
    timer ??= setTimeout(() => {
      timer = null;
      void read();
    }, REFRESH_AFTER_MS);
  }

  older.addEventListener("click", () => void read(next));
  seen.addEventListener("click", () => {
    since = mark();
    heading = "Since your last visit";
    title.textContent = heading;
    const kept = rememberVisit(campaign, since);
    when.replaceChildren(kept ? agoLabel(since, "marked seen ", Date.now()) : "This browser does not keep visits (storage refused).");
    [events, next] = [[], undefined];
    render();
  });
  const record = () => void rememberVisit(campaign, mark());
  window.addEventListener("pagehide", record);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") record();
  });
  setInterval(() => {
    if (document.visibilityState === "visible") changed();
  }, IDLE_REFRESH_MS);
  void read();
  return { el, changed };
}
