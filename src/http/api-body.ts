import { Readable } from 'node:stream';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../shared/errors.ts';
import type { AppEnv } from './env.ts';

/** The Node request behind a Hono request, when it came through the Node adapter (not in `app.request` tests). */
function nodeRequestOf(env: unknown): Readable | null {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return null;
  const incoming: unknown = env.incoming;
  return incoming instanceof Readable && !incoming.readableDidRead ? incoming : null;
}

const cutShort = () => new Error('the client closed the connection before the body was complete');

/** Reads a Node request's whole body; null once it passes `maxSize` (the rest is left unread). */
function readAtMost(incoming: Readable, maxSize: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    // Already over before anyone listened (the client left while the request waited for its turn):
    // no event would come again.
    if (incoming.readableEnded) return resolve(Buffer.alloc(0));
    if (incoming.errored || incoming.destroyed || incoming.readableAborted) return reject(incoming.errored ?? cutShort());
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (fn: () => void) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      fn();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxSize) return done(() => (incoming.pause(), resolve(null)));
      chunks.push(chunk);
    };
    const onEnd = () => done(() => resolve(Buffer.concat(chunks, size)));
    const onError = (err: Error) => done(() => reject(err));
    const onClose = () => done(() => reject(cutShort()));
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

// As the body's own text() decodes it (a leading byte-order mark is dropped).
const utf8 = new TextDecoder();

/**
 * API request bodies (anything but a form) read straight from the Node request, at most `maxSize`
 * bytes, when the handler asks for them (readJson, after authentication: an unauthenticated call's
 * body is never read). Hono's bodyLimit asks for `c.req.raw.body`, which makes the Node adapter build
 * a whole fetch Request and read the body through web streams: in a burst of Create War Room calls,
 * a measurable share of Runframe's CPU per call (docs/decisions/0006). A declared Content-Length over
 * `maxSize` is refused at once, as bodyLimit does. Forms, pages and requests not made through the
 * Node adapter go to `fallback` (Hono's bodyLimit).
 */
export function apiBody(maxSize: number, onTooLarge: () => never, fallback: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const form = /application\/x-www-form-urlencoded|multipart\/form-data/i.test(c.req.header('content-type') ?? '');
    const incoming = c.req.path.startsWith('/api/') && !form ? nodeRequestOf(c.env) : null;
    if (!incoming) return fallback(c, next);
    if (Number(c.req.header('content-length') ?? '0') > maxSize) onTooLarge();
    let read: Promise<string> | undefined;
    c.set('readApiBody', () =>
      (read ??= readAtMost(incoming, maxSize).then(
        (body) => (body === null ? onTooLarge() : utf8.decode(body)),
        (cause: unknown) => {
          throw new AppError('validation', 'The request body could not be read: the connection closed before it was complete.', {
            fields: [{ field: 'body', reason: 'was not received whole' }],
            hint: 'Send the request again.',
            cause,
          });
        },
      )),
    );
    return next();
  };
}
