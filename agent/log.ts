// Structured JSON-line logs on stderr. Secrets never reach here by construction (the agent never
// holds a sidecar token and passes only key *paths*); `redact` is the second line of defence.

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Registers a value (e.g. the agent key) that must never be printed. */
  addSecret(value: string): void;
}

export function createLogger(opts: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const min = ORDER[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const secrets: string[] = [];
  const redact = (text: string) => {
    let out = text.replace(/(Bearer\s+)[^\s"\\]+/gi, "$1[redacted]");
    for (const s of secrets) out = out.split(s).join("[redacted]");
    return out;
  };
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const record = { at: new Date().toISOString(), level, msg, ...fields };
    write(redact(JSON.stringify(record, errorReplacer)) + "\n");
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    addSecret: (v) => {
      if (v.length >= 8) secrets.push(v);
    },
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, addSecret() {} };
