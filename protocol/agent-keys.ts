// Agent enrolment (admin routes under /api/campaigns/:c/agents): issuing a key, listing, revoking.
import { z } from "zod";
import { AgentId } from "./primitives.ts";

/** POST /api/campaigns/:c/agents — the body that asks for one agent's key. */
export const IssueAgentKeyRequest = z.strictObject({ agent_id: AgentId });
export type IssueAgentKeyRequest = z.infer<typeof IssueAgentKeyRequest>;

/** The only reply that ever carries a key: shown once, never listed, never logged. */
export const IssuedAgentKey = z.object({
  campaign: z.string(),
  agent_id: z.string(),
  /** Hex, what the agent's key file holds (deriveAgentKey of the current secret). */
  key: z.string(),
  note: z.string(),
});
export type IssuedAgentKey = z.infer<typeof IssuedAgentKey>;

/** One enrolled or reporting agent as the admin list shows it. */
export const AgentRecord = z.object({
  agent_id: z.string(),
  host: z.string().nullable(),
  version: z.string().nullable(),
  first_seen: z.string().nullable(),
  last_seen: z.string().nullable(),
  revoked: z.boolean(),
  revoked_at: z.string().nullable(),
  revoked_by: z.string().nullable(),
});
export type AgentRecord = z.infer<typeof AgentRecord>;
