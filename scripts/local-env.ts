// Reads and creates the local .dev.vars (wrangler dev's secrets file) without ever printing values.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export function parseDevVars(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = JSON.parse(value) as string;
    out[line.slice(0, eq).trim()] = value;
  }
  return out;
}

/** First run: a .dev.vars with the dev bypass and a fresh random agent secret (mode 600). */
export function ensureDevVars(path = ".dev.vars"): Record<string, string> {
  if (!existsSync(path)) {
    const secret = randomBytes(32).toString("hex");
    writeFileSync(path, `# Local only; never commit.\nLOOKOUT_DEV_AUTH=true\nLOOKOUT_AGENT_SECRET=${secret}\n`, { mode: 0o600 });
  }
  return parseDevVars(readFileSync(path, "utf8"));
}
