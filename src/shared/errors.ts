// The closed set of errors a user can meet. They become HTTP statuses, JSON envelopes or page
// messages only at the edge (src/http/errors.ts).
export const ERROR_CODES = [
  'validation',
  'not_found',
  'forbidden',
  'unauthenticated',
  'conflict',
  'rate_limited',
  'too_large',
  'method_not_allowed',
  'precondition_failed',
  'precondition_required',
  'needs_reconnect',
  'provider_rejected',
  'provider_unavailable',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldProblem {
  field: string;
  reason: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly fields: FieldProblem[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { hint?: string; fields?: FieldProblem[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = opts.hint;
    this.fields = opts.fields ?? [];
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export const validationError = (fields: FieldProblem[], message?: string): AppError =>
  new AppError('validation', message ?? describeFields(fields), {
    fields,
    hint: 'Correct the highlighted fields and try again.',
  });

export const notFound = (what: string): AppError =>
  new AppError('not_found', `${what} was not found.`, {
    hint: 'Check the link, or that you are in the right organization.',
  });

export const forbidden = (message: string, hint = 'Ask an Owner or Admin.'): AppError =>
  new AppError('forbidden', message, { hint });

export const conflict = (message: string, hint?: string): AppError =>
  new AppError('conflict', message, hint === undefined ? {} : { hint });

function describeFields(fields: FieldProblem[]): string {
  if (fields.length === 0) return 'The request is not valid.';
  return fields.map((f) => `${f.field}: ${f.reason}`).join('; ');
}
