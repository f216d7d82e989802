// The incident page's war-room island: progress while the provider is called, copy-link, and
// polling so everyone viewing the incident sees the war room appear without reloading.
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
      b.addEventListener('click', function () {
        var status = root.querySelector('[data-copy-status]');
        var done = function () { if (status) status.textContent = 'Link copied'; };
        if (navigator.clipboard) navigator.clipboard.writeText(b.getAttribute('data-copy') || '').then(done, function () {
          var input = root.querySelector('#war-room-link'); if (input) { input.select(); document.execCommand('copy'); done(); }
        });
      });
    });
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
  function poll() {
    if (submitting || !url) return;
    fetch(url, { headers: { accept: 'text/html' }, credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (!html || submitting) return;
      var holder = document.createElement('div');
      holder.innerHTML = html;
      var next = holder.firstElementChild;
      var current = document.getElementById('war-room-body');
      if (next && current && next.outerHTML !== current.outerHTML) {
        var focusedId = document.activeElement && document.activeElement.id;
        announce(current, next);
        current.replaceWith(next);
        wire(next);
        if (focusedId) { var f = document.getElementById(focusedId); if (f) f.focus(); }
      }
    }).catch(function () {});
  }
  setInterval(poll, 3000);
})();
