// Acts as a new user: a fresh clone, the README's start command, and the demo board answers.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StatusSnapshot } from "../../protocol/index.ts";
import { freePort } from "../support/wrangler-dev.ts";

/** The commands inside the README's "Quick start" code block, comments stripped. */
export function quickStartCommands(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Quick start"));
  const block = section?.match(/```(?:sh|bash)?\n([\s\S]*?)```/);
  if (!block) throw new Error("README has no Quick start code block");
  return block[1]!.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter(Boolean);
}

/** Pids of processes whose working directory is inside `dir` (wrangler, workerd, tsx, npm…). */
function processesUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(dir)) pids.push(Number(entry));
    } catch {
      /* exited or not ours to read */
    }
  }
  return pids;
}

const clone = mkdtempSync(join(tmpdir(), "lookout-new-user-"));
let started: ChildProcess | undefined;

afterAll(() => {
  if (started?.pid && started.exitCode === null) {
    try { process.kill(-started.pid, "SIGKILL"); } catch { /* gone */ }
  }
  rmSync(clone, { recursive: true, force: true });
});

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

describe("a new user", () => {
  it("has exactly two quick-start commands: start and test", () => {
    const cmds = quickStartCommands(readFileSync("README.md", "utf8"));
    expect(cmds).toHaveLength(2);
    expect(cmds[0]).toMatch(/npm start$/);
    expect(cmds[1]).toMatch(/npm test$/);
  });

  it("clones, runs the start command and sees the demo campaign live, and Ctrl-C stops it all", async () => {
    execFileSync("git", ["clone", "--quiet", process.cwd(), clone]);
    const [start] = quickStartCommands(readFileSync(join(clone, "README.md"), "utf8"));
    const port = await freePort();
    let output = "";
    started = spawn("bash", ["-c", start!], {
      cwd: clone,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PORT: String(port), CI: "true" },
    });
    started.stdout!.on("data", (d) => (output += d));
    started.stderr!.on("data", (d) => (output += d));
    const base = `http://127.0.0.1:${port}`;

    await waitFor("the printed board URL", 240_000, async () => {
      if (started!.exitCode !== null) throw new Error(`start exited ${started!.exitCode}:\n${output.slice(-3000)}`);
      return output.includes(`${base}/campaigns/demo`) ? true : undefined;
    });

    const status = await waitFor("a demo board with finals", 90_000, async () => {
      const res = await fetch(`${base}/api/campaigns/demo/status`);
      if (!res.ok) return undefined;
      const s = StatusSnapshot.parse(await res.json());
      return s.experiments.some((e) => e.phase === "done") ? s : undefined;
    });
    expect(status.campaign).toBe("demo");
    expect(status.experiments.length).toBeGreaterThanOrEqual(10);
    const phases = new Set(status.experiments.map((e) => e.phase));
    expect(phases).toContain("running");
    expect(phases).toContain("gone");

    const page = await fetch(`${base}/campaigns/demo`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");

    const running = processesUnder(clone);
    expect(running.length).toBeGreaterThan(0);
    process.kill(-started.pid!, "SIGINT");
    await waitFor("the start command to exit", 20_000, async () => (started!.exitCode !== null || started!.signalCode !== null ? true : undefined));
    await waitFor("the port to close", 10_000, async () => {
      try {
        await fetch(`${base}/healthz`);
        return undefined;
      } catch {
        return true;
      }
    });
    await waitFor("every process started from the clone to exit", 10_000, async () => (processesUnder(clone).length === 0 ? true : undefined));
  }, 420_000);
});
