// Bindings and variables the Worker and the CampaignObject read (wrangler.toml, .dev.vars, secrets).
import type { CampaignObject } from "../durable-objects/campaign-object.ts";

export interface Env {
  CAMPAIGNS: DurableObjectNamespace<CampaignObject>;
  ASSETS: Fetcher;
  /** Derives every agent key; `wrangler secret put LOOKOUT_AGENT_SECRET`. */
  LOOKOUT_AGENT_SECRET?: string;
  /** Still accepted during rotation. */
  LOOKOUT_AGENT_SECRET_PREVIOUS?: string;
  /** "true" only in .dev.vars / --var for local runs: operator routes skip Access. */
  LOOKOUT_DEV_AUTH?: string;
  HEARTBEAT_TIMEOUT_S?: string;
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
  ADMIN_EMAILS?: string;
}
