// The workerd test pool's outbound fetch handler: stands in for Cloudflare Access's key endpoint
// (https://<team>.cloudflareaccess.com/cdn-cgi/access/certs) so the Worker fetches a real JWKS
// over HTTP. Tests publish their generated public keys with a POST to https://jwks.lookout.test/<team host>.
// Every other request passes through unchanged.
import { fetch, Response, type Request } from "miniflare";

const REGISTRY_HOST = "jwks.lookout.test";
const keySets = new Map<string, string>();
const fetches = new Map<string, number>();

export async function accessJwksOutbound(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.hostname === REGISTRY_HOST) {
    const team = url.pathname.slice(1).replace(/\/fetches$/, "");
    if (request.method === "POST") {
      keySets.set(team, await request.text());
      fetches.set(team, 0);
      return new Response(null, { status: 204 });
    }
    // How many times the Worker fetched this team's keys (proves the key set is cached).
    return Response.json({ fetches: fetches.get(team) ?? 0 });
  }
  if (url.hostname.endsWith(".cloudflareaccess.com") && url.pathname === "/cdn-cgi/access/certs") {
    fetches.set(url.hostname, (fetches.get(url.hostname) ?? 0) + 1);
    const jwks = keySets.get(url.hostname);
    if (jwks === undefined) return new Response("no such team", { status: 404 });
    return new Response(jwks, { headers: { "content-type": "application/json" } });
  }
  return fetch(request);
}
