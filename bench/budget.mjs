// `npm run bench:budget`: signed reserves per second against ONE campaign (one CampaignObject, so every
// reserve is serialised through its ledger transaction) and their latency, through the real Worker
// (wrangler dev). Baseline in the same run: signed heartbeat-only ingest batches at the same
// concurrency — the cheapest signed write the same path makes. Medians over RUNS runs.
// Usage: node bench/budget.mjs [runs=5] [requests=2000] [concurrency=32]
import { register } from "tsx/esm/api";
import { median, pct } from "./stats.mjs";

register();
const { startBenchWorker } = await import("./bench-worker.mjs");
const { agentIdentity, signedFetch, ingestPath } = await import("../test/support/ingest-client.ts");

const RUNS = Number(process.argv[2] ?? 5);
const REQUESTS = Number(process.argv[3] ?? 2000);
const CONCURRENCY = Number(process.argv[4] ?? 32);
const WARMUP = 100;
const SERIAL = 300;
if (RUNS < 5) console.warn(`note: ${RUNS} runs; BENCHMARKS.md figures use ≥ 5`);


/** Runs `count` requests from `lanes` concurrent lanes; each lane gets its own agent id. */
async function storm(count, lanes, send) {
  const latencies = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const start = performance.now();
        await send(lane, i);
        latencies.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: count / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

async function expectStatus(res, status, what) {
  const text = await res.text();
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text;
}

// Benches post far faster than one real agent: the bench Worker lifts both rate-limit layers (the
// per-isolate bucket and the AGENT_RATE_LIMIT ceiling, which the serial pass's 300 reserves from one agent exceed).
const worker = await startBenchWorker();
const results = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    const campaign = `bench-budget-${run}-${Date.now()}`;
    const total = REQUESTS + WARMUP + SERIAL;
    const put = await fetch(`${worker.url}/api/campaigns/${campaign}/budget`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ splits: [{ split: "validation", tier: "viewable", total_runs: total, total_samples: total * 50, max_samples_per_run: 50 }] }),
    });
    await expectStatus(put, 200, "PUT budget");
    const who = await Promise.all(Array.from({ length: CONCURRENCY }, (_, l) => agentIdentity(worker.agentSecret, campaign, `bench-${l}`)));
    const reservePath = `/v1/campaigns/${campaign}/budget/reserve`;
    const reserve = async (lane, i) => {
      const body = JSON.stringify({ split: "validation", runs: 1, samples: 50, experiment: "bench-exp", idempotency_key: `r${run}-${i}` });
      await expectStatus(await signedFetch(worker.url, who[lane], reservePath, body), 200, "reserve");
    };
    const seqs = new Array(CONCURRENCY).fill(0);
    const epoch = `bench${run}`;
    const ingest = async (lane) => {
      const at = new Date().toISOString();
      const body = JSON.stringify({
        agent: { id: who[lane].agentId, host: `bench-host-${lane}`, version: "bench" }, epoch, seq: ++seqs[lane], sent_at: at,
        observations: [{ kind: "heartbeat", at, docker: "ok", containers: [], jobs_dirs: [] }],
      });
      await expectStatus(await signedFetch(worker.url, who[lane], ingestPath(campaign), body), 200, "ingest");
    };

    await storm(WARMUP, CONCURRENCY, (lane, i) => reserve(lane, REQUESTS + i));
    await storm(WARMUP, CONCURRENCY, ingest);
    const baseline = await storm(REQUESTS, CONCURRENCY, ingest);
    const budget = await storm(REQUESTS, CONCURRENCY, reserve);
    // One lane: latency without queueing behind other reserves.
    const serial = await storm(SERIAL, 1, (_lane, i) => reserve(0, REQUESTS + WARMUP + i));

    // The ledger must agree with what the bench was told: every reserve granted once, nothing over.
    const ledger = JSON.parse(await expectStatus(await fetch(`${worker.url}/api/campaigns/${campaign}/budget?audit_limit=0`), 200, "GET budget"));
    const split = ledger.splits[0];
    if (split.remaining_runs !== 0 || split.open_reservations !== total) {
      throw new Error(`ledger disagrees: remaining ${split.remaining_runs}, open ${split.open_reservations}, expected 0 and ${total}`);
    }
    results.push({ budget, baseline, serial });
    console.log(
      `run ${run}: reserve ${budget.perSecond.toFixed(0)}/s p50 ${budget.p50.toFixed(2)} ms p99 ${budget.p99.toFixed(2)} ms | ` +
        `ingest baseline ${baseline.perSecond.toFixed(0)}/s p99 ${baseline.p99.toFixed(2)} ms | serial p50 ${serial.p50.toFixed(2)} ms p99 ${serial.p99.toFixed(2)} ms`,
    );
  }
} finally {
  await worker.stop();
}

const m = (pick) => median(results.map(pick));
const summary = {
  runs: RUNS, requests: REQUESTS, concurrency: CONCURRENCY,
  reserves_per_s: m((r) => r.budget.perSecond), reserve_p50_ms: m((r) => r.budget.p50), reserve_p99_ms: m((r) => r.budget.p99),
  ingest_per_s: m((r) => r.baseline.perSecond), ingest_p50_ms: m((r) => r.baseline.p50), ingest_p99_ms: m((r) => r.baseline.p99),
  throughput_ratio_reserve_vs_ingest: median(results.map((r) => r.budget.perSecond / r.baseline.perSecond)),
  p99_ratio_reserve_vs_ingest: median(results.map((r) => r.budget.p99 / r.baseline.p99)),
  serial_reserve_p50_ms: m((r) => r.serial.p50), serial_reserve_p99_ms: m((r) => r.serial.p99),
};
console.log("\nmedians over runs:");
console.log(JSON.stringify(summary, (k, v) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toFixed(3)) : v), 2));
