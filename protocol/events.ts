// The campaign's event log on the wire: GET /api/campaigns/:c/events, newest first, paged by an opaque cursor.
import { z } from "zod";
import { ExperimentKey, IsoTime } from "./primitives.ts";

const EVENT_KINDS = ["phase", "verdict", "final", "budget", "host", "alert"] as const;
export const EventKind = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKind>;

const DEFAULT_EVENTS_LIMIT = 100;
const MAX_EVENTS_LIMIT = 1000;

/**
 * The query string: `since` an ISO time, `limit` 1..1000, `cursor` as a previous page's `next` gave it,
 * `experiment` a key to read only that experiment's events (its timeline).
 */
export const EventsQuery = z.object({
  since: IsoTime.optional(),
  experiment: ExperimentKey.optional(),
  limit: z.coerce.number().int("must be a whole number").min(1, "at least 1").max(MAX_EVENTS_LIMIT, `at most ${MAX_EVENTS_LIMIT}`).default(DEFAULT_EVENTS_LIMIT),
  cursor: z.string().regex(/^e[0-9a-z]{1,12}$/, "not a cursor this API gave out").optional(),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

export const CampaignEvent = z.object({
  at: z.string(),
  kind: EventKind,
  experiment: z.string().optional(),
  host: z.string().optional(),
  from: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
  detail: z.string(),
});
export type CampaignEvent = z.infer<typeof CampaignEvent>;

export const EventsReply = z.object({ events: z.array(CampaignEvent), next: z.string().optional() });
export type EventsReply = z.infer<typeof EventsReply>;

/** The cursor is the last event's sequence number, in base 36 behind a marker: opaque to callers. */
export function eventCursor(seq: number): string {
  return `e${seq.toString(36)}`;
}
export function cursorSeq(cursor: string): number {
  return parseInt(cursor.slice(1), 36);
}
