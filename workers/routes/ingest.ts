// POST /v1/campaigns/:campaign/ingest — a signed agent batch, validated whole, applied atomically by the DO.
import { Hono } from "hono";
import { AgentBatch, parseWith } from "../../protocol/index.ts";
import type { AppEnv } from "../app-types.ts";
import { requireAgentSignature } from "../auth/agent-signature.ts";
import { campaignStub } from "../campaign-stub.ts";
import { signedJsonBody } from "../request-checks.ts";

export const ingestRoutes = new Hono<AppEnv>();

ingestRoutes.post("/v1/campaigns/:campaign/ingest", requireAgentSignature, async (c) => {
  const json = signedJsonBody(c, "batch");
  if (!json.ok) return json.response;
  const parsed = parseWith(AgentBatch, "batch", json.value);
  if (!parsed.ok) return c.json({ error: "invalid batch", fields: parsed.errors }, 400);
  if (parsed.value.agent.id !== c.get("agentId")) {
    return c.json({ error: "invalid batch", fields: [{ path: "batch.agent.id", reason: "does not match the Lookout-Agent header" }] }, 400);
  }
  const result = await campaignStub(c.env, c.req.param("campaign")).ingest(parsed.value);
  if (!result.ok) return c.json({ error: result.error }, result.status);
  return c.json(result.reply);
});
