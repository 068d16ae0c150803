// `npm run bench:live-load`: the live path at scale. A campaign of 500 experiments on 8 hosts, one signed
// posting loop per host (a heartbeat plus 10 trial observations with one new round each), measured with
// 0 and with 10 live boards open (raw WebSockets on /api/campaigns/<c>/live that read and count every
// message), alternating, medians over RUNS runs: batches/s both ways, bytes per delta, and the DO's own
// time per batch (bench-only timing in BenchCampaignObject, sequential probe). Deltas are coalesced (one
// per window at most), so each board folds them by key and must end equal to the stored board (rounds per
// experiment): that is the nothing-lost check. Then GET /status at
// 500 experiments × 2,000 rounds beside its transport floor. Real Worker via `wrangler dev`, loopback only.
// Usage: [BENCH_CHURN=1] node bench/live-load.mjs [runs=5] [batchesPerHost=25] [probeBatches=20]
import { spawnSync } from "node:child_process";

// Node 20 ships its WebSocket client behind a flag (Node 22 has it on): re-run with it rather than add a dependency.
if (typeof globalThis.WebSocket === "undefined") {
  const child = spawnSync(process.execPath, ["--experimental-websocket", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const { prepareBatches, sendAll, startBenchWorker, statusAtScale } = await import("./bench-worker.mjs");
const { median, pct } = await import("./stats.mjs");

const RUNS = Math.max(5, Number(process.argv[2] ?? 5));
const BATCHES_PER_HOST = Number(process.argv[3] ?? 25);
const PROBE_BATCHES = Number(process.argv[4] ?? 20);
const EXPERIMENTS = 500;
const HOSTS = 8;
const BOARDS = 10;
const TRIALS_PER_BATCH = 10;
const SEED_ROUNDS = 20;
const CAMPAIGN = "bench-live-load";
/** The whole bench stops itself after this, whatever state it is in. */
const WATCHDOG_MS = 15 * 60_000;

const fmt = (n, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const kib = (bytes) => `${fmt(bytes / 1024)} KiB`;
const pad = (n, w) => String(n).padStart(w, "0");
const keyOf = (e) => `load-exp-${pad(e, 3)}`;
const trialOf = (e) => `${keyOf(e)}__t${pad(e, 6)}`;
const containerOf = (e) => `${trialOf(e)}__env-eval-sidecar-1`;
/** Host h runs every experiment e with e % HOSTS === h (62 or 63 each). */
const experimentsOf = (h) => Array.from({ length: EXPERIMENTS }, (_, e) => e).filter((e) => e % HOSTS === h);

/**
 * BENCH_CHURN=1: each posting batch's heartbeat leaves out one of the host's containers, a different one
 * each time (one came back, one went: a trial restarting on every batch, the worst case for liveness).
 */
const CHURN = process.env.BENCH_CHURN === "1";
const heartbeatFor = (h, seq = null) => {
  const mine = experimentsOf(h);
  const left = CHURN && seq !== null ? mine.filter((_, i) => i !== seq % mine.length) : mine;
  return { kind: "heartbeat", at: new Date().toISOString(), docker: "ok", containers: left.map(containerOf), jobs_dirs: ["/jobs"] };
};
const observation = (e, rows, remaining) => ({
  kind: "trial", experiment: keyOf(e), trial: trialOf(e), container: containerOf(e), at: new Date().toISOString(), rows,
  budget: [{ split: "dev", tier: "viewable", remaining_runs: remaining, remaining_samples: remaining * 40 }, { split: "test", tier: "no_access", remaining_runs: 3, remaining_samples: null }],
});
const roundRow = (id, n) => ({ id, commit: `c${n.toString(16).padStart(10, "0")}`, split: n % 5 === 0 ? "test" : "dev", score: 0.3 + (n % 61) / 100, error_rate: (n % 7) / 100, created_at: new Date().toISOString() });

/** One host's batches for one posting loop: its heartbeat, then 10 of its experiments with one new round each. */
function hostBatches(url, h, count, epoch) {
  const mine = experimentsOf(h);
  return prepareBatches(url, CAMPAIGN, `load-agent-${h}`, `load-host-${h}`, count, (seq) => [
    heartbeatFor(h, seq),
    ...Array.from({ length: TRIALS_PER_BATCH }, (_, j) => {
      const e = mine[((seq - 1) * TRIALS_PER_BATCH + j) % mine.length];
      return observation(e, [roundRow(`${epoch}-${seq}-${j}`, seq * 31 + e)], 100 - (seq % 90));
    }),
  ], epoch);
}

/**
 * Opens `count` live boards and waits for each one's snapshot; every later message is counted, sized and
 * folded by key like the page does (rounds per experiment), so the bench can check nothing was lost.
 */
async function openBoards(url, count) {
  const boards = await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const board = { ws: new WebSocket(`${url.replace("http:", "ws:")}/api/campaigns/${CAMPAIGN}/live`), snapshotBytes: 0, deltas: [], unread: [], entries: [], rounds: new Map(), other: 0 };
    const timer = setTimeout(() => reject(new Error("no snapshot within 30 s")), 30_000);
    board.ws.addEventListener("message", (ev) => {
      const text = String(ev.data);
      const bytes = Buffer.byteLength(text);
      if (board.snapshotBytes === 0 && text.startsWith('{"type":"snapshot"')) {
        board.snapshotBytes = bytes;
        for (const e of JSON.parse(text).status.experiments) board.rounds.set(e.key, e.rounds.count);
        clearTimeout(timer);
        resolve(board);
      } else if (text.startsWith('{"type":"delta"')) {
        // Parsed later (fold): JSON.parse here would compete for the CPU with the Worker being timed.
        board.deltas.push(bytes);
        board.unread.push(text);
      } else board.other += 1;
    });
    board.ws.addEventListener("error", () => reject(new Error("live socket error")));
  })));
  return boards;
}

async function timing(url, on) {
  const res = await fetch(`${url}/bench/ingest-timing?campaign=${CAMPAIGN}&on=${on ? 1 : 0}`);
  if (!res.ok) throw new Error(`ingest-timing ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Folds the deltas a board has read so far into its rounds per experiment, later over earlier. */
function fold(board) {
  for (const text of board.unread.splice(0)) {
    const delta = JSON.parse(text);
    board.entries.push(delta.experiments.length);
    for (const e of delta.experiments) board.rounds.set(e.key, e.rounds.count);
  }
  return board;
}

/** One measured pass with `boardCount` boards open: concurrent loops, then a sequential probe for DO time. */
async function pass(url, run, boardCount) {
  const boards = boardCount > 0 ? await openBoards(url, boardCount) : [];
  const epoch = `r${run}-b${boardCount}`;
  const agents = await Promise.all(Array.from({ length: HOSTS }, (_, h) => hostBatches(url, h, BATCHES_PER_HOST, epoch)));
  const batchBytes = agents.flatMap((a) => a.batches.map((b) => Buffer.byteLength(b.body)));
  const t0 = performance.now();
  await Promise.all(agents.map(sendAll));
  const seconds = (performance.now() - t0) / 1000;
  const sent = HOSTS * BATCHES_PER_HOST;

  // Deltas are coalesced (at most one per window), so a board is checked by content: wait (bounded)
  // until every board's folded rounds per experiment equal the stored board's.
  const stored = new Map(boards.length ? (await (await fetch(`${url}/api/campaigns/${CAMPAIGN}/status`)).json()).experiments.map((e) => [e.key, e.rounds.count]) : []);
  const converged = (b) => [...stored].every(([k, n]) => fold(b).rounds.get(k) === n);
  const deadline = Date.now() + 15_000;
  while (boards.some((b) => !converged(b)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const behind = boards.filter((b) => !converged(b)).length;

  const probe = await hostBatches(url, 0, PROBE_BATCHES, `p${run}-b${boardCount}`);
  const deltasBeforeProbe = boards[0]?.deltas.length ?? 0;
  const postMs = [];
  await timing(url, true);
  for (const b of probe.batches) {
    const p0 = performance.now();
    const res = await fetch(probe.url, { method: "POST", body: b.body, headers: b.headers });
    await res.text();
    if (res.status !== 200) throw new Error(`probe ingest ${res.status}`);
    postMs.push(performance.now() - p0);
  }
  const doMs = await timing(url, false);
  await new Promise((r) => setTimeout(r, 400)); // the last window closes
  const probeDeltas = boards.length ? boards[0].deltas.length - deltasBeforeProbe : null;
  for (const b of boards) b.ws.close(1000, "bench done");
  return {
    boardCount, rate: sent / seconds, seconds, sent, batchBytes: median(batchBytes),
    deltas: boards.flatMap((b) => b.deltas), entries: boards.flatMap((b) => fold(b).entries), perBoard: boards.length ? median(boards.map((b) => b.deltas.length)) : null,
    behind, snapshotBytes: boards[0]?.snapshotBytes ?? null,
    doMs: median(doMs), doP95: pct(doMs, 95), postMs: median(postMs), probeDeltas,
  };
}

const worker = await startBenchWorker();
const watchdog = setTimeout(async () => {
  console.error(`bench:live-load still running after ${WATCHDOG_MS / 60_000} min: stopping`);
  await worker.stop();
  process.exit(2);
}, WATCHDOG_MS);
try {
  // The campaign: meta for 500 experiments with bars, then each host's trials with SEED_ROUNDS rounds each.
  const meta = { title: "live-load bench", experiments: Array.from({ length: EXPERIMENTS }, (_, e) => ({ key: keyOf(e), title: `Experiment ${e}`, question: `Does change ${e} beat the bar?`, bars: { baseline: 0.42, win_bar: 0.5, healthy: 0.95 } })) };
  const metaRes = await fetch(`${worker.url}/api/campaigns/${CAMPAIGN}/meta`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(meta) });
  if (!metaRes.ok) throw new Error(`meta ${metaRes.status}: ${await metaRes.text()}`);
  await Promise.all(Array.from({ length: HOSTS }, async (_, h) => {
    const mine = experimentsOf(h);
    const chunks = Math.ceil(mine.length / 16);
    const seeder = await prepareBatches(worker.url, CAMPAIGN, `load-agent-${h}`, `load-host-${h}`, chunks, (seq) => [
      heartbeatFor(h),
      ...mine.slice((seq - 1) * 16, seq * 16).map((e) => observation(e, Array.from({ length: SEED_ROUNDS }, (_, r) => roundRow(`seed-${e}-${r}`, e * SEED_ROUNDS + r)), 100)),
    ], "seed");
    await sendAll(seeder);
  }));
  const seeded = await (await fetch(`${worker.url}/api/campaigns/${CAMPAIGN}/status`)).json();
  const live = seeded.experiments.filter((e) => e.phase === "running").length;
  if (seeded.experiments.length !== EXPERIMENTS || seeded.hosts.length !== HOSTS) throw new Error(`seeded board is wrong: ${seeded.experiments.length} experiments, ${seeded.hosts.length} hosts`);
  console.log(`campaign ${CAMPAIGN}: ${EXPERIMENTS} experiments (${live} running) on ${HOSTS} hosts, ${SEED_ROUNDS} rounds each`);

  await pass(worker.url, 0, BOARDS); // warm-up: DO instantiated, board code hot; not reported
  const results = { 0: [], [BOARDS]: [] };
  for (let run = 1; run <= RUNS; run++) {
    for (const boardCount of run % 2 ? [0, BOARDS] : [BOARDS, 0]) {
      const r = await pass(worker.url, run, boardCount);
      results[boardCount].push(r);
      const deltaNote = boardCount > 0 ? ` | deltas: ${r.perBoard} per board for ${r.sent} batches, mean ${kib(r.deltas.reduce((a, b) => a + b, 0) / r.deltas.length)}; boards behind the stored board: ${r.behind}` : "";
      const probeNote = boardCount > 0 ? `, ${r.probeDeltas} deltas for ${PROBE_BATCHES} batches` : "";
      console.log(`run ${run}, ${String(boardCount).padStart(2)} boards: ${fmt(r.rate)} batches/s (${r.sent} in ${fmt(r.seconds, 2)} s) | probe: DO ${fmt(r.doMs)} ms/batch (p95 ${fmt(r.doP95)}), POST ${fmt(r.postMs)} ms${probeNote}${deltaNote}`);
    }
  }

  const m = (list, k) => median(list.map((r) => r[k]));
  const [none, many] = [results[0], results[BOARDS]];
  const deltas = many.flatMap((r) => r.deltas);
  const lost = many.filter((r) => r.behind > 0).length;
  const entries = many.flatMap((r) => r.entries);
  console.log(`\n## Live path under load: ${EXPERIMENTS} experiments, ${HOSTS} hosts × ${BATCHES_PER_HOST} batches per run (${fmt(none[0].batchBytes / 1024)} KiB each: heartbeat${CHURN ? " with one container gone and one back" : ""} + ${TRIALS_PER_BATCH} trials × 1 round), medians of ${RUNS} alternating runs`);
  console.log(`batches/s with  0 boards: ${fmt(m(none, "rate"))}  (runs: ${none.map((r) => fmt(r.rate)).join(", ")})`);
  console.log(`batches/s with ${BOARDS} boards: ${fmt(m(many, "rate"))}  (runs: ${many.map((r) => fmt(r.rate)).join(", ")})  → ratio ${fmt(m(many, "rate") / m(none, "rate"), 2)}`);
  console.log(`bytes per delta (${deltas.length} deltas read by ${BOARDS} boards, ${fmt(m(many, "perBoard"), 0)} per board per pass of ${many[0].sent} batches): mean ${kib(deltas.reduce((a, b) => a + b, 0) / deltas.length)}, p50 ${kib(pct(deltas, 50))}, max ${kib(Math.max(...deltas))}; experiments per delta p50 ${pct(entries, 50)}, max ${Math.max(...entries)}; snapshot on connect ${kib(many[0].snapshotBytes)}; runs where a board ended behind the stored board: ${lost}`);
  console.log(`DO time per batch (sequential probe, ${PROBE_BATCHES} batches per pass, entry→reply inside the DO): ${fmt(m(none, "doMs"))} ms with 0 boards, ${fmt(m(many, "doMs"))} ms with ${BOARDS} (p95 ${fmt(m(none, "doP95"))} / ${fmt(m(many, "doP95"))}); POST round trip ${fmt(m(none, "postMs"))} / ${fmt(m(many, "postMs"))} ms`);

  // The alarm's event-log pass over this campaign, full (after a participant changed the board) and light
  // (every other alarm), and the board's two event-log reads: the panel's page since an hour ago, one timeline.
  const logPasses = [];
  for (let i = 0; i < RUNS; i++) logPasses.push(await (await fetch(`${worker.url}/bench/event-log-profile?campaign=${CAMPAIGN}&reps=10`)).json());
  const readMs = async (query) => {
    const times = [];
    for (let i = 0; i < RUNS * 4; i++) {
      const t0 = performance.now();
      const res = await fetch(`${worker.url}/api/campaigns/${CAMPAIGN}/events?${query}`);
      if (!res.ok) throw new Error(`events ${res.status}`);
      await res.arrayBuffer();
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const since = new Date(Date.now() - 3600_000).toISOString();
  const [panelMs, timelineMs] = [await readMs(`since=${since}&limit=50`), await readMs(`experiment=${keyOf(7)}&limit=200`)];
  const pm = (k) => median(logPasses.map((p) => p[k]));
  const under = (ms) => (ms < 0.1 ? "< 0.1" : fmt(ms));
  console.log(`event log at ${EXPERIMENTS} experiments (ms per look, medians of ${RUNS}): alarm full pass ${fmt(pm("full_ms"))}, alarm hosts-and-budgets pass ${under(pm("light_ms"))}; one ingest's look at a host's ${logPasses[0].touched} experiments ${fmt(pm("touched_ms"))} (of which the board read for them ${fmt(pm("touched_facts_ms"))}); the silent-producer watch's due time read from trials ${under(pm("silent_watch_ms"))} (kept between alarms, not read per ingest); GET /events since 1 h (50) ${fmt(panelMs)} ms, one experiment's timeline ${fmt(timelineMs)} ms`);

  // Last, as it configures alerts on the campaign: the alerts' alarm step for a delivery retry.
  const alertPasses = [];
  for (let i = 0; i < RUNS; i++) alertPasses.push(await (await fetch(`${worker.url}/bench/alerts-alarm-profile?campaign=${CAMPAIGN}&reps=10`)).json());
  const am = (k) => median(alertPasses.map((p) => p[k]));
  console.log(`alerts at ${EXPERIMENTS} experiments (ms per alarm step, medians of ${RUNS}): a delivery retry's step ${under(am("delivery_only_ms"))}; a raise over every experiment (that step before, and still a clock-driven one: quiet, a host silent) ${fmt(am("raise_all_ms"))}`);

  const status = await statusAtScale(worker.url, "bench-live-status", { experiments: 500, rounds: 2000, seedAgents: 4, runs: RUNS, reads: 10 });
  console.log(`GET /status at 500 experiments × 2,000 rounds (${kib(status.bytes)}): median ${fmt(status.statusMedian)} ms, p95 ${fmt(status.statusP95)} ms; transport floor for the same bytes from Worker memory ${fmt(status.floorMedian)} ms (×${fmt(status.statusMedian / status.floorMedian, 2)})`);
} finally {
  clearTimeout(watchdog);
  await worker.stop();
}
