// Admin routes for agent keys, mounted at /api/campaigns/:campaign/agents: issue a key (shown once),
// list agents with last-seen, revoke (refused from the next batch on) and restore.
import { Hono, type Context } from "hono";
import { AgentId, CampaignSlug, IssueAgentKeyRequest, deriveAgentKey, parseWith, type FieldError, type IssuedAgentKey } from "../../protocol/index.ts";
import type { AppEnv } from "../app-types.ts";
import { requireAdmin } from "../auth/operator.ts";
import { campaignStub } from "../campaign-stub.ts";

type Ctx = Context<AppEnv>;

export const agentRoutes = new Hono<AppEnv>();

// requireOperator already ran for every /api route (workers/index.ts); without it this refuses anyway.
agentRoutes.use("*", requireAdmin);

function invalid(c: Ctx, error: string, fields: FieldError[]) {
  return c.json({ error, fields }, 400);
}

/** The campaign path parameter, or the field error for it. */
function campaignOf(c: Ctx): { ok: true; campaign: string } | { ok: false; fields: FieldError[] } {
  const parsed = parseWith(CampaignSlug, "campaign", c.req.param("campaign") ?? "");
  return parsed.ok ? { ok: true, campaign: parsed.value } : { ok: false, fields: parsed.errors };
}

agentRoutes.post("/", async (c) => {
  const campaign = campaignOf(c);
  if (!campaign.ok) return invalid(c, "invalid campaign", campaign.fields);
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return invalid(c, "invalid agent key request", [{ path: "body", reason: "expected a JSON object" }]);
  }
  const request = parseWith(IssueAgentKeyRequest, "body", body);
  if (!request.ok) return invalid(c, "invalid agent key request", request.errors);
  const secret = c.env.LOOKOUT_AGENT_SECRET;
  if (!secret) return c.json({ error: "LOOKOUT_AGENT_SECRET is not set: no agent key can be issued" }, 503);

  const agentId = request.value.agent_id;
  const stub = campaignStub(c.env, campaign.campaign);
  // A derived key cannot be changed, only refused: a revoked id stays revoked until restored.
  if (await stub.isAgentRevoked(agentId)) {
    return c.json({ error: `agent ${agentId} is revoked for campaign ${campaign.campaign}: restore it or enrol a new agent id` }, 409);
  }
  const reply: IssuedAgentKey = {
    campaign: campaign.campaign,
    agent_id: agentId,
    key: await deriveAgentKey(secret, campaign.campaign, agentId),
    note: "Shown once: write it to the agent's key file (mode 0600). It is valid for this campaign only.",
  };
  c.header("Cache-Control", "no-store");
  return c.json(reply, 201);
});

agentRoutes.get("/", async (c) => {
  const campaign = campaignOf(c);
  if (!campaign.ok) return invalid(c, "invalid campaign", campaign.fields);
  const agents = await campaignStub(c.env, campaign.campaign).listAgents();
  return c.json({ campaign: campaign.campaign, agents });
});

for (const action of ["revoke", "restore"] as const) {
  agentRoutes.post(`/:agent/${action}`, async (c) => {
    const campaign = campaignOf(c);
    if (!campaign.ok) return invalid(c, "invalid campaign", campaign.fields);
    const agent = parseWith(AgentId, "agent", c.req.param("agent"));
    if (!agent.ok) return invalid(c, "invalid agent id", agent.errors);
    const stub = campaignStub(c.env, campaign.campaign);
    const by = c.get("operator").email;
    const result = action === "revoke" ? await stub.revokeAgent(agent.value, by) : await stub.restoreAgent(agent.value, by);
    return c.json({ campaign: campaign.campaign, agent_id: agent.value, action, result });
  });
}
