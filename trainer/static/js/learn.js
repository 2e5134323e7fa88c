/* Learn pages: record the lesson visit, answer the "check yourself" box without a reload, and a print button for the
   certificate. Without this file both still work: the check form posts and the page comes back
   with the feedback; printing uses the browser's own command. */
(function () {
  "use strict";

  function showFeedback(form, data) {
    var box = form.querySelector("[data-check-feedback]");
    var labels = form.querySelectorAll("label.option");
    for (var i = 0; i < labels.length; i++) {
      labels[i].classList.remove("chosen", "right", "wrong");
    }
    var label = form.querySelector('label.option[data-option="' + data.option + '"]');
    if (label) {
      label.classList.add("chosen", data.correct ? "right" : "wrong");
    }
    box.classList.remove("right", "wrong");
    box.classList.add(data.correct ? "right" : "wrong");
    box.textContent = "";
    var verdict = document.createElement("strong");
    verdict.textContent = data.verdict;
    var feedback = document.createElement("span");
    feedback.textContent = data.feedback;
    box.appendChild(verdict);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(feedback);
  }

  function enhanceCheck(form) {
    form.addEventListener("submit", function (event) {
      if (!form.querySelector('input[name="option"]:checked')) {
        return; // the browser asks for a choice (required); nothing to send
      }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        showFeedback(form, data);
      }).catch(function () {
        form.submit(); // fall back to the ordinary post and reload
      }).finally(function () {
        if (button) { button.disabled = false; }
      });
    });
  }

  function recordVisit(form) {
    // the page itself is a GET and never writes; this reports the visit (for "resume")
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .catch(function () { /* resume falls back to the last completed lesson */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var visit = document.querySelector("form[data-visit-form]");
    if (visit) { recordVisit(visit); }
    var forms = document.querySelectorAll("form[data-check-form]");
    for (var i = 0; i < forms.length; i++) { enhanceCheck(forms[i]); }
    var printers = document.querySelectorAll("[data-print]");
    for (var j = 0; j < printers.length; j++) {
      printers[j].hidden = false;
      printers[j].addEventListener("click", function () { window.print(); });
    }
  });
}());
