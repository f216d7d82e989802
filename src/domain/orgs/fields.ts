import { z } from 'zod';

export const Email = z
  .string({ error: 'is required' })
  .trim()
  .toLowerCase()
  .min(1, 'is required')
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be an email address like name@example.com' }));

export const Password = z
  .string({ error: 'is required' })
  .min(12, 'must be at least 12 characters')
  .max(200, 'must be at most 200 characters');

export const PersonName = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(100, 'must be at most 100 characters');

export const OrgName = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(100, 'must be at most 100 characters');

export const actorLabel = (u: { name: string; email: string }): string => `${u.name} (${u.email})`;
