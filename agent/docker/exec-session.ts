// A long-lived `docker exec` with stdin attached: the Engine API hijacks the connection (HTTP 101),
// we write command lines to the process's stdin and read its demultiplexed stdout. One exec (runc
// spawn) per sidecar instead of one per read; closing the socket closes stdin, and the script exits.
import { request } from "node:http";
import type { Duplex } from "node:stream";
import type { DockerEngine } from "./engine.ts";

export interface ExecSession {
  /** Writes one line to the process's stdin. */
  send(line: string): void;
  /** Everything on stdout since the last `take`. */
  take(): string;
  /** Resolves when stdout holds `marker` (or rejects when the session ends or `signal` aborts). */
  waitFor(marker: string, signal: AbortSignal): Promise<void>;
  close(): void;
  readonly closed: boolean;
}

export async function openExecSession(docker: DockerEngine, container: string, cmd: string[], opts: { signal: AbortSignal; user?: string }): Promise<ExecSession> {
  const prefix = await docker.apiPrefix();
  const created = (await docker.json(
    "POST",
    `${prefix}/containers/${encodeURIComponent(container)}/exec`,
    { AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false, Cmd: cmd, User: opts.user ?? "0" },
    { signal: opts.signal },
  )) as { Id: string };
  const socket = await new Promise<Duplex>((resolve, reject) => {
    const payload = JSON.stringify({ Detach: false, Tty: false });
    const req = request({
      socketPath: docker.socketPath,
      method: "POST",
      path: `${prefix}/exec/${created.Id}/start`,
      headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload), Connection: "Upgrade", Upgrade: "tcp" },
      signal: opts.signal,
    });
    req.on("upgrade", (_res, sock, head) => {
      if (head.length) sock.unshift(head);
      resolve(sock);
    });
    req.on("response", (res) => {
      res.resume();
      reject(new Error(`exec start: HTTP ${res.statusCode} (no upgrade)`));
    });
    req.on("error", reject);
    req.end(payload);
  });

  let out = "";
  let pending: Buffer = Buffer.alloc(0);
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  socket.on("data", (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      if (pending[0] === 1) out += pending.subarray(8, 8 + size).toString("utf8");
      pending = pending.subarray(8 + size);
    }
    wake();
  });
  const end = () => {
    closed = true;
    wake();
  };
  socket.on("close", end);
  socket.on("end", end);
  socket.on("error", end);

  return {
    send: (line) => void socket.write(line + "\n"),
    take: () => {
      const s = out;
      out = "";
      return s;
    },
    waitFor(marker, signal) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.includes(marker)) return done(), resolve();
          if (signal.aborted) return done(), reject(new Error("aborted"));
          if (closed) return done(), reject(new Error("exec session ended"));
        };
        const done = () => {
          waiters.delete(check);
          signal.removeEventListener("abort", check);
        };
        waiters.add(check);
        signal.addEventListener("abort", check, { once: true });
        check();
      });
    },
    close: () => {
      closed = true;
      socket.destroy();
    },
    get closed() {
      return closed;
    },
  };
}
