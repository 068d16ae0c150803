// Turns zod issues into the operator-facing form "meta.experiments[3].bars.win_bar: expected number".
import type { z } from "zod";

export interface FieldError {
  path: string;
  reason: string;
}

/** Renders a zod issue path as `root.a[3].b`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

export function fieldErrors(root: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: formatPath(root, issue.path),
    reason: issue.message,
  }));
}

/** One line per field, for logs and plain-text replies. */
export function describeFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.reason}`).join("; ");
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** safeParse with errors already rendered with their field paths. */
export function parseWith<S extends z.ZodType>(schema: S, root: string, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: fieldErrors(root, result.error) };
}
