// Harbor jobs trees built on disk, read by the polling scanner: which trials have finals,
// where their rewards come from, and what is retried.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobsScanner, type ScannedTrial } from "../../agent/jobs/scanner.ts";
import { createLogger } from "../../agent/log.ts";

let root: string;
let logLines: string[];
const scanner = () => new JobsScanner([root], createLogger({ write: (l) => logLines.push(l) }));
const JOB = "2026-11-24__01-02-03";

function trialDir(job: string, trial: string, files: Record<string, string | object>, mtime?: Date): string {
  const dir = join(root, job, trial);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === "string" ? content : JSON.stringify(content));
    if (mtime) utimesSync(join(dir, rel), mtime, mtime);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

const result = (task: string, extra: object = {}) => ({ task_name: task, trial_name: "x", started_at: "2026-11-24T01:00:00", finished_at: "2026-11-24T02:00:00.250000", ...extra });
const byTrial = (list: ScannedTrial[]) => Object.fromEntries(list.map((t) => [t.trial, t]));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "lookout-agent-jobs-"));
  logLines = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("jobs dir scanner", () => {
  it("reads a finished trial under a job name that contains `__`, with rewards from reward.json", async () => {
    trialDir(JOB, "gaia-exp11__abcdefg", { "config.json": { task: { path: "tasks/gaia-exp11" } }, "verifier/reward.json": { accuracy: 0.75 }, "result.json": result("gaia-exp11") });
    const [t] = await scanner().scan();
    expect(t!.final).toEqual({ kind: "final", experiment: "gaia-exp11", trial: "gaia-exp11__abcdefg", job: JOB, rewards: { accuracy: 0.75 }, finished_at: "2026-11-24T02:00:00.250Z", source: "reward.json" });
  });

  it("takes the full task name from result.json when the trial name holds only its first 32 characters", async () => {
    const task = "My__Long__task-name-that-runs-past-thirty-two";
    const trial = `${task.slice(0, 32)}__q1w2e3r`;
    trialDir(JOB, trial, { "result.json": result(task), "verifier/reward.txt": "1\n" });
    const [t] = await scanner().scan();
    expect(t!.trial).toBe(trial.toLowerCase());
    expect(t!.taskName).toBe(task);
    expect(t!.final).toMatchObject({ experiment: task.toLowerCase(), rewards: { reward: 1 }, source: "reward.txt" });
  });

  it("learns the full task name from config.json while the trial still runs, without a final", async () => {
    const task = "task__with__underscores-and-a-long-tail-name";
    trialDir(JOB, `${task.slice(0, 32)}__zzzzzzz`, { "config.json": { task: { path: `/tasks/${task}/` } }, "verifier/reward.json": { reward: 1 } });
    const [t] = await scanner().scan();
    expect(t!.taskName).toBe(task);
    expect(t!.final).toBeNull();
  });

  it("prefers reward.json over reward.txt when both exist", async () => {
    trialDir(JOB, "both__aaaaaaa", { "result.json": result("both"), "verifier/reward.json": { reward: 0.2, pass: 1 }, "verifier/reward.txt": "0.9" });
    const [t] = await scanner().scan();
    expect(t!.final).toMatchObject({ rewards: { reward: 0.2, pass: 1 }, source: "reward.json" });
  });

  it("never takes a multi-step task's steps/*/verifier reward as the final", async () => {
    trialDir(JOB, "steps__bbbbbbb", { "steps/step-1/verifier/reward.json": { reward: 1 }, "result.json": result("steps", { verifier_result: null }) });
    trialDir(JOB, "steps-running__ccccccc", { "config.json": {}, "steps/step-1/verifier/reward.json": { reward: 1 } });
    const t = byTrial(await scanner().scan());
    expect(t["steps__bbbbbbb"]!.final).toMatchObject({ rewards: null, source: "result.json" });
    expect(t["steps-running__ccccccc"]!.final).toBeNull();
  });

  it("falls back to result.json's verifier_result rewards when no reward file exists", async () => {
    trialDir(JOB, "inresult__ddddddd", { "result.json": result("inresult", { verifier_result: { rewards: { reward: 0.5 } } }) });
    const [t] = await scanner().scan();
    expect(t!.final).toMatchObject({ rewards: { reward: 0.5 }, source: "result.json" });
  });

  it("reports every `-k` attempt as its own final", async () => {
    for (const [id, r] of [["aaaaaa1", 0.1], ["aaaaaa2", 0.9], ["aaaaaa3", 0.4]] as const) {
      trialDir(JOB, `multi__${id}`, { "result.json": result("multi", { finished_at: `2026-11-24T02:00:0${id.at(-1)}` }), "verifier/reward.txt": String(r) });
    }
    const finals = (await scanner().scan()).map((t) => t.final);
    expect(finals.map((f) => [f!.trial, f!.rewards!.reward])).toEqual([["multi__aaaaaa1", 0.1], ["multi__aaaaaa2", 0.9], ["multi__aaaaaa3", 0.4]]);
  });

  it("reports an errored trial without rewards as errored", async () => {
    trialDir(JOB, "broken__eeeeeee", {
      "result.json": result("broken", { verifier_result: null, exception_info: { exception_type: "AgentTimeoutError", exception_message: "agent ran 3600 s", occurred_at: "2026-11-24T02:00:00" } }),
    });
    const [t] = await scanner().scan();
    expect(t!.final).toMatchObject({ rewards: null, exception: { type: "AgentTimeoutError", message: "agent ran 3600 s" }, source: "result.json" });
  });

  it("has no final for a trial without result.json yet, even with a reward file", async () => {
    trialDir(JOB, "running__fffffff", { "config.json": {}, "verifier/reward.txt": "1" });
    const [t] = await scanner().scan();
    expect(t!.final).toBeNull();
  });

  it("skips a half-written result.json with a log line and picks it up on the next scan", async () => {
    const dir = trialDir(JOB, "torn__ggggggg", { "verifier/reward.json": { reward: 1 }, "result.json": '{"task_name": "torn", "finished_' });
    const s = scanner();
    expect((await s.scan())[0]!.final).toBeNull();
    expect(logLines.join("")).toMatch(/trial files unreadable; retrying next cycle.*torn__ggggggg.*not valid JSON/);
    writeFileSync(join(dir, "result.json"), JSON.stringify(result("torn")));
    expect((await s.scan())[0]!.final).toMatchObject({ rewards: { reward: 1 } });
  });

  it("skips a corrupt reward file rather than guessing the rewards", async () => {
    trialDir(JOB, "badreward__hhhhhhh", { "result.json": result("badreward"), "verifier/reward.json": '{"reward": "high"}' });
    trialDir(JOB, "badtxt__iiiiiii", { "result.json": result("badtxt"), "verifier/reward.txt": "n/a" });
    const t = byTrial(await scanner().scan());
    expect(t["badreward__hhhhhhh"]!.final).toBeNull();
    expect(t["badtxt__iiiiiii"]!.final).toBeNull();
    expect(logLines.filter((l) => l.includes("retrying next cycle"))).toHaveLength(2);
  });

  it("uses the reward file's mtime when result.json has no finish time", async () => {
    const when = new Date("2026-11-20T10:00:00Z");
    trialDir(JOB, "notime__jjjjjjj", { "verifier/reward.txt": "0.3" }, when);
    trialDir(JOB, "notime__jjjjjjj", { "result.json": { task_name: "notime" } });
    const [t] = await scanner().scan();
    expect(t!.final!.finished_at).toBe(when.toISOString());
  });

  it("changes a trial's fingerprint when a --max-retries rerun rewrites its files in the same dir", async () => {
    const dir = trialDir(JOB, "retry__kkkkkkk", { "result.json": result("retry", { exception_info: { exception_type: "E", exception_message: "m" } }) }, new Date("2026-11-24T00:00:00Z"));
    const s = scanner();
    const first = (await s.scan())[0]!;
    writeFileSync(join(dir, "result.json"), JSON.stringify(result("retry")));
    mkdirSync(join(dir, "verifier"));
    writeFileSync(join(dir, "verifier", "reward.txt"), "1");
    const second = (await s.scan())[0]!;
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(second.final).toMatchObject({ rewards: { reward: 1 } });
    expect(second.final!.exception).toBeUndefined();
  });

  it("ignores dirs that are not trials (no `__` id, or no config.json/result.json)", async () => {
    trialDir(JOB, "not-a-trial", { "result.json": result("x") });
    trialDir(JOB, "empty__lllllll", { "notes.txt": "" });
    writeFileSync(join(root, JOB, "result.json"), "{}");
    expect(await scanner().scan()).toEqual([]);
  });
});
