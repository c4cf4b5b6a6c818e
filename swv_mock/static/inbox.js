// The inbox keeps itself current: every few seconds it fetches the list part of the page and
// replaces it when it changed. Paused while the tab is hidden or a button has focus, so a click
// in progress is never swept away.
(function () {
  "use strict";
  var box = document.getElementById("inbox-lijst");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-vernieuw");
  var note = document.getElementById("vernieuwd");
  var INTERVAL = 2000;
  var last = box.innerHTML.trim();

  function busy() {
    var el = document.activeElement;
    return document.hidden || (el && box.contains(el) && el.tagName === "BUTTON");
  }

  function refresh() {
    if (busy()) { return schedule(); }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        html = html.trim();
        if (html !== last) {
          box.innerHTML = html;
          last = html;
          box.setAttribute("data-ververst", String(Date.now()));
        }
        if (note) {
          note.textContent = "Bijgewerkt om " + new Date().toLocaleTimeString("nl-NL", { timeZone: "Europe/Amsterdam" });
        }
      })
      .catch(function () {
        if (note) { note.textContent = "Verversen lukt nu niet; nieuwe poging volgt."; }
      })
      .then(schedule);
  }

  function schedule() { window.setTimeout(refresh, INTERVAL); }
  schedule();
})();
