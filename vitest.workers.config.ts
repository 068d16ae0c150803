// Worker and Durable Object tests run inside workerd via the Cloudflare pool, in two projects that differ
// only in the heartbeat timeout: the campaign object's 60 s default, and 3 s for tests that wait on the
// real clock (and the real alarm) for a silence to pass it.
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { accessJwksOutbound } from "./test/support/access-jwks-outbound.ts";
import { alertsReceiver } from "./test/support/alerts-outbound.ts";
import { TEST_AGENT_SECRET, TEST_AGENT_SECRET_PREVIOUS } from "./test/support/secrets.ts";

function workersProject(name: string, include: string[], heartbeatTimeoutS: string, testTimeoutMs?: number) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            LOOKOUT_AGENT_SECRET: TEST_AGENT_SECRET,
            LOOKOUT_AGENT_SECRET_PREVIOUS: TEST_AGENT_SECRET_PREVIOUS,
            LOOKOUT_DEV_AUTH: "true",
            HEARTBEAT_TIMEOUT_S: heartbeatTimeoutS,
          },
          // Serves test-generated Access keys at https://<team>.cloudflareaccess.com/cdn-cgi/access/certs,
          // and a scripted alert receiver at https://hooks.lookout.test/<name>.
          outboundService: async (request: Parameters<typeof accessJwksOutbound>[0]) => (await alertsReceiver(request)) ?? accessJwksOutbound(request),
        },
      }),
    ],
    test: { name, include, ...(testTimeoutMs ? { testTimeout: testTimeoutMs } : {}) },
  };
}

export default defineConfig({
  test: {
    projects: [
      workersProject("workers", ["test/workers/**/*.test.ts", "test/domain/**/*.test.ts"], "60"),
      // Each test waits out the timeout once or twice on the real clock: more than vitest's 5 s default.
      workersProject("workers-3s-timeout", ["test/workers-3s-timeout/**/*.test.ts"], "3", 30_000),
    ],
  },
});
