// One CampaignObject per campaign (idFromName(slug)): SQLite-backed state for the whole board.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../workers/env.ts";

export class CampaignObject extends DurableObject<Env> {
  async ping(): Promise<string> {
    return "pong";
  }
}
