/* Role-play workshops: keep the participant's room and the facilitator's board up to date by
   polling small JSON endpoints. No inline scripts (CSP), no libraries, text only via textContent. */
(function () {
  "use strict";

  function poll(url, every, handle) {
    var busy = false;
    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { handle(data); } })
        .catch(function () { /* offline for a moment: try again next tick */ })
        .then(function () { busy = false; });
    }
    setInterval(tick, every);
    document.addEventListener("visibilitychange", tick);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  var SVG = "http://www.w3.org/2000/svg";
  function bar(value, maximum, label) {
    var pct = maximum ? (100 * value / maximum) : 0;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "rp-bar");
    svg.setAttribute("viewBox", "0 0 100 8");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label + ": " + value + "/" + maximum);
    var bg = document.createElementNS(SVG, "rect");
    bg.setAttribute("class", "rp-bar-bg");
    bg.setAttribute("width", "100"); bg.setAttribute("height", "8");
    var fill = document.createElementNS(SVG, "rect");
    fill.setAttribute("class", "rp-bar-fill " + (pct >= 70 ? "good" : (pct >= 40 ? "warn" : "bad")));
    fill.setAttribute("width", pct.toFixed(1)); fill.setAttribute("height", "8");
    svg.appendChild(bg); svg.appendChild(fill);
    return svg;
  }

  /* ---------------------------------------------------------------- participant's room */
  var room = document.querySelector("[data-status-url]");
  if (room) {
    var version = room.getAttribute("data-version");
    var touched = false;
    var form = room.querySelector(".rp-rubric form");
    if (form) {
      form.addEventListener("change", function () { touched = true; });
      form.addEventListener("input", function () { touched = true; });
      form.addEventListener("submit", function () { touched = false; });
    }
    poll(room.getAttribute("data-status-url"), 4000, function (data) {
      if (data.version === version) { return; }
      if (touched) {
        var notice = room.querySelector(".rp-changed");
        if (notice) { notice.hidden = false; }
      } else {
        window.location.reload();
      }
    });
  }

  /* ---------------------------------------------------------------- facilitator's board */
  var board = document.querySelector("[data-board-url]");
  if (board) {
    var label = function (name) { return board.getAttribute("data-label-" + name) || name; };
    var lastRound = null;
    var lastRevealed = null;
    var renderGroups = function (data) {
      var holder = board.querySelector(".rp-groups");
      if (!holder) { return; }
      if (!data.groups.length) { return; }
      var fresh = document.createDocumentFragment();
      data.groups.forEach(function (g) {
        var card = el("article", "rp-group card");
        card.setAttribute("data-group", g.number);
        card.appendChild(el("h2", null, label("group") + " " + g.number));
        var list = el("ul", "rp-members");
        g.members.forEach(function (m) {
          var li = el("li");
          li.appendChild(el("span", null, m.name));
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("span", "badge", m.role_label));
          list.appendChild(li);
        });
        card.appendChild(list);
        if (g.waiting) {
          card.appendChild(el("p", "muted", label("waiting")));
        } else if (g.current) {
          var p = el("p", "rp-group-score");
          p.appendChild(el("strong", null, g.current.percent + "%"));
          p.appendChild(document.createTextNode(" "));
          p.appendChild(el("span", "muted", label("scored-by") + " " + g.current.observer));
          card.appendChild(p);
          card.appendChild(bar(g.current.percent, 100, g.current.salesperson));
          if (g.current.comment) { card.appendChild(el("p", "rp-comment", "“" + g.current.comment + "”")); }
        } else {
          card.appendChild(el("p", "muted", label("not-scored")));
        }
        g.rounds.forEach(function (r) {
          if (r.round !== data.round) {
            card.appendChild(el("p", "muted rp-past", label("round") + " " + r.round + ": " + r.salesperson + " " + r.percent + "%"));
          }
        });
        fresh.appendChild(card);
      });
      holder.textContent = "";
      holder.appendChild(fresh);
    };
    var renderItems = function (data) {
      data.items.forEach(function (item) {
        var row = board.querySelector("tr[data-item='" + item.id + "']");
        if (!row) { return; }
        row.querySelector("[data-field=average]").textContent = item.average === null ? "—" : item.average;
        var cell = row.querySelector(".rp-item-bar");
        cell.textContent = "";
        if (item.average !== null) { cell.appendChild(bar(item.average, 3, item.title)); }
      });
    };
    poll(board.getAttribute("data-board-url"), 3000, function (data) {
      if ((lastRound !== null && data.round !== lastRound) || (lastRevealed !== null && data.revealed !== lastRevealed)) {
        window.location.reload();
        return;
      }
      lastRound = data.round;
      lastRevealed = data.revealed;
      ["round", "participants", "scored"].forEach(function (name) {
        var node = board.querySelector("[data-field=" + name + "]");
        if (node) { node.textContent = data[name]; }
      });
      var groups = board.querySelector("[data-field=groups]");
      if (groups) { groups.textContent = data.groups.length; }
      renderGroups(data);
      renderItems(data);
    });
  }
}());
