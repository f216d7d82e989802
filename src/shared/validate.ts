import { z } from 'zod';
import { validationError, type FieldProblem } from './errors.ts';

/** Parse untrusted input with a schema; a failure becomes a validation error naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const nul = nulProblems(input, []);
  if (nul.length > 0) throw validationError(nul);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(zodProblems(result.error));
}

export function zodProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : 'body',
    reason: issue.message,
  }));
}

export const NUL_REASON = 'must not contain NUL characters';

/** Text with NUL characters cannot be stored (PostgreSQL refuses it): each such field is named. */
function nulProblems(input: unknown, path: string[]): FieldProblem[] {
  if (typeof input === 'string') return input.includes('\u0000') ? [{ field: path.length > 0 ? path.join('.') : 'body', reason: NUL_REASON }] : [];
  if (path.length > 8 || typeof input !== 'object' || input === null) return [];
  return Object.entries(input).flatMap(([k, v]) => nulProblems(v, [...path, k]));
}

// What JSON columns hold, read back from the database. Built once: a zod schema costs far more to build
// than to run, and these run for every timeline entry, audit row and connection a page shows.
/** A JSON object column; anything else reads as `{}`. */
export const JsonObjectOrEmpty = z.record(z.string(), z.unknown()).catch({});
/** A JSON array-of-strings column; anything else reads as `[]`. */
export const StringListOrEmpty = z.array(z.string()).catch([]);
