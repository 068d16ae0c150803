// The demo campaign as data: meta, hosts, trials and a timeline that walks every phase and verdict.
// Pure: turns "seconds since start" into observations; the driver signs and sends them.
import type { CampaignMetaInput, FinalObservation, LedgerRow, Observation } from "../../protocol/index.ts";

export const DEMO_CAMPAIGN = "demo";
const DEMO_JOB = "2026-11-24__09-14-03";

export const demoMeta: CampaignMetaInput = {
  title: "Demo — prompt and planner sweep (GAIA, SWE-bench Lite, τ-bench)",
  experiments: [
    { key: "gaia-exp11-task", title: "Retrieval-first planning", question: "Does planning after retrieval lift GAIA L2 accuracy?", bars: { metric: "reward", baseline: 0.42, win_bar: 0.47, healthy: 0.8 }, note: "Two attempts (-k 2); the later one is the final." },
    { key: "gaia-exp12-task", title: "Shorter system prompt", question: "Can we cut the system prompt by half without losing accuracy?", bars: { baseline: 0.42, win_bar: 0.45, healthy: 0.8 } },
    { key: "swebench-lite__exp3-verifier-tweak", title: "Verifier tweak", question: "Does a stricter patch verifier raise the resolve rate?", bars: { metric: "reward", baseline: 0.31, win_bar: 0.35, healthy: 0.75 }, note: "Task name is longer than 32 characters: the trial name is cut, result.json carries the full name." },
    { key: "tau-bench-retail-exp4", title: "Tool-call retries", question: "Do bounded tool-call retries help τ-bench retail?", bars: { baseline: 0.55, win_bar: 0.6 } },
    { key: "gaia-exp15-task", title: "Self-consistency ×5", question: "Does majority voting over five samples pay for itself?", bars: { baseline: 0.42, win_bar: 0.46 }, note: "Listed but never launched: it must stand out." },
    { key: "gaia-exp16-task", title: "Scratchpad memory", question: "Does a persistent scratchpad help multi-hop questions?", bars: { baseline: 0.42, win_bar: 0.46 } },
    { key: "terminal-bench-exp7", title: "Shell sandbox hints", question: "Do sandbox hints in the prompt reduce failed commands?", bars: { baseline: 0.38, win_bar: 0.42 } },
    { key: "gaia-exp18-multi-metric", title: "Cheaper model mix", question: "Same accuracy at lower cost?", bars: { baseline: 0.42, win_bar: 0.44 }, note: "Reports two rewards and names no metric: no verdict until bars.metric is set." },
    { key: "gaia-exp19-task", title: "Long-horizon critique", question: "Does a critique step every 10 turns help long tasks?", bars: { baseline: 0.42, win_bar: 0.47, healthy: 0.8 } },
    { key: "gaia-exp20-task", title: "Planner temperature 0.3", question: "Is a cooler planner more reliable?", bars: { baseline: 0.42, win_bar: 0.45 } },
    { key: "gaia-exp21-task", title: "Answer-format guard", question: "Does a format guard lift exact-match?", bars: { baseline: 0.42, win_bar: 0.45 }, note: "vero shipped nothing: the verdict is NOT SHIPPED, never FAILED." },
    { key: "gaia-exp22-task", title: "Parallel tool calls", question: "Do parallel tool calls keep accuracy?", bars: { baseline: 0.42, win_bar: 0.45 }, note: "The verifier lost cases: the verdict is INVALID, never PASSED." },
  ],
  history: [
    { exp: "gaia-exp07-task", question: "Does chain-of-thought help on GAIA L1?", baseline: 0.4, bar: 0.44, final: 0.47, result: "passed", summary: "+7 pts; kept as the new baseline prompt." },
    { exp: "gaia-exp08-task", question: "Does a larger context window help?", baseline: 0.42, bar: 0.46, final: 0.41, result: "failed", summary: "Slower and no better." },
    { exp: "swebench-lite__exp1", question: "Does test-first prompting help?", baseline: 0.29, bar: 0.33, final: 0.3, verdict: "no change", summary: "Within noise over 3 seeds." },
    { exp: "tau-bench-retail-exp2", question: "Do we need the policy reminder?", baseline: 0.55, bar: 0.58, final: null, result: "cancelled", summary: "Superseded by exp4." },
  ],
};

interface DemoTrial {
  experiment: string;
  trial: string;
  host: string;
  /** Seconds after start: container up, rounds begin, container gone. */
  up: number;
  roundsFrom?: number;
  down?: number;
  /** Score path the rounds follow, one per round. */
  scores: number[];
  final?: { at: number; rewards: Record<string, number> | null; exception?: { type: string; message: string }; finalization?: Pick<FinalObservation, "shipped" | "candidate" | "errors" | "baseline_rewards"> };
  /** vero main facts on the round at this index (an invalid round, the verifier's re-measure, …). */
  marks?: Record<number, Pick<LedgerRow, "status" | "principal" | "feasible" | "violations" | "diagnostics">>;
  /** A vero main sidecar: keeps its no-access budget to itself and reports usage and evaluations in flight. */
  veroMain?: boolean;
  /** Keeps producing rounds for as long as the demo runs. */
  endless?: boolean;
}

const cut = (task: string) => task.slice(0, 32);
const trialName = (task: string, id: string) => `${cut(task)}__${id}`;
/** Harbor ≥ 0.16 container name for a trial. */
const containerFor = (trial: string) => `${trial.toLowerCase()}__env-eval-sidecar-1`;

const demoTrials: DemoTrial[] = [
  { experiment: "gaia-exp11-task", trial: trialName("gaia-exp11-task", "Q7xk2Pa"), host: "trial-a", up: 0, roundsFrom: 3, down: 14, scores: [0.41, 0.44, 0.46, 0.48], final: { at: 14, rewards: { reward: 0.48 } } },
  { experiment: "gaia-exp11-task", trial: trialName("gaia-exp11-task", "Lm3ZtR9"), host: "trial-a", up: 2, roundsFrom: 5, down: 26, scores: [0.43, 0.47, 0.49, 0.5, 0.51, 0.97], final: { at: 26, rewards: { reward: 0.51 } },
    marks: { 1: { status: "invalid", diagnostics: ["inference_budget_exhausted", "infrastructure_invalidity_threshold_exceeded"] }, 5: { principal: "admin", status: "success" } } },
  { experiment: "gaia-exp12-task", trial: trialName("gaia-exp12-task", "b8VnW2c"), host: "trial-a", up: 0, roundsFrom: 4, down: 30, scores: [0.4, 0.42, 0.44, 0.43, 0.43], final: { at: 30, rewards: { reward: 0.43 } } },
  { experiment: "swebench-lite__exp3-verifier-tweak", trial: trialName("swebench-lite__exp3-verifier-tweak", "r2D9kQe"), host: "trial-b", up: 0, roundsFrom: 3, down: 28, scores: [0.33, 0.52, 0.81, 0.94], final: { at: 28, rewards: { reward: 0.97 } } },
  { experiment: "tau-bench-retail-exp4", trial: trialName("tau-bench-retail-exp4", "Xp0aQ1m"), host: "trial-b", up: 1, roundsFrom: 6, down: 22, scores: [0.52, 0.5], final: { at: 22, rewards: null, exception: { type: "AgentTimeoutError", message: "Agent execution timed out after 3600.0 seconds" } } },
  { experiment: "gaia-exp16-task", trial: trialName("gaia-exp16-task", "k3JdN8s"), host: "trial-a", up: 1, roundsFrom: 5, down: 16, scores: [0.39, 0.4] },
  { experiment: "terminal-bench-exp7", trial: trialName("terminal-bench-exp7", "Hh6tY4u"), host: "trial-c", up: 0, roundsFrom: 4, scores: [0.36, 0.39, 0.41] },
  { experiment: "gaia-exp18-multi-metric", trial: trialName("gaia-exp18-multi-metric", "Zc5vB7n"), host: "trial-b", up: 2, roundsFrom: 6, down: 31, scores: [0.55, 0.58, 0.61], final: { at: 31, rewards: { accuracy: 0.61, cost_usd: 1.92 } } },
  { experiment: "gaia-exp19-task", trial: trialName("gaia-exp19-task", "Wq2eR5t"), host: "trial-b", up: 3, roundsFrom: 8, scores: [0.4, 0.43, 0.42, 0.45, 0.46, 0.47, 0.46, 0.48], endless: true, veroMain: true,
    marks: { 0: { principal: "system", status: "success" }, 2: { feasible: false, violations: ["cost $2.40 per task exceeds $2.00"] } } },
  { experiment: "gaia-exp21-task", trial: trialName("gaia-exp21-task", "Nn5sH2d"), host: "trial-b", up: 1, roundsFrom: 3, down: 20, scores: [0.41, 0.4], veroMain: true,
    final: { at: 20, rewards: { reward: 0 }, finalization: { shipped: false, candidate: null, errors: {}, baseline_rewards: { reward: 0.42 } } } },
  { experiment: "gaia-exp22-task", trial: trialName("gaia-exp22-task", "Vv7kL9q"), host: "trial-a", up: 1, roundsFrom: 4, down: 24, scores: [0.44, 0.5, 0.52], veroMain: true,
    final: { at: 24, rewards: { reward: 0.52 }, finalization: { shipped: true, candidate: "3f2a9c1", errors: { reward: "verifier lost 14 of 40 cases to infrastructure" }, baseline_rewards: { reward: 0.43 } } } },
  { experiment: "gaia-exp20-task", trial: trialName("gaia-exp20-task", "Pn4sU1o"), host: "trial-a", up: 10, scores: [] },
  { experiment: "adhoc-probe-task", trial: trialName("adhoc-probe-task", "Ty8uI3p"), host: "trial-b", up: 4, roundsFrom: 7, scores: [0.2, 0.22, 0.25, 0.24], endless: true },
];

export const demoHosts = ["trial-a", "trial-b", "trial-c"] as const;
/** trial-c goes silent here: its experiment turns stale once the heartbeat timeout passes. */
const SILENT_HOST = "trial-c";
const SILENT_AFTER_S = 12;
const ROUND_EVERY_S = 4;

const SPLITS = ["validation", "test"] as const;

function roundCount(t: DemoTrial, s: number): number {
  if (t.roundsFrom === undefined || s < t.roundsFrom) return 0;
  const n = Math.floor((s - t.roundsFrom) / ROUND_EVERY_S) + 1;
  return t.endless ? n : Math.min(n, t.scores.length);
}

/** Rounds the sidecar recorded in (prevS, s]: an agent only sends what is new. */
function newRounds(t: DemoTrial, prevS: number, s: number, startMs: number) {
  const rows = [];
  for (let i = roundCount(t, prevS); i < roundCount(t, s); i++) {
    const base = t.scores[Math.min(i, t.scores.length - 1)] ?? 0;
    const wobble = t.endless && i >= t.scores.length ? Math.sin(i) * 0.01 : 0;
    const created = new Date(startMs + ((t.roundsFrom ?? 0) + i * ROUND_EVERY_S) * 1000).toISOString().replace("Z", "");
    const split = SPLITS[i % 4 === 3 ? 1 : 0]!;
    const mark = t.marks?.[i];
    rows.push({
      // Scripted rounds keep fixed ids, so a restarted demo re-sends them harmlessly; endless extras are new.
      id: i < t.scores.length ? `${t.trial}-r${i + 1}` : `${t.trial}-r${i + 1}-${created}`,
      commit: hexish(`${t.trial}:${i}`),
      split,
      score: split === "test" ? null : Math.round((base + wobble) * 1000) / 1000,
      error_rate: mark?.status === "invalid" ? 0.85 : Math.round(((i * 7) % 5) * 0.01 * 1000) / 1000,
      created_at: created,
      ...mark,
    });
  }
  return rows;
}

function hexish(seed: string): string {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return (h.toString(16).padStart(8, "0") + ((h * 2654435761) >>> 0).toString(16).padStart(8, "0")).slice(0, 12);
}

const isLive = (t: DemoTrial, s: number) => s >= t.up && (t.down === undefined || s < t.down);

/** What one host reports for (prevS, s]: a heartbeat, its live trials with new rounds, new finals. */
export function hostObservations(host: string, prevS: number, s: number, startMs: number, nowIso: string): Observation[] {
  const mine = demoTrials.filter((t) => t.host === host);
  const live = mine.filter((t) => isLive(t, s));
  const out: Observation[] = [
    { kind: "heartbeat", at: nowIso, docker: "ok", containers: live.map((t) => containerFor(t.trial)), jobs_dirs: ["/srv/harbor/jobs"] },
  ];
  for (const t of live) {
    const rows = newRounds(t, prevS, s, startMs);
    const used = roundCount(t, s);
    out.push({
      kind: "trial",
      experiment: t.trial.slice(0, t.trial.lastIndexOf("__")).toLowerCase(),
      trial: t.trial,
      container: containerFor(t.trial),
      at: nowIso,
      rows,
      budget: [
        { split: "validation", tier: "viewable", remaining_runs: Math.max(0, 40 - used), remaining_samples: Math.max(0, 4000 - used * 100), total_runs: 40, total_samples: 4000 },
        t.veroMain
          ? { split: "test", tier: "no_access", remaining_runs: null, remaining_samples: null, disclosed: false }
          : { split: "test", tier: "no_access", remaining_runs: Math.max(0, 5 - Math.floor(used / 4)), remaining_samples: null, total_runs: 5 },
      ],
      ...(t.veroMain ? { usage: [{ scope: "gateway", remaining_requests: Math.max(0, 500 - used * 20), remaining_tokens: Math.max(0, 2_000_000 - used * 90_000) }], evaluating: { queued: used % 2, running: 1 } } : {}),
    });
  }
  for (const t of mine) {
    if (!t.final || t.final.at > s || t.final.at <= prevS) continue;
    const finishedAt = new Date(startMs + t.final.at * 1000).toISOString();
    out.push({
      kind: "final",
      experiment: t.experiment,
      trial: t.trial,
      job: DEMO_JOB,
      rewards: t.final.rewards,
      finished_at: finishedAt,
      ...(t.final.exception ? { exception: t.final.exception } : {}),
      source: t.final.rewards ? "reward.json" : "result.json",
      ...t.final.finalization,
    });
  }
  out.push(jobProgress(mine, s, startMs, nowIso));
  return out;
}

/** The host's share of the demo Harbor job, as its rewritten result.json would count it at `s`. */
function jobProgress(mine: readonly DemoTrial[], s: number, startMs: number, nowIso: string): Observation {
  const finished = mine.filter((t) => t.final && t.final.at <= s);
  const errored = finished.filter((t) => t.final!.rewards === null).length;
  const running = mine.filter((t) => isLive(t, s) && !finished.includes(t)).length;
  const allDone = mine.every((t) => t.final !== undefined && t.final.at <= s);
  return {
    kind: "job", job: DEMO_JOB, jobs_dir: "/srv/harbor/jobs", at: nowIso, n_total_trials: mine.length, completed: finished.length, errored, running,
    pending: Math.max(0, mine.length - finished.length - running), cancelled: 0, retries: 0, cost_usd: Math.round(s * 0.37 * mine.length) / 100,
    started_at: new Date(startMs).toISOString(), updated_at: nowIso, finished_at: allDone ? nowIso : null,
  };
}

export function hostIsSilent(host: string, s: number): boolean {
  return host === SILENT_HOST && s >= SILENT_AFTER_S;
}
