// One experiment's timeline (its own chunk, loaded when a card's "Timeline" opens): every logged change of
// that experiment, oldest first — phases with from → to, verdicts, finals, exhausted budgets, alerts.
import type { CampaignEvent } from "../../protocol/events.ts";
import { fetchEvents } from "./campaign-events.ts";
import { h } from "./dom.ts";
import { eventItem } from "./render/event-list.ts";

const PAGE = 200;

export async function fillTimeline(panel: HTMLElement, campaign: string, key: string, stillOpen: () => boolean): Promise<void> {
  let events: CampaignEvent[] = [];
  const list = h("ol", { class: "events timeline-events" });
  const earlier = h("button", { class: "link-button", attrs: { type: "button", hidden: true } }, "Show earlier changes");
  const note = h("p", { class: "muted small", attrs: { role: "status" } }, "Reading the timeline…");
  panel.replaceChildren(note, earlier, list);

  async function read(cursor?: string): Promise<void> {
    const out = await fetchEvents(campaign, { experiment: key, limit: PAGE, cursor });
    if (!stillOpen()) return;
    if (!out.ok) {
      note.className = "warn";
      note.textContent = `Could not read the timeline: ${out.reason.slice(0, 300)}`;
      return;
    }
    events = [...events, ...out.data.events];
    note.textContent = events.length === 0 ? "Nothing logged for this experiment yet." : `${events.length}${out.data.next ? "+" : ""} change${events.length === 1 ? "" : "s"}, oldest first`;
    earlier.hidden = out.data.next === undefined;
    earlier.onclick = () => void read(out.data.next);
    const now = Date.now();
    list.replaceChildren(...[...events].reverse().map((e) => eventItem(e, now)));
  }
  await read();
}
