/* Writing practice: autosave the draft (with the CSRF token) and refresh the checklist; on the
   review page, turn a text selection into a comment's range. Without JavaScript the Save button
   and the paragraph choice do the same. */
(function () {
  "use strict";
  if (window.matchMedia && window.matchMedia("(max-width: 899px)").matches) {
    document.querySelectorAll("details[data-narrow-closed]").forEach(function (d) { d.open = false; });
  }
  var form = document.getElementById("wr-form");
  if (form) {
    var text = document.getElementById("wr-text");
    var status = form.querySelector(".wr-status");
    var panel = document.getElementById("wr-feedback");
    var timer = null;
    var last = text.value;
    var save = function () {
      if (text.value === last) { return; }
      var sent = text.value;
      var data = new FormData(form);
      fetch(form.dataset.autosave, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": data.get("csrf_token") }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok && result.body.ok) {
          last = sent;
          status.classList.remove("error");
          status.textContent = (document.documentElement.lang === "en" ? "Saved at " : "已保存 ") + result.body.saved_at;
          if (panel) { panel.innerHTML = result.body.feedback; }
        } else {
          status.classList.add("error");
          status.textContent = result.body.error || "";
        }
      }).catch(function () {
        status.classList.add("error");
        status.textContent = document.documentElement.lang === "en" ? "Not saved: offline?" : "未保存：网络断开？";
      });
    };
    text.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 1500);
    });
  }
  var start = document.getElementById("wr-start");
  if (start) {
    var end = document.getElementById("wr-end");
    var shown = document.getElementById("wr-selection");
    var select = document.getElementById("wr-paragraph");
    select.addEventListener("change", function () {  // a paragraph picked by hand drops the selected range
      start.value = ""; end.value = ""; shown.textContent = "";
    });
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
      var range = sel.getRangeAt(0);
      var plain = range.startContainer.parentElement && range.startContainer.parentElement.closest(".wr-para .wr-plain");
      if (!plain || plain.closest(".wr-comment") || range.endContainer !== range.startContainer) { return; }
      var para = plain.closest(".wr-para");
      var base = parseInt(para.dataset.start, 10);
      start.value = base + range.startOffset;
      end.value = base + range.endOffset;
      select.value = para.id.slice(1);
      shown.textContent = "“" + sel.toString().slice(0, 120) + "”";
    });
  }
})();
