/* Small enhancements; every page works without them.
   1. After a form error, move focus to the error summary ([data-error-summary]) so that a screen
      reader announces it and a keyboard user starts from its links to the fields: on page load and
      after an htmx swap that brings one in.
   2. Browsers that cannot style a <details>' content (::details-content) open the site menu on
      wide screens, where its toggle is hidden. */
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
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.querySelector) focusSummary(target);
  });
})();
