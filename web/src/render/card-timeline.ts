// "Timeline" on a card: that experiment's logged changes, read on demand; the reading and drawing live in
// their own chunk (experiment-timeline.ts), fetched the first time an operator opens one.
import type { ExperimentStatus } from "../../../protocol/status.ts";
import { h } from "../dom.ts";
import type { CardContext } from "./all-rounds.ts";
import { disclosure } from "./disclosure.ts";

export function timelineToggle(exp: ExperimentStatus, ctx: CardContext): HTMLElement {
  return disclosure({
    id: `timeline-${exp.key}`,
    key: exp.key,
    open: ctx.timelines,
    label: (open) => (open ? "Hide the timeline" : "Timeline"),
    async fill(panel, stillOpen) {
      try {
        const { fillTimeline } = await import("../experiment-timeline.ts");
        if (stillOpen()) await fillTimeline(panel, ctx.campaign, exp.key, stillOpen);
      } catch (err) {
        panel.replaceChildren(h("p", { class: "warn" }, `Could not load the timeline: ${String(err).slice(0, 300)}`));
      }
    },
  }, "timeline");
}
