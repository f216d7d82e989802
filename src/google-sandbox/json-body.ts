import type { Context } from 'hono';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON object of a request body (`{}` when empty), or an error text for 400 INVALID_ARGUMENT. */
export async function readJsonObject(c: Context): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; error: string }> {
  const text = await c.req.text().catch(() => null);
  if (text === null) return { ok: false, error: 'Invalid JSON payload received. The body could not be read.' };
  if (text.trim() === '') return { ok: true, value: {} };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, error: `Invalid JSON payload received. Unexpected token.\n${text.slice(0, 40)}\n^` };
  }
  if (!isObject(v)) return { ok: false, error: 'Invalid JSON payload received. Expected an object.' };
  return { ok: true, value: v };
}

export { isObject };
