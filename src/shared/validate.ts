import type { z } from 'zod';
import { validationError, type FieldProblem } from './errors.ts';

/** Parse untrusted input with a schema; a failure becomes a validation error naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
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
