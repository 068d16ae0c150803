// `lookout-agent budget reserve|release …`: one signed call to the campaign budget ledger, for a sidecar
// hook or a script. Prints the server's reply as one JSON line; the exit code says what happened.
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  AGENT_HEADER, AgentId, BudgetRefusal, CampaignSlug, ReleaseReply, ReleaseRequest, ReserveReply, ReserveRequest, SIGNATURE_HEADER,
  describeFieldErrors, parseWith, signRequest,
} from "../protocol/index.ts";
import { readKeyFile, UsageError } from "./config.ts";
import { backoffMs } from "./outbox/sender.ts";

export const BUDGET_USAGE = `Usage: lookout-agent budget reserve --endpoint URL --campaign C --agent-id ID --key-file F
                              --split S --runs N --samples N --experiment E [--idempotency-key K]
       lookout-agent budget release --endpoint URL --campaign C --agent-id ID --key-file F
                              --reservation rsv_… --runs-used N --samples-used N

Reserves budget from (or returns it to) the campaign-wide ledger. Prints the reply as one JSON line.
Retries on network errors, 429 and 5xx with the same idempotency key, so a reserve is spent once.
Exit: 0 granted/released · 2 usage or invalid request (400) · 3 exhausted or conflict (409)
      · 4 refused: no_access/unlisted split, bad signature, unknown reservation (401/403/404) · 1 other failure
`;

export const EXIT = { ok: 0, failure: 1, usage: 2, exhausted: 3, refused: 4 } as const;

const OPTIONS = {
  endpoint: { type: "string" },
  campaign: { type: "string" },
  "agent-id": { type: "string" },
  "key-file": { type: "string" },
  split: { type: "string" },
  runs: { type: "string" },
  samples: { type: "string" },
  experiment: { type: "string" },
  "idempotency-key": { type: "string" },
  reservation: { type: "string" },
  "runs-used": { type: "string" },
  "samples-used": { type: "string" },
  attempts: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: true }>>["values"];

interface Target {
  endpoint: URL;
  campaign: string;
  agentId: string;
  keyHex: string;
}

type Action = { kind: "reserve"; body: ReserveRequest } | { kind: "release"; body: ReleaseRequest };

function need(values: Values, flag: keyof Values): string {
  const v = values[flag];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${String(flag)} is required`);
  return v;
}

/** Integers arrive as text; anything else is left for the zod schema to name. */
function count(values: Values, flag: keyof Values): number | string {
  const text = need(values, flag);
  return /^\d+$/.test(text) ? Number(text) : text;
}

function parseTarget(values: Values): Target {
  let endpoint: URL;
  try {
    endpoint = new URL(need(values, "endpoint"));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--endpoint: not a URL`);
  }
  if (endpoint.protocol !== "https:" && endpoint.protocol !== "http:") throw new UsageError("--endpoint: must be http(s)");
  const campaign = need(values, "campaign");
  if (!CampaignSlug.safeParse(campaign).success) throw new UsageError(`--campaign: must match [a-z0-9][a-z0-9-]{0,62}`);
  const agentId = need(values, "agent-id");
  const id = AgentId.safeParse(agentId);
  if (!id.success) throw new UsageError(`--agent-id: ${id.error.issues[0]?.message}`);
  const warnings: string[] = [];
  const keyHex = readKeyFile(resolve(need(values, "key-file")), warnings);
  for (const w of warnings) process.stderr.write(`lookout-agent budget: warning: ${w}\n`);
  return { endpoint, campaign, agentId, keyHex };
}

/** Field names in errors are the wire names; tell the user which flag that is. */
const FLAG_OF: Record<string, string> = {
  split: "--split", runs: "--runs", samples: "--samples", experiment: "--experiment", idempotency_key: "--idempotency-key",
  reservation: "--reservation", runs_used: "--runs-used", samples_used: "--samples-used",
};

function parseAction(verb: string | undefined, values: Values): Action {
  if (verb === "reserve") {
    const parsed = parseWith(ReserveRequest, "", {
      split: need(values, "split"), runs: count(values, "runs"), samples: count(values, "samples"), experiment: need(values, "experiment"),
      idempotency_key: values["idempotency-key"] ?? `cli-${randomUUID()}`,
    });
    if (!parsed.ok) throw new UsageError(parsed.errors.map((e) => `${FLAG_OF[e.path] ?? e.path}: ${e.reason}`).join("; "));
    return { kind: "reserve", body: parsed.value };
  }
  if (verb === "release") {
    const parsed = parseWith(ReleaseRequest, "", { reservation: need(values, "reservation"), runs_used: count(values, "runs-used"), samples_used: count(values, "samples-used") });
    if (!parsed.ok) throw new UsageError(parsed.errors.map((e) => `${FLAG_OF[e.path] ?? e.path}: ${e.reason}`).join("; "));
    return { kind: "release", body: parsed.value };
  }
  throw new UsageError(verb === undefined ? "expected reserve or release" : `unknown budget command ${JSON.stringify(verb)}: expected reserve or release`);
}

export function budgetUrl(endpoint: URL, campaign: string, action: Action["kind"]): URL {
  return new URL(`${endpoint.pathname.replace(/\/+$/, "")}/v1/campaigns/${campaign}/budget/${action}`, endpoint);
}

type Answer = { status: number; text: string } | { status: null; reason: string };

async function post(t: Target, url: URL, body: string): Promise<Answer> {
  // Signed afresh on every attempt: the signature's timestamp must stay within the server's tolerance.
  const signature = await signRequest(t.keyHex, "POST", url.pathname, body);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", [AGENT_HEADER]: t.agentId, [SIGNATURE_HEADER]: signature },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    const cause = (err as Error).cause;
    return { status: null, reason: cause instanceof Error ? cause.message : (err as Error).message };
  }
}

const retryable = (a: Answer) => a.status === null || a.status === 429 || a.status >= 500;

function exitFor(status: number): number {
  if (status === 200) return EXIT.ok;
  if (status === 400) return EXIT.usage;
  if (status === 409) return EXIT.exhausted;
  if (status === 401 || status === 403 || status === 404) return EXIT.refused;
  return EXIT.failure;
}

/** Checks the reply against the contract before echoing it: a 200 that is not a reply is a failure. */
function report(action: Action, answer: { status: number; text: string }): number {
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    process.stderr.write(`lookout-agent budget: HTTP ${answer.status}, reply is not JSON\n`);
    return EXIT.failure;
  }
  const schema = answer.status !== 200 ? BudgetRefusal : action.kind === "reserve" ? ReserveReply : ReleaseReply;
  const parsed = parseWith(schema, "reply", json);
  if (!parsed.ok) {
    process.stderr.write(`lookout-agent budget: HTTP ${answer.status}, unexpected reply: ${describeFieldErrors(parsed.errors)}\n`);
    return EXIT.failure;
  }
  if (answer.status === 200) {
    process.stdout.write(`${JSON.stringify(parsed.value)}\n`);
  } else {
    const refusal = parsed.value as BudgetRefusal;
    const fields = refusal.fields?.length ? ` (${describeFieldErrors(refusal.fields)})` : "";
    process.stderr.write(`lookout-agent budget ${action.kind}: HTTP ${answer.status}: ${refusal.error}${fields}\n`);
    process.stdout.write(`${JSON.stringify({ status: answer.status, ...refusal })}\n`);
  }
  return exitFor(answer.status);
}

export async function runBudgetCommand(args: string[]): Promise<number> {
  let target: Target;
  let action: Action;
  let attempts: number;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true });
    } catch (err) {
      throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
    }
    if (parsed.values.help) {
      process.stdout.write(BUDGET_USAGE);
      return EXIT.ok;
    }
    if (parsed.positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[1])}`);
    action = parseAction(parsed.positionals[0], parsed.values);
    target = parseTarget(parsed.values);
    attempts = Number(parsed.values.attempts ?? "5");
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) throw new UsageError("--attempts: expected an integer from 1 to 20");
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`lookout-agent budget: ${err.message}\n\n${BUDGET_USAGE}`);
    return EXIT.usage;
  }

  const url = budgetUrl(target.endpoint, target.campaign, action.kind);
  const body = JSON.stringify(action.body);
  let answer: Answer = { status: null, reason: "not sent" };
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 200 + backoffMs(attempt, 250, 5_000)));
    answer = await post(target, url, body);
    if (!retryable(answer)) break;
  }
  if (answer.status === null) {
    process.stderr.write(`lookout-agent budget ${action.kind}: server unreachable after ${attempts} attempts: ${answer.reason}\n`);
    return EXIT.failure;
  }
  return report(action, answer);
}
