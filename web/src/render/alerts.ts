// The Alerts panel (admins only): channels without secrets, rules, recent deliveries with failures in red,
// and a send-test button. Reads GET /api/campaigns/:c/alerts, validated against protocol's AlertsView.
import { AlertsView } from "../../../protocol/alerts.ts";
import { getJson } from "../api-get.ts";
import { columnHeader, h } from "../dom.ts";
import { formatAgo, formatDuration } from "../format.ts";

const REFRESH_MS = 15_000;

function alertsUrl(campaign: string, tail = ""): string {
  return `/api/campaigns/${encodeURIComponent(campaign)}/alerts${tail}`;
}

function deliveriesTable(view: AlertsView, nowMs: number): HTMLElement {
  if (view.deliveries.length === 0) return h("p", { class: "muted" }, "No alerts sent yet.");
  return h(
    "table",
    { class: "alert-deliveries" },
    h("thead", null, h("tr", null, columnHeader("when"), columnHeader("event"), columnHeader("about"), columnHeader("channel"), columnHeader("status"), columnHeader("tries"), columnHeader("last error"))),
    h("tbody", null, ...view.deliveries.map((d) =>
      h(
        "tr",
        d.status === "failed" ? { class: "delivery-failed" } : null,
        h("td", null, formatAgo(d.at, nowMs)),
        h("td", null, d.type),
        h("td", null, d.experiment ?? d.host ?? ""),
        h("td", null, d.channel),
        h("td", null, h("span", { class: `badge ${d.status === "failed" ? "bad" : d.status === "delivered" ? "ok" : ""}` }, d.status)),
        h("td", { class: "num" }, String(d.attempts)),
        h("td", { class: "small" }, d.last_error ?? ""),
      ))),
  );
}

function renderAlerts(view: AlertsView, onTest: () => void, nowMs: number): HTMLElement[] {
  if (!view.configured) return [h("p", { class: "muted" }, "No alert channels yet: PUT /api/campaigns/<campaign>/alerts to add Slack or webhook channels.")];
  const rules = view.rules;
  return [
    h("ul", { class: "alert-channels" }, ...view.channels.map((c) => h("li", null, h("strong", null, c.id), ` ${c.kind} → ${c.url}`, c.secret_set ? " (signed)" : ""))),
    h("p", { class: "small" }, `Events: ${rules.events.join(", ") || "none"}; quiet after ${formatDuration(rules.quiet_after_s)}; budget low below ${Math.round(rules.budget_low_fraction * 100)}%.`),
    h("button", { attrs: { type: "button" }, on: { click: onTest } }, "Send test alert"),
    ...(view.raise_failures.count > 0
      ? [h("p", { class: "small alert-raise-failures" }, `Raising alerts failed ${view.raise_failures.count}× (events may be missing; last ${view.raise_failures.last_at ?? "?"}: ${view.raise_failures.last_error ?? ""}).`)]
      : []),
    deliveriesTable(view, nowMs),
  ];
}

/** The panel element; `show(true)` (admin) loads it and keeps it fresh, `show(false)` hides it. */
export function createAlertsPanel(campaign: string): { el: HTMLElement; show(admin: boolean): void } {
  const body = h("div", null);
  const note = h("p", { class: "small", attrs: { role: "status" } });
  const el = h("section", { class: "alerts", attrs: { "aria-label": "Alerts", hidden: true } }, h("h2", null, "Alerts"), note, body);
  let timer: ReturnType<typeof setInterval> | null = null;

  async function load(): Promise<void> {
    const out = await getJson(alertsUrl(campaign), AlertsView, "alerts");
    if (out.ok) body.replaceChildren(...renderAlerts(out.data, () => void sendTest(), Date.now()));
    else note.textContent = `Alerts could not be read: ${out.reason.slice(0, 300)}`;
  }

  async function sendTest(): Promise<void> {
    const res = await fetch(alertsUrl(campaign, "/test"), { method: "POST", credentials: "same-origin" }).catch(() => null);
    note.textContent = res?.status === 202 ? "Test alert queued; it shows below once sent." : `Test alert refused: HTTP ${res?.status ?? "network error"}`;
    setTimeout(() => void load(), 1500);
  }

  return {
    el,
    show(admin) {
      el.hidden = !admin;
      if (admin && timer === null) {
        void load();
        timer = setInterval(() => void load(), REFRESH_MS);
      }
    },
  };
}
