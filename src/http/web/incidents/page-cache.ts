import { randomBytes } from 'node:crypto';

/**
 * Incident pages as last rendered, kept per incident and role and checked against the incident's
 * stamp (`domain/incidents/page-stamp.ts`) on every view: a view whose stamp matches is answered
 * from here, with one statement instead of six and no rendering; any change, made by any process,
 * changes the stamp and the next view renders again (docs/decisions/0006, "The incident page from a
 * stamp"). The body is the same for everyone of a role but for two things, which it holds as markers
 * filled in per view: the viewer's CSRF token and the live-update position the page was served at.
 * One per app (a process may run several, as the tests do); the least recently viewed goes first.
 */
type Slot = 'csrf' | 'live' | 'body';

/** Rendered HTML cut at its markers: text, then a slot name, then text... (odd indexes are slots). */
export type Pieces = readonly string[];

export interface KeptPage {
  stamp: string;
  title: string;
  pieces: Pieces;
  /** The page must be rendered again from this time on (a war room shown active expires), or null. */
  until: number | null;
}

export interface PageCache {
  /** Stand-ins to render with; `page` and `shell` find them in what was rendered. */
  readonly markers: Record<Slot, string>;
  get(key: string, stamp: string, now: Date): KeptPage | null;
  /** A body rendered with the markers, cut at them (to keep, or to fill once). */
  page(rendered: { stamp: string; title: string; body: string; until: Date | null }): KeptPage;
  keep(key: string, page: KeptPage): KeptPage;
  /** The page's shell (header, navigation) for one session's view of one title: it depends on nothing else. */
  shell(key: string, render: () => string): Pieces;
  fill(pieces: Pieces, values: Partial<Record<Slot, string>>): string;
}

/** As hono/jsx escapes attribute values, so a filled page is the page rendered with the values. */
const escapeAttribute = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

/** A map that forgets the least recently used entries beyond `max` of them or `maxChars` of text in all. */
function lru<V>(max: number, maxChars: number, piecesOf: (v: V) => Pieces) {
  const map = new Map<string, { v: V; chars: number }>();
  let chars = 0;
  const drop = (key: string) => {
    const e = map.get(key);
    if (!e) return;
    chars -= e.chars;
    map.delete(key);
  };
  return {
    get(key: string): V | undefined {
      const e = map.get(key);
      if (e === undefined) return undefined;
      // Most recently used last: a Map keeps insertion order.
      map.delete(key);
      map.set(key, e);
      return e.v;
    },
    set(key: string, v: V) {
      drop(key);
      const size = piecesOf(v).reduce((n, p) => n + p.length, 0);
      // One over the whole budget would push out everything else, and then itself.
      if (size > maxChars) return;
      map.set(key, { v, chars: size });
      chars += size;
      while (map.size > max || chars > maxChars) {
        const oldest = map.keys().next().value;
        if (oldest === undefined) break;
        drop(oldest);
      }
    },
    delete: drop,
  };
}

/** At most `max` pages and as many shells, and `maxChars` of text for each (a page with long notes is ~250 kB). */
export function pageCache(max = 256, maxChars = 8_000_000): PageCache {
  const nonce = randomBytes(12).toString('hex');
  const markers: Record<Slot, string> = { csrf: `rfcsrf${nonce}`, live: `rflive${nonce}`, body: `rfbody${nonce}` };
  const slotOf = new Map(Object.entries(markers).map(([slot, marker]) => [marker, slot]));
  const split = new RegExp(`(${Object.values(markers).join('|')})`);
  const cut = (html: string): Pieces => html.split(split).map((piece, i) => (i % 2 === 0 ? piece : (slotOf.get(piece) ?? piece)));
  const pages = lru<KeptPage>(max, maxChars, (p) => p.pieces);
  const shells = lru<Pieces>(max, maxChars, (p) => p);
  return {
    markers,
    get(key, stamp, now) {
      const page = pages.get(key);
      if (!page) return null;
      if (page.stamp !== stamp || (page.until !== null && now.getTime() >= page.until)) {
        pages.delete(key);
        return null;
      }
      return page;
    },
    page: ({ stamp, title, body, until }) => ({ stamp, title, pieces: cut(body), until: until === null ? null : until.getTime() }),
    keep(key, page) {
      pages.set(key, page);
      return page;
    },
    shell(key, render) {
      let pieces = shells.get(key);
      if (!pieces) shells.set(key, (pieces = cut(render())));
      return pieces;
    },
    fill(pieces, values) {
      const csrf = escapeAttribute(values.csrf ?? '');
      const live = escapeAttribute(encodeURIComponent(values.live ?? ''));
      let out = '';
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i] ?? '';
        out += i % 2 === 0 ? piece : piece === 'csrf' ? csrf : piece === 'live' ? live : (values.body ?? '');
      }
      return out;
    },
  };
}
