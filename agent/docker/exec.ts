// One `docker exec` through the Engine API: create, start attached, demultiplex stdout/stderr.
// Docker has no API to kill an exec, so the command bounds itself and we abort our side too.
import type { DockerEngine } from "./engine.ts";

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export class ExecTimeout extends Error {}

const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

/** Runs `cmd` in `container`; rejects with ExecTimeout when `timeoutMs` passes or `signal` aborts. */
export async function execInContainer(
  docker: DockerEngine,
  container: string,
  cmd: string[],
  opts: { timeoutMs: number; signal?: AbortSignal; user?: string },
): Promise<ExecResult> {
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  try {
    const prefix = await docker.apiPrefix();
    const created = (await docker.json(
      "POST",
      `${prefix}/containers/${encodeURIComponent(container)}/exec`,
      { AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, Cmd: cmd, User: opts.user ?? "0" },
      { signal },
    )) as { Id: string };
    const res = await docker.raw("POST", `${prefix}/exec/${created.Id}/start`, { Detach: false, Tty: false }, { signal, timeoutMs: null });
    if ((res.statusCode ?? 0) >= 400) {
      res.resume();
      throw new Error(`exec start: HTTP ${res.statusCode}`);
    }
    return await demux(res, signal);
  } catch (err) {
    if (deadline.aborted) throw new ExecTimeout(`no answer within ${opts.timeoutMs} ms (exec abandoned; the in-container timeout ends it)`);
    if (opts.signal?.aborted) throw new ExecTimeout("aborted: agent shutting down");
    throw err;
  }
}

/** Docker's raw-stream framing: [stream, 0, 0, 0, size(4, BE)] + payload, repeated. */
function demux(res: NodeJS.ReadableStream & { destroy(err?: Error): void }, signal: AbortSignal): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let pending: Buffer = Buffer.alloc(0);
    let total = 0;
    const onAbort = () => res.destroy(new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    res.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > MAX_OUTPUT_BYTES) return res.destroy(new Error(`exec output over ${MAX_OUTPUT_BYTES} bytes`));
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const payload = pending.subarray(8, 8 + size);
        (pending[0] === 2 ? err : out).push(payload);
        pending = pending.subarray(8 + size);
      }
    });
    const finish = (e?: Error) => {
      signal.removeEventListener("abort", onAbort);
      if (e) reject(e);
      else resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    };
    res.on("end", () => finish());
    res.on("error", (e: Error) => finish(e));
    res.on("close", () => finish(signal.aborted ? new Error("aborted") : undefined));
  });
}
