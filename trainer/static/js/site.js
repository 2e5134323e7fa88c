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
})();
