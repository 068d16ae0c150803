// POST /v1/campaigns/:campaign/ingest — a signed agent batch, validated whole, applied atomically by the DO.
import { Hono, type Context } from "hono";
import { AgentBatch, parseWith } from "../../protocol/index.ts";
import type { AppEnv } from "../app-types.ts";
import { requireAgentSignature, revokedRefusal } from "../auth/agent-signature.ts";
import { campaignStub } from "../campaign-stub.ts";
import { invalidRequest, signedJsonBody, type Checked } from "../request-checks.ts";

export const ingestRoutes = new Hono<AppEnv>();

ingestRoutes.post("/v1/campaigns/:campaign/ingest", requireAgentSignature, async (c) => {
  const campaign = c.req.param("campaign");
  const agentId = c.get("agentId");
  const stub = campaignStub(c.env, campaign);
  const batch = checkBatch(c, agentId);
  if (!batch.ok) {
    // The hot path learns of revocation inside the DO's transaction (one call per batch); a refused
    // batch asks here, so a revoked agent hears 403 whatever it sent.
    return (await stub.isAgentRevoked(agentId)) ? revokedRefusal(c, agentId, campaign) : batch.response;
  }
  const result = await stub.ingest(batch.value);
  if (!result.ok) return revokedRefusal(c, agentId, campaign);
  return c.json(result.reply);
});

/** The signed body as a v1 batch from the agent that signed it. */
function checkBatch(c: Context<AppEnv>, agentId: string): Checked<AgentBatch> {
  const json = signedJsonBody(c, "batch");
  if (!json.ok) return json;
  const parsed = parseWith(AgentBatch, "batch", json.value);
  if (!parsed.ok) return { ok: false, response: invalidRequest(c, "invalid batch", parsed.errors) };
  if (parsed.value.agent.id !== agentId) {
    return { ok: false, response: invalidRequest(c, "invalid batch", [{ path: "batch.agent.id", reason: "does not match the Lookout-Agent header" }]) };
  }
  return parsed;
}
