// Everything that runs on the campaign's alarm: staleness by the clock and budget reservation expiry.
import type { AlarmParticipant } from "./alarms.ts";
import { budgetExpiryParticipant } from "../budget/ledger.ts";
import { silentProducerWatch, staleWatch, type ProducerSilence } from "./stale-watch.ts";

export function alarmParticipants(storage: DurableObjectStorage, opts: { heartbeatTimeoutS: number; silence: ProducerSilence }): AlarmParticipant[] {
  return [staleWatch(storage.sql, opts.heartbeatTimeoutS), silentProducerWatch(storage.sql, opts.heartbeatTimeoutS, opts.silence), budgetExpiryParticipant(storage)];
}
