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
        current.replaceWith(next);
        wire(next);
        if (focusedId) { var f = document.getElementById(focusedId); if (f) f.focus(); }
      }
    }).catch(function () {});
  }
  setInterval(poll, 3000);
})();
