// Reading the Worker's JSON API from the page: one GET with the session's credentials, the reply checked
// against its protocol schema. Every failure comes back in words, never as a throw: the server's own error
// and field reasons (or the HTTP status), a malformed reply naming its field, or the network error.
import type { z } from "zod";
import { describeFieldErrors, fieldErrors } from "../../protocol/errors.ts";

export type ApiResult<T> = { ok: true; data: T } | { ok: false; reason: string };

/** GETs `url` and validates the reply with `schema`; `what` names the reply in field paths ("compare.experiments[0]…"). */
export async function getJson<S extends z.ZodType>(url: string, schema: S, what: string): Promise<ApiResult<z.output<S>>> {
  try {
    const res = await fetch(url, { headers: { accept: "application/json" }, credentials: "same-origin" });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = body as { error?: unknown; fields?: { path: string; reason: string }[] } | null;
      const detail = Array.isArray(err?.fields) ? `: ${describeFieldErrors(err.fields)}` : "";
      return { ok: false, reason: `${typeof err?.error === "string" ? err.error : `HTTP ${res.status}`}${detail}` };
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return { ok: false, reason: `The ${what} reply was malformed: ${describeFieldErrors(fieldErrors(what, parsed.error))}` };
    return { ok: true, data: parsed.data };
  } catch (err) {
    return { ok: false, reason: `Could not reach the server: ${String(err)}` };
  }
}
