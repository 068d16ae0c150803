// Helpers for workerd tests: signed batches through the real Worker (exports.default.fetch), operator
// reads, and unique campaign names so test files never share state.
import { exports, env } from "cloudflare:workers";
import { AGENT_HEADER, SIGNATURE_HEADER, deriveAgentKey, signRequest, type AgentBatchInput, type IngestReply, type StatusSnapshot } from "../../protocol/index.ts";

export { containerFor, finalObservation, heartbeat, round, trialObservation } from "../support/batches.ts";

export const SECRET = "test-agent-secret-current";
export const PREVIOUS_SECRET = "test-agent-secret-previous";
export const BASE = "http://lookout.test";

type ObservationInput = AgentBatchInput["observations"][number];

let counter = 0;
/** A fresh campaign slug per call. */
export function newCampaign(prefix: string): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export interface SignOptions {
  secret?: string;
  /** Derive the key for another campaign than the one in the path. */
  keyCampaign?: string;
  nowS?: number;
  signedBody?: string;
  agentHeader?: string;
}

/** Posts `body` to the ingest route, signed as `agentId` would sign it. */
export async function signedIngest(campaign: string, agentId: string, body: string, opts: SignOptions = {}): Promise<Response> {
  const path = `/v1/campaigns/${campaign}/ingest`;
  const key = await deriveAgentKey(opts.secret ?? SECRET, opts.keyCampaign ?? campaign, agentId);
  const signature = await signRequest(key, "POST", path, opts.signedBody ?? body, opts.nowS);
  return exports.default.fetch(`${BASE}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", [AGENT_HEADER]: opts.agentHeader ?? agentId, [SIGNATURE_HEADER]: signature },
  });
}

export function batchOf(agentId: string, host: string, epoch: string, seq: number, observations: ObservationInput[]): AgentBatchInput {
  return { agent: { id: agentId, host, version: "test" }, epoch, seq, sent_at: new Date().toISOString(), observations };
}

/** One agent on one host, numbering its batches like the real agent. */
export class WorkerAgent {
  seq = 0;
  constructor(readonly campaign: string, readonly agentId = "agent-1", readonly host = "gpu-1", readonly epoch = "e1") {}

  async post(observations: ObservationInput[]): Promise<Response> {
    this.seq++;
    return signedIngest(this.campaign, this.agentId, JSON.stringify(batchOf(this.agentId, this.host, this.epoch, this.seq, observations)));
  }

  /** Sends and insists on a 200. */
  async send(observations: ObservationInput[]): Promise<IngestReply> {
    const res = await this.post(observations);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`ingest ${res.status}: ${text}`);
    return JSON.parse(text) as IngestReply;
  }
}

/** The operator GET (dev auth: admin). */
export async function operatorGet(path: string): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`);
}

export async function status(campaign: string): Promise<StatusSnapshot> {
  const res = await operatorGet(`/api/campaigns/${campaign}/status`);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
  return (await res.json()) as StatusSnapshot;
}

export function experimentOf(snapshot: StatusSnapshot, key: string) {
  const e = snapshot.experiments.find((x) => x.key === key);
  if (!e) throw new Error(`experiment ${key} not on the board: ${snapshot.experiments.map((x) => x.key).join(", ")}`);
  return e;
}

export function campaignObject(campaign: string) {
  return env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(campaign));
}

export async function putMeta(campaign: string, meta: unknown): Promise<Response> {
  return exports.default.fetch(`${BASE}/api/campaigns/${campaign}/meta`, {
    method: "PUT",
    body: JSON.stringify(meta),
    headers: { "content-type": "application/json" },
  });
}
