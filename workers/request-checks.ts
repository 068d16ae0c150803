// What every route checks in a request before acting on it: the campaign in the path and a JSON
// body. Each refusal is a 400 that names the field and the reason.
import type { Context } from "hono";
import { CampaignSlug, formatPath, parseWith, type FieldError } from "../protocol/index.ts";
import type { AppEnv } from "./app-types.ts";
import { decodeJson } from "./json-body.ts";

type Ctx = Context<AppEnv>;
export type Checked<T> = { ok: true; value: T } | { ok: false; response: Response };

export function invalidRequest(c: Ctx, error: string, fields: FieldError[]): Response {
  return c.json({ error, fields }, 400);
}

/** The `:campaign` path parameter, validated as a campaign slug. */
export function campaignParam(c: Ctx): Checked<string> {
  const parsed = parseWith(CampaignSlug, "campaign", c.req.param("campaign") ?? "");
  return parsed.ok ? parsed : { ok: false, response: invalidRequest(c, "invalid campaign", parsed.errors) };
}

function jsonOrRefusal(c: Ctx, bytes: Uint8Array, root: string): Checked<unknown> {
  const json = decodeJson(bytes);
  return json.ok ? json : { ok: false, response: invalidRequest(c, "malformed JSON", [{ path: formatPath(root, []), reason: json.reason }]) };
}

/** The request body as strict UTF-8 JSON (size limits already applied by security-limits.ts). */
export async function jsonBody(c: Ctx, root: string): Promise<Checked<unknown>> {
  return jsonOrRefusal(c, new Uint8Array(await c.req.arrayBuffer()), root);
}

/** The body the agent-signature middleware verified and kept, as JSON. */
export function signedJsonBody(c: Ctx, root: string): Checked<unknown> {
  return jsonOrRefusal(c, c.get("agentBody"), root);
}
