// How a sidecar read reaches its container: a fresh exec per read (one-shot), or one long-lived
// exec per sidecar fed a line per read (session). Both run the same script; both are bounded on
// our side by an abort, inside the container by `timeout`/curl --max-time.
import type { DockerEngine } from "../docker/engine.ts";
import { execInContainer, ExecTimeout } from "../docker/exec.ts";
import { openExecSession, type ExecSession } from "../docker/exec-session.ts";
import { doneMarker, sessionArgs, sidecarReadCommand, sidecarSessionCommand, type ScriptArgs } from "./script.ts";

export type ExecMode = "session" | "per-read";

export interface ReadTransport {
  /** Runs one read; resolves with the script's stdout for it. */
  run(container: string, args: ScriptArgs, timeoutMs: number, signal?: AbortSignal): Promise<string>;
  /** Drops state for containers no longer live. */
  retain(live: Set<string>): void;
  close(): void;
}

export function perReadTransport(docker: DockerEngine): ReadTransport {
  return {
    run: async (container, args, timeoutMs, signal) => (await execInContainer(docker, container, sidecarReadCommand(args), { timeoutMs, signal })).stdout,
    retain: () => undefined,
    close: () => undefined,
  };
}

export function sessionTransport(docker: DockerEngine): ReadTransport {
  const sessions = new Map<string, ExecSession>();
  return {
    async run(container, args, timeoutMs, signal) {
      const deadline = AbortSignal.timeout(timeoutMs);
      const bound = signal ? AbortSignal.any([deadline, signal]) : deadline;
      let session = sessions.get(container);
      try {
        if (!session || session.closed) {
          session = await openExecSession(docker, container, sidecarSessionCommand(), { signal: bound });
          sessions.set(container, session);
        }
        session.take();
        session.send(sessionArgs(args).join(" "));
        await session.waitFor(doneMarker(args.nonce), bound);
        return session.take();
      } catch (err) {
        // A session that missed its deadline may still answer later: never reuse it.
        session?.close();
        sessions.delete(container);
        if (deadline.aborted) throw new ExecTimeout(`no answer within ${timeoutMs} ms (session closed; the in-container timeout ends the read)`);
        if (signal?.aborted) throw new ExecTimeout("aborted: agent shutting down");
        throw err;
      }
    },
    retain(live) {
      for (const [c, s] of sessions) {
        if (!live.has(c)) {
          s.close();
          sessions.delete(c);
        }
      }
    },
    close() {
      for (const s of sessions.values()) s.close();
      sessions.clear();
    },
  };
}
