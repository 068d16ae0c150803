// Every round of one experiment, on demand (GET /api/campaigns/:c/experiments/:key), validated
// against protocol's ExperimentDetail; the live channel carries only the last few per experiment.
import type { Round } from "../../protocol/status.ts";
import { ExperimentDetail } from "../../protocol/status.ts";
import { describeFieldErrors, fieldErrors } from "../../protocol/errors.ts";

export type RoundsResult = { ok: true; rounds: Round[] } | { ok: false; reason: string };

export async function fetchAllRounds(campaign: string, key: string): Promise<RoundsResult> {
  try {
    const res = await fetch(`/api/campaigns/${encodeURIComponent(campaign)}/experiments/${encodeURIComponent(key)}`, {
      headers: { accept: "application/json" },
      credentials: "same-origin",
    });
    if (!res.ok) return { ok: false, reason: `HTTP ${res.status}` };
    const parsed = ExperimentDetail.safeParse(await res.json());
    if (!parsed.success) return { ok: false, reason: describeFieldErrors(fieldErrors("experiment", parsed.error)) };
    return { ok: true, rounds: parsed.data.rounds };
  } catch (err) {
    return { ok: false, reason: String(err) };
  }
}
