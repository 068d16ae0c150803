// Strict JSON body decoding (UTF-8, fatal on bad bytes) shared by the routes that read raw bodies.
export type JsonBody = { ok: true; value: unknown } | { ok: false; reason: string };

export function decodeJson(bytes: Uint8Array): JsonBody {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes)) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : "not JSON" };
  }
}
