// One logged change as a list item: when (ticking "3 min ago", the UTC time in a tooltip), what kind, and the
// server's words for it (text only; details never carry a score).
import type { CampaignEvent } from "../../../protocol/events.ts";
import { h } from "../dom.ts";
import { agoLabel } from "./ago.ts";

export function eventItem(e: CampaignEvent, nowMs: number): HTMLElement {
  return h(
    "li",
    { class: `event event-${e.kind}`, attrs: { "data-kind": e.kind, ...(e.experiment ? { "data-experiment": e.experiment } : {}) } },
    agoLabel(e.at, "", nowMs),
    h("span", { class: "badge event-kind" }, e.kind),
    h("span", { class: "event-detail" }, e.detail),
  );
}
