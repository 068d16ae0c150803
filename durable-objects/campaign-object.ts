// One CampaignObject per campaign (idFromName(slug)): SQLite-backed state for the whole board. Thin:
// each RPC delegates to a one-concern module (ingest apply, board, live hub, agents, meta, alarms).
import { DurableObject } from "cloudflare:workers";
import type { AgentBatch, AlertsConfig, AlertsView, CompareReply, ExperimentDetail, IngestReply, Role, Round, StatusSnapshot } from "../protocol/index.ts";
import * as agents from "./agents/agents.ts";
import { alarmParticipants } from "./alarms/participants.ts";
import { rearm, runDueParticipants, type AlarmParticipant } from "./alarms/alarms.ts";
import { assemble, type Board } from "./board/assemble.ts";
import { compareEntry } from "./board/compare.ts";
import { campaignOverview, finalVerdicts, sameOverview, type CampaignOverview } from "./board/overview.ts";
import { readAllRounds, readAttempts, readBoardRecords, readRoundsOf } from "./board/queries.ts";
import type { ExperimentScope } from "./board/records.ts";
import { CampaignAlerts } from "./alerts/index.ts";
import { DIRECTORY_NAME } from "./campaign-directory.ts";
import { applyBatch } from "./ingest/apply.ts";
import { Coalescer, LIVE_WINDOW_MS } from "./live/coalesce.ts";
import { acceptLiveSocket, mergeChanges, noChange, parseRole, publish, rolesListening, ROLE_HEADER, type Change } from "./live/hub.ts";
import { PhaseCounts } from "./live/phase-counts.ts";
import { closeIfExpired, parseSessionExpiry, sessionExpiry, SESSION_EXPIRES_HEADER } from "./live/sessions.ts";
import * as metaStore from "./meta/store.ts";
import { RECENT_ROUNDS, RecentRoundsStore } from "./ingest/recent-rounds.ts";
import { applyMigrations } from "./schema.ts";
import { ProducerSilence } from "./alarms/stale-watch.ts";
import { logChanges, pruneEvents, readEvents } from "./events/log.ts";
import { BudgetLedger, type ConfigureOutcome, type ReclaimOutcome, type ReleaseOutcome, type ReserveOutcome } from "./budget/ledger.ts";
import { recentSidecarBudgets } from "./budget/read.ts";
import type { BudgetConfigPut, BudgetLedgerReply, EventsQuery, EventsReply, ReleaseRequest, ReserveRequest } from "../protocol/index.ts";

/** The directory row's fields a change states (undefined: keep the stored value). */
type DirectoryFields = { last_ingest_at?: string; title?: string | null };

/** The campaign list's overview is computed at most once a second while batches stream (the alarm sends the last one). */
const DIRECTORY_EVERY_MS = 1000;

export type IngestResult = { ok: true; reply: IngestReply } | { ok: false; status: 403; error: string };
export type ExportRow = Round & { experiment: string };

export class CampaignObject extends DurableObject<Cloudflare.Env> {
  private readonly recent: RecentRoundsStore;
  /** Every experiment's phase, for the counts a delta carries (live/phase-counts.ts). */
  private readonly phases = new PhaseCounts();
  /** Which heartbeat-less producers' silences the alarm has noticed (alarms/stale-watch.ts). */
  private readonly producerSilence = new ProducerSilence();
  /** The one path to the live sockets: every change goes out through this window (live/coalesce.ts). */
  private readonly live: Coalescer<Change>;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    applyMigrations(ctx.storage);
    this.recent = new RecentRoundsStore(ctx.storage.sql);
    this.live = new Coalescer<Change>(LIVE_WINDOW_MS, mergeChanges, (change) => {
      const source = { sql: this.ctx.storage.sql, recent: this.recent, campaign: this.campaign, heartbeatTimeoutS: this.heartbeatTimeoutS };
      publish(this.ctx, source, this.phases, change, Date.now());
    });
  }

  private get heartbeatTimeoutS(): number {
    const n = Number(this.env.HEARTBEAT_TIMEOUT_S ?? "60");
    return Number.isFinite(n) && n > 0 ? n : 60;
  }

  /** The campaign slug this object was addressed by (idFromName; the runtime exposes it as ctx.id.name). */
  private get campaign(): string {
    return this.ctx.id.name ?? "unknown";
  }

  /** Reads the records for `scope` (every experiment unless told) and assembles them for `role`. */
  private board(role: Role, nowMs = Date.now(), scope: ExperimentScope = "all", lastRounds?: number): Board {
    const records = readBoardRecords(this.ctx.storage.sql, this.recent, { campaign: this.campaign, heartbeatTimeoutS: this.heartbeatTimeoutS, nowMs, scope });
    return assemble(records, role, nowMs, { lastRounds });
  }

  /**
   * Every change goes out through the live window. With no socket open there is nobody to tell and no
   * timer is started (a pending timer keeps the object from hibernating); only the cached phases forget.
   */
  private pushLive(change: Change): void {
    if (rolesListening(this.ctx).length === 0) this.phases.forget(change);
    else this.live.push(change);
  }

  /** The whole board for a connecting socket; its phases seed the live counts, so the next delta need not read them all. */
  private liveBoard(role: Role): Board {
    const nowMs = Date.now();
    const board = this.board(role, nowMs);
    this.phases.remember(board, board.keys, nowMs, this.heartbeatTimeoutS);
    return board;
  }

  private participants() {
    return [...alarmParticipants(this.ctx.storage, { heartbeatTimeoutS: this.heartbeatTimeoutS, silence: this.producerSilence }), sessionExpiry(this.ctx), this.alerts.participant(), this.directoryParticipant()];
  }

  /** What the event log and the alerts look at (alerts/observe.ts). */
  private get observe() {
    return { sql: this.ctx.storage.sql, recent: this.recent, campaign: this.campaign, heartbeatTimeoutS: this.heartbeatTimeoutS };
  }

  /**
   * Logs what changed as a savepoint of its own (nested transactionSync): like alert raising
   * (SECURITY.md §10), a fault in the log rolls back only the log's writes and never refuses the
   * change it describes; it is logged, and the next look logs what was missed.
   */
  private logChangesNow(experiments: Iterable<string> | "all", nowMs: number): void {
    try {
      this.ctx.storage.transactionSync(() => logChanges(this.observe, experiments, nowMs));
    } catch (err) {
      console.error("event log failed; the change itself stands:", err instanceof Error ? err.message : String(err));
    }
  }

  private get alerts(): CampaignAlerts {
    return new CampaignAlerts(this.ctx.storage, this.recent, { campaign: this.campaign, heartbeatTimeoutS: this.heartbeatTimeoutS });
  }

  /** What the campaign directory last heard from this object (in memory: after eviction it simply reports again). */
  private directoryReported: { overview: CampaignOverview; atMs: number } | null = null;
  /** When the overview was last computed: at most once per DIRECTORY_EVERY_MS while batches stream. */
  private directoryComputedMs: number | null = null;
  /** A report held back by that pace; the alarm sends it (directory fields merged, newest last). */
  private directoryPending: { dueAt: number; fields: DirectoryFields } | null = null;

  private directoryParticipant(): AlarmParticipant {
    return { name: "campaign directory", nextDueAt: () => this.directoryPending?.dueAt ?? null, onAlarm: () => false };
  }

  private async afterChange(change: Change, nowMs: number, directory: DirectoryFields): Promise<void> {
    this.pushLive(change);
    // The overview's phase counts must not keep a touched experiment's old phase (the live window forgets later).
    this.phases.forget(change);
    const fields = { ...this.directoryPending?.fields, ...directory };
    const paced = directory.title === undefined && this.directoryComputedMs !== null && nowMs - this.directoryComputedMs < DIRECTORY_EVERY_MS;
    this.directoryPending = paced ? { dueAt: this.directoryComputedMs! + DIRECTORY_EVERY_MS, fields } : null;
    await rearm(this.ctx.storage, this.participants(), nowMs);
    if (!paced) await this.reportToDirectory(nowMs, fields);
  }

  /**
   * Keeps GET /api/campaigns current: the board's count and phases (from the phase counts kept in
   * memory: only experiments a change touched are read again) and the finals' verdicts. Written on a
   * new overview, a title, or every 10 s (last_ingest_at).
   */
  private async reportToDirectory(nowMs: number, directory: DirectoryFields): Promise<void> {
    this.directoryPending = null;
    this.directoryComputedMs = nowMs;
    const board = this.board("admin", nowMs, []);
    const phases = this.phases.tally(board, nowMs, this.heartbeatTimeoutS, (keys) => this.board("admin", nowMs, keys));
    const overview = campaignOverview(phases, finalVerdicts(readAttempts(this.ctx.storage.sql, "all"), board.meta));
    const last = this.directoryReported;
    if (last && sameOverview(last.overview, overview) && directory.title === undefined && nowMs - last.atMs < 10_000) return;
    try {
      const dir = this.env.DIRECTORY.get(this.env.DIRECTORY.idFromName(DIRECTORY_NAME));
      await dir.record({ campaign: this.campaign, ...overview, ...directory });
      this.directoryReported = { overview, atMs: nowMs };
    } catch (err) {
      // The directory is an index for the campaign list; the batch itself is already committed.
      console.warn("campaign directory update failed", err instanceof Error ? err.message : String(err));
    }
  }

  async ping(): Promise<string> {
    return "pong";
  }

  async ingest(batch: AgentBatch): Promise<IngestResult> {
    const nowMs = Date.now();
    const out = applyBatch(this.ctx.storage, this.recent, batch, nowMs, (changed) => {
      this.logChangesNow(changed, nowMs);
      this.alerts.raiseAfterIngest(changed, nowMs);
    });
    if (!out.ok) return out;
    if (!out.reply.duplicate) {
      if (out.producerReported) this.producerSilence.reported(nowMs, this.heartbeatTimeoutS * 1000);
      await this.afterChange({ experiments: out.changed, removed: out.removed, hosts: out.hosts, meta: false, jobs: out.jobs }, nowMs, { last_ingest_at: new Date(nowMs).toISOString() });
    }
    return { ok: true, reply: out.reply };
  }

  async status(role: Role): Promise<StatusSnapshot> {
    return this.board(role).snapshot();
  }

  /** The status already serialised: one JSON.stringify here instead of a structured clone plus one in the Worker. */
  async statusJson(role: Role): Promise<string> {
    return JSON.stringify(this.board(role).snapshot());
  }

  async experiment(key: string, role: Role): Promise<ExperimentDetail | null> {
    const k = key.toLowerCase();
    // The detail carries the stored recent rounds in full (the board's entries carry fewer).
    const board = this.board(role, Date.now(), [k], RECENT_ROUNDS);
    if (!board.has(k)) return null;
    return { experiment: board.experiment(k), rounds: readRoundsOf(this.ctx.storage.sql, k).map(board.round) };
  }

  /** The compare view of `keys` (lowercased, distinct), in that order; the first unknown key instead when one is. */
  async compare(keys: readonly string[], role: Role): Promise<{ ok: true; reply: CompareReply } | { ok: false; unknown: string }> {
    const board = this.board(role, Date.now(), keys);
    const unknown = keys.find((k) => !board.has(k));
    if (unknown !== undefined) return { ok: false, unknown };
    // Every round of each experiment through the trials_by_experiment index, not a campaign scan.
    return { ok: true, reply: { experiments: keys.map((k) => compareEntry(board.experiment(k), readRoundsOf(this.ctx.storage.sql, k).map(board.round))) } };
  }

  async exportRounds(role: Role): Promise<ExportRow[]> {
    const board = this.board(role, Date.now(), []);
    return readAllRounds(this.ctx.storage.sql).map((r) => ({ experiment: r.experiment, ...board.round(r) }));
  }

  async putMeta(meta: unknown, by: string): Promise<metaStore.PutMetaResult> {
    const nowMs = Date.now();
    const result = metaStore.putMeta(this.ctx.storage.sql, meta, by, nowMs);
    if (result.ok) this.logChangesNow("all", nowMs);
    if (result.ok) this.alerts.raiseAfterChange("all", nowMs); // new bars can change verdicts; same write, no await between
    if (result.ok) {
      const title = metaStore.getMeta(this.ctx.storage.sql)?.meta.title ?? null;
      await this.afterChange({ ...noChange(), experiments: "all", hosts: "all", meta: true }, nowMs, { title });
    }
    return result;
  }

  async getMeta(): Promise<metaStore.StoredMeta | null> {
    return metaStore.getMeta(this.ctx.storage.sql);
  }

  async listAgents(): Promise<agents.AgentRecord[]> {
    return agents.listAgents(this.ctx.storage.sql);
  }

  async isAgentRevoked(agentId: string): Promise<boolean> {
    return agents.isRevoked(this.ctx.storage.sql, agentId);
  }

  async revokeAgent(agentId: string, by: string): Promise<agents.AgentRecord> {
    return agents.revokeAgent(this.ctx.storage.sql, agentId, by, Date.now());
  }

  async restoreAgent(agentId: string, by: string): Promise<agents.AgentRecord | null> {
    return agents.restoreAgent(this.ctx.storage.sql, agentId, by);
  }

  // ── Budget ledger (durable-objects/budget/): thin RPCs, each one synchronous ledger transaction. ──
  private get budget(): BudgetLedger {
    return new BudgetLedger(this.ctx.storage);
  }

  /**
   * Live viewers see new balances through the live window like any change (a reserve storm is a few
   * deltas, not one per grant). A config change re-tiers splits, so every entry may redact differently.
   * A new reservation may need an earlier expiry alarm.
   */
  private async afterBudgetChange(nowMs: number, experiments: "all" | "none", rearmAlarm: boolean): Promise<void> {
    this.pushLive(experiments === "all" ? { ...noChange(), experiments: "all" } : noChange());
    if (rearmAlarm) await rearm(this.ctx.storage, this.participants(), nowMs);
  }

  async budgetConfigure(put: BudgetConfigPut, by: string): Promise<ConfigureOutcome> {
    const nowMs = Date.now();
    const out = this.budget.configure(put, by, nowMs);
    // Tiers drive redaction, so every experiment may read differently now.
    if (out.kind === "configured") await this.afterBudgetChange(nowMs, "all", false);
    return out;
  }

  async budgetLedger(auditLimit: number): Promise<BudgetLedgerReply> {
    const nowMs = Date.now();
    return this.budget.ledger({ auditLimit, sidecars: recentSidecarBudgets(this.ctx.storage.sql, nowMs) });
  }

  async budgetReserve(agentId: string, req: ReserveRequest): Promise<ReserveOutcome> {
    const nowMs = Date.now();
    const out = this.budget.reserve(agentId, req, nowMs);
    // No await between the grant and this: both land in the same implicit write transaction.
    if (out.kind === "granted" && !out.replayed) this.logChangesNow([], nowMs);
    if (out.kind === "granted" && !out.replayed) this.alerts.raiseAfterChange([], nowMs);
    if (out.kind === "granted" && !out.replayed) await this.afterBudgetChange(nowMs, "none", true);
    return out;
  }

  async budgetRelease(agentId: string, req: ReleaseRequest): Promise<ReleaseOutcome> {
    const nowMs = Date.now();
    const out = this.budget.release(agentId, req, nowMs);
    if (out.kind === "released" && !out.replayed) await this.afterBudgetChange(nowMs, "none", false);
    return out;
  }

  async budgetReclaim(reservation: string, by: string): Promise<ReclaimOutcome> {
    const nowMs = Date.now();
    const out = this.budget.reclaim(reservation, by, nowMs);
    if (out.kind === "reclaimed") this.alerts.raiseAfterChange([], nowMs); // a split's balance rose: budget_low may clear
    if (out.kind === "reclaimed") await this.afterBudgetChange(nowMs, "none", false);
    return out;
  }

  /** GET /api/campaigns/:c/events: the event log, newest first (events/log.ts). */
  async events(query: EventsQuery): Promise<EventsReply> {
    return readEvents(this.ctx.storage.sql, query);
  }

  // ── Alerts (durable-objects/alerts/): config, read, test; events are delivered by the alarm. ──
  async alertsConfigure(config: AlertsConfig, publicUrl: string, by: string): Promise<AlertsView> {
    const view = this.alerts.configure(config, publicUrl, by, Date.now());
    await rearm(this.ctx.storage, this.participants(), Date.now());
    return view;
  }

  async alertsView(): Promise<AlertsView> {
    return this.alerts.view();
  }

  async alertsTest(): Promise<string | null> {
    const id = this.alerts.sendTest(Date.now());
    await rearm(this.ctx.storage, this.participants(), Date.now());
    return id;
  }

  /** Only the live WebSocket arrives here; the Worker has already verified the operator and set the role and session end. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    const role = parseRole(request.headers.get(ROLE_HEADER));
    if (!role) return new Response("missing role", { status: 403 });
    const expiresAtMs = parseSessionExpiry(request.headers.get(SESSION_EXPIRES_HEADER));
    const response = acceptLiveSocket(this.ctx, role, this.liveBoard(role), expiresAtMs);
    // The alarm closes the socket when its session ends, even if nothing is sent to it by then.
    if (expiresAtMs !== null) await rearm(this.ctx.storage, this.participants(), Date.now());
    return response;
  }

  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    const participants = this.participants();
    const run = runDueParticipants(participants, nowMs);
    // Heartbeat-less producers that fell silent moved those experiments alone (to "stale").
    const silent = this.producerSilence.take();
    // Clock-driven changes belong in the log too. A participant that changed the board (a host went silent,
    // a hold expired) may have moved any experiment: a full pass. Otherwise (most alarms: the paced directory
    // report, alert delivery) only hosts, budgets and the silent producers' experiments can have moved with the
    // clock: a pass over those alone, so an alarm's cost follows what changed, not the campaign's size.
    // Pruning rides on the alarm, not on ingest.
    this.logChangesNow(run.changed ? "all" : silent, nowMs);
    try {
      this.ctx.storage.transactionSync(() => pruneEvents(this.ctx.storage.sql, nowMs));
    } catch (err) {
      console.error("event log pruning failed:", err instanceof Error ? err.message : String(err));
    }
    // Clock-driven transitions move phases (and, for a host gone silent, hosts) without a write naming them.
    const moved: Change | null = run.changed
      ? { ...noChange(), experiments: "all", hosts: "all" }
      : silent.length > 0 ? { ...noChange(), experiments: new Set(silent) } : null;
    if (moved) {
      this.pushLive(moved);
      this.phases.forget(moved);
      this.directoryPending = { dueAt: nowMs, fields: this.directoryPending?.fields ?? {} };
    }
    if (this.directoryPending && this.directoryPending.dueAt <= nowMs) await this.reportToDirectory(nowMs, this.directoryPending.fields);
    await this.alerts.deliverDue(nowMs);
    await rearm(this.ctx.storage, participants, Date.now(), run.failed);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (closeIfExpired(ws, Date.now())) return;
    if (message === "ping") ws.send("pong");
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try { ws.close(code, reason); } catch { /* already closed */ }
  }
}
