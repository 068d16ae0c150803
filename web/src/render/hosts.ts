// The trial machines reporting to this campaign: last heartbeat, docker reachability, staleness.
import type { HostStatus } from "../../../protocol/status.ts";
import { columnHeader, h } from "../dom.ts";
import { formatDuration } from "../format.ts";
import { agoLabel } from "./ago.ts";

const icon = (glyph: string) => h("span", { class: "icon", attrs: { "aria-hidden": "true" } }, glyph);

function hostRow(host: HostStatus, nowMs: number): HTMLElement {
  return h(
    "tr",
    { class: host.stale ? "stale" : "" },
    h("th", { class: "mono", attrs: { scope: "row" } }, host.host),
    h("td", null, host.stale
      ? h("span", { class: "badge bad" }, icon("◷"), `stale: silent ${formatDuration(host.silent_for_s)}`)
      : h("span", { class: "badge ok" }, icon("●"), "reporting")),
    h("td", null, host.docker === "ok" ? h("span", { class: "badge ok" }, icon("✓"), "docker ok") : h("span", { class: "badge bad" }, icon("✕"), "docker unreachable")),
    h("td", { class: "num" }, String(host.containers)),
    h("td", null, agoLabel(host.last_seen, "", nowMs)),
    h("td", { class: "mono muted" }, host.agent_id),
  );
}

export function hostsSection(hosts: readonly HostStatus[], nowMs: number): HTMLElement {
  const sorted = [...hosts].sort((a, b) => Number(b.stale) - Number(a.stale) || (a.host < b.host ? -1 : 1));
  return h(
    "section",
    { class: "hosts", attrs: { "aria-label": "Hosts" } },
    h("h2", null, `Hosts (${hosts.length})`),
    hosts.length === 0
      ? h("p", { class: "muted" }, "No agent has reported yet.")
      : h("table", null, h("thead", null, h("tr", null, columnHeader("host"), columnHeader("status"), columnHeader("docker"), columnHeader("sidecars"), columnHeader("last heartbeat"), columnHeader("agent"))), h("tbody", null, ...sorted.map((host) => hostRow(host, nowMs)))),
  );
}
