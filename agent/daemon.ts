// The agent's life: cycles on an interval and on docker events, an outbox flusher with backoff,
// and a shutdown that stops reading, aborts in-flight execs and flushes within a deadline.
import { AgentBatch, describeFieldErrors, parseWith, type LedgerRow } from "../protocol/index.ts";
import { Collector } from "./collect.ts";
import { composeCycle, rowKey, type ComposedBatch, type Known } from "./compose.ts";
import type { AgentConfig } from "./config.ts";
import { DockerEngine } from "./docker/engine.ts";
import { JobsScanner } from "./jobs/scanner.ts";
import type { Logger } from "./log.ts";
import { Outbox } from "./outbox/outbox.ts";
import { Registry } from "./outbox/registry.ts";
import { backoffMs, sendBatch } from "./outbox/sender.ts";
import { isSidecarContainerName } from "./trial-name.ts";
import { perReadTransport, sessionTransport, type ReadTransport } from "./sidecar/transport.ts";

export const AGENT_VERSION = "0.1.0";
const EVENT_DEBOUNCE_MS = 200;
const TRIAL_REFRESH_MS = 60_000;

export class AgentDaemon {
  private readonly abort = new AbortController();
  private readonly docker: DockerEngine;
  private readonly collector: Collector;
  private readonly transport: ReadTransport;
  private readonly lastTrialState = new Map<string, { sig: string; atMs: number }>();
  private registry!: Registry;
  private outbox!: Outbox;
  private nextSeq = 1;
  private stopping = false;
  private cycleRunning: Promise<void> | null = null;
  private cycleAgain = false;
  private flushing: Promise<void> | null = null;
  private retryAttempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private eventTimer: NodeJS.Timeout | null = null;

  constructor(private readonly cfg: AgentConfig, private readonly log: Logger, private readonly stdout: (line: string) => void = (l) => process.stdout.write(l)) {
    this.docker = new DockerEngine({ socketPath: cfg.dockerSocket });
    this.transport = cfg.execMode === "session" ? sessionTransport(this.docker) : perReadTransport(this.docker);
    this.collector = new Collector({
      docker: this.docker,
      transport: this.transport,
      scanner: new JobsScanner(cfg.jobsDirs, log),
      jobsDirs: cfg.jobsDirs,
      profile: cfg.profile,
      sidecarTimeoutMs: cfg.sidecarTimeoutMs,
      concurrency: cfg.concurrency,
      trialPrefixes: cfg.trialPrefixes,
      log,
      signal: this.abort.signal,
      knownRow: (trial: string, row: LedgerRow) => this.known().row(trial, rowKey(row)),
    });
  }

  async open(): Promise<void> {
    if (this.cfg.dryRun) return;
    this.registry = await Registry.open(this.cfg.stateDir);
    this.outbox = await Outbox.open(this.cfg.stateDir, this.cfg.outboxMaxBytes, this.log);
    this.nextSeq = Math.max(this.registry.lastAckedSeq, this.outbox.highestSeq()) + 1;
    this.log.info("agent state opened", { state_dir: this.cfg.stateDir, epoch: this.registry.epoch, next_seq: this.nextSeq, pending_batches: this.outbox.list().length });
  }

  /** Runs until stop(): a cycle per interval, sooner on sidecar start/die events. */
  async run(): Promise<void> {
    void this.followEvents();
    const tick = async () => {
      if (this.stopping) return;
      await this.cycle();
      if (!this.stopping) this.tickTimer = setTimeout(tick, this.cfg.intervalMs);
    };
    await tick();
  }

  /** One cycle, then flush until the outbox is empty or the deadline passes; true when all acked. */
  async once(flushDeadlineMs = 30_000): Promise<boolean> {
    await this.cycle();
    // Read sessions would keep the process alive: one cycle needs them no longer.
    this.transport.close();
    if (this.cfg.dryRun) return true;
    return this.flushUntil(Date.now() + flushDeadlineMs);
  }

  /** SIGTERM: stop reading, abort in-flight execs, flush what is queued within the deadline. */
  async stop(flushDeadlineMs = 10_000): Promise<boolean> {
    this.stopping = true;
    for (const t of [this.tickTimer, this.retryTimer, this.eventTimer]) if (t) clearTimeout(t);
    this.abort.abort();
    await this.cycleRunning?.catch(() => undefined);
    this.transport.close();
    if (this.cfg.dryRun) return true;
    const ok = await this.flushUntil(Date.now() + flushDeadlineMs);
    this.log.info("agent stopped", { pending_batches: this.outbox.list().length });
    return ok;
  }

  private known(): Known {
    if (this.cfg.dryRun) return { row: () => false, final: () => false };
    return {
      row: (trial, key) => this.registry.hasRow(trial, key) || this.outbox.holdsRow(trial, key),
      final: (path, fp) => this.registry.hasFinal(path, fp) || this.outbox.holdsFinal(path, fp),
    };
  }

  /** Cycles never overlap; a request during one runs another right after. */
  cycle(): Promise<void> {
    if (this.cycleRunning) {
      this.cycleAgain = true;
      return this.cycleRunning;
    }
    this.cycleRunning = (async () => {
      do {
        this.cycleAgain = false;
        await this.cycleOnce().catch((err) => this.log.error("cycle failed", { error: err as Error }));
      } while (this.cycleAgain && !this.stopping);
    })().finally(() => (this.cycleRunning = null));
    return this.cycleRunning;
  }

  private async cycleOnce(): Promise<void> {
    const started = Date.now();
    const facts = await this.collector.collect();
    // Reads aborted by shutdown would report made-up errors: drop the cycle instead.
    if (this.stopping) return;
    const batches = composeCycle(facts, this.known(), {
      outboxFull: !this.cfg.dryRun && this.outbox.isFull(),
      lastTrialState: this.lastTrialState,
      nowMs: Date.now(),
      refreshMs: TRIAL_REFRESH_MS,
    });
    if (!this.cfg.dryRun && this.outbox.isFull()) {
      this.log.warn("outbox over its byte cap: holding back re-readable rows and heartbeats, still queueing finals", { outbox_bytes: this.outbox.bytes() });
    }
    for (const b of batches) if (b.observations.length) await this.queue(b);
    this.log.debug("cycle done", { ms: Date.now() - started, sidecars: facts.sidecars.length, trials: facts.trials.length, batches: batches.length });
    if (!this.cfg.dryRun) void this.flush();
  }

  private async queue(b: ComposedBatch): Promise<void> {
    const seq = this.cfg.dryRun ? this.nextSeq++ : this.nextSeq;
    const batch = {
      agent: { id: this.cfg.agentId, host: this.cfg.host, version: AGENT_VERSION },
      epoch: this.cfg.dryRun ? "dry-run" : this.registry.epoch,
      seq,
      sent_at: new Date().toISOString(),
      observations: b.observations,
    };
    const checked = parseWith(AgentBatch, "batch", batch);
    if (!checked.ok) {
      this.log.error("composed batch fails the wire contract; not queued", { seq, errors: describeFieldErrors(checked.errors).slice(0, 1000) });
      return;
    }
    const body = JSON.stringify(batch);
    if (this.cfg.dryRun) return this.stdout(body + "\n");
    await this.outbox.append(seq, body, b.items);
    this.nextSeq++;
  }

  /** Sends queued batches in seq order; on a retryable failure schedules itself with backoff. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      for (const batch of this.outbox.list()) {
        const outcome = await sendBatch({ endpoint: this.cfg.endpoint!, campaign: this.cfg.campaign, agentId: this.cfg.agentId, agentKeyHex: this.cfg.agentKeyHex! }, batch.body);
        if (outcome.kind === "acked") {
          await this.registry.ack(batch.seq, batch.items);
          await this.outbox.remove(batch.seq);
          this.retryAttempt = 0;
          this.log.debug("batch acked", { seq: batch.seq, duplicate: outcome.reply.duplicate });
        } else if (outcome.kind === "refused") {
          await this.outbox.setAside(batch.seq, outcome.reason);
        } else {
          const delay = Math.max(outcome.retryAfterMs ?? 0, backoffMs(this.retryAttempt++));
          this.log.warn("send failed; will retry", { seq: batch.seq, reason: outcome.reason, retry_in_ms: delay, pending_batches: this.outbox.list().length });
          if (!this.stopping) {
            if (this.retryTimer) clearTimeout(this.retryTimer);
            this.retryTimer = setTimeout(() => void this.flush(), delay);
          }
          return;
        }
      }
    })().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flushUntil(deadline: number): Promise<boolean> {
    while (this.outbox.list().length > 0 && Date.now() < deadline) {
      await this.flush();
      if (this.outbox.list().length === 0) break;
      await new Promise((r) => setTimeout(r, Math.min(Math.max(0, deadline - Date.now()), 250 + backoffMs(this.retryAttempt, 250, 2000))));
    }
    return this.outbox.list().length === 0;
  }

  /** Docker events make a start/die visible at once; polling each interval remains the safety net. */
  private async followEvents(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.docker.followEvents((e) => {
          if (!isSidecarContainerName(e.name) || this.stopping) return;
          if (this.eventTimer) clearTimeout(this.eventTimer);
          this.eventTimer = setTimeout(() => void this.cycle(), EVENT_DEBOUNCE_MS);
        }, this.abort.signal);
      } catch (err) {
        if (!this.stopping) this.log.debug("docker events stream failed; polling covers it", { error: (err as Error).message });
      }
      if (!this.stopping) await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
