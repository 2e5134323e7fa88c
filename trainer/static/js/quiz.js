/* Quiz attempt page: save each answer as it changes, count down the server's deadline, keep
   ordering selects free of duplicates, confirm before submitting with blanks.
   Without JavaScript the page still works: "Save answers" and "Submit answers" post the form. */
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var statusBox = document.querySelector("[data-autosave-status]");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var url = form.getAttribute("data-autosave-url");
  var resultUrl = form.getAttribute("data-result-url");
  var msg = function (name) { return form.getAttribute("data-msg-" + name) || ""; };
  var pending = {};   // question id -> answer waiting to be sent
  var timers = {};
  var submitting = false;

  function setStatus(text, isError) {
    if (!statusBox) { return; }
    statusBox.textContent = text;
    statusBox.classList.toggle("is-error", !!isError);
  }

  function questionState(fieldset, text, isError) {
    var box = fieldset.querySelector("[data-save-state]");
    if (!box) { return; }
    box.textContent = text;
    box.classList.toggle("is-error", !!isError);
  }

  function readAnswer(fieldset) {
    var type = fieldset.getAttribute("data-type");
    if (type === "single" || type === "truefalse") {
      var picked = fieldset.querySelector("input[type=radio]:checked");
      return { value: picked ? picked.value : null };
    }
    if (type === "multi") {
      var ticked = Array.prototype.map.call(fieldset.querySelectorAll("input[type=checkbox]:checked"),
        function (box) { return box.value; });
      return { value: ticked.length ? ticked : null };
    }
    if (type === "numeric" || type === "calculated" || type === "short") {
      var input = fieldset.querySelector("input[type=text]");
      return { value: input.value.trim() };
    }
    if (type === "document") {  // every field q:<id>:d:<key> as {key: value}
      var fields = {};
      var given = false;
      fieldset.querySelectorAll("[name*=':d:']").forEach(function (el) {
        var key = el.getAttribute("name");
        key = key.substring(key.lastIndexOf(":d:") + 3);
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
        fields[key] = el.value;
        if (el.value) { given = true; }
      });
      return { value: given ? fields : null };
    }
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    if (type === "ordering") {
      var values = selects.map(function (s) { return s.value; });
      var filled = values.filter(function (v) { return v !== ""; }).length;
      if (filled === 0) { return { value: null }; }
      if (filled < values.length) { return { incomplete: true }; }
      return { value: values };
    }
    if (type === "matching") {
      var chosen = {};
      var any = false;
      selects.forEach(function (s) {
        var name = s.getAttribute("name");
        var prompt = name.substring(name.lastIndexOf(":m:") + 3);
        chosen[prompt] = s.value;
        if (s.value) { any = true; }
      });
      return { value: any ? chosen : null };
    }
    return { value: null };
  }

  function answeredCount() {
    var count = 0;
    form.querySelectorAll("fieldset[data-question]").forEach(function (fs) {
      var read = readAnswer(fs);
      if (read.incomplete || (read.value !== null && read.value !== "")) { count += 1; }
    });
    return count;
  }

  function updateCount() {
    var target = document.querySelector("[data-answered]");
    if (target) { target.textContent = String(answeredCount()); }
  }

  function send(questionId, fieldset) {
    if (!(questionId in pending)) { return; }
    var answer = pending[questionId];
    delete pending[questionId];
    setStatus(msg("saving"), false);
    questionState(fieldset, msg("saving"), false);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ question: questionId, answer: answer })
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false }; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (result) {
      var body = result.body || {};
      if (body.ok) {
        setStatus(msg("saved").replace("{time}", body.saved_at || ""), false);
        questionState(fieldset, msg("saved-one"), false);
        fieldset.classList.remove("has-error");
        if (typeof body.remaining === "number") { clock.sync(body.remaining); }
        return;
      }
      if (body.redirect) { window.location.assign(body.redirect); return; }
      var text = body.error || msg("offline");
      setStatus(text, true);
      questionState(fieldset, text, true);
    }).catch(function () {
      pending[questionId] = answer;  // try again on the next change or in a few seconds
      setStatus(msg("offline"), true);
      questionState(fieldset, msg("offline"), true);
      window.setTimeout(function () { send(questionId, fieldset); }, 5000);
    });
  }

  function schedule(fieldset, delay) {
    var qid = fieldset.getAttribute("data-question");
    var read = readAnswer(fieldset);
    updateCount();
    if (read.incomplete) {
      questionState(fieldset, msg("order"), false);
      return;
    }
    pending[qid] = read.value;
    window.clearTimeout(timers[qid]);
    timers[qid] = window.setTimeout(function () { send(qid, fieldset); }, delay);
  }

  // Ordering: choosing an item already placed elsewhere swaps the two positions.
  function keepOrderingUnique(select) {
    var fieldset = select.closest("fieldset[data-type=ordering]");
    if (!fieldset || !select.value) { return; }
    var previous = select.getAttribute("data-previous") || "";
    fieldset.querySelectorAll("select").forEach(function (other) {
      if (other !== select && other.value === select.value) {
        other.value = previous;
        other.setAttribute("data-previous", previous);
      }
    });
  }

  form.querySelectorAll("select").forEach(function (s) { s.setAttribute("data-previous", s.value); });

  form.addEventListener("change", function (event) {
    var target = event.target;
    var fieldset = target.closest("fieldset[data-question]");
    if (!fieldset) { return; }
    if (target.tagName === "SELECT") {
      keepOrderingUnique(target);
      fieldset.querySelectorAll("select").forEach(function (s) { s.setAttribute("data-previous", s.value); });
    }
    schedule(fieldset, 150);
  });
  form.addEventListener("input", function (event) {
    if (event.target.type !== "text") { return; }
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) { schedule(fieldset, 800); }
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitting || !submitter || submitter.value !== "submit") { return; }
    var total = form.querySelectorAll("fieldset[data-question]").length;
    var blank = total - answeredCount();
    var question = blank === 1 ? msg("confirm-one") : msg("confirm").replace("{n}", String(blank));
    if (blank > 0 && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    submitting = true;
  });

  // The clock: counts down the seconds the server said were left, re-synced on every save.
  var clock = (function () {
    var box = document.querySelector("[data-countdown]");
    if (!box) { return { sync: function () {} }; }
    var text = box.querySelector("[data-timer-text]");
    var endsAt = Date.now() + parseInt(box.getAttribute("data-remaining"), 10) * 1000;
    var fired = false;
    function show() {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      text.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      box.classList.toggle("is-low", left <= 60);
      if (left === 0 && !fired) {
        fired = true;
        setStatus(msg("timeup"), true);
        submitting = true;
        var action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = "submit";
        form.appendChild(action);
        form.submit();
      }
    }
    show();
    window.setInterval(show, 1000);
    return { sync: function (remaining) { endsAt = Date.now() + remaining * 1000; } };
  }());

  updateCount();
  setStatus(msg("ready"), false);
  if (resultUrl) { form.setAttribute("data-ready", "1"); }
}());
