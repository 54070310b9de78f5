/* Small enhancements; every page works without them.
   1. After a form error, move focus to the error summary ([data-error-summary]) so that a screen
      reader announces it and a keyboard user starts from its links to the fields: on page load and
      after an htmx swap that brings one in.
   2. Browsers that cannot style a <details>' content (::details-content) open the site menu on
      wide screens, where its toggle is hidden.
   3. The desk's scan field ([data-scan-form]) is emptied as soon as a scan is sent and focused again
      when the answer comes, whatever it is, so the next scan never lands after the last code.
      (A script file, not hx-on attributes: the Content-Security-Policy allows no eval.) */
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (!summary) return;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  function openMenuWhereToggleIsHidden() {
    var menu = document.querySelector("[data-site-menu]");
    if (!menu || !window.CSS || CSS.supports("selector(::details-content)")) return;
    if (window.matchMedia("(min-width: 48.01rem)").matches) menu.open = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    openMenuWhereToggleIsHidden();
    focusSummary(document);
  });
  function scanField(event) {
    var form = event.detail && event.detail.elt;
    if (!form || !form.matches || !form.matches("[data-scan-form]")) return null;
    return form.elements.q || null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var field = scanField(event);
    if (field) field.value = "";
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var field = scanField(event);
    if (field) field.focus();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.querySelector) focusSummary(target);
  });
})();
