// zod's fast path compiles validators with `new Function`, which our CSP (script-src 'self', no
// 'unsafe-eval') forbids; zod would probe, be refused and log a violation. Tell it up front instead.
import { config } from "zod";

config({ jitless: true });
