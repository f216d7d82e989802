import type { Context } from 'hono';
import { AppError } from '../shared/errors.ts';
import type { AppEnv } from './env.ts';

type FormBody = Record<string, string | File | (string | File)[]>;

/**
 * Parses a urlencoded or multipart body once per request. A body that cannot be parsed (a multipart
 * form with a broken or missing boundary, say) is the sender's mistake: a 400, never a 500.
 */
export async function readForm(c: Context<AppEnv>): Promise<FormBody> {
  try {
    return await c.req.parseBody({ all: true });
  } catch (cause) {
    throw new AppError('validation', 'The form could not be read.', {
      fields: [{ field: 'body', reason: 'is not a well-formed form submission' }],
      hint: 'Reload the page and submit the form again.',
      cause,
    });
  }
}

/** A text field as sent; repeated fields keep their last value, files are ignored. */
export function lastText(value: FormBody[string] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof v === 'string' ? v : undefined;
}
