// Bench-only Worker (bench/worker/wrangler.bench.toml, never deployed): the real Lookout app plus one
// extra Durable Object that measures raw SQLite inserts, the baseline `npm run bench:ingest` compares with.
import { DurableObject } from "cloudflare:workers";
import app from "../../workers/index.ts";

export { CampaignObject, CampaignDirectory } from "../../workers/index.ts";

export class RawInsertBaseline extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    // Same row shape as the ledger's rounds table, no secondary index: the cheapest honest insert.
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS raw_rounds (
      trial_lc TEXT NOT NULL, row_key TEXT NOT NULL, experiment TEXT NOT NULL, trial TEXT NOT NULL,
      commit_sha TEXT NOT NULL, split TEXT NOT NULL, score REAL, error_rate REAL, created_at TEXT, sort_at TEXT NOT NULL)`);
  }

  /** Inserts `rows` rows in transactions of `batch` rows (timed by the caller around the RPC). */
  async insert(rows, batch, tag) {
    const sql = this.ctx.storage.sql;
    for (let start = 0; start < rows; start += batch) {
      this.ctx.storage.transactionSync(() => {
        for (let i = start; i < Math.min(rows, start + batch); i++) {
          sql.exec("INSERT INTO raw_rounds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            `bench-task__${tag}`, `id:${tag}-${i}`, "bench-task", `bench-task__${tag}`, `commit-${i}`, "dev", i / rows, 0,
            "2026-11-24T01:00:00", "2026-11-24T01:00:00");
        }
      });
    }
    return rows;
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/bench/raw-insert") {
      const stub = env.RAW_BASELINE.get(env.RAW_BASELINE.idFromName(url.searchParams.get("tag") ?? "raw"));
      const n = await stub.insert(Number(url.searchParams.get("rows")), Number(url.searchParams.get("batch")), url.searchParams.get("tag") ?? "raw");
      return Response.json({ rows: n });
    }
    return app.fetch(request, env, ctx);
  },
};
