import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Account } from '../state.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

// Inline CSS only: the sandbox must work offline and pull nothing from a CDN.
const CSS = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5;color:#1b1f24;background:#f4f6f9}
body{margin:0}
.banner{background:#174ea6;color:#fff;padding:.6rem 1rem;font-size:.95rem}
.banner p{margin:0}
.banner strong{font-size:1rem}
main{max-width:46rem;margin:1.5rem auto;padding:1.5rem;background:#fff;border:1px solid #d0d7de;border-radius:8px}
h1{font-size:1.5rem;margin-top:0}
fieldset{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.75rem 1rem}
legend{font-weight:600;padding:0 .25rem}
label{display:block;margin:.35rem 0}
input:not([type]),select{font:inherit;padding:.35rem;border:1px solid #57606a;border-radius:4px;min-width:16rem;max-width:100%}
.scope code{background:#eef1f4;padding:0 .25rem;border-radius:3px}
.hint{color:#57606a;font-size:.9rem}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1rem}
button,.button{font:inherit;padding:.5rem 1.1rem;border-radius:6px;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#0b5cad}
button.danger{background:#a40e26;border-color:#a40e26}
button:disabled{opacity:.55;cursor:not-allowed}
a{color:#0b5cad}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.status{padding:.6rem .8rem;border-radius:6px;background:#e6f4ea;border:1px solid #1a7f37;margin:1rem 0}
.error{padding:.6rem .8rem;border-radius:6px;background:#fdecea;border:1px solid #a40e26;margin:1rem 0}
ul.apps{list-style:none;padding:0}
ul.apps>li{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem;margin:.5rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600}
dd{margin:0}
`;

/** The pages' one inline stylesheet, allowed by its hash in the Content-Security-Policy. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

export function layout(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Google sandbox (not Google)</title>
<style>${raw(CSS)}</style>
</head>
<body>
<header class="banner"><p><strong>Google sandbox — not Google.</strong> This is a local stand-in for testing and demos; nothing here talks to Google.</p></header>
<main id="main">
${body}
</main>
</body>
</html>`;
}

export function errorPage(title: string, message: string): Html {
  return layout(title, html`<h1>${title}</h1><p class="error" role="alert">${message}</p>`);
}

export function accountSelect(accounts: Account[], selected: string, name = 'account'): Html {
  return html`<label for="account-select">Sandbox Google account</label>
<select id="account-select" name="${name}">
${accounts.map(
  (a) => html`<option value="${a.sub}" ${a.sub === selected ? raw('selected') : ''}>${a.name} &lt;${a.email}&gt;${a.kind === 'consumer' ? ' — personal account' : ''}${a.meetEnabled ? '' : ' — Meet turned off by the admin'}</option>`,
)}
</select>`;
}
