// What connecting any provider over HTTP shares in the tests: Connect on its card, its consent page's
// hidden fields, and Runframe's callback with the result it redirects to. Each provider's helper
// (support/zoom.ts, support/google.ts) fills in its own consent form and decision endpoint.
import type { Member, TestApp } from './app.ts';

/** The HTML entities a consent page's attribute values carry. */
export const decodeHtml = (v: string) => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Connect on the provider's card, then its consent page: the page and a form holding its hidden fields. */
export async function openConsent(t: TestApp, m: Member, provider: string) {
  const start = await t.page(m, 'POST', `/integrations/${provider}/connect`, {});
  if (start.status !== 303) throw new Error(`Connect answered ${start.status}: ${start.text.slice(0, 300)}`);
  const authorizeUrl = new URL(start.headers.get('location') ?? '');
  const consent = await fetch(authorizeUrl);
  const html = await consent.text();
  if (consent.status !== 200) throw new Error(`consent page answered ${consent.status}: ${html.slice(0, 300)}`);
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(match[1] ?? '', decodeHtml(match[2] ?? ''));
  return { authorizeUrl, html, form };
}

/** Runframe's callback as the browser would follow it, and the `result` of the page it redirects to. */
export async function followCallback(t: TestApp, m: Member, callback: URL) {
  const back = await t.page(m, 'GET', callback.pathname + callback.search);
  const result = new URL(back.headers.get('location') ?? 'http://x/', 'http://runframe.test').searchParams.get('result');
  return { result, back };
}
