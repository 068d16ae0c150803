// Pure: the one shell script a sidecar read runs inside its container, and the parser of its output.
// The script reads the admin token file itself and pipes the header into curl's stdin (`-H @-`);
// `read` and `printf` are shell builtins, so the token is never in any process's argv.

export type SidecarProfile = "legacy" | "current";
export type ProfileChoice = SidecarProfile | "auto";

export const LEGACY_CONFIG = "/opt/serve.json";
export const CURRENT_TOKEN_PATH = "/state/token/admin.token";
export const SIDECAR_URL = "http://127.0.0.1:8000";

// read_once args: $1 nonce, $2 profile, $3 per-request seconds, $4 limit, $5 offset, $6 with-status (1|0).
const READ_ONCE = `
read_once() {
m="@@lookout-$1"; prof="$2"; t="$3"; limit="$4"; offset="$5"; with_status="$6"
if [ "$prof" = auto ]; then
  if [ -f ${LEGACY_CONFIG} ]; then prof=legacy
  elif [ -f ${CURRENT_TOKEN_PATH} ]; then prof=current
  else echo "$m error no sidecar profile found (neither ${LEGACY_CONFIG} nor ${CURRENT_TOKEN_PATH})"; return 0; fi
fi
echo "$m profile $prof"
command -v curl >/dev/null 2>&1 || { echo "$m error curl not found in the container"; return 0; }
T=""; command -v timeout >/dev/null 2>&1 && T="timeout -s KILL $t"
if [ "$prof" = legacy ]; then
  tp=$(sed -n 's/.*"admin_token_path"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p' ${LEGACY_CONFIG} 2>/dev/null | head -n 1)
  rows_path=/experiments
else
  tp=${CURRENT_TOKEN_PATH}
  rows_path="/evaluations?limit=$limit&offset=$offset"
fi
[ "$with_status" = 1 ] && get status "${SIDECAR_URL}/status" noauth
if [ -z "$tp" ] || [ ! -r "$tp" ]; then echo "$m error admin token file not readable"; return 0; fi
get rows "${SIDECAR_URL}$rows_path" auth
}
get() {
  echo "$m begin $1"
  if [ "$3" = auth ]; then
    { IFS= read -r tok < "$tp"; printf 'Authorization: Bearer %s\\n' "$tok"; } | $T curl -sS --max-time "$t" -H @- -w "\\n$m http %{http_code}\\n" "$2"
  else
    $T curl -sS --max-time "$t" -w "\\n$m http %{http_code}\\n" "$2" </dev/null
  fi
  echo "$m end $1 $?"
}
`;

/** One read per exec: the parameters are positional args (nothing secret). */
const ONE_SHOT = `${READ_ONCE}
read_once "$@"
`;

/**
 * One long-lived exec per sidecar: each stdin line holds one read's parameters; every read ends
 * with "<marker> done". EOF on stdin (the agent closed or died) ends the loop.
 */
const SESSION = `${READ_ONCE}
while read -r a b c d e f; do read_once "$a" "$b" "$c" "$d" "$e" "$f"; echo "@@lookout-$a done"; done
`;

export interface ScriptArgs {
  nonce: string;
  profile: ProfileChoice;
  requestTimeoutS: number;
  limit: number;
  offset: number;
  withStatus: boolean;
}

/** The exec's argv: nothing secret, only the script and its plain parameters. */
export function sidecarReadCommand(a: ScriptArgs): string[] {
  return ["sh", "-c", ONE_SHOT, "lookout-read", ...sessionArgs(a)];
}

/** The long-lived session's argv: the script only. */
export function sidecarSessionCommand(): string[] {
  return ["sh", "-c", SESSION, "lookout-read-session"];
}

/** One read's parameters, as positional args (one-shot) or as a stdin line (session). */
export function sessionArgs(a: ScriptArgs): string[] {
  return [a.nonce, a.profile, a.requestTimeoutS.toFixed(2), String(a.limit), String(a.offset), a.withStatus ? "1" : "0"];
}

export function doneMarker(nonce: string): string {
  return `@@lookout-${nonce} done\n`;
}

export interface HttpSection {
  /** HTTP status, or null when curl got none (timeout, refused). */
  status: number | null;
  body: string;
  /** curl's exit code (137 when `timeout` killed it). */
  exitCode: number | null;
}

export interface ScriptOutput {
  profile: SidecarProfile | null;
  error: string | null;
  sections: Partial<Record<"status" | "rows", HttpSection>>;
}

/** Parses the script's stdout; markers carry the per-exec nonce so a response body cannot forge one. */
export function parseScriptOutput(stdout: string, nonce: string): ScriptOutput {
  const m = `@@lookout-${nonce}`;
  const out: ScriptOutput = { profile: null, error: null, sections: {} };
  let at = 0;
  while (at < stdout.length) {
    const idx = stdout.indexOf(m + " ", at);
    if (idx < 0) break;
    const eol = stdout.indexOf("\n", idx);
    const line = stdout.slice(idx + m.length + 1, eol < 0 ? undefined : eol);
    at = eol < 0 ? stdout.length : eol + 1;
    const [word, ...rest] = line.split(" ");
    if (word === "profile" && (rest[0] === "legacy" || rest[0] === "current")) out.profile = rest[0];
    else if (word === "error") out.error = rest.join(" ");
    else if (word === "begin" && (rest[0] === "status" || rest[0] === "rows")) {
      const name = rest[0];
      const endMarker = `${m} end ${name} `;
      const end = stdout.indexOf(endMarker, at);
      const block = stdout.slice(at, end < 0 ? undefined : end);
      const httpMarker = `\n${m} http `;
      const h = block.lastIndexOf(httpMarker);
      const body = h >= 0 ? block.slice(0, h) : "";
      const code = h >= 0 ? Number.parseInt(block.slice(h + httpMarker.length), 10) : NaN;
      let exitCode: number | null = null;
      if (end >= 0) {
        const endEol = stdout.indexOf("\n", end);
        exitCode = Number.parseInt(stdout.slice(end + endMarker.length, endEol < 0 ? undefined : endEol), 10);
        at = endEol < 0 ? stdout.length : endEol + 1;
      } else at = stdout.length;
      out.sections[name] = { status: Number.isFinite(code) && code > 0 ? code : null, body, exitCode: Number.isFinite(exitCode) ? exitCode : null };
    }
  }
  return out;
}

/** Says in words why a section did not yield a usable body, or null when it did. */
export function sectionProblem(name: string, s: HttpSection | undefined): string | null {
  if (!s) return `${name}: no answer`;
  if (s.exitCode === 137 || s.exitCode === 124) return `${name}: timed out inside the container`;
  if (s.status === null) return `${name}: no HTTP answer (curl exit ${s.exitCode ?? "?"})`;
  if (s.status === 401 || s.status === 403) return `${name}: HTTP ${s.status} (admin token refused)`;
  if (s.status >= 400) return `${name}: HTTP ${s.status}`;
  return null;
}
