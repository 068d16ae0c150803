// The live socket as a browser opens it through the Worker, for tests that read its messages in order.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { LiveMessage } from "../../protocol/index.ts";
import { BASE } from "./agent-client.ts";

/** Opens the live socket through the Worker and queues every message it receives. */
export async function openLive(campaign: string, extraHeaders: Record<string, string> = {}) {
  const res = await exports.default.fetch(`${BASE}/api/campaigns/${campaign}/live`, { headers: { Upgrade: "websocket", ...extraHeaders } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const queue: LiveMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.addEventListener("message", (ev) => {
    queue.push(JSON.parse(ev.data as string) as LiveMessage);
    waiters.splice(0).forEach((w) => w());
  });
  ws.accept();
  async function next(): Promise<LiveMessage> {
    const deadline = Date.now() + 5000;
    while (queue.length === 0) {
      if (Date.now() > deadline) throw new Error("no live message within 5 s");
      await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
    }
    return queue.shift()!;
  }
  return { ws, next };
}
