import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../support/wrangler-dev.ts";

describe("wrangler dev harness", () => {
  let worker: RunningWorker;
  beforeAll(async () => { worker = await startWorker(); });
  afterAll(async () => { await worker?.stop({ removeState: true }); });

  it("serves the Worker locally", async () => {
    const res = await fetch(`${worker.url}/healthz`);
    expect(res.status).toBe(200);
  });
});
