/* An exported module quiz: draws its questions from the data embedded in the page, marks them in
   the browser (the answers travel with the page) and reports the score to the LMS. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("quiz-data").textContent);
  var t = JSON.parse(document.getElementById("quiz-labels").textContent);
  var form = document.querySelector("[data-quiz-form]");
  var holder = form.querySelector("[data-questions]");
  var result = document.querySelector("[data-result]");
  var shown = [];

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }

  function shuffled(items) {
    var copy = items.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var keep = copy[i]; copy[i] = copy[j]; copy[j] = keep;
    }
    return copy;
  }

  function escapeHtml(text) {
    var holder = document.createElement("span");
    holder.textContent = text;
    return holder.innerHTML;
  }

  function element(tag, className, html) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (html !== undefined) { node.innerHTML = html; }
    return node;
  }

  function choice(type, fieldName, value, html) {
    var label = element("label", "choice");
    var input = document.createElement("input");
    input.type = type;
    input.name = fieldName;
    input.value = value;
    label.appendChild(input);
    label.appendChild(element("span", "", html));
    return label;
  }

  /* Shuffled, but never in the given (right) order, which would give the answer away. */
  function scramble(items) {
    var result = shuffled(items);
    for (var tries = 0; tries < 20 && items.length > 1 && result.every(function (x, i) { return x === items[i]; }); tries++) {
      result = shuffled(items);
    }
    if (items.length > 1 && result.every(function (x, i) { return x === items[i]; })) {
      result = result.slice(1).concat(result.slice(0, 1));
    }
    return result;
  }

  function selectRows(fieldName, labels, choices) {
    var rows = element("div", "rows");
    labels.forEach(function (text, index) {
      var row = element("div", "row");
      var label = element("label");
      label.textContent = text;
      label.htmlFor = fieldName + "-" + (index + 1);
      var select = document.createElement("select");
      select.id = fieldName + "-" + (index + 1);
      select.name = fieldName;
      select.appendChild(new Option(t.choose, ""));
      choices.forEach(function (choice) { select.appendChild(new Option(choice.text, choice.value)); });
      row.appendChild(label);
      row.appendChild(select);
      rows.appendChild(row);
    });
    return rows;
  }

  /* The site's ordering credit: the longest run of items in the right relative order, (L - 1) / (n - 1). */
  function orderFraction(positions) {
    var n = positions.length;
    if (n < 2) { return 1; }
    var longest = [];
    var best = 0;
    for (var i = 0; i < n; i++) {
      longest[i] = 1;
      for (var j = 0; j < i; j++) {
        if (positions[j] < positions[i] && longest[j] + 1 > longest[i]) { longest[i] = longest[j] + 1; }
      }
      best = Math.max(best, longest[i]);
    }
    return (best - 1) / (n - 1);
  }

  function selected(box) {
    return Array.prototype.map.call(box.querySelectorAll("select"), function (select) { return select.value; });
  }

  function renderQuestion(q, number) {
    var box = element("fieldset", "question");
    box.setAttribute("data-question", q.id);
    box.setAttribute("data-type", q.type);
    var legend = element("legend");
    legend.appendChild(element("span", "qnum", fill(t.question, { n: number })));
    legend.appendChild(document.createTextNode(" "));
    legend.appendChild(element("span", "qtext", q.text));
    box.appendChild(legend);
    var hint = t["hint_" + (q.type === "calculated" ? "numeric" : q.type)];
    var meta = element("p", "qmeta");
    meta.textContent = hint + " ";
    meta.appendChild(element("span", "qmark")).textContent = fill(q.mark === 1 ? t.mark_one : t.marks, { n: q.mark });
    box.appendChild(meta);
    var fieldName = "q" + number;
    if (q.type === "single" || q.type === "multi") {
      var choices = element("div", "choices");
      var options = data.shuffle && q.shuffle ? shuffled(q.options) : q.options;
      options.forEach(function (o) {
        choices.appendChild(choice(q.type === "single" ? "radio" : "checkbox", fieldName, o.id, o.text));
      });
      box.appendChild(choices);
    } else if (q.type === "truefalse") {
      var pair = element("div", "choices choices-inline");
      pair.appendChild(choice("radio", fieldName, "true", t["true"]));
      pair.appendChild(choice("radio", fieldName, "false", t["false"]));
      box.appendChild(pair);
    } else if (q.type === "ordering") {
      box.appendChild(element("p", "order-items-label")).textContent = t.order_items;
      var list = element("ul", "order-items");
      var scrambled = scramble(q.items);
      scrambled.forEach(function (item) { list.appendChild(element("li")).textContent = item.text; });
      box.appendChild(list);
      box.appendChild(selectRows(fieldName, q.items.map(function (item, index) {
        return fill(t.position, { n: index + 1 });
      }), scrambled.map(function (item) { return { value: item.id, text: item.text }; })));
    } else if (q.type === "matching") {
      var prompts = data.shuffle && q.shuffle ? shuffled(q.pairs) : q.pairs;
      var answers = scramble(q.pairs);
      box.setAttribute("data-prompts", prompts.map(function (pair) { return pair.id; }).join(" "));
      box.appendChild(selectRows(fieldName, prompts.map(function (pair) { return pair.prompt; }),
        answers.map(function (pair) { return { value: pair.id, text: pair.answer }; })));
    } else if (q.type === "short") {
      var field = element("div", "short");
      var shortLabel = element("label");
      shortLabel.textContent = t.your_answer;
      shortLabel.htmlFor = fieldName + "-value";
      var shortInput = document.createElement("input");
      shortInput.type = "text";
      shortInput.id = fieldName + "-value";
      shortInput.name = fieldName;
      shortInput.autocomplete = "off";
      shortInput.maxLength = 200;
      field.appendChild(shortLabel);
      field.appendChild(shortInput);
      box.appendChild(field);
    } else {
      var wrap = element("div", "numeric");
      var label = element("label");
      label.textContent = t.your_answer;
      label.htmlFor = fieldName + "-value";
      var span = element("span", "numeric-input");
      var input = document.createElement("input");
      input.type = "text";
      input.id = fieldName + "-value";
      input.name = fieldName;
      input.inputMode = "decimal";
      input.autocomplete = "off";
      input.maxLength = 40;
      span.appendChild(input);
      if (q.unit) { span.appendChild(element("span", "unit")).textContent = q.unit; }
      wrap.appendChild(label);
      wrap.appendChild(span);
      box.appendChild(wrap);
    }
    return box;
  }

  function draw() {
    holder.textContent = "";
    result.hidden = true;
    form.hidden = false;
    shown = (data.shuffle ? shuffled(data.questions) : data.questions.slice()).slice(0, data.count);
    shown.forEach(function (q, index) { holder.appendChild(renderQuestion(q, index + 1)); });
  }

  /* 41.5, -3, 1,234.5, .5, full-width digits, 37.2%: as the site reads a typed number. */
  function parseNumber(text) {
    var cleaned = String(text).normalize("NFKC").trim().replace(/ /g, "").replace(/\u2212/g, "-");
    if (cleaned.charAt(cleaned.length - 1) === "%") { cleaned = cleaned.slice(0, -1); }
    if (!/^[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?$/.test(cleaned) || !/\d/.test(cleaned)) { return null; }
    return parseFloat(cleaned.replace(/,/g, ""));
  }

  /* Short answers as the site matches them (trainer/quiz/bank/short_match.py): NFKC, spaces
     trimmed and collapsed, none next to Chinese characters, case ignored unless the question says,
     "*" matches any run of characters. */
  var CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff60";
  var nearCjk = new RegExp("(?<=[" + CJK + "])\\s+|\\s+(?=[" + CJK + "])", "g");

  function normalizeShort(text, caseSensitive) {
    var value = String(text).normalize("NFKC").trim().replace(nearCjk, "").replace(/\s+/g, " ");
    return caseSensitive ? value : value.toLowerCase();
  }

  function matchesShort(accepted, given, caseSensitive) {
    var typed = normalizeShort(given, caseSensitive);
    if (!typed) { return false; }
    var pieces = normalizeShort(accepted, caseSensitive).split("*").map(function (piece) {
      return piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    });
    return new RegExp("^" + pieces.join("[\\s\\S]*") + "$").test(typed);
  }

  function grade(q, box) {
    var name = box.querySelector("input, select").name;
    var feedback = [];
    var fraction = 0;
    if (q.type === "single" || q.type === "multi") {
      var ticked = {};
      box.querySelectorAll("input:checked").forEach(function (input) { ticked[input.value] = true; });
      q.options.forEach(function (o) {
        if (ticked[o.id]) { fraction += o.credit; if (o.feedback) { feedback.push(o.feedback); } }
      });
      fraction = Math.max(0, Math.min(1, fraction));
    } else if (q.type === "truefalse") {
      var picked = box.querySelector("input:checked");
      if (picked) {
        var value = picked.value === "true";
        fraction = value === q.answer ? 1 : 0;
        if (q.feedback[picked.value]) { feedback.push(q.feedback[picked.value]); }
      }
    } else if (q.type === "ordering") {
      var chosen = selected(box);
      if (chosen.every(Boolean)) {
        var rank = {};
        q.items.forEach(function (item, index) { rank[item.id] = index; });
        fraction = orderFraction(chosen.map(function (id) { return rank[id]; }));
      }
      if (fraction < 1) {
        feedback.push(escapeHtml(fill(t.right_order, { order: q.items.map(function (item) { return item.text; }).join(" → ") })));
      }
    } else if (q.type === "matching") {
      var prompts = box.getAttribute("data-prompts").split(" ");
      var matched = selected(box);
      var right = prompts.filter(function (id, index) { return matched[index] === id; }).length;
      fraction = right / prompts.length;
      if (fraction < 1) {
        var lines = prompts.map(function (id) {
          var pair = q.pairs.filter(function (p) { return p.id === id; })[0];
          return escapeHtml(pair.prompt + " → " + pair.answer);
        });
        feedback.push(escapeHtml(fill(t.correct_answer, { answer: "" })) + "<br>" + lines.join("<br>"));
      }
    } else if (q.type === "short") {
      var text = form.elements[name].value;
      var best = null;
      q.accepted.forEach(function (a) {
        if (best !== null && a.credit <= best.credit) { return; }
        if (a.texts.some(function (accepted) { return matchesShort(accepted, text, q.caseSensitive); })) { best = a; }
      });
      if (best) {
        fraction = best.credit;
        if (best.feedback) { feedback.push(best.feedback); }
      } else if (q.wrongFeedback && text.trim()) {
        feedback.push(q.wrongFeedback);
      }
      if (fraction < 1) { feedback.push(escapeHtml(fill(t.correct_answer, { answer: q.shown }))); }
    } else {
      var typed = form.elements[name].value;
      var given = typed.trim() ? parseNumber(typed) : null;
      var matched = false;
      if (given !== null) {
        q.answers.forEach(function (a) {
          if (Math.abs(given - a.value) <= a.limit && (a.credit > fraction || !matched)) {
            fraction = a.credit; matched = true; feedback = a.feedback ? [a.feedback] : [];
          }
        });
      }
      if (!matched && q.wrongFeedback) { feedback = [q.wrongFeedback]; }
      if (fraction < 1) { feedback.push(escapeHtml(fill(t.correct_answer, { answer: q.shown + (q.unit ? " " + q.unit : "") }))); }
    }
    return { fraction: fraction, feedback: feedback };
  }

  function showError(box, message) {
    box.appendChild(element("p", "field-error")).textContent = message;
  }

  function checkAnswers() {
    var ok = true;
    var boxes = holder.querySelectorAll(".question");
    shown.forEach(function (q, index) {
      var old = boxes[index].querySelector(".field-error");
      if (old) { old.remove(); }
      if (q.type !== "ordering") { return; }
      var chosen = selected(boxes[index]).filter(Boolean);
      var unique = chosen.filter(function (id, i) { return chosen.indexOf(id) === i; });
      if (chosen.length && (chosen.length < q.items.length || unique.length < chosen.length)) {
        ok = false;
        showError(boxes[index], t.use_each_once);
      }
    });
    return checkNumbers() && ok;
  }

  function checkNumbers() {
    var ok = true;
    shown.forEach(function (q, index) {
      if (q.type !== "numeric" && q.type !== "calculated") { return; }
      var input = form.elements["q" + (index + 1)];
      var box = input.closest(".question");
      var old = box.querySelector(".field-error");
      if (old) { old.remove(); }
      input.removeAttribute("aria-invalid");
      if (input.value.trim() && parseNumber(input.value) === null) {
        ok = false;
        input.setAttribute("aria-invalid", "true");
        box.appendChild(element("p", "field-error")).textContent = t.not_a_number;
      }
    });
    return ok;
  }

  function review(box, q, marked) {
    box.classList.add(marked.fraction >= 1 ? "is-right" : "is-wrong");
    box.setAttribute("data-fraction", String(marked.fraction));
    box.querySelectorAll("input, select").forEach(function (input) { input.disabled = true; });
    if (q.options) {
      box.querySelectorAll("input").forEach(function (input) {
        var option = q.options.filter(function (o) { return o.id === input.value; })[0];
        if (option && option.correct) { input.closest("label").classList.add("right"); }
      });
    }
    marked.feedback.forEach(function (html) { box.appendChild(element("p", "feedback", html)); });
    if (q.explanation) {
      var explanation = element("div", "explanation");
      explanation.appendChild(element("p", "label")).textContent = t.explanation;
      explanation.appendChild(element("p", "", q.explanation));
      box.appendChild(explanation);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!checkAnswers()) { return; }
    var score = 0, max = 0;
    var boxes = holder.querySelectorAll(".question");
    shown.forEach(function (q, index) {
      var marked = grade(q, boxes[index]);
      score += marked.fraction * q.mark;
      max += q.mark;
      review(boxes[index], q, marked);
    });
    var percent = max ? Math.round(10000 * score / max) / 100 : 0;
    var passed = percent >= data.passMark;
    var recorded = Boolean(window.TrainerScorm && window.TrainerScorm.reportScore(percent, passed));
    result.hidden = false;
    result.className = "scorm-result " + (passed ? "passed" : "failed");
    result.setAttribute("data-percent", String(percent));
    result.setAttribute("data-passed", String(passed));
    result.querySelector("[data-score]").textContent =
      fill(t.score, { percent: percent, score: Math.round(score * 100) / 100, max: max });
    result.querySelector("[data-verdict]").textContent = (passed
      ? (recorded ? t.passed : t.passed_plain)
      : fill(t.failed, { pass_mark: data.passMark })) +
      (!recorded && window.TrainerScorm && window.TrainerScorm.connected() ? " " + t.best_kept : "");
    result.setAttribute("data-recorded", String(recorded));
    form.querySelector("[type=submit]").hidden = true;
    result.scrollIntoView({ block: "nearest" });
  });

  result.querySelector("[data-retry]").addEventListener("click", function () {
    form.querySelector("[type=submit]").hidden = false;
    draw();
    window.scrollTo(0, 0);
  });

  window.TrainerQuiz = { matchesShort: matchesShort, orderFraction: orderFraction }; // for the tests that compare it with the site's rules
  draw();
})();
