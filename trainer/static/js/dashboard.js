/* Scorecard and dashboard enhancements. Without this file everything still works:
   - the self-assessment form saves with its Save button (one form per competency);
   - column headings are links that sort on the server;
   - the filter has a Show button; the print page uses the browser's print command. */
(function () {
  "use strict";

  // ---- Self-assessment: save each click -------------------------------------------------------
  function formatCount(template, done, total) {
    return template.replace("%(done)s", done).replace("%(total)s", total);
  }

  function showErrors(form, errors) {
    var boxes = form.querySelectorAll("[data-error-for]");
    for (var i = 0; i < boxes.length; i++) {
      var id = boxes[i].getAttribute("data-error-for");
      var fieldset = boxes[i].closest("fieldset");
      if (errors && errors[id]) {
        boxes[i].textContent = errors[id];
        boxes[i].hidden = false;
        if (fieldset) { fieldset.classList.add("has-error"); }
      } else {
        boxes[i].textContent = "";
        boxes[i].hidden = true;
        if (fieldset) { fieldset.classList.remove("has-error"); }
      }
    }
  }

  function updateCounts(form, data) {
    var section = form.closest("section");
    var id = section ? section.id.replace(/^dim-/, "") : "";
    var small = document.querySelector('[data-dim-count="' + id + '"]');
    if (small) { small.textContent = data.dimension_rated + "/" + data.dimension_total; }
    if (section) { section.classList.toggle("is-complete", data.dimension_rated === data.dimension_total); }
    var bar = document.querySelector(".sc-summary progress");
    if (bar) { bar.max = data.total; bar.value = data.rated; }
    var text = document.querySelector(".sc-summary [data-progress-text]");
    var template = form.getAttribute("data-msg-count");
    if (text && template) { text.textContent = formatCount(template, data.rated, data.total); }
  }

  function enhanceAutosave(form) {
    var status = form.querySelector("[data-save-status]");
    var pending = null;
    var inFlight = false;

    function say(message, kind) {
      if (!status) { return; }
      status.textContent = message || "";
      status.classList.remove("ok", "fail");
      if (kind) { status.classList.add(kind); }
    }

    function send() {
      if (inFlight) { pending = true; return; }
      inFlight = true;
      pending = false;
      say(form.getAttribute("data-msg-saving"));
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        showErrors(form, result.data.errors || {});
        if (result.data.rated !== undefined) { updateCounts(form, result.data); }
        say(result.data.message || result.data.error || "", result.ok ? "ok" : "fail");
      }).catch(function () {
        say(form.getAttribute("data-msg-failed"), "fail");
      }).finally(function () {
        inFlight = false;
        if (pending) { send(); }
      });
    }

    form.addEventListener("change", function (event) {
      if (event.target && event.target.type === "radio") { send(); }
    });
  }

  // ---- Overview: click a heading to sort in the browser -----------------------------------------
  function sortTable(table, key, direction) {
    var head = table.querySelector('th[data-sort-key="' + key + '"]');
    if (!head) { return; }
    var column = Array.prototype.indexOf.call(head.parentNode.children, head);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true, sensitivity: "base" });
    rows.sort(function (a, b) {
      var x = a.cells[column].getAttribute("data-sort") || "";
      var y = b.cells[column].getAttribute("data-sort") || "";
      if (x === "" && y !== "") { return 1; }   // empty values last, either direction
      if (y === "" && x !== "") { return -1; }
      var order = collator.compare(x, y);
      if (order === 0) {
        order = collator.compare(a.cells[0].getAttribute("data-sort") || "", b.cells[0].getAttribute("data-sort") || "");
        return order;
      }
      return direction === "desc" ? -order : order;
    });
    for (var i = 0; i < rows.length; i++) { body.appendChild(rows[i]); }
    var heads = table.querySelectorAll("th[data-sort-key]");
    for (var j = 0; j < heads.length; j++) {
      var mark = heads[j].querySelector(".mg-sort-mark");
      if (heads[j] === head) {
        heads[j].setAttribute("aria-sort", direction === "asc" ? "ascending" : "descending");
        if (mark) { mark.textContent = direction === "asc" ? "▲" : "▼"; }
      } else {
        heads[j].removeAttribute("aria-sort");
        if (mark) { mark.textContent = ""; }
      }
    }
    keepSortInLinks(key, direction);
  }

  function keepSortInLinks(key, direction) {
    var links = document.querySelectorAll("a[data-keep-sort], [data-testid=print-link]");
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, window.location.href);
      url.searchParams.set("sort", key);
      url.searchParams.set("dir", direction);
      links[i].href = url.pathname + url.search;
    }
    var here = new URL(window.location.href);
    here.searchParams.set("sort", key);
    here.searchParams.set("dir", direction);
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", here.pathname + here.search + here.hash);
    }
  }

  function enhanceSorting(table) {
    table.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-sort-link]");
      if (!link || !table.contains(link)) { return; }
      event.preventDefault();
      var head = link.closest("th");
      var key = link.getAttribute("data-sort-link");
      var direction = head.getAttribute("aria-sort") === "ascending" ? "desc" : "asc";
      sortTable(table, key, direction);
    });
  }

  // A control named "submit" shadows form.submit, so call the prototype's method (requestSubmit
  // where there is one, so the form's own submit listeners still run).
  function sendForm(form) {
    if (!form) { return; }
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); return; }
    HTMLFormElement.prototype.submit.call(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-autosave]");
    for (var i = 0; i < forms.length; i++) { enhanceAutosave(forms[i]); }
    var tables = document.querySelectorAll("table[data-sortable]");
    for (var j = 0; j < tables.length; j++) { enhanceSorting(tables[j]); }
    var selects = document.querySelectorAll("select[data-autosubmit]");
    for (var k = 0; k < selects.length; k++) {
      selects[k].addEventListener("change", function (event) { sendForm(event.target.form); });
    }
    var printers = document.querySelectorAll("[data-print]");
    for (var p = 0; p < printers.length; p++) {
      printers[p].hidden = false;
      printers[p].addEventListener("click", function () { window.print(); });
    }
  });
}());
