// Worker entry: the Hono app and the Durable Object class export.
import { Hono } from "hono";
import type { Env } from "./env.ts";

export { CampaignObject } from "../durable-objects/campaign-object.ts";

const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));

export default app;
