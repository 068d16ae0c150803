// Agent-side helpers for the security specs: signed requests to the real Worker app (with an env of
// the spec's choosing, e.g. without the previous secret) and a batch carrying a hidden split.
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { AGENT_HEADER, SIGNATURE_HEADER, deriveAgentKey, signRequest, type AgentBatchInput } from "../../protocol/index.ts";
import worker from "../../workers/index.ts";
import type { Env } from "../../workers/env.ts";

export const CURRENT_SECRET = "test-agent-secret-current";
export const PREVIOUS_SECRET = "test-agent-secret-previous";

/** Scores only an admin may ever see (a no_access split), and one everybody may see. */
export const HIDDEN_SCORE = 0.8137;
export const HIDDEN_ERROR_RATE = 0.0123;
export const VISIBLE_SCORE = 0.4242;
/** A split no sidecar ever reported a tier for: no_access by default (fail closed). */
export const UNREPORTED_SCORE = 0.7771;

let campaigns = 0;
export function freshCampaign(label: string): string {
  return `sec-${label}-${campaigns++}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Calls the real app with `appEnv` (the pool's env unless a spec overrides variables). */
export async function callWorker(req: Request, appEnv: Env = env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(req, appEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export interface SignedOptions {
  /** Hex agent key; derived from `secret` (default: the current secret) when absent. */
  key?: string;
  secret?: string;
  env?: Env;
  path?: string;
  headers?: Record<string, string>;
}

/** POSTs `body` to the campaign's ingest route signed as `agentId`. */
export async function postSigned(campaign: string, agentId: string, body: string, opts: SignedOptions = {}): Promise<Response> {
  const path = opts.path ?? `/v1/campaigns/${campaign}/ingest`;
  const key = opts.key ?? (await deriveAgentKey(opts.secret ?? CURRENT_SECRET, campaign, agentId));
  const signature = await signRequest(key, "POST", path, body);
  const req = new Request(`https://lookout.test${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", [AGENT_HEADER]: agentId, [SIGNATURE_HEADER]: signature, ...opts.headers },
  });
  return callWorker(req, opts.env);
}

/** A well-formed batch: a heartbeat and one trial with a hidden-split round and a visible one. */
export function hiddenSplitBatch(agentId: string, seq: number, experiment = "hidden-task"): AgentBatchInput {
  const at = new Date().toISOString();
  const trial = `${experiment}__abc1234`;
  const container = `${trial}-eval-sidecar-1`;
  return {
    agent: { id: agentId, host: `host-${agentId}`, version: "test" },
    epoch: "e1",
    seq,
    sent_at: at,
    observations: [
      { kind: "heartbeat", at, docker: "ok", containers: [container], jobs_dirs: ["/jobs"] },
      {
        kind: "trial",
        experiment,
        trial,
        container,
        at,
        rows: [
          { id: `hidden-${seq}`, commit: "c0ffee1", split: "secret-test", score: HIDDEN_SCORE, error_rate: HIDDEN_ERROR_RATE, created_at: "2026-01-02T03:04:05" },
          { id: `visible-${seq}`, commit: "c0ffee1", split: "open-val", score: VISIBLE_SCORE, error_rate: 0.5, created_at: "2026-01-02T03:04:06" },
          { id: `unreported-${seq}`, commit: "c0ffee1", split: "unreported", score: UNREPORTED_SCORE, error_rate: null, created_at: "2026-01-02T03:04:04" },
        ],
        budget: [
          { split: "secret-test", tier: "no_access", remaining_runs: 3, remaining_samples: null },
          { split: "open-val", tier: "viewable", remaining_runs: 10, remaining_samples: 100 },
        ],
      },
    ],
  };
}
