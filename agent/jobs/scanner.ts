// Polls Harbor jobs dirs (<jobs>/<job>/<trial>/) for trial task names and finals. Polling, not
// fs.watch: recursive watches are unreliable on Node 20. Unchanged trial dirs cost four stats.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FinalObservation } from "../../protocol/index.ts";
import type { Logger } from "../log.ts";
import { parseTrialName } from "../trial-name.ts";
import { finalFromFiles, parseResultJson, parseRewardJson, parseRewardTxt, taskNameFromConfig, type Parsed } from "./trial-files.ts";

export interface ScannedTrial {
  /** `<jobs dir>/<job>/<trial dir>`: the registry key of this attempt. */
  path: string;
  job: string;
  trial: string;
  /** Full task name from result.json or config.json, when known. */
  taskName: string | null;
  final: FinalObservation | null;
  /** Changes whenever any file the final is read from changes (e.g. a --max-retries rerun). */
  fingerprint: string;
}

const WATCHED = ["result.json", "config.json", "verifier/reward.json", "verifier/reward.txt"] as const;

export class JobsScanner {
  private cache = new Map<string, { sig: string; trial: ScannedTrial | null }>();

  constructor(private readonly jobsDirs: string[], private readonly log: Logger) {}

  async scan(): Promise<ScannedTrial[]> {
    const out: ScannedTrial[] = [];
    const seen = new Set<string>();
    for (const jobsDir of this.jobsDirs) {
      for (const job of await subdirs(jobsDir)) {
        for (const dir of await subdirs(join(jobsDir, job))) {
          const path = join(jobsDir, job, dir);
          const name = parseTrialName(dir);
          if (!name) continue;
          seen.add(path);
          const trial = await this.scanTrial(path, job, dir, name.experiment);
          if (trial) out.push(trial);
        }
      }
    }
    // A resumed job deletes unfinished trial dirs: forget them.
    for (const key of this.cache.keys()) if (!seen.has(key)) this.cache.delete(key);
    return out;
  }

  private async scanTrial(path: string, job: string, dir: string, fallbackExperiment: string): Promise<ScannedTrial | null> {
    const stats = await Promise.all(WATCHED.map((f) => stat(join(path, f)).catch(() => null)));
    const sig = stats.map((s) => (s ? `${s.mtimeMs}:${s.size}` : "-")).join("|");
    const cached = this.cache.get(path);
    if (cached && cached.sig === sig) return cached.trial;
    const [resultStat, configStat, rewardJsonStat, rewardTxtStat] = stats;
    if (!resultStat && !configStat) {
      this.cache.set(path, { sig, trial: null });
      return null;
    }
    const trial: ScannedTrial = { path, job, trial: dir.toLowerCase(), taskName: null, final: null, fingerprint: sig };
    if (configStat) {
      const fromConfig = taskNameFromConfig(await readFile(join(path, "config.json"), "utf8").catch(() => ""));
      // The trial name holds the task name's first 32 characters: a config naming another task is ignored.
      if (fromConfig && fromConfig.toLowerCase().startsWith(fallbackExperiment)) trial.taskName = fromConfig;
    }
    if (resultStat) {
      const result = parseResultJson(await readFile(join(path, "result.json"), "utf8").catch(() => ""));
      if (!result.ok) return this.retryLater(path, result.problem, trial);
      if (result.value.taskName) trial.taskName = result.value.taskName;
      const readReward = async (file: string, parse: (t: string) => Parsed<Record<string, number>>) =>
        parse(await readFile(join(path, file), "utf8").catch(() => ""));
      const usedReward = rewardJsonStat ?? rewardTxtStat;
      const final = finalFromFiles({
        job,
        trial: trial.trial,
        result: result.value,
        rewardJson: rewardJsonStat ? await readReward("verifier/reward.json", parseRewardJson) : null,
        rewardTxt: !rewardJsonStat && rewardTxtStat ? await readReward("verifier/reward.txt", parseRewardTxt) : null,
        rewardMtime: usedReward ? usedReward.mtime.toISOString() : null,
        resultMtime: resultStat.mtime.toISOString(),
        fallbackExperiment,
      });
      if (!final.ok) return this.retryLater(path, final.problem, trial);
      trial.final = final.value;
    }
    this.cache.set(path, { sig, trial });
    return trial;
  }

  /** Half-written or corrupt: log, report no final, and do not cache so the next cycle re-reads. */
  private retryLater(path: string, problem: string, trial: ScannedTrial): ScannedTrial {
    this.log.warn("trial files unreadable; retrying next cycle", { trial_dir: path, problem });
    this.cache.delete(path);
    return trial;
  }
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}
