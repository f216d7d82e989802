import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Child } from 'hono/jsx';
import type { Ctx } from '../../domain/context.ts';
import type { SessionView } from '../../domain/orgs/sessions.ts';
import { AppError, validationError } from '../../shared/errors.ts';
import { NUL_REASON } from '../../shared/validate.ts';
import { lastText, readForm } from '../form.ts';
import type { AppEnv } from '../env.ts';
import { errorStatus } from '../errors.ts';
import { ctxOf } from '../context.ts';
import type { PageShell } from './layout.tsx';

export type C = Context<AppEnv>;

export const sessionOf = (c: C): SessionView | null => {
  const auth = c.get('auth');
  return auth?.kind === 'session' ? auth.session : null;
};

export const shell = (c: C, title: string, current?: string, extra: Partial<PageShell> = {}): PageShell => ({
  title,
  session: sessionOf(c),
  csrfToken: c.get('csrfToken'),
  ...(current ? { current } : {}),
  ...extra,
});

export const html = (c: C, node: Child, status: ContentfulStatusCode = 200): Response => {
  const text = String(node);
  // Whole pages get a doctype; fragments (live updates) are sent as they are.
  return c.html(text.startsWith('<html') ? `<!doctype html>${text}` : text, status);
};

/** Pages behind sign-in send visitors to the sign-in page and bring them back afterwards. */
export const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  const auth = c.get('auth');
  if (auth?.kind !== 'session') {
    const url = new URL(c.req.url);
    return c.redirect(`/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  if (auth.actor === null && !new URL(c.req.url).pathname.startsWith('/organization/new')) {
    return c.redirect('/organization/new', 303);
  }
  return next();
};

export const pageCtx = (c: C): Ctx => ctxOf(c);

/**
 * Form bodies as plain strings; repeated fields keep their last value. Text with NUL characters is
 * refused here, naming the field: no form of ours can send one, and the database cannot store it.
 */
export async function formOf(c: C): Promise<Record<string, string>> {
  const body = await readForm(c);
  const out: Record<string, string> = {};
  for (const [k, raw] of Object.entries(body)) {
    const v = lastText(raw);
    if (v === undefined || k === '_csrf') continue;
    if (v.includes('\u0000')) throw validationError([{ field: k, reason: NUL_REASON }]);
    out[k] = v;
  }
  return out;
}

/** Runs a form action; an AppError re-renders the page with the message, anything else propagates. */
export async function attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: AppError }> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err };
    throw err;
  }
}

export const statusOf = (c: C, err: AppError): ContentfulStatusCode => errorStatus(c, err);

/**
 * Where to go after signing in: a path on this site only. Browsers read `//host` and `/\host` as
 * another site, so a second slash or any backslash, whitespace or control character is refused.
 */
export const safeNext = (next: string | undefined): string => (next !== undefined && /^\/(?![/\\])[^\\\s\u0000-\u001f\u007f]*$/.test(next) ? next : '/incidents');

export const fmtTime = (iso: string | Date): string => {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
};
