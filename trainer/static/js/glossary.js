/* Glossary terms in lessons: tap (or Enter/Space) opens the definition, tap elsewhere or Escape closes
   it. Hover and keyboard focus work without this file (CSS); this adds tap, aria-expanded, and
   Escape dismissing a definition shown by hover or focus too (until the pointer or focus leaves). */
(function () {
  "use strict";

  function closeAll(except) {
    var open = document.querySelectorAll(".gloss.open");
    for (var i = 0; i < open.length; i++) {
      if (open[i] !== except) {
        open[i].classList.remove("open");
        open[i].querySelector(".gloss-term").setAttribute("aria-expanded", "false");
      }
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".gloss-term") : null;
    if (!button) {
      closeAll(null);
      return;
    }
    var gloss = button.parentNode;
    var opening = !gloss.classList.contains("open");
    closeAll(gloss);
    gloss.classList.remove("dismissed");
    gloss.classList.toggle("open", opening);
    button.setAttribute("aria-expanded", opening ? "true" : "false");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    closeAll(null);
    var shown = document.querySelectorAll(".gloss:hover, .gloss:focus-within");
    for (var i = 0; i < shown.length; i++) {
      shown[i].classList.add("dismissed");
    }
  });

  function undismiss(event) {
    var gloss = event.target.closest ? event.target.closest(".gloss") : null;
    if (gloss && !gloss.contains(event.relatedTarget)) {
      gloss.classList.remove("dismissed");
    }
  }

  document.addEventListener("focusout", undismiss);
  document.addEventListener("mouseout", undismiss);
})();
