// Types for `cloudflare:workers` env/exports inside workerd tests.
import type { Env as LookoutEnv } from "../workers/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends LookoutEnv {}
    interface GlobalProps {
      mainModule: typeof import("../workers/index.ts");
    }
  }
}
export {};
