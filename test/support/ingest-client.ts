// Signs and posts v1 batches the way an agent does: for tests, benches and the demo driver.
import { AGENT_HEADER, SIGNATURE_HEADER, deriveAgentKey, signRequest, type AgentBatchInput, type IngestReply } from "../../protocol/index.ts";

export interface AgentIdentity {
  campaign: string;
  agentId: string;
  /** Hex key from deriveAgentKey (what the agent's key file holds). */
  keyHex: string;
}

export async function agentIdentity(secret: string, campaign: string, agentId: string): Promise<AgentIdentity> {
  return { campaign, agentId, keyHex: await deriveAgentKey(secret, campaign, agentId) };
}

/** Signs `body` for `path` and sends it; returns the raw Response so callers can assert on refusals. */
export async function signedFetch(baseUrl: string, who: AgentIdentity, path: string, body: string, method = "POST"): Promise<Response> {
  const signature = await signRequest(who.keyHex, method, path, body);
  return fetch(new URL(path, baseUrl), {
    method,
    body,
    headers: { "content-type": "application/json", [AGENT_HEADER]: who.agentId, [SIGNATURE_HEADER]: signature },
  });
}

export function ingestPath(campaign: string): string {
  return `/v1/campaigns/${campaign}/ingest`;
}

/** Posts one batch and insists on a 200; throws with the server's error body otherwise. */
export async function postBatch(baseUrl: string, who: AgentIdentity, batch: AgentBatchInput): Promise<IngestReply> {
  const res = await signedFetch(baseUrl, who, ingestPath(who.campaign), JSON.stringify(batch));
  const text = await res.text();
  if (res.status !== 200) throw new Error(`ingest ${res.status}: ${text}`);
  return JSON.parse(text) as IngestReply;
}
