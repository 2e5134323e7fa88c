/* Policy lab: job progress, preset chooser, live workshop pages. No inline scripts (CSP), no
   libraries; only textContent and properties are set, never HTML. */
(function () {
  "use strict";

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  /* ------------------------------------------------------------ job progress */
  var job = document.querySelector("[data-job-url]");
  if (job && job.getAttribute("data-status") !== "done" && job.getAttribute("data-status") !== "failed") {
    var bar = job.querySelector("[data-progress]");
    var pct = job.querySelector("[data-percent]");
    var text = job.querySelector("[data-status-text]");
    var box = job.querySelector("[data-error-box]");
    var timer = null;
    var tick = function () {
      getJSON(job.getAttribute("data-job-url")).then(function (data) {
        if (!data) { return; }
        var value = Math.round((data.progress || 0) * 100);
        if (bar) { bar.value = value; bar.textContent = value + " %"; }
        if (pct) { pct.textContent = value + " %"; }
        if (text && text.getAttribute("data-" + data.status)) { text.textContent = text.getAttribute("data-" + data.status); }
        job.setAttribute("data-status", data.status);
        if (data.status === "done" && data.url) {
          clearInterval(timer);
          window.location.assign(data.url);
        } else if (data.status === "failed") {
          clearInterval(timer);
          window.location.reload(); /* the page renders the error and what to do next */
        }
      }).catch(function () { /* try again on the next tick */ });
    };
    timer = setInterval(tick, 700);
    tick();
  }

  /* ------------------------------------------------------------ preset chooser */
  var chooser = document.querySelector("form[data-auto-submit]");
  if (chooser) {
    var select = chooser.querySelector("select");
    if (select) { select.addEventListener("change", function () { chooser.submit(); }); }
  }

  /* ------------------------------------------------------------ workshop pages */
  var room = document.querySelector("[data-workshop-url]");
  if (room) {
    var version = room.getAttribute("data-version");
    var auto = room.hasAttribute("data-auto-reload");
    var touched = false;
    var form = room.querySelector("form.sim-form");
    if (form) {
      form.addEventListener("input", function () { touched = true; });
      form.addEventListener("change", function () { touched = true; });
      form.addEventListener("submit", function () { touched = false; });
    }
    var notice = room.querySelector("[data-updated]");
    setInterval(function () {
      if (document.hidden) { return; }
      getJSON(room.getAttribute("data-workshop-url")).then(function (data) {
        if (!data || data.version === version) { return; }
        if (auto || !touched) { window.location.reload(); return; }
        if (notice) { notice.hidden = false; }
      }).catch(function () {});
    }, auto ? 3000 : 5000);
  }
}());
