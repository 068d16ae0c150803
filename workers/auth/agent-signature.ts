// Signed agent routes (/v1/campaigns/:campaign/*): size limit, HMAC signature, revocation. Fails closed:
// nothing reaches a handler unless the body is small enough, signed by this campaign's key and not revoked.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { AGENT_HEADER, AgentId, MAX_BATCH_BYTES, SIGNATURE_HEADER, verifySignature } from "../../protocol/index.ts";
import type { AppEnv } from "../app-types.ts";
import { campaignStub } from "../campaign-stub.ts";
import { campaignParam } from "../request-checks.ts";

/** Reads at most `limit` bytes; null when the body is larger (the rest is never buffered). */
export async function readBodyLimited(req: Request, limit: number): Promise<Uint8Array | null> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return null;
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The one answer a revoked agent gets, on every signed route. */
export function revokedRefusal(c: Context<AppEnv>, agentId: string, campaign: string): Response {
  return c.json({ error: `agent ${agentId} is revoked for campaign ${campaign}` }, 403);
}

export const requireAgentSignature = createMiddleware<AppEnv>(async (c, next) => {
  // Already verified by the /v1 middleware in index.ts (the body can be read only once).
  if (c.get("agentId") !== undefined) return next();
  const checked = campaignParam(c);
  if (!checked.ok) return checked.response;
  const campaign = checked.value;
  const body = await readBodyLimited(c.req.raw, MAX_BATCH_BYTES);
  if (body === null) return c.json({ error: `request body exceeds ${MAX_BATCH_BYTES} bytes` }, 413);

  const agentId = c.req.header(AGENT_HEADER) ?? "";
  const header = c.req.header(SIGNATURE_HEADER) ?? "";
  const secrets = [c.env.LOOKOUT_AGENT_SECRET, c.env.LOOKOUT_AGENT_SECRET_PREVIOUS].filter((s): s is string => !!s);
  // One generic 401 for every failure so a caller learns nothing about which part was wrong.
  const unauthorized = () => c.json({ error: "missing, invalid or expired agent signature" }, 401);
  if (secrets.length === 0 || !AgentId.safeParse(agentId).success || header === "") return unauthorized();
  const check = await verifySignature({
    secrets,
    campaign,
    agentId,
    header,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    body,
  });
  if (!check.ok) return unauthorized();

  // Ingest is refused for revoked agents inside the CampaignObject's own transaction (same 403), so
  // the extra round trip is only made for the other signed routes.
  const ingest = new URL(c.req.url).pathname === `/v1/campaigns/${campaign}/ingest`;
  if (!ingest && (await campaignStub(c.env, campaign).isAgentRevoked(agentId))) {
    return revokedRefusal(c, agentId, campaign);
  }
  c.set("agentId", agentId);
  c.set("agentBody", body);
  return next();
});
