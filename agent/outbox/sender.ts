// Sends one outbox batch, signed (protocol/signing.ts), and classifies the answer: acked,
// refused for good (400/401/403/413: set aside), or worth retrying later with backoff.
import { IngestReply, parseWith, AGENT_HEADER, SIGNATURE_HEADER, signRequest, describeFieldErrors } from "../../protocol/index.ts";

export type SendOutcome =
  | { kind: "acked"; reply: IngestReply }
  | { kind: "refused"; status: number; reason: string }
  | { kind: "retry"; reason: string; retryAfterMs?: number };

export const REFUSED_STATUSES = new Set([400, 401, 403, 413]);

export interface SenderConfig {
  endpoint: string;
  campaign: string;
  agentId: string;
  /** Hex agent key (deriveAgentKey's output); never logged. */
  agentKeyHex: string;
  timeoutMs?: number;
}

export function ingestUrl(cfg: Pick<SenderConfig, "endpoint" | "campaign">): URL {
  return new URL(`${new URL(cfg.endpoint).pathname.replace(/\/+$/, "")}/v1/campaigns/${cfg.campaign}/ingest`, cfg.endpoint);
}

export async function sendBatch(cfg: SenderConfig, body: string, signal?: AbortSignal): Promise<SendOutcome> {
  const url = ingestUrl(cfg);
  const signature = await signRequest(cfg.agentKeyHex, "POST", url.pathname, body);
  let res: Response;
  try {
    const timeout = AbortSignal.timeout(cfg.timeoutMs ?? 15_000);
    res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", [AGENT_HEADER]: cfg.agentId, [SIGNATURE_HEADER]: signature },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    return { kind: "retry", reason: `server unreachable: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}` };
  }
  const text = await res.text().catch(() => "");
  if (res.ok) {
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* handled below */
    }
    const reply = parseWith(IngestReply, "reply", json);
    if (reply.ok) return { kind: "acked", reply: reply.value };
    return { kind: "retry", reason: `unexpected reply: ${describeFieldErrors(reply.errors)}` };
  }
  const reason = `HTTP ${res.status}: ${text.slice(0, 500)}`;
  if (REFUSED_STATUSES.has(res.status)) return { kind: "refused", status: res.status, reason };
  // 429 (rate limit) and 503 may say how long to wait; honour it, bounded to 10 minutes.
  const retryAfterS = Number(res.headers.get("retry-after"));
  if (Number.isFinite(retryAfterS) && retryAfterS > 0) return { kind: "retry", reason, retryAfterMs: Math.min(retryAfterS, 600) * 1000 };
  return { kind: "retry", reason };
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, baseMs = 500, capMs = 60_000, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)));
}
