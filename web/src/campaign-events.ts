// The campaign's event log on demand (GET /api/campaigns/:c/events), validated against protocol's
// EventsReply: what changed since a time (the "since your last visit" panel), or one experiment's changes
// (its timeline). Newest first, `next` for the page before.
import { EventsReply } from "../../protocol/events.ts";
import { getJson } from "./api-get.ts";

export interface EventsAsk {
  limit: number;
  since?: string | null;
  experiment?: string;
  cursor?: string;
}

export function fetchEvents(campaign: string, ask: EventsAsk) {
  const q = new URLSearchParams({ limit: String(ask.limit) });
  if (ask.since) q.set("since", ask.since);
  if (ask.experiment) q.set("experiment", ask.experiment);
  if (ask.cursor) q.set("cursor", ask.cursor);
  return getJson(`/api/campaigns/${encodeURIComponent(campaign)}/events?${q}`, EventsReply, "events");
}
