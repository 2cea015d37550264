// PartnerDesk's small behaviours: the navigation drawer, menus, the language and theme switches,
// modal dialogs that htmx brings in, copy buttons, and the feedback of every htmx request (busy
// state, failures, focus). Every flow also works without this file.
(function () {
  'use strict';
  var lastTrigger = null;
  var root = document.documentElement;

  function $(sel, scope) { return (scope || document).querySelector(sel); }
  function $$(sel, scope) { return Array.prototype.slice.call((scope || document).querySelectorAll(sel)); }
  function connected(el) { return !!el && document.contains(el); }

  // ---- Navigation drawer (medium and small screens) and menus ----

  function setNav(open, focusToggle) {
    var t = $('[data-nav-toggle]');
    var nav = t && document.getElementById(t.getAttribute('aria-controls'));
    if (!nav) return;
    nav.classList.toggle('open', open);
    t.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) {
      var first = nav.querySelector('a[aria-current]') || nav.querySelector('a');
      if (first) first.focus();
    } else if (focusToggle) {
      t.focus();
    }
  }

  function closeMenus(except, focusSummary) {
    $$('details[data-menu][open]').forEach(function (d) {
      if (d === except) return;
      d.removeAttribute('open');
      if (focusSummary) { var s = d.querySelector('summary'); if (s) s.focus(); }
    });
  }

  document.addEventListener('click', function (ev) {
    var t = ev.target.closest('[data-nav-toggle]');
    if (t) {
      setNav(t.getAttribute('aria-expanded') !== 'true', false);
      return;
    }
    if (ev.target.closest('[data-nav-close]')) { setNav(false, true); return; }
    var closer = ev.target.closest('[data-close-dialog]');
    if (closer) {
      var dlg = closer.closest('dialog');
      if (dlg) dlg.close();
      return;
    }
    var copy = ev.target.closest('[data-copy], [data-copy-text]');
    if (copy) {
      copyFrom(copy);
      return;
    }
    var summary = ev.target.closest('details[data-menu] > summary');
    closeMenus(summary ? summary.parentNode : null, false);
    var retry = ev.target.closest('[data-net-retry]');
    if (retry) { retryFailed(retry.closest('.net-error')); return; }
    var dismiss = ev.target.closest('[data-net-dismiss]');
    if (dismiss) { var bar = dismiss.closest('.net-error'); if (bar) bar.remove(); }
  });

  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape') return;
    if ($('details[data-menu][open]')) { closeMenus(null, true); return; }
    var t = $('[data-nav-toggle][aria-expanded="true"]');
    if (t) setNav(false, true);
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
    if (ev.target.matches('[data-theme-form]')) { switchTheme(ev); return; }
    var b = ev.target.querySelector('[data-once]');
    if (b) setTimeout(function () {
      b.disabled = true;
      b.setAttribute('aria-disabled', 'true');
      b.setAttribute('aria-busy', 'true');
      if (!b.querySelector('.spinner')) {
        var sp = document.createElement('span');
        sp.className = 'spinner';
        sp.setAttribute('aria-hidden', 'true');
        b.insertBefore(sp, b.firstChild);
      }
    }, 0);
  });

  document.addEventListener('change', function (ev) {
    if (ev.target.matches('[data-autosubmit]')) ev.target.form.submit();
  });

  // ---- Theme: applied at once, saved on the user by the same form's POST ----

  function switchTheme(ev) {
    var b = ev.submitter;
    if (!b || !window.fetch) return; // no submitter: let the form post and the page come back
    ev.preventDefault();
    var theme = b.value;
    if (theme) root.setAttribute('data-theme', theme); else root.removeAttribute('data-theme');
    var meta = $('meta[name="color-scheme"]');
    if (meta) meta.setAttribute('content', theme || 'light dark');
    var dark = document.getElementById('dark-theme');
    if (dark) dark.media = theme === 'dark' ? 'all' : theme === 'light' ? 'not all' : '(prefers-color-scheme: dark)';
    $$('[data-theme-form] button[name="theme"]').forEach(function (o) {
      o.setAttribute('aria-pressed', o.value === theme ? 'true' : 'false');
    });
    fetch(ev.target.action, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-PartnerDesk-Fetch': '1' },
      body: 'theme=' + encodeURIComponent(theme)
    }).then(function (r) {
      if (!r.ok) throw new Error('theme ' + r.status);
    }).catch(function () { showNetError(null, null); });
  }

  // ---- Copy ----

  function copyText(value, src, done, failed) {
    var fallback = function () {
      var ok = false;
      if (src && src.select) {
        src.focus(); src.select();
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      }
      if (ok) done(); else failed();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, fallback);
    } else {
      fallback();
    }
  }

  function texts() { return $('#copy-texts') || { getAttribute: function () { return null; } }; }

  // Copy the value of the element named by data-copy (or the data-copy-text itself) and
  // announce it in the nearest live region.
  function copyFrom(btn) {
    var literal = btn.getAttribute('data-copy-text');
    var src = literal === null ? document.querySelector(btn.getAttribute('data-copy')) : null;
    if (literal === null && !src) return;
    var value = literal !== null ? literal : (src.value !== undefined ? src.value : src.textContent);
    var scope = btn.closest('dialog, .link-result, .field, form, td, li') || document;
    var live = scope.querySelector('.copied');
    var say = function (text, cls) {
      if (live) { live.textContent = text; live.classList.toggle('copy-failed', cls === 'failed'); }
    };
    copyText(value, src, function () {
      btn.setAttribute('data-copied', 'true');
      say((live && live.getAttribute('data-copied-text')) || texts().getAttribute('data-copied') || 'Copied');
      if (!live && btn.hasAttribute('data-copy-text')) flashLabel(btn);
    }, function () {
      say(texts().getAttribute('data-copy-failed') || 'Press Ctrl+C to copy.', 'failed');
    });
  }

  // An icon-only copy button confirms through its label (screen readers) and its colour.
  function flashLabel(btn) {
    var label = btn.getAttribute('aria-label');
    btn.setAttribute('aria-label', texts().getAttribute('data-copied') || 'Copied');
    setTimeout(function () { btn.setAttribute('aria-label', label); btn.removeAttribute('data-copied'); }, 2000);
  }

  // A swapped-in [data-autocopy] value (Copy link's answer) is copied at once, and its status
  // says so: "Link copied · expires …".
  function autoCopy(scope) {
    $$('[data-autocopy]', scope).forEach(function (input) {
      if (input.dataset.autocopied) return;
      input.dataset.autocopied = '1';
      var box = input.closest('.link-result') || scope;
      var status = box.querySelector('[data-copy-status]');
      copyText(input.value, null, function () {
        if (status) { status.textContent = status.getAttribute('data-copied-text'); status.hidden = false; }
      }, function () {
        input.focus(); input.select();
        if (status) { status.textContent = status.getAttribute('data-failed-text'); status.hidden = false; status.classList.add('copy-failed'); }
      });
    });
  }

  // ---- Dialogs ----

  // A <dialog data-autoshow> that htmx swaps in opens as a modal: focus moves into it (the first
  // control), Tab stays inside (native modal), Esc closes it, and focus returns to the trigger.
  function showDialogs(scope) {
    $$('dialog[data-autoshow]', scope && scope.querySelectorAll ? scope : document).forEach(function (d) {
      if (d.open) return;
      var trigger = lastTrigger;
      d.addEventListener('close', function () {
        d.remove();
        if (connected(trigger)) trigger.focus();
      });
      if (d.getAttribute('role') !== 'alertdialog') {
        d.addEventListener('click', function (ev) { if (ev.target === d) d.close(); });
      }
      d.showModal();
      // An alert dialog starts on its least destructive button (data-initial-focus: not
      // autofocus, which htmx would also obey on every swap inside the dialog).
      var first = d.querySelector('[data-initial-focus]') || d.querySelector('input, button, select, textarea, a[href]');
      if (first) first.focus();
    });
    gateSubmits(scope);
  }

  // A checkbox with data-enables="#id" keeps that button disabled until it is ticked (the
  // server checks the same acknowledgement, R14; without JavaScript the button stays enabled).
  function gateSubmits(scope) {
    $$('[data-enables]', scope && scope.querySelectorAll ? scope : document).forEach(function (box) {
      var target = document.querySelector(box.getAttribute('data-enables'));
      if (target) target.disabled = !box.checked;
    });
  }
  document.addEventListener('change', function (ev) {
    if (ev.target.matches('[data-enables]')) gateSubmits(ev.target.parentNode);
  });

  // ---- Busy state of every htmx request (UI.md §8) ----
  // The pressed button gets a spinner and is disabled, the region being replaced gets
  // aria-busy="true" (and a 2px progress bar); everything is undone when the answer is in.

  var busy = new WeakMap();

  function pressedControl(elt, evt) {
    if (evt && evt.submitter) return evt.submitter;
    if (elt.matches('button, a.btn, a.cmd, input[type="submit"]')) return elt;
    if (elt.tagName === 'FORM' && evt && evt.type === 'submit') return elt.querySelector('[type="submit"]');
    return null;
  }

  function busyRegion(target, ctl) {
    if (!target || target === document.body) return null;
    if (target.id === 'modal-host') {
      // A dialog is on its way: the region is where the button is.
      return ctl ? ctl.closest('tbody, form, section, .card, .table-wrap') : null;
    }
    return target;
  }

  document.addEventListener('htmx:beforeRequest', function (ev) {
    var d = ev.detail, evt = d.requestConfig && d.requestConfig.triggeringEvent;
    lastTrigger = d.elt;
    clearNetError();
    var ctl = pressedControl(d.elt, evt);
    var region = busyRegion(d.target, ctl);
    var st = { ctl: ctl, region: region, focusedID: document.activeElement && document.activeElement.id,
      focusedCtl: ctl && document.activeElement === ctl, ctlKey: ctl && (ctl.id || ctl.getAttribute('data-testid')) };
    if (ctl) {
      lastTrigger = ctl;
      ctl.setAttribute('aria-busy', 'true');
      if (ctl.tagName === 'A') {
        ctl.setAttribute('aria-disabled', 'true');
        ctl.style.pointerEvents = 'none';
      } else {
        ctl.disabled = true;
      }
      if (ctl.classList.contains('btn') || ctl.classList.contains('cmd')) {
        var sp = document.createElement('span');
        sp.className = 'spinner';
        sp.setAttribute('aria-hidden', 'true');
        sp.setAttribute('data-testid', 'spinner');
        ctl.insertBefore(sp, ctl.firstChild);
      }
    }
    if (region) {
      region.classList.add('busy-region');
      region.setAttribute('aria-busy', 'true');
    }
    busy.set(d.xhr, st);
  });

  function endBusy(xhr) {
    var st = busy.get(xhr);
    if (!st) return null;
    busy.delete(xhr);
    var ctl = st.ctl;
    if (ctl) {
      ctl.removeAttribute('aria-busy');
      if (ctl.tagName === 'A') {
        ctl.removeAttribute('aria-disabled');
        ctl.style.pointerEvents = '';
      } else {
        ctl.disabled = false;
      }
      var sp = ctl.querySelector(':scope > .spinner');
      if (sp) sp.remove();
      gateSubmits(ctl.closest('form') || document);
    }
    if (st.region) {
      st.region.removeAttribute('aria-busy');
      st.region.classList.remove('busy-region');
    }
    return st;
  }

  // ---- Failures: a message bar with Retry, never foreign HTML ----

  var failed = new WeakMap();

  function showNetError(detail, where) {
    var tpl = document.getElementById('net-error-template');
    if (!tpl) return;
    clearNetError();
    var bar = tpl.content.firstElementChild.cloneNode(true);
    if (detail) failed.set(bar, detail);
    else bar.querySelector('[data-net-retry]').hidden = true;
    var anchor = where && where !== document.body && where.id !== 'modal-host' && connected(where) ? where : null;
    var openDialog = $('dialog[open]');
    if (openDialog && (!anchor || !openDialog.contains(anchor))) anchor = openDialog.firstElementChild;
    if (anchor) {
      anchor.parentNode.insertBefore(bar, anchor);
    } else {
      var main = document.getElementById('main') || document.body;
      main.insertBefore(bar, main.firstChild);
    }
  }

  function clearNetError() {
    $$('.net-error').forEach(function (b) { b.remove(); });
  }

  function retryFailed(bar) {
    var d = bar && failed.get(bar);
    if (bar) bar.remove();
    if (!d || !window.htmx) return;
    var ctx = { target: connected(d.target) ? d.target : undefined };
    if (connected(d.elt)) ctx.source = d.elt;
    if (d.values) ctx.values = d.values;
    htmx.ajax(d.verb, d.path, ctx);
  }

  function requestOf(detail) {
    var cfg = detail.requestConfig || {};
    var values = null;
    if (cfg.formData) {
      values = {};
      cfg.formData.forEach(function (v, k) { if (typeof v === 'string') values[k] = v; });
    }
    return { verb: cfg.verb || 'get', path: cfg.path || (detail.pathInfo && detail.pathInfo.requestPath), elt: detail.elt, target: detail.target, values: values };
  }

  function fromPartnerDesk(xhr) {
    return !!xhr && xhr.getResponseHeader('X-PartnerDesk') === '1' && /text\/html/.test(xhr.getResponseHeader('Content-Type') || '');
  }

  document.addEventListener('htmx:beforeSwap', function (ev) {
    var d = ev.detail;
    if (!fromPartnerDesk(d.xhr) && !(d.xhr.status === 204)) {
      // A proxy's or gateway's page: never swapped in.
      d.shouldSwap = false;
      d.isError = false;
      d.xhr.__pdForeign = true;
      showNetError(requestOf(d), d.target);
      return;
    }
    rememberFocus(d);
  });
  function onSendError(ev) {
    var d = ev.detail;
    endBusy(d.xhr);
    showNetError(requestOf(d), d.target);
  }
  document.addEventListener('htmx:sendError', onSendError);
  document.addEventListener('htmx:timeout', onSendError);

  // ---- Focus after a swap ----
  // htmx puts the focus back on an element with the same id; when the focused element was a
  // button we disabled (focus then sits on <body>) or has no id, it goes back to the control
  // with the same id or data-testid in the new content, else to the region that was replaced.

  var pendingFocus = new WeakMap();

  function rememberFocus(d) {
    var st = busy.get(d.xhr) || {};
    var a = document.activeElement;
    var lost = !a || a === document.body;
    if (!lost && !(d.target && d.target.contains(a))) return;
    pendingFocus.set(d.xhr, {
      id: (!lost && a.id) || (st.focusedCtl && st.ctl && st.ctl.id) || st.focusedID || '',
      key: (!lost && a.getAttribute('data-testid')) || (st.focusedCtl && st.ctlKey) || '',
      target: d.target, wasLost: lost && !st.focusedCtl && !st.focusedID
    });
  }

  function restoreFocus(xhr, scope) {
    var f = pendingFocus.get(xhr);
    pendingFocus.delete(xhr);
    var a = document.activeElement;
    if (a && a !== document.body && connected(a)) return;
    var dlg = $('dialog[open]');
    if (dlg) {
      // Inside a dialog (its Submit was replaced by the confirmation): the new content's first
      // control, so the focus never leaves the dialog.
      var inner = (scope && scope.querySelector && scope.querySelector('[data-initial-focus]')) || dlg.querySelector('[data-initial-focus]') ||
        dlg.querySelector('button, select, input, a[href]');
      if (inner) inner.focus({ preventScroll: true });
      return;
    }
    var el = null;
    if (f && f.id) el = document.getElementById(f.id);
    if (!el && f && f.key) {
      var region = connected(f.target) ? f.target : scope;
      el = region && region.querySelector('[data-testid="' + f.key.replace(/"/g, '') + '"]');
    }
    if (!el && f && !f.wasLost) {
      el = connected(f.target) ? f.target : scope;
      if (el && !el.hasAttribute('tabindex') && !el.matches('a, button, input, select, textarea')) el.setAttribute('tabindex', '-1');
    }
    if (el && !el.disabled) el.focus({ preventScroll: true });
  }

  document.addEventListener('htmx:afterRequest', function (ev) {
    var st = endBusy(ev.detail.xhr);
    if (st && st.focusedCtl && connected(st.ctl) && (!document.activeElement || document.activeElement === document.body)) {
      st.ctl.focus({ preventScroll: true });
    }
  });

  document.addEventListener('htmx:afterSettle', function (ev) {
    var scope = ev.detail.elt;
    showDialogs(scope);
    autoCopy(scope);
    var auto = scope && scope.querySelector && scope.querySelector('[data-autofocus]');
    if (auto && !$('dialog[open]')) {
      if (!auto.matches('a, button, input, select, textarea') && !auto.hasAttribute('tabindex')) auto.setAttribute('tabindex', '-1');
      auto.focus();
      return;
    }
    restoreFocus(ev.detail.xhr, scope);
  });

  document.addEventListener('DOMContentLoaded', function () {
    showDialogs(document);
    // A page that comes back with errors starts on its error summary (it links to the fields).
    var auto = $('[data-autofocus]');
    if (auto) auto.focus();
  });
})();
