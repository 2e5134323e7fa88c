/* Header menus (the admin menu, the account menu, the phone menu) are <details> elements and work
   without this file; it only closes an open one on a click elsewhere or on Escape, as menus do. */
(function () {
  "use strict";
  var menus = document.querySelectorAll(".site-header details");

  function closeAll(except) {
    for (var i = 0; i < menus.length; i++) {
      if (menus[i] !== except && !menus[i].contains(except)) { menus[i].open = false; }
    }
  }

  document.addEventListener("click", function (event) {
    var inside = event.target.closest ? event.target.closest(".site-header details") : null;
    closeAll(inside);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    for (var i = 0; i < menus.length; i++) {
      if (menus[i].open) {
        menus[i].open = false;
        var summary = menus[i].querySelector("summary");
        if (summary) { summary.focus(); }
      }
    }
  });

  // Tables marked .stack: give every cell its column heading as data-label, so on a phone each row
  // reads as a labelled card (site.css, .stacked). The first cell of a row is the card's title.
  function headings(table) {
    var row = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    var names = [];
    if (!row) { return names; }
    for (var i = 0; i < row.cells.length; i++) {
      var span = row.cells[i].colSpan || 1;
      for (var k = 0; k < span; k++) { names.push(row.cells[i].textContent.replace(/\s+/g, " ").trim()); }
    }
    return names;
  }

  var tables = document.querySelectorAll("table.stack");
  for (var t = 0; t < tables.length; t++) {
    var names = headings(tables[t]);
    var bodies = tables[t].querySelectorAll(":scope > tbody, :scope > tfoot");
    for (var b = 0; b < bodies.length; b++) {
      for (var r = 0; r < bodies[b].rows.length; r++) {
        var cells = bodies[b].rows[r].cells;
        var column = 0;
        for (var c = 0; c < cells.length; c++) {
          var cell = cells[c];
          if (c === 0) {
            cell.classList.add("stack-title");
          } else if ((cell.colSpan || 1) === 1 && names[column] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[column]);
            var value = document.createElement("span");  // the label and the value: two grid columns
            value.className = "stack-value";
            while (cell.firstChild) { value.appendChild(cell.firstChild); }
            cell.appendChild(value);
          }
          column += cell.colSpan || 1;
        }
      }
    }
    tables[t].classList.add("stacked");
  }

  // A table wider than its box scrolls sideways inside .table-wrap: make that region reachable and
  // named for keyboard and screen-reader users (named after the table's caption or the heading above).
  var wraps = document.querySelectorAll(".table-wrap");
  for (var w = 0; w < wraps.length; w++) {
    var wrap = wraps[w];
    if (wrap.scrollWidth <= wrap.clientWidth + 1 || wrap.hasAttribute("tabindex")) { continue; }
    var caption = wrap.querySelector("caption");
    var heading = null;
    for (var node = wrap.previousElementSibling; node && !heading; node = node.previousElementSibling) {
      if (/^H[1-4]$/.test(node.tagName)) { heading = node; }
    }
    if (!heading && !caption) { heading = document.querySelector("h1"); }
    var name = (caption || heading || {}).textContent;
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    if (name) { wrap.setAttribute("aria-label", name.replace(/\s+/g, " ").trim()); }
  }
})();
