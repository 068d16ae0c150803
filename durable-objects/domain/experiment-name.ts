// Which task name a trial belongs to. The container name carries only the first 32 characters of the
// task name; trial dirs (config.json, result.json) carry the whole name, so a fuller name wins.

export type NameSource = "trial" | "final";

/**
 * The experiment a trial belongs to after a new observation. A final (result.json task_name) is
 * authoritative; otherwise a name that extends the current one is fuller and wins, a truncation of
 * it loses, and an unrelated name (a corrected config) replaces it.
 */
export function nextExperimentName(
  current: { name: string; source: NameSource },
  incoming: { name: string; source: NameSource },
): { name: string; source: NameSource } {
  if (incoming.source === "final") return incoming;
  if (current.source === "final") return current;
  if (incoming.name === current.name) return current;
  if (current.name.startsWith(incoming.name)) return current;
  return incoming;
}
