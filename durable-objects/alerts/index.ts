// Campaign alerts, as the CampaignObject uses them: configure and read them, raise events inside the
// transaction of a change, and let the alarm raise clock-driven ones (stale, quiet) and deliver.
import type { AlertChannel, AlertChannelView, AlertsConfig, AlertsView } from "../../protocol/index.ts";
import { AlertRules } from "../../protocol/index.ts";
import type { AlarmParticipant } from "../alarms/alarms.ts";
import type { RecentRoundsStore } from "../ingest/recent-rounds.ts";
import { deliverDue } from "./deliver.ts";
import { readRaiseFailures, recordRaiseFailure, type RaiseSite } from "./failures.ts";
import { testEvent } from "./events.ts";
import type { ObserveContext } from "./observe.ts";
import { raiseAlerts, storeEvent, type RaiseScope } from "./raise.ts";
import { hostSettlesAt } from "./rules.ts";
import { earliestPendingDelivery, earliestQuietAt, lastHeardOfOldestLiveHost, pruneSettled, readConfig, recentDeliveries, StateTable, writeConfig } from "./store.ts";

const RECENT_DELIVERIES = 100;

/** A channel as GET shows it: a webhook's secret never, a Slack URL (a credential itself) only by origin. */
function redactChannel(c: AlertChannel): AlertChannelView {
  if (c.kind === "webhook") return { id: c.id, kind: c.kind, url: c.url, secret_set: true };
  return { id: c.id, kind: c.kind, url: `${new URL(c.url).origin}/…` };
}

export class CampaignAlerts {
  private readonly ctx: ObserveContext;
  constructor(private readonly storage: DurableObjectStorage, recent: RecentRoundsStore, info: { campaign: string; heartbeatTimeoutS: number }) {
    this.ctx = { sql: storage.sql, recent, ...info };
  }

  /**
   * Raising never refuses the change that raised it: it runs in a nested transactionSync (a SQLite
   * savepoint inside the caller's transaction; workerd refuses raw SAVEPOINT), so a throw rolls back
   * only the alerts' own writes — the stored state stays as it was and the next look raises what this
   * one missed — and is counted (raise_failures in the view) and logged.
   */
  private raiseIsolated(scope: RaiseScope, nowMs: number, site: RaiseSite, after?: () => void): boolean {
    try {
      this.storage.transactionSync(() => {
        raiseAlerts(this.ctx, scope, nowMs);
        after?.();
      });
      return true;
    } catch (err) {
      recordRaiseFailure(this.ctx.sql, site, err, nowMs);
      return false;
    }
  }

  /** Called inside ingest's transaction with the experiments the batch touched. */
  raiseAfterIngest(experiments: ReadonlySet<string>, nowMs: number): void {
    this.raiseIsolated({ experiments }, nowMs, "ingest");
  }

  /**
   * Called right after a change made outside ingest (a budget grant: no experiment; a meta upload: all, as
   * bars move verdicts), in the same synchronous write. Hosts and budgets are always looked at.
   */
  raiseAfterChange(experiments: Iterable<string> | "all", nowMs: number): void {
    this.raiseIsolated({ experiments }, nowMs, "change");
  }

  /** Stores the config; the campaign's current state becomes the baseline (nothing already true is announced). */
  configure(config: AlertsConfig, publicUrl: string, by: string, nowMs: number): AlertsView {
    this.storage.transactionSync(() => {
      writeConfig(this.ctx.sql, config, publicUrl, by, nowMs);
      raiseAlerts(this.ctx, { experiments: "all", baseline: true }, nowMs);
    });
    return this.view();
  }

  view(): AlertsView {
    const stored = readConfig(this.ctx.sql);
    return {
      configured: stored !== null,
      channels: (stored?.config.channels ?? []).map(redactChannel),
      rules: stored?.config.rules ?? AlertRules.parse({}),
      deliveries: recentDeliveries(this.ctx.sql, RECENT_DELIVERIES),
      raise_failures: readRaiseFailures(this.ctx.sql),
    };
  }

  /** Queues a `test` event to every channel; null when no channel is configured. */
  sendTest(nowMs: number): string | null {
    return this.storage.transactionSync(() => {
      const stored = readConfig(this.ctx.sql);
      return stored ? storeEvent(this.ctx, stored, testEvent(this.ctx.campaign), nowMs) : null;
    });
  }

  /** Delivers what is due; the alarm calls this after the participants ran (fetches outside any transaction). */
  deliverDue(nowMs: number): Promise<number> {
    return deliverDue(this.ctx.sql, nowMs);
  }

  /**
   * The alarm participant: due for a pending delivery, or for what only the clock raises (a host falling
   * silent, a recovery settling, quiet). When only a delivery is due there is nothing to raise: the alarm
   * delivers after the participants ran, so a retry's cost is the delivery, not a look at every experiment.
   */
  participant(): AlarmParticipant {
    const { sql } = this.ctx;
    const clockDueAt = (quietAfterS: number): number | null => {
      const recovery = new StateTable(sql).longestPendingRecovery();
      const silence = lastHeardOfOldestLiveHost(sql);
      const candidates = [
        earliestQuietAt(sql, quietAfterS),
        recovery ? hostSettlesAt(recovery) : null,
        silence === null ? null : silence + this.ctx.heartbeatTimeoutS * 1000 + 1,
      ].filter((t): t is number => t !== null);
      return candidates.length > 0 ? Math.min(...candidates) : null;
    };
    return {
      name: "alerts",
      nextDueAt: () => {
        const stored = readConfig(sql);
        if (!stored) return null;
        const due = [earliestPendingDelivery(sql), clockDueAt(stored.config.rules.quiet_after_s)].filter((t): t is number => t !== null);
        return due.length > 0 ? Math.min(...due) : null;
      },
      onAlarm: (nowMs) => {
        const stored = readConfig(sql);
        const clock = stored ? clockDueAt(stored.config.rules.quiet_after_s) : null;
        if (clock === null || clock > nowMs) {
          pruneSettled(sql, nowMs);
          return false;
        }
        // A failure is counted (and kept: it is written outside the rolled-back savepoint), then reported
        // to the alarm as a throw, which skips this step, still delivers, and retries it after a delay.
        if (!this.raiseIsolated({ experiments: "all" }, nowMs, "alarm", () => pruneSettled(sql, nowMs))) {
          throw new Error("alert raising failed; retried on a later alarm");
        }
        return false; // events change no board entry
      },
    };
  }
}
