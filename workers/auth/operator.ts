// Operator authentication seam: every /api route passes here. Fails closed.
// LOOKOUT_DEV_AUTH=true (only from .dev.vars / --var) is the one local bypass;
// otherwise Cloudflare Access verification decides (see access.ts once it lands).
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types.ts";

export const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  if (c.env.LOOKOUT_DEV_AUTH === "true") {
    c.set("operator", { email: "dev@localhost", role: "admin", via: "dev" });
    return next();
  }
  return c.json({ error: "operator access is not configured: set ACCESS_TEAM_DOMAIN and ACCESS_AUD (Cloudflare Access)" }, 401);
});

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get("operator")?.role !== "admin") return c.json({ error: "admin role required" }, 403);
  return next();
});
