// Budget routes: the admin allocation (PUT/GET /api/campaigns/:campaign/budget) and the signed agent
// reserve/release (/v1/campaigns/:campaign/budget/*). Validation here; every decision in the CampaignObject.
// index.ts runs requireOperator on /api/* and requireAgentSignature on /v1/campaigns/:campaign/* before
// these handlers; the guards below still refuse if that wiring ever goes missing (fail closed).
import { Hono, type Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { BudgetConfigPut, CampaignSlug, ReleaseRequest, ReserveRequest, parseWith, type BudgetRefusal, type FieldError } from "../../protocol/index.ts";
import type { AppEnv } from "../app-types.ts";
import { requireAdmin } from "../auth/operator.ts";
import { campaignStub } from "../campaign-stub.ts";

/** How each ledger outcome reads on the wire. */
const STATUS: Record<string, ContentfulStatusCode> = {
  granted: 200,
  released: 200,
  configured: 200,
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  exhausted: 409,
  conflict: 409,
};

const DEFAULT_AUDIT_LIMIT = 200;
const MAX_AUDIT_LIMIT = 10_000;

function invalid(c: Context<AppEnv>, error: string, fields: FieldError[]) {
  return c.json({ error, fields } satisfies BudgetRefusal, 400);
}

/** The campaign slug from the path, or null when it is malformed. */
function campaignOf(c: Context<AppEnv>): string | null {
  const campaign = c.req.param("campaign") ?? "";
  return CampaignSlug.safeParse(campaign).success ? campaign : null;
}

const badCampaign = (c: Context<AppEnv>) => invalid(c, "invalid campaign", [{ path: "campaign", reason: "campaign must match [a-z0-9][a-z0-9-]{0,62}" }]);

/** Reads the already-verified signed body as JSON (the signature middleware kept the bytes). */
function signedJson(c: Context<AppEnv>): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(c.get("agentBody"))) };
  } catch {
    return { ok: false };
  }
}

/** The signature middleware already verified and kept the body; without it nothing gets through. */
const signedAgentOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get("agentId") || !c.get("agentBody")) return c.json({ error: "missing, invalid or expired agent signature" }, 401);
  return next();
});

export const budgetRoutes = new Hono<AppEnv>();

budgetRoutes.put("/api/campaigns/:campaign/budget", requireAdmin, async (c) => {
  const campaign = campaignOf(c);
  if (!campaign) return badCampaign(c);
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return invalid(c, "body must be JSON", [{ path: "(root)", reason: "not valid JSON" }]);
  }
  const put = parseWith(BudgetConfigPut, "", body);
  if (!put.ok) return invalid(c, "invalid budget config", put.errors);
  const operator = c.get("operator");
  const out = await campaignStub(c.env, campaign).budgetConfigure(put.value, `admin:${operator.email}`);
  return out.kind === "configured" ? c.json(out.ledger, 200) : c.json(out.refusal, STATUS[out.kind]!);
});

budgetRoutes.get("/api/campaigns/:campaign/budget", requireAdmin, async (c) => {
  const campaign = campaignOf(c);
  if (!campaign) return badCampaign(c);
  const raw = c.req.query("audit_limit");
  const limit = raw === undefined ? DEFAULT_AUDIT_LIMIT : Number(raw);
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_AUDIT_LIMIT) {
    return invalid(c, "invalid query", [{ path: "audit_limit", reason: `must be an integer 0-${MAX_AUDIT_LIMIT}` }]);
  }
  return c.json(await campaignStub(c.env, campaign).budgetLedger(limit), 200);
});

budgetRoutes.post("/v1/campaigns/:campaign/budget/reserve", signedAgentOnly, async (c) => {
  const campaign = campaignOf(c);
  if (!campaign) return badCampaign(c);
  const json = signedJson(c);
  if (!json.ok) return invalid(c, "body must be JSON", [{ path: "(root)", reason: "not valid UTF-8 JSON" }]);
  const req = parseWith(ReserveRequest, "", json.value);
  if (!req.ok) return invalid(c, "invalid reserve request", req.errors);
  const out = await campaignStub(c.env, campaign).budgetReserve(c.get("agentId"), req.value);
  return out.kind === "granted" ? c.json(out.reply, 200) : c.json(out.refusal, STATUS[out.kind]!);
});

budgetRoutes.post("/v1/campaigns/:campaign/budget/release", signedAgentOnly, async (c) => {
  const campaign = campaignOf(c);
  if (!campaign) return badCampaign(c);
  const json = signedJson(c);
  if (!json.ok) return invalid(c, "body must be JSON", [{ path: "(root)", reason: "not valid UTF-8 JSON" }]);
  const req = parseWith(ReleaseRequest, "", json.value);
  if (!req.ok) return invalid(c, "invalid release request", req.errors);
  const out = await campaignStub(c.env, campaign).budgetRelease(c.get("agentId"), req.value);
  return out.kind === "released" ? c.json(out.reply, 200) : c.json(out.refusal, STATUS[out.kind]!);
});
