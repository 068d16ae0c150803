// The one way the Worker reaches a campaign's Durable Object: idFromName(slug).
import type { Env } from "./env.ts";

export function campaignStub(env: Env, campaign: string) {
  return env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(campaign));
}
