// The campaign list at `/`: every campaign this Worker holds, from GET /api/campaigns (validated),
// most attention (errored + gone + stale experiments) first, each with its phases and verdicts.
import { z } from "zod";
import { CampaignSummary } from "../../protocol/status.ts";
import { getJson } from "./api-get.ts";
import { h } from "./dom.ts";
import { formatAgo, VERDICT_WORDS } from "./format.ts";

/** Most attention first, then by name: the campaign that needs a look is on top. */
function byAttention(campaigns: readonly CampaignSummary[]): CampaignSummary[] {
  return [...campaigns].sort((a, b) => b.attention - a.attention || (a.campaign < b.campaign ? -1 : a.campaign > b.campaign ? 1 : 0));
}

/** "2 running · 1 errored": the non-zero counts only, in the record's order. */
function countsText(counts: Record<string, number>, word: (k: string) => string): string {
  return Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${word(k)}`).join(" · ");
}

const verdictWord = (k: string) => (k in VERDICT_WORDS ? VERDICT_WORDS[k as keyof typeof VERDICT_WORDS] : k.replace("_", " "));

/** GET /api/campaigns answers `{campaigns: CampaignSummary[]}`. */
const CampaignList = z.object({ campaigns: z.array(CampaignSummary) });

export async function mountCampaignList(root: HTMLElement): Promise<void> {
  const body = h("div", { class: "loading", attrs: { role: "status" } }, h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }), "Loading campaigns…");
  root.replaceChildren(h("header", { class: "top" }, h("div", { class: "title-row" }, h("h1", null, "Lookout campaigns"))), body);
  document.title = "Campaigns · Lookout";
  const out = await getJson("/api/campaigns", CampaignList, "campaigns");
  const [message, campaigns] = out.ok ? [null, out.data.campaigns] : [`Could not list campaigns: ${out.reason}`, []];
  const now = Date.now();
  if (message !== null) body.replaceWith(h("p", { class: "warn", attrs: { role: "alert" } }, message));
  else if (campaigns.length === 0) body.replaceWith(h("p", { class: "muted" }, "No campaigns yet. An agent's first batch or a meta upload creates one."));
  else {
    body.replaceWith(
      h(
        "ul",
        { class: "campaign-list" },
        ...byAttention(campaigns).map((c) =>
          h(
            "li",
            { attrs: { "data-campaign": c.campaign } },
            h("a", { attrs: { href: `/campaigns/${encodeURIComponent(c.campaign)}` } }, c.title ?? c.campaign),
            c.title ? h("span", { class: "mono muted" }, c.campaign) : null,
            h("span", null, `${c.experiments} experiment${c.experiments === 1 ? "" : "s"}`),
            c.attention > 0 ? h("span", { class: "warn attention" }, `${c.attention} need${c.attention === 1 ? "s" : ""} attention`) : null,
            h("span", { class: "phases" }, countsText(c.phases, (p) => p)),
            h("span", { class: "verdicts" }, countsText(c.verdicts, verdictWord)),
            h("span", { class: "muted" }, `last ingest ${formatAgo(c.last_ingest_at, now)}`),
          ),
        ),
      ),
    );
  }
}
