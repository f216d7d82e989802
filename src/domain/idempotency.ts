import { z } from 'zod';

/** An `Idempotency-Key` header: a retry with the same key gets the first request's result. */
export const IdempotencyKey = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');
