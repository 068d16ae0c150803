// The campaign list at `/`: every campaign this Worker holds, from GET /api/campaigns (validated).
import { z } from "zod";
import { CampaignSummary } from "../../protocol/status.ts";
import { describeFieldErrors, fieldErrors } from "../../protocol/errors.ts";
import { h } from "./dom.ts";
import { formatAgo } from "./format.ts";

/** GET /api/campaigns answers `{campaigns: CampaignSummary[]}`. */
const CampaignList = z.object({ campaigns: z.array(CampaignSummary) });

export async function mountCampaignList(root: HTMLElement): Promise<void> {
  const body = h("div", { class: "loading", attrs: { role: "status" } }, h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }), "Loading campaigns…");
  root.replaceChildren(h("header", { class: "top" }, h("div", { class: "title-row" }, h("h1", null, "Lookout campaigns"))), body);
  document.title = "Campaigns · Lookout";
  let message: string | null = null;
  let campaigns: CampaignSummary[] = [];
  try {
    const res = await fetch("/api/campaigns", { headers: { accept: "application/json" }, credentials: "same-origin" });
    if (!res.ok) message = `Could not list campaigns: HTTP ${res.status}`;
    else {
      const parsed = CampaignList.safeParse(await res.json());
      if (parsed.success) campaigns = parsed.data.campaigns;
      else message = `The campaign list was malformed: ${describeFieldErrors(fieldErrors("campaigns", parsed.error))}`;
    }
  } catch (err) {
    message = `Could not reach the server: ${String(err)}`;
  }
  const now = Date.now();
  if (message !== null) body.replaceWith(h("p", { class: "warn", attrs: { role: "alert" } }, message));
  else if (campaigns.length === 0) body.replaceWith(h("p", { class: "muted" }, "No campaigns yet. An agent's first batch or a meta upload creates one."));
  else {
    body.replaceWith(
      h(
        "ul",
        { class: "campaign-list" },
        ...campaigns.map((c) =>
          h(
            "li",
            null,
            h("a", { attrs: { href: `/campaigns/${encodeURIComponent(c.campaign)}` } }, c.title ?? c.campaign),
            c.title ? h("span", { class: "mono muted" }, c.campaign) : null,
            h("span", null, `${c.experiments} experiment${c.experiments === 1 ? "" : "s"}`),
            h("span", { class: "muted" }, `last ingest ${formatAgo(c.last_ingest_at, now)}`),
          ),
        ),
      ),
    );
  }
}
