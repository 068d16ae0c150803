// Trial and experiment names from sidecar container names and trial dirs (pure).
import { describe, expect, it } from "vitest";
import { experimentKey, parseSidecarContainerName, parseTrialName } from "../../agent/trial-name.ts";

describe("trial names", () => {
  it("reads a Harbor < 0.16 sidecar container name", () => {
    expect(parseSidecarContainerName("gaia-exp11-task__nxkmtjb-eval-sidecar-1")).toEqual({ trial: "gaia-exp11-task__nxkmtjb", experiment: "gaia-exp11-task", id: "nxkmtjb" });
  });

  it("reads a Harbor ≥ 0.16 `__env` sidecar container name as the same trial", () => {
    expect(parseSidecarContainerName("/gaia-exp11-task__nxkmtjb__env-eval-sidecar-1")).toEqual(parseSidecarContainerName("gaia-exp11-task__nxkmtjb-eval-sidecar-1"));
  });

  it("splits on the LAST `__` so task names may contain `__`", () => {
    expect(parseTrialName("my__task__with__parts__abc1234")).toEqual({ trial: "my__task__with__parts__abc1234", experiment: "my__task__with__parts", id: "abc1234" });
    expect(parseSidecarContainerName("my__task__abc1234__env-eval-sidecar-1")?.experiment).toBe("my__task");
  });

  it("compares in lowercase: trial dirs keep case, container names do not", () => {
    expect(parseTrialName("GAIA-Exp11__NxKmTjB")?.trial).toBe(parseSidecarContainerName("gaia-exp11__nxkmtjb-eval-sidecar-1")?.trial);
  });

  it("ignores containers that are not eval sidecars and names without a trial id", () => {
    expect(parseSidecarContainerName("gaia-exp11__nxkmtjb-main-1")).toBeNull();
    expect(parseSidecarContainerName("eval-sidecar-1")).toBeNull();
    expect(parseSidecarContainerName("notatrial-eval-sidecar-1")).toBeNull();
    expect(parseTrialName("__abc")).toBeNull();
    expect(parseTrialName("task__")).toBeNull();
  });

  it("prefers the full task name from the trial dir over the 32-character cut", () => {
    const cut = parseTrialName("a-very-long-task-name-that-gets-__abc1234")!;
    expect(cut.experiment).toHaveLength(32);
    expect(experimentKey(cut, "A-very-long-task-name-that-gets-cut-here")).toBe("a-very-long-task-name-that-gets-cut-here");
    expect(experimentKey(cut, null)).toBe("a-very-long-task-name-that-gets-");
  });
});
