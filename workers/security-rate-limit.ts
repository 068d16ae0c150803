// Per-agent rate limit on the signed agent routes: a token bucket per (campaign, agent id),
// held in the Worker isolate so a runaway or stolen agent is shed before its campaign's
// Durable Object (single-threaded, shared by every agent and viewer) does any work.
// Best effort by design: each isolate keeps its own buckets (see SECURITY.md).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app-types.ts";

export interface Bucket {
  tokens: number;
  updatedMs: number;
}

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** An agent polls every few seconds; bursts cover an outbox drained after an outage. */
export const DEFAULT_AGENT_RATE: RateLimit = { perSecond: 20, burst: 600 };

/** Pure: refills the bucket for the time passed and takes one token if there is one. */
export function takeToken(bucket: Bucket | undefined, limit: RateLimit, nowMs: number): { allowed: boolean; bucket: Bucket; retryAfterS: number } {
  const start = bucket ?? { tokens: limit.burst, updatedMs: nowMs };
  const elapsedS = Math.max(0, nowMs - start.updatedMs) / 1000;
  const tokens = Math.min(limit.burst, start.tokens + elapsedS * limit.perSecond);
  if (tokens >= 1) return { allowed: true, bucket: { tokens: tokens - 1, updatedMs: nowMs }, retryAfterS: 0 };
  const retryAfterS = Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
  return { allowed: false, bucket: { tokens, updatedMs: nowMs }, retryAfterS };
}

function positive(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function rateLimitFromEnv(env: { AGENT_RATE_PER_S?: string; AGENT_RATE_BURST?: string }): RateLimit {
  return {
    perSecond: positive(env.AGENT_RATE_PER_S, DEFAULT_AGENT_RATE.perSecond),
    burst: Math.max(1, Math.floor(positive(env.AGENT_RATE_BURST, DEFAULT_AGENT_RATE.burst))),
  };
}

/** Bounded so a flood of distinct (verified) agent ids cannot grow the isolate's memory. */
const MAX_BUCKETS = 10_000;
const buckets = new Map<string, Bucket>();

/**
 * Register after requireAgentSignature: only verified agents spend tokens, so nobody can
 * drain a real agent's bucket with unsigned requests.
 */
export const rateLimitAgent = createMiddleware<AppEnv>(async (c, next) => {
  const key = `${c.req.param("campaign") ?? ""}:${c.get("agentId")}`;
  const result = takeToken(buckets.get(key), rateLimitFromEnv(c.env), Date.now());
  buckets.delete(key); // re-insert: Map order doubles as least-recently-used order
  buckets.set(key, result.bucket);
  if (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
  if (!result.allowed) {
    c.header("Retry-After", String(result.retryAfterS));
    return c.json({ error: `agent ${c.get("agentId")} is sending too fast; retry after ${result.retryAfterS} s` }, 429);
  }
  return next();
});
