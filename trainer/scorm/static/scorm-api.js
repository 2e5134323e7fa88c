/* The SCORM runtime wrapper of an exported page: finds the LMS's API object (API for SCORM 1.2,
   API_1484_11 for SCORM 2004) in the parent frames or the opener, initialises, records completion
   and scores, and commits and terminates when the page goes away. Without an LMS the page still
   works and says that nothing is recorded. */
(function () {
  "use strict";
  var version = document.documentElement.getAttribute("data-scorm-version") === "2004" ? "2004" : "1.2";
  var name = version === "2004" ? "API_1484_11" : "API";
  var calls = version === "2004"
    ? { init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit", finish: "Terminate" }
    : { init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit", finish: "LMSFinish" };
  var api = null;
  var started = false;
  var finished = false;
  var complete = false;
  var startedAt = Date.now();

  function search(win) {
    for (var hops = 0; win && hops < 12; hops++) {
      try {
        if (win[name]) { return win[name]; }
      } catch (e) { return null; } // a frame of another origin
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }

  function find() {
    var found = search(window);
    if (!found && window.opener) { found = search(window.opener); }
    if (!found) {
      try { if (window.top && window.top.opener) { found = search(window.top.opener); } } catch (e) { found = null; }
    }
    return found;
  }

  function get(key) { return api ? String(api[calls.get](key)) : ""; }
  function set(key, value) { if (api) { api[calls.set](key, String(value)); } }
  function commit() { if (api) { api[calls.commit](""); } }

  /* A lesson opened from a link in another lesson is a reference copy in its own window: the LMS
     tracks the SCO it launched, so the copy does not connect (it would start a second session). */
  var reference = /(^|[?&])reference(=|&|$)/.test(window.location.search.slice(1));

  function start() {
    if (started) { return api !== null; }
    started = true;
    api = reference ? null : find();
    if (api && String(api[calls.init]("")) !== "true") { api = null; }
    if (!api) {
      var note = document.querySelector(reference ? "[data-scorm-reference]" : "[data-scorm-offline]");
      if (note) { note.hidden = false; }
      return false;
    }
    if (version === "2004") {
      complete = get("cmi.completion_status") === "completed";
      if (!complete) { set("cmi.completion_status", "incomplete"); }
    } else {
      var status = get("cmi.core.lesson_status");
      complete = status === "completed" || status === "passed";
      if (status === "not attempted" || status === "") { set("cmi.core.lesson_status", "incomplete"); }
    }
    commit();
    return true;
  }

  function completeLesson() {
    if (!start()) { return false; }
    if (version === "2004") {
      set("cmi.completion_status", "completed");
    } else {
      var status = get("cmi.core.lesson_status");
      if (status !== "passed" && status !== "failed") { set("cmi.core.lesson_status", "completed"); }
    }
    complete = true;
    commit();
    return true;
  }

  /* percent: 0..100 (two decimals); passed: whether it reached the pass mark. Within one attempt
     the best try counts, as the site grades module quizzes ("highest"): a lower score taken with
     "Try again" does not replace a higher one. Returns whether the LMS holds this result. */
  function reportScore(percent, passed) {
    if (!start()) { return false; }
    var before = parseFloat(get(version === "2004" ? "cmi.score.raw" : "cmi.core.score.raw"));
    if (!isNaN(before) && before > percent) { return false; }
    var raw = String(Math.round(percent * 100) / 100);
    if (version === "2004") {
      set("cmi.score.min", "0");
      set("cmi.score.max", "100");
      set("cmi.score.raw", raw);
      set("cmi.score.scaled", String(Math.round(percent * 100) / 10000));
      set("cmi.success_status", passed ? "passed" : "failed");
      set("cmi.completion_status", "completed");
    } else {
      set("cmi.core.score.min", "0");
      set("cmi.core.score.max", "100");
      set("cmi.core.score.raw", raw);
      set("cmi.core.lesson_status", passed ? "passed" : "failed");
    }
    complete = true;
    commit();
    return true;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function finish() {
    if (!api || finished) { return; }
    finished = true;
    var seconds = Math.max(0, Math.round((Date.now() - startedAt) / 1000));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (version === "2004") {
      set("cmi.session_time", "PT" + h + "H" + m + "M" + s + "S");
      set("cmi.exit", complete ? "normal" : "suspend");
    } else {
      set("cmi.core.session_time", pad(h) + ":" + pad(m) + ":" + pad(s));
      set("cmi.core.exit", complete ? "" : "suspend");
    }
    commit();
    api[calls.finish]("");
  }

  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);
  window.TrainerScorm = {
    version: version, start: start, completeLesson: completeLesson, reportScore: reportScore, finish: finish,
    connected: function () { return api !== null; }
  };
  start();
})();
