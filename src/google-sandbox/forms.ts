import type { Context } from 'hono';

export type FormFields = Record<string, string | string[]>;

/**
 * The form fields of a browser POST (file parts dropped), or null when the body claims to be a form but
 * cannot be parsed (e.g. multipart without a boundary): callers answer 400, not 500.
 */
export async function readFormFields(c: Context): Promise<FormFields | null> {
  let raw: Record<string, unknown>;
  try {
    raw = await c.req.parseBody({ all: true });
  } catch {
    return null;
  }
  const out: FormFields = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) {
      const strings = v.filter((x): x is string => typeof x === 'string');
      if (strings.length > 0) out[k] = strings;
    }
  }
  return out;
}
