// The incident page's island: progress while the provider is called, copy-link, and live updates so
// everyone viewing the incident sees changes without reloading. The server pushes "the incident
// changed" (server-sent events, #incident-live); the page then fetches what it shows. Without
// EventSource it polls the war-room section and the timeline every 3 s; without JavaScript, reloading shows all.
(function () {
  var body = document.getElementById('war-room-body');
  if (!body) return;
  var submitting = false;
  function wire(root) {
    var form = root.querySelector('form[data-war-room-create]');
    if (form) {
      form.addEventListener('submit', function () {
        submitting = true;
        var button = form.querySelector('button[type=submit]');
        if (button) { button.disabled = true; button.textContent = 'Creating War Room…'; }
        var progress = form.querySelector('[data-progress]');
        if (progress) progress.hidden = false;
      });
    }
    root.querySelectorAll('button[data-copy]').forEach(function (b) {
      b.addEventListener('click', function () { copyLink(root, b); });
    });
  }
  // Copy link: the Clipboard API where the page may use it; otherwise (plain-http pages have no
  // navigator.clipboard, and writeText can be refused) the link field is selected and copied the old way,
  // and when even that fails it stays selected with the keys to press.
  function copyLink(root, button) {
    var status = root.querySelector('[data-copy-status]');
    var say = function (text) { if (status) status.textContent = text; };
    var fallback = function () {
      var input = root.querySelector('#war-room-link');
      var copied = false;
      if (input) {
        input.focus();
        input.select();
        try { copied = document.execCommand('copy'); } catch (e) { copied = false; }
      }
      if (copied) { button.focus(); say('Link copied'); }
      else say('Press ' + (/Mac|iPhone|iPad/.test(navigator.platform || '') ? '⌘C' : 'Ctrl+C') + ' to copy');
    };
    if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      navigator.clipboard.writeText(button.getAttribute('data-copy') || '').then(function () { say('Link copied'); }, fallback);
    } else fallback();
  }
  // What changed, in words, for people who cannot see the section change.
  function announce(before, after) {
    var out = document.getElementById('war-room-announcer');
    if (!out) return;
    var was = before.getAttribute('data-state'), now = after.getAttribute('data-state');
    var badgeOf = function (el) { var b = el.querySelector('[data-live-status]'); return b ? b.getAttribute('data-live-status') : null; };
    var message = '';
    if (was !== 'active' && now === 'active') message = 'The war room is ready: the join link is on this page.';
    else if (was === 'active' && now !== 'active') message = 'The war room has ended.';
    else if (badgeOf(before) !== badgeOf(after) && badgeOf(after)) message = 'Meeting status: ' + badgeOf(after);
    else if (now !== 'active' && after.querySelector('[role=alert]') && !before.querySelector('[role=alert]')) message = after.querySelector('[role=alert]').textContent;
    if (message) out.textContent = message;
  }
  wire(body);
  var url = body.getAttribute('data-fragment');
  // The section as the server last rendered it. Polls compare against this, not the live DOM, which the
  // page itself changes ("Link copied", focus bookkeeping): those must not count as news.
  var rendered = body.outerHTML;
  /** The HTML a page (or fragment) answers, or null; every refresh of this page reads through here. */
  function fetchHtml(path) {
    return fetch(path, { headers: { accept: 'text/html' }, credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.text() : null;
    });
  }
  /** A fragment endpoint's one element, parsed, or null. */
  function fetchFragment(path) {
    return fetchHtml(path).then(function (html) {
      if (!html) return null;
      var holder = document.createElement('div');
      holder.innerHTML = html;
      return holder.firstElementChild;
    });
  }
  function poll() {
    if (submitting || !url) return;
    fetchFragment(url).then(function (next) {
      if (submitting) return;
      var current = document.getElementById('war-room-body');
      if (next && current && next.outerHTML !== rendered) {
        rendered = next.outerHTML;
        // Keyboard focus survives the swap: every control of the section has a stable id. When the
        // focused control is gone (the meeting ended, so no Join link), focus stays in the section.
        var active = document.activeElement;
        var hadFocus = !!active && active !== document.body && current.contains(active);
        var focusedId = hadFocus ? active.id : '';
        var selection = hadFocus && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : null;
        announce(current, next);
        current.replaceWith(next);
        wire(next);
        if (hadFocus) {
          var f = focusedId ? document.getElementById(focusedId) : null;
          if (f && next.contains(f)) {
            f.focus();
            if (selection && typeof f.setSelectionRange === 'function') f.setSelectionRange(selection[0], selection[1]);
          } else { next.setAttribute('tabindex', '-1'); next.focus(); }
        }
      }
    }).catch(function () {});
  }
  // The timeline follows too: a meeting going live or empty, a note, a status change made elsewhere.
  var timelineRendered = null;
  function pollTimeline() {
    var current = document.getElementById('timeline-body');
    var tUrl = current && current.getAttribute('data-fragment');
    if (!tUrl) return;
    if (timelineRendered === null) timelineRendered = current.outerHTML;
    fetchFragment(tUrl).then(function (next) {
      var now = document.getElementById('timeline-body');
      if (next && now && next.outerHTML !== timelineRendered) {
        timelineRendered = next.outerHTML;
        now.replaceWith(next);
      }
    }).catch(function () {});
  }
  // The other live parts of the page (badges, details), from the page itself.
  var refreshing = false, again = false;
  function refreshRegions() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    fetchHtml(location.pathname + location.search).then(function (html) {
      if (!html) return;
      var next = new DOMParser().parseFromString(html, 'text/html');
      next.querySelectorAll('[data-live-region]').forEach(function (fresh) {
        var here = fresh.id ? document.getElementById(fresh.id) : null;
        if (here && here.hasAttribute('data-live-region') && here.outerHTML !== fresh.outerHTML) here.replaceWith(document.importNode(fresh, true));
      });
    }).catch(function () {}).then(function () {
      refreshing = false;
      if (again) { again = false; refreshRegions(); }
    });
  }
  var live = document.getElementById('incident-live');
  var src = live ? live.getAttribute('data-src') : null;
  if (src && typeof window.EventSource === 'function') {
    // The browser reconnects by itself and sends Last-Event-ID: the server answers with a change if one was missed.
    var events = new EventSource(src);
    events.addEventListener('change', function () { poll(); pollTimeline(); refreshRegions(); });
  } else setInterval(function () { poll(); pollTimeline(); }, 3000);
})();
