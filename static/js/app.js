// PartnerDesk's small behaviours: the navigation toggle, menus, the language drop-down, modal
// dialogs that htmx brings in, and copy buttons. Every flow also works without this file.
(function () {
  'use strict';
  var lastTrigger = null;

  document.addEventListener('click', function (ev) {
    var t = ev.target.closest('[data-nav-toggle]');
    if (t) {
      var nav = document.getElementById(t.getAttribute('aria-controls'));
      var open = nav.classList.toggle('open');
      t.setAttribute('aria-expanded', open ? 'true' : 'false');
      return;
    }
    var closer = ev.target.closest('[data-close-dialog]');
    if (closer) {
      var dlg = closer.closest('dialog');
      if (dlg) dlg.close();
      return;
    }
    var copy = ev.target.closest('[data-copy]');
    if (copy) {
      copyFrom(copy);
      return;
    }
    // Close open menus when clicking elsewhere.
    document.querySelectorAll('details[data-menu][open]').forEach(function (d) {
      if (!d.contains(ev.target)) d.removeAttribute('open');
    });
  });

  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape') return;
    document.querySelectorAll('details[data-menu][open]').forEach(function (d) {
      d.removeAttribute('open');
      var s = d.querySelector('summary');
      if (s) s.focus();
    });
  });

  // A form with data-confirm asks before it is submitted (a deletion); without JavaScript the
  // form submits as it is.
  document.addEventListener('submit', function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) ev.preventDefault();
  }, true);

  // A form with a [data-once] button is submitted once: the button is disabled after the submit
  // (the server's idempotency key makes a second submission harmless anyway, R9).
  document.addEventListener('submit', function (ev) {
    var b = ev.target.querySelector('[data-once]');
    if (b) setTimeout(function () { b.disabled = true; b.setAttribute('aria-disabled', 'true'); }, 0);
  });

  document.addEventListener('change', function (ev) {
    if (ev.target.matches('[data-autosubmit]')) ev.target.form.submit();
  });

  // Copy the value of the element named by data-copy and announce it in the nearest live region.
  function copyFrom(btn) {
    var src = document.querySelector(btn.getAttribute('data-copy'));
    if (!src) return;
    var value = src.value !== undefined ? src.value : src.textContent;
    var done = function () {
      var scope = btn.closest('dialog, .link-result, .field, form') || document;
      var live = scope.querySelector('.copied');
      if (live) live.textContent = live.getAttribute('data-copied-text') || 'Copied';
      btn.setAttribute('data-copied', 'true');
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, function () { fallback(src); done(); });
    } else {
      fallback(src);
      done();
    }
  }
  function fallback(src) {
    if (src.select) { src.focus(); src.select(); }
    try { document.execCommand('copy'); } catch (e) { /* the value stays selected for Ctrl+C */ }
  }

  // Remember what opened a dialog, so focus can go back to it when the dialog closes.
  document.addEventListener('htmx:beforeRequest', function (ev) { lastTrigger = ev.detail.elt; });

  // A <dialog data-autoshow> that htmx swaps in opens as a modal: focus moves into it (the first
  // control), Tab stays inside (native modal), Esc closes it, and focus returns to the trigger.
  function showDialogs(root) {
    (root.querySelectorAll ? root : document).querySelectorAll('dialog[data-autoshow]').forEach(function (d) {
      if (d.open) return;
      var trigger = lastTrigger;
      d.addEventListener('close', function () {
        d.remove();
        if (trigger && document.contains(trigger)) trigger.focus();
      });
      if (d.getAttribute('role') !== 'alertdialog') {
        d.addEventListener('click', function (ev) { if (ev.target === d) d.close(); });
      }
      d.showModal();
      // An alert dialog starts on its least destructive button (marked autofocus).
      var first = d.querySelector('[autofocus]') || d.querySelector('input, button, select, textarea, a[href]');
      if (first) first.focus();
    });
    gateSubmits(root);
  }

  // A checkbox with data-enables="#id" keeps that button disabled until it is ticked (the
  // server checks the same acknowledgement, R14; without JavaScript the button stays enabled).
  function gateSubmits(root) {
    (root.querySelectorAll ? root : document).querySelectorAll('[data-enables]').forEach(function (box) {
      var target = document.querySelector(box.getAttribute('data-enables'));
      if (target) target.disabled = !box.checked;
    });
  }
  document.addEventListener('change', function (ev) {
    if (ev.target.matches('[data-enables]')) gateSubmits(ev.target.parentNode);
  });
  document.addEventListener('htmx:afterSettle', function (ev) { showDialogs(ev.detail.elt); });
  document.addEventListener('DOMContentLoaded', function () { showDialogs(document); });
})();
