// PartnerDesk's small behaviours: the navigation toggle, menus, the language drop-down, and the
// accessible dialogs. Every flow also works without this file.
(function () {
  'use strict';
  document.addEventListener('click', function (ev) {
    var t = ev.target.closest('[data-nav-toggle]');
    if (t) {
      var nav = document.getElementById(t.getAttribute('aria-controls'));
      var open = nav.classList.toggle('open');
      t.setAttribute('aria-expanded', open ? 'true' : 'false');
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
  document.addEventListener('change', function (ev) {
    if (ev.target.matches('[data-autosubmit]')) ev.target.form.submit();
  });
})();
