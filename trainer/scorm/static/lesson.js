/* An exported lesson: completed in the LMS once its end has been on screen (at once for a short
   lesson, after scrolling for a long one); the "check yourself" question answers on the page. */
(function () {
  "use strict";
  var end = document.querySelector("[data-lesson-end]");
  var done = false;

  function markDone() {
    if (done) { return; }
    done = true;
    var recorded = window.TrainerScorm && window.TrainerScorm.completeLesson();
    end.querySelector("[data-end-note]").hidden = Boolean(recorded);
    end.querySelector("[data-done-note]").hidden = !recorded;
  }

  function endVisible() {
    var box = end.getBoundingClientRect();
    return box.top < (window.innerHeight || document.documentElement.clientHeight) && box.bottom > 0;
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        markDone();
      }
    });
    observer.observe(end);
  } else {
    var onScroll = function () { if (endVisible()) { window.removeEventListener("scroll", onScroll); markDone(); } };
    window.addEventListener("scroll", onScroll);
    onScroll();
  }

  /* Links to other lessons open a reference copy in a new window: moving this frame to another SCO
     would leave the LMS tracking the wrong one. */
  var links = document.querySelectorAll(".lesson-body a[href]");
  for (var k = 0; k < links.length; k++) {
    var href = links[k].getAttribute("href");
    if (/^[a-z0-9][a-z0-9_.-]*\.html$/.test(href)) {
      links[k].setAttribute("href", href + "?reference");
      links[k].setAttribute("target", "_blank");
      links[k].setAttribute("data-reference-link", "");
    }
  }

  var form = document.querySelector("[data-check-form]");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var picked = form.querySelector("input[name=option]:checked");
      if (!picked) { return; }
      var labels = form.querySelectorAll("[data-option]");
      for (var i = 0; i < labels.length; i++) { labels[i].classList.remove("chosen", "right", "wrong"); }
      var label = picked.closest("[data-option]");
      var right = label.getAttribute("data-correct") === "true";
      label.classList.add("chosen", right ? "right" : "wrong");
      var box = form.querySelector("[data-check-feedback]");
      box.className = "check-feedback " + (right ? "right" : "wrong");
      box.textContent = "";
      var strong = document.createElement("strong");
      strong.textContent = form.getAttribute(right ? "data-right" : "data-wrong");
      var text = document.createElement("span");
      text.textContent = " " + label.getAttribute("data-feedback");
      box.appendChild(strong);
      box.appendChild(text);
    });
  }
})();
