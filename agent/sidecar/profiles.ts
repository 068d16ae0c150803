// Pure: the two sidecar admin APIs' payloads (legacy vero harbor branch, current vero main)
// validated and mapped onto protocol's LedgerRow and SplitBudget.
import { z } from "zod";
import { describeFieldErrors, parseWith, type LedgerRow, type SplitBudget, type Tier } from "../../protocol/index.ts";

const Count = z.number().int().min(0).nullable().optional();
const Num = z.number().finite().nullable().optional();

// --- legacy: GET /experiments, GET /status with `splits` ---
const LegacyExperiment = z.looseObject({
  commit: z.string().max(200).nullable().optional(),
  dataset_id: z.string().nullable().optional(),
  split: z.string().min(1).max(200),
  mean_score: Num,
  error_rate: Num,
  created_at: z.string().nullable().optional(),
});
const LegacyExperiments = z.looseObject({ experiments: z.array(z.unknown()) });
const LegacyStatus = z.looseObject({
  splits: z.array(
    z.looseObject({
      split: z.string().min(1).max(200),
      tier: z.enum(["viewable", "non_viewable", "no_access"]),
      remaining_sample_budget: Count,
      remaining_run_budget: Count,
    }),
  ),
});

// --- current: GET /evaluations (EvaluationRecord), GET /status with `evaluation_access` ---
const CurrentRecord = z.looseObject({
  id: z.string().min(1).max(200),
  request: z.looseObject({
    candidate: z.looseObject({ id: z.string(), version: z.string().max(200) }),
    evaluation_set: z.looseObject({ name: z.string().min(1), partition: z.string().nullable().optional() }).optional(),
  }),
  report: z.looseObject({
    metrics: z.record(z.string(), z.number()).optional(),
    cases: z.array(z.looseObject({ status: z.string() })).optional(),
  }),
  objective: z.looseObject({ value: z.number().finite().nullable() }).nullable().optional(),
  created_at: z.string(),
});
const CurrentEvaluations = z.looseObject({ evaluations: z.array(z.unknown()) });
const Disclosure = z.enum(["full", "aggregate", "none"]);
const CurrentStatus = z.looseObject({
  evaluation_access: z.array(
    z.looseObject({
      evaluation_set_name: z.string().min(1),
      partition: z.string().nullable().optional(),
      disclosure: Disclosure,
      budget: z.looseObject({ remaining_runs: Count, remaining_cases: Count }).nullable().optional(),
    }),
  ),
});

/** How the current sidecar's disclosure level reads as a Lookout tier. */
export const TIER_OF_DISCLOSURE: Record<z.infer<typeof Disclosure>, Tier> = {
  full: "viewable",
  aggregate: "non_viewable",
  none: "no_access",
};

/** One split name for an evaluation set, used for both its rounds and its budget. */
export function splitName(name: string, partition: string | null | undefined): string {
  return partition ? `${name}:${partition}` : name;
}

export interface Mapped<T> {
  items: T[];
  /** Per-item problems ("evaluations[3].id: …"); the good items are still used. */
  problems: string[];
}

function parseJson(body: string, root: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, problem: `${root}: not JSON` };
  }
}

function mapEach<T, S extends z.ZodType>(list: unknown[], root: string, schema: S, map: (v: z.output<S>) => T): Mapped<T> {
  const items: T[] = [];
  const problems: string[] = [];
  list.forEach((raw, i) => {
    const parsed = parseWith(schema, `${root}[${i}]`, raw);
    if (parsed.ok) items.push(map(parsed.value));
    else problems.push(describeFieldErrors(parsed.errors));
  });
  return { items, problems };
}

export function legacyRows(body: string): Mapped<LedgerRow> {
  const json = parseJson(body, "experiments");
  if (!json.ok) return { items: [], problems: [json.problem] };
  const top = parseWith(LegacyExperiments, "(experiments)", json.value);
  if (!top.ok) return { items: [], problems: [describeFieldErrors(top.errors)] };
  return mapEach(top.value.experiments, "experiments", LegacyExperiment, (e) => ({
    commit: e.commit ?? "",
    split: e.split,
    score: e.mean_score ?? null,
    error_rate: e.error_rate ?? null,
    created_at: e.created_at ?? null,
  }));
}

export function legacyBudget(body: string): Mapped<SplitBudget> {
  const json = parseJson(body, "status");
  if (!json.ok) return { items: [], problems: [json.problem] };
  const top = parseWith(LegacyStatus, "status", json.value);
  if (!top.ok) return { items: [], problems: [describeFieldErrors(top.errors)] };
  return {
    items: top.value.splits.map((s) => ({
      split: s.split,
      tier: s.tier,
      remaining_runs: s.remaining_run_budget ?? null,
      remaining_samples: s.remaining_sample_budget ?? null,
    })),
    problems: [],
  };
}

/**
 * The round's score: the record's objective value when an objective was set, else its only
 * metric; several metrics and no objective → null (never "the first number").
 */
function currentScore(r: z.output<typeof CurrentRecord>): number | null {
  if (r.objective) return r.objective.value;
  const metrics = Object.values(r.report.metrics ?? {});
  return metrics.length === 1 ? metrics[0]! : null;
}

export function currentRows(body: string): Mapped<LedgerRow> {
  const json = parseJson(body, "evaluations");
  if (!json.ok) return { items: [], problems: [json.problem] };
  const top = parseWith(CurrentEvaluations, "(evaluations)", json.value);
  if (!top.ok) return { items: [], problems: [describeFieldErrors(top.errors)] };
  return mapEach(top.value.evaluations, "evaluations", CurrentRecord, (r) => {
    const cases = r.report.cases ?? [];
    const errored = cases.filter((c) => c.status === "error").length;
    const set = r.request.evaluation_set;
    return {
      id: r.id,
      commit: r.request.candidate.version,
      split: splitName(set?.name ?? "default", set?.partition),
      score: currentScore(r),
      error_rate: cases.length > 0 ? errored / cases.length : null,
      created_at: r.created_at,
    };
  });
}

export function currentBudget(body: string): Mapped<SplitBudget> {
  const json = parseJson(body, "status");
  if (!json.ok) return { items: [], problems: [json.problem] };
  const top = parseWith(CurrentStatus, "status", json.value);
  if (!top.ok) return { items: [], problems: [describeFieldErrors(top.errors)] };
  return {
    items: top.value.evaluation_access.map((a) => ({
      split: splitName(a.evaluation_set_name, a.partition),
      tier: TIER_OF_DISCLOSURE[a.disclosure],
      remaining_runs: a.budget?.remaining_runs ?? null,
      remaining_samples: a.budget?.remaining_cases ?? null,
    })),
    problems: [],
  };
}
