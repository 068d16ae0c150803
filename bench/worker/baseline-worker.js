// Bench-only Worker (bench/worker/wrangler.bench.toml, never deployed): the real Lookout app plus one
// extra Durable Object that measures raw SQLite inserts, the baseline `npm run bench:ingest` compares with.
import { DurableObject } from "cloudflare:workers";
import app from "../../workers/index.ts";
import { CampaignObject } from "../../durable-objects/campaign-object.ts";
import { assemble } from "../../durable-objects/board/assemble.ts";
import { readBoardRecords } from "../../durable-objects/board/queries.ts";
import { applyBatch } from "../../durable-objects/ingest/apply.ts";
import { logChanges } from "../../durable-objects/events/log.ts";
import { experimentFacts } from "../../durable-objects/alerts/observe.ts";
import { ProducerSilence, silentProducerWatch } from "../../durable-objects/alarms/stale-watch.ts";
import { AgentBatch, AlertRules, parseWith, verifySignature } from "../../protocol/index.ts";
import { raiseAlerts } from "../../durable-objects/alerts/raise.ts";

export { CampaignObject, CampaignDirectory } from "../../workers/index.ts";

/** Workerd clocks advance only across I/O; a zero timer between steps lets Date.now() see each step's cost. */
const tick = () => new Promise((r) => setTimeout(r, 0));

/** The production CampaignObject plus profiling RPCs (bench config binds CAMPAIGNS to this class). */
export class BenchCampaignObject extends CampaignObject {
  /** Null: ingest runs untimed, exactly as in production. An array: each ingest's time in the DO lands here. */
  ingestTimes = null;

  /** The production ingest, timed from entry to reply (apply, live publish, alarm and directory upkeep) when asked. */
  async ingest(batch) {
    if (this.ingestTimes === null) return super.ingest(batch);
    await tick();
    const t0 = Date.now();
    const reply = await super.ingest(batch);
    await tick();
    this.ingestTimes?.push(Date.now() - t0);
    return reply;
  }

  /** Turns ingest timing on (fresh list) or off; returns the times recorded since the last call. */
  async ingestTiming(on) {
    const times = this.ingestTimes ?? [];
    this.ingestTimes = on ? [] : null;
    return times;
  }

  /** Times applyBatch alone (the transaction) for an already-validated batch. */
  async profileApply(batch) {
    await tick();
    const t0 = Date.now();
    const out = applyBatch(this.ctx.storage, this.recent, batch, Date.now());
    await tick();
    if (!out.ok) throw new Error(out.error);
    return Date.now() - t0;
  }

  /**
   * The alarm's event-log pass, both ways, `reps` times each inside one timed section (ms per pass): over
   * every experiment (after a participant changed the board) and over hosts and budgets alone (every other
   * alarm). Nothing has changed between reps, so each logs nothing: the cost of looking.
   */
  async profileEventLog(reps) {
    const time = async (scope) => {
      await tick();
      const t0 = Date.now();
      for (let i = 0; i < reps; i++) this.ctx.storage.transactionSync(() => logChanges(this.observe, scope, Date.now()));
      await tick();
      return (Date.now() - t0) / reps;
    };
    await time("all"); // settles what the log has not seen yet
    // What one ingest looks at: a host's heartbeat touches every experiment it runs.
    const host = this.ctx.storage.sql.exec("SELECT host FROM hosts ORDER BY host LIMIT 1").one().host;
    const touched = this.ctx.storage.sql.exec("SELECT DISTINCT experiment FROM trials WHERE host = ?", host).toArray().map((r) => r.experiment);
    await tick();
    const f0 = Date.now();
    for (let i = 0; i < reps; i++) experimentFacts(this.observe, touched, Date.now());
    await tick();
    const factsMs = (Date.now() - f0) / reps;
    // The silent-producer watch's due time read from trials (a fresh watch each time: nothing kept). The
    // campaign object keeps it, so this is paid after an alarm that noticed a silence or an eviction, not per ingest.
    await tick();
    const w0 = Date.now();
    for (let i = 0; i < reps; i++) silentProducerWatch(this.ctx.storage.sql, 60, new ProducerSilence()).nextDueAt(Date.now());
    await tick();
    const silentWatchMs = (Date.now() - w0) / reps;
    return { full_ms: await time("all"), light_ms: await time([]), touched: touched.length, touched_ms: await time(touched), touched_facts_ms: factsMs, silent_watch_ms: silentWatchMs };
  }

  /**
   * The alerts' alarm step when only a delivery is due (a retry), beside a raise over every experiment (what
   * that step did before). Configures alerts on this campaign (a webhook nobody receives; nothing is sent),
   * so it runs after the ingest runs. Both looks find nothing new: the cost of looking.
   */
  async profileAlertsAlarm(reps) {
    const config = { channels: [{ id: "bench", kind: "webhook", url: "https://alerts.invalid/hook", secret: "whsec_YmVuY2gtYmVuY2gtYmVuY2g=" }], rules: AlertRules.parse({}) };
    this.alerts.configure(config, "https://lookout.invalid", "bench", Date.now());
    const step = this.alerts.participant();
    const time = async (fn) => {
      await tick();
      const t0 = Date.now();
      for (let i = 0; i < reps; i++) fn();
      await tick();
      return (Date.now() - t0) / reps;
    };
    return {
      delivery_only_ms: await time(() => step.onAlarm(Date.now())),
      raise_all_ms: await time(() => this.ctx.storage.transactionSync(() => raiseAlerts(this.observe, { experiments: "all" }, Date.now()))),
    };
  }

  async profileStatus(campaign) {
    const sql = this.ctx.storage.sql;
    await tick();
    const t0 = Date.now();
    const nowMs = Date.now();
    const records = readBoardRecords(sql, this.recent, { campaign, heartbeatTimeoutS: 60, nowMs, scope: "all" });
    await tick();
    const t1 = Date.now();
    const snapshot = assemble(records, "admin", nowMs).snapshot();
    await tick();
    const t2 = Date.now();
    const json = JSON.stringify(snapshot);
    await tick();
    const t3 = Date.now();
    // The same reads readBoardRecords makes, one at a time, to see which dominates.
    const queries = {
      trials: "SELECT * FROM trials ORDER BY trial_lc",
      finals: "SELECT * FROM finals",
      summaries: "SELECT * FROM split_summaries",
      budgets: "SELECT * FROM trial_budgets ORDER BY split",
      tiers: "SELECT split, tier, max(at_ms) AS at_ms FROM trial_budgets GROUP BY split",
      recent: "SELECT experiment, rounds FROM recent_rounds",
      experiments: "SELECT key, updated_at FROM experiments",
    };
    const per = {};
    for (const [name, q] of Object.entries(queries)) {
      await tick();
      const a = Date.now();
      const rows = sql.exec(q).toArray();
      if (name === "recent") for (const r of rows) JSON.parse(r.rounds);
      await tick();
      per[name] = Date.now() - a;
    }
    return { load_ms: t1 - t0, assemble_ms: t2 - t1, stringify_ms: t3 - t2, bytes: json.length, per };
  }
}

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

/** A same-size JSON body held in Worker memory: the transport floor for a status read. */
let floorBody = null;

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/bench/transport-floor") {
      const bytes = Number(url.searchParams.get("bytes"));
      if (floorBody === null || floorBody.length !== bytes) floorBody = JSON.stringify({ pad: "x".repeat(Math.max(0, bytes - 10)) });
      return new Response(floorBody, { headers: { "Content-Type": "application/json; charset=utf-8" } });
    }
    if (url.pathname === "/bench/raw-insert") {
      const stub = env.RAW_BASELINE.get(env.RAW_BASELINE.idFromName(url.searchParams.get("tag") ?? "raw"));
      const n = await stub.insert(Number(url.searchParams.get("rows")), Number(url.searchParams.get("batch")), `${url.searchParams.get("tag") ?? "raw"}-${url.searchParams.get("slice") ?? ""}`);
      return Response.json({ rows: n });
    }
    if (url.pathname === "/bench/status-rpc") {
      // Times the board assembly + serialisation inside the campaign's DO, without HTTP to the client.
      // Worker clocks advance across I/O, so the RPC round trip is what this measures.
      const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(url.searchParams.get("campaign")));
      const times = [];
      let bytes = 0;
      for (let i = 0; i < Number(url.searchParams.get("reads") ?? 10); i++) {
        const t0 = Date.now();
        bytes = (await stub.statusJson("admin")).length;
        times.push(Date.now() - t0);
      }
      return Response.json({ times, bytes });
    }
    if (url.pathname === "/bench/ingest-profile") {
      // The ingest path's steps one at a time for one body (signed by the caller as usual).
      const body = new Uint8Array(await request.arrayBuffer());
      const campaign = url.searchParams.get("campaign");
      const times = {};
      await tick();
      let t = Date.now();
      const check = await verifySignature({ secrets: [env.LOOKOUT_AGENT_SECRET], campaign, agentId: request.headers.get("Lookout-Agent"), header: request.headers.get("Lookout-Signature"), method: "POST", path: `/v1/campaigns/${campaign}/ingest`, body });
      await tick();
      times.verify_ms = Date.now() - t;
      if (!check.ok) return Response.json({ error: check.reason }, { status: 401 });
      t = Date.now();
      const json = JSON.parse(new TextDecoder().decode(body));
      await tick();
      times.json_parse_ms = Date.now() - t;
      t = Date.now();
      const parsed = parseWith(AgentBatch, "batch", json);
      await tick();
      times.zod_ms = Date.now() - t;
      if (!parsed.ok) return Response.json(parsed.errors, { status: 400 });
      const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(campaign));
      t = Date.now();
      times.apply_in_do_ms = await stub.profileApply(parsed.value);
      times.rpc_total_ms = Date.now() - t;
      return Response.json(times);
    }
    if (url.pathname === "/bench/ingest-timing") {
      const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(url.searchParams.get("campaign")));
      return Response.json(await stub.ingestTiming(url.searchParams.get("on") === "1"));
    }
    if (url.pathname === "/bench/event-log-profile") {
      const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(url.searchParams.get("campaign")));
      return Response.json(await stub.profileEventLog(Number(url.searchParams.get("reps") ?? 10)));
    }
    if (url.pathname === "/bench/alerts-alarm-profile") {
      const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(url.searchParams.get("campaign")));
      return Response.json(await stub.profileAlertsAlarm(Number(url.searchParams.get("reps") ?? 10)));
    }
    if (url.pathname === "/bench/status-profile") {
      const campaign = url.searchParams.get("campaign");
      return Response.json(await env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(campaign)).profileStatus(campaign));
    }
    return app.fetch(request, env, ctx);
  },
};
