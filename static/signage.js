/* The lobby signage (templates/programmes/signage.html): pages through lists longer than their
   panel, keeps the clock at the server's Japan time, and offers a pause button.

   Paging: every [data-pager] list is split into pages of the [data-pager-item] rows that fit its
   panel (measured in the browser, so any screen size works); a [data-pager-group] (a room) shows
   on each page that has one of its rows. Each page is shown for data-page-seconds (on the
   [data-signage] element, read at every turn, so a test may shorten it); the status line says
   "Page 2 of 3". One cycle shows every row once. When htmx swaps in a fresh panel the pages are
   measured again and paging continues from the same page number.

   Reduced motion (prefers-reduced-motion: reduce): the pages change in place with no fade; the
   timing and the pages are the same, so every row is still shown within one cycle.

   Without JavaScript none of this runs: each panel shows its first rows and the page reloads
   itself (<noscript><meta http-equiv=refresh>). */
(function () {
  "use strict";

  var root = document.querySelector("[data-signage]");
  if (!root) return;
  var FADE_MS = 350;
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var paused = false;
  var pageOf = {}; // pager name -> page number shown
  var timer = null;

  function seconds() {
    var value = parseFloat(root.getAttribute("data-page-seconds"));
    return value > 0 ? value : 8;
  }

  function label(page, pages) {
    return (root.getAttribute("data-page-label") || "%(page)s / %(pages)s")
      .replace("%(page)s", String(page))
      .replace("%(pages)s", String(pages));
  }

  function items(pager) {
    return Array.prototype.slice.call(pager.querySelectorAll("[data-pager-item]"));
  }

  function groups(pager) {
    return Array.prototype.slice.call(pager.querySelectorAll("[data-pager-group]"));
  }

  function showOnly(pager, shown) {
    items(pager).forEach(function (item, index) {
      item.hidden = !shown(index);
    });
    groups(pager).forEach(function (group) {
      group.hidden = !group.querySelector("[data-pager-item]:not([hidden])");
    });
  }

  function overflows(pager) {
    return pager.scrollHeight > pager.clientHeight + 1;
  }

  // Pages as [first, end) index pairs: as many rows as fit, at least one per page.
  function measure(pager) {
    var count = items(pager).length;
    var pages = [];
    var first = 0;
    while (first < count) {
      var end = first + 1;
      while (end < count) {
        showOnly(pager, rangeTest(first, end + 1));
        if (overflows(pager)) break;
        end += 1;
      }
      pages.push([first, end]);
      first = end;
    }
    return pages;
  }

  function rangeTest(first, end) {
    return function (index) {
      return index >= first && index < end;
    };
  }

  function pagers() {
    return Array.prototype.slice.call(root.querySelectorAll("[data-pager]"));
  }

  function statusFor(pager) {
    return root.querySelector('[data-pager-status="' + pager.getAttribute("data-pager") + '"]');
  }

  function show(pager, number) {
    var pages = pager._pages || [[0, items(pager).length]];
    var page = pages[number % pages.length];
    showOnly(pager, rangeTest(page[0], page[1]));
    pageOf[pager.getAttribute("data-pager")] = number % pages.length;
    var status = statusFor(pager);
    if (status) status.textContent = pages.length > 1 ? label((number % pages.length) + 1, pages.length) : "";
  }

  function layout() {
    pagers().forEach(function (pager) {
      pager._pages = measure(pager);
      show(pager, pageOf[pager.getAttribute("data-pager")] || 0);
    });
  }

  function turn(pager) {
    var pages = pager._pages || [];
    if (pages.length < 2) return;
    var next = (pageOf[pager.getAttribute("data-pager")] || 0) + 1;
    if (reducedMotion.matches) {
      show(pager, next);
      return;
    }
    pager.classList.add("is-turning");
    window.setTimeout(function () {
      show(pager, next);
      pager.classList.remove("is-turning");
    }, Math.min(FADE_MS, seconds() * 250));
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (!paused) pagers().forEach(turn);
      schedule();
    }, seconds() * 1000);
  }

  // The clock: the server's time when the page was made, moved on by this machine's clock.
  var clock = document.getElementById("clock");
  var offset = clock ? Number(clock.getAttribute("data-now-ms")) - Date.now() : 0;
  var format = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Tokyo",
    hour: "numeric",
    minute: "2-digit",
    hourCycle: "h23",
  });
  var dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" });
  var shownDay = dayFormat.format(new Date(Date.now() + offset));

  function tick() {
    var now = new Date(Date.now() + offset);
    if (dayFormat.format(now) !== shownDay) {
      window.location.reload(); // a new day: new date, new lists
      return;
    }
    var parts = format.formatToParts(now);
    var hour = parts.find(function (p) { return p.type === "hour"; }).value;
    var minute = parts.find(function (p) { return p.type === "minute"; }).value;
    var text = String(Number(hour)) + ":" + minute;
    if (clock.textContent !== text) {
      clock.textContent = text;
      clock.setAttribute("datetime", dayFormat.format(now) + "T" + hour.padStart(2, "0") + ":" + minute + "+09:00");
    }
  }

  // Pausing (WCAG 2.2.2): hidden until this script runs, since without it nothing moves.
  var pause = document.getElementById("pause");
  if (pause) {
    pause.hidden = false;
    pause.addEventListener("click", function () {
      paused = !paused;
      pause.setAttribute("aria-pressed", paused ? "true" : "false");
    });
  }

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "signage-panel") layout();
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(layout, 200);
  });

  layout();
  schedule();
  if (clock) {
    tick();
    window.setInterval(tick, 1000);
  }
})();
