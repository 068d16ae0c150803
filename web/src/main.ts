// Page entry: `/` lists campaigns, `/campaigns/<campaign>` is the live board (SPA fallback serves both).
import "./zod-jitless.ts";
import { CAMPAIGN_SLUG } from "../../protocol/primitives.ts";
import { mountBoard } from "./board-page.ts";
import { mountCampaignList } from "./campaign-list.ts";
import { h } from "./dom.ts";

const root = document.getElementById("app");
if (root) {
  const match = /^\/campaigns\/([^/]+)\/?$/.exec(location.pathname);
  let campaign: string | null = null;
  try {
    campaign = match ? decodeURIComponent(match[1] ?? "") : null;
  } catch {
    campaign = "";
  }
  if (campaign !== null && CAMPAIGN_SLUG.test(campaign)) mountBoard(root, campaign);
  else if (campaign !== null) root.replaceChildren(h("p", { class: "warn", attrs: { role: "alert" } }, "Not a campaign name (expected [a-z0-9][a-z0-9-]{0,62})."), h("a", { attrs: { href: "/" } }, "All campaigns"));
  else void mountCampaignList(root);
}
