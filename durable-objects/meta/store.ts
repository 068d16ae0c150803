// The operator's meta file: validated whole, versioned, the previous version kept when a new one is bad.
import { CampaignMeta, parseWith, type FieldError } from "../../protocol/index.ts";

export interface StoredMeta {
  version: number;
  meta: CampaignMeta;
  by: string;
  at: string;
}

export type PutMetaResult = { ok: true; version: number } | { ok: false; errors: FieldError[] };

export function putMeta(sql: SqlStorage, input: unknown, by: string, nowMs: number): PutMetaResult {
  const parsed = parseWith(CampaignMeta, "meta", input);
  if (!parsed.ok) return parsed;
  const version = (getMeta(sql)?.version ?? 0) + 1;
  sql.exec("INSERT INTO meta_versions (version, meta, by, at) VALUES (?, ?, ?, ?)", version, JSON.stringify(parsed.value), by, new Date(nowMs).toISOString());
  return { ok: true, version };
}

/**
 * The newest meta, parsed once per version: every board read needs it, and a campaign's meta (hundreds of
 * experiments) costs more to parse than the rest of the read. Versions are append-only, so a version number
 * names one meta forever; the cached copy is frozen, so no reader can change what the next one sees.
 */
const parsedMeta = new WeakMap<SqlStorage, StoredMeta>();

export function getMeta(sql: SqlStorage): StoredMeta | null {
  const head = sql.exec<{ version: number }>("SELECT version FROM meta_versions ORDER BY version DESC LIMIT 1").toArray()[0];
  if (!head) return null;
  const cached = parsedMeta.get(sql);
  if (cached?.version === head.version) return cached;
  const row = sql.exec<{ version: number; meta: string; by: string; at: string }>("SELECT version, meta, by, at FROM meta_versions WHERE version = ?", head.version).one();
  const stored = deepFreeze({ version: row.version, meta: JSON.parse(row.meta) as CampaignMeta, by: row.by, at: row.at });
  parsedMeta.set(sql, stored);
  return stored;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
