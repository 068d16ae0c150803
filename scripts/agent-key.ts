// `npm run agent-key -- --campaign C --agent ID [--out FILE]`: derives one agent's key for one
// campaign, for operators who hold LOOKOUT_AGENT_SECRET. The secret is read from the environment
// or from a file (--secret-file), never from argv; the key goes to stdout or to a 0600 file.
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { AgentId, CampaignSlug, deriveAgentKey, describeFieldErrors, parseWith } from "../protocol/index.ts";

const USAGE = `usage: npm run agent-key -- --campaign <slug> --agent <agent id> [--out <key file>] [--secret-file <path>]
  The secret comes from LOOKOUT_AGENT_SECRET in the environment, or from --secret-file (never argv).`;

interface Options {
  campaign: string;
  agent: string;
  out: string | null;
  secretFile: string | null;
}

function parseArgs(argv: readonly string[]): Options | string {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!["--campaign", "--agent", "--out", "--secret-file"].includes(flag)) return `unknown argument ${flag}`;
    const value = argv[++i];
    if (value === undefined || value.startsWith("--")) return `${flag} needs a value`;
    values[flag] = value;
  }
  if (!values["--campaign"]) return "--campaign is required";
  if (!values["--agent"]) return "--agent is required";
  return { campaign: values["--campaign"], agent: values["--agent"], out: values["--out"] ?? null, secretFile: values["--secret-file"] ?? null };
}

function readSecret(opts: Options): string | null {
  const raw = opts.secretFile ? readFileSync(opts.secretFile, "utf8") : process.env.LOOKOUT_AGENT_SECRET;
  const secret = raw?.trim() ?? "";
  return secret === "" ? null : secret;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const opts = parseArgs(argv);
  if (typeof opts === "string") {
    console.error(`${opts}\n${USAGE}`);
    return 2;
  }
  const campaign = parseWith(CampaignSlug, "campaign", opts.campaign);
  const agent = parseWith(AgentId, "agent", opts.agent);
  const errors = [...(campaign.ok ? [] : campaign.errors), ...(agent.ok ? [] : agent.errors)];
  if (!campaign.ok || !agent.ok) {
    console.error(describeFieldErrors(errors));
    return 2;
  }
  let secret: string | null;
  try {
    secret = readSecret(opts);
  } catch (err) {
    console.error(`cannot read --secret-file: ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
    return 2;
  }
  if (!secret) {
    console.error(`no secret: set LOOKOUT_AGENT_SECRET in the environment or pass --secret-file\n${USAGE}`);
    return 2;
  }
  const key = await deriveAgentKey(secret, campaign.value, agent.value);
  if (opts.out) {
    writeFileSync(opts.out, `${key}\n`, { mode: 0o600, flag: "w" });
    chmodSync(opts.out, 0o600); // an existing file keeps its old mode otherwise
    console.error(`wrote the key for agent ${agent.value} (campaign ${campaign.value}) to ${opts.out}`);
  } else {
    process.stdout.write(`${key}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
