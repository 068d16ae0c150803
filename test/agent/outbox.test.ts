// The disk outbox and the ack registry: what survives a crash, what a restart re-sends, and
// that the epoch and seq never go backwards.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../agent/log.ts";
import { Outbox } from "../../agent/outbox/outbox.ts";
import { Registry } from "../../agent/outbox/registry.ts";
import { backoffMs } from "../../agent/outbox/sender.ts";

let dir: string;
let logs: string[];
const log = () => createLogger({ write: (l) => logs.push(l) });
const items = { rows: [{ trial: "t__aaaaaaa", key: "id:1" }], finals: [{ path: "/jobs/j/t__aaaaaaa", fingerprint: "fp" }] };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lookout-agent-outbox-"));
  logs = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("outbox", () => {
  it("holds a batch on disk from before it is sent until it is removed after the ack", async () => {
    const box = await Outbox.open(dir, 1 << 20, log());
    await box.append(7, '{"seq":7}', items);
    expect(readdirSync(join(dir, "outbox"))).toEqual(["000000000007.batch"]);
    const reopened = await Outbox.open(dir, 1 << 20, log());
    expect(reopened.list()).toMatchObject([{ seq: 7, body: '{"seq":7}', items }]);
    expect(reopened.holdsRow("t__aaaaaaa", "id:1")).toBe(true);
    expect(reopened.holdsFinal("/jobs/j/t__aaaaaaa", "fp")).toBe(true);
    expect(reopened.highestSeq()).toBe(7);
    await reopened.remove(7);
    expect(readdirSync(join(dir, "outbox"))).toEqual([]);
    expect(reopened.holdsRow("t__aaaaaaa", "id:1")).toBe(false);
  });

  it("sends oldest first", async () => {
    const box = await Outbox.open(dir, 1 << 20, log());
    for (const seq of [12, 3, 100]) await box.append(seq, "{}", { rows: [], finals: [] });
    expect((await Outbox.open(dir, 1 << 20, log())).list().map((b) => b.seq)).toEqual([3, 12, 100]);
  });

  it("is full once its files reach the byte cap", async () => {
    const box = await Outbox.open(dir, 200, log());
    await box.append(1, JSON.stringify({ pad: "x".repeat(100) }), { rows: [], finals: [] });
    expect(box.isFull()).toBe(false);
    await box.append(2, JSON.stringify({ pad: "x".repeat(100) }), { rows: [], finals: [] });
    expect(box.isFull()).toBe(true);
  });

  it("sets a refused batch aside with a loud log line instead of retrying it", async () => {
    const box = await Outbox.open(dir, 1 << 20, log());
    await box.append(4, "{}", items);
    await box.setAside(4, "HTTP 401: bad signature");
    expect(box.list()).toEqual([]);
    expect(readdirSync(join(dir, "outbox-set-aside"))).toEqual(["000000000004.batch"]);
    expect(logs.join("")).toMatch(/"level":"error","msg":"batch refused by the server and set aside; it will not be retried","seq":4,"reason":"HTTP 401: bad signature"/);
  });

  it("sets aside a damaged outbox file for a human rather than sending it", async () => {
    await Outbox.open(dir, 1 << 20, log());
    writeFileSync(join(dir, "outbox", "000000000009.batch"), '{"rows":[]}\n{"torn');
    const box = await Outbox.open(dir, 1 << 20, log());
    expect(box.list()).toEqual([]);
    expect(existsSync(join(dir, "outbox-set-aside", "000000000009.batch.unreadable"))).toBe(true);
  });
});

describe("registry", () => {
  it("picks an epoch once per state dir and keeps it across restarts", async () => {
    const first = await Registry.open(dir);
    expect(first.epoch).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect((await Registry.open(dir)).epoch).toBe(first.epoch);
    const other = mkdtempSync(join(tmpdir(), "lookout-agent-outbox-"));
    expect((await Registry.open(other)).epoch).not.toBe(first.epoch);
    rmSync(other, { recursive: true });
  });

  it("advances only on ack, and remembers acked rows, finals and the seq after a restart", async () => {
    const reg = await Registry.open(dir);
    expect(reg.hasRow("t__aaaaaaa", "id:1")).toBe(false);
    await reg.ack(5, items);
    const again = await Registry.open(dir);
    expect(again.lastAckedSeq).toBe(5);
    expect(again.hasRow("t__aaaaaaa", "id:1")).toBe(true);
    expect(again.hasFinal("/jobs/j/t__aaaaaaa", "fp")).toBe(true);
    expect(again.hasFinal("/jobs/j/t__aaaaaaa", "fp-changed")).toBe(false);
  });

  it("refuses a damaged registry instead of guessing what was acked", async () => {
    await Registry.open(dir);
    writeFileSync(join(dir, "registry.json"), JSON.stringify({ epoch: "e", last_acked_seq: -1 }));
    await expect(Registry.open(dir)).rejects.toThrow(/damaged registry/);
    expect(readFileSync(join(dir, "registry.json"), "utf8")).toContain("last_acked_seq");
  });
});

describe("backoff", () => {
  it("is full jitter: uniform below an exponentially growing, capped ceiling", () => {
    expect(backoffMs(0, 500, 60_000, () => 0.999)).toBe(499);
    expect(backoffMs(3, 500, 60_000, () => 0.5)).toBe(2000);
    expect(backoffMs(20, 500, 60_000, () => 0.999)).toBe(59_940);
    expect(backoffMs(5, 500, 60_000, () => 0)).toBe(0);
  });
});
