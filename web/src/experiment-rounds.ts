// Every round of one experiment, on demand (GET /api/campaigns/:c/experiments/:key), validated
// against protocol's ExperimentDetail; the live channel carries only the last few per experiment.
import type { Round } from "../../protocol/status.ts";
import { ExperimentDetail } from "../../protocol/status.ts";
import { getJson } from "./api-get.ts";

export type RoundsResult = { ok: true; rounds: Round[] } | { ok: false; reason: string };

export async function fetchAllRounds(campaign: string, key: string): Promise<RoundsResult> {
  const out = await getJson(`/api/campaigns/${encodeURIComponent(campaign)}/experiments/${encodeURIComponent(key)}`, ExperimentDetail, "experiment");
  return out.ok ? { ok: true, rounds: out.data.rounds } : out;
}
