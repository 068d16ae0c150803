// Test support: an HTTP proxy in front of the Worker that, when armed, kills the agent with SIGKILL
// right after the server applied a batch and before the agent hears the ack (the crash window).
import { createServer, request, type Server } from "node:http";
import { freePort, type RunningWorker } from "../../support/wrangler-dev.ts";

export interface AckKiller {
  server: Server;
  port: number;
  /** Called once, instead of delivering the next 200 from /ingest; the agent then never sees that ack. */
  killAgentOnNextAck: (() => void) | null;
  /** When set, only a batch whose body it accepts arms the kill: an ack already in flight for an
   *  older batch (a heartbeat, say) then passes through instead of killing the agent too early. */
  killOnlyForBatch: ((body: string) => boolean) | null;
}

export async function startAckKiller(target: () => RunningWorker): Promise<AckKiller> {
  const port = await freePort();
  const p: AckKiller = { server: createServer(), port, killAgentOnNextAck: null, killOnlyForBatch: null };
  p.server.on("request", (req, res) => {
    const sent: Buffer[] = [];
    req.on("data", (c: Buffer) => sent.push(c));
    req.on("end", () => {
      const body = Buffer.concat(sent);
      const upstream = request({ host: "127.0.0.1", port: target().port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const chunks: Buffer[] = [];
        up.on("data", (c) => chunks.push(c));
        up.on("end", () => {
          const kill = p.killAgentOnNextAck;
          const chosen = p.killOnlyForBatch?.(body.toString("utf8")) ?? true;
          if (kill && chosen && up.statusCode === 200 && req.url?.endsWith("/ingest")) {
            p.killAgentOnNextAck = null;
            p.killOnlyForBatch = null;
            kill();
            res.destroy();
            return;
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.end(Buffer.concat(chunks));
        });
      });
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => p.server.listen(port, "127.0.0.1", r));
  return p;
}
