import pino, { type Logger } from 'pino';

export type Log = Logger;

// Anything that could carry a credential is censored wherever it appears in a log line.
const REDACT = [
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'code',
  'code_verifier',
  'client_secret',
  'start_url', // redacted: Zoom's host link never reaches a log
  'authorization',
  'cookie',
  'set-cookie',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.code_verifier',
  '*.client_secret',
  '*.start_url', // redacted as above
  '*.authorization',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLog(level: string, destination?: NodeJS.WritableStream): Log {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'runframe' } };
  return destination === undefined ? pino(options) : pino(options, destination as pino.DestinationStream);
}

export const silentLog = (): Log => pino({ level: 'silent' });
