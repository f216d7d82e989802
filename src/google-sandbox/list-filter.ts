/**
 * The subset of Google's list-filter syntax the Meet API documents (reference §3.7, §3.8):
 * `field = "value"`, comparisons on timestamps, `field IS NULL`, `field IS NOT NULL`, joined by AND.
 */
export type FieldKind = 'string' | 'time';
export type Getter = (field: string) => string | null;
export type Predicate = (get: Getter) => boolean;

const CLAUSE = /^\s*([a-z_.]+)\s*(?:(=|!=|<=|>=|<|>)\s*"([^"]*)"|IS\s+(NOT\s+)?NULL)\s*$/i;

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/** A predicate over a record's fields, or an error text for a 400 INVALID_ARGUMENT. */
export function parseFilter(filter: string, fields: Record<string, FieldKind>): { ok: true; test: Predicate } | { ok: false; error: string } {
  if (filter.trim() === '') return { ok: true, test: () => true };
  const tests: Predicate[] = [];
  for (const part of filter.split(/\s+AND\s+/i)) {
    const m = CLAUSE.exec(part);
    if (!m) return { ok: false, error: `Invalid filter: unable to parse "${part.trim()}".` };
    const [, field = '', op, value = '', not] = m;
    const kind = fields[field];
    if (!kind) return { ok: false, error: `Invalid filter: unsupported field "${field}".` };
    if (op === undefined) {
      tests.push((get) => (get(field) === null) !== (not !== undefined));
      continue;
    }
    if (kind === 'string') {
      if (op !== '=' && op !== '!=') return { ok: false, error: `Invalid filter: operator ${op} is not supported for "${field}".` };
      tests.push((get) => (get(field) === value) === (op === '='));
      continue;
    }
    const at = Date.parse(value);
    if (Number.isNaN(at)) return { ok: false, error: `Invalid filter: "${value}" is not a valid timestamp for "${field}".` };
    tests.push((get) => {
      const v = get(field);
      return v !== null && compare(Date.parse(v), op, at);
    });
  }
  return { ok: true, test: (get) => tests.every((t) => t(get)) };
}

/** Page tokens are base64url of an offset the sandbox handed out; anything else is INVALID_ARGUMENT. */
export function pageOffset(token: string | undefined): number | null {
  if (token === undefined || token === '') return 0;
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^(0|[1-9]\d{0,8})$/.test(text) || Buffer.from(text).toString('base64url') !== token) return null;
  return Number(text);
}

export const pageToken = (offset: number): string => Buffer.from(String(offset)).toString('base64url');
