// Test support: runs the real `lookout-agent` CLI (agent/bin/lookout-agent.mjs) as a child
// process and collects its stdout batches and stderr JSON-line logs.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const AGENT_BIN = fileURLToPath(new URL("../../../agent/bin/lookout-agent.mjs", import.meta.url));
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface AgentProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Batches printed by --dry-run, parsed. */
  batches(): Array<{ seq: number; observations: Array<Record<string, unknown> & { kind: string }> }>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  waitFor<T>(probe: () => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
}

export function startAgent(args: string[]): AgentProcess {
  const child = spawn(process.execPath, [AGENT_BIN, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const proc: AgentProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    batches: () => out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)),
    exited,
    async waitFor(probe, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = probe();
        if (v) return v;
        if (child.exitCode !== null) throw new Error(`agent exited (${child.exitCode}) while waiting for ${what}\nstderr:\n${err.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nstderr:\n${err.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  return proc;
}

export async function stopAgent(p: AgentProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (p.child.exitCode === null) p.child.kill(signal);
  return p.exited;
}

/** The containers listed in the latest heartbeat printed so far. */
export function lastHeartbeat(p: AgentProcess): { containers: string[]; docker: string } | undefined {
  const hbs = p.batches().flatMap((b) => b.observations).filter((o) => o.kind === "heartbeat");
  return hbs.at(-1) as { containers: string[]; docker: string } | undefined;
}
