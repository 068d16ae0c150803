// Against the real `wrangler dev`: the page, its scripts, the SPA fallback and the API all carry the
// security headers — proof that static assets are not served around the Worker's header middleware.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../support/wrangler-dev.ts";

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

describe("security headers under wrangler dev", () => {
  let worker: RunningWorker;
  beforeAll(async () => {
    worker = await startWorker();
  });
  afterAll(async () => {
    await worker?.stop({ removeState: true });
  });

  const paths: Array<[string, number, Record<string, string>]> = [
    ["/", 200, { Accept: "text/html", "Sec-Fetch-Mode": "navigate" }],
    ["/index.html", 200, {}],
    ["/app.js", 200, {}],
    ["/app.css", 200, {}],
    ["/campaigns/some-campaign", 200, { Accept: "text/html", "Sec-Fetch-Mode": "navigate" }],
    ["/healthz", 200, {}],
    ["/api/campaigns", 200, {}],
    ["/api/no-such-route", 404, {}],
    ["/v1/campaigns/demo/ingest", 401, {}],
  ];

  it.each(paths)("are on %s (status %i)", async (path, status, headers) => {
    const res = await fetch(`${worker.url}${path}`, { headers, method: path.startsWith("/v1/") ? "POST" : "GET", body: path.startsWith("/v1/") ? "{}" : undefined });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-security-policy")).toBe(EXPECTED_CSP);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("permissions-policy")).toMatch(/camera=\(\)/);
    await res.arrayBuffer();
  });
});
